"""HTML reader: a plan saved from a portal page (stdlib :mod:`html.parser`).

Block elements (p, div, h1-h6, li, br, tr …) end paragraphs; list items get "- " (or "1. " in an
ordered list) unless their text already starts with a label; tables become ``| a | b |`` rows;
script, style, nav, header/footer, forms and comments are dropped. Paragraph locators give the
1-based block index.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..errors import InputError
from . import Extracted, finish_text

_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "address", "center", "dl", "dt", "dd", "figure", "figcaption", "ul", "ol", "table", "body", "html",
}
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "form", "select", "button", "iframe", "svg", "object", "canvas"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "param", "source", "track", "wbr"}
_LABEL = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+*•–])\s")


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.lists: list[list] = []  # [kind, counter]
        self.table: list[list[str]] | None = None
        self.tables: list = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.li_prefix: str | None = None

    # text -------------------------------------------------------------------------------
    def _target(self):
        return self.cell if self.cell is not None else self.cur

    def handle_data(self, data):
        if self.skip:
            return
        self._target().append(data)

    def flush(self):
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(self.cur)).strip()
        self.cur = []
        if text:
            if self.li_prefix is not None:
                if not _LABEL.match(text):
                    text = self.li_prefix + text
                self.li_prefix = None
            self.blocks.append(text)

    # tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            if self.cell is not None:
                self.cell.append(" / ")
            else:
                self.flush()
            return
        if tag in ("td", "th"):
            if self.row is None:
                self.row = []
            self.cell = []
            return
        if tag == "tr":
            self.row = []
            return
        if tag == "table":
            self.flush()
            self.table = []
            return
        if tag in ("ul", "ol"):
            self.flush()
            self.lists.append([tag, 0])
            return
        if tag == "li":
            self.flush()
            if self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                depth = len(self.lists)
                self.li_prefix = f"{kind[1]}. " if kind[0] == "ol" else ("- " if depth == 1 else "+ ")
            else:
                self.li_prefix = "- "
            return
        if tag in _BLOCK and self.cell is None:
            self.flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            if self.skip:
                self.skip -= 1
            return
        if self.skip:
            return
        if tag in ("td", "th"):
            if self.cell is not None and self.row is not None:
                self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip().replace("|", "/").strip(" /"))
            self.cell = None
            return
        if tag == "tr":
            if self.row is not None and self.table is not None and any(c for c in self.row):
                self.table.append(self.row)
            self.row = None
            return
        if tag == "table":
            if self.table:
                self.blocks.append(("table", self.table))
            self.table = None
            return
        if tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            return
        if (tag in _BLOCK or tag == "li") and self.cell is None:
            self.flush()


def _decode(data: bytes) -> str:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    encs = []
    if data.startswith(b"\xef\xbb\xbf"):
        encs.append("utf-8-sig")
    if m:
        encs.append(m.group(1).decode("ascii", "ignore"))
    encs += ["utf-8", "cp1258"]
    for enc in encs:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def read_html(data: bytes, path: str) -> Extracted:
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    text = _decode(data)
    p = _Parser()
    try:
        p.feed(text)
        p.close()
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient; anything else is corrupt input
        raise InputError(f"{path}: cannot read the HTML ({type(exc).__name__})") from None
    p.flush()
    out: list[str] = []
    locators: list[tuple[int, dict]] = []
    pos = 0
    for i, block in enumerate(p.blocks, 1):
        if isinstance(block, tuple):
            rows = block[1]
            width = max(len(r) for r in rows)
            s = "\n".join("| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows)
        else:
            s = block
        s = finish_text(s)
        if out:
            out.append("\n\n")
            pos += 2
        locators.append((pos, {"paragraph": i}))
        out.append(s)
        pos += len(s)
    from .legacy import convert_legacy_text

    full = "".join(out)
    encoding = "utf-8"
    warnings = []
    conv = convert_legacy_text(full)
    if conv is not None and len(conv[0]) == len(full):
        full, encoding = conv
        warnings.append({"code": "legacy_encoding", "message": f"text in a legacy Vietnamese encoding ({encoding.upper()}) was converted to Unicode"})
    return Extracted(text=full, format="html", encoding=encoding, locators=locators, warnings=warnings)
