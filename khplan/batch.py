"""Running a job over many files: worker processes, progress on stderr, failures reported."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from .errors import InputError, KhplanError, UsageError


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


def map_files(func: Callable, items: list, *, jobs: int, label: str, quiet: bool, window: int | None = None):
    """Yield (index, ok, result-or-message) for each item, in completion order.

    Streaming: at most ``window`` items (default 4 per worker) are in flight, and a result is
    dropped as soon as it has been yielded, so memory does not grow with the number of items.
    A worker process that dies (a crash in a native library, the kernel's OOM killer) fails
    only the item it was working on: the pool is restarted, the items that were in flight are
    run again one at a time to find the culprit, and the run goes on.
    """
    n = default_jobs(jobs, len(items))
    prog = Progress(len(items), label, quiet)
    try:
        if n <= 1 or len(items) < 2:
            for i, it in enumerate(items):
                yield (i, *_call(func, it))
                prog.advance()
            return
        todo = list(range(len(items)))
        while todo:
            state: dict[str, list[int]] = {}
            for res in _run_pool(func, items, todo, n, window or 4 * n, state):
                yield res
                prog.advance()
            # After a worker died: each item that was in flight runs alone in a fresh pool,
            # so the one that kills its worker is found and reported; then the rest goes on.
            for i in state.get("broken", []):
                for res in _run_pool(func, items, [i], 1, 1, {}):
                    yield res
                    prog.advance()
            todo = state.get("rest", [])
    finally:
        prog.close()


def _run_pool(func, items, order: list[int], workers: int, window: int, state: dict):
    """Run ``items[i] for i in order`` in a process pool; yield (i, ok, result).

    When a worker dies, the items that were in flight are put in ``state["broken"]`` and those
    not yet started in ``state["rest"]``, and the pool is given up; when only one item was in
    flight in a one-worker pool, that item is reported as failed instead.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pending: dict = {}
    pos = 0
    ex = ProcessPoolExecutor(max_workers=workers)
    try:
        while pos < len(order) or pending:
            while pos < len(order) and len(pending) < window:
                i = order[pos]
                pending[ex.submit(_call, func, items[i])] = i
                pos += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = []
            for fut in sorted(done, key=lambda f: pending[f]):
                i = pending.pop(fut)
                try:
                    ok, res = fut.result()
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                yield (i, ok, res)
            if broken:
                broken += [pending.pop(f) for f in list(pending)]
                if len(broken) == 1 and workers == 1:
                    yield (broken[0], False, f"{_name(items[broken[0]])}: the worker process died while reading this file")
                    broken = []
                state["broken"] = sorted(broken)
                state["rest"] = order[pos:]
                return
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _call(func, item):
    try:
        return True, func(item)
    except KhplanError as exc:
        return False, str(exc)
    except RecursionError:
        return False, f"{_name(item)}: refused: the document is nested too deeply to process"
    except MemoryError:
        return False, f"{_name(item)}: refused: not enough memory to process this file"
    except Exception as exc:  # a bug must not stop a batch; it is reported per file
        return False, f"{_name(item)}: internal error: {type(exc).__name__}: {exc}"


def _name(item) -> str:
    return str(item[0]) if isinstance(item, tuple) and item else str(item)


# --- parse -------------------------------------------------------------------------------

def _parse_one(args) -> str:
    path, fmt, ocr, lexicon = args
    from .output import dumps
    from .parse import parse_file

    lex = None
    if lexicon:
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
        try:
            content = _parse_one((inputs[0], fmt, ocr, lexicon))
        except RecursionError:
            raise InputError(f"{inputs[0]}: refused: the document is nested too deeply to process") from None
        except MemoryError:
            raise InputError(f"{inputs[0]}: refused: not enough memory to process this file") from None
        emit(content, output, inputs=inputs)
        return 0
    outdir = Path(output) if output else None
    if outdir is not None:
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"{outdir}: several inputs need an output directory")
        outdir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    names = [output_name(f, fmt, taken) for f in inputs]
    # To stdout, outputs keep the order of the inputs: a result waits only for the ones before it
    # that are still in flight (a bounded number), so memory does not grow with the batch.
    pending: dict[int, str | None] = {}
    next_out = 0
    failed: list[str] = []
    ok = 0
    for i, good, res in map_files(_parse_one, [(f, fmt, ocr, lexicon) for f in inputs], jobs=jobs, label="parse", quiet=quiet):
        if not good:
            failed.append(res)
            sys.stderr.write(f"khplan: {res}\n")
        else:
            ok += 1
        if outdir is not None:
            if good:
                write_atomic(outdir / names[i], res, inputs=inputs)
            continue
        pending[i] = res if good else None
        while next_out in pending:
            out = pending.pop(next_out)
            next_out += 1
            if out is not None:
                # Several inputs to stdout: one YAML document each (JSON: one object after another).
                if fmt == "yaml":
                    sys.stdout.write("---\n")
                sys.stdout.write(out)
    sys.stdout.flush()
    if failed or not quiet and len(inputs) > 1:
        sys.stderr.write(f"khplan: {ok} parsed, {len(failed)} failed\n")
    return 1 if failed else 0
