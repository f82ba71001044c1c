"""Word (.docx) reader: the text a reader of the printed document sees, with paragraph locators.

Reads the package with :mod:`zipfile` + lxml (the XML layer python-docx itself uses) rather than
python-docx's object model: what a plan needs — auto-numbering rendered from numbering.xml,
footnotes and endnotes, text boxes (``mc:AlternateContent`` read once), content controls,
tracked changes, legacy-font runs — lies below that model, and importing and loading it costs
~95 ms per document against ~3 ms for the direct read. python-docx is used to *write* the
sample renderings.

Output (see :mod:`khplan.readers`): one paragraph per line, a blank line between paragraphs;
numbering labels written out ("II.", "1.", "1.1.", "a)", "- ", "+ "); footnotes as "¹ text"
paragraphs after the citing paragraph, endnotes as "[i] text"; data tables as ``| a | b |`` rows
(merged cells repeated or padded so columns stay aligned); layout tables (the header table
issuer | motto, number | date; the closing recipients | signature) read cell by cell, left
column first; page headers and footers are not read.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from . import Extracted
from .legacy import convert_font_text, convert_legacy_text, font_encoding
from .ooxml import OLE_MAGIC, Package, is_encrypted_ole

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
XML_NS = "http://www.w3.org/XML/1998/namespace"

REL_BASE = "/relationships/"
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# relationship types whose external targets would pull content into the document
_EXTERNAL_CONTENT = ("subDocument", "aFChunk", "attachedTemplate", "oleObject", "image", "frame", "package")

RE_DOCTYPE_LINE = re.compile(
    r"^(KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|CÔNG VĂN|BÁO CÁO|TỜ TRÌNH|NGHỊ QUYẾT|CHƯƠNG TRÌNH|ĐỀ ÁN|HƯỚNG DẪN|KẾ HOẠCH LIÊN TỊCH)$"
)
RE_LAYOUT_CUE = re.compile(
    r"(CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐỘC LẬP|Số:|Số\s*\d|ỦY BAN|UỶ BAN|UBND|Nơi nhận|CHỦ TỊCH|TM\.|KT\.|GIÁM ĐỐC|ngày\s.*tháng)"
)
RE_DATA_HEADER = re.compile(r"(?i)\b(STT|TT|nội dung|nhiệm vụ|cơ quan|thời gian|sản phẩm|đơn vị)\b")


def _roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int, alphabet: str) -> str:
    if n <= 0:
        return ""
    k = len(alphabet)
    return alphabet[(n - 1) % k] * ((n - 1) // k + 1)


def _on(el, w) -> bool:
    """A boolean property element (<w:b/>, <w:caps w:val="0"/>)."""
    if el is None:
        return False
    v = el.get(w + "val")
    return v is None or v.lower() not in ("0", "false", "off")


class _Level:
    __slots__ = ("start", "fmt", "text", "restart", "legal", "pstyle")

    def __init__(self, start=1, fmt="decimal", text="%1.", restart=None, legal=False, pstyle=None):
        self.start, self.fmt, self.text, self.restart, self.legal, self.pstyle = start, fmt, text, restart, legal, pstyle


class _Numbering:
    """numbering.xml: abstract definitions, instances, overrides; renders labels with counters."""

    def __init__(self, root, w: str, styles: "_Styles", vietnamese: bool):
        self.w = w
        self.abstract: dict[str, dict] = {}
        self.nums: dict[str, dict] = {}
        self.vietnamese = vietnamese
        self.state: dict = {}
        if root is None:
            return
        for a in root.findall(w + "abstractNum"):
            aid = a.get(w + "abstractNumId")
            levels = {}
            for lvl in a.findall(w + "lvl"):
                levels[int(lvl.get(w + "ilvl", "0"))] = self._level(lvl)
            link = a.find(w + "numStyleLink")
            self.abstract[aid] = {"levels": levels, "link": link.get(w + "val") if link is not None else None}
        for n in root.findall(w + "num"):
            nid = n.get(w + "numId")
            a = n.find(w + "abstractNumId")
            overrides = {}
            for o in n.findall(w + "lvlOverride"):
                ilvl = int(o.get(w + "ilvl", "0"))
                so = o.find(w + "startOverride")
                lvl = o.find(w + "lvl")
                overrides[ilvl] = (
                    int(so.get(w + "val", "1")) if so is not None else None,
                    self._level(lvl) if lvl is not None else None,
                )
            self.nums[nid] = {"abstract": a.get(w + "val") if a is not None else None, "overrides": overrides}
        # numbering styles: an abstractNum with numStyleLink takes its levels from the list the
        # numbering style points to
        for aid, a in self.abstract.items():
            if a["link"]:
                nid = styles.num_of(a["link"])[0]
                target = self.nums.get(nid or "", {}).get("abstract")
                if target and target in self.abstract and target != aid:
                    a["levels"] = self.abstract[target]["levels"]
                    a["alias"] = target

    def _level(self, lvl) -> _Level:
        w = self.w

        def val(tag, default=None):
            e = lvl.find(w + tag)
            return e.get(w + "val", default) if e is not None else default

        start = val("start", "1")
        restart = val("lvlRestart")
        lt = lvl.find(w + "lvlText")
        return _Level(
            start=int(start) if str(start).lstrip("-").isdigit() else 1,
            fmt=val("numFmt", "decimal"),
            text=lt.get(w + "val", "") if lt is not None else "",
            restart=int(restart) if restart is not None and restart.isdigit() else None,
            legal=lvl.find(w + "isLgl") is not None and _on(lvl.find(w + "isLgl"), w),
            pstyle=val("pStyle"),
        )

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        a = self.abstract.get(self.nums.get(num_id, {}).get("abstract") or "")
        if not a:
            return None
        for ilvl, lvl in a["levels"].items():
            if lvl.pstyle == style_id:
                return ilvl
        return None

    def _lvl(self, num: dict, ilvl: int) -> _Level | None:
        o = num["overrides"].get(ilvl)
        if o and o[1] is not None:
            return o[1]
        a = self.abstract.get(num["abstract"] or "")
        if not a:
            return None
        return a["levels"].get(ilvl)

    def _start(self, num: dict, ilvl: int) -> int:
        o = num["overrides"].get(ilvl)
        if o and o[0] is not None:
            return o[0]
        lvl = self._lvl(num, ilvl)
        return lvl.start if lvl else 1

    def _fmt(self, n: int, fmt: str) -> str:
        if fmt in ("decimal", "decimalFullWidth", "decimalHalfWidth", "ordinal", "cardinalText", "ordinalText"):
            return str(n)
        if fmt == "decimalZero":
            return f"{n:02d}"
        if fmt == "upperRoman":
            return _roman(n)
        if fmt == "lowerRoman":
            return _roman(n).lower()
        if fmt == "lowerLetter":
            return _letters(n, VIETNAMESE_LETTERS if self.vietnamese else LATIN_LETTERS)
        if fmt == "upperLetter":
            return _letters(n, VIETNAMESE_LETTERS if self.vietnamese else LATIN_LETTERS).upper()
        if fmt == "none":
            return ""
        return str(n)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counters for an item (num_id, ilvl) and return its label ("1.2. ", "- ")."""
        num = self.nums.get(num_id)
        if num is None or num["abstract"] not in self.abstract:
            return None
        lvl = self._lvl(num, ilvl)
        if lvl is None:
            return None
        a = self.abstract[num["abstract"]]
        # instances without overrides continue their abstract list (as Word does)
        key = num_id if num["overrides"] else ("abstract", a.get("alias", num["abstract"]))
        counters = self.state.setdefault(key, [None] * 9)
        if lvl.fmt == "bullet":
            glyph = lvl.text.strip()
            return self._bullet(glyph, a, ilvl) + " "
        if not 0 <= ilvl < 9:
            return None
        counters[ilvl] = self._start(num, ilvl) if counters[ilvl] is None else counters[ilvl] + 1
        for k in range(ilvl + 1, 9):
            lk = self._lvl(num, k)
            restart = lk.restart if lk else None
            if restart is None or (restart > 0 and ilvl <= restart - 1):
                counters[k] = None
        text = lvl.text

        def sub(m):
            k = int(m.group(1)) - 1
            if not 0 <= k < 9:
                return ""
            lk = self._lvl(num, k)
            value = counters[k] if counters[k] is not None else self._start(num, k)
            fmt = "decimal" if (lvl.legal and k != ilvl) else (lk.fmt if lk else "decimal")
            return self._fmt(value, fmt)

        rendered = re.sub(r"%(\d)", sub, text).strip()
        if not rendered:
            return ""
        return rendered + " "

    @staticmethod
    def _bullet(glyph: str, a: dict, ilvl: int) -> str:
        if glyph in ("-", "–", "—", "−", "‐", "‑", "\uf02d"):
            return "-"
        if glyph in ("+", "\uf02b"):
            return "+"
        if glyph == "*":
            return "*"
        rank = sum(1 for k, lv in a["levels"].items() if k < ilvl and lv.fmt == "bullet")
        return "-" if rank == 0 else "+"


class _Styles:
    def __init__(self, root, w: str):
        self.w = w
        self.styles: dict[str, dict] = {}
        self.default_para = None
        self.default_font = None
        if root is None:
            return
        dd = root.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr/{w}rFonts")
        if dd is not None:
            self.default_font = dd.get(w + "ascii") or dd.get(w + "hAnsi")
        for s in root.findall(w + "style"):
            sid = s.get(w + "styleId")
            based = s.find(w + "basedOn")
            ppr = s.find(w + "pPr")
            numpr = ppr.find(w + "numPr") if ppr is not None else None
            num = None
            if numpr is not None:
                nid = numpr.find(w + "numId")
                il = numpr.find(w + "ilvl")
                num = (nid.get(w + "val") if nid is not None else None, int(il.get(w + "val", "0")) if il is not None else None)
            rpr = s.find(w + "rPr")
            font = caps = vanish = None
            if rpr is not None:
                rf = rpr.find(w + "rFonts")
                if rf is not None:
                    font = rf.get(w + "ascii") or rf.get(w + "hAnsi")
                c = rpr.find(w + "caps")
                caps = _on(c, w) if c is not None else None
                v = rpr.find(w + "vanish")
                vanish = _on(v, w) if v is not None else None
            self.styles[sid] = {
                "type": s.get(w + "type"),
                "based": based.get(w + "val") if based is not None else None,
                "num": num,
                "font": font,
                "caps": caps,
                "vanish": vanish,
            }
            if s.get(w + "type") == "paragraph" and s.get(w + "default") in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield sid, self.styles[sid]
            sid = self.styles[sid]["based"]

    def num_of(self, sid: str | None) -> tuple[str | None, int | None]:
        for _, s in self.chain(sid):
            if s["num"] is not None:
                return s["num"]
        return (None, None)

    def prop(self, sid: str | None, name: str):
        for _, s in self.chain(sid):
            if s[name] is not None:
                return s[name]
        return None


def _without_table_styles(data: bytes) -> bytes:
    """styles.xml without its table styles (often most of the part: Word's default template has
    ~300 KB of them), which the reader never uses; cut at the byte level before parsing."""
    parts = data.split(b"<w:style ")
    if len(parts) < 2:
        return data
    out = [parts[0]]
    for part in parts[1:]:
        if part.startswith(b'w:type="table"'):
            end = part.rfind(b"</w:style>")
            if end < 0:
                return data  # not the layout expected: parse everything
            out.append(b"\x00" + part[end + len(b"</w:style>"):])
        else:
            out.append(part)
    return b"<w:style ".join(out).replace(b"<w:style \x00", b"")


class _Line:
    __slots__ = ("text", "loc", "kind", "notes", "legacy")

    def __init__(self, text, loc, kind="p", notes=None, legacy=None):
        self.text = text
        self.loc = loc
        self.kind = kind  # p | row | cell (layout-table cell line) | note
        self.notes = notes or []
        self.legacy = legacy


class _DocxReader:
    def __init__(self, pkg: Package, path: str):
        self.pkg = pkg
        self.path = path
        self.warnings: list[dict] = []
        self.legacy_seen: dict[str, int] = {}
        self.para_index = 0
        self.table_index = 0
        self.footnote_counter = 0
        self.endnote_counter = 0
        self.header_zone = True
        self.header_paras = 0

    # -- package -------------------------------------------------------------------------
    def open(self):
        pkg = self.pkg
        main = None
        for rel in pkg.rels(""):
            if rel["type"].endswith("/officeDocument") and not rel["external"]:
                main = rel["target"]
        if main is None:
            if pkg.has("word/document.xml"):
                main = "word/document.xml"
            elif pkg.has("xl/workbook.xml"):
                raise InputError(f"{self.path}: this is an Excel workbook, not a Word document")
            elif pkg.has("ppt/presentation.xml"):
                raise InputError(f"{self.path}: this is a PowerPoint file, not a Word document")
            else:
                raise InputError(f"{self.path}: not a Word document (no word/document.xml in the archive)")
        if not pkg.has(main):
            raise InputError(f"{self.path}: not a valid Word document ('{main}' is missing)")
        self.root = pkg.xml(main)
        ns = self.root.tag[1:].split("}")[0] if self.root.tag.startswith("{") else ""
        if ns not in (W_MAIN, W_STRICT):
            raise InputError(f"{self.path}: not a Word document (unexpected main part '{main}')")
        self.W = "{" + ns + "}"
        self.rels = {}
        parts = {}
        external = []
        for rel in pkg.rels(main):
            kind = rel["type"].rsplit("/", 1)[-1]
            self.rels[rel["id"]] = rel
            if rel["external"]:
                if kind in _EXTERNAL_CONTENT:
                    external.append(f"{kind} -> {rel['target'][:80]}")
                continue
            parts.setdefault(kind, rel["target"])
        if external:
            self.warnings.append({
                "code": "external_content",
                "message": "the document refers to external content that was not fetched: " + "; ".join(sorted(set(external))[:5]),
            })
        self.styles = _Styles(self._part(parts.get("styles"), _without_table_styles), self.W)
        self._numbering_root = self._part(parts.get("numbering"))
        self.footnotes = self._notes(self._part(parts.get("footnotes")), "footnote")
        self.endnotes = self._notes(self._part(parts.get("endnotes")), "endnote")
        self.endnote_fmt = "lowerRoman"
        settings = self._part(parts.get("settings"))
        if settings is not None:
            f = settings.find(f"{self.W}endnotePr/{self.W}numFmt")
            if f is not None:
                self.endnote_fmt = f.get(self.W + "val", "lowerRoman")

    def _part(self, target, prepare=None):
        if not target or not self.pkg.has(target):
            return None
        return self.pkg.xml(target, prepare)

    def _notes(self, root, tag):
        out = {}
        if root is None:
            return out
        for n in root.findall(self.W + tag):
            t = n.get(self.W + "type")
            if t in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            out[n.get(self.W + "id")] = n
        return out

    # -- text of runs ----------------------------------------------------------------------
    def _vietnamese_letters(self) -> bool:
        """Vietnamese lettering (a b c d đ e g …) for lowerLetter lists when the text uses đ:
        typed list letters decide (a typed "đ)" -> yes; a typed "e)" after "d)" and no "đ" -> no);
        otherwise any "đ" in the document."""
        W = self.W
        typed = []
        has_d = False
        for p in self.root.iter(W + "p"):
            t = "".join(x.text or "" for x in p.iter(W + "t")).strip()
            if not t:
                continue
            if "đ" in t or "Đ" in t:
                has_d = True
            m = re.match(r"^(?:-\s*)?([a-zđ])\)", t)
            if m:
                typed.append(m.group(1))
        if "đ" in typed:
            return True
        if "e" in typed and "d" in typed and not has_d:
            return False
        if has_d:
            return True
        # legacy-font documents: đ is "®" (TCVN3) or "ñ" (VNI)
        return False

    def run_font(self, rpr, pstyle):
        W = self.W
        font = None
        if rpr is not None:
            rf = rpr.find(W + "rFonts")
            if rf is not None:
                font = rf.get(W + "ascii") or rf.get(W + "hAnsi")
            if font is None:
                rs = rpr.find(W + "rStyle")
                if rs is not None:
                    font = self.styles.prop(rs.get(W + "val"), "font")
        if font is None:
            font = self.styles.prop(pstyle, "font")
        if font is None:
            font = self.styles.default_font
        return font

    def run_flag(self, rpr, pstyle, tag, prop):
        W = self.W
        if rpr is not None:
            e = rpr.find(W + tag)
            if e is not None:
                return _on(e, W)
            rs = rpr.find(W + "rStyle")
            if rs is not None:
                v = self.styles.prop(rs.get(W + "val"), prop)
                if v is not None:
                    return v
        v = self.styles.prop(pstyle, prop)
        return bool(v)

    def para_content(self, p, pstyle):
        """Text of a paragraph's runs: (segments, note markers, text boxes)."""
        segs: list[tuple[str, tuple | None]] = []  # (text, legacy key)
        notes: list[tuple[str, str, str]] = []  # (kind, id, marker)
        boxes: list = []
        self._walk(p, pstyle, segs, notes, boxes, in_field=[False])
        return segs, notes, boxes

    def _walk(self, el, pstyle, segs, notes, boxes, in_field):
        W = self.W
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == W + "r":
                self._run(child, pstyle, segs, notes, boxes, in_field)
            elif tag in (W + "hyperlink", W + "smartTag", W + "customXml", W + "ins", W + "moveTo", W + "fldSimple",
                         W + "dir", W + "bdo", W + "sdtContent"):
                self._walk(child, pstyle, segs, notes, boxes, in_field)
            elif tag == W + "sdt":
                c = child.find(W + "sdtContent")
                if c is not None:
                    self._walk(c, pstyle, segs, notes, boxes, in_field)
            elif tag == f"{{{MC}}}AlternateContent":
                self._walk(self._alternate(child), pstyle, segs, notes, boxes, in_field)
            elif tag == f"{{{M_MATH}}}oMath" or tag == f"{{{M_MATH}}}oMathPara":
                segs.append(("".join(t.text or "" for t in child.iter(f"{{{M_MATH}}}t")), None))
            # w:del, w:moveFrom, w:pPr, bookmarks, comments, proofErr: nothing printed

    def _alternate(self, ac):
        choice = ac.find(f"{{{MC}}}Choice")
        if choice is not None and len(choice):
            return choice
        fb = ac.find(f"{{{MC}}}Fallback")
        return fb if fb is not None else ac

    def _run(self, r, pstyle, segs, notes, boxes, in_field):
        W = self.W
        rpr = r.find(W + "rPr")
        hidden = self.run_flag(rpr, pstyle, "vanish", "vanish") or (rpr is not None and _on(rpr.find(W + "webHidden"), W))
        caps = self.run_flag(rpr, pstyle, "caps", "caps")
        enc = font_encoding(self.run_font(rpr, pstyle))
        key = (enc[0], enc[1] or caps) if enc else (None, caps)
        buf = []

        def flush():
            if buf:
                segs.append(("".join(buf), key))
                buf.clear()

        for c in r:
            tag = c.tag
            if not isinstance(tag, str):
                continue
            if tag == W + "fldChar":
                t = c.get(W + "fldCharType")
                if t == "begin":
                    in_field[0] = True
                elif t in ("separate", "end"):
                    in_field[0] = False
                continue
            if in_field[0]:
                continue  # field instructions
            if tag == W + "t":
                if not hidden:
                    buf.append(c.text or "")
            elif tag in (W + "tab", W + "ptab"):
                if not hidden:
                    buf.append("\t")
            elif tag in (W + "br", W + "cr"):
                if not hidden:
                    buf.append("\n")
            elif tag == W + "noBreakHyphen":
                buf.append("-")
            elif tag == W + "sym":
                ch = c.get(W + "char") or ""
                try:
                    code = int(ch, 16)
                except ValueError:
                    continue
                if code >= 0xF000:
                    code -= 0xF000
                font = (c.get(W + "font") or "").lower()
                if 0x20 <= code < 0x7F and "symbol" not in font and "wingding" not in font and "webding" not in font:
                    buf.append(chr(code))
                elif code in (0x2D, 0xB7, 0xA7, 0x2B):
                    buf.append({0x2D: "-", 0xB7: "-", 0xA7: "-", 0x2B: "+"}[code])
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                flush()
                kind = "footnote" if tag == W + "footnoteReference" else "endnote"
                custom = c.get(W + "customMarkFollows") in ("1", "true", "on")
                nid = c.get(W + "id")
                if kind == "footnote":
                    self.footnote_counter += 0 if custom else 1
                    marker = None if custom else str(self.footnote_counter).translate(SUPERSCRIPT_DIGITS)
                else:
                    self.endnote_counter += 0 if custom else 1
                    marker = None if custom else "[" + self._endnote_label(self.endnote_counter) + "]"
                if marker:
                    segs.append((marker, None))
                notes.append((kind, nid, marker))
            elif tag in (W + "drawing", W + "pict", W + "object") or tag == f"{{{MC}}}AlternateContent":
                self._boxes(c, boxes)
        flush()
        if notes and notes[-1][2] is None and segs:
            # customMarkFollows: the mark is the text of the following run(s); set later
            pass

    def _endnote_label(self, n: int) -> str:
        f = self.endnote_fmt
        if f == "lowerRoman":
            return _roman(n).lower()
        if f == "upperRoman":
            return _roman(n)
        if f == "lowerLetter":
            return _letters(n, LATIN_LETTERS)
        if f == "upperLetter":
            return _letters(n, LATIN_LETTERS).upper()
        return str(n)

    def _boxes(self, el, boxes):
        """Text-box contents (w:txbxContent) under a drawing, in order, once per AlternateContent
        (the DrawingML choice and its VML fallback hold the same text)."""
        W = self.W
        if el.tag == f"{{{MC}}}AlternateContent":
            el = self._alternate(el)
        for c in el:
            if not isinstance(c.tag, str):
                continue
            if c.tag == W + "txbxContent":
                boxes.append(c)  # nested boxes are read when this box's blocks are read
            elif c.tag == f"{{{MC}}}AlternateContent":
                self._boxes(c, boxes)
            else:
                self._boxes(c, boxes)

    # -- paragraphs --------------------------------------------------------------------------
    def para_style(self, p):
        W = self.W
        ppr = p.find(W + "pPr")
        sid = None
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            if ps is not None:
                sid = ps.get(W + "val")
        return ppr, sid or self.styles.default_para

    def numbering_label(self, ppr, sid) -> str:
        W = self.W
        num_id = ilvl = None
        if ppr is not None:
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                n = numpr.find(W + "numId")
                i = numpr.find(W + "ilvl")
                if n is not None:
                    num_id = n.get(W + "val")
                if i is not None:
                    try:
                        ilvl = int(i.get(W + "val", "0"))
                    except ValueError:
                        ilvl = 0
        if num_id is None:
            s_num, s_ilvl = self.styles.num_of(sid)
            num_id = s_num
            if ilvl is None:
                ilvl = s_ilvl
                if ilvl is None and num_id is not None and sid:
                    ilvl = self.numbering.level_for_style(num_id, sid)
        if not num_id or num_id == "0":
            return ""
        return self.numbering.label(num_id, ilvl or 0) or ""

    def paragraph(self, p, loc_extra=None):
        """One paragraph -> (text, locator, notes, text boxes)."""
        self.para_index += 1
        ppr, sid = self.para_style(p)
        segs, notes, boxes = self.para_content(p, sid)
        label = self.numbering_label(ppr, sid)
        text = self._segments_text(segs)
        if label and text.strip():
            text = label + text.lstrip()
        elif label and not text.strip():
            text = ""
        loc = {"paragraph": self.para_index}
        if loc_extra:
            loc.update(loc_extra)
        return text, loc, notes, boxes

    def _segments_text(self, segs) -> str:
        out = []
        i = 0
        while i < len(segs):
            text, key = segs[i]
            if key is None or key[0] is None:
                caps = key[1] if key else False
                out.append(text.upper() if caps else text)
                i += 1
                continue
            # join neighbouring runs of the same legacy font before converting (VNI marks
            # follow their base letter and may sit in the next run)
            j = i + 1
            buf = [text]
            while j < len(segs) and segs[j][1] == key:
                buf.append(segs[j][0])
                j += 1
            raw = "".join(buf)
            conv = convert_font_text(raw, key[0], capitals=bool(key[1]))
            if conv != raw:
                self.legacy_seen[key[0]] = self.legacy_seen.get(key[0], 0) + 1
            out.append(conv)
            i = j
        return "".join(out)

    # -- notes -------------------------------------------------------------------------------
    def note_lines(self, notes, cite_loc) -> list[_Line]:
        out = []
        for kind, nid, marker in notes:
            store = self.footnotes if kind == "footnote" else self.endnotes
            el = store.get(nid)
            if el is None:
                continue
            texts = []
            for p in el.iter(self.W + "p"):
                ppr, sid = self.para_style(p)
                segs, _, _ = self.para_content(p, sid)
                texts.append(self._segments_text(segs))
            body = _clean(" ".join(t for t in texts if t.strip()))
            if not body:
                continue
            mark = marker or "*"
            loc = dict(cite_loc)
            loc[kind] = int(nid) if (nid or "").lstrip("-").isdigit() else nid
            out.append(_Line(f"{mark} {body}".strip() if mark else body, loc, kind="note"))
        return out

    # -- blocks ------------------------------------------------------------------------------
    def blocks(self, parent, out: list[_Line]):
        W = self.W
        for el in parent:
            tag = el.tag
            if tag == W + "p":
                self.emit_paragraph(el, out)
            elif tag == W + "tbl":
                self.emit_table(el, out)
            elif tag == W + "sdt":
                c = el.find(W + "sdtContent")
                if c is not None:
                    self.blocks(c, out)
            elif tag in (W + "customXml", W + "ins", W + "moveTo"):
                self.blocks(el, out)
            elif tag == f"{{{MC}}}AlternateContent":
                self.blocks(self._alternate(el), out)
            elif tag == W + "altChunk":
                self.warnings.append({"code": "embedded_content", "message": "an embedded document (altChunk) was not read"})

    def emit_paragraph(self, p, out: list[_Line]):
        text, loc, notes, boxes = self.paragraph(p)
        text = _clean(text, keep_newlines=True)
        if self.header_zone:
            # the header zone ends at the document-type line ("KẾ HOẠCH"), or after a dozen
            # paragraphs in a document without one
            self.header_paras += 1 if text else 0
            if RE_DOCTYPE_LINE.match(text.replace("\t", " ").strip().upper()) or self.header_paras > 12:
                self.header_zone = False
        if text:
            if self.header_zone and "\t" in text:
                parts = [x.strip() for x in re.split(r"\t+", text) if x.strip()]
                for k, part in enumerate(parts):
                    out.append(_Line(part, loc, kind="cell"))
                out[-1].notes = self.note_lines(notes, loc)
            else:
                out.append(_Line(_tabs(text), loc, notes=self.note_lines(notes, loc)))
        elif notes:
            out.extend(self.note_lines(notes, loc))
        for k, box in enumerate(boxes, 1):
            sub: list[_Line] = []
            self.blocks(box, sub)
            for line in sub:
                line.loc = dict(line.loc, textbox=k)
            out.extend(sub)

    def cell_paragraphs(self, tc, loc_extra) -> list[tuple[str, dict, list]]:
        """Paragraphs of a table cell (nested tables flattened): (text, loc, note lines)."""
        W = self.W
        items = []
        for el in tc:
            if el.tag == W + "p":
                text, loc, notes, boxes = self.paragraph(el, loc_extra)
                text = _tabs(_clean(text))
                note_lines = self.note_lines(notes, loc)
                if text:
                    items.append((text, loc, note_lines))
                elif note_lines:
                    items.append(("", loc, note_lines))
                for box in boxes:
                    sub: list[_Line] = []
                    self.blocks(box, sub)
                    items.extend((ln.text, ln.loc, ln.notes) for ln in sub if ln.text)
            elif el.tag == W + "tbl":
                self.table_index += 1
                for tr in el.iter(W + "tr"):
                    for tc2 in tr.findall(W + "tc"):
                        items.extend(self.cell_paragraphs(tc2, loc_extra))
            elif el.tag in (W + "sdt", W + "customXml"):
                c = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if c is not None:
                    items.extend(self.cell_paragraphs(c, loc_extra))
        return items

    def _rows(self, tbl):
        W = self.W
        rows = []
        for tr in tbl:
            if tr.tag == W + "tr":
                rows.append(tr)
            elif tr.tag in (W + "sdt", W + "customXml"):
                c = tr.find(W + "sdtContent") if tr.tag == W + "sdt" else tr
                if c is not None:
                    rows.extend(self._rows(c))
        return rows

    def _cells(self, tr):
        W = self.W
        cells = []
        for tc in tr:
            if tc.tag == W + "tc":
                cells.append(tc)
            elif tc.tag in (W + "sdt", W + "customXml"):
                c = tc.find(W + "sdtContent") if tc.tag == W + "sdt" else tc
                if c is not None:
                    cells.extend(self._cells(c))
        return cells

    def emit_table(self, tbl, out: list[_Line]):
        W = self.W
        self.table_index += 1
        t_index = self.table_index
        grid: list[list[dict]] = []  # rows of cells: {"items", "span", "vmerge", "col"}
        for r_i, tr in enumerate(self._rows(tbl), 1):
            row = []
            col = 0
            trpr = tr.find(W + "trPr")
            before = 0
            if trpr is not None:
                gb = trpr.find(W + "gridBefore")
                if gb is not None and (gb.get(W + "val") or "0").isdigit():
                    before = int(gb.get(W + "val"))
            col += before
            for c_i, tc in enumerate(self._cells(tr), 1):
                tcpr = tc.find(W + "tcPr")
                span, vmerge = 1, None
                if tcpr is not None:
                    gs = tcpr.find(W + "gridSpan")
                    if gs is not None and (gs.get(W + "val") or "1").isdigit():
                        span = max(1, int(gs.get(W + "val")))
                    vm = tcpr.find(W + "vMerge")
                    if vm is not None:
                        vmerge = vm.get(W + "val") or "continue"
                    hm = tcpr.find(W + "hMerge")
                    if hm is not None and (hm.get(W + "val") or "continue") == "continue":
                        span = 0  # legacy horizontal merge: part of the previous cell
                loc = {"table": t_index, "row": r_i, "cell": c_i}
                items = self.cell_paragraphs(tc, loc)
                row.append({"items": items, "span": span, "vmerge": vmerge, "col": col, "loc": loc})
                col += span
            grid.append(row)
        if not grid:
            return
        if self._is_layout(grid):
            self._emit_layout(grid, out)
        else:
            self._emit_data(grid, out)

    def _is_layout(self, grid) -> bool:
        ncols = max(len(r) for r in grid)
        if len(grid) > 4 or ncols > 3:
            return False
        texts = [it[0] for row in grid for cell in row for it in cell["items"]]
        first_row = " ".join(it[0] for cell in grid[0] for it in cell["items"])
        if len(grid) > 1 and RE_DATA_HEADER.search(first_row) and not RE_LAYOUT_CUE.search(first_row):
            return False
        if self.header_zone:
            return True
        return any(RE_LAYOUT_CUE.search(t) for t in texts)

    def _emit_layout(self, grid, out):
        """Header/closing table: each cell's paragraphs as lines, left column first."""
        columns: dict[int, list] = {}
        for row in grid:
            for cell in row:
                if cell["vmerge"] == "continue" or cell["span"] == 0:
                    continue
                columns.setdefault(cell["col"], []).append(cell)
        for col in sorted(columns):
            for cell in columns[col]:
                for text, loc, notes in cell["items"]:
                    for part in text.split("\n"):
                        part = part.strip()
                        if part:
                            if self.header_zone and RE_DOCTYPE_LINE.match(part.upper()):
                                self.header_zone = False
                            out.append(_Line(part, loc, kind="cell"))
                    if notes and out:
                        out[-1].notes.extend(notes)
                if out and out[-1].kind == "cell":
                    out[-1].kind = "cell-end"

    def _emit_data(self, grid, out):
        ncols = max(sum(max(1, c["span"]) for c in row) + (row[0]["col"] if row else 0) for row in grid)
        above: dict[int, dict] = {}  # column -> last restarting cell (for vMerge)
        for row in grid:
            cells_by_col: list[tuple[str, dict | None, list]] = [("", None, [])] * ncols
            cells_by_col = list(cells_by_col)
            for cell in row:
                col = cell["col"]
                if cell["span"] == 0:
                    continue
                if cell["vmerge"] == "continue" and col in above:
                    src = above[col]
                else:
                    src = cell
                    if cell["vmerge"] == "restart":
                        above[col] = cell
                    else:
                        above.pop(col, None)
                text = " / ".join(t for t, _, _ in src["items"] if t).replace("\n", " / ").replace("|", "/")
                notes = [n for _, _, ns in cell["items"] for n in ns] if src is cell else []
                if col < ncols:
                    loc = src["items"][0][1] if src["items"] else cell["loc"]
                    cells_by_col[col] = (text, loc, notes)
            # one line per row: "| a | b |"; locators point at each cell
            if not any(t for t, _, _ in cells_by_col):
                continue
            out.append(_Line(None, None, kind="row", notes=[]))
            out[-1].text = cells_by_col
            out[-1].notes = [n for _, _, ns in cells_by_col for n in ns]
        if out and out[-1].kind == "row":
            out[-1].kind = "row-end"

    # -- assemble ------------------------------------------------------------------------------
    def read(self) -> Extracted:
        self.open()
        self.numbering = _Numbering(self._numbering_root, self.W, self.styles, self._vietnamese_letters())
        body = self.root.find(self.W + "body")
        if body is None:
            raise InputError(f"{self.path}: not a valid Word document (no document body)")
        lines: list[_Line] = []
        self.blocks(body, lines)
        return self.assemble(lines)

    def assemble(self, lines: list[_Line]) -> Extracted:
        # text that is legacy-encoded without a legacy font name (fonts lost in conversion)
        plain = "\n".join(
            ln.text if isinstance(ln.text, str) else " ".join(t for t, _, _ in ln.text) for ln in lines
        )
        undeclared = convert_legacy_text(plain)
        encoding = None
        if undeclared is not None:
            enc = undeclared[1]
            self.legacy_seen[enc] = self.legacy_seen.get(enc, 0) + 1
            from .legacy import tcvn3_to_unicode, vni_to_unicode, _as_latin1

            conv = tcvn3_to_unicode if enc == "tcvn3" else vni_to_unicode

            def fix(s):
                return conv(_as_latin1(s) or s)
        else:
            fix = None
        if self.legacy_seen:
            encoding = max(self.legacy_seen, key=self.legacy_seen.get)
            self.warnings.append({
                "code": "legacy_encoding",
                "message": f"text in a legacy Vietnamese encoding ({encoding.upper()}) was converted to Unicode",
            })
        pieces: list[str] = []
        locators: list[tuple[int, dict]] = []
        pos = 0

        def put(s: str, loc: dict | None):
            nonlocal pos
            if loc is not None and (not locators or locators[-1][1] != loc):
                locators.append((pos, loc))
            pieces.append(s)
            pos += len(s)

        def norm(s: str) -> str:
            if fix is not None:
                s = fix(s)
            return unicodedata.normalize("NFC", s)

        prev_kind = None
        for ln in lines:
            kind = ln.kind
            if pieces:
                # a blank line between paragraphs; table rows and the lines of one layout cell
                # follow each other directly
                if kind == "row" or kind == "row-end":
                    sep = "\n" if prev_kind == "row" else "\n\n"
                elif kind in ("cell", "cell-end"):
                    sep = "\n" if prev_kind == "cell" else "\n\n"
                else:
                    sep = "\n\n"
                put(sep, None)
            if kind in ("row", "row-end"):
                put("|", ln.text[0][1] if ln.text and ln.text[0][1] else None)
                for text, loc, _ in ln.text:
                    put(" ", None)
                    if text:
                        put(norm(text), loc)
                    put(" |", None)
            else:
                put(norm(ln.text), ln.loc)
            for note in ln.notes:
                put("\n\n", None)
                put(norm(note.text), note.loc)
                kind = "note"
            prev_kind = kind
        text = "".join(pieces)
        return Extracted(text=text, format="docx", encoding=encoding, locators=locators, warnings=self.warnings)


_WS = re.compile(r"[ \u00a0\u2002\u2003\u2009\u200b\u202f\ufeff]+")


def _clean(s: str, keep_newlines: bool = True) -> str:
    s = s.replace("\r", "\n").replace("\u00ad", "")
    lines = [_WS.sub(" ", x).strip(" ") for x in s.split("\n")]
    lines = [x for x in lines if x.strip()]
    return "\n".join(lines) if keep_newlines else " ".join(lines)


def _tabs(s: str) -> str:
    return re.sub(r"[ \t]+", " ", s).strip()


def read_docx(data: bytes, path: str) -> Extracted:
    """Read a .docx (or .docm) file. Raises InputError (one line) when it cannot be read."""
    if data.startswith(OLE_MAGIC):
        if is_encrypted_ole(data):
            raise InputError(f"{path}: the Word document is encrypted (password-protected); save it without a password")
        from .doc import read_doc_bytes

        return read_doc_bytes(data, path)
    if not data.startswith(b"PK"):
        raise InputError(f"{path}: not a valid Word document (not a zip archive)")
    pkg = Package(data, path, "Word document")
    return _DocxReader(pkg, path).read()
