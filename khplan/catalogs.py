"""Requirement catalogs: the directives a plan is checked against (``khplan.catalog/v1``).

Built-in catalogs live in ``khplan/data/catalogs/<id>.yaml`` (``tb432``, ``tb444``, ``ct28``);
users can bring their own YAML file of the same shape (``schemas/catalog.schema.json``).

A catalog has document metadata, a ``status`` (complete/partial), ``thresholds`` for the
coverage engine and a list of ``requirements``. Each requirement carries its ``verification``
status (VERIFIED / VERIFIED-HEADLINE / FROM-SPEECH / INFERRED) so that a report never presents
an unverified requirement as the directive's own words, and a list of ``concepts`` (ids into the
thesaurus ``khplan/data/concepts.yaml``, see :mod:`khplan.concepts`; ``required: true`` marks
the defining concepts, any one of which is enough; ``inferred: true`` marks concepts that come
from unverified parts). A catalog may define extra concepts under ``concepts:``; they are merged
with the built-in thesaurus by :func:`catalog_concepts`.

Public API::

    list_catalogs() -> list[dict]          # built-in catalogs: id, title, version, status, …
    load_catalog(id_or_path) -> dict       # validated catalog; InputError on any problem
    validate_catalog(data, where) -> None  # the checks load_catalog applies
    catalog_concepts(catalog) -> dict      # thesaurus for this catalog (built-in + its own)
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .errors import InputError

CATALOG_DIR = Path(__file__).parent / "data" / "catalogs"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "catalog.schema.json"
SCHEMA_ID = "khplan.catalog/v1"
VERIFICATION_STATUSES = ("VERIFIED", "VERIFIED-HEADLINE", "FROM-SPEECH", "INFERRED")


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def builtin_ids() -> list[str]:
    """Ids of the catalogs shipped with khplan, sorted."""
    return sorted(p.stem for p in CATALOG_DIR.glob("*.yaml"))


def list_catalogs() -> list[dict]:
    """The built-in catalogs, one summary dict each (sorted by id)::

        {id, title, document: "Thông báo 432-TB/VPTW (2025-11-26)", version, status,
         requirements: <count>, verification: {VERIFIED: n, …}}
    """
    out = []
    for cid in builtin_ids():
        cat = load_catalog(cid)
        counts: dict[str, int] = {}
        for req in cat["requirements"]:
            counts[req["verification"]] = counts.get(req["verification"], 0) + 1
        doc = cat["document"]
        date = f" ({doc['date']})" if doc.get("date") else ""
        out.append(
            {
                "id": cat["id"],
                "title": cat["title"],
                "document": f"{doc['kind']} {doc['number']}{date}",
                "version": cat["version"],
                "status": cat["status"],
                "requirements": len(cat["requirements"]),
                "verification": {k: counts[k] for k in VERIFICATION_STATUSES if k in counts},
            }
        )
    return out


def _location(path) -> str:
    loc = ""
    for p in path:
        loc += f"[{p}]" if isinstance(p, int) else (f".{p}" if loc else str(p))
    return loc


def _describe(error) -> str:
    """One readable line for a jsonschema ValidationError."""
    loc = _location(error.absolute_path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance]
        name = missing[0] if missing else "?"
        return f"{loc + '.' if loc else ''}{name} is missing"
    if error.validator == "additionalProperties":
        extra = sorted(k for k in error.instance if k not in error.schema.get("properties", {}))
        return f"{loc or 'top level'}: unknown key {extra[0]!r}" if extra else f"{loc}: {error.message}"
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{loc}: {error.instance!r} is not one of {allowed}"
    if error.validator == "const":
        return f"{loc}: must be {error.validator_value!r}"
    return f"{loc or 'top level'}: {error.message}"


def validate_catalog(data, where: str = "catalog") -> None:
    """Raise :class:`InputError` ("<where>: not a khplan catalog: <what>") unless ``data`` is a
    valid catalog: the JSON Schema, unique requirement ids, ``partial <= covered`` thresholds,
    and concept ids that exist in the thesaurus or in the catalog's own ``concepts``."""
    import jsonschema

    def fail(what: str):
        raise InputError(f"{where}: not a khplan catalog: {what}")

    if not isinstance(data, dict):
        fail("the file does not hold a mapping")
    if "schema" not in data:
        fail("schema is missing (expected 'schema: khplan.catalog/v1')")
    errors = list(jsonschema.Draft202012Validator(_schema()).iter_errors(data))
    if errors:
        # Report the first problem in document order, preferring the deepest one.
        errors.sort(key=lambda e: ([(0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path], -len(e.absolute_path)))
        fail(_describe(jsonschema.exceptions.best_match([errors[0]])))
    th = data["thresholds"]
    if th["partial"] > th["covered"]:
        fail(f"thresholds.partial ({th['partial']}) is above thresholds.covered ({th['covered']})")
    seen: set[str] = set()
    known = set(catalog_concepts(data))
    for i, req in enumerate(data["requirements"]):
        if req["id"] in seen:
            fail(f"requirements[{i}].id {req['id']!r} is used twice")
        seen.add(req["id"])
        for j, ref in enumerate(req["concepts"]):
            if ref["id"] not in known:
                fail(f"requirements[{i}].concepts[{j}]: unknown concept {ref['id']!r}")
    if data.get("concepts"):
        from .concepts import variant_problem

        problem = variant_problem(data["concepts"])
        if problem:
            fail(problem)


def catalog_concepts(catalog: dict) -> dict:
    """The concept dict to match a catalog with: the built-in thesaurus, updated with the
    catalog's own ``concepts`` (which win on equal ids)."""
    from .concepts import load_concepts

    own = catalog.get("concepts") or {}
    if not own:
        return load_concepts()
    merged = dict(load_concepts())
    merged.update(own)
    return merged


@lru_cache(maxsize=16)
def _load_builtin(cid: str) -> dict:
    from .output import load_yaml

    path = CATALOG_DIR / f"{cid}.yaml"
    data = load_yaml(path)
    validate_catalog(data, f"{cid}.yaml")
    return data


def load_catalog(id_or_path: str | Path) -> dict:
    """A validated catalog, by built-in id ("tb432", case-insensitive) or by file path.

    Built-in catalogs are cached: treat the returned dict as read-only (copy before editing).
    Any problem (missing file, bad YAML, schema violation, unknown concept) raises
    :class:`khplan.errors.InputError` with a one-line message such as
    ``my.yaml: not a khplan catalog: requirements[3].id is missing``.
    """
    from .output import load_yaml

    text = str(id_or_path)
    if not isinstance(id_or_path, Path) and text.lower() in builtin_ids():
        return _load_builtin(text.lower())
    path = Path(text)
    if not path.exists():
        if "/" not in text and "\\" not in text and not path.suffix:
            raise InputError(f"{text}: no such catalog (built-in: {', '.join(builtin_ids())}; or give a YAML file)")
        raise InputError(f"{text}: no such file")
    if path.is_dir():
        raise InputError(f"{text}: is a directory, not a catalog file")
    data = load_yaml(path)
    validate_catalog(data, text)
    return data
