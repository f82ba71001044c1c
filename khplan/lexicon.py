"""Body and place lexicon: canonical names, levels, abbreviations and the 2025 successors.

The facts live in ``khplan/data/{bodies,functions,provinces}.yaml`` (each with a JSON Schema in
``khplan/schemas/``); this module only knows how to match names against them.

How a body name is matched (``Lexicon.resolve_body``):

1. The name is cleaned (NFC, one tone placement, parenthesised notes and ``^{…}`` markup
   dropped, text after a colon dropped) and cut into tokens, so punctuation does not count.
   Upper-case abbreviations listed in the data (``UBND``, ``LĐ-TB&XH``, ``GD&ĐT`` …) are
   expanded, every token is folded (no diacritics, lower case) and "và" / "&" are dropped.
2. Leading words that do not name the body (``Đề nghị``, ``các``, ``Chủ tịch`` …), a trailing
   province name (``… tỉnh Cao Bằng``, ``… Thái Nguyên``, ``… thành phố Hà Nội``, which becomes
   ``tỉnh``) and trailing qualifiers (``có liên quan``, ``cùng cấp`` …) are removed. That gives
   the *full key*. Removing a trailing ``tỉnh`` / ``cấp tỉnh`` as well gives the *short key*;
   a name that had such a marker can only match a provincial (or level-less) entry.
3. ``exact``: the name equals the entry's canonical name up to case, spacing and tone
   placement. ``alias``: the full key or the short key equals the key of the canonical name
   or of one of its aliases. ``fuzzy``: the closest key by ``rapidfuzz`` at or above the
   threshold in the data, with the same head word; its score is kept. ``none``: no entry.
4. When one key belongs to several entries whose periods of validity do not overlap
   ("Sở Nông nghiệp" before and after 1 March 2025) the plan's date picks one.

The successor of a body that no longer exists is taken from its ``successors`` list: the
item for the task's function when there is one, else the ``"*"`` item; successors that were
themselves dissolved are followed to a body that still exists.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .vn import fold, key, tone_normalise

BODIES_SCHEMA_ID = "khplan.lexicon.bodies/v1"
FUNCTIONS_SCHEMA_ID = "khplan.lexicon.functions/v1"
PROVINCES_SCHEMA_ID = "khplan.lexicon.provinces/v1"

DATA_FILES = {"bodies": "bodies.yaml", "functions": "functions.yaml", "provinces": "provinces.yaml"}
SCHEMA_FILES = {
    "bodies": "lexicon-bodies.schema.json",
    "functions": "lexicon-functions.schema.json",
    "provinces": "lexicon-provinces.schema.json",
}

MATCH_KINDS = ("exact", "alias", "fuzzy", "none")
ANY_FUNCTION = "*"


# --------------------------------------------------------------------------------------------
# Entries and results
# --------------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    """None, a date, a datetime (its date) or an ISO string, as a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Successor:
    """Who took over ``function`` (a function id, or ``"*"`` for everything else)."""

    function: str
    body: str


@dataclass(frozen=True)
class Example:
    """A string that must resolve to its entry; ``on`` is the plan date when it matters."""

    name: str
    on: dt.date | None = None


@dataclass(frozen=True)
class BodyEntry:
    """One body of the lexicon (see ``khplan/schemas/lexicon-bodies.schema.json``)."""

    id: str
    canonical: str
    level: str | None
    kind: str
    generic: bool
    aliases: tuple[str, ...]
    examples: tuple[Example, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    successors: tuple[Successor, ...] = ()
    parent: str | None = None
    note: str | None = None

    def is_valid_on(self, on: dt.date | None) -> bool:
        if on is None:
            return self.valid_to is None
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    @property
    def dissolved(self) -> bool:
        return self.valid_to is not None


@dataclass(frozen=True)
class BodyMatch:
    """The result of resolving one body mention."""

    id: str | None
    canonical: str | None
    level: str | None
    kind: str | None
    generic: bool
    match: str  # exact | alias | fuzzy | none
    score: float  # 1.0 for exact/alias, the similarity for fuzzy, 0.0 for none
    successor: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    @property
    def known(self) -> bool:
        return self.id is not None

    def to_output(self, name: str) -> dict:
        """The ``body`` shape of the output contract (plus ``match``, ``id``, ``kind``, ``generic``)."""
        return {
            "name": name,
            "canonical": self.canonical,
            "level": self.level,
            "successor": self.successor,
            "match": self.match,
            "id": self.id,
            "kind": self.kind,
            "generic": self.generic,
        }


NO_MATCH = BodyMatch(None, None, None, None, False, "none", 0.0, None, None, None)


@dataclass(frozen=True)
class ProvinceUnit:
    """A provincial-level unit (one of the 63 former units; 34 of them are current)."""

    id: str
    name: str
    type: str
    lists: tuple[str, ...]  # "former" (the 63 of 2025) and/or "current" (the 34 from 01/07/2025)
    part_of: str
    valid_to: dt.date | None
    aliases: tuple[str, ...]
    short_forms: tuple[str, ...]
    examples: tuple[str, ...]
    official_name: str | None = None
    note: str | None = None

    @property
    def current(self) -> bool:
        return "current" in self.lists


@dataclass(frozen=True)
class ProvinceMatch:
    """A resolved province name.

    ``canonical`` is the unit the name denotes; ``current`` the unit it is part of from
    01/07/2025 (itself when it was kept); ``former`` is True when the named unit no longer
    exists on its own.
    """

    canonical: str
    current: str
    former: bool
    type: str
    id: str = ""
    match: str = "alias"
    score: float = 1.0


# --------------------------------------------------------------------------------------------
# Text to tokens
# --------------------------------------------------------------------------------------------

_MARKUP = re.compile(r"\^\{[^{}]*\}|\[[^\[\]]*\]")
_PARENS = re.compile(r"\([^()]*\)")
_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_TOKEN = re.compile(r"[^\W_]+|&")
_CONJ = "&"


def _nfc(text: str) -> str:
    return tone_normalise(unicodedata.normalize("NFC", text)).translate(_SUPERSCRIPTS)


def _clean_name(name: str) -> str:
    """A body name without notes: parentheses, markup and anything after a colon."""
    text = _MARKUP.sub(" ", _nfc(name))
    while True:
        stripped = _PARENS.sub(" ", text)
        if stripped == text:
            break
        if not _TOKEN.search(stripped):  # the whole name is in parentheses: keep its inside
            stripped = text.replace("(", " ").replace(")", " ")
        text = stripped
    head, sep, _ = text.partition(":")
    if sep and _TOKEN.search(head):
        text = head
    return text


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _fold_token(tok: str) -> str:
    return "va" if tok == _CONJ else fold(tok)


def _abbr_token(tok: str) -> str:
    """Case-sensitive comparison form for abbreviations: 'Đ' and 'D' are the same letter."""
    if tok == _CONJ or fold(tok) == "va":
        return _CONJ
    return tok.replace("Đ", "D").replace("đ", "d")


def _folded_tokens(text: str) -> tuple[str, ...]:
    return tuple(_fold_token(t) for t in _raw_tokens(_nfc(text)))


class _Abbreviations:
    """Expands abbreviations token by token (longest first).

    Case-sensitive by default, so that upper-case "CT" or "TE" is expanded but the syllables
    "ct"/"te" in running text are not; ``any_case`` items also match in lower case.
    """

    def __init__(self, items: Iterable[Mapping]):
        self.exact: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.loose: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.maxlen = 1
        for item in items:
            short_raw = _raw_tokens(_nfc(item["short"]))
            full = _folded_tokens(item["full"])
            if not short_raw or not full:
                continue
            if item.get("any_case"):
                self.loose[tuple(_fold_token(t) for t in short_raw)] = full
            else:
                self.exact[tuple(_abbr_token(t) for t in short_raw)] = full
            self.maxlen = max(self.maxlen, len(short_raw))
        self._exact_first = {k[0] for k in self.exact}
        self._loose_first = {k[0] for k in self.loose}

    def expand(self, raw: Sequence[str]) -> list[str]:
        folded = [_fold_token(t) for t in raw]
        if not self.exact and not self.loose:
            return folded
        abbr = [_abbr_token(t) for t in raw]
        out: list[str] = []
        i, n = 0, len(raw)
        while i < n:
            if abbr[i] not in self._exact_first and folded[i] not in self._loose_first:
                out.append(folded[i])
                i += 1
                continue
            for length in range(min(self.maxlen, n - i), 0, -1):
                rep = self.exact.get(tuple(abbr[i : i + length]))
                if rep is None:
                    rep = self.loose.get(tuple(folded[i : i + length]))
                if rep is not None:
                    out.extend(rep)
                    i += length
                    break
            else:
                out.append(folded[i])
                i += 1
        return out


def _phrases(items: Iterable[str], drop: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = {tuple(t for t in _folded_tokens(s) if t not in drop) for s in items}
    out.discard(())
    return sorted(out, key=len, reverse=True)


def _ends_with(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    return len(tokens) > len(phrase) and tuple(tokens[-len(phrase) :]) == phrase


@dataclass(frozen=True)
class _Keys:
    full: str  # after leading words, province name and qualifiers are handled
    short: str  # also without a trailing "tỉnh" / "cấp tỉnh"
    provincial: bool  # a provincial marker was removed
    head: str  # first token


class _NameNormaliser:
    """Turns a body name into the keys used by the index (same rules for data and queries)."""

    def __init__(self, norm: Mapping, abbreviations: _Abbreviations, provinces: _ProvinceIndex):
        self.abbr = abbreviations
        self.leading: dict[str, list[tuple[str, ...]]] = {}  # by first token, longest first
        for phrase in _phrases(norm.get("leading", []), drop=("va",)):
            self.leading.setdefault(phrase[0], []).append(phrase)
        self.qualifiers = _phrases(norm.get("qualifiers", []), drop=("va",))
        self.markers = _phrases(norm.get("provincial", []), drop=("va",))
        # trailing phrases by their last token, longest first: (phrase, is a provincial marker)
        self._trailing: dict[bool, dict[str, list[tuple[tuple[str, ...], bool]]]] = {False: {}, True: {}}
        for with_markers in (False, True):
            items = [(p, False) for p in self.qualifiers] + ([(p, True) for p in self.markers] if with_markers else [])
            for phrase, is_marker in sorted(items, key=lambda c: len(c[0]), reverse=True):
                self._trailing[with_markers].setdefault(phrase[-1], []).append((phrase, is_marker))
        self.provinces = provinces
        self.province_token = _folded_tokens(norm.get("province_placeholder", "tỉnh"))
        self.city_prefixes = provinces.city_prefixes
        self.province_prefixes = provinces.province_prefixes

    def tokens(self, name: str) -> list[str]:
        # "và" / "&" carry no meaning in a name: "Giáo dục - Đào tạo" = "Giáo dục và Đào tạo"
        return [t for t in self.abbr.expand(_raw_tokens(_clean_name(name))) if t != "va"]

    def keys(self, name: str) -> _Keys | None:
        tokens = self.tokens(name)
        tokens = self._strip_leading(tokens)
        tokens = self._replace_province(tokens)
        full, _ = self._strip_trailing(tokens, markers=False)
        short, provincial = self._strip_trailing(full, markers=True)
        if not full:
            return None
        return _Keys(" ".join(full), " ".join(short or full), provincial and bool(short), full[0])

    def _strip_leading(self, tokens: list[str]) -> list[str]:
        changed = True
        while changed and tokens:
            changed = False
            if tokens[0].isdigit():
                tokens = tokens[1:]
                changed = True
                continue
            for phrase in self.leading.get(tokens[0], ()):
                if len(tokens) > len(phrase) and tuple(tokens[: len(phrase)]) == phrase:
                    tokens = tokens[len(phrase) :]
                    changed = True
                    break
        return tokens

    def _replace_province(self, tokens: list[str]) -> list[str]:
        hit = self.provinces.trailing_unit(tokens)
        if hit is None:
            return tokens
        length, unit = hit
        before = tokens[: len(tokens) - length]
        for prefix in self.city_prefixes:
            if _ends_with(before, prefix) or tuple(before) == prefix:
                if not self.provinces.is_city(unit):
                    return tokens  # "thành phố Thái Nguyên": a city inside the province
                before = before[: len(before) - len(prefix)]
                break
        else:
            for prefix in self.province_prefixes:
                if _ends_with(before, prefix) or tuple(before) == prefix:
                    before = before[: len(before) - len(prefix)]
                    break
        if not before:
            return tokens
        return before + list(self.province_token)

    def _strip_trailing(self, tokens: list[str], *, markers: bool) -> tuple[list[str], bool]:
        provincial = False
        by_last = self._trailing[markers]
        changed = True
        while changed and tokens:
            changed = False
            for phrase, is_marker in by_last.get(tokens[-1], ()):
                if _ends_with(tokens, phrase):
                    tokens = tokens[: len(tokens) - len(phrase)]
                    provincial = provincial or is_marker
                    changed = True
                    break
        return tokens, provincial


# --------------------------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------------------------


class _ProvinceIndex:
    def __init__(self, data: Mapping):
        self.units: dict[str, ProvinceUnit] = {}
        self.by_key: dict[str, str] = {}  # folded key -> unit id
        self.by_compact: dict[str, str] = {}  # folded key without spaces -> unit id
        self.names_for_text: dict[tuple[str, ...], str] = {}  # token sequences usable after a prefix
        self.types_by_id: dict[str, set[str]] = {}
        fuzzy = data.get("fuzzy", {})
        self.fuzzy_threshold = float(fuzzy.get("threshold", 92))
        self.fuzzy_min_length = int(fuzzy.get("min_length", 6))
        prefixes = data.get("prefixes", {})
        self.province_prefixes = _phrases(prefixes.get("province", ["tỉnh"]))
        self.city_prefixes = _phrases(prefixes.get("city", ["thành phố", "TP"]))
        for raw in data.get("units", []):
            unit = ProvinceUnit(
                id=raw["id"],
                name=raw["name"],
                type=raw["type"],
                lists=tuple(raw.get("lists", [])),
                part_of=raw.get("part_of", raw["id"]),
                valid_to=_date(raw.get("valid_to")),
                aliases=tuple(raw.get("aliases", [])),
                short_forms=tuple(raw.get("short_forms", [])),
                examples=tuple(raw.get("examples", [])),
                official_name=raw.get("official_name"),
                note=raw.get("note"),
            )
            self.units[unit.id] = unit
            types = {unit.type} | {h.get("type") for h in raw.get("history", []) if h.get("type")}
            self.types_by_id[unit.id] = types
            names = [unit.name, *unit.aliases]
            if unit.official_name:
                names.append(unit.official_name)
            names += [h["name"] for h in raw.get("history", []) if h.get("name")]
            for text in names + list(unit.short_forms):
                self._add(text, unit.id)
            for text in names:
                toks = self._strip_prefix(_folded_tokens(text))
                if toks:
                    self.names_for_text.setdefault(toks, unit.id)
            for text in unit.short_forms:
                toks = self._strip_prefix(_folded_tokens(text))
                if toks and len("".join(toks)) >= 3:
                    self.names_for_text.setdefault(toks, unit.id)
        self.prefix_only = set(_phrases(data.get("prefix_only", [])))
        self.maxlen = max((len(t) for t in self.names_for_text), default=1)
        self._fuzzy_keys = sorted(
            {k for k, uid in self.by_key.items() if len(k.replace(" ", "")) >= self.fuzzy_min_length}
        )

    def _add(self, text: str, uid: str) -> None:
        toks = self._strip_prefix(_folded_tokens(text))
        if not toks:
            return
        k = " ".join(toks)
        self.by_key.setdefault(k, uid)
        self.by_compact.setdefault(k.replace(" ", ""), uid)

    def _strip_prefix(self, toks: tuple[str, ...]) -> tuple[str, ...]:
        for prefix in sorted(self.city_prefixes + self.province_prefixes, key=len, reverse=True):
            if len(toks) > len(prefix) and toks[: len(prefix)] == prefix:
                return toks[len(prefix) :]
        return toks

    def is_city(self, uid: str) -> bool:
        return "thành phố" in self.types_by_id.get(uid, set())

    def trailing_unit(self, tokens: Sequence[str]) -> tuple[int, str] | None:
        """(number of tokens, unit id) of a province name at the end of ``tokens``."""
        for length in range(min(self.maxlen, len(tokens)), 0, -1):
            name = tuple(tokens[len(tokens) - length :])
            uid = self.names_for_text.get(name)
            if uid is None:
                continue
            if name in self.prefix_only and not self._has_prefix(tokens[: len(tokens) - length]):
                continue
            return length, uid
        return None

    def _has_prefix(self, before: Sequence[str]) -> bool:
        return any(
            len(before) >= len(p) and tuple(before[len(before) - len(p) :]) == p
            for p in self.city_prefixes + self.province_prefixes
        )


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


class _PhraseScanner:
    """Greedy left-to-right, longest-first matching of token phrases."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}

    def add(self, phrase: tuple[str, ...], payload: Any) -> None:
        if not phrase:
            return
        bucket = self._by_first.setdefault(phrase[0], [])
        if any(p == phrase for p, _ in bucket):
            if payload is None:
                return
            bucket[:] = [(p, v) for p, v in bucket if p != phrase]
        bucket.append((phrase, payload))
        bucket.sort(key=lambda item: len(item[0]), reverse=True)

    def scan(self, tokens: Sequence[str]) -> Iterator[Any]:
        i, n = 0, len(tokens)
        while i < n:
            for phrase, payload in self._by_first.get(tokens[i], ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    yield payload
                    i += len(phrase)
                    break
            else:
                i += 1


# --------------------------------------------------------------------------------------------
# The lexicon
# --------------------------------------------------------------------------------------------


def _package_text(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _package_yaml(name: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(_package_text(name), Loader=loader)


def load_schema(which: str) -> dict:
    """The JSON Schema of one of the lexicon files ("bodies", "functions", "provinces")."""
    text = resources.files(__package__).joinpath("schemas", SCHEMA_FILES[which]).read_text(encoding="utf-8")
    return json.loads(text)


def validate(which: str, data: Any) -> list[str]:
    """Schema errors of a lexicon document, as one-line messages (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema(which), format_checker=jsonschema.FormatChecker())
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(f"{where}: {err.message}")
    return out


def _merge_bodies(base: dict, extra: Mapping, source: str) -> None:
    from .errors import UsageError

    by_id = {b["id"]: b for b in base.setdefault("bodies", [])}
    for item in extra.get("bodies", []):
        current = by_id.get(item["id"])
        if current is None:
            if "canonical" not in item:
                raise UsageError(f"{source}: body '{item['id']}' is not in the lexicon; give canonical, level and kind")
            new = dict(item)
            base["bodies"].append(new)
            by_id[new["id"]] = new
            continue
        for field_name, value in item.items():
            if field_name in ("aliases", "examples", "successors"):
                merged = list(current.get(field_name, []))
                merged += [v for v in value if v not in merged]
                current[field_name] = merged
            elif field_name != "id":
                current[field_name] = value
    for field_name in ("abbreviations",):
        if field_name in extra:
            base.setdefault(field_name, []).extend(extra[field_name])
    for field_name, value in extra.get("normalisation", {}).items():
        norm = base.setdefault("normalisation", {})
        if isinstance(value, list):
            norm[field_name] = list(norm.get(field_name, [])) + [v for v in value if v not in norm.get(field_name, [])]
        else:
            norm[field_name] = value
    if "fuzzy" in extra:
        base["fuzzy"] = {**base.get("fuzzy", {}), **extra["fuzzy"]}


class Lexicon:
    """Bodies, functions and provinces, with the matching rules described in the module doc."""

    def __init__(self, bodies: Mapping, functions: Mapping, provinces: Mapping):
        self._provinces = _ProvinceIndex(provinces)
        self._abbr = _Abbreviations(bodies.get("abbreviations", []))
        self._norm = _NameNormaliser(bodies.get("normalisation", {}), self._abbr, self._provinces)
        fuzzy = bodies.get("fuzzy", {})
        self.fuzzy_threshold = float(fuzzy.get("threshold", 90))
        self.fuzzy_min_length = int(fuzzy.get("min_length", 6))

        self._entries: dict[str, BodyEntry] = {}
        for raw in bodies.get("bodies", []):
            entry = BodyEntry(
                id=raw["id"],
                canonical=raw["canonical"],
                level=raw.get("level"),
                kind=raw["kind"],
                generic=bool(raw.get("generic", False)),
                aliases=tuple(raw.get("aliases", [])),
                examples=tuple(
                    Example(e) if isinstance(e, str) else Example(e["name"], _date(e.get("date")))
                    for e in raw.get("examples", [])
                ),
                valid_from=_date(raw.get("valid_from")),
                valid_to=_date(raw.get("valid_to")),
                successors=tuple(Successor(s["function"], s["body"]) for s in raw.get("successors", [])),
                parent=raw.get("parent"),
                note=raw.get("note"),
            )
            self._entries[entry.id] = entry

        # key -> entry ids; "full" keys of the names, and "short" keys (without "tỉnh")
        self._full: dict[str, list[str]] = {}
        self._short: dict[str, list[str]] = {}
        self._canonical_keys: dict[str, str] = {}
        for entry in self._entries.values():
            self._canonical_keys[entry.id] = key(entry.canonical)
            for text in (entry.canonical, *entry.aliases):
                keys = self._norm.keys(text)
                if keys is None:
                    continue
                _add_unique(self._full, keys.full, entry.id)
                # "Báo tỉnh" is not to make a bare "Báo" a body: short keys need two words
                if keys.short != keys.full and " " in keys.short:
                    _add_unique(self._short, keys.short, entry.id)
        self._fuzzy_choices = sorted(set(self._full) | set(self._short))

        self._functions = [dict(f) for f in functions.get("functions", [])]
        self._function_ids = [f["id"] for f in self._functions]
        self._function_min_score = float(functions.get("min_score", 1))
        self._scanner = self._build_function_scanner(functions)

        self._resolve_cached = lru_cache(maxsize=100_000)(self._resolve)
        self._lookup_cached = lru_cache(maxsize=100_000)(self._lookup)
        self._function_cached = lru_cache(maxsize=8192)(self._function_of)
        self._province_cached = lru_cache(maxsize=8192)(self._resolve_province)
        self._find_regex = None

    # ---- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, extra: Iterable[str | Path] = (), *, validate_extra: bool = True) -> Lexicon:
        """The package lexicon, with user body files (same schema as bodies.yaml) merged in."""
        from .errors import UsageError
        from .output import load_yaml

        bodies = _package_yaml(DATA_FILES["bodies"])
        functions = _package_yaml(DATA_FILES["functions"])
        provinces = _package_yaml(DATA_FILES["provinces"])
        for path in extra:
            data = load_yaml(path)
            if not isinstance(data, dict) or data.get("schema") != BODIES_SCHEMA_ID:
                raise UsageError(f"{path}: not a body lexicon file (expected 'schema: {BODIES_SCHEMA_ID}')")
            if validate_extra:
                errors = validate("bodies", data)
                if errors:
                    raise UsageError(f"{path}: {errors[0]}")
            _merge_bodies(bodies, data, str(path))
        lex = cls(bodies, functions, provinces)
        lex._check_references()
        return lex

    def _check_references(self) -> None:
        from .errors import UsageError

        functions = set(self._function_ids) | {ANY_FUNCTION}
        for entry in self._entries.values():
            for succ in entry.successors:
                if succ.body not in self._entries:
                    raise UsageError(f"body '{entry.id}': successor '{succ.body}' is not in the lexicon")
                if succ.function not in functions:
                    raise UsageError(f"body '{entry.id}': unknown function '{succ.function}'")
            if entry.parent is not None and entry.parent not in self._entries:
                raise UsageError(f"body '{entry.id}': parent '{entry.parent}' is not in the lexicon")

    # ---- bodies ----------------------------------------------------------------------------

    def bodies(self) -> Iterator[BodyEntry]:
        """All entries, in data order."""
        return iter(self._entries.values())

    def body(self, body_id: str) -> BodyEntry:
        return self._entries[body_id]

    def is_valid_on(self, body_id: str, date: dt.date | None) -> bool:
        """Whether the body exists on ``date`` (None: today, i.e. it has not been dissolved)."""
        return self._entries[body_id].is_valid_on(_date(date))

    def successor_of(self, body_id: str, function: str | None = None) -> BodyEntry | None:
        """The existing body that holds ``function`` of a dissolved body (None if it still exists)."""
        entry = self._entries[body_id]
        seen = {entry.id}
        result = None
        while entry.dissolved:
            nxt = _pick_successor(entry, function)
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            entry = self._entries[nxt]
            result = entry
        return result

    def conflicts(self) -> list[tuple[str, tuple[str, ...]]]:
        """Keys shared by entries whose periods of validity overlap (the date cannot tell them
        apart). Empty for a consistent lexicon."""
        out = []
        for table in (self._full, self._short):
            for k, ids in table.items():
                entries = [self._entries[i] for i in ids]
                clash: set[str] = set()
                for n, first in enumerate(entries):
                    for second in entries[n + 1 :]:
                        if _overlap(first, second):
                            clash |= {first.id, second.id}
                if clash:
                    out.append((k, tuple(sorted(clash))))
        return sorted(set(out))

    def resolve_body(self, name: str, on: dt.date | None = None, function: str | None = None) -> BodyMatch:
        """Resolve a body mention as written in a plan (see the module docstring)."""
        if not isinstance(name, str):
            return NO_MATCH
        return self._resolve_cached(name, _date(on), function)

    def candidates(self, name: str) -> tuple[tuple[str, ...], str, float]:
        """The entry ids a name can denote (before the date is taken into account), the match
        kind and the score. Mostly for tests and debugging."""
        return self._lookup_cached(name)

    def _resolve(self, name: str, on: dt.date | None, function: str | None) -> BodyMatch:
        ids, match, score = self._lookup_cached(name)
        if not ids:
            return NO_MATCH
        entry = self._pick(ids, on)
        if entry is None:
            return NO_MATCH
        if match == "alias" and key(name) == self._canonical_keys[entry.id]:
            match = "exact"
        succ = self.successor_of(entry.id, function)
        return BodyMatch(
            id=entry.id,
            canonical=entry.canonical,
            level=entry.level,
            kind=entry.kind,
            generic=entry.generic,
            match=match,
            score=score,
            successor=succ.canonical if succ is not None else None,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
        )

    def _lookup(self, name: str) -> tuple[tuple[str, ...], str, float]:
        keys = self._norm.keys(name)
        if keys is None:
            return (), "none", 0.0
        ids = tuple(self._full.get(keys.full, ()))
        if ids:
            return ids, "alias", 1.0
        # Without its "tỉnh" the name may match a name that has none ("Công an tỉnh" ~ "Công an"),
        # and a name without "tỉnh" may match one that has it ("Hội Chữ thập đỏ").
        tables = (self._full, self._short) if keys.short != keys.full else (self._short,)
        for table in tables:
            ids = self._filter(table.get(keys.short, ()), keys.provincial)
            if ids:
                return ids, "alias", 1.0
        return self._fuzzy(keys)

    def _filter(self, ids: Iterable[str], provincial: bool) -> tuple[str, ...]:
        if not provincial:
            return tuple(ids)
        return tuple(i for i in ids if self._entries[i].level in ("province", None))

    def _fuzzy(self, keys: _Keys) -> tuple[tuple[str, ...], str, float]:
        from rapidfuzz import fuzz, process

        if len(keys.full.replace(" ", "")) < self.fuzzy_min_length:
            return (), "none", 0.0
        best: dict[str, float] = {}
        for query in {keys.full, keys.short}:
            for choice, score, _ in process.extract(
                query, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold, limit=8
            ):
                if choice.split(" ", 1)[0] != keys.head:
                    continue
                ids = self._filter([*self._full.get(choice, ()), *self._short.get(choice, ())], keys.provincial)
                for i in ids:
                    best[i] = max(best.get(i, 0.0), score)
        if not best:
            return (), "none", 0.0
        top = max(best.values())
        ids = tuple(sorted(i for i, s in best.items() if s == top))
        return ids, "fuzzy", round(top / 100.0, 3)

    def _pick(self, ids: Sequence[str], on: dt.date | None) -> BodyEntry | None:
        entries = [self._entries[i] for i in ids]
        if len(entries) == 1:
            return entries[0]
        valid = [e for e in entries if e.is_valid_on(on)]
        if len(valid) == 1:
            return valid[0]
        if valid or on is None:
            return None  # two entries for the same period: ambiguous

        # The plan's date falls outside every period: take the nearest one.
        def distance(e: BodyEntry) -> int:
            if e.valid_from is not None and on < e.valid_from:
                return (e.valid_from - on).days
            if e.valid_to is not None and on > e.valid_to:
                return (on - e.valid_to).days
            return 0

        ranked = sorted(entries, key=distance)
        if distance(ranked[0]) == distance(ranked[1]):
            return None
        return ranked[0]

    # ---- functions -------------------------------------------------------------------------

    def _build_function_scanner(self, functions: Mapping) -> _PhraseScanner:
        scanner = _PhraseScanner()
        keyword_keys = set()
        for f in self._functions:
            for kw in f.get("keywords", []):
                text, weight = (kw, 1.0) if isinstance(kw, str) else (kw["text"], float(kw.get("weight", 1.0)))
                phrase = tuple(self._text_tokens(text))
                keyword_keys.add(" ".join(phrase))
                scanner.add(phrase, (f["id"], weight))
        for text in functions.get("ignore", []):
            scanner.add(tuple(self._text_tokens(text)), None)
        # Names of bodies do not vote: "Sở Giáo dục và Đào tạo chủ trì" says nothing about the task.
        for k in list(self._full) + list(self._short):
            if k not in keyword_keys and " " in k:
                scanner.add(tuple(k.split(" ")), None)
        return scanner

    def _text_tokens(self, text: str) -> list[str]:
        """Folded tokens of running text, abbreviations expanded, without "và" (as body keys)."""
        return [t for t in self._abbr.expand(_raw_tokens(_nfc(text))) if t != "va"]

    def functions(self) -> list[dict]:
        return [dict(f) for f in self._functions]

    def function_scores(self, text: str) -> dict[str, float]:
        """Keyword weight per function found in ``text`` (body names excluded)."""
        tokens = self._text_tokens(text or "")
        scores: dict[str, float] = {}
        for payload in self._scanner.scan(tokens):
            if payload is not None:
                fid, weight = payload
                scores[fid] = scores.get(fid, 0.0) + weight
        return scores

    def function_of(self, text: str) -> str | None:
        """The dominant function of a task's text, or None when no keyword is found."""
        if not text:
            return None
        return self._function_cached(text)

    def _function_of(self, text: str) -> str | None:
        scores = self.function_scores(text)
        if not scores:
            return None
        order = {fid: i for i, fid in enumerate(self._function_ids)}
        fid, score = min(scores.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order))))
        return fid if score >= self._function_min_score else None

    # ---- provinces -------------------------------------------------------------------------

    def provinces(self) -> Iterator[ProvinceUnit]:
        return iter(self._provinces.units.values())

    def province(self, unit_id: str) -> ProvinceUnit:
        return self._provinces.units[unit_id]

    def resolve_province(self, name: str) -> ProvinceMatch | None:
        """Resolve a province name ("Hung Yên", "TP.HCM", "tỉnh Bắc Kạn"); None when unknown."""
        if not isinstance(name, str) or not name.strip():
            return None
        return self._province_cached(name)

    def _resolve_province(self, name: str) -> ProvinceMatch | None:
        idx = self._provinces
        raw = _raw_tokens(_nfc(_clean_name(name)))
        folded = tuple(_fold_token(t) for t in raw)
        toks = idx._strip_prefix(folded)
        if not toks:
            return None
        k = " ".join(toks)
        uid = idx.by_key.get(k) or idx.by_compact.get(k.replace(" ", ""))
        match, score = "alias", 1.0
        if uid is None:
            from rapidfuzz import fuzz, process

            if len(k.replace(" ", "")) < idx.fuzzy_min_length:
                return None
            found = process.extract(k, idx._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=idx.fuzzy_threshold, limit=3)
            if not found:
                return None
            units = {idx.by_key[c] for c, s, _ in found if s == found[0][1]}
            if len(units) != 1:
                return None
            uid, match, score = units.pop(), "fuzzy", round(found[0][1] / 100.0, 3)
        unit = idx.units[uid]
        if match == "alias" and self._name_tokens(raw, folded) == self._name_tokens(
            _raw_tokens(_nfc(unit.name)), _folded_tokens(unit.name)
        ):
            match = "exact"
        current = idx.units[unit.part_of]
        return ProvinceMatch(
            canonical=unit.name,
            current=current.name,
            former=not unit.current,
            type=unit.type,
            id=unit.id,
            match=match,
            score=score,
        )

    def _name_tokens(self, raw: Sequence[str], folded: Sequence[str]) -> list[str]:
        """``key`` of each token of a province name after its prefix ("tỉnh", "TP." ...)."""
        rest = self._provinces._strip_prefix(tuple(folded))
        return [key(t) for t in raw[len(folded) - len(rest) :]]

    def find_provinces(self, text: str) -> list[tuple[int, int, str]]:
        """Mentions of provincial units in running text: ``(start, end, canonical name)``.

        Only names introduced by "tỉnh", "thành phố" or "TP" count (any case, with or without
        diacritics); "thành phố X" counts only when X is a centrally-run city. A bare name is
        never taken, since many communes and wards carry province names.
        """
        if not text:
            return []
        folded, where = _fold_with_offsets(text)
        out = []
        for m in self._province_regex().finditer(folded):
            prefix = _WS_RUN.sub(" ", m.group("prefix").strip().rstrip(".").strip())
            uid = self._provinces.names_for_text.get(tuple(_WS_SPLIT.split(m.group("name").strip())))
            if uid is None:
                continue
            is_city_prefix = tuple(prefix.split(" ")) in self._provinces.city_prefixes
            if is_city_prefix and not self._provinces.is_city(uid):
                continue
            start, end = where[m.start()], where[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            out.append((start, end, self._provinces.units[uid].name))
        return out

    def _province_regex(self) -> re.Pattern:
        if self._find_regex is None:
            names = sorted(self._provinces.names_for_text, key=lambda t: (-len(" ".join(t)), t))
            alt = "|".join(r"[\s\-–]+".join(re.escape(t) for t in toks) for toks in names)
            prefixes = sorted(
                {" ".join(p) for p in self._provinces.province_prefixes + self._provinces.city_prefixes},
                key=len,
                reverse=True,
            )
            pre = "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in prefixes)
            self._find_regex = re.compile(rf"(?<![^\W_])(?P<prefix>(?:{pre})(?:\.\s*|\s+))(?P<name>{alt})(?![^\W_])")
        return self._find_regex


_WS_RUN = re.compile(r"\s+")
_WS_SPLIT = re.compile(r"[\s\-–]+")


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold`` applied character by character, keeping the source offset of every character."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            out = " "
        else:
            out = fold(ch)
        for c in out:
            chars.append(c)
            where.append(i)
    return "".join(chars), where


def _overlap(a: BodyEntry, b: BodyEntry) -> bool:
    lo = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    hi = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return lo <= hi


def _add_unique(table: dict[str, list[str]], k: str, body_id: str) -> None:
    ids = table.setdefault(k, [])
    if body_id not in ids:
        ids.append(body_id)


def _pick_successor(entry: BodyEntry, function: str | None) -> str | None:
    if function is not None:
        for s in entry.successors:
            if s.function == function:
                return s.body
    for s in entry.successors:
        if s.function == ANY_FUNCTION:
            return s.body
    return None


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The package lexicon, loaded once."""
    return Lexicon.load()


# --------------------------------------------------------------------------------------------
# Canonical formatting of the data files (used by scripts/format_data.py and the tests)
# --------------------------------------------------------------------------------------------


class _Flow(dict):
    """A mapping written in flow style: ``{function: children, body: so-y-te}``."""


class _FlowList(list):
    """A list of enum values written in flow style: ``[former, current]``."""


def _resolve_ref(schema: Mapping, root: Mapping) -> Mapping:
    while "$ref" in schema:
        ref = schema["$ref"]
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _branch_for(value: Any, schema: Mapping, root: Mapping) -> Mapping:
    schema = _resolve_ref(schema, root)
    for combo in ("oneOf", "anyOf"):
        if combo in schema:
            for option in schema[combo]:
                option = _resolve_ref(option, root)
                want = option.get("type")
                if isinstance(value, dict) and want == "object" and set(value) <= set(option.get("properties", {})):
                    return option
                if isinstance(value, list) and want == "array":
                    return option
            return {}
    return schema


def _is_default(value: Any, schema: Mapping) -> bool:
    if "default" not in schema:
        return False
    default = schema["default"]
    return type(value) is type(default) and value == default


def _canonical(value: Any, schema: Mapping, root: Mapping, depth: int = 0) -> Any:
    schema = _branch_for(value, schema, root)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        ordered: dict = {}
        for name in list(props) + sorted(k for k in value if k not in props):
            if name not in value:
                continue
            sub = _resolve_ref(props.get(name, {}), root)
            if _is_default(value[name], sub):
                continue
            ordered[name] = _canonical(value[name], sub, root, depth + 1)
        if depth > 0 and all(not isinstance(v, (dict, list)) for v in ordered.values()):
            return _Flow(ordered)
        return ordered
    if isinstance(value, list):
        items = _resolve_ref(schema.get("items", {}), root)
        out = [_canonical(v, items, root, depth + 1) for v in value]
        return _FlowList(out) if "enum" in items else out
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):  # indent lists under their key
            return super().increase_indent(flow, False)

        def ignore_aliases(self, data):
            return True

    def flow(dumper, data):
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)

    def block(dumper, data):
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)

    def flow_list(dumper, data):
        return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)

    def string(dumper, data):
        style = '"' if "\n" in data else None  # a line break stays visible as \n
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, string)
    Dumper.add_representer(_Flow, flow)
    Dumper.add_representer(_FlowList, flow_list)
    Dumper.add_representer(dict, block)
    return Dumper


def _dump(value: Any) -> str:
    import yaml

    return yaml.dump(value, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=1_000_000)


def header_of(text: str) -> str:
    """The comment block at the top of a data file (kept as it is by the formatter)."""
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            out.append(line)
        else:
            break
    head = "".join(out).rstrip("\n")
    return head + "\n\n" if head else ""


def canonical_yaml(data: Mapping, schema: Mapping, header: str = "") -> str:
    """The one canonical text of a lexicon file: key order from the schema, NFC strings,
    defaults left out, one blank line between top-level keys and between block entries."""
    ordered = _canonical(dict(data), schema, schema)
    parts = []
    for name, value in ordered.items():
        if isinstance(value, list) and value and any(isinstance(v, dict) and not isinstance(v, _Flow) for v in value):
            items = []
            for item in value:
                text = _dump([item])
                items.append("".join("  " + line if line.strip() else line for line in text.splitlines(True)))
            parts.append(f"{name}:\n" + "\n".join(items))
        else:
            parts.append(_dump({name: value}))
    return header + "\n".join(parts)


def format_file(path: str | Path, which: str) -> tuple[str, str]:
    """(current text, canonical text) of a lexicon data file."""
    import yaml

    text = Path(path).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return text, canonical_yaml(data, load_schema(which), header_of(text))
