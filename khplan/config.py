"""Configuration: ``khplan.toml`` or ``[tool.khplan]`` in ``pyproject.toml``, found upward.

Example::

    # khplan.toml
    lexicon = ["lexicon/communes.yaml"]     # extra body aliases, relative to this file
    [check]
    select = ["KH1", "KH2"]
    ignore = ["KH301"]
    severity = "warning"
    min_coverage = 0.6
    against = ["tb432"]
    [check.rules]                           # per-rule severity: error, warning, info or off
    KH601 = "error"

In ``pyproject.toml`` the same tables are ``[tool.khplan]`` and ``[tool.khplan.check]``.
Settings given on the command line override the configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import UsageError


@lru_cache(maxsize=64)
def find_config(start: str) -> tuple[str, dict] | None:
    """The nearest config at or above ``start`` (a directory): (path, table) or None."""
    import tomllib

    d = Path(start).resolve()
    for folder in [d, *d.parents]:
        for name in ("khplan.toml", "pyproject.toml"):
            f = folder / name
            if not f.is_file():
                continue
            try:
                data = tomllib.loads(f.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{f}: malformed TOML: {str(exc).splitlines()[0]}") from None
            if name == "pyproject.toml":
                table = data.get("tool", {}).get("khplan")
                if table is None:
                    continue
            else:
                table = data
            if not isinstance(table, dict):
                raise UsageError(f"{f}: the khplan configuration must be a table")
            return str(f), table
    return None


def config_for(inputs: list[str]) -> tuple[str, dict] | None:
    start = Path(inputs[0]).parent if inputs else Path.cwd()
    return find_config(str(start if str(start) else "."))


def effective_lexicon(cli: list[str], inputs: list[str]) -> list[str]:
    """Lexicon files: those given on the command line, then those named in the config."""
    out = list(cli)
    found = config_for(inputs)
    if found:
        path, table = found
        extra = table.get("lexicon", [])
        if isinstance(extra, str):
            extra = [extra]
        if not isinstance(extra, list):
            raise UsageError(f"{path}: 'lexicon' must be a list of file names")
        base = Path(path).parent
        out.extend(str((base / e).resolve()) if not Path(e).is_absolute() else e for e in extra)
    return out


# --- [check] -------------------------------------------------------------------------------

CHECK_SEVERITIES = ("error", "warning", "info")
CHECK_FORMATS = ("text", "json", "junit", "sarif", "github")
_CHECK_KEYS = {
    "select": "a list of rule ids, prefixes or names",
    "ignore": "a list of rule ids, prefixes or names",
    "severity": "one of error, warning, info",
    "min_coverage": "a number between 0 and 1",
    "against": "a list of catalog ids or files",
    "final": "true or false",
    "as_of": "a date (YYYY-MM-DD)",
    "lang": "vi or en",
    "format": "one of " + ", ".join(CHECK_FORMATS),
    "baseline": "a file name",
    "rules": "a table of rule id = severity (error, warning, info or off)",
}


def _str_list(value, path: str, key_name: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{path}: [check] {key_name} must be {_CHECK_KEYS[key_name]}")
    return list(value)


def check_settings(table: dict, path: str) -> dict:
    """The validated ``[check]`` table of a configuration file; file names are resolved
    relative to the file. Unknown keys and wrong types are errors (exit code 2)."""
    import datetime as dt

    raw = table.get("check", {})
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: [check] must be a table")
    base = Path(path).parent
    out: dict = {}
    for k, v in raw.items():
        if k not in _CHECK_KEYS:
            raise UsageError(f"{path}: [check] unknown key '{k}' (known: {', '.join(_CHECK_KEYS)})")
        bad = UsageError(f"{path}: [check] {k} must be {_CHECK_KEYS[k]}")
        if k in ("select", "ignore"):
            out[k] = _str_list(v, path, k)
        elif k == "against":
            out[k] = [_resolve_catalog(e, base) for e in _str_list(v, path, k)]
        elif k in ("severity", "lang", "format"):
            allowed = {"severity": CHECK_SEVERITIES, "lang": ("vi", "en"), "format": CHECK_FORMATS}[k]
            if v not in allowed:
                raise bad
            out[k] = v
        elif k == "min_coverage":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise bad
            out[k] = float(v)
        elif k == "final":
            if not isinstance(v, bool):
                raise bad
            out[k] = v
        elif k == "as_of":
            if isinstance(v, dt.datetime):
                v = v.date()
            if isinstance(v, str):
                try:
                    v = dt.date.fromisoformat(v)
                except ValueError:
                    raise bad from None
            if not isinstance(v, dt.date):
                raise bad
            out[k] = v
        elif k == "baseline":
            if not isinstance(v, str) or not v:
                raise bad
            out[k] = str(base / v) if not Path(v).is_absolute() else v
        elif k == "rules":
            if not isinstance(v, dict) or not all(
                isinstance(s, str) and s in (*CHECK_SEVERITIES, "off") for s in v.values()
            ):
                raise bad
            out[k] = dict(v)
    return out


def _resolve_catalog(entry: str, base: Path) -> str:
    """A built-in catalog id stays as it is; a file name is made relative to the config file."""
    if "/" not in entry and "\\" not in entry and not Path(entry).suffix:
        return entry
    return str(base / entry) if not Path(entry).is_absolute() else entry


def check_config_for(file: str) -> tuple[str | None, dict]:
    """The ``[check]`` settings that apply to ``file``: from the nearest configuration at or
    above its folder; (None, {}) when there is none."""
    start = Path(file).parent if not Path(file).is_dir() else Path(file)
    found = find_config(str(start if str(start) else "."))
    if not found:
        return None, {}
    path, table = found
    return path, check_settings(table, path)
