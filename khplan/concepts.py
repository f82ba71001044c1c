"""The concept thesaurus (``khplan/data/concepts.yaml``) and a fast, explainable matcher.

A *concept* is a unit of meaning that directive requirements refer to ("trẻ em bị bỏ rơi",
"nhà nhỏ - nhóm nhỏ", "cơ sở dữ liệu quốc gia về dân cư" …). Each concept lists Vietnamese
surface forms (``variants``) and, optionally, ``exclude`` phrases: a hit of the concept that
overlaps a hit of one of its exclude phrases is dropped ("trợ giúp xã hội" is social
assistance, but not inside "cơ sở trợ giúp xã hội").

Matching rules (the same for variants, exclude phrases, examples and plan text):

* Text is *folded* per character, like :func:`khplan.vn.fold`: Unicode decomposition, combining
  marks removed, lower case, "đ" -> "d". So NFC/NFD, case and old/new tone placement
  ("hoà"/"hòa") never matter, and text typed without diacritics ("tre em bi bo roi") matches.
* Strict diacritics (the default): a syllable of the text that *does* carry diacritics must
  also agree with the variant's syllable on them, compared with :func:`khplan.vn.key` (so tone
  placement still does not matter). This keeps "xây dựng mới" from matching "xây dựng môi
  trường" or "dễ tiếp cận" from matching "để tiếp cận". A syllable written without any
  diacritic, in the text or in the variant, matches every accented form. ``ConceptMatcher(..., strict=False)`` compares folded
  syllables only (useful for text with damaged diacritics, e.g. OCR output).
* Text is then cut into *syllable tokens* (runs of letters and digits). A variant matches a
  sequence of whole tokens, so "nam" never matches inside "namespace" (word-boundary aware).
* Between two tokens of a match only "light" separators may stand: white space (line breaks
  included), hyphens and dashes, commas, "/", "&", quotes, "*" and footnote digits (¹ ² ³).
  "nhà nhỏ - nhóm nhỏ", "nhà nhỏ, nhóm nhỏ" and "nhà nhỏ nhóm nhỏ" are therefore one variant.
  A full stop, semicolon, colon, bracket or any other sign ends the phrase.
* A ``*`` in a variant is a gap of 0 to :data:`GAP` (5) tokens: "giảm * trẻ em bị bỏ rơi" matches
  "giảm tối đa tình trạng trẻ em bị bỏ rơi". A variant may not start or end with ``*``.

All variants of all concepts are compiled once into a token trie; one pass over the text finds
every hit of every concept. Offsets always refer to the original text (``text[start:end]`` is
the matched passage as written).

Public API::

    load_concepts() -> dict                       # concept id -> entry (label, variants, …)
    match_concepts(text) -> list[(concept_id, start, end, variant)]
    ConceptMatcher(concepts).find(text)           # the same for any concept dict
    fold_with_offsets(text) -> (folded, offsets)  # folded text and its map to the original
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import regex as re

from .vn import key

DATA_PATH = Path(__file__).parent / "data" / "concepts.yaml"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "concepts.schema.json"

#: Largest number of tokens a ``*`` in a variant may skip.
GAP = 5
WILDCARD = "*"

# Characters that may stand between two tokens of one match (after folding).
_LIGHT = set(" \t\r\n\f\v\u00a0\u2002\u2003\u2009\u200b\u202f-\u2010\u2011\u2012\u2013\u2014\u2212,/&\"'\u2018\u2019\u201c\u201d\u00ab\u00bb*")
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_TOKEN = re.compile(r"[^\W_]+")
_VARIANT_TOKEN = re.compile(r"\*|[^\W_]+")


class Match(NamedTuple):
    """One concept hit: ``text[start:end]`` is the passage; ``variant`` the thesaurus form."""

    concept: str
    start: int
    end: int
    variant: str


# --------------------------------------------------------------------------------------------
# Folding with offsets


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _SUPERSCRIPTS:
        return " "
    if ch in "đĐ":
        return "d"
    nfd = unicodedata.normalize("NFD", ch)
    return "".join(c for c in nfd if not unicodedata.combining(c)).lower()


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character (see module docs).

    Returns ``(folded, offsets)`` where ``offsets[i]`` is the index in ``text`` of the
    character that produced ``folded[i]``. Unlike :func:`khplan.vn.fold`, white space is
    not collapsed, so the map stays simple.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            f = ch.lower()
        else:
            f = _fold_char(ch)
        for c in f:
            out.append(c)
            offsets.append(i)
    return "".join(out), offsets


def _is_light(gap: str) -> bool:
    return all(c in _LIGHT for c in gap)


def _tokenise(folded: str) -> tuple[list[str], list[tuple[int, int]], list[int]]:
    """Tokens, their (start, end) in ``folded``, and for each token the index of the last
    token of its *run* (the tokens joined to it by light separators only)."""
    toks: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(folded):
        toks.append(m.group())
        spans.append(m.span())
    n = len(toks)
    run_end = [0] * n
    last = n - 1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and not _is_light(folded[spans[i][1] : spans[i + 1][0]]):
            last = i
        run_end[i] = last
    return toks, spans, run_end


def variant_tokens(variant: str) -> list[str]:
    """The tokens of a thesaurus variant after folding; ``*`` stays a wildcard token."""
    folded, _ = fold_with_offsets(variant)
    return _VARIANT_TOKEN.findall(folded)


# --------------------------------------------------------------------------------------------
# The trie


class _Node:
    __slots__ = ("children", "terminals", "wild")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.wild: _Node | None = None
        # (concept, variant, is_exclude, toned keys of the variant's literal syllables)
        self.terminals: list[tuple[str, str, bool, tuple[str | None, ...]]] = []


def _toned_tokens(variant: str) -> tuple[str | None, ...]:
    """The variant's literal syllables with diacritics kept (``vn.key``), wildcards dropped;
    None for a syllable written without diacritics (it agrees with any accented form)."""
    return tuple(None if t.isascii() else t for t in _VARIANT_TOKEN.findall(key(variant)) if t != WILDCARD)


class ConceptMatcher:
    """Matcher compiled from a concept dict (``{id: {"variants": [...], "exclude": [...]}}``).

    ``strict`` (default True): accented syllables of the text must carry the same diacritics
    as the variant (see the module docs); unaccented syllables match any accented form.
    """

    def __init__(self, concepts: dict, *, strict: bool = True):
        self.concepts = concepts
        self.strict = strict
        self._root = _Node()
        for cid, entry in concepts.items():
            for v in entry.get("variants") or []:
                self._add(v, cid, False)
            for v in entry.get("exclude") or []:
                self._add(v, cid, True)

    def _add(self, variant: str, cid: str, exclude: bool) -> None:
        toks = variant_tokens(variant)
        if not toks or WILDCARD in (toks[0], toks[-1]):
            raise ValueError(f"concept {cid}: unusable variant {variant!r}")
        node = self._root
        for t in toks:
            if t == WILDCARD:
                if node.wild is None:
                    node.wild = _Node()
                node = node.wild
            else:
                node = node.children.setdefault(t, _Node())
        toned = _toned_tokens(variant)
        if len(toned) != sum(1 for t in toks if t != WILDCARD):
            raise ValueError(f"concept {cid}: cannot align the syllables of {variant!r}")
        term = (cid, variant, exclude, toned)
        if term not in node.terminals:
            node.terminals.append(term)

    def find(self, text: str, concepts: Iterable[str] | None = None) -> list[Match]:
        """Every hit in ``text``, sorted by (start, -end, concept).

        For each concept the hits do not overlap (leftmost, then longest, wins); hits of
        different concepts may overlap ("trẻ em bị bỏ rơi" is also a hit of "trẻ em").
        ``concepts`` restricts the result to these ids.
        """
        if not text:
            return []
        wanted = set(concepts) if concepts is not None else None
        folded, offsets = fold_with_offsets(text)
        toks, spans, run_end = _tokenise(folded)
        raw: dict[str, list[tuple[int, int, str]]] = {}
        excl: dict[str, list[tuple[int, int]]] = {}
        toned_cache: dict[int, str | None] = {}

        def toned(t: int) -> str | None:
            # The text syllable with its diacritics (vn.key), or None when it has none.
            if t not in toned_cache:
                a, b = offsets[spans[t][0]], offsets[spans[t][1] - 1] + 1
                while b < len(text) and unicodedata.combining(text[b]):
                    b += 1
                raw_tok = text[a:b]
                toned_cache[t] = None if raw_tok.isascii() else key(raw_tok)
            return toned_cache[t]

        def agrees(path: tuple[int, ...], want: tuple[str | None, ...]) -> bool:
            for t, w in zip(path, want):
                if w is None:
                    continue
                got = toned(t)
                if got is not None and got != w:
                    return False
            return True

        def walk(node: _Node, j: int, i: int, end: int, path: tuple[int, ...]) -> None:
            # ``j`` is the next token to consume; tokens i..j-1 are consumed; ``path`` holds
            # the tokens consumed by literal (non-wildcard) syllables.
            for cid, variant, is_ex, want in node.terminals:
                if wanted is not None and cid not in wanted:
                    continue
                if self.strict and not agrees(path, want):
                    continue
                if is_ex:
                    excl.setdefault(cid, []).append((i, j - 1))
                else:
                    raw.setdefault(cid, []).append((i, j - 1, variant))
            if j <= end:
                child = node.children.get(toks[j])
                if child is not None:
                    walk(child, j + 1, i, end, path + (j,))
            if node.wild is not None:
                for k in range(GAP + 1):
                    if j + k > end:
                        break
                    walk(node.wild, j + k, i, end, path)

        for i, tok in enumerate(toks):
            child = self._root.children.get(tok)
            if child is not None:
                walk(child, i + 1, i, run_end[i], (i,))

        result: list[Match] = []
        for cid, hits in raw.items():
            ex = excl.get(cid, [])
            if ex:
                hits = [h for h in hits if not any(h[0] <= e1 and e0 <= h[1] for e0, e1 in ex)]
            hits.sort(key=lambda h: (h[0], -h[1], h[2]))
            last = -1
            for t0, t1, variant in hits:
                if t0 <= last:
                    continue
                last = t1
                start = offsets[spans[t0][0]]
                stop = offsets[spans[t1][1] - 1] + 1
                while stop < len(text) and unicodedata.combining(text[stop]):
                    stop += 1
                result.append(Match(cid, start, stop, variant))
        result.sort(key=lambda m: (m.start, -m.end, m.concept))
        return result

    def concept_ids(self, text: str) -> set[str]:
        """The ids of the concepts that occur in ``text``."""
        return {m.concept for m in self.find(text)}


# --------------------------------------------------------------------------------------------
# The built-in thesaurus


@lru_cache(maxsize=1)
def _load_builtin() -> dict:
    from .output import load_yaml

    data = load_yaml(DATA_PATH)
    return data["concepts"]


def load_concepts(path: str | Path | None = None) -> dict:
    """The thesaurus as ``{concept_id: {"label", "variants", "examples", …}}``.

    Without ``path``: the built-in ``khplan/data/concepts.yaml`` (cached; do not mutate it).
    With ``path``: a user thesaurus file of the same shape, validated against
    ``schemas/concepts.schema.json`` (errors raise :class:`khplan.errors.InputError`).
    """
    if path is None:
        return _load_builtin()
    from .output import load_yaml

    data = load_yaml(path)
    validate_concepts(data, str(path))
    return data["concepts"]


def validate_concepts(data, where: str = "concepts") -> None:
    """Check a thesaurus document against its schema; one-line InputError on failure."""
    import json

    import jsonschema

    from .errors import InputError

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        e = errors[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(".")
        raise InputError(f"{where}: not a khplan thesaurus: {loc + ': ' if loc else ''}{e.message}")
    problem = variant_problem(data["concepts"])
    if problem:
        raise InputError(f"{where}: not a khplan thesaurus: {problem}")


def variant_problem(concepts: dict) -> str | None:
    """The first unusable variant or exclude phrase of a concept dict, described; else None.

    A variant needs at least one syllable and may not start or end with the ``*`` gap.
    """
    for cid, entry in concepts.items():
        for field in ("variants", "exclude"):
            for i, v in enumerate(entry.get(field) or []):
                toks = variant_tokens(v)
                if not toks or WILDCARD in (toks[0], toks[-1]):
                    return f"concepts.{cid}.{field}[{i}]: unusable variant {v!r}"
    return None


@lru_cache(maxsize=1)
def _builtin_matcher() -> ConceptMatcher:
    return ConceptMatcher(_load_builtin())


def matcher(concepts: dict | None = None, *, strict: bool = True) -> ConceptMatcher:
    """A compiled matcher: the cached built-in one, or one for ``concepts``."""
    if concepts is None and strict:
        return _builtin_matcher()
    return ConceptMatcher(_load_builtin() if concepts is None else concepts, strict=strict)


def match_concepts(text: str, concepts: dict | None = None, *, strict: bool = True) -> list[tuple[str, int, int, str]]:
    """All concept hits in ``text`` as ``(concept_id, start, end, variant)`` tuples.

    ``start``/``end`` are offsets into ``text``; ``variant`` is the thesaurus form that
    matched. Uses the built-in thesaurus unless ``concepts`` is given; ``strict`` as in
    :class:`ConceptMatcher`.
    """
    return [tuple(m) for m in matcher(concepts, strict=strict).find(text)]
