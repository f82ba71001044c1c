#!/usr/bin/env python3
"""Make the Word, PDF, scanned and legacy renderings of the sample plans.

For each text plan (``samples/*.txt``, ``samples/tables/*.md``, ``samples/legacy/*.txt``) this
script rebuilds the document the way an office would have typed it in Word:

* the header as a borderless two-column table (issuer | motto; number | place-date);
* section headings (I., II., …) numbered through a paragraph style linked to a multi-level list,
  items (1., 1.1., a)) numbered with real Word auto-numbering (numbering.xml, not typed
  numbers); a list restarts through a new ``w:num`` with ``w:startOverride``; lettered lists that
  reach "đ" keep typed letters, since Word cannot letter a b c d đ e; "-" bullets from a bullet list;
* footnotes as real footnotes, page numbers in the page header, the closing (recipients |
  signature) as a borderless table; task tables as Word tables (a vertically merged lead cell);
* hard-wrapped or page-split paragraphs of the text form joined back into one paragraph.

Then LibreOffice (``soffice --headless --convert-to pdf``) prints each .docx to PDF. It also makes
a scanned PDF (a page image without text layer), a TCVN3 text and a VNI .docx.

Usage: ``python scripts/make_renderings.py [--no-pdf]``. Outputs go to samples/docx, samples/pdf,
samples/tables, samples/legacy and samples/scanned; they are committed so tests need no LibreOffice.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------------------
# A light model of a plan's text form

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUP_TO_DIGIT = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}
VN_LETTERS = "abcdđeghiklmnopqrstuvxy"

RE_ROMAN = re.compile(r"^([IVX]+)\.\s+(.*)$")
RE_NUM2 = re.compile(r"^(\d+)\.(\d+)\.\s+(.*)$")
RE_NUM = re.compile(r"^(\d+)\.\s+(.*)$")
RE_LETTER = re.compile(r"^([a-zđ])\)\s+(.*)$")
RE_BULLET = re.compile(r"^([-+])\s+(.*)$")
RE_FOOTNOTE = re.compile(r"^([¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s+(.*)$")
RE_DOCTYPE = re.compile(r"^(?:#+\s*)?(?:\*\*)?(KẾ HOẠCH)(?:\*\*)?\s*$")
RE_SIGN = re.compile(r"^(?:\*\*)?(TM\.|KT\.|Q\.|CHỦ TỊCH|PHÓ CHỦ TỊCH)")


@dataclass
class Para:
    text: str  # may contain **bold**, *italic*, ^{sup} and superscript footnote marks
    marker: str | None = None  # roman | num | num2 | letter | bullet- | bullet+
    label: str | None = None  # "II", "3", "1.2", "đ"
    style: str = "body"  # body | doctype | subject | heading (markdown #) | sign | recipients
    footnotes: list[str] = field(default_factory=list)


@dataclass
class Table:
    rows: list[list[str]]
    merge_lead: bool = True


@dataclass
class Plan:
    header: list[list[list[str]]]  # rows of cells; a cell is a list of lines
    body: list  # Para | Table
    footnotes: dict[str, str]
    recipients: list[str]
    signature: list[str]


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _strip_md(s: str) -> str:
    s = re.sub(r"^#+\s*", "", s)
    return s


def classify(text: str) -> Para:
    t = text.strip()
    md_heading = t.startswith("#")
    t = _strip_md(t)
    plain = t.replace("**", "")
    p = Para(text=t)
    if md_heading:
        p.style = "heading"
    m = RE_ROMAN.match(plain)
    if m:
        p.marker, p.label = "roman", m.group(1)
        p.text = _drop_label(t, m.group(1) + ".")
        return p
    m = RE_NUM2.match(plain)
    if m:
        p.marker, p.label = "num2", f"{m.group(1)}.{m.group(2)}"
        p.text = _drop_label(t, f"{m.group(1)}.{m.group(2)}.")
        return p
    m = RE_NUM.match(plain)
    if m:
        p.marker, p.label = "num", m.group(1)
        p.text = _drop_label(t, m.group(1) + ".")
        return p
    m = RE_LETTER.match(plain)
    if m:
        p.marker, p.label = "letter", m.group(1)
        p.text = _drop_label(t, m.group(1) + ")")
        return p
    m = RE_BULLET.match(plain)
    if m and not plain.startswith("--"):
        p.marker, p.label = "bullet" + m.group(1), m.group(1)
        p.text = _drop_label(t, m.group(1))
        return p
    return p


def _drop_label(t: str, label: str) -> str:
    """Remove the typed label from text that may start with markdown emphasis."""
    lead = ""
    while t.startswith(("**", "*")) and not t.startswith(label):
        k = 2 if t.startswith("**") else 1
        lead += t[:k]
        t = t[k:]
    assert t.startswith(label), (t, label)
    return lead + t[len(label):].lstrip()


def _header_from_lines(lines: list[str]) -> list[list[list[str]]]:
    """Header lines -> rows of [left cell, right cell]."""
    if any(l.strip() == "|" for l in lines):
        cells, cur = [], []
        for l in lines:
            if l.strip() == "|":
                cells.append(cur)
                cur = []
            elif l.strip():
                cur.append(l.strip())
        if cur:
            cells.append(cur)
        rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
        return [r + [[]] * (2 - len(r)) for r in rows]
    issuer, motto, number, date = [], [], [], []
    for l in (x.strip() for x in lines):
        if not l:
            continue
        if l.startswith("Số"):
            number.append(l)
        elif "ngày" in l and "năm" in l:
            date.append(l)
        elif motto or l.startswith("CỘNG HÒA"):
            motto.append(l)
        else:
            issuer.append(l)
    rows = []
    if issuer or motto:
        rows.append([issuer, motto])
    if number or date:
        rows.append([number, date])
    return rows


def load_plan(path: Path) -> Plan:
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = [l.rstrip() for l in raw.split("\n")]
    # header: before the document-type line
    i_doc = next(i for i, l in enumerate(lines) if RE_DOCTYPE.match(l.strip()))
    header = _header_from_lines(lines[:i_doc])
    # closing: from "Nơi nhận" or the first signature line after the body
    i_close = len(lines)
    for i in range(i_doc + 1, len(lines)):
        s = lines[i].strip().lstrip("*")
        if s.startswith("Nơi nhận") or (RE_SIGN.match(s) and i > i_doc + 5):
            i_close = i
            break
    closing = lines[i_close:]
    recipients, signature = [], []
    in_sig = False
    for l in closing:
        s = l.strip()
        if not s or s == "|":
            continue
        s2 = s.replace("**", "")
        if RE_SIGN.match(s2):
            in_sig = True
            signature.append(s2.strip())
            continue
        if in_sig and not (s2.startswith("-") or s2.endswith(":")):
            signature.append(s2.strip())
            continue
        in_sig = False
        recipients.append(s2)
    body_lines = lines[i_doc:i_close]
    # "** Thực hiện: …*" is a typed "*" bullet followed by an italic line
    body_lines = [re.sub(r"^\*\* (.*)\*$", r"* *\1*", l.strip()) for l in body_lines]
    blank_ratio = sum(1 for l in body_lines if not l.strip()) / max(1, len(body_lines))
    if blank_ratio < 0.1:
        paras = _paragraphs_hard_wrapped(body_lines)
    else:
        paras = _paragraphs_blank_separated(body_lines)
    # footnotes
    footnotes: dict[str, str] = {}
    body: list = []
    for text in paras:
        if isinstance(text, Table):
            body.append(text)
            continue
        m = RE_FOOTNOTE.match(text)
        if m:
            footnotes["".join(SUP_TO_DIGIT[c] for c in m.group(1))] = m.group(2).strip()
            continue
        body.append(classify(text))
    # the document type and subject lines
    assert body[0].text.replace("**", "").strip() == "KẾ HOẠCH", body[0].text
    body[0].style = "doctype"
    body[1].style = "subject"
    return Plan(header=header, body=body, footnotes=footnotes, recipients=recipients, signature=signature)


def _starts_item(s: str) -> bool:
    s = _strip_md(s).replace("**", "").lstrip("*")
    return bool(RE_ROMAN.match(s) or RE_NUM2.match(s) or RE_NUM.match(s) or RE_LETTER.match(s) or RE_BULLET.match(s))


def _paragraphs_hard_wrapped(lines: list[str]) -> list:
    """Join lines of a hard-wrapped text (every line ~80 characters) back into paragraphs."""
    paras: list[list[str]] = []
    for raw in lines:
        s = raw.strip()
        if not s:
            continue
        if not paras:
            paras.append([s])
            continue
        cur = paras[-1]
        prev = cur[-1]
        first = cur[0]
        if RE_DOCTYPE.match(first):
            paras.append([s])
            continue
        if s.startswith("- ") and prev.endswith("Lao động"):
            cur.append(s)  # a body name broken at its hyphen
            continue
        if _starts_item(s):
            paras.append([s])
            continue
        if RE_ROMAN.match(first) and _is_caps(s) and _is_caps(prev):
            cur.append(s)
            continue
        if _is_caps(prev) and not _is_caps(s):
            paras.append([s])
            continue
        if len(s) >= 60 or s[0].islower():
            cur.append(s)
            continue
        if prev.endswith((".", ":", ";")) or len(prev) < 60:
            paras.append([s])
            continue
        cur.append(s)
    return [" ".join(p) for p in paras]


def _paragraphs_blank_separated(lines: list[str]) -> list:
    """Blank-line separated blocks; each line is a paragraph; page-split fragments re-joined."""
    out: list = []
    i = 0
    n = len(lines)
    last_text_index = None  # index in out of the last non-footnote paragraph
    while i < n:
        s = lines[i].strip()
        if not s:
            i += 1
            continue
        if s.startswith("|") and i + 1 < n and re.match(r"^\|[-| :]+\|$", lines[i + 1].strip()):
            rows = []
            while i < n and lines[i].strip().startswith("|"):
                row = lines[i].strip()
                if not re.match(r"^\|[-| :]+\|$", row):
                    rows.append([c.strip() for c in row.strip("|").split("|")])
                i += 1
            out.append(Table(rows=rows))
            last_text_index = None
            continue
        if RE_FOOTNOTE.match(s):
            out.append(s)
            i += 1
            continue
        if s[0].islower() and not _starts_item(s) and last_text_index is not None and i > 0 and not lines[i - 1].strip():
            out[last_text_index] = out[last_text_index].rstrip() + " " + s
            i += 1
            continue
        out.append(s)
        last_text_index = len(out) - 1
        i += 1
    return out


# --------------------------------------------------------------------------------------
# Word document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement

    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(_w(k), str(v))
    return e


LEVEL_KINDS = ("roman", "num", "num2", "letter")


class Numbering:
    """Builds numbering.xml: one multi-level outline list and one bullet list per document."""

    def __init__(self, doc, kinds_used: set[str]):
        self.doc = doc
        self.levels = ["roman", "num"] + (["num2"] if "num2" in kinds_used else []) + ["letter"]
        self.num_el = doc.part.numbering_part.element
        for child in list(self.num_el):
            self.num_el.remove(child)
        self.next_num = 1
        self._abstract(0, self._outline_levels())
        self._abstract(1, self._bullet_levels())
        self.outline_nums = [self._num(0)]
        self.bullet_num = self._num(1)
        # state of the current outline instance, to know what Word would print
        self.counters: list[int | None] = [None] * len(self.levels)

    def _outline_levels(self):
        out = []
        for ilvl, kind in enumerate(self.levels):
            if kind == "roman":
                fmt, text = "upperRoman", "%1."
            elif kind == "num":
                fmt, text = "decimal", f"%{ilvl + 1}."
            elif kind == "num2":
                fmt, text = "decimal", f"%{ilvl}.%{ilvl + 1}."
            else:
                fmt, text = "lowerLetter", f"%{ilvl + 1})"
            out.append((fmt, text, "SectionHeading" if kind == "roman" else None))
        return out

    def _bullet_levels(self):
        return [("bullet", "-", None), ("bullet", "+", None)]

    def _abstract(self, abs_id: int, levels):
        a = _el("w:abstractNum", abstractNumId=abs_id)
        a.append(_el("w:multiLevelType", val="multilevel" if abs_id == 0 else "hybridMultilevel"))
        for ilvl, (fmt, text, pstyle) in enumerate(levels):
            lvl = _el("w:lvl", ilvl=ilvl)
            lvl.append(_el("w:start", val=1))
            lvl.append(_el("w:numFmt", val=fmt))
            if pstyle:
                lvl.append(_el("w:pStyle", val=pstyle))
            lvl.append(_el("w:suff", val="space"))
            lvl.append(_el("w:lvlText", val=text))
            lvl.append(_el("w:lvlJc", val="left"))
            ppr = _el("w:pPr")
            ppr.append(_el("w:ind", left=0, firstLine=567))
            lvl.append(ppr)
            a.append(lvl)
        # abstractNums must precede nums
        nums = self.num_el.findall(_w("num"))
        if nums:
            nums[0].addprevious(a)
        else:
            self.num_el.append(a)

    def _num(self, abs_id: int, overrides: dict[int, int] | None = None) -> int:
        num_id = self.next_num
        self.next_num += 1
        n = _el("w:num", numId=num_id)
        n.append(_el("w:abstractNumId", val=abs_id))
        for ilvl, start in (overrides or {}).items():
            o = _el("w:lvlOverride", ilvl=ilvl)
            o.append(_el("w:startOverride", val=start))
            n.append(o)
        self.num_el.append(n)
        return num_id

    def value(self, p: Para) -> int:
        if p.marker == "roman":
            from khplan.vn import roman_to_int

            return roman_to_int(p.label)
        if p.marker == "num":
            return int(p.label)
        if p.marker == "num2":
            return int(p.label.split(".")[1])
        return "abcdefghijklmnopqrstuvwxyz".index(p.label) + 1

    def place(self, p: Para) -> tuple[int, int]:
        """(numId, ilvl) for an outline item, restarting the list when Word would misnumber it."""
        ilvl = self.levels.index(p.marker)
        want = self.value(p)
        cur = self.counters[ilvl]
        would = 1 if cur is None else cur + 1
        num_id = self.outline_nums[-1]
        if would != want:
            # a new instance of the list that starts this level at the wanted value and keeps
            # the higher levels (Word keeps counters per instance, so repeat their values)
            overrides = {k: self.counters[k] for k in range(ilvl) if self.counters[k] is not None}
            overrides[ilvl] = want
            num_id = self._num(0, overrides)
            self.outline_nums.append(num_id)
        self.counters[ilvl] = want
        for k in range(ilvl + 1, len(self.levels)):
            self.counters[k] = None
        return num_id, ilvl


def _set_numpr(paragraph, num_id: int | None, ilvl: int | None):
    ppr = paragraph._p.get_or_add_pPr()
    numpr = _el("w:numPr")
    if ilvl is not None:
        numpr.append(_el("w:ilvl", val=ilvl))
    numpr.append(_el("w:numId", val=num_id))
    # numPr goes after pStyle/keepNext… but before spacing/ind; insert after pStyle if any
    pstyle = ppr.find(_w("pStyle"))
    if pstyle is not None:
        pstyle.addnext(numpr)
    else:
        ppr.insert(0, numpr)


RE_INLINE = re.compile(r"(\*\*.+?\*\*|\*[^*\s][^*]*?\*|\^\{[^}]*\}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)")


def add_runs(paragraph, text: str, plan: Plan | None, doc_ctx, bold=False, italic=False):
    """Add runs for ``text`` with **bold**, *italic*, ^{sup} and footnote marks."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: F401

    pos = 0
    for m in RE_INLINE.finditer(text):
        if m.start() > pos:
            _run(paragraph, text[pos:m.start()], bold, italic)
        tok = m.group(0)
        if tok.startswith("**"):
            add_runs(paragraph, tok[2:-2], plan, doc_ctx, bold=True, italic=italic)
        elif tok.startswith("*"):
            add_runs(paragraph, tok[1:-1], plan, doc_ctx, bold=bold, italic=True)
        elif tok.startswith("^{"):
            r = _run(paragraph, tok[2:-1], bold, italic)
            r.font.superscript = True
        else:
            key = "".join(SUP_TO_DIGIT[c] for c in tok)
            if plan is not None and key in plan.footnotes and doc_ctx is not None:
                doc_ctx.add_footnote_ref(paragraph, plan.footnotes[key])
            else:
                r = _run(paragraph, tok, bold, italic)
        pos = m.end()
    if pos < len(text):
        _run(paragraph, text[pos:], bold, italic)


def _run(paragraph, text, bold, italic):
    # unmatched markdown stars (e.g. "** Thực hiện: …*") are typed stars: drop the emphasis ones
    r = paragraph.add_run(text)
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    return r


class DocContext:
    def __init__(self, doc):
        self.doc = doc
        self.footnotes_el = None
        self.next_fn = 1

    def _footnotes_part(self):
        if self.footnotes_el is not None:
            return self.footnotes_el
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        xml = (
            f'<w:footnotes xmlns:w="{W_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
            "</w:footnotes>"
        )
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml), self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)
        self.footnotes_el = part.element
        return self.footnotes_el

    def add_footnote_ref(self, paragraph, text: str):
        el = self._footnotes_part()
        fid = self.next_fn
        self.next_fn += 1
        r = paragraph.add_run()
        rpr = r._r.get_or_add_rPr()
        rpr.append(_el("w:vertAlign", val="superscript"))
        r._r.append(_el("w:footnoteReference", id=fid))
        fn = _el("w:footnote", id=fid)
        p = _el("w:p")
        ppr = _el("w:pPr")
        ppr.append(_el("w:jc", val="both"))
        p.append(ppr)
        ref = _el("w:r")
        rp = _el("w:rPr")
        rp.append(_el("w:vertAlign", val="superscript"))
        ref.append(rp)
        ref.append(_el("w:footnoteRef"))
        p.append(ref)
        tr = _el("w:r")
        rp2 = _el("w:rPr")
        rp2.append(_el("w:sz", val=22))
        tr.append(rp2)
        t = _el("w:t")
        t.text = " " + text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        tr.append(t)
        p.append(tr)
        fn.append(p)
        el.append(fn)


def _setup(doc, font_name="Times New Roman", size=13):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = font_name
    normal.font.size = Pt(size)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for a in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(_w(a), font_name)
    pf = normal.paragraph_format
    pf.space_after = Pt(6)
    pf.space_before = Pt(0)
    pf.line_spacing = 1.0
    st = doc.styles.add_style("SectionHeading", WD_STYLE_TYPE.PARAGRAPH)
    st.element.set(_w("styleId"), "SectionHeading")
    st.base_style = normal
    st.font.bold = True
    st.paragraph_format.keep_with_next = True
    st.paragraph_format.space_before = Pt(6)
    # page number in the header from page 2 on
    sec.different_first_page_header_footer = True
    hp = sec.header.paragraphs[0]
    hp.alignment = 1
    fld = _el("w:fldSimple", instr="PAGE")
    r = _el("w:r")
    t = _el("w:t")
    t.text = "2"
    r.append(t)
    fld.append(r)
    hp._p.append(fld)
    return st


def _link_style_numbering(style, num_id: int):
    ppr = style.element.get_or_add_pPr()
    numpr = _el("w:numPr")
    numpr.append(_el("w:numId", val=num_id))
    ppr.insert(0, numpr)


def _cell_lines(cell, lines: list[str], bold_upper=True, align=1, italic_date=True):
    from docx.shared import Pt

    first = True
    for line in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        is_caps = _is_caps(line) and not line.startswith("Số")
        r = p.add_run(line)
        r.font.size = Pt(12)
        if is_caps or line.startswith("Độc lập"):
            r.bold = True
        if "ngày" in line and italic_date:
            r.italic = True


def _col_widths(table, widths_mm):
    from docx.shared import Mm

    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(_w("gridCol")), widths_mm):
        gc.set(_w("w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _no_borders(table):
    tblpr = table._tbl.tblPr
    b = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b.append(_el(f"w:{side}", val="nil"))
    tblpr.append(b)


def build_docx(plan: Plan, out: Path, legacy_font: str | None = None):
    """Write ``plan`` as a .docx with real auto-numbering. ``legacy_font`` ("VNI-Times") writes
    the text in that legacy encoding and font."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section_style = _setup(doc)
    ctx = DocContext(doc)
    kinds = {p.marker for p in plan.body if isinstance(p, Para) and p.marker}
    numbering = Numbering(doc, kinds)
    _link_style_numbering(section_style, numbering.outline_nums[0])

    # header table
    if plan.header:
        t = doc.add_table(rows=len(plan.header), cols=2)
        _no_borders(t)
        for r, row in enumerate(plan.header):
            for c, lines in enumerate(row):
                _cell_lines(t.cell(r, c), lines)
        _col_widths(t, [62, 103])
        doc.add_paragraph()

    # lettered lists that reach "đ" (index 4) keep typed letters
    typed_letters = set()
    run_start = None
    for i, b in enumerate(plan.body):
        if isinstance(b, Para) and b.marker == "letter":
            if b.label == "a":
                run_start = i
            if VN_LETTERS.index(b.label) >= 4 and run_start is not None:
                typed_letters.add(run_start)
        elif isinstance(b, Para) and b.marker in ("roman", "num", "num2"):
            run_start = None
    typed_run = False
    for i, b in enumerate(plan.body):
        if isinstance(b, Table):
            _add_task_table(doc, b)
            continue
        if b.marker == "letter" and b.label == "a":
            typed_run = i in typed_letters
        text = b.text
        p = doc.add_paragraph()
        pf = p.paragraph_format
        if b.style == "doctype":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_runs(p, text.replace("**", ""), plan, ctx, bold=True)
            pf.space_after = Pt(0)
            continue
        if b.style == "subject":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_runs(p, text.replace("**", ""), plan, ctx, bold=True)
            pf.space_after = Pt(12)
            continue
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if b.marker == "roman":
            p.style = section_style
            add_runs(p, text, plan, ctx)
            num_id, _ = numbering.place(b)  # the style carries the numbering
            if num_id != numbering.outline_nums[0]:
                _set_numpr(p, num_id, 0)
            # items after a heading continue the style's list instance, which the heading reset
            numbering.outline_nums[:] = [numbering.outline_nums[0]]
            continue
        if b.marker in ("num", "num2") or (b.marker == "letter" and not typed_run):
            num_id, ilvl = numbering.place(b)
            _set_numpr(p, num_id, ilvl)
            if b.style == "heading" or (b.marker == "num" and len(text) < 70 and not text.rstrip().endswith((".", ";"))):
                pass
            add_runs(p, text, plan, ctx)
            continue
        if b.marker == "letter":
            pf.first_line_indent = Mm(10)
            add_runs(p, f"{b.label}) " + text, plan, ctx)
            continue
        if b.marker in ("bullet-", "bullet+"):
            _set_numpr(p, numbering.bullet_num, 0 if b.marker == "bullet-" else 1)
            add_runs(p, text, plan, ctx)
            continue
        pf.first_line_indent = Mm(10)
        if b.style == "heading":
            add_runs(p, text, plan, ctx, bold=True)
        else:
            add_runs(p, text, plan, ctx)

    # closing: recipients | signature
    if plan.recipients or plan.signature:
        doc.add_paragraph()
        t = doc.add_table(rows=1, cols=2)
        _no_borders(t)
        _col_widths(t, [80, 85])
        left, right = t.cell(0, 0), t.cell(0, 1)
        first = True
        for line in plan.recipients:
            p = left.paragraphs[0] if first else left.add_paragraph()
            first = False
            p.paragraph_format.space_after = Pt(0)
            r = p.add_run(line)
            if line.startswith("Nơi nhận"):
                r.bold = True
                r.italic = True
            else:
                r.font.size = Pt(11)
        first = True
        for line in plan.signature:
            p = right.paragraphs[0] if first else right.add_paragraph()
            first = False
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(0)
            r = p.add_run(line)
            r.bold = True
    if legacy_font:
        _to_legacy(doc, ctx, legacy_font)
    doc.core_properties.author = "khplan"
    doc.core_properties.title = "Kế hoạch"
    doc.save(str(out))


def _add_task_table(doc, table: Table):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    rows = table.rows
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = doc.styles["Table Grid"]
    widths = [12, 50, 27, 32, 21, 23][: len(rows[0])]
    _col_widths(t, widths)
    for r, row in enumerate(rows):
        for c, val in enumerate(row):
            cell = t.cell(r, c)
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or c in (0, 4)) else WD_ALIGN_PARAGRAPH.LEFT
            run = p.add_run(val)
            run.font.size = Pt(11)
            if r == 0:
                run.bold = True
    # repeat the header row on each page
    trpr = t.rows[0]._tr.get_or_add_trPr()
    trpr.append(_el("w:tblHeader"))
    # merge equal lead cells of consecutive rows (column 2), as offices do
    if table.merge_lead and len(rows[0]) > 2:
        r = 1
        while r < len(rows):
            k = r
            while k + 1 < len(rows) and rows[k + 1][2] == rows[r][2]:
                k += 1
            if k > r:
                merged = t.cell(r, 2).merge(t.cell(k, 2))
                # merge() concatenates the texts: keep one
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
            r = k + 1
    doc.add_paragraph()


def _to_legacy(doc, ctx, font: str):
    """Rewrite every run's text in the legacy encoding of ``font`` and set the font."""
    from khplan.readers.legacy import unicode_to_tcvn3, unicode_to_vni

    enc = unicode_to_vni if font.upper().startswith("VNI") else unicode_to_tcvn3
    body = doc.element.body
    parts = [body]
    if ctx.footnotes_el is not None:
        parts.append(ctx.footnotes_el)
    for root in parts:
        for r in root.iter(_w("r")):
            ts = r.findall(_w("t"))
            if not ts:
                continue
            for t in ts:
                t.text = enc(t.text or "").decode("latin-1")
            rpr = r.find(_w("rPr"))
            if rpr is None:
                rpr = _el("w:rPr")
                r.insert(0, rpr)
            rf = rpr.find(_w("rFonts"))
            if rf is None:
                rf = _el("w:rFonts")
                rpr.insert(0, rf)
            for a in ("ascii", "hAnsi", "cs"):
                rf.set(_w(a), font)


# --------------------------------------------------------------------------------------
# PDF, scan, legacy text


def soffice_pdf(docx_paths: list[Path], outdir: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise SystemExit("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir)]
        subprocess.run(cmd + [str(p) for p in docx_paths], check=True, timeout=600, stdout=subprocess.DEVNULL)


def make_scan(pdf: Path, out: Path, dpi: int = 150) -> None:
    """Page 1 of ``pdf`` as a grey image inside a PDF without text layer (like a scanner makes)."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    doc = pdfium.PdfDocument(str(pdf))
    page = doc[0]
    img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    # a little blur and a slight rotation, as a scanner gives
    img = img.filter(ImageFilter.GaussianBlur(0.4)).rotate(0.3, expand=False, fillcolor=255)
    img.save(str(out), "PDF", resolution=dpi, quality=55)
    doc.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-pdf", action="store_true", help="only the .docx files (no LibreOffice)")
    args = ap.parse_args(argv)
    sources = sorted(SAMPLES.glob("*.txt"))
    made_docx: list[Path] = []
    for src in sources:
        out = SAMPLES / "docx" / (src.stem + ".docx")
        build_docx(load_plan(src), out)
        made_docx.append(out)
        print("wrote", out.relative_to(ROOT))
    # task-table plan: docx (+ pdf below) from the markdown form
    table_src = SAMPLES / "tables" / "lao-cai-2025-he-tre-em.md"
    table_docx = SAMPLES / "tables" / (table_src.stem + ".docx")
    build_docx(load_plan(table_src), table_docx)
    print("wrote", table_docx.relative_to(ROOT))
    # legacy: TCVN3 text and VNI docx of the short plan
    legacy_src = SAMPLES / "legacy" / "dien-bien-2026-tre-em-khuyet-tat-den-truong.txt"
    from khplan.readers.legacy import unicode_to_tcvn3

    tcvn3 = SAMPLES / "legacy" / (legacy_src.stem + ".tcvn3.txt")
    tcvn3.write_bytes(unicode_to_tcvn3(legacy_src.read_text(encoding="utf-8")))
    print("wrote", tcvn3.relative_to(ROOT))
    vni_docx = SAMPLES / "legacy" / (legacy_src.stem + ".vni.docx")
    build_docx(load_plan(legacy_src), vni_docx, legacy_font="VNI-Times")
    print("wrote", vni_docx.relative_to(ROOT))
    if args.no_pdf:
        return 0
    soffice_pdf(made_docx, SAMPLES / "pdf")
    soffice_pdf([table_docx], SAMPLES / "tables")
    # the scan: the short plan printed, then imaged
    with tempfile.TemporaryDirectory() as tmp:
        plain_docx = Path(tmp) / (legacy_src.stem + ".docx")
        build_docx(load_plan(legacy_src), plain_docx)
        soffice_pdf([plain_docx], Path(tmp))
        scan = SAMPLES / "scanned" / (legacy_src.stem + ".scan.pdf")
        make_scan(Path(tmp) / (legacy_src.stem + ".pdf"), scan)
        print("wrote", scan.relative_to(ROOT))
    for p in sorted((SAMPLES / "pdf").glob("*.pdf")) + sorted((SAMPLES / "tables").glob("*.pdf")):
        print("wrote", p.relative_to(ROOT), f"{p.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
