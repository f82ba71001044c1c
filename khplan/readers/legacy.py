"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI and Windows-1258, converted to Unicode NFC.

Before Unicode, Vietnamese text was typed in 8-bit "font encodings": the bytes are ordinary
Latin-1 code points and the font draws them as Vietnamese letters.

* **TCVN3 / ABC** (TCVN 5712:1993, VN3; fonts ``.VnTime``, ``.VnArial`` …): one byte per letter.
  Only the lower-case toned letters (and Ă Â Ê Ô Ơ Ư Đ) have codes; capitals are drawn by the
  companion "H" fonts (``.VnTimeH``), which show the same codes as capitals.
* **VNI** (fonts ``VNI-Times``, ``VNI-Helve`` …): a base ASCII letter followed by one byte that
  adds the vowel mark and/or the tone (``a`` + ``ø`` = "à", ``e`` + ``ä`` = "ệ"); a few letters have
  a single code (``ñ`` = "đ", ``ô`` = "ơ", ``ö`` = "ư", ``ò`` = "ị", ``ó`` = "ĩ", ``æ`` = "ỉ", ``î`` = "ỵ").
* **Windows-1258**: base letters plus combining tone marks; Python's ``cp1258`` codec + NFC.

The tables below are written from those definitions. Detection tries each decoding and keeps
the one whose words are well-formed Vietnamese syllables (:mod:`.syllables`).
"""

from __future__ import annotations

import re
import unicodedata

from .syllables import has_vietnamese_letters, vietnamese_score

# ---------------------------------------------------------------------------------------
# TCVN3 (ABC)

_TCVN3_CODES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
# As text: the Latin-1 character with the same code (how the bytes show without the font).
TCVN3_TABLE = {chr(k): v for k, v in _TCVN3_CODES.items()}
_TCVN3_TRANS = str.maketrans(TCVN3_TABLE)
# Unicode -> TCVN3 byte, for tests and sample generation (capitals written with the lower-case
# code, as the "H" fonts do).
TCVN3_ENCODE = {v: k for k, v in _TCVN3_CODES.items()}


def tcvn3_to_unicode(text: str, capitals: bool = False) -> str:
    """TCVN3 text shown as Latin-1 characters -> Unicode. ``capitals`` for ``.Vn…H`` fonts."""
    out = text.translate(_TCVN3_TRANS)
    if capitals:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


def unicode_to_tcvn3(text: str) -> bytes:
    """Unicode -> TCVN3 bytes (capital toned letters fall back to the lower-case code)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        code = TCVN3_ENCODE.get(ch)
        if code is None and ch.lower() != ch:
            code = TCVN3_ENCODE.get(ch.lower())
        if code is not None:
            out.append(code)
        elif ord(ch) < 0x80:
            out.append(ord(ch))
        else:
            out.extend(b"?")
    return bytes(out)


# ---------------------------------------------------------------------------------------
# VNI

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

# mark bytes (lower-case form; the upper-case form is the Latin-1 capital of the same letter)
_VNI_MARKS_LOWER = {
    "â": (_CIRC,), "à": (_CIRC, _GRAVE), "á": (_CIRC, _ACUTE), "å": (_CIRC, _HOOK),
    "ã": (_CIRC, _TILDE), "ä": (_CIRC, _DOT),
    "ê": (_BREVE,), "è": (_BREVE, _GRAVE), "é": (_BREVE, _ACUTE), "ú": (_BREVE, _HOOK),
    "ü": (_BREVE, _TILDE), "ë": (_BREVE, _DOT),
    "ø": (_GRAVE,), "ù": (_ACUTE,), "û": (_HOOK,), "õ": (_TILDE,), "ï": (_DOT,),
}
VNI_MARKS = dict(_VNI_MARKS_LOWER)
VNI_MARKS.update({k.upper(): v for k, v in _VNI_MARKS_LOWER.items()})
_VNI_LETTERS_LOWER = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ò": "ị", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "î": "ỵ"}
VNI_LETTERS = dict(_VNI_LETTERS_LOWER)
VNI_LETTERS.update({k.upper(): v.upper() for k, v in _VNI_LETTERS_LOWER.items()})

_VOWELS = set("aeiouyAEIOUYơưƠƯ")


def _vni_apply(base: str, marks: tuple[str, ...]) -> str | None:
    """Base letter + VNI mark byte -> the letter, or None when the mark cannot go on the base."""
    nfd = unicodedata.normalize("NFD", base)
    letter, existing = nfd[0], nfd[1:]
    if letter not in _VOWELS and base not in _VOWELS:
        return None
    if any(m in _TONE_SET for m in existing) and any(m in _TONE_SET for m in marks):
        return None  # already has a tone
    vowel_marks = [m for m in marks if m in (_CIRC, _BREVE)]
    if vowel_marks:
        if existing.replace(_HORN, "") != existing or any(m in (_CIRC, _BREVE) for m in existing):
            return None
        if vowel_marks[0] == _CIRC and letter.lower() not in "aeo":
            return None
        if vowel_marks[0] == _BREVE and letter.lower() != "a":
            return None
    # canonical order: vowel mark (circumflex/breve/horn) before the tone
    combined = letter + "".join(m for m in existing + "".join(marks) if m not in _TONE_SET) + "".join(
        m for m in existing + "".join(marks) if m in _TONE_SET
    )
    return unicodedata.normalize("NFC", combined)


_TONE_SET = {_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT}


def vni_to_unicode(text: str) -> str:
    """VNI text shown as Latin-1 characters -> Unicode NFC."""
    out: list[str] = []
    for ch in text:
        marks = VNI_MARKS.get(ch)
        if marks is not None and out:
            applied = _vni_apply(out[-1], marks)
            if applied is not None:
                out[-1] = applied
                continue
        letter = VNI_LETTERS.get(ch)
        if letter is not None:
            out.append(letter)
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


_VNI_ENCODE_MARKS = {v: k for k, v in _VNI_MARKS_LOWER.items()}
_VNI_ENCODE_LETTERS = {v: k for k, v in _VNI_LETTERS_LOWER.items() if v not in "íì"}


def unicode_to_vni(text: str) -> bytes:
    """Unicode -> VNI bytes (for tests and sample generation)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        low = ch.lower()
        upper = ch != low
        if low in _VNI_ENCODE_LETTERS:
            code = _VNI_ENCODE_LETTERS[low]
            out.append(code.upper() if upper else code)
            continue
        nfd = unicodedata.normalize("NFD", low)
        base, marks = nfd[0], nfd[1:]
        if not marks or not base.isascii():
            out.append(ch)
            continue
        horn = _HORN in marks
        marks = marks.replace(_HORN, "")
        if horn:  # ơ / ư + tone
            base_code = {"o": "ô", "u": "ö"}[base]
            out.append(base_code.upper() if upper else base_code)
        elif base == "i" and marks in (_DOT, _HOOK, _TILDE, _ACUTE, _GRAVE):
            code = {_DOT: "ò", _HOOK: "æ", _TILDE: "ó", _ACUTE: "í", _GRAVE: "ì"}[marks]
            out.append(code.upper() if upper else code)
            continue
        elif base == "y" and marks == _DOT:
            out.append("Î" if upper else "î")
            continue
        else:
            out.append(base.upper() if upper else base)
        if marks:
            vowel = tuple(m for m in marks if m in (_CIRC, _BREVE))
            tone = tuple(m for m in marks if m in _TONE_SET)
            code = _VNI_ENCODE_MARKS[vowel + tone]
            out.append(code.upper() if upper else code)
    return "".join(out).encode("latin-1", errors="replace")


# ---------------------------------------------------------------------------------------
# Detection

_LEGACY_CHARS = re.compile(r"[\u00a0-\u00ff]")
_VN_ONLY = re.compile(r"[ăđĩũơưĂĐĨŨƠƯ\u1ea0-\u1ef9]")


def _score_candidates(candidates: list[tuple[str, str]]) -> tuple[str, str, float] | None:
    best = None
    for text, enc in candidates:
        score = vietnamese_score(text)
        if best is None or score > best[2]:
            best = (text, enc, score)
    return best


def decode_legacy(data: bytes) -> tuple[str, str] | None:
    """Bytes that are not UTF-8: TCVN3, VNI or Windows-1258, whichever reads as Vietnamese.

    Returns ``(text, encoding)`` with ``encoding`` one of ``"tcvn3"``, ``"vni"``, ``"cp1258"``,
    or None when no Vietnamese encoding fits and the bytes are not Windows-1258 either.
    """
    latin = data.decode("latin-1")
    candidates = [(tcvn3_to_unicode(latin), "tcvn3"), (vni_to_unicode(latin), "vni")]
    try:
        cp = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        cp = None
    if cp is not None:
        candidates.insert(0, (cp, "cp1258"))
    best = _score_candidates(candidates)
    if best is not None and best[2] > 0.3:
        return best[0], best[1]
    if cp is not None:
        return cp, "cp1258"
    return None


def _as_latin1(text: str) -> str | None:
    """Undo a cp1252 reading: characters that cp1252 maps from 0x80-0x9F go back to those codes."""
    try:
        return text.encode("cp1252", errors="strict").decode("latin-1")
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        try:
            out.append(ch.encode("cp1252").decode("latin-1"))
        except UnicodeEncodeError:
            out.append(ch)
    return "".join(out)


def looks_legacy(text: str) -> bool:
    """Quick test: many Latin-1 letters/symbols and (almost) no Vietnamese-only characters."""
    high = len(_LEGACY_CHARS.findall(text[:200_000]))
    if high < 3:
        return False
    vn = len(_VN_ONLY.findall(text[:200_000]))
    return vn * 5 < high


def convert_legacy_text(text: str) -> tuple[str, str] | None:
    """Text that decoded as UTF-8 but is really TCVN3/VNI mojibake ("Uû ban nh©n d©n"): converted.

    Returns ``(text, encoding)`` or None when the text is not legacy-encoded.
    """
    if not looks_legacy(text):
        return None
    raw = _as_latin1(text)
    if raw is None:
        return None
    before = vietnamese_score(text)
    best = _score_candidates([(tcvn3_to_unicode(raw), "tcvn3"), (vni_to_unicode(raw), "vni")])
    if best is None or best[2] < 0.3 or best[2] < before + 0.3:
        return None
    if not has_vietnamese_letters(best[0]):
        return None
    return best[0], best[1]


_CP1252_SPECIALS = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))


def convert_font_text(text: str, encoding: str, capitals: bool = False) -> str:
    """Text of a Word run in a legacy font (``encoding`` "tcvn3" or "vni") -> Unicode."""
    if any(ord(ch) > 0xFF and ch not in _CP1252_SPECIALS for ch in text):
        return text  # already Unicode: the font name is stale
    raw = _as_latin1(text) or text
    if encoding == "tcvn3":
        return tcvn3_to_unicode(raw, capitals=capitals)
    return vni_to_unicode(raw)


def font_encoding(font: str | None) -> tuple[str, bool] | None:
    """Legacy encoding of a font name: ('tcvn3', capitals) for .Vn* fonts, ('vni', False) for VNI-*."""
    if not font:
        return None
    name = font.strip()
    low = name.lower()
    if low.startswith(".vn"):
        return "tcvn3", name.endswith("H")
    if low.startswith("vni-") or low.startswith("vni "):
        return "vni", False
    return None
