"""Vietnamese syllable check, used to judge decodings and to re-join words split by PDF spacing.

A Vietnamese written syllable is (initial consonant) + rime, with at most one tone mark. The
rimes form a closed list (below, written without tone). ``is_syllable`` accepts exactly the
spellings that this grammar allows; it knows nothing of meaning, so "ba", "bà" and "bả" all
pass while "điề" (open "iê" is not a rime), "nhâ" or "Uû" do not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

_INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)

_RIMES = frozenset(
    """
    a ac ach ai am an ang anh ao ap at au ay
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt
    oc oe oen oeo oet oi om on ong ooc oong op ot
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc ue uê uêch uênh ui um un ung uơ uôc uôi uôm uôn uông uôt
    up ut uy uya uych uyên uyêt uynh uyt uyu
    ư ưa ưc ưi ưm ưn ưng ươc ươi ươm ươn ương ươp ươt ươu ưt ưu
    y yêm yên yêng yêt yêu
    """.split()
)

_LETTERS = re.compile(r"[^\W\d_]+")


def _strip_tone(word: str) -> tuple[str, list[str]]:
    nfd = unicodedata.normalize("NFD", word)
    tones = [ch for ch in nfd if ch in _TONE_MARKS]
    base = "".join(ch for ch in nfd if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), tones


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True when ``word`` (one token, any case) is a well-formed Vietnamese syllable."""
    if not word or len(word) > 8:
        return False
    base, tones = _strip_tone(word.lower())
    if len(tones) > 1:
        return False
    stop_ok = bool(tones) and tones[0] in ("\u0301", "\u0323")
    for ini in _INITIALS:
        if not base.startswith(ini):
            continue
        rime = base[len(ini):]
        if ini == "gi" and rime not in _RIMES:
            rime = "i" + rime  # "gì", "gìn": the i of gi is also the vowel
        if rime in _RIMES:
            # stop finals (c, ch, p, t) take only the acute or the dot-below tone
            return stop_ok or not rime.endswith(("c", "ch", "p", "t"))
    return False


def has_vietnamese_letters(text: str) -> bool:
    return any(ch in "ăâđêôơưĂÂĐÊÔƠƯ" or "\u1ea0" <= ch <= "\u1ef9" for ch in text)


# Latin-1 letters that are also Vietnamese letters (precomposed NFC forms)
_VN_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


def vietnamese_score(text: str, limit: int = 200_000) -> float:
    """How much ``text`` reads like Vietnamese: (good - bad) / words, in [-1, 1].

    Counted over words that contain a non-ASCII character: a well-formed syllable counts +1,
    anything else -1; Latin-1 symbols found inside words (©, §, µ, ¹ … typical of legacy text
    read in the wrong code page) count -1 each.
    """
    sample = text[:limit]
    good = bad = 0
    for m in _LETTERS.finditer(sample):
        w = m.group(0)
        if w.isascii():
            continue
        if is_syllable(w):
            good += 1
        else:
            bad += 1
    # symbols glued to letters: "nh©n", "§éc", "ViÖt"
    for m in re.finditer(r"(?<=[^\W\d_])[\u00a1-\u00bf\u00d7\u00f7]|[\u00a1-\u00bf\u00d7\u00f7](?=[^\W\d_])", sample):
        bad += 1
    total = good + bad
    return (good - bad) / total if total else 0.0
