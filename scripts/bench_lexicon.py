#!/usr/bin/env python3
"""Benchmark of body resolution (issue 3: 100,000 mentions well under a second).

    python scripts/bench_lexicon.py [N]

Mentions are drawn from the names in the lexicon's examples (as plans write them, with
abbreviations, line breaks and province suffixes), with plan dates and task functions, the way
a batch of parsed plans repeats the same few hundred names. The first figure includes loading
the lexicon and the first (uncached) resolution of every distinct name; the second resolves
the same mentions again with the caches warm.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from khplan.lexicon import Lexicon

DATES = [dt.date(2019, 2, 18), dt.date(2022, 3, 29), dt.date(2024, 6, 1), dt.date(2026, 5, 20), None]
FUNCTIONS = ["children", "disability", "labour", "social_protection", None]


def mentions(lex: Lexicon, n: int, seed: int = 3) -> list[tuple[str, dt.date | None, str | None]]:
    names = sorted({ex.name for entry in lex.bodies() for ex in entry.examples})
    names += [f"{name} tỉnh Cao Bằng" for name in names[:50]] + ["Ban Điều phối thiên hà", "Sở Du hành vũ trụ"]
    rng = random.Random(seed)
    return [(rng.choice(names), rng.choice(DATES), rng.choice(FUNCTIONS)) for _ in range(n)]


def bench(n: int = 100_000) -> float:
    """Resolve ``n`` mentions; print and return the seconds taken with warm caches."""
    start = time.perf_counter()
    lex = Lexicon.load()
    loaded = time.perf_counter() - start
    batch = mentions(lex, n)
    distinct = len({m[0] for m in batch})

    start = time.perf_counter()
    for name, on, function in batch:
        lex.resolve_body(name, on=on, function=function)
    cold = time.perf_counter() - start

    start = time.perf_counter()
    for name, on, function in batch:
        lex.resolve_body(name, on=on, function=function)
    warm = time.perf_counter() - start

    print(f"lexicon loaded in {loaded:.3f} s ({sum(1 for _ in lex.bodies())} bodies)")
    print(f"{n:,} mentions ({distinct} distinct names), first pass: {cold:.3f} s ({n / cold:,.0f} mentions/s)")
    print(f"{n:,} mentions, caches warm: {warm:.3f} s ({n / warm:,.0f} mentions/s)")
    return warm


if __name__ == "__main__":
    bench(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
