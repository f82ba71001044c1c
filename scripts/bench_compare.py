#!/usr/bin/env python3
"""Timing of `khplan compare`: all pairs of N plans with the coverage matrix, and --matrix-only.

    python scripts/bench_compare.py --plans 34                 # all pairs + the catalogs
    python scripts/bench_compare.py --plans 3000 --matrix-only # the matrix only

Plans are made by scripts/make_corpus.py (seeded, under corpus/, git-ignored) unless --dir
is given. Prints the time of each phase: reading and scoring the plans (worker processes),
aligning and comparing (this process), and writing the report.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", type=int, default=34)
    ap.add_argument("--dir", help="a directory of plans (default: a generated corpus)")
    ap.add_argument("--matrix-only", action="store_true")
    ap.add_argument("--against", default=None, help="comma-separated catalogs (default: those implemented)")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--format", default="json")
    args = ap.parse_args()

    if args.dir:
        files = sorted(str(p) for p in Path(args.dir).iterdir() if p.suffix in (".txt", ".md", ".docx", ".yaml"))[: args.plans]
    else:
        out = ROOT / "corpus" / f"bench-compare-{args.plans}"
        if not out.exists() or len(list(out.glob("*.txt"))) < args.plans:
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), "--seed", "11", "--count",
                            str(args.plans), "--out", str(out), "--formats", "txt"], check=True, stdout=subprocess.DEVNULL)
        files = sorted(str(p) for p in out.glob("*.txt"))[: args.plans]

    import khplan.compare as C
    from khplan.compare_report import render

    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    build = C.build_comparison

    def timed(*a, **k):
        phases["read and score"] = time.perf_counter() - t0
        t = time.perf_counter()
        res = build(*a, **k)
        phases["align and compare" if not args.matrix_only else "matrix"] = time.perf_counter() - t
        return res

    C.build_comparison = timed
    against = args.against.split(",") if args.against else None
    data = C.run_compare(files, against=against, matrix_only=args.matrix_only, jobs=args.jobs, quiet=False)
    t = time.perf_counter()
    content = render(data, args.format)
    phases[f"write {args.format}"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    pairs = sum(1 for a in data["alignment"] if a["kind"] == "one_to_one")
    print(f"{len(files)} plans, catalogs {', '.join(data['options']['against'])}, {pairs} task pairs, "
          f"{len(data['differences'])} differences, {len(content) / 1e6:.1f} MB of {args.format}")
    for k, v in phases.items():
        print(f"  {k:20s} {v:7.2f} s")
    print(f"  {'total':20s} {total:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
