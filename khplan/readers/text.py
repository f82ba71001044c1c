"""Plain text and Markdown: decoding with encoding detection."""

from __future__ import annotations

from ..errors import InputError
from . import Extracted, finish_text


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


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding name)."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise InputError(f"{path}: invalid UTF-8 after a UTF-8 byte-order mark") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{path}: invalid UTF-16 text") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
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
        raise InputError(f"{path}: not valid UTF-8 and no known Vietnamese encoding (TCVN3, VNI, Windows-1258) fits")
    return decoded


def read_text_bytes(data: bytes, path: str, fmt: str) -> Extracted:
    text, encoding = decode_text(data, path)
    if "\x00" in text:
        raise InputError(f"{path}: binary data, not a text plan")
    text = finish_text(text)
    if encoding == "utf-8":
        from .legacy import convert_legacy_text

        converted = convert_legacy_text(text)
        if converted is not None:
            text, encoding = finish_text(converted[0]), converted[1]
    return Extracted(text=text, format=fmt, encoding=encoding)
