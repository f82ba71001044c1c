"""Serialising results (YAML/JSON) and writing files atomically."""

from __future__ import annotations

import functools
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from .errors import UsageError


@__import__("functools").lru_cache(maxsize=1)
def _yaml_dumper():
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data):  # a value shared in the record is written out in full
            return True

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


# Limits of what load_yaml accepts. khplan's own files are far below them (a plan is a few
# thousand nodes, ten levels deep); past them a file is an attack or a mistake.
MAX_YAML_BYTES = 64 * 1024 * 1024
MAX_YAML_NODES = 2_000_000  # counted with aliases expanded ("billion laughs")
MAX_YAML_DEPTH = 200


def load_yaml(path: str | os.PathLike):
    """Safe-load a YAML (or JSON) file; one-line errors.

    Only plain data is built (no Python tags). Refused: files whose aliases expand past
    MAX_YAML_NODES nodes, that refer to themselves, or that nest deeper than MAX_YAML_DEPTH —
    every consumer walks the data as a tree, and such a tree never ends or never fits.
    """
    import yaml

    from .errors import InputError

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise InputError(f"{p}: file is too large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or ""
        if "tag:yaml.org,2002:python/" in problem or "!!python/" in problem:
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise InputError(f"{p}: refused{where}: a Python object tag; khplan loads plain data only (safe loading)") from None
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{p}: malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise InputError(f"{p}: refused: the YAML is nested too deeply") from None
    problem = _tree_problem(data)
    if problem:
        raise InputError(f"{p}: refused: {problem}")
    return data


def _tree_problem(data) -> str | None:
    """Why ``data`` is not a finite, reasonably sized tree (None when it is).

    Iterative and memoised on object identity, so a shared (aliased) node is measured once and
    the check costs O(distinct nodes) whatever the expanded size.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[object, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, leaving = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else node
        if leaving:
            on_path.discard(key)
            total = 1
            for c in children:
                total += size.get(id(c), 1) if isinstance(c, (dict, list)) else 1
                if total > MAX_YAML_NODES:
                    break
            size[key] = total
            if total > MAX_YAML_NODES:
                return f"the YAML expands to more than {MAX_YAML_NODES:,} nodes through its aliases"
            continue
        if key in size:
            continue
        if key in on_path:
            return "the YAML refers to itself (a recursive alias)"
        if depth > MAX_YAML_DEPTH:
            return f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep"
        on_path.add(key)
        stack.append((node, depth, True))
        for c in children:
            if isinstance(c, (dict, list)):
                stack.append((c, depth + 1, False))
    return None


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
    try:
        mode = stat.S_IMODE(target.stat().st_mode)  # a replaced file keeps its permissions
    except OSError:
        mode = 0o666 & ~_umask()  # a new one gets what open() would give it
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def emit(content: str, output: str | None, *, inputs: list[str] | None = None) -> None:
    if output in (None, "-"):
        sys.stdout.write(content)
        sys.stdout.flush()
    else:
        write_atomic(output, content, inputs=inputs)
