"""Readers: Word, PDF, scans, legacy encodings, HTML, and bad inputs.

The sample renderings under samples/docx, samples/pdf, samples/tables, samples/legacy and
samples/scanned are made by scripts/make_renderings.py and committed, so these tests need no
LibreOffice. Small Word/PDF files for specific features are written by the tests themselves.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from khplan.errors import InputError
from khplan.readers import read_document
from khplan.vn import fold

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
STEMS = [p.stem for p in sorted(SAMPLES.glob("*.txt"))]
LEGACY_STEM = "dien-bien-2026-tre-em-khuyet-tat-den-truong"
TABLE_STEM = "lao-cai-2025-he-tre-em"

RX_LABEL = re.compile(r"^(?:#+\s*)?(?:\*\*)?([IVX]+\.|\d+\.\d+\.|\d+\.|[a-zđ]\)|-|\+)\s")


def labels(text: str, bullets: bool = True) -> list[str]:
    out = []
    for line in text.split("\n"):
        m = RX_LABEL.match(line.strip())
        if m and (bullets or m.group(1) not in "-+"):
            out.append(m.group(1))
    return out


def txt_labels(stem: str) -> list[str]:
    text = (SAMPLES / f"{stem}.txt").read_text(encoding="utf-8")
    # the hard-wrapped Cao Bằng text breaks "Sở Lao động / - Thương binh và Xã hội" at its
    # hyphen: that "- " is not a bullet of the printed document
    text = re.sub(r"Lao động\n- Thương binh", "Lao động - Thương binh", text)
    return labels(text)


def one_line_error(fn, *args, **kw) -> str:
    t0 = time.monotonic()
    with pytest.raises(InputError) as err:
        fn(*args, **kw)
    assert time.monotonic() - t0 < 10, "a bad input must fail fast"
    msg = str(err.value)
    assert "\n" not in msg and msg.strip(), msg
    return msg


# ---------------------------------------------------------------------------------------
# Word: the sample renderings


@pytest.mark.parametrize("stem", STEMS)
def test_docx_rendering_has_the_item_numbers_of_the_text(stem):
    ex = read_document(SAMPLES / "docx" / f"{stem}.docx")
    assert ex.format == "docx"
    assert labels(ex.text) == txt_labels(stem)


def test_docx_numbers_come_from_numbering_definitions_not_typed_text():
    # the renderings type no "1." or "II.": the reader renders them from numbering.xml
    with zipfile.ZipFile(SAMPLES / "docx" / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
        numbering = z.read("word/numbering.xml").decode("utf-8")
    typed = re.findall(r"<w:t[^>]*>(\d+\.\d+\.|[IVX]+\.)\s", xml)
    assert typed == []
    assert "<w:numPr>" in xml and 'w:val="upperRoman"' in numbering and "%2.%3." in numbering
    text = read_document(SAMPLES / "docx" / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.docx").text
    assert "\n\nII. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM\n\n" in text
    assert "\n\n3.2. Cơ quan chủ trì: Sở Y tế.\n\n" in text


def test_docx_header_table_is_read_as_header_lines_left_column_first():
    text = read_document(SAMPLES / "docx" / "cao-bang-2022-cong-tac-tre-em.docx").text
    head = text.split("KẾ HOẠCH")[0]
    lines = [l for l in head.split("\n") if l.strip()]
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG"]
    assert lines.index("Số: 715/KH-UBND") < lines.index("CỘNG HÒA XÃ HỘI") < lines.index("Cao Bằng, ngày 29")
    assert "|" not in head


def test_docx_footnotes_follow_the_citing_paragraph():
    text = read_document(SAMPLES / "docx" / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.docx").text
    paras = text.split("\n\n")
    i = next(k for k, p in enumerate(paras) if "trợ giúp người khuyết tật¹, trong đó" in p)
    assert paras[i + 1].startswith("¹ Luật Trẻ em; Chiến lược quốc gia")


def test_docx_task_table_rows_and_merged_lead_cells():
    ex = read_document(SAMPLES / "tables" / f"{TABLE_STEM}.docx")
    rows = [l for l in ex.text.split("\n") if l.startswith("|")]
    assert rows[0] == "| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện | Sản phẩm |"
    assert len(rows) == 7
    # rows 1 and 2 share one vertically merged lead cell: both rows show it
    assert rows[1].split(" | ")[2] == rows[2].split(" | ")[2] == "Sở Văn hóa, Thể thao và Du lịch"
    # locators point at the table cell
    off = ex.text.index("Tổ chức các lớp dạy bơi")
    loc = ex.locate(off)
    assert loc["table"] == 2 and loc["row"] == 3 and loc["cell"] == 2 and loc["paragraph"] > 0


def test_docx_locators_are_sorted_and_point_at_paragraphs():
    ex = read_document(SAMPLES / "docx" / "hung-yen-2026-tb432-tre-em-hcdb.docx")
    offs = [o for o, _ in ex.locators]
    assert offs == sorted(offs) and offs[0] == 0
    a = ex.locate(ex.text.index("II. NỘI DUNG, NHIỆM VỤ"))
    b = ex.locate(ex.text.index("III. KINH PHÍ"))
    assert "paragraph" in a and b["paragraph"] > a["paragraph"]


# ---------------------------------------------------------------------------------------
# Word: features on small documents written here

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CT = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
PKG_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def make_docx(body: str, numbering: str | None = None, styles: str | None = None, footnotes: str | None = None,
              extra_rels: str = "", files: dict | None = None) -> bytes:
    rels = [f'<Relationship Id="rNum" Type="{RT}numbering" Target="numbering.xml"/>' if numbering else "",
            f'<Relationship Id="rSty" Type="{RT}styles" Target="styles.xml"/>' if styles else "",
            f'<Relationship Id="rFn" Type="{RT}footnotes" Target="footnotes.xml"/>' if footnotes else "",
            extra_rels]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", PKG_RELS)
        z.writestr("word/_rels/document.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(rels) + "</Relationships>")
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>')
        if numbering:
            z.writestr("word/numbering.xml", f'<?xml version="1.0"?><w:numbering {W}>{numbering}</w:numbering>')
        if styles:
            z.writestr("word/styles.xml", f'<?xml version="1.0"?><w:styles {W}>{styles}</w:styles>')
        if footnotes:
            z.writestr("word/footnotes.xml", f'<?xml version="1.0"?><w:footnotes {W}>{footnotes}</w:footnotes>')
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def read_docx_bytes(data: bytes, tmp_path, name="t.docx"):
    p = tmp_path / name
    p.write_bytes(data)
    return read_document(p)


def para(text: str = "", num: tuple | None = None, style: str | None = None, rpr: str = "") -> str:
    ppr = ""
    if style or num:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        if num:
            ppr += "<w:numPr>" + (f'<w:ilvl w:val="{num[1]}"/>' if num[1] is not None else "") + f'<w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    run = f'<w:r>{"<w:rPr>" + rpr + "</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    return f"<w:p>{ppr}{run}</w:p>"


def lvl(ilvl, fmt, text, start=1, extra=""):
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


OUTLINE = (
    '<w:abstractNum w:abstractNumId="0">'
    + lvl(0, "upperRoman", "%1.") + lvl(1, "decimal", "%2.") + lvl(2, "decimal", "%2.%3.") + lvl(3, "lowerLetter", "%4)")
    + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="1">'
    + lvl(0, "bullet", "\uf0b7") + lvl(1, "bullet", "o")
    + "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="7"/></w:lvlOverride></w:num>'
)


def test_numbering_levels_formats_restarts_and_bullets(tmp_path):
    body = "".join([
        para("MỤC ĐÍCH", (1, 0)), para("Mục đích", (1, 1)), para("Nội dung", (1, 2)), para("Cơ quan", (1, 2)),
        para("Yêu cầu", (1, 1)), para("điểm một", (1, 3)), para("điểm hai", (1, 3)),
        para("ý một", (2, 0)), para("ý con", (2, 1)),
        para("NHIỆM VỤ", (1, 0)), para("Việc một", (1, 1)),
        para("Tiếp theo bảy", (3, 1)), para("Tiếp theo tám", (3, 1)),
        para("Không số", (0, None)),
    ])
    ex = read_docx_bytes(make_docx(body, numbering=OUTLINE), tmp_path)
    lines = [l for l in ex.text.split("\n") if l]
    assert lines == [
        "I. MỤC ĐÍCH", "1. Mục đích", "1.1. Nội dung", "1.2. Cơ quan", "2. Yêu cầu", "a) điểm một", "b) điểm hai",
        "- ý một", "+ ý con", "II. NHIỆM VỤ", "1. Việc một", "7. Tiếp theo bảy", "8. Tiếp theo tám", "Không số",
    ]


def test_lowerletter_uses_vietnamese_letters_when_the_text_uses_d_with_stroke(tmp_path):
    items = ["một", "hai", "ba", "bốn", "năm đó", "sáu", "bảy"]
    body = "".join(para(t, (1, 3)) for t in items)
    got = [l.split(")")[0] for l in read_docx_bytes(make_docx(body, numbering=OUTLINE), tmp_path).text.split("\n") if l]
    assert got == ["a", "b", "c", "d", "đ", "e", "g"]
    body = "".join(para(t, (1, 3)) for t in ["one", "two", "three", "four", "five", "six"])
    got = [l.split(")")[0] for l in read_docx_bytes(make_docx(body, numbering=OUTLINE), tmp_path, "e.docx").text.split("\n") if l]
    assert got == ["a", "b", "c", "d", "e", "f"]


def test_style_inherited_numbering_and_numid_zero(tmp_path):
    styles = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Muc"><w:name w:val="Muc"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Muc2"><w:name w:val="Muc2"/><w:basedOn w:val="Muc"/></w:style>'
    )
    numbering = (
        '<w:abstractNum w:abstractNumId="0">' + lvl(0, "upperRoman", "%1.", extra='<w:pStyle w:val="Muc"/>')
        + lvl(1, "decimal", "%2.") + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    )
    body = para("MỤC TIÊU", style="Muc") + para("Một", (1, 1)) + para("NHIỆM VỤ", style="Muc2") + para("Không đánh số", (0, None), style="Muc")
    lines = [l for l in read_docx_bytes(make_docx(body, numbering=numbering, styles=styles), tmp_path).text.split("\n") if l]
    assert lines == ["I. MỤC TIÊU", "1. Một", "II. NHIỆM VỤ", "Không đánh số"]


def test_footnotes_text_boxes_hidden_deleted_and_fields(tmp_path):
    fn = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
          '<w:footnote w:id="5"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Luật Trẻ em năm 2016.</w:t></w:r></w:p></w:footnote>')
    box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Chữ trong hộp</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>'
           '<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Chữ trong hộp</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>'
           '</mc:AlternateContent></w:r>')
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Thực hiện pháp luật</w:t></w:r>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="5"/></w:r>'
        '<w:r><w:t xml:space="preserve"> về trẻ em</w:t></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẨN</w:t></w:r>'
        '<w:del><w:r><w:delText>đã xóa</w:delText></w:r></w:del>'
        '<w:ins><w:r><w:t xml:space="preserve"> mới</w:t></w:r></w:ins>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>.</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + box + "</w:p>" + para("Đoạn sau")
    )
    ex = read_docx_bytes(make_docx(body, footnotes=fn), tmp_path)
    paras = ex.text.split("\n\n")
    assert paras == ["Thực hiện pháp luật¹ về trẻ em mới.", "¹ Luật Trẻ em năm 2016.", "Chữ trong hộp", "Đoạn sau"]
    assert ex.locate(ex.text.index("Luật Trẻ em"))["footnote"] == 5
    assert ex.locate(ex.text.index("Chữ trong hộp"))["textbox"] == 1


def test_tables_pad_spanned_columns_and_repeat_merged_rows(tmp_path):
    def tc(text, pr=""):
        return f"<w:tc>{'<w:tcPr>' + pr + '</w:tcPr>' if pr else ''}{para(text)}</w:tc>"

    tbl = ("<w:tbl>"
           "<w:tr>" + tc("STT") + tc("Nội dung") + tc("Cơ quan chủ trì") + "</w:tr>"
           "<w:tr>" + tc("I. TUYÊN TRUYỀN", '<w:gridSpan w:val="3"/>') + "</w:tr>"
           "<w:tr>" + tc("1") + tc("Việc một") + tc("Sở Y tế", '<w:vMerge w:val="restart"/>') + "</w:tr>"
           "<w:tr>" + tc("2") + tc("Việc hai") + tc("", "<w:vMerge/>") + "</w:tr>"
           "</w:tbl>")
    ex = read_docx_bytes(make_docx(para("KẾ HOẠCH") + tbl), tmp_path)
    rows = [l for l in ex.text.split("\n") if l.startswith("|")]
    assert rows == [
        "| STT | Nội dung | Cơ quan chủ trì |",
        "| I. TUYÊN TRUYỀN |  |  |",
        "| 1 | Việc một | Sở Y tế |",
        "| 2 | Việc hai | Sở Y tế |",
    ]


def test_legacy_font_runs_are_converted(tmp_path):
    from khplan.readers.legacy import unicode_to_tcvn3, unicode_to_vni

    tcvn = unicode_to_tcvn3("ủy ban nhân dân tỉnh").decode("latin-1")
    caps = unicode_to_tcvn3("kế hoạch").decode("latin-1")
    vni = unicode_to_vni("Sở Giáo dục và Đào tạo").decode("latin-1")
    body = (para(caps, rpr='<w:rFonts w:ascii=".VnTimeH" w:hAnsi=".VnTimeH"/>')
            + para(tcvn, rpr='<w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/>')
            + para(vni, rpr='<w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/>')
            + para("Đã là Unicode", rpr='<w:rFonts w:ascii=".VnTime"/>'))
    ex = read_docx_bytes(make_docx(body), tmp_path)
    assert ex.text.split("\n\n") == ["KẾ HOẠCH", "ủy ban nhân dân tỉnh", "Sở Giáo dục và Đào tạo", "Đã là Unicode"]
    assert ex.encoding in ("tcvn3", "vni")
    assert any(w["code"] == "legacy_encoding" for w in ex.warnings)


def test_vni_docx_sample_reads_as_unicode():
    ex = read_document(SAMPLES / "legacy" / f"{LEGACY_STEM}.vni.docx")
    assert ex.encoding == "vni"
    assert "Hỗ trợ trẻ em khuyết tật đến trường năm học 2026 - 2027" in ex.text
    assert "a) Cấp học bổng, hỗ trợ chi phí học tập theo quy định;" in ex.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in ex.text


def test_external_relationships_are_never_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("BÍ MẬT KHÔNG ĐƯỢC ĐỌC", encoding="utf-8")
    rels = (f'<Relationship Id="rX" Type="{RT}subDocument" Target="file://{secret}" TargetMode="External"/>'
            f'<Relationship Id="rT" Type="{RT}attachedTemplate" Target="http://127.0.0.1:9/t.dotx" TargetMode="External"/>'
            f'<Relationship Id="rH" Type="{RT}hyperlink" Target="https://example.invalid/" TargetMode="External"/>')
    body = para("Nội dung chính") + '<w:p><w:subDoc r:id="rX"/></w:p>'
    t0 = time.monotonic()
    ex = read_docx_bytes(make_docx(body, extra_rels=rels), tmp_path)
    assert time.monotonic() - t0 < 5
    assert "BÍ MẬT" not in ex.text and ex.text == "Nội dung chính"
    assert any(w["code"] == "external_content" for w in ex.warnings)


def test_bad_word_files_fail_with_one_line(tmp_path):
    from khplan.readers import ooxml

    cases = {
        "corrupt.docx": b"PK\x03\x04 this is not a zip archive",
        "truncated.docx": (SAMPLES / "docx" / f"{STEMS[0]}.docx").read_bytes()[:3000],
        "nodoc.docx": _zip({"[Content_Types].xml": CT, "word/other.xml": "<a/>"}),
        "badxml.docx": _zip({"[Content_Types].xml": CT, "_rels/.rels": PKG_RELS, "word/document.xml": "<w:document"}),
        "encrypted.docx": ooxml.OLE_MAGIC + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64,
        "sheet.docx": _zip({"[Content_Types].xml": CT, "xl/workbook.xml": "<workbook/>"}),
    }
    msgs = {}
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        msgs[name] = one_line_error(read_document, p)
    assert "corrupt" in msgs["corrupt.docx"] and "corrupt" in msgs["truncated.docx"]
    assert "document.xml" in msgs["nodoc.docx"]
    assert "encrypted" in msgs["encrypted.docx"] and "password" in msgs["encrypted.docx"]
    assert "Excel" in msgs["sheet.docx"]


def _zip(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_zip_bombs_are_refused_before_reading(tmp_path, monkeypatch):
    from khplan.readers import ooxml

    # one member that expands ~1000x (20 MB of zeros in ~20 KB)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", PKG_RELS)
        with z.open("word/document.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(20):
                f.write(chunk)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buf.getvalue())
    assert bomb.stat().st_size < 200_000
    assert "zip bomb" in one_line_error(read_document, bomb)
    # many members whose total passes the cap
    monkeypatch.setattr(ooxml, "MAX_UNCOMPRESSED", 1_000_000)
    big = _zip({"[Content_Types].xml": CT, "_rels/.rels": PKG_RELS, "word/document.xml": "<a/>",
                **{f"word/media/f{i}.bin": "x" * 300_000 for i in range(4)}})
    p = tmp_path / "big.docx"
    p.write_bytes(big)
    assert "limit" in one_line_error(read_document, p)


def test_old_word_doc_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    from khplan.readers import doc as docmod
    from khplan.readers.ooxml import OLE_MAGIC

    p = tmp_path / "old.doc"
    p.write_bytes(OLE_MAGIC + b"\0" * 600)
    monkeypatch.setattr(docmod.shutil, "which", lambda name: None)
    msg = one_line_error(read_document, p)
    assert "libreoffice-writer" in msg


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_old_word_doc_is_converted_with_libreoffice(tmp_path):
    src = tmp_path / "plan.docx"
    shutil.copy(SAMPLES / "docx" / "bac-kan-2019-tre-em-khuyet-tat.docx", src)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(src)], check=True, timeout=180, capture_output=True)
    ex = read_document(tmp_path / "plan.doc")
    assert ex.format == "doc"
    assert labels(ex.text, bullets=False) == labels(read_document(src).text, bullets=False)


# ---------------------------------------------------------------------------------------
# PDF


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_rendering_has_the_item_numbers_of_the_text(stem):
    ex = read_document(SAMPLES / "pdf" / f"{stem}.pdf")
    assert ex.format == "pdf"
    assert labels(ex.text) == txt_labels(stem)


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_reads_the_same_paragraphs_as_the_docx(stem):
    """Same printed document: LibreOffice made the PDF from the .docx. Hard wraps joined,
    running page numbers dropped, footnotes placed after their paragraph, header and closing
    tables read column by column — paragraph for paragraph the same text."""
    a = [p for p in read_document(SAMPLES / "docx" / f"{stem}.docx").text.split("\n") if p.strip()]
    b = [p for p in read_document(SAMPLES / "pdf" / f"{stem}.pdf").text.split("\n") if p.strip()]
    assert b == a


def test_pdf_page_locators_and_no_page_numbers():
    import pypdfium2 as pdfium

    path = SAMPLES / "pdf" / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.pdf"
    ex = read_document(path)
    pages = [loc["page"] for _, loc in ex.locators]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == len(pdfium.PdfDocument(str(path)))
    assert not [l for l in ex.text.split("\n") if re.fullmatch(r"\s*\d{1,3}\s*", l)]
    # the last paragraph is on the last page, the title on the first
    assert ex.locate(ex.text.index("Nông Quang Nhất"))["page"] == pages[-1]
    assert ex.locate(ex.text.index("KẾ HOẠCH"))["page"] == 1


def test_pdf_footnotes_and_superscript_marks():
    text = read_document(SAMPLES / "pdf" / "tay-nguyen-2024-ct28-cham-soc-tre-em.pdf").text
    paras = text.split("\n\n")
    i = next(k for k, p in enumerate(paras) if "các chính sách, chương trình¹ về công tác" in p)
    assert paras[i + 1].startswith("¹ Chương trình hành động quốc gia vì trẻ em")
    # the paragraph the footnote interrupted on the page is whole again
    assert any("bảo vệ và chăm sóc trẻ em, bảo đảm trẻ em là trung tâm" in p for p in paras)


def test_pdf_task_table_rows():
    ex = read_document(SAMPLES / "tables" / f"{TABLE_STEM}.pdf")
    rows = [l for l in ex.text.split("\n") if l.startswith("|")]
    assert rows == [l for l in read_document(SAMPLES / "tables" / f"{TABLE_STEM}.docx").text.split("\n") if l.startswith("|")]


def test_split_diacritic_words_are_rejoined():
    from khplan.readers.pdf import _fix_split_words

    assert _fix_split_words("ĐIỀ U 5. NHIỆ M VỤ") == "ĐIỀU 5. NHIỆM VỤ"
    assert _fix_split_words("Sở Lao độ ng - Thương binh, thự c hiện") == "Sở Lao động - Thương binh, thực hiện"
    # real words stay apart
    for s in ("Sở Y tế", "Đ/c Hà", "KH và TW", "trẻ em có hoàn cảnh", "UBND các xã"):
        assert _fix_split_words(s) == s


def _mini_pdf(objs: list[str], trailer: str = "") -> bytes:
    out = b"%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode()
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R {trailer}>>\nstartxref\n{x}\n%%EOF\n".encode()
    return out


def test_bad_pdfs_fail_with_one_line(tmp_path):
    good = (SAMPLES / "pdf" / f"{STEMS[0]}.pdf").read_bytes()
    cases = {
        "encrypted.pdf": _mini_pdf(
            ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
             "<< /Filter /Standard /V 1 /R 2 /O <" + "11" * 32 + "> /U <" + "22" * 32 + "> /P -4 >>"],
            "/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] "),
        "zero.pdf": _mini_pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"]),
        "truncated.pdf": good[: len(good) // 2],
        "garbage.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
        "notpdf.pdf": b"hello, this is not a PDF at all",
    }
    msgs = {}
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        msgs[name] = one_line_error(read_document, p)
    assert "encrypted" in msgs["encrypted.pdf"] and "password" in msgs["encrypted.pdf"]
    assert "no pages" in msgs["zero.pdf"]
    assert "corrupt" in msgs["truncated.pdf"] or "not a valid PDF" in msgs["truncated.pdf"]
    assert "not a valid PDF" in msgs["notpdf.pdf"]


def test_scanned_pdf_without_ocr_says_it_is_a_scan_and_how_to_ocr():
    msg = one_line_error(read_document, SAMPLES / "scanned" / f"{LEGACY_STEM}.scan.pdf")
    assert "scanned" in msg and "--ocr" in msg and "tesseract-ocr-vie" in msg


def test_ocr_without_tesseract_says_what_to_install(monkeypatch):
    from khplan.readers import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    msg = one_line_error(read_document, SAMPLES / "scanned" / f"{LEGACY_STEM}.scan.pdf", ocr=True)
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in msg


def _has_tesseract_vie() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split()
    return "vie" in out


@pytest.mark.skipif(not _has_tesseract_vie(), reason="tesseract with Vietnamese data not installed")
def test_scanned_pdf_with_ocr():
    ex = read_document(SAMPLES / "scanned" / f"{LEGACY_STEM}.scan.pdf", ocr=True)
    assert any(w["code"] == "ocr_text" for w in ex.warnings)
    text = ex.text
    for s in ("KẾ HOẠCH", "Số: 87/KH-UBND", "Điện Biên, ngày 10 tháng 3 năm 2026", "2. Hỗ trợ trẻ em khuyết tật khi đến trường:",
              "b) Trang bị phương tiện, đồ dùng học tập phù hợp với từng dạng khuyết tật."):
        assert s in text
    # wrapped lines joined into their paragraph; header columns kept apart
    assert "1. Rà soát, lập danh sách trẻ em khuyết tật trong độ tuổi đi học chưa đến trường, hoàn thành trước ngày 30/6/2026." in text
    assert "\nỦY BAN NHÂN DÂN CỘNG HÒA" not in "\n" + text


# ---------------------------------------------------------------------------------------
# Legacy encodings


PHRASE = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. Ủy ban nhân dân tỉnh Thái Nguyên; khuyết tật, thuỷ, giữa, quốc, ỵ, ĩa"


def _cp1258(text: str) -> bytes:
    """Windows-1258: base letters (with their vowel marks) + a combining tone byte."""
    tones = {"\u0300": b"\xcc", "\u0301": b"\xec", "\u0303": b"\xde", "\u0309": b"\xd2", "\u0323": b"\xf2"}
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        nfd = unicodedata.normalize("NFD", ch)
        tone = [c for c in nfd if c in tones]
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
        out += base.encode("cp1258") + (tones[tone[0]] if tone else b"")
    return out


def test_legacy_tables_round_trip():
    from khplan.readers.legacy import tcvn3_to_unicode, unicode_to_tcvn3, unicode_to_vni, vni_to_unicode

    assert vni_to_unicode(unicode_to_vni(PHRASE).decode("latin-1")) == PHRASE
    low = PHRASE.lower()
    assert tcvn3_to_unicode(unicode_to_tcvn3(low).decode("latin-1")) == low
    assert tcvn3_to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"


def test_decode_legacy_detects_each_encoding():
    from khplan.readers.legacy import decode_legacy, unicode_to_tcvn3, unicode_to_vni

    assert decode_legacy(unicode_to_tcvn3(PHRASE.lower())) == (PHRASE.lower(), "tcvn3")
    assert decode_legacy(unicode_to_vni(PHRASE)) == (PHRASE, "vni")
    assert decode_legacy(_cp1258(PHRASE)) == (PHRASE, "cp1258")


def test_mojibake_in_utf8_text_is_converted_and_unicode_is_left_alone():
    from khplan.readers.legacy import convert_legacy_text

    assert convert_legacy_text("Uû ban nh©n d©n tØnh Cao B»ng") == ("Uỷ ban nhân dân tỉnh Cao Bằng", "tcvn3")
    assert convert_legacy_text("UÛy ban nhaân daân tænh Cao Baèng") == ("Ủy ban nhân dân tỉnh Cao Bằng", "vni")
    assert convert_legacy_text(PHRASE) is None
    assert convert_legacy_text("Le café où l'on a mangé une crème brûlée à Noël.") is None
    assert convert_legacy_text("Plain ASCII text only.") is None


def test_tcvn3_text_sample_reads_as_the_original(tmp_path):
    ex = read_document(SAMPLES / "legacy" / f"{LEGACY_STEM}.tcvn3.txt")
    assert ex.encoding == "tcvn3"
    original = (SAMPLES / "legacy" / f"{LEGACY_STEM}.txt").read_text(encoding="utf-8")
    # TCVN3 has no codes for capital toned letters (the ".VnTimeH" fonts draw them): compare case-folded
    assert ex.text.lower() == unicodedata.normalize("NFC", original).lower()
    p = tmp_path / "cp.txt"
    p.write_bytes(_cp1258(original))
    ex = read_document(p)
    assert ex.encoding == "cp1258" and ex.text == original


def test_mojibake_utf8_file_is_converted(tmp_path):
    from khplan.readers.legacy import unicode_to_tcvn3

    p = tmp_path / "moji.txt"
    p.write_text(unicode_to_tcvn3("kế hoạch thực hiện công tác trẻ em năm 2022").decode("latin-1"), encoding="utf-8")
    ex = read_document(p)
    assert ex.encoding == "tcvn3" and ex.text == "kế hoạch thực hiện công tác trẻ em năm 2022"


# ---------------------------------------------------------------------------------------
# HTML


def test_html_paragraphs_lists_tables_and_no_scripts(tmp_path):
    html = """<html><head><meta charset="utf-8"><title>Cổng</title><style>p{color:red}</style>
    <script>var x = "KHÔNG ĐỌC";</script></head><body><nav>Trang chủ | Tin tức</nav>
    <h2>KẾ HOẠCH</h2><p>Thực hiện&nbsp;Chỉ thị số 28-CT/TW,</p><p>I. MỤC ĐÍCH</p>
    <ul><li>Ý thứ nhất</li><li>- Ý đã có dấu</li></ul><ol><li>Việc một</li><li>Việc hai</li></ol>
    <table><tr><th>STT</th><th>Nội dung</th></tr><tr><td>1</td><td>Tuyên truyền<br>trên báo</td></tr></table>
    </body></html>"""
    p = tmp_path / "plan.html"
    p.write_text(html, encoding="utf-8")
    ex = read_document(p)
    assert ex.format == "html"
    assert ex.text.split("\n\n") == [
        "KẾ HOẠCH", "Thực hiện Chỉ thị số 28-CT/TW,", "I. MỤC ĐÍCH", "- Ý thứ nhất", "- Ý đã có dấu",
        "1. Việc một", "2. Việc hai", "| STT | Nội dung |\n| 1 | Tuyên truyền / trên báo |",
    ]


# ---------------------------------------------------------------------------------------
# CLI: exit code 2 and one line


def test_cli_bad_input_exit_2_one_line(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(b"PK\x03\x04garbage")
    res = subprocess.run([sys.executable, "-m", "khplan", "parse", str(p)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "corrupt" in lines[0] and "Traceback" not in res.stderr


def test_fold_equal_titles_across_formats():
    for fmt in ("docx", "pdf"):
        text = read_document(SAMPLES / fmt / f"bac-kan-2019-tre-em-khuyet-tat.{fmt}").text
        assert fold("Thực hiện Đề án hỗ trợ trẻ em khuyết tật tiếp cận các dịch vụ bảo vệ") in fold(text)


def test_header_typed_with_tabs_becomes_header_lines(tmp_path):
    body = (para("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".replace("\t", '</w:t></w:r><w:r><w:tab/><w:t>'))
            + para("Số: 12/KH-UBND\t\tHà Giang, ngày 5 tháng 1 năm 2025".replace("\t", '</w:t></w:r><w:r><w:tab/><w:t>'))
            + para("KẾ HOẠCH") + para("1.\tViệc một".replace("\t", '</w:t></w:r><w:r><w:tab/><w:t>')))
    lines = [l for l in read_docx_bytes(make_docx(body), tmp_path).text.split("\n") if l]
    assert lines == ["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/KH-UBND",
                     "Hà Giang, ngày 5 tháng 1 năm 2025", "KẾ HOẠCH", "1. Việc một"]


def test_pdf_line_joins_and_running_headers():
    from khplan.readers.pdf import Line, Piece, _join, _strip_running

    assert _join("Sở Lao động-", "Thương binh") == "Sở Lao động-Thương binh"
    assert _join("chính trị -", "xã hội") == "chính trị - xã hội"
    assert _join("Thông tư 13/2021/TT\ufffe", "BLĐTBXH") == "Thông tư 13/2021/TT-BLĐTBXH"
    assert _join("phát\u00ad", "triển") == "pháttriển"

    def page(no, body):
        lines = [Line([Piece("CÔNG BÁO TỈNH/Số 12", 200, 400, 810, 10, no)])]
        lines += [Line([Piece(t, 85, 550, 700 - 20 * k, 13, no)]) for k, t in enumerate(body)]
        lines.append(Line([Piece(f"Trang {no}", 280, 320, 30, 10, no)]))
        return lines

    pages = [page(n, [f"Nội dung trang {n}", "Dòng hai"]) for n in range(1, 5)]
    _strip_running(pages, [842.0] * 4)
    assert [[ln.text() for ln in p] for p in pages] == [[f"Nội dung trang {n}", "Dòng hai"] for n in range(1, 5)]
