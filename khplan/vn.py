"""Vietnamese text helpers: tone-placement normalisation and diacritic folding for matching.

Output always keeps the text as written; these functions produce *keys* for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old ("oà", "uỷ") vs new ("òa", "ủy") tone placement: map to one form (the new style used
# in state documents) so that "hoà" and "hòa" compare equal. Applied to NFC text.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below
_OLD_STYLE = re.compile(r"(?i)(?<![qQ])(o|u)([aeyAEY])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])")


def _move_tone(m: re.Match) -> str:
    return m.group(1) + m.group(3) + m.group(2)


def tone_normalise(text: str) -> str:
    """'hoà' -> 'hòa', 'thuỷ' -> 'thủy', 'khoẻ' -> 'khỏe' (NFC in, NFC out)."""
    nfd = unicodedata.normalize("NFD", text)
    # In NFD an old-style syllable ends "o|u" + "a|e|y" + tone mark; a new-style one has the
    # mark right after o/u. Only final (open) syllables "oa", "oe", "uy" differ by placement.
    nfd = _OLD_STYLE.sub(_move_tone, nfd)
    return unicodedata.normalize("NFC", nfd)


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})
_WS = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Matching key: no diacritics, lower case, 'đ' -> 'd', single spaces."""
    nfd = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in nfd if not unicodedata.combining(ch))
    return _WS.sub(" ", stripped.lower()).strip()


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """Matching key that keeps diacritics: NFC, new tone placement, lower case, single spaces."""
    return _WS.sub(" ", tone_normalise(unicodedata.normalize("NFC", text)).lower()).strip()


VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"


def letter_index(letter: str) -> int | None:
    """Position of a list letter in Vietnamese lettering (a b c d đ e g h i k …), or None."""
    idx = VIETNAMESE_LETTERS.find(letter.lower())
    return idx if idx >= 0 else None


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(s: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(s.upper()):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total or None


def int_to_roman(n: int) -> str:
    """3 -> "III" (section numbers up to the tens the genre uses)."""
    out = ""
    for v, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += sym
            n -= v
    return out
