"""Plain text and Markdown: decoding with encoding detection."""

from __future__ import annotations

from ..errors import InputError
from . import Extracted, finish_text

# The parser keeps, for each character, the offset it came from, and its cost grows with the
# length of the text: past this many characters a text would take minutes and gigabytes.
# Real plans are 10 to 200 thousand characters; a longer file is refused with a message.
MAX_TEXT_CHARS = 2_000_000


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        # UTF-16 has NULs in every other byte for Latin text; decided by the caller.
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / len(sample) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    for enc, nul in (("utf-16-le", odd_nul), ("utf-16-be", even_nul)):
        if nul > half * 0.3:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def _utf8(data: bytes) -> tuple[str, bool] | None:
    """(text, truncated) when ``data`` is UTF-8, or UTF-8 cut inside its last character (an
    interrupted copy or download: the text before the cut is whole); None otherwise."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data) and len(data) - exc.start < 4:
            try:
                return data[: exc.start].decode("utf-8"), True
            except UnicodeDecodeError:
                return None
        return None


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding name)."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        got = _utf8(data[3:])
        if got is None:
            raise InputError(f"{path}: {_bad_utf8(data[3:], base=3)}")
        return got[0], "utf-8-sig" + (" (truncated)" if got[1] else "")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{path}: invalid UTF-16 text") from None
    got = _utf8(data)
    text = None
    if got is not None:
        if got[1]:
            return got[0], "utf-8 (truncated)"
        text = got[0]
    if text is not None:
        if "\x00" in text:
            u16 = _utf16_without_bom(data)
            if u16 is not None:
                return u16, "utf-16"
            raise InputError(f"{path}: binary data, not a text plan")
        return text, "utf-8"
    u16 = _utf16_without_bom(data)
    if u16 is not None:
        return u16, "utf-16"
    if _looks_binary(data):
        raise InputError(f"{path}: binary data, not a text plan")
    from .legacy import decode_legacy

    decoded = decode_legacy(data)
    if decoded is None:
        raise InputError(f"{path}: {_bad_utf8(data)}")
    return decoded


def _bad_utf8(data: bytes, base: int = 0) -> str:
    """The one-line reason a text is refused: where UTF-8 breaks when it mostly is UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad * 1000 < len(text):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return (f"invalid UTF-8 at byte {base + exc.start} (line {line}): the file is damaged"
                    f"{f' in {bad} places' if bad > 1 else ''}")
    if base:
        return "invalid UTF-8 after a UTF-8 byte-order mark"
    return "not valid UTF-8 and no known Vietnamese encoding (TCVN3, VNI, Windows-1258) fits"


def _too_long(path: str, n: int, unit: str = "characters") -> InputError:
    return InputError(
        f"{path}: refused: {n:,} {unit} of text is more than khplan parses in one document"
        f" ({MAX_TEXT_CHARS:,} characters; a plan is usually under 200,000): split the file"
    )


def read_text_bytes(data: bytes, path: str, fmt: str) -> Extracted:
    if len(data) > 4 * MAX_TEXT_CHARS:  # more characters than the limit in any encoding
        raise _too_long(path, len(data), "bytes")
    text, encoding = decode_text(data, path)
    if len(text) > MAX_TEXT_CHARS:
        raise _too_long(path, len(text))
    warnings = []
    if encoding.endswith(" (truncated)"):
        encoding = encoding[: -len(" (truncated)")]
        warnings.append({"code": "truncated_input",
                         "message": "the file ends inside a UTF-8 character (truncated?); the incomplete character was left out"})
    if "\x00" in text:
        raise InputError(f"{path}: binary data, not a text plan")
    text = finish_text(text)
    if encoding == "utf-8":
        from .legacy import convert_legacy_text

        converted = convert_legacy_text(text)
        if converted is not None:
            text, encoding = finish_text(converted[0]), converted[1]
    return Extracted(text=text, format=fmt, encoding=encoding, warnings=warnings)
