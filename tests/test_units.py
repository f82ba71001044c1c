"""Table-driven tests of the hard cases of the genre, one small function at a time."""

import pytest

from khplan.bodies import leading_body_phrase, split_bodies
from khplan.dates import find_date
from khplan.outline import classify_heading
from khplan.refs import find_citations
from khplan.textmodel import Clean, Document, clean_line, parse_marker
from khplan.vn import fold, key, letter_index, tone_normalise


def C(text):
    return Clean(text, list(range(len(text))), len(text))


@pytest.mark.parametrize(
    "line,kind,value",
    [
        ("I. MỤC ĐÍCH, YÊU CẦU", "roman", "I"),
        ("IV. KINH PHÍ", "roman", "IV"),
        ("1. Mục đích", "num", "1"),
        ("1.2. Cơ quan chủ trì: Sở Y tế", "num", "1.2"),
        ("2.3 Cơ quan phối hợp", "num", "2.3"),
        ("a) Quán triệt", "letter", "a"),
        ("đ) Chỉ đạo", "letter", "đ"),
        ("- a) Tổ chức triển khai", "letter", "a"),
        ("- Tổ chức", "bullet", "-"),
        ("+ Tăng cường", "bullet", "+"),
        ("• Tăng cường", "bullet", "•"),
        ("PHẦN II. NHIỆM VỤ", "part", "II"),
        ("Chương trình hành động", None, None),
        ("2026 - 2030 là giai đoạn", None, None),
        ("70% trẻ em", None, None),
        ("Vì trẻ em", None, None),
    ],
)
def test_markers(line, kind, value):
    mk, _ = parse_marker(line)
    assert (mk.kind if mk else None, mk.value if mk else None) == (kind, value)


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("## KẾ HOẠCH", "KẾ HOẠCH"),
        ("## **II. ĐỐI TƯỢNG**", "II. ĐỐI TƯỢNG"),
        ("2.2. *Cơ quan chủ trì:* Sở Y tế.", "2.2. Cơ quan chủ trì: Sở Y tế."),
        ("* *Thực hiện:* Các Sở", "* Thực hiện: Các Sở"),
        ("** Thực hiện: Sở Y tế chủ trì.*", "Thực hiện: Sở Y tế chủ trì."),
        ("người khuyết tật¹, trong đó", "người khuyết tật, trong đó"),
        ("chương trình¹ về công tác", "chương trình về công tác"),
        ("Lưu: VT, KGVX^{KH}.", "Lưu: VT, KGVX."),
        ("TM. ỦY BAN NHÂN DÂN  ", "TM. ỦY BAN NHÂN DÂN"),
    ],
)
def test_clean_line(raw, clean):
    assert clean_line(raw, 0)[0].text == clean


def test_clean_keeps_offsets():
    c, refs = clean_line("2.2. *Cơ quan chủ trì:* Sở Y tế¹.", 100)
    i = c.text.index("Sở Y tế")
    assert c.span(i, i + 7) == (100 + 24, 100 + 31)
    assert refs == [("1", 131)]


@pytest.mark.parametrize(
    "text,paragraphs",
    [
        # a page break inside a sentence: resumes in lower case after a blank line
        ("- Các nhiệm vụ phải ưu tiên chăm sóc,\n\nbảo vệ trẻ em.\n", ["Các nhiệm vụ phải ưu tiên chăm sóc, bảo vệ trẻ em."]),
        # a footnote dropped into the middle of a sentence
        ("- Xây dựng môi trường an toàn, bảo\n\n¹ Chú thích.\n\nđảm cho trẻ em.\n", ["Xây dựng môi trường an toàn, bảo đảm cho trẻ em.", "Chú thích."]),
        # separate paragraphs stay separate
        ("- Dòng một.\n- Dòng hai.\n", ["Dòng một.", "Dòng hai."]),
        # a capitalised heading does not swallow the text under it
        ("I. MỤC TIÊU\nTriển khai thực hiện.\n", ["MỤC TIÊU", "Triển khai thực hiện."]),
    ],
)
def test_paragraph_joining(text, paragraphs):
    doc = Document(text)
    assert [p.text for p in doc.paragraphs] == paragraphs


def test_hard_wrapped_text_and_hyphen_continuation():
    lines = ["Đoạn văn bản dài được ngắt dòng giữa câu như văn bản chép từ PDF cũ"] * 6
    text = "\n".join(
        ["V. TỔ CHỨC", "THỰC HIỆN", "1. Sở Lao động", "- Thương binh và Xã hội", "a) Chủ trì phối hợp với các Sở,", "Ban ngành tổ chức triển khai"]
        + lines
        + ["b) Tổ chức tập huấn."]
    )
    doc = Document(text)
    assert doc.hard_wrapped
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "TỔ CHỨC THỰC HIỆN"
    assert texts[1] == "Sở Lao động - Thương binh và Xã hội"
    assert texts[2].startswith("Chủ trì phối hợp với các Sở, Ban ngành tổ chức triển khai Đoạn")
    assert texts[3] == "Tổ chức tập huấn."


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Sở Y tế và UBND các xã, phường.", ["Sở Y tế", "UBND các xã, phường"]),
        ("Sở Văn hóa, Thể thao và Du lịch; Sở Giáo dục và Đào tạo", ["Sở Văn hóa, Thể thao và Du lịch", "Sở Giáo dục và Đào tạo"]),
        ("Báo và Phát thanh, truyền hình Thái Nguyên; Trung tâm thông tin tỉnh", ["Báo và Phát thanh, truyền hình Thái Nguyên", "Trung tâm thông tin tỉnh"]),
        ("Các sở, ngành tỉnh và các đơn vị liên quan", ["Các sở, ngành tỉnh", "các đơn vị liên quan"]),
        ("Các Sở, Ban ngành cấp tỉnh", ["Các Sở, Ban ngành cấp tỉnh"]),
        ("Hội Bảo vệ quyền trẻ em và Bảo trợ người khuyết tật tỉnh", ["Hội Bảo vệ quyền trẻ em và Bảo trợ người khuyết tật tỉnh"]),
        ("Sở Lao động-Thương binh và Xã hội, Ủy ban nhân dân các huyện, thành phố triển khai thực hiện.",
         ["Sở Lao động-Thương binh và Xã hội", "Ủy ban nhân dân các huyện, thành phố"]),
        ("Công an tỉnh; Sở Y tế; Thanh tra tỉnh (theo chức năng nhiệm vụ và thẩm quyền quy định).",
         ["Công an tỉnh", "Sở Y tế", "Thanh tra tỉnh"]),
    ],
)
def test_split_bodies(text, expected):
    assert [p.text for p, _ in split_bodies(C(text))] == expected


def test_split_bodies_keeps_parenthesised_note():
    got = split_bodies(C("Sở Công Thương; UBND các xã, phường (thực hiện theo chức năng, nhiệm vụ)."))
    assert got[-1][0].text == "UBND các xã, phường"
    assert got[-1][1] == "thực hiện theo chức năng, nhiệm vụ"


@pytest.mark.parametrize(
    "text,phrase,rest",
    [
        ("Sở Y tế chủ trì, phối hợp với Sở Tư pháp", "Sở Y tế", "chủ trì, phối hợp với Sở Tư pháp"),
        ("Đề nghị Tỉnh Đoàn tiếp tục phát huy vai trò", "Tỉnh Đoàn", "tiếp tục phát huy vai trò"),
        ("Sở Xây dựng", "Sở Xây dựng", ""),
        ("Các Sở, ban, ngành thuộc Ủy ban nhân dân tỉnh: Căn cứ chức năng", "Các Sở, ban, ngành thuộc Ủy ban nhân dân tỉnh", "Căn cứ chức năng"),
        ("Đề nghị Ủy ban MTTQ Việt Nam tỉnh và các tổ chức thành viên", "Ủy ban MTTQ Việt Nam tỉnh và các tổ chức thành viên", ""),
    ],
)
def test_leading_body_phrase(text, phrase, rest):
    a, b = leading_body_phrase(C(text))
    assert (a.text, b.text) == (phrase, rest)


@pytest.mark.parametrize(
    "text,kind,number,issuer,date",
    [
        ("Thông báo số 432-TB/VPTW ngày 26/11/2025 của Văn phòng Trung ương Đảng", "Thông báo", "432-TB/VPTW", "Văn phòng Trung ương Đảng", "2025-11-26"),
        ("Quyết định số 1438/QĐ-TTg ngày 29/10/2018 của Thủ tướng Chính phủ phê duyệt", "Quyết định", "1438/QĐ-TTg", "Thủ tướng Chính phủ", "2018-10-29"),
        ("Luật số 102/2016/QH13", "Luật", "102/2016/QH13", "Quốc hội", None),
        ("Nghị định số 56/2017/NĐ-CP ngày 09/5/2017 của Chính phủ Quy định chi tiết", "Nghị định", "56/2017/NĐ-CP", "Chính phủ", "2017-05-09"),
        ("Thông tư số 13/2021/TT-BLĐTBXH", "Thông tư", "13/2021/TT-BLĐTBXH", "Bộ Lao động - Thương binh và Xã hội", None),
        ("Văn bản số 1315/UBND-KGVX ngày 06 tháng 5 năm 2022 của Ủy ban nhân dân tỉnh thực hiện", "Văn bản", "1315/UBND-KGVX", "Ủy ban nhân dân tỉnh", "2022-05-06"),
        ("Kế hoạch số 135-KH/TU ngày 25 tháng 3 năm 2024 của Ban Thường vụ Tỉnh ủy", "Kế hoạch", "135-KH/TU", "Ban Thường vụ Tỉnh ủy", "2024-03-25"),
        ("các Thông báo kết luận: Số 432-TB/VPTW ngày 26/11/2025", "Thông báo", "432-TB/VPTW", "Văn phòng Trung ương Đảng", "2025-11-26"),
        ("Chỉ thị 20-CT/TW ngày 05/12/2012 của Bộ chính trị về", "Chỉ thị", "20-CT/TW", "Bộ chính trị", "2012-12-05"),
        ("Số: 66 /KH- UBND", "Kế hoạch", "66/KH-UBND", "Ủy ban nhân dân", None),
    ],
)
def test_citations(text, kind, number, issuer, date):
    c = find_citations(text)[0]
    assert (c.kind, c.number, c.issuer, c.date) == (kind, number, issuer, date)


def test_citation_with_impossible_date():
    c = find_citations("Thông tư số 13/2021/TT-BLĐTBXH ngày 30/9/021 của Bộ trưởng")[0]
    assert c.date is None and c.date_valid is False


@pytest.mark.parametrize(
    "heading,kind",
    [
        ("MỤC ĐÍCH, YÊU CẦU", "purpose"),
        ("NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", "tasks"),
        ("NỘI DUNG, NHIỆM VỤ VÀ GIẢI PHÁP", "tasks"),
        ("NHIỆM VỤ, GIẢI PHÁP; PHÂN CÔNG THỰC HIỆN", "tasks"),
        ("PHÂN CÔNG NHIỆM VỤ", "organisation"),
        ("GIẢI PHÁP THỰC HIỆN", "tasks"),
        ("KINH PHÍ THỰC HIỆN", "funding"),
        ("TỔ CHỨC THỰC HIỆN", "organisation"),
        ("CHẾ ĐỘ BÁO CÁO", "reporting"),
        ("ĐỐI TƯ QỌNG, PHẠM VI THỰC HIỆN", "scope"),
        ("MỤC TIÊU KẾ HOẠCH", "objectives"),
        ("NHIEM VU VA GIAI PHAP", "tasks"),
        ("LỜI CẢM ƠN", None),
        ("LỜI NÓI ĐẦU", None),
        ("KINH PHI THUC HIEN", "funding"),
        ("NHIÊM VỤ", "tasks"),
    ],
)
def test_section_classification(heading, kind):
    assert classify_heading(heading) == kind


def test_section_data_examples_classify_as_their_kind():
    """Data tested both ways: every example in sections.yaml is classified as its own kind."""
    from khplan.outline import sections_data

    for entry in sections_data()["kinds"]:
        for ex in entry["examples"]:
            assert classify_heading(ex) == entry["kind"], ex


@pytest.mark.parametrize("a,b", [("hoà", "hòa"), ("Thuỷ", "Thủy"), ("khoẻ", "khỏe"), ("Văn hoá", "Văn hóa")])
def test_tone_placement_folds(a, b):
    assert key(a) == key(b)
    assert tone_normalise(a) == tone_normalise(b)


def test_fold_and_letters():
    assert fold("Hung Yên") == fold("Hưng Yên") == "hung yen"
    assert [letter_index(x) for x in "abcdđeg"] == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "text,iso,year",
    [("Cao Bằng, ngày 29 tháng 3 năm 2022", "2022-03-29", 2022), ("ngày   tháng   năm 2026", None, 2026), ("ngày 29/3/2022", "2022-03-29", 2022)],
)
def test_dates(text, iso, year):
    d = find_date(text)
    assert (d.iso, d.year) == (iso, year)


def test_funding_sources():
    from khplan.parse import classify_funding

    assert classify_funding("bố trí trong dự toán chi thường xuyên ngân sách nhà nước; huy động các nguồn hợp pháp khác") == ["state_budget", "other_lawful"]
    assert classify_funding("Nguồn viện trợ của các tổ chức quốc tế; xã hội hóa") == ["socialization", "aid"]


def test_funding_data_examples():
    import importlib.resources as ir

    import yaml

    from khplan.parse import classify_funding

    data = yaml.safe_load(ir.files("khplan").joinpath("data/funding.yaml").read_text(encoding="utf-8"))
    for src in data["sources"]:
        for ex in src["examples"]:
            assert src["id"] in classify_funding(ex), ex


def test_unrecognised_section_is_kept_with_a_warning():
    from khplan import parse_text

    d = parse_text("KẾ HOẠCH\nVề việc thử\n\nI. LỜI NÓI ĐẦU\nNội dung tự do.\n\nII. NHIỆM VỤ\n1. Làm việc A.\n")
    assert d["unclassified"] == [{"section": "I", "heading": "LỜI NÓI ĐẦU", "text": "Nội dung tự do.", "span": d["unclassified"][0]["span"]}]
    assert [w["code"] for w in d["warnings"]] == ["unclassified_section"]
    assert [t["id"] for t in d["tasks"]] == ["II.1"]


def test_unknown_structure_never_fails():
    from khplan import parse_text

    for text in ["", "x", "Không có cấu trúc gì cả.\n\n\n", "I.\nII.\n1.\na)\n-\n", "| a | b |\n|---|---|\n| 1 | 2 |"]:
        data = parse_text(text)
        assert data["schema"] == "khplan.plan/v1"
