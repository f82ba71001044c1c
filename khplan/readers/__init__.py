"""Readers: turn a plan file of any supported format into extracted text with provenance.

Every reader returns an :class:`Extracted`. ``text`` is the extracted text (NFC, ``\\n`` line
ends) that all spans index into; ``locators`` map character offsets back to places in the
original file (page for PDF, paragraph/table cell for Word).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # larger files are refused, not read

TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".text": "txt"}


@dataclass
class Extracted:
    text: str
    format: str
    encoding: str | None = None
    # (offset, locator) pairs sorted by offset: the locator holds from that offset on.
    locators: list[tuple[int, dict]] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    sha256: str | None = None  # of the input bytes

    def locate(self, offset: int) -> dict:
        """The locator in force at ``offset`` (empty dict when the format has none)."""
        import bisect

        if not self.locators:
            return {}
        i = bisect.bisect_right(self.locators, offset, key=lambda p: p[0]) - 1
        return self.locators[i][1] if i >= 0 else {}


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def finish_text(text: str) -> str:
    """Common last step of every reader: NFC, LF line ends, no BOM, no NUL."""
    text = normalise_newlines(text).lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return TEXT_SUFFIXES[suffix]
    if suffix in (".docx", ".docm"):
        return "docx"
    if suffix == ".doc":
        return "doc"
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if suffix == "" or suffix in (".log",):
        return "txt"
    raise InputError(f"{path}: unknown format '{suffix}' (khplan reads .txt, .md, .docx, .doc, .pdf, .html)")


def read_bytes(path: Path) -> bytes:
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file (a pipe, socket or device); give khplan a plan file")
    if st.st_size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: file is too large ({st.st_size // (1024 * 1024)} MB; the limit is {MAX_INPUT_BYTES // (1024 * 1024)} MB)")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)  # a file that grows while read is still capped
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: file is too large (the limit is {MAX_INPUT_BYTES // (1024 * 1024)} MB)")
    return data


def read_document(path: str | os.PathLike, *, ocr: bool = False) -> Extracted:
    """Read any supported plan file. Raises :class:`InputError` with a one-line message."""
    p = Path(path)
    data = read_bytes(p)
    fmt = detect_format(p, data[:8])
    if fmt in ("txt", "md"):
        from .text import read_text_bytes

        ex = read_text_bytes(data, str(p), fmt)
    elif fmt == "docx":
        from .docx import read_docx

        ex = read_docx(data, str(p))
    elif fmt == "doc":
        from .doc import read_doc

        ex = read_doc(p)
    elif fmt == "pdf":
        from .pdf import read_pdf

        ex = read_pdf(data, str(p), ocr=ocr)
    elif fmt == "html":
        from .html import read_html

        ex = read_html(data, str(p))
    else:  # pragma: no cover - detect_format raises first
        raise InputError(f"{p}: unknown format")
    if not ex.text.strip():
        raise InputError(f"{p}: no text found (the file is empty)")
    from .text import MAX_TEXT_CHARS, _too_long

    if len(ex.text) > MAX_TEXT_CHARS:
        raise _too_long(str(p), len(ex.text))
    import hashlib

    ex.sha256 = hashlib.sha256(data).hexdigest()
    return ex
