"""From extracted text to logical paragraphs, keeping a map back to character offsets.

The extracted text is never rewritten: every value the parser reports carries a span
``{line, start, end}`` into it. Cleaning (Markdown decorations, footnote markers, hard
wraps, page-break splits) happens on copies that keep, character by character, the offset
they came from.
"""

from __future__ import annotations

import bisect
import regex as re
from dataclasses import dataclass, field

# --- character-level cleaning -------------------------------------------------------------

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_INT = {ch: str(i) for i, ch in enumerate(SUPERSCRIPT_DIGITS)}

# Decorations removed from a line (the chars are dropped from the clean copy).
_DECOR = re.compile(
    r"^\s{0,3}#{1,6}\s+"  # Markdown heading marks
    r"|\*\*+|__"  # bold
    r"|(?<=[\s(\[\"“]|^)\*(?=[^\s*])"  # *italic opening
    r"|(?<=[^\s*])\*(?=[\s.,;:)\]\"”]|$)"  # italic closing*
    r"|\^\{[^}]*\}"  # ^{superscript} markup
    r"|\\(?=[.()\-*#_\[\]])"  # Markdown escapes
    r"|[\u200b\u200c\u200d\ufeff]"  # zero-width characters
)
# A footnote reference glued to a word or punctuation: "người khuyết tật¹", "chương trình¹ về".
_FOOTREF = re.compile(r"(?<=[^\s\d])([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(?<=[\w.,;)])\[(\d{1,3})\](?!\()")
# A footnote body: a paragraph that starts with its marker.
FOOTNOTE_START = re.compile(r"^\s*(?:([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\[(\d{1,3})\]|\((\d{1,3})\))\s*(?=\S)")


_NEEDS_CLEANING = __import__("re").compile(r"[*#_^\\\[\u200b\u200c\u200d\ufeff\t\u00a0\u2002\u2003\u2009\u202f⁰¹²³⁴⁵⁶⁷⁸⁹]")


def sup_to_str(marker: str) -> str:
    return "".join(_SUP_TO_INT.get(c, c) for c in marker)


@dataclass
class Clean:
    """A cleaned string and, for each of its characters, the offset in the extracted text."""

    text: str
    offsets: list[int]
    end_offset: int  # offset just after the last source character

    def span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Source offsets (start, end) of clean[start:end]."""
        if end is None:
            end = len(self.text)
        if not self.offsets or start >= len(self.offsets):
            return (self.end_offset, self.end_offset)
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1 if end > start else s
        return (s, e)

    def sub(self, start: int, end: int | None = None) -> "Clean":
        if end is None:
            end = len(self.text)
        text = self.text[start:end]
        offs = self.offsets[start:end]
        return Clean(text, offs, offs[-1] + 1 if offs else self.span(start, start)[0])

    def strip(self, chars: str | None = None) -> "Clean":
        t = self.text
        left = len(t) - len(t.lstrip(chars))
        right = len(t.rstrip(chars))
        if right <= left:
            return Clean("", [], self.span(left, left)[0] if self.offsets else self.end_offset)
        return self.sub(left, right)

    def __add__(self, other: "Clean") -> "Clean":
        return Clean(self.text + other.text, self.offsets + other.offsets, other.end_offset)

    @staticmethod
    def concat(pieces: list["Clean"]) -> "Clean":
        """Join many pieces in one pass (repeated ``+`` would copy quadratically)."""
        if not pieces:
            return Clean("", [], 0)
        offsets: list[int] = []
        for p in pieces:
            offsets.extend(p.offsets)
        return Clean("".join(p.text for p in pieces), offsets, pieces[-1].end_offset)


def clean_line(raw: str, base: int) -> tuple[Clean, list[tuple[str, int]]]:
    """Remove decorations and footnote references from one line.

    Returns the clean copy and the footnote references found, as (number, source offset).
    """
    if not _NEEDS_CLEANING.search(raw):
        # Most lines carry no decoration: only the strip is needed.
        c = Clean(raw, list(range(base, base + len(raw))), base + len(raw))
        return (c.strip() if raw[:1].isspace() or raw[-1:].isspace() else c), []
    drop = bytearray(len(raw))
    refs: list[tuple[str, int]] = []
    for m in _DECOR.finditer(raw):
        for i in range(m.start(), m.end()):
            drop[i] = 1
    fs = FOOTNOTE_START.match(raw)
    protect_until = fs.end() if fs else 0  # a footnote body keeps its own marker
    for m in _FOOTREF.finditer(raw):
        if m.start() < protect_until:
            continue
        marker = sup_to_str(m.group(1)) if m.group(1) else m.group(2)
        refs.append((marker, base + m.start()))
        for i in range(m.start(), m.end()):
            drop[i] = 1
    chars: list[str] = []
    offs: list[int] = []
    for i, ch in enumerate(raw):
        if drop[i]:
            continue
        if ch in "\t\u00a0\u2002\u2003\u2009\u202f":
            ch = " "
        chars.append(ch)
        offs.append(base + i)
    text = "".join(chars)
    # Trailing Markdown line-break spaces and stray pipes of flattened tables are not text.
    c = Clean(text, offs, base + len(raw))
    return c.strip(), refs


# --- lines and paragraphs -------------------------------------------------------------------

ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
MARKER = re.compile(
    r"^(?:"
    r"(?P<part>(?:PHẦN|Phần|MỤC|Mục|CHƯƠNG|Chương)\s+(?P<partno>(?=[IVXL])" + ROMAN + r"|\d{1,2}|THỨ \w+|thứ \w+)\b\s*[.:\-–]?\s*)"
    r"|(?P<roman>(?=[IVXL])" + ROMAN + r")\s*[.\-–)]\s*(?=\S)"
    r"|(?P<num>\d{1,3}(?:\.\d{1,2}){0,3})(?:\.\s*|\)\s*|\s+(?=[^\d\s/%.,]))(?=\S)"
    r"|(?:[-–+•*]\s*)?(?P<letter>[a-zđ])\s*\)\s*(?=\S)"
    r"|(?P<upletter>[A-ZĐ])\s*[.)]\s+(?=\S)"
    r"|(?P<bullet>[-–—+•·●○▪■◦►❖✓*]|\d{1,2}\s*-)\s*(?=\S)"
    r")"
)


_ROMAN_RX = re.compile(ROMAN)


def _roman_ok(s: str) -> bool:
    return bool(s) and _ROMAN_RX.fullmatch(s) is not None


@dataclass
class Marker:
    kind: str  # part | roman | num | letter | upletter | bullet
    value: str  # "II", "1.2", "a", "-", "+"
    text: str  # the marker as written

    @property
    def depth(self) -> int:
        return self.value.count(".") + 1 if self.kind == "num" else 1


def parse_marker(text: str) -> tuple[Marker | None, int]:
    """The item marker at the start of a clean line and the offset where the content starts."""
    m = MARKER.match(text)
    if not m:
        return None, 0
    if m.group("part") is not None:
        return Marker("part", m.group("partno"), m.group(0).strip()), m.end()
    if m.group("roman") is not None:
        roman = m.group("roman")
        if not _roman_ok(roman):
            return None, 0
        rest = text[m.end():]
        # "I." must introduce a heading-like text; "V" + "-" inside a sentence is not a marker.
        if not rest[:1].isupper() and not rest[:1].isdigit():
            return None, 0
        return Marker("roman", roman, m.group(0).strip()), m.end()
    if m.group("num") is not None:
        num = m.group("num")
        rest = text[m.end():]
        written = m.group(0)
        if not written.rstrip().endswith((".", ")")) and "." not in num:
            # "1 Tuyên truyền" (no dot) only counts when followed by a capital letter.
            if not rest[:1].isupper():
                return None, 0
        return Marker("num", num.rstrip("."), written.strip()), m.end()
    if m.group("letter") is not None:
        return Marker("letter", m.group("letter"), m.group(0).strip()), m.end()
    if m.group("upletter") is not None:
        rest = text[m.end():]
        if not rest[:1].isupper():
            return None, 0
        return Marker("upletter", m.group("upletter"), m.group(0).strip()), m.end()
    b = m.group("bullet")
    if b[0].isdigit():
        return None, 0
    return Marker("bullet", {"–": "-", "—": "-", "•": "•", "·": "•"}.get(b, b), b), m.end()


def is_caps(text: str) -> bool:
    letters = [c for c in text[:400] if c.isalpha()]
    if len(letters) < 3:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.85


_TERMINAL = tuple(".;:!?…")
_SEPARATOR_CHARS = set("|-_=*~ :")
_RULE_CHARS = set("-_=.")
_HEADER_FIELD = re.compile(r"^(?:(?:Số|SỐ)\s*:|(?:Số|SỐ)\s+\d+\s*/|CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập\s*-|\p{Lu}[\p{L} .]{1,40},\s*ngày\b)")
_DUTY_VERB = re.compile(
    r"^(?:Chủ\s+trì|Phối\s+hợp|Giao|Tăng\s+cường|Thực\s+hiện|Tổ\s+chức|Triển\s+khai|Tham\s+mưu|Chỉ\s+đạo|Hướng\s+dẫn|"
    r"Xây\s+dựng|Đẩy\s+mạnh|Căn\s+cứ|Bảo\s+đảm|Đảm\s+bảo|Tiếp\s+tục|Thường\s+xuyên|Chịu\s+trách\s+nhiệm|Nâng\s+cao|"
    r"Rà\s+soát|Kiểm\s+tra|Cơ\s+quan\s+chủ\s+trì|Đơn\s+vị\s+chủ\s+trì)\b"
)
# Names the genre writes with a hyphen that a wrap can put at the start of a line:
# "1. Sở Lao động" / "- Thương binh và Xã hội".
_NAME_CONTINUATION = re.compile(
    r"^[-–]\s*(?:Thương\s+binh|TB\s*(?:&|và)\s*XH|xã\s+hội\b|Xã\s+hội\b)", re.IGNORECASE
)
_NAME_HEAD_END = re.compile(r"(?:Lao\s+động|chính\s+trị|Lao\s+động\s*)$", re.IGNORECASE)


@dataclass
class Line:
    no: int  # 1-based
    start: int
    end: int
    raw: str
    clean: Clean
    footrefs: list[tuple[str, int]]
    marker: Marker | None = None
    content: Clean | None = None  # clean text after the marker

    @property
    def blank(self) -> bool:
        return not self.clean.text


@dataclass
class Paragraph:
    """A logical paragraph: one or more physical lines joined (hard wraps, page breaks)."""

    lines: list[Line]
    marker: Marker | None
    content: Clean  # text after the marker, lines joined with single spaces
    footrefs: list[tuple[str, int]] = field(default_factory=list)
    footnote: str | None = None  # set when this paragraph is a footnote body (its number)
    kind: str = "text"  # text | table | separator

    @property
    def text(self) -> str:
        return self.content.text

    @property
    def first_line(self) -> int:
        return self.lines[0].no

    @property
    def start(self) -> int:
        return self.content.span()[0] if self.content.text else self.lines[0].start

    @property
    def end(self) -> int:
        return self.content.span()[1] if self.content.text else self.lines[-1].end


class Document:
    """The extracted text with its lines and logical paragraphs."""

    def __init__(self, text: str):
        self.text = text
        self.lines: list[Line] = []
        pos = 0
        for no, raw in enumerate(text.split("\n"), start=1):
            clean, refs = clean_line(raw, pos)
            line = Line(no, pos, pos + len(raw), raw, clean, refs)
            if clean.text:
                mk, off = parse_marker(clean.text)
                line.marker = mk
                line.content = clean.sub(off).strip() if mk else clean
            self.lines.append(line)
            pos += len(raw) + 1
        self._line_starts = [ln.start for ln in self.lines]
        lengths = sorted(len(ln.clean.text) for ln in self.lines if not ln.blank)
        self.wrap_width = lengths[int(len(lengths) * 0.8)] if lengths else 80
        self.hard_wrapped = self._detect_hard_wrap()
        self.paragraphs = self._paragraphs()

    def line_of(self, offset: int) -> int:
        return max(1, bisect.bisect_right(self._line_starts, offset))

    def span(self, start: int, end: int, locate=None) -> dict:
        sp = {"line": self.line_of(start), "start": start, "end": end, "page": None}
        if locate is not None:
            loc = locate(start)
            if loc:
                sp["page"] = loc.get("page")
                for k, v in loc.items():
                    if k != "page":
                        sp[k] = v
        return sp

    def _detect_hard_wrap(self) -> bool:
        """A text whose non-blank lines mostly follow each other without blank lines and are
        cut mid-sentence is hard-wrapped (e.g. copied from a PDF)."""
        nonblank = [ln for ln in self.lines if not ln.blank]
        if len(nonblank) < 10:
            return False
        adjacent = sum(1 for a, b in zip(self.lines, self.lines[1:]) if not a.blank and not b.blank)
        unterminated = sum(1 for ln in nonblank if not ln.clean.text.endswith(_TERMINAL))
        return adjacent / len(nonblank) > 0.6 and unterminated / len(nonblank) > 0.5

    # -- joining rules ------------------------------------------------------------------------

    @staticmethod
    def _is_separator(line: Line) -> bool:
        t = line.clean.text
        chars = set(t)
        return bool(t) and (chars <= _SEPARATOR_CHARS or (len(t) >= 3 and chars <= _RULE_CHARS))

    @staticmethod
    def _is_table_row(line: Line) -> bool:
        t = line.clean.text
        return t.startswith("|") and t.endswith("|") and t.count("|") >= 3

    def _continues(self, prev: Paragraph, line: Line, gap: bool) -> bool:
        """Whether ``line`` continues paragraph ``prev`` (``gap``: blank lines in between)."""
        if prev.kind != "text" or prev.footnote is not None:
            return False
        ptext = prev.lines[-1].clean.text
        ltext = line.clean.text
        if not ptext or not ltext:
            return False
        if _NAME_CONTINUATION.match(ltext) and _NAME_HEAD_END.search(ptext):
            return True
        if line.marker is not None:
            return False
        if _HEADER_FIELD.match(ltext):
            return False  # "Số: …", "Cao Bằng, ngày …", the motto: a header field starts a line
        if ptext.endswith(_TERMINAL):
            # "…, trẻ em thuộc hộ nghèo;" + "chỉ đạo tổ chức…": a wrapped clause of one item.
            return not gap and ptext.endswith((";", ",")) and ltext[:1].islower() and self.hard_wrapped
        prev_caps, line_caps = is_caps(prev.text), is_caps(ltext)
        if gap:
            # A sentence cut by a page break: it resumes in lower case.
            first = ltext.lstrip("\"“(")[:1]
            return first.islower() and not prev_caps
        if prev_caps != line_caps:
            # A capitalised heading does not run on into body text (and vice versa), except
            # a heading broken inside a name: "I. MỤC TIÊU" never continues with "Triển khai".
            return False
        if from_doc_type(prev.text):
            return False
        if self.hard_wrapped and not line_caps and len(ptext) < 0.6 * self.wrap_width and _DUTY_VERB.match(ltext):
            # A short line ended by its own break ("4. Sở Y tế", a heading) is not wrapped when
            # the next line opens a sentence with a capitalised verb ("Chủ trì, phối hợp…").
            return False
        if not self.hard_wrapped and not prev_caps:
            # In a text with one paragraph per line, adjacent lines are separate paragraphs
            # unless the first is cut mid-sentence (ends without punctuation) and the second
            # resumes in lower case.
            return ltext[:1].islower()
        return True

    def _paragraphs(self) -> list[Paragraph]:
        paras: list[Paragraph] = []
        pieces: dict[int, list[Clean]] = {}  # id(paragraph) -> its lines' clean text, joined at the end
        gap = False
        last_text: Paragraph | None = None  # last non-footnote text paragraph
        for line in self.lines:
            if line.blank:
                gap = True
                continue
            if self._is_separator(line):
                paras.append(Paragraph([line], None, line.clean, kind="separator"))
                last_text = None
                gap = False
                continue
            if self._is_table_row(line):
                paras.append(Paragraph([line], None, line.clean, kind="table"))
                last_text = None
                gap = False
                continue
            fs = FOOTNOTE_START.match(line.clean.text)
            if fs and (fs.group(1) or fs.group(2)) and (gap or last_text is None or line.marker is None):
                number = sup_to_str(fs.group(1)) if fs.group(1) else fs.group(2)
                fp = Paragraph([line], None, line.clean.sub(fs.end()).strip(), footnote=number)
                paras.append(fp)
                pieces[id(fp)] = [fp.content]
                gap = False
                continue
            if paras and paras[-1].footnote is not None and not gap and not line.marker:
                # A footnote body wrapped over several lines.
                fp = paras[-1]
                fp.lines.append(line)
                pieces[id(fp)].extend([_space(pieces[id(fp)][-1]), line.clean])
                continue
            if last_text is not None and self._continues(last_text, line, gap or (paras and paras[-1] is not last_text)):
                cont = line.clean
                if _NAME_CONTINUATION.match(cont.text):
                    # "Sở Lao động" + "- Thương binh và Xã hội": keep the hyphen with spaces.
                    dash = cont.sub(0, 1)
                    rest = cont.sub(1).strip()
                    pcs = pieces[id(last_text)]
                    pcs.extend([_space(pcs[-1]), dash, _space(dash), rest])
                else:
                    pcs = pieces[id(last_text)]
                    pcs.extend([_space(pcs[-1]), cont])
                last_text.lines.append(line)
                last_text.footrefs.extend(line.footrefs)
                gap = False
                continue
            content = line.content if line.content is not None else line.clean
            p = Paragraph([line], line.marker, content, footrefs=list(line.footrefs))
            paras.append(p)
            pieces[id(p)] = [content]
            last_text = p
            gap = False
        for p in paras:
            pcs = pieces.get(id(p))
            if pcs is not None and len(pcs) > 1:
                p.content = Clean.concat(pcs)
        return paras


def _space(c: Clean) -> Clean:
    """A joining space that maps to the end of ``c`` (the line break it replaces)."""
    return Clean(" ", [c.end_offset], c.end_offset + 1)


_DOC_TYPES = re.compile(
    r"^(KẾ HOẠCH|CHƯƠNG TRÌNH|ĐỀ ÁN|QUYẾT ĐỊNH|CHỈ THỊ|HƯỚNG DẪN|THÔNG BÁO|BÁO CÁO|NGHỊ QUYẾT|CÔNG VĂN|PHƯƠNG ÁN|KẾ HOẠCH HÀNH ĐỘNG|CHƯƠNG TRÌNH HÀNH ĐỘNG)$"
)


def from_doc_type(text: str) -> str | None:
    """'KẾ HOẠCH' -> 'Kế hoạch' when ``text`` is a document-type line, else None."""
    t = re.sub(r"\s+", " ", text.strip()).upper()
    if _DOC_TYPES.match(t):
        return t[:1] + t[1:].lower()
    return None
