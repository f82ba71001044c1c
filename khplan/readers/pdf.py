"""PDF reader: text in reading order from PDFium, with page locators; OCR for scans.

Speed comes first (the bench compares with poppler's ``pdftotext``): the page text is taken in
one call from PDFium (``FPDFText_GetText``), which already orders characters and marks line
breaks; geometry is asked only for the ends of each PDFium line and of each text object inside
it (a handful of calls per line, never one per character), plus the page's path objects to find
ruled tables. pdfplumber is not needed.

From these pieces the reader
* rebuilds visual lines (a superscript footnote mark makes PDFium break a line; the rest of the
  line is put back), marks superscript digits as ¹²³ footnote marks;
* drops running headers/footers and page numbers (bare numbers, "Trang n", "n/m", and lines
  repeated at the top or bottom of most pages);
* reads side-by-side blocks (the header table issuer | motto, number | date; the closing
  recipients | signature) column by column, left column first;
* turns ruled tables into ``| a | b |`` rows (vertically merged cells repeated);
* joins hard-wrapped lines into paragraphs where the layout shows a wrap: the line is full (the
  next word would not have fitted), the next line starts at the left margin (or at the
  paragraph's hanging indent), the spacing is a line's and not a paragraph's, and the font
  is the same; centred titles wrapped over two lines are joined too;
* re-joins words that the PDF's spacing split inside a syllable ("ĐIỀ U" -> "ĐIỀU");
* moves footnotes ("¹ text") after the paragraph that cites them.

Scanned PDFs (pages without a text layer) fail with a message that says how to OCR them; with
``ocr=True`` each such page is rendered by PDFium at 300 dpi and read by the ``tesseract``
binary with Vietnamese data. The binary is called directly (no pytesseract: it is only a
wrapper around the same subprocess; no ocrmypdf: it rebuilds a whole PDF through Ghostscript
and qpdf only for us to extract its text again, where PDFium already renders the pages).
"""

from __future__ import annotations

import ctypes
import re
import shutil
import statistics
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import InputError
from . import Extracted
from .syllables import is_syllable

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
RE_MARKER = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+*•–])\s")
RE_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|của|of)\s*\d{1,4})?(?:\s*[-–—])?$", re.I)
RE_DOCTYPE = re.compile(r"^(KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|CÔNG VĂN|BÁO CÁO|TỜ TRÌNH|NGHỊ QUYẾT|CHƯƠNG TRÌNH|ĐỀ ÁN|HƯỚNG DẪN)$")
RE_FIELD_START = re.compile(r"^(Số\s*:|Số\s+\d|V/v\b|CỘNG HÒA|CỘNG HOÀ|Độc lập\s*-|Nơi nhận|TM\.|KT\.|Q\.)|^[^\W\d_][^,]{1,30},\s*ngày\b")
RE_FOOTNOTE = re.compile(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+\s")
OCR_DPI = 300
OCR_TIMEOUT_S = 180


@dataclass(slots=True)
class Piece:
    """A run of text on one baseline, with its box (PDF units, y upwards)."""

    text: str
    x0: float
    x1: float
    base: float  # baseline y
    size: float  # font size
    page: int
    sup: bool = False
    kind: str = "text"  # text | table
    rows: list | None = None  # for kind == "table"
    top: float = 0.0
    idx: int = -1  # index of the first character in the page text

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(slots=True)
class Line:
    pieces: list[Piece] = field(default_factory=list)
    _main: Piece | None = None
    _text: str | None = None

    @property
    def x0(self):
        return self.pieces[0].x0

    @property
    def x1(self):
        return self.pieces[-1].x1

    @property
    def base(self):
        return self.main.base

    @property
    def size(self):
        return self.main.size

    @property
    def main(self) -> Piece:
        if self._main is not None:
            return self._main
        if len(self.pieces) == 1:
            return self.pieces[0]
        best = None
        for p in self.pieces:
            if not p.sup and (best is None or len(p.text) > len(best.text)):
                best = p
        self._main = best or self.pieces[0]
        return self._main

    @property
    def page(self):
        return self.pieces[0].page

    def text(self) -> str:
        if self._text is None:
            self._text = self._make_text()
        return self._text

    def _make_text(self) -> str:
        if len(self.pieces) == 1 and not self.pieces[0].sup:
            return self.pieces[0].text.strip()
        out = ""
        prev = None
        main = self.main
        for p in self.pieces:
            t = p.text
            if not p.sup and p is not main and p.size < 0.85 * main.size and p.base > main.base + 0.1 * main.size:
                p.sup = True
            if p.sup and re.fullmatch(r"\d{1,3}", t.strip()):
                t = t.strip().translate(SUPERSCRIPT)
                out = out.rstrip() if prev is not None else out
                out += t
                prev = p
                continue
            if prev is not None:
                gap = p.x0 - prev.x1
                if gap > 0.15 * max(p.size, 1) and not out.endswith(" ") and not t.startswith(" "):
                    if not (prev.sup and t[:1] in ",.;:)"):
                        out += " "
                    elif prev.sup and t[:1] not in ",.;:)":
                        out += " "
            out += t
            prev = p
        return out.strip()


# ---------------------------------------------------------------------------------------------
# PDFium access


class _RawDoc:
    """A PDFium document opened through the raw API (the helper classes cost ~0.2 ms a page)."""

    def __init__(self, data: bytes, path: str):
        import pypdfium2  # noqa: F401 - initialises the library
        import pypdfium2.raw as raw

        self.raw = raw
        self._buf = ctypes.create_string_buffer(data, len(data))  # must outlive the document
        self.doc = raw.FPDF_LoadMemDocument64(self._buf, len(data), None)
        if not self.doc:
            err = raw.FPDF_GetLastError()
            if err in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
                raise InputError(f"{path}: the PDF is encrypted (password-protected); remove the password and try again")
            raise InputError(f"{path}: not a valid PDF (corrupt or truncated file)")
        self.n = raw.FPDF_GetPageCount(self.doc)
        if self.n <= 0:
            self.close()
            raise InputError(f"{path}: the PDF has no pages")

    def close(self):
        if self.doc:
            self.raw.FPDF_CloseDocument(self.doc)
            self.doc = None


def _page_text(raw, tp) -> str:
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return ""
    buf = (ctypes.c_ushort * (2 * n + 2))()
    got = raw.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(memoryview(buf)[: max(0, got - 1)]).decode("utf-16-le", errors="replace")
    if len(text) != n:
        # PDFium's text view differs from its char list (rare): one char at a time
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, k) or 32) for k in range(n))
    return text


_TEXT_OBJECT_FN = None


def _get_text_object():
    """FPDFText_GetTextObject returning a plain address (comparing objects without casts)."""
    global _TEXT_OBJECT_FN
    if _TEXT_OBJECT_FN is None:
        import pypdfium2.raw as raw

        addr = ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value
        _TEXT_OBJECT_FN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(addr)
    return _TEXT_OBJECT_FN


class _PageReader:
    """Pieces of one page from PDFium with few calls per line."""

    def __init__(self, raw, page, tp, page_no: int):
        self.raw = raw
        self.page = page
        self.tp = tp
        self.page_no = page_no
        self._l, self._b, self._r, self._t = (ctypes.c_double() for _ in range(4))
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self.tp_ptr = ctypes.cast(tp, ctypes.c_void_p)

    def box(self, i):
        self.raw.FPDFText_GetCharBox(self.tp, i, self._l, self._r, self._b, self._t)
        return self._l.value, self._b.value, self._r.value, self._t.value

    def origin(self, i):
        self.raw.FPDFText_GetCharOrigin(self.tp, i, self._x, self._y)
        return self._x.value, self._y.value

    def obj(self, i):
        return _get_text_object()(self.tp_ptr, i)

    def runs(self, a: int, z: int, text: str) -> list[tuple[int, int]]:
        """Split chars a..z (inclusive) where the text object changes (binary search)."""
        oa, oz = self.obj(a), self.obj(z)
        if oa == oz:
            return [(a, z)]
        out = []
        lo, o_lo = a, oa
        while True:
            # find the first index after lo whose object differs from o_lo
            hi, o_hi = z, oz
            if o_hi == o_lo:
                out.append((lo, z))
                break
            left, right = lo, hi  # obj(left) == o_lo, obj(right) != o_lo
            while right - left > 1:
                mid = (left + right) // 2
                om = self.obj(mid)
                if om == o_lo:
                    left = mid
                else:
                    right = mid
            out.append((lo, left))
            lo = right
            o_lo = self.obj(lo)
            if lo > z:
                break
        return out

    def pieces(self, text: str) -> list[Piece]:
        """One piece per PDFium line, split where the text object changes."""
        raw = self.raw
        tp = self.tp
        get_box = raw.FPDFText_GetCharBox
        get_origin = raw.FPDFText_GetCharOrigin
        get_size = raw.FPDFText_GetFontSize
        obj = _get_text_object()
        tpp = self.tp_ptr
        l, b, r, t = self._l, self._b, self._r, self._t
        x, y = self._x, self._y
        page_no = self.page_no
        out: list[Piece] = []
        pos = 0
        rest = text.replace("\r\n", "")
        lines = re.split(r"\r\n|\r|\n", text) if ("\n" in rest or "\r" in rest) else text.split("\r\n")
        for line in lines:
            s = pos
            e = pos + len(line)
            pos = e + (2 if text.startswith("\r\n", e) else 1)
            stripped = line.strip()
            if not stripped:
                continue
            s += len(line) - len(line.lstrip())
            z = s + len(stripped) - 1
            if obj(tpp, s) == obj(tpp, z):
                runs = ((s, z),)
            else:
                runs = self.runs(s, z, text)
            for ra, rz in runs:
                while ra < rz and text[ra].isspace():
                    ra += 1
                while rz > ra and text[rz].isspace():
                    rz -= 1
                if text[ra].isspace():
                    continue
                get_origin(tp, ra, x, y)
                get_box(tp, rz, l, r, b, t)
                size = get_size(tp, ra) or (t.value - b.value) or 10.0
                x0 = x.value
                base = y.value
                x1 = r.value
                out.append(Piece(text[ra:rz + 1], min(x0, l.value), max(x1, x0), base, size, page_no, False, "text", None, base + 0.75 * size, ra))
        return out

    def rulings(self):
        """Thin path objects: horizontal and vertical rules (table borders)."""
        raw = self.raw
        n = raw.FPDFPage_CountObjects(self.page)
        hs, vs = [], []
        l, b, r, t = (ctypes.c_float() for _ in range(4))
        images = 0.0
        for i in range(n):
            o = raw.FPDFPage_GetObject(self.page, i)
            ty = raw.FPDFPageObj_GetType(o)
            if ty == raw.FPDF_PAGEOBJ_PATH:
                raw.FPDFPageObj_GetBounds(o, l, b, r, t)
                w, h = r.value - l.value, t.value - b.value
                if h <= 2.5 and w > 4:
                    hs.append(((l.value + r.value) / 2 - w / 2, (b.value + t.value) / 2, (l.value + r.value) / 2 + w / 2))
                elif w <= 2.5 and h > 4:
                    vs.append(((l.value + r.value) / 2, b.value, t.value))
                elif w > 4 and h > 4:
                    # an outlined rectangle: its four sides
                    hs.append((l.value, b.value, r.value))
                    hs.append((l.value, t.value, r.value))
                    vs.append((l.value, b.value, t.value))
                    vs.append((r.value, b.value, t.value))
            elif ty == raw.FPDF_PAGEOBJ_IMAGE:
                raw.FPDFPageObj_GetBounds(o, l, b, r, t)
                images += max(0.0, r.value - l.value) * max(0.0, t.value - b.value)
        return hs, vs, images


# ---------------------------------------------------------------------------------------------
# Tables from rulings


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _tables(hs, vs):
    """Group rules into tables: (x0, y0, x1, y1, col_xs, row_ys, hs, vs) for ruled grids."""
    segs = [("h", h) for h in hs] + [("v", v) for v in vs]
    if len(hs) < 2 or len(vs) < 2:
        return []
    # union-find over touching segments
    parent = list(range(len(segs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def bbox(s):
        k, v = s
        if k == "h":
            return v[0] - 2, v[1] - 2, v[2] + 2, v[1] + 2
        return v[0] - 2, v[1] - 2, v[0] + 2, v[2] + 2

    boxes = [bbox(s) for s in segs]
    order = sorted(range(len(segs)), key=lambda i: boxes[i][0])
    for ii, i in enumerate(order):
        bi = boxes[i]
        for j in order[ii + 1:]:
            bj = boxes[j]
            if bj[0] > bi[2]:
                break
            if bj[1] <= bi[3] and bj[3] >= bi[1]:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    out = []
    for g in groups.values():
        gh = [v for k, v in g if k == "h"]
        gv = [v for k, v in g if k == "v"]
        xs = _cluster([v[0] for v in gv], 2.0)
        ys = _cluster([h[1] for h in gh], 2.0)
        if len(xs) < 3 or len(ys) < 2:
            continue  # a single box or a rule under a heading: not a grid with 2+ columns
        x0, x1 = min(h[0] for h in gh), max(h[2] for h in gh)
        y0, y1 = min(ys), max(ys)
        out.append({"x0": x0, "x1": x1, "y0": y0, "y1": y1, "xs": xs, "ys": sorted(ys, reverse=True), "hs": gh, "vs": gv})
    return out


def _has_h(t, y, xa, xb) -> bool:
    mid = (xa + xb) / 2
    return any(abs(h[1] - y) <= 2.0 and h[0] - 1 <= mid <= h[2] + 1 for h in t["hs"])


def _has_v(t, x, ya, yb) -> bool:
    mid = (ya + yb) / 2
    return any(abs(v[0] - x) <= 2.0 and v[1] - 1 <= mid <= v[2] + 1 for v in t["vs"])


def _split_at(reader: _PageReader, piece_range, xs) -> list:
    """Split a PDFium piece that crosses column rules: per-character boxes, this piece only."""
    a, z, text = piece_range
    parts = []
    cur = []
    cur_col = None
    for i in range(a, z + 1):
        ch = text[i]
        if ch.isspace():
            if cur:
                cur.append((i, ch, None))
            continue
        l, b, r, t = reader.box(i)
        cx = (l + r) / 2
        col = sum(1 for x in xs if x < cx)
        if cur_col is not None and col != cur_col and cur:
            parts.append((cur_col, cur))
            cur = []
        cur_col = col
        cur.append((i, ch, (l, r)))
    if cur:
        parts.append((cur_col, cur))
    return parts


def _table_rows(t, cells_text):
    """Rows of cell texts from a table's grid and the text assigned to each grid cell."""
    xs, ys = t["xs"], t["ys"]
    ncols, nrows = len(xs) - 1, len(ys) - 1
    rows = []
    carry: dict[int, str] = {}
    for r in range(nrows):
        row = []
        c = 0
        while c < ncols:
            text = " ".join(cells_text.get((r, c), []))
            # horizontally merged: no rule between this column and the next
            span = 1
            while c + span < ncols and not _has_v(t, xs[c + span], ys[r + 1], ys[r]):
                text = (text + " " + " ".join(cells_text.get((r, c + span), []))).strip()
                span += 1
            # vertically merged: no rule above this cell -> same cell as the row above
            if r > 0 and not _has_h(t, ys[r], xs[c], xs[c + span]) and c in carry:
                text = (carry[c] + " " + text).strip() if text else carry[c]
                # the cell is one: update the rows above so every row shows it
                for prev in rows[::-1]:
                    if prev[c] == carry[c]:
                        prev[c] = text
                    else:
                        break
            carry[c] = text
            row.append(text)
            row.extend([""] * (span - 1))
            c += span
        rows.append(row)
    return [r for r in rows if any(x.strip() for x in r)]


# ---------------------------------------------------------------------------------------------
# Page assembly


def _page_lines(reader: _PageReader, text: str, page_h: float, page_w: float):
    pieces = reader.pieces(text)
    hs, vs, image_area = reader.rulings()
    tables = _tables(hs, vs)
    items: list[Piece] = []
    if tables:
        # text inside a table goes to its cells
        assigned: dict[int, dict] = {id(t): {} for t in tables}
        rest = []
        for p in pieces:
            t = next((t for t in tables if t["x0"] - 1 <= (p.x0 + p.x1) / 2 <= t["x1"] + 1 and t["y0"] - 1 <= p.base <= t["y1"] + 1), None)
            if t is None:
                rest.append(p)
                continue
            cells = assigned[id(t)]
            inner = [x for x in t["xs"][1:-1] if p.x0 + 1 < x < p.x1 - 1]
            row = sum(1 for y in t["ys"][1:] if y > p.base + 0.5)
            row = min(row, len(t["ys"]) - 2)
            if inner:
                # this piece spans cells: split it by character position
                subparts = _split_piece(reader, text, p, t["xs"])
                for col, s in subparts:
                    cells.setdefault((row, col), []).append(s)
            else:
                col = sum(1 for x in t["xs"][1:-1] if x < (p.x0 + p.x1) / 2)
                cells.setdefault((row, col), []).append(p.text)
        for t in tables:
            rows = _table_rows(t, assigned[id(t)])
            if rows:
                items.append(Piece("", t["x0"], t["x1"], t["y1"], 10.0, reader.page_no, kind="table", rows=rows, top=t["y1"]))
        pieces = rest
    items.extend(pieces)
    return items, image_area, len(pieces)


def _split_piece(reader: _PageReader, text: str, p: Piece, xs):
    """Split a piece that crosses column rules, with per-character boxes of that piece only."""
    # locate the piece in the page text by searching around its characters
    out = []
    parts = _split_at(reader, (p.idx, p.idx + len(p.text) - 1, text), xs[1:-1])
    for col, chars in parts:
        s = "".join(ch for _, ch, _ in chars).strip()
        if s:
            out.append((col, s))
    return out


def _group_lines(pieces: list[Piece]) -> list[Line]:
    """Visual lines of a page, top to bottom: pieces on one baseline make a line (left to right);
    a small raised piece next to a line is a superscript (a footnote mark) of that line."""
    items = sorted(pieces, key=lambda p: -(p.top if p.kind == "table" else p.base))
    lines: list[Line] = []
    for p in items:
        if p.kind == "table":
            lines.append(Line([p]))
            continue
        placed = False
        # compare with the last few lines (pieces of one baseline arrive together once sorted)
        for ln in reversed(lines[-3:]):
            if ln.pieces[0].kind == "table":
                break
            main = ln.main
            if abs(p.base - main.base) <= 0.3 * main.size and abs(p.size - main.size) <= 0.3 * main.size + 0.5:
                _insert_piece(ln, p)
                placed = True
                break
        if placed:
            continue
        lines.append(Line([p]))
    # superscripts: a short piece, smaller, raised above the baseline of the line below it
    out: list[Line] = []
    for k, ln in enumerate(lines):
        if (
            len(ln.pieces) == 1
            and ln.pieces[0].kind == "text"
            and len(ln.pieces[0].text.strip()) <= 3
            and k + 1 < len(lines)
            and lines[k + 1].pieces[0].kind == "text"
        ):
            p = ln.pieces[0]
            below = lines[k + 1]
            raised = 0.1 * below.size < p.base - below.base < 0.8 * below.size
            leading_mark = p.text.strip().isdigit() and p.x1 <= below.x0 + 1 and below.x0 - p.x1 < 1.5 * below.size
            if raised and (p.size < 0.9 * below.size or leading_mark):
                p.sup = True
                _insert_piece(below, p)
                continue
        out.append(ln)
    return out


def _insert_piece(ln: Line, p: Piece) -> None:
    ln._main = None
    ln._text = None
    k = len(ln.pieces)
    while k > 0 and ln.pieces[k - 1].x0 > p.x0:
        k -= 1
    ln.pieces.insert(k, p)


@dataclass
class Para:
    text: str
    page: int
    kind: str = "p"  # p | header | table | note | zone
    lines: list = field(default_factory=list)
    sep_before: str = "\n\n"


def _is_full(line: Line, nxt: Line, right: float) -> bool:
    slack = right - line.x1
    cw = line.pieces[-1].width / max(1, len(line.pieces[-1].text)) if line.pieces else 5.0
    first_word = nxt.text().split(" ", 1)[0]
    need = (len(first_word) + 1) * cw
    return slack < need * 1.05 + 0.3 * line.size


def _marker(text: str) -> bool:
    return bool(RE_MARKER.match(text))


def _join(a: str, b: str) -> str:
    if a.endswith("\u00ad"):
        return a[:-1] + b
    if a.endswith(("\ufffe", "\x02")):
        # PDFium marks a hyphen at the end of a line; in Vietnamese it is a real hyphen
        # ("TT-" + "BLĐTBXH"): keep it, no space
        return a[:-1] + "-" + b
    if a.endswith("-") and len(a) > 1 and not a[-2].isspace():
        return a + b  # "Lao động-" + "Thương binh": a hyphen inside a compound
    return a + " " + b


def _paragraphs(lines: list[Line], left: float, right: float, pitch: float) -> list[Para]:
    """Join wrapped lines of one column into paragraphs."""
    paras: list[Para] = []
    cur: list[Line] = []
    width = max(1.0, right - left)

    def flush():
        if cur:
            text = cur[0].text()
            for ln in cur[1:]:
                text = _join(text, ln.text())
            paras.append(Para(text=text, page=cur[0].page, lines=list(cur)))
            cur.clear()

    for ln in lines:
        if ln.pieces[0].kind == "table":
            flush()
            paras.append(Para(text="", page=ln.page, kind="table", lines=[ln]))
            continue
        if not cur:
            cur.append(ln)
            continue
        prev = cur[-1]
        first = cur[0]
        fs = prev.size
        cont = False
        gap = prev.base - ln.base if ln.page == prev.page else None
        same_font = abs(ln.size - fs) <= 1.0
        pitch_ok = gap is not None and 0 < gap <= max(1.38 * fs, min(pitch * 1.2, 1.6 * fs)) if pitch else gap is not None and 0 < gap <= 1.38 * fs
        if ln.page != prev.page:
            pitch_ok = True  # across a page break: geometry of the two pages cannot compare
        if same_font and pitch_ok:
            at_left = ln.x0 <= left + 0.6 * fs
            hanging = len(cur) == 1 and _marker(first.text()) and first.x0 + 0.5 * fs < ln.x0 < first.x0 + 5 * fs
            same_indent = len(cur) >= 2 and abs(ln.x0 - cur[1].x0) <= 0.6 * fs
            if _is_full(prev, ln, right) and (at_left or hanging or same_indent):
                cont = True
            # a centred title wrapped over lines: both lines have equal margins on each side
            # (a left-aligned or indented line does not), the first is wide
            tol = max(3.0, 0.4 * fs)
            if (
                not cont
                and abs((prev.x0 - left) - (right - prev.x1)) < tol
                and abs((ln.x0 - left) - (right - ln.x1)) < tol
                and prev.x1 - prev.x0 > 0.6 * width
                and ln.page == prev.page
                and ln.x0 > left + 0.5 * fs
            ):
                cont = True
        if cont:
            cur.append(ln)
        else:
            flush()
            cur.append(ln)
    flush()
    return paras


_WORDS = re.compile(r"[^\W\d_]+")
_PUNCT = "\"'“”‘’()[]{},.;:!?…/-–—*⁰¹²³⁴⁵⁶⁷⁸⁹"


def _split_word_fixer(texts: list[str]):
    """A function that re-joins words split inside a syllable ('ĐIỀ U' -> 'ĐIỀU', 'độ ng' ->
    'động'): adjacent fragments that only form a syllable together.

    Built once per document: only words that are not well-formed syllables (cached check) and
    their neighbours are looked at, so normal text costs one scan.
    """
    odd = set()
    for tok in set("\n".join(texts).split()):
        core = tok.strip(_PUNCT)
        if core and core.isalpha() and _odd_word(core):
            odd.add(core)
    if not odd:
        return lambda t: t
    alt = "|".join(sorted(map(re.escape, odd), key=len, reverse=True))
    rx = re.compile(
        r"(?<![^\W\d_])(?:([^\W\d_]+) (" + alt + r")|(" + alt + r") ([^\W\d_]+))(?![^\W\d_])"
    )

    def repl(m):
        w0, w1 = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if not (w0.isascii() and w1.isascii()) and not (is_syllable(w0) and is_syllable(w1)) and _should_join(w0, w1):
            return w0 + w1
        return m.group(0)

    def fix(text: str) -> str:
        return rx.sub(repl, text)

    return fix


def _fix_split_words(text: str) -> str:
    return _split_word_fixer([text])(text)


_VOWELS = set("aeiouyAEIOUY")


_CONSONANT_PARTS = frozenset(
    "b c ch d g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
)


@lru_cache(maxsize=65536)
def _odd_word(w: str) -> bool:
    """A word that may be a fragment of a split syllable: short, and either non-ASCII and not a
    syllable ("ĐIỀ", "nhâ") or an initial/final consonant group alone ("ng", "c", "Th")."""
    if len(w) > 6:
        return False
    if w.isascii():
        return w.lower() in _CONSONANT_PARTS
    return not is_syllable(w)


def _should_join(wa: str, wb: str) -> bool:
    if len(wa) > 6 or len(wb) > 5:
        return False
    w = wa + wb
    if not (w.isupper() or w.islower() or (w[0].isupper() and w[1:].islower())):
        return False
    return is_syllable(w)


# ---------------------------------------------------------------------------------------------
# Running headers and footers


def _norm_running(s: str) -> str:
    return re.sub(r"\d+", "#", s.strip().lower())


def _strip_running(pages_lines: list[list[Line]], heights: list[float]) -> None:
    """Remove page numbers and lines repeated at the top/bottom of most pages (in place)."""
    n = len(pages_lines)
    counts: dict[str, int] = {}
    for lines, h in zip(pages_lines, heights):
        seen = set()
        for ln in _edge_lines(lines, h):
            key = _norm_running(ln.text())
            if key and key not in seen:
                seen.add(key)
                counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, c in counts.items() if n >= 3 and c >= max(2, (n + 1) // 2)}
    for i, (lines, h) in enumerate(zip(pages_lines, heights)):
        edge = {id(ln) for ln in _edge_lines(lines, h)}
        keep = []
        for ln in lines:
            if id(ln) in edge:
                t = ln.text()
                if RE_PAGE_NUMBER.match(t) or _norm_running(t) in repeated:
                    continue
            keep.append(ln)
        pages_lines[i] = keep


def _edge_lines(lines: list[Line], page_h: float) -> list[Line]:
    """Lines in the top or bottom margin band: the first/last two text lines of the page when
    they lie in the outer 12% of the page."""
    by_y = [ln for ln in lines if ln.pieces[0].kind != "table"]
    if not by_y:
        return []
    out = []
    for ln in by_y[:2]:
        if ln.base > page_h * 0.88:
            out.append(ln)
    for ln in by_y[-2:]:
        if ln.base < page_h * 0.12 and ln not in out:
            out.append(ln)
    return out


# ---------------------------------------------------------------------------------------------
# Column zones (header table, closing table)


def _zones(lines: list[Line], left: float, right: float):
    """Split a page's lines into ('flow', [lines]) and ('zone', left col, right col, gutter).

    A zone starts at a line with two pieces far apart on one baseline (two cells side by side:
    the header table, the closing table) and goes on while the next lines either split at a
    compatible gutter or keep to one side of it.
    """
    mid = (left + right) / 2
    tol = 0.03 * max(1.0, right - left)

    def side(ln: Line, lo: float, hi: float) -> str | None:
        if ln.pieces[0].kind == "table":
            return None
        if abs((ln.x0 + ln.x1) / 2 - mid) < tol and ln.x0 > left + 3 * ln.size and ln.x1 > hi:
            return None  # a centred line (the title) ends the zone
        if RE_DOCTYPE.match(ln.text().strip().upper()):
            return None
        if ln.x1 <= hi + 1:
            return "L"
        if ln.x0 >= lo - 1:
            return "R"
        return None

    n = len(lines)
    i = 0
    out = []
    flow: list[Line] = []
    while i < n:
        ln = lines[i]
        gut = _gutter(ln)
        if gut is None:
            flow.append(ln)
            i += 1
            continue
        lo, hi = gut
        zone = [ln]
        j = i + 1
        while j < n and lines[j].page == ln.page and lines[j].pieces[0].kind != "table" and _near(zone[-1], lines[j]):
            gj = _gutter(lines[j])
            if gj is not None and max(lo, gj[0]) < min(hi, gj[1]):
                lo, hi = max(lo, gj[0]), min(hi, gj[1])
            elif side(lines[j], lo, hi) is None:
                break
            zone.append(lines[j])
            j += 1
        if flow:
            out.append(("flow", flow))
            flow = []
        left_col, right_col = [], []
        for z in zone:
            lp = [p for p in z.pieces if p.x1 <= hi + 1]
            rp = [p for p in z.pieces if p.x1 > hi + 1]
            if lp:
                left_col.append(Line(lp))
            if rp:
                right_col.append(Line(rp))
        out.append(("zone", left_col, right_col, (lo, hi)))
        i = j
    if flow:
        out.append(("flow", flow))
    return out


def _near(a: Line, b: Line) -> bool:
    return abs(a.base - b.base) < 3.5 * max(a.size, b.size)


def _gutter(ln: Line) -> tuple[float, float] | None:
    """The widest gap between two pieces of a line, when it is wider than 2.5 em: (lo, hi)."""
    if ln.pieces[0].kind == "table" or len(ln.pieces) < 2:
        return None
    best = None
    for a, b in zip(ln.pieces, ln.pieces[1:]):
        gap = b.x0 - a.x1
        if gap > 2.5 * ln.size and (best is None or gap > best[1] - best[0]):
            best = (a.x1, b.x0)
    return best


# ---------------------------------------------------------------------------------------------
# OCR


def _tesseract_cmd() -> str:
    exe = shutil.which("tesseract")
    if not exe:
        raise InputError(
            "OCR needs Tesseract with Vietnamese data, which is not installed: "
            "apt-get install tesseract-ocr tesseract-ocr-vie"
        )
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        langs = []
    if "vie" not in langs:
        raise InputError("OCR needs Tesseract's Vietnamese data, which is not installed: apt-get install tesseract-ocr-vie")
    return exe


def _ocr_page(exe: str, page, tmpdir: str, page_no: int, page_h: float) -> list[Piece]:
    """OCR one page: words with boxes (Tesseract TSV) -> pieces in PDF units, so the same layout
    logic (lines, side-by-side blocks, wrapped paragraphs) applies to scans."""
    png = f"{tmpdir}/p{page_no}.pgm"
    _save_gray(page.render(scale=OCR_DPI / 72, grayscale=True), png)
    try:
        res = subprocess.run(
            [exe, png, "stdout", "-l", "vie", "--psm", "3", "--dpi", str(OCR_DPI), "tsv"],
            capture_output=True, timeout=OCR_TIMEOUT_S, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"OCR of page {page_no} did not finish within {OCR_TIMEOUT_S} s") from None
    if res.returncode != 0:
        last = res.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise InputError(f"OCR of page {page_no} failed: {last[0]}")
    return _tsv_pieces(res.stdout.decode("utf-8", "replace"), page_h, 72 / OCR_DPI, page_no)


def _save_gray(bitmap, path: str) -> None:
    """A PDFium greyscale bitmap as a PGM file (Tesseract reads it; no imaging library needed)."""
    w, h, stride = bitmap.width, bitmap.height, bitmap.stride
    if bitmap.n_channels != 1:  # not expected for grayscale=True; Tesseract reads the format by content
        bitmap.to_pil().convert("L").save(path, format="PNG")
        return
    raw = bytes(bitmap.buffer)
    rows = raw if stride == w else b"".join(raw[y * stride: y * stride + w] for y in range(h))
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h))
        f.write(rows)


def _tsv_pieces(tsv: str, page_h: float, scale: float, page_no: int) -> list[Piece]:
    lines: dict[tuple, list] = {}
    line_h: dict[tuple, float] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12:
            continue
        level = f[0]
        key = (f[2], f[3], f[4])
        left, top, width, height = (int(x) for x in f[6:10])
        if level == "4":
            line_h[key] = height
        elif level == "5":
            word = unicodedata.normalize("NFC", f[11].strip())
            if word and float(f[10] or -1) >= 0:
                lines.setdefault(key, []).append((left, top, width, height, word))
    out: list[Piece] = []
    # OCR line heights vary with diacritics and descenders: lines within 30% of the page's median
    # height share one font size (1 em ~ line box / 1.15)
    heights = [line_h.get(k) or statistics.median(w[3] for w in ws) for k, ws in lines.items()]
    median_h = statistics.median(heights) if heights else 0
    for key, words in lines.items():
        words.sort()
        lh = line_h.get(key) or statistics.median(w[3] for w in words)
        if median_h and abs(lh - median_h) <= 0.3 * median_h:
            lh = median_h
        size = max(4.0, lh * scale / 1.15)
        bottom = statistics.median(w[1] + w[3] for w in words)
        base = page_h - bottom * scale
        group = [words[0]]
        for w in words[1:]:
            prev = group[-1]
            if (w[0] - (prev[0] + prev[2])) * scale > 2.5 * size:
                out.append(_word_piece(group, base, size, scale, page_no))
                group = []
            group.append(w)
        out.append(_word_piece(group, base, size, scale, page_no))
    return out


def _word_piece(group, base, size, scale, page_no) -> Piece:
    text = " ".join(w[4] for w in group)
    x0 = group[0][0] * scale
    x1 = (group[-1][0] + group[-1][2]) * scale
    return Piece(text, x0, x1, base, size, page_no, False, "text", None, base + 0.75 * size, -1)


# ---------------------------------------------------------------------------------------------


def read_pdf(data: bytes, path: str, *, ocr: bool = False) -> Extracted:
    if b"%PDF" not in data[:1024]:
        raise InputError(f"{path}: not a valid PDF (no PDF header)")
    doc = _RawDoc(data, path)
    try:
        return _read(doc, data, path, ocr)
    finally:
        doc.close()


def _read(doc: _RawDoc, data: bytes, path: str, ocr: bool) -> Extracted:
    raw = doc.raw
    n = doc.n
    pages_lines: list[list[Line]] = []
    heights, widths = [], []
    scanned: list[int] = []
    warnings: list[dict] = []
    for i in range(n):
        page = raw.FPDF_LoadPage(doc.doc, i)
        if not page:
            raise InputError(f"{path}: corrupt PDF (page {i + 1} cannot be read)")
        try:
            tp = raw.FPDFText_LoadPage(page)
            if not tp:
                raise InputError(f"{path}: corrupt PDF (the text of page {i + 1} cannot be read)")
            try:
                w, h = raw.FPDF_GetPageWidthF(page), raw.FPDF_GetPageHeightF(page)
                text = _page_text(raw, tp)
                reader = _PageReader(raw, page, tp, i + 1)
                items, image_area, ntext = _page_lines(reader, text, h, w)
                lines = _group_lines(items)
            finally:
                raw.FPDFText_ClosePage(tp)
        finally:
            raw.FPDF_ClosePage(page)
        widths.append(w)
        heights.append(h)
        if len(text) < 400 and len("".join(text.split())) < 10 and (image_area > 0.3 * w * h or not text.strip()):
            scanned.append(i + 1)
        pages_lines.append(lines)
    if scanned and len(scanned) == n and not ocr:
        raise InputError(
            f"{path}: this is a scanned PDF (no text layer); run again with --ocr to read it with "
            "Tesseract (apt-get install tesseract-ocr tesseract-ocr-vie)"
        )
    if scanned and ocr:
        import pypdfium2 as pdfium

        exe = _tesseract_cmd()
        pdoc = pdfium.PdfDocument(data)
        try:
            with tempfile.TemporaryDirectory(prefix="khplan-ocr-") as tmp:
                for pno in scanned:
                    pieces = _ocr_page(exe, pdoc[pno - 1], tmp, pno, heights[pno - 1])
                    pages_lines[pno - 1] = _group_lines(pieces)
        finally:
            pdoc.close()
        warnings.append({
            "code": "ocr_text",
            "message": f"text of page(s) {_pages(scanned)} was read by OCR (Tesseract) and may contain recognition errors",
        })
    elif scanned:
        warnings.append({
            "code": "scanned_pages",
            "message": f"page(s) {_pages(scanned)} are scanned images without text; run with --ocr to read them",
        })
    _strip_running(pages_lines, heights)
    paras = _build(pages_lines)
    return _assemble(paras, warnings)


def _pages(nums: list[int]) -> str:
    return ", ".join(str(x) for x in nums) if len(nums) <= 10 else f"{nums[0]}-{nums[-1]}"


def _margins(pages_lines):
    """Left and right edge of the text column and the usual line pitch, over the document."""
    x0s, x1s, pitches = [], [], []
    for lines in pages_lines:
        text_lines = [ln for ln in lines if ln.pieces[0].kind != "table" and len(ln.pieces) == 1]
        for ln in text_lines:
            if len(ln.pieces[0].text) >= 30:
                x0s.append(round(ln.x0))
                x1s.append(round(ln.x1))
        for a, b in zip(text_lines, text_lines[1:]):
            d = a.base - b.base
            if 0 < d < 3 * a.size and abs(a.size - b.size) < 0.5:
                pitches.append(d)
    left = min(x0s) if x0s else 0.0
    if x0s:
        # the smallest x0 shared by two or more lines (continuation lines start at the margin),
        # not a one-off outlier
        counts: dict[int, int] = {}
        for x in x0s:
            counts[x] = counts.get(x, 0) + 1
        shared = [x for x in x0s if counts.get(x, 0) + counts.get(x - 1, 0) + counts.get(x + 1, 0) >= 2]
        left = min(shared) if shared else statistics.median(x0s)
    right = max(x1s) if x1s else 1e9
    if x1s:
        # justified lines end at the right margin: the largest x1 shared by several lines
        xs = sorted(x1s)
        top = [x for x in xs if x >= xs[-1] - 2]
        right = statistics.median(top)
    pitch = statistics.median(pitches) if pitches else 0.0
    return left, right, pitch


def _body_size(pages_lines) -> float:
    weight: dict[float, int] = {}
    for lines in pages_lines:
        for ln in lines:
            if ln.pieces[0].kind == "text":
                k = round(ln.size * 2) / 2
                weight[k] = weight.get(k, 0) + sum(len(p.text) for p in ln.pieces)
    return max(weight, key=weight.get) if weight else 12.0


RE_NOTE_START = re.compile(r"^(\d{1,3})\s+\S")


def _footnote_area(lines: list[Line], body_size: float, cited: str) -> tuple[list[Line], list[Line]]:
    """Split off the footnote area at the bottom of a page: the last lines, in a smaller font than
    the body, whose first line starts with the number of a mark cited on the page ("¹")."""
    k = len(lines)
    while k > 0 and lines[k - 1].pieces[0].kind == "text" and lines[k - 1].size <= body_size - 0.8:
        k -= 1
    area = lines[k:]
    # the area starts at its first numbered line whose mark is cited
    for j, ln in enumerate(area):
        m = RE_NOTE_START.match(ln.text())
        if m and m.group(1).translate(SUPERSCRIPT) in cited:
            return lines[: k + j], area[j:]
    return lines, []


def _note_paras(area: list[Line], cited: str) -> list[Para]:
    out: list[Para] = []
    for ln in area:
        t = ln.text()
        m = RE_NOTE_START.match(t)
        if m and m.group(1).translate(SUPERSCRIPT) in cited:
            num = m.group(1)
            out.append(Para(text=num.translate(SUPERSCRIPT) + t[len(num):], page=ln.page, kind="note", lines=[ln]))
        elif out:
            out[-1].text = _join(out[-1].text, t)
            out[-1].lines.append(ln)
    return out


def _build(pages_lines) -> list[Para]:
    left, right, pitch = _margins(pages_lines)
    body_size = _body_size(pages_lines)
    blocks: list[list] = []  # ["flow", page, lines] | ["zone", page, left, right, gutter] | ["paras", page, paras]
    notes: list[Para] = []
    for pi, lines in enumerate(pages_lines):
        pno = pi + 1
        cited = "".join(ln.text() for ln in lines if any(p.sup for p in ln.pieces))
        if cited:
            lines, area = _footnote_area(lines, body_size, cited)
            notes.extend(_note_paras(area, cited))
        for kind, *rest in _zones(lines, left, right):
            if kind == "flow":
                blocks.append(["flow", pno, rest[0]])
            else:
                blocks.append(["zone", pno, rest[0], rest[1], rest[2]])
    # a side-by-side block that runs over a page break (the closing table): the next page's first
    # lines that keep to one side of its gutter belong to it
    for k in range(len(blocks) - 1):
        blk, nxt = blocks[k], blocks[k + 1]
        if blk[0] == "zone" and nxt[0] == "flow" and nxt[1] == blk[1] + 1:
            lo, hi = blk[4]
            moved = 0
            for ln in nxt[2]:
                if ln.pieces[0].kind == "text" and (ln.x1 <= hi + 1 or ln.x0 >= lo - 1) and not RE_DOCTYPE.match(ln.text().upper()):
                    (blk[2] if ln.x1 <= hi + 1 else blk[3]).append(ln)
                    moved += 1
                else:
                    break
            del nxt[2][:moved]
    paras: list[Para] = []
    flow: list[Line] = []

    def flush_flow():
        if flow:
            paras.extend(_paragraphs(list(flow), left, right, pitch))
            flow.clear()

    for blk in blocks:
        if blk[0] == "flow":
            flow.extend(blk[2])
        else:
            flush_flow()
            for col in (blk[2], blk[3]):
                first = True
                prev = None
                for ln in _join_cell_wraps(col):
                    t = ln.text()
                    if t:
                        # a new cell: the first line, a wider gap than the lines of one cell, or a
                        # header field that starts a cell of its own (number, motto, place-date)
                        new_cell = (
                            first
                            or (prev is not None and ln.page == prev.page and prev.base - ln.base > 1.6 * max(ln.size, prev.size))
                            or RE_FIELD_START.match(t) is not None
                        )
                        paras.append(Para(text=t, page=ln.page, kind="zone", sep_before="\n\n" if new_cell else "\n"))
                        first = False
                        prev = ln
    flush_flow()
    # table continued on the next page: drop the repeated header row, join a broken row
    out: list[Para] = []
    for p in paras:
        if p.kind == "table":
            rows = p.lines[0].pieces[0].rows
            prev_table = out[-1] if out and out[-1].kind == "table" else None
            if prev_table is not None and prev_table.page == p.page - 1:
                prev_rows = prev_table.lines[0].pieces[0].rows
                if rows and prev_rows and rows[0] == prev_rows[0]:
                    rows = rows[1:]
                if rows and prev_rows and not rows[0][0].strip() and len(rows[0]) == len(prev_rows[-1]):
                    prev_rows[-1] = [(a + " " + b).strip() for a, b in zip(prev_rows[-1], rows[0])]
                    rows = rows[1:]
                prev_table.extra = getattr(prev_table, "extra", []) + [(p.page, rows)]
                continue
            p.extra = []
        out.append(p)
    return _place_footnotes(out, notes)


def _all_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _join_cell_wraps(col: list[Line]) -> list[Line]:
    """Lines of one column of a side-by-side block: a line that continues the line above inside
    its cell (the cell was too narrow) is merged into it. A continuation starts at the column's
    left edge, does not start an item or a header field, and the line above reaches the
    column's right edge."""
    if len(col) < 2:
        return col
    left = min(ln.x0 for ln in col)
    right = max(ln.x1 for ln in col)
    at_left = sum(1 for ln in col if abs(ln.x0 - left) <= 0.6 * ln.size)
    if at_left * 2 < len(col):
        return col  # centred lines (issuer, motto, signature): nothing to join
    out: list[Line] = [col[0]]
    for ln in col[1:]:
        prev = out[-1]
        t = ln.text()
        if (
            ln.page == prev.page
            and abs(ln.x0 - left) <= 0.6 * ln.size
            and abs(prev.x0 - left) <= 0.6 * prev.size
            and not prev.text().endswith((";", ".", ":"))
            and not _all_caps(prev.text())
            and not _all_caps(t)
            and not _marker(t)
            and not RE_FIELD_START.match(t)
            and 0 < prev.base - ln.base <= 1.45 * prev.size
            and abs(ln.size - prev.size) <= 1.0
            and _is_full(prev, ln, right)
        ):
            merged = Line(list(prev.pieces))
            merged._text = _join(prev.text(), t)
            merged.pieces = prev.pieces + ln.pieces
            out[-1] = merged
            continue
        out.append(ln)
    return out


def _place_footnotes(paras: list[Para], notes: list[Para]) -> list[Para]:
    """Move "¹ text" paragraphs right after the paragraph citing "¹" (searching backwards)."""
    notes = notes + [p for p in paras if p.kind in ("p", "zone") and RE_FOOTNOTE.match(p.text)]
    if not notes:
        return paras
    body = [p for p in paras if not (p.kind in ("p", "zone") and RE_FOOTNOTE.match(p.text))]
    for note in notes:
        mark = re.match(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", note.text).group(1)
        note.kind = "note"
        pos = None
        # the citing paragraph: the last one before or at the note's page that contains the mark
        for k in range(len(body) - 1, -1, -1):
            b = body[k]
            if b.kind == "note" or b.page > note.page + 1:
                continue
            if b.page <= note.page and mark in b.text and not RE_FOOTNOTE.match(b.text):
                pos = k
                break
        if pos is None:
            # keep it after the last paragraph of its page
            pos = max((k for k, b in enumerate(body) if b.page <= note.page), default=len(body) - 1)
        # after the citing paragraph and any notes already placed after it
        k = pos + 1
        while k < len(body) and body[k].kind == "note":
            k += 1
        body.insert(k, note)
    return body


_SPACES = re.compile(r"[ \t]+")


def _assemble(paras: list[Para], warnings: list[dict]) -> Extracted:
    pieces: list[str] = []
    locators: list[tuple[int, dict]] = []
    pos = 0
    last_page = None

    def put(s: str, page: int | None):
        nonlocal pos, last_page
        if page is not None and page != last_page:
            locators.append((pos, {"page": page}))
            last_page = page
        pieces.append(s)
        pos += len(s)

    fix_words = _split_word_fixer([p.text for p in paras if p.kind != "table"])
    for p in paras:
        if p.kind == "table":
            blocks = [(p.page, p.lines[0].pieces[0].rows)] + list(getattr(p, "extra", []))
            first = True
            for page, rows in blocks:
                for row in rows:
                    if pieces:
                        put("\n" if not first else "\n\n", None)
                    first = False
                    cells = [c.replace("|", "/").strip() for c in row]
                    put("| " + " | ".join(cells) + " |", page)
            continue
        text = p.text
        if "\u00ad" in text or "\x02" in text or "\ufffe" in text:
            text = text.replace("\u00ad", "").replace("\x02", "-").replace("\ufffe", "-")
        text = fix_words(text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if "  " in text or "\t" in text:
            text = _SPACES.sub(" ", text)
        text = text.strip()
        if not text:
            continue
        if pieces:
            put(p.sep_before if p.kind == "zone" else "\n\n", None)
        if p.kind == "p" and p.lines and p.lines[0].page != p.lines[-1].page:
            # a paragraph running over a page break: locate the next page's part
            first_page_text = None
            acc = p.lines[0].text()
            for ln in p.lines[1:]:
                if ln.page != p.lines[0].page:
                    first_page_text = acc
                    break
                acc = _join(acc, ln.text())
            cut = len(unicodedata.normalize("NFC", fix_words(first_page_text))) if first_page_text else len(text)
            cut = min(cut, len(text))
            put(text[:cut], p.page)
            put(text[cut:], p.lines[-1].page)
        else:
            put(text, p.page)
    return Extracted(text="".join(pieces), format="pdf", encoding=None, locators=locators, warnings=warnings)
