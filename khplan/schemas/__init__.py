"""JSON Schemas of khplan's outputs and data files, and validation helpers."""

from __future__ import annotations

import json
from functools import lru_cache

SCHEMA_FILES = {
    "khplan.plan/v1": "plan.schema.json",
    "khplan.coverage/v1": "coverage.schema.json",
    "khplan.comparison/v1": "comparison.schema.json",
    "khplan.check/v1": "check.schema.json",
}


@lru_cache(maxsize=None)
def load_schema(filename: str) -> dict:
    import importlib.resources as ir

    return json.loads(ir.files("khplan.schemas").joinpath(filename).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(filename: str):
    import jsonschema

    schema = load_schema(filename)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def validate_data(data, filename: str | None = None) -> list[str]:
    """Validation errors of ``data`` (a khplan output) as one-line strings; [] when valid."""
    if filename is None:
        if not isinstance(data, dict) or data.get("schema") not in SCHEMA_FILES:
            got = data.get("schema") if isinstance(data, dict) else type(data).__name__
            return [f"not a khplan output (schema: {got!r}; expected one of {', '.join(SCHEMA_FILES)})"]
        filename = SCHEMA_FILES[data["schema"]]
    errors = sorted(_validator(filename).iter_errors(data), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        out.append(f"{where}: {e.message[:300]}")
    return out
