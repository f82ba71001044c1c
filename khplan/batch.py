"""Running a job over many files: worker processes, progress on stderr, failures reported."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from .errors import KhplanError, UsageError


def default_jobs(jobs: int, n: int) -> int:
    if jobs and jobs > 0:
        return min(jobs, n)
    return max(1, min(os.cpu_count() or 1, n))


class Progress:
    """A rich progress bar on stderr, silent when stderr is not a terminal or with -q."""

    def __init__(self, total: int, label: str, quiet: bool):
        self.bar = None
        if quiet or total < 2 or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RP, TextColumn, TimeRemainingColumn

        self.bar = RP(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(label, total=total)

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def map_files(func: Callable, items: list, *, jobs: int, label: str, quiet: bool):
    """Yield (index, ok, result-or-message) for each item, in completion order."""
    n = default_jobs(jobs, len(items))
    prog = Progress(len(items), label, quiet)
    try:
        if n <= 1 or len(items) < 2:
            for i, it in enumerate(items):
                yield (i, *_call(func, it))
                prog.advance()
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=n) as ex:
            futs = {ex.submit(_call, func, it): i for i, it in enumerate(items)}
            for fut in as_completed(futs):
                yield (futs[fut], *fut.result())
                prog.advance()
    finally:
        prog.close()


def _call(func, item):
    try:
        return True, func(item)
    except KhplanError as exc:
        return False, str(exc)
    except Exception as exc:  # a bug must not stop a batch; it is reported per file
        return False, f"{item}: internal error: {type(exc).__name__}: {exc}"


# --- parse -------------------------------------------------------------------------------

_LEXICON_FILES: list[str] = []


def _parse_one(args) -> str:
    path, fmt, ocr, lexicon = args
    from .output import dumps
    from .parse import parse_file

    lex = None
    if lexicon:
        from .lexicon import Lexicon

        lex = _cached_lexicon(tuple(lexicon))
    return dumps(parse_file(path, ocr=ocr, lexicon=lex), fmt)


_LEX_CACHE: dict = {}


def _cached_lexicon(files: tuple):
    if files not in _LEX_CACHE:
        from .lexicon import Lexicon

        _LEX_CACHE[files] = Lexicon.load(extra=list(files))
    return _LEX_CACHE[files]


def output_name(path: str, fmt: str, taken: set[str]) -> str:
    p = Path(path)
    ext = ".json" if fmt == "json" else ".yaml"
    name = p.stem + ext
    if name in taken:
        name = p.name + ext
    i = 2
    while name in taken:
        name = f"{p.stem}-{i}{ext}"
        i += 1
    taken.add(name)
    return name


def run_parse(files: list[str], *, output: str | None, fmt: str, ocr: bool, lexicon: list[str], jobs: int, quiet: bool) -> int:
    from .commands.parse import expand_inputs
    from .config import effective_lexicon
    from .output import emit, write_atomic

    if fmt not in ("yaml", "json"):
        raise UsageError(f"unknown format '{fmt}' (use yaml or json)")
    inputs = expand_inputs(files)
    lexicon = effective_lexicon(lexicon, inputs)
    if lexicon:
        _cached_lexicon(tuple(lexicon))  # a bad lexicon file fails before any work
    single = len(inputs) == 1 and not (output and (output.endswith(("/", os.sep)) or Path(output).is_dir()))
    if single:
        content = _parse_one((inputs[0], fmt, ocr, lexicon))
        emit(content, output, inputs=inputs)
        return 0
    outdir = Path(output) if output else None
    if outdir is not None:
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"{outdir}: several inputs need an output directory")
        outdir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    names = [output_name(f, fmt, taken) for f in inputs]
    results: dict[int, str] = {}
    failed: list[str] = []
    ok = 0
    for i, good, res in map_files(_parse_one, [(f, fmt, ocr, lexicon) for f in inputs], jobs=jobs, label="parse", quiet=quiet):
        if not good:
            failed.append(res)
            sys.stderr.write(f"khplan: {res}\n")
            continue
        ok += 1
        if outdir is not None:
            write_atomic(outdir / names[i], res, inputs=inputs)
        else:
            results[i] = res
    if outdir is None:
        # Several inputs to stdout: one YAML document each (JSON: one object per line group).
        for i in sorted(results):
            if fmt == "yaml":
                sys.stdout.write("---\n")
            sys.stdout.write(results[i])
        sys.stdout.flush()
    if failed or not quiet and len(inputs) > 1:
        sys.stderr.write(f"khplan: {ok} parsed, {len(failed)} failed\n")
    return 1 if failed else 0
