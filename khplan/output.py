"""Serialising results (YAML/JSON) and writing files atomically."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from .errors import UsageError


def _yaml_dumper():
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def _str(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, _str)
    return Dumper


def dumps(data, fmt: str = "yaml") -> str:
    """Deterministic serialisation: key order as built, no aliases, UTF-8 text."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.dump(
            data, Dumper=_yaml_dumper(), allow_unicode=True, sort_keys=False, width=100000, default_flow_style=False
        )
    raise UsageError(f"unknown output format '{fmt}' (use yaml or json)")


def load_yaml(path: str | os.PathLike):
    """Safe-load a YAML (or JSON) file; one-line errors."""
    import yaml

    from .errors import InputError

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > 64 * 1024 * 1024:
        raise InputError(f"{p}: file is too large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{p}: malformed YAML{where}: {problem}") from None


def write_atomic(path: str | os.PathLike, content: str | bytes, *, inputs: list[str] | None = None) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename.

    Refuses to write over one of ``inputs``. An existing file is either left as it was or
    replaced whole.
    """
    target = Path(path)
    for inp in inputs or []:
        try:
            if target.exists() and os.path.samefile(target, inp):
                raise UsageError(f"{target}: refusing to write over an input file")
        except FileNotFoundError:
            continue
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def emit(content: str, output: str | None, *, inputs: list[str] | None = None) -> None:
    if output in (None, "-"):
        sys.stdout.write(content)
        sys.stdout.flush()
    else:
        write_atomic(output, content, inputs=inputs)
