#!/usr/bin/env python3
"""khplan benchmarks (what ``make bench`` runs): prints a table of figures against the targets.

    python scripts/bench.py                 # the full run (about 2-3 minutes on 2 cores)
    python scripts/bench.py --count 300     # a quicker corpus
    python scripts/bench.py --verify 10000  # also run 10,000 plans for real (slow)
    python scripts/bench.py --json out.json # figures as JSON too

Figures:
* CLI start-up: ``khplan --help``, median of N subprocess runs (target < 0.3 s);
* in-process parse time per document for each sample and a 25 KB plan (target < 50 ms), with
  the time of the YAML output beside it;
* .docx per document and .pdf per page on the committed renderings (samples/docx, samples/pdf),
  and ``pdftotext`` per page on the same PDFs when poppler is installed;
* corpus throughput: generated plans (scripts/make_corpus.py) through
  ``khplan parse DIR -o OUT -q --jobs J``, extrapolated to 10,000 plans (target < 60 s);
* peak memory: the largest process of that run (``wait4`` rusage) on a small and a large corpus:
  it must not grow with the corpus (streaming); tracemalloc peak of one in-process parse;
* coverage of N plans x 3 catalogs and compare of 34 plans all-pairs, when those commands exist;
* where a target is missed, a cProfile breakdown of in-process parsing (stage and function).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TARGETS = {
    "startup_s": 0.3,
    "parse_25kb_ms": 50.0,
    "plans_10k_s": 60.0,
    "coverage_3000x3_s": 20.0,
}
CATALOGS = ("tb432", "tb444", "ct28")

rows: list[tuple[str, str, str, str]] = []  # (figure, value, target, verdict)
figures: dict[str, object] = {}
missed: list[str] = []


def row(name: str, value: str, target: str = "", ok: bool | None = None, key: str | None = None, raw=None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    if ok is False:
        missed.append(name)
    rows.append((name, value, target, verdict))
    if key:
        figures[key] = raw if raw is not None else value
    print(f"  {name}: {value}" + (f"  (target {target}: {verdict})" if target else ""), file=sys.stderr, flush=True)


def median_time(fn, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def khplan_cmd() -> list[str]:
    exe = shutil.which("khplan")
    if exe and Path(exe).resolve().parent == Path(sys.executable).resolve().parent:
        return [exe]
    return [sys.executable, "-m", "khplan"]


def clean_env() -> dict:
    env = dict(os.environ)
    env.pop("COVERAGE_PROCESS_START", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_measured(cmd: list[str], timeout: float = 900) -> tuple[int, float, int, str]:
    """Run ``cmd``; (exit code, wall seconds, peak RSS in bytes of its largest process, stderr).

    The CPU seconds of the run (user + system, the process and the workers it waited for) are
    left in ``LAST_CPU[0]``: on a shared machine they say what the run would take alone."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT, env=clean_env())
        deadline = t + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        msg = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux: the max over the process and the children it waited for.
    LAST_CPU[0] = ru.ru_utime + ru.ru_stime
    return p.returncode, wall, ru.ru_maxrss * 1024, msg


LAST_CPU = [0.0]


def machine_load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


# --- sections ---------------------------------------------------------------------------------


def bench_startup(runs: int) -> None:
    print("CLI start-up", file=sys.stderr)
    cmd = khplan_cmd() + ["--help"]
    env = clean_env()
    ts = []
    for i in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, check=True)
        if i:  # the first run warms the file cache
            ts.append(time.perf_counter() - t)
    med = statistics.median(ts)
    row(f"`khplan --help` start-up (median of {runs})", f"{med:.3f} s", "< 0.3 s", med < TARGETS["startup_s"], "startup_s", med)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    row("bare `python -c pass` (for scale)", f"{time.perf_counter() - t:.3f} s")


def plan_of_size(target_bytes: int = 25_000, seed: int = 7) -> str:
    """A generated UTF-8 plan close to ``target_bytes``."""
    import make_corpus

    best = None
    for i in range(200):
        text, _meta, _rng = make_corpus.plan_text(seed, i)
        n = len(text.encode("utf-8"))
        if best is None or abs(n - target_bytes) < abs(best[0] - target_bytes):
            best = (n, text)
        if abs(n - target_bytes) < 500:
            break
    return best[1]


def bench_inprocess(runs: int) -> None:
    print("in-process parse", file=sys.stderr)
    from khplan.output import dumps
    from khplan.parse import parse_file, parse_text

    for path in sorted(SAMPLES.glob("*.txt")):
        size = path.stat().st_size
        t_parse = median_time(lambda p=path: parse_file(str(p)), runs)
        data = parse_file(str(path))
        t_dump = median_time(lambda d=data: dumps(d), runs)
        row(f"parse {path.stem[:28]} ({size // 1000} KB)", f"{t_parse * 1000:.1f} ms (+ YAML {t_dump * 1000:.1f} ms)",
            key=f"parse_ms/{path.stem}", raw=round(t_parse * 1000, 2))
    text = plan_of_size()
    size = len(text.encode("utf-8"))
    t_parse = median_time(lambda: parse_text(text), runs)
    t_dump = median_time(lambda: dumps(parse_text(text)), 1, warmup=0) - t_parse
    ok = t_parse * 1000 < TARGETS["parse_25kb_ms"]
    row(f"parse a generated {size // 1000} KB plan", f"{t_parse * 1000:.1f} ms (+ YAML {max(t_dump, 0) * 1000:.1f} ms)", "< 50 ms", ok,
        "parse_25kb_ms", round(t_parse * 1000, 2))
    import tracemalloc

    tracemalloc.start()
    parse_text(text)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row("tracemalloc peak of one 25 KB parse", f"{peak / 1e6:.1f} MB", key="parse_25kb_peak_mb", raw=round(peak / 1e6, 2))


def bench_docx_pdf(runs: int) -> None:
    print("Word and PDF", file=sys.stderr)
    from khplan.parse import parse_file

    docx = sorted((SAMPLES / "docx").glob("*.docx"))
    if not docx:
        row(".docx per document", "no renderings in samples/docx")
    else:
        ts = []
        for f in docx:
            try:
                ts.append(median_time(lambda p=f: parse_file(str(p)), runs))
            except Exception as exc:  # report, do not stop the bench
                row(f".docx {f.name}", f"failed: {type(exc).__name__}: {exc}")
        if ts:
            row(f".docx per document (median of {len(ts)}; read + parse)", f"{statistics.median(ts) * 1000:.1f} ms",
                key="docx_ms", raw=round(statistics.median(ts) * 1000, 2))
    pdfs = sorted((SAMPLES / "pdf").glob("*.pdf"))
    if not pdfs:
        row(".pdf per page", "no renderings in samples/pdf")
        return
    pages = {}
    try:
        import pypdfium2 as pdfium

        for f in pdfs:
            doc = pdfium.PdfDocument(str(f))
            pages[f] = len(doc)
            doc.close()
    except Exception as exc:
        row(".pdf page count", f"pypdfium2 unavailable ({exc})")
        return
    total_pages = sum(pages.values())
    if importlib.util.find_spec("khplan.readers.pdf") is None:
        row(".pdf per page (read + parse)", "not built yet (khplan/readers/pdf.py)")
    else:
        total = 0.0
        failed = None
        for f in pdfs:
            try:
                total += median_time(lambda p=f: parse_file(str(p)), max(1, runs // 2))
            except Exception as exc:
                failed = f"{f.name}: {type(exc).__name__}: {exc}"
        if failed:
            row(".pdf per page (read + parse)", f"failed: {failed}"[:120])
        else:
            row(f".pdf per page ({len(pdfs)} PDFs, {total_pages} pages; read + parse)", f"{total / total_pages * 1000:.1f} ms",
                key="pdf_page_ms", raw=round(total / total_pages * 1000, 2))
    exe = shutil.which("pdftotext")
    if exe:
        total = 0.0
        for f in pdfs:
            total += median_time(lambda p=f: subprocess.run([exe, "-layout", str(p), "-"], stdout=subprocess.DEVNULL,
                                                        stderr=subprocess.DEVNULL, check=True), max(1, runs // 2))
        row("`pdftotext -layout` per page, same PDFs (for scale)", f"{total / total_pages * 1000:.1f} ms",
            key="pdftotext_page_ms", raw=round(total / total_pages * 1000, 2))
    else:
        row("`pdftotext` per page", "poppler not installed")


def corpus_dir(seed: int, count: int, formats: str = "txt") -> Path:
    """Generated plans, cached under corpus/ (git-ignored) and reused when complete."""
    import make_corpus

    d = ROOT / "corpus" / f"bench-s{seed}-n{count}-{formats.replace(',', '_')}"
    manifest = d / "manifest.tsv"
    if manifest.exists() and sum(1 for _ in manifest.open(encoding="utf-8")) == count + 1:
        return d
    if d.exists():
        shutil.rmtree(d)
    t = time.perf_counter()
    make_corpus.write_corpus(seed, count, d, tuple(formats.split(",")))
    print(f"  generated {count} plans in {time.perf_counter() - t:.1f} s -> {d.relative_to(ROOT)}", file=sys.stderr)
    return d


def bench_corpus(count: int, small: int, jobs: int, seed: int, verify: int, keep_outputs: Path) -> Path | None:
    print("corpus throughput and memory", file=sys.stderr)
    big = corpus_dir(seed, count)
    size = sum(p.stat().st_size for p in big.glob("*.txt"))
    out = keep_outputs
    if out.exists():
        shutil.rmtree(out)
    load = machine_load()
    code, wall, rss, err = run_measured(khplan_cmd() + ["parse", str(big), "-o", str(out), "-q", "--jobs", str(jobs)])
    n_out = len(list(out.glob("*.yaml")))
    if code != 0 or n_out != count:
        first = next((ln for ln in err.splitlines() if ln.strip()), "")
        row(f"corpus run of {count} plans", f"exit {code}, {n_out} outputs; {first[:100]}", ok=False)
    cpu = LAST_CPU[0]
    rate = count / wall
    est = 10_000 / rate
    row(f"`khplan parse` {count} generated plans ({size / 1e6:.0f} MB), --jobs {jobs}", f"{wall:.1f} s = {rate:.0f} plans/s",
        key="corpus_rate", raw=round(rate, 1))
    row("CPU per plan (all processes; load average before the run: " + load + ")", f"{cpu / count * 1000:.1f} ms",
        key="corpus_cpu_ms", raw=round(cpu / count * 1000, 2))
    est_cpu = cpu / count * 10_000 / max(1, min(jobs, os.cpu_count() or 1))
    row("10,000 plans, extrapolated from the wall time", f"{est:.0f} s", "< 60 s", est < TARGETS["plans_10k_s"], "plans_10k_s", round(est, 1))
    row(f"10,000 plans on an idle {min(jobs, os.cpu_count() or 1)}-core machine (from CPU time)", f"{est_cpu:.0f} s", "< 60 s",
        est_cpu < TARGETS["plans_10k_s"], "plans_10k_cpu_s", round(est_cpu, 1))
    row(f"peak RSS, largest process ({count} plans)", f"{rss / 1e6:.0f} MB", key="rss_big_mb", raw=round(rss / 1e6, 1))
    sm = corpus_dir(seed, small)
    out_small = Path(tempfile.mkdtemp(prefix="khplan-bench-"))
    try:
        code_s, wall_s, rss_s, _ = run_measured(khplan_cmd() + ["parse", str(sm), "-o", str(out_small / "o"), "-q", "--jobs", str(jobs)])
    finally:
        shutil.rmtree(out_small, ignore_errors=True)
    row(f"peak RSS, largest process ({small} plans)", f"{rss_s / 1e6:.0f} MB", key="rss_small_mb", raw=round(rss_s / 1e6, 1))
    grows = rss > rss_s * 1.15 + 10e6
    row("memory independent of corpus size", f"{rss / max(rss_s, 1):.2f}x for {count // max(small, 1)}x the plans",
        "streaming", not grows, "rss_ratio", round(rss / max(rss_s, 1), 3))
    if verify:
        vd = corpus_dir(seed, verify)
        vo = Path(tempfile.mkdtemp(prefix="khplan-bench-"))
        try:
            code_v, wall_v, rss_v, _ = run_measured(khplan_cmd() + ["parse", str(vd), "-o", str(vo / "o"), "-q", "--jobs", str(jobs)], timeout=3600)
        finally:
            shutil.rmtree(vo, ignore_errors=True)
        row(f"`khplan parse` {verify} plans, measured", f"{wall_v:.1f} s (exit {code_v}, peak {rss_v / 1e6:.0f} MB)",
            "< 60 s" if verify == 10_000 else "", wall_v < TARGETS["plans_10k_s"] if verify == 10_000 else None,
            "plans_verify_s", round(wall_v, 1))
    return out if n_out else None


def bench_coverage_compare(parsed: Path | None, jobs: int, n_cov: int, sample: int = 100, n_cli: int = 200) -> None:
    """Coverage of plans x 3 catalogs, and compare of 34 plans all-pairs, on parsed corpus plans.

    Coverage is timed in-process on ``sample`` plans (load + score against each catalog) and
    extrapolated to ``n_cov`` plans on ``jobs`` cores; when the ``coverage`` command exists it is
    also run for real on ``n_cli`` plans."""
    print("coverage and compare", file=sys.stderr)
    yamls = sorted(parsed.glob("*.yaml")) if parsed else []
    if importlib.util.find_spec("khplan.coverage") is None:
        row(f"coverage {n_cov} plans x {len(CATALOGS)} catalogs", "not built yet (khplan/coverage.py)")
    elif not yamls:
        row("coverage", "no parsed plans to cover (run the corpus section)")
    else:
        try:
            from khplan.coverage import score_plan
            from khplan.output import load_yaml

            files = yamls[:sample]
            for c in CATALOGS:  # warm: catalogs, concept tables
                score_plan(load_yaml(files[0]), c)
            t = time.perf_counter()
            for f in files:
                plan = load_yaml(f)
                for c in CATALOGS:
                    score_plan(plan, c)
            per_plan = (time.perf_counter() - t) / len(files)
            est = per_plan * n_cov / max(1, jobs)
            row(f"coverage, per plan x {len(CATALOGS)} catalogs (in-process, {len(files)} plans)", f"{per_plan * 1000:.1f} ms",
                key="coverage_plan_ms", raw=round(per_plan * 1000, 2))
            row(f"coverage {n_cov:,} plans x {len(CATALOGS)} catalogs (extrapolated, {jobs} cores)", f"{est:.1f} s", "< 20 s",
                est < TARGETS["coverage_3000x3_s"], "coverage_3000x3_s", round(est, 2))
        except Exception as exc:  # a module in progress must not stop the bench
            row(f"coverage {n_cov} plans x {len(CATALOGS)} catalogs", f"failed: {type(exc).__name__}: {str(exc)[:90]}")
        if importlib.util.find_spec("khplan.commands.coverage") is not None:
            with tempfile.TemporaryDirectory(prefix="khplan-bench-") as tmp:
                lst = Path(tmp) / "plans"
                lst.mkdir()
                for f in yamls[:n_cli]:
                    os.symlink(f, lst / f.name)
                cmd = khplan_cmd() + ["coverage", str(lst)]
                for c in CATALOGS:
                    cmd += ["--against", c]
                cmd += ["-o", str(Path(tmp) / "cov"), "-q", "--jobs", str(jobs)]
                code, wall, rss, err = run_measured(cmd)
            n = min(n_cli, len(yamls))
            if code != 0:
                row(f"`khplan coverage` {n} plans x {len(CATALOGS)} catalogs", f"exit {code}: {(err.strip().splitlines() or [''])[-1][:100]}")
            else:
                est = wall * 3000 / n
                row(f"`khplan coverage` {n} plans x {len(CATALOGS)} catalogs, --jobs {jobs}", f"{wall:.1f} s (peak {rss / 1e6:.0f} MB)",
                    key="coverage_cli_s", raw=round(wall, 2))
                row("`khplan coverage` 3,000 plans x 3 catalogs (extrapolated)", f"{est:.0f} s", "< 20 s",
                    est < TARGETS["coverage_3000x3_s"], "coverage_cli_3000_s", round(est, 1))
    if importlib.util.find_spec("khplan.compare") is None:
        row("compare 34 plans all-pairs", "not built yet (khplan/compare.py)")
    elif len(yamls) < 34:
        row("compare 34 plans all-pairs", "fewer than 34 parsed plans")
    else:
        try:
            from khplan.compare import run_compare

            t = time.perf_counter()
            result = run_compare([str(f) for f in yamls[:34]], jobs=jobs, quiet=True)
            wall = time.perf_counter() - t
            pairs = len(result.get("alignment", [])) if isinstance(result, dict) else "?"
            row(f"compare 34 plans all-pairs (in-process, --jobs {jobs})", f"{wall:.1f} s ({pairs} aligned task pairs)",
                key="compare_34_s", raw=round(wall, 2))
        except Exception as exc:
            row("compare 34 plans all-pairs", f"failed: {type(exc).__name__}: {str(exc)[:90]}")


STAGES = [
    ("khplan/readers/__init__.py", "read_document", "read + decode"),
    ("khplan/textmodel.py", "__init__", "textmodel.Document (lines, paragraphs)"),
    ("khplan/outline.py", "build_outline", "outline.build_outline"),
    ("khplan/parse.py", "extract_identity", "extract_identity"),
    ("khplan/parse.py", "extract_citations", "extract_citations"),
    ("khplan/parse.py", "extract_objectives", "extract_objectives"),
    ("khplan/parse.py", "extract_tasks", "extract_tasks"),
    ("khplan/parse.py", "extract_assignments", "extract_assignments"),
    ("khplan/parse.py", "extract_funding", "extract_funding"),
    ("khplan/parse.py", "extract_reporting", "extract_reporting"),
    ("khplan/output.py", "dumps", "YAML output (dumps)"),
]


def profile_parse(seed: int, n: int = 40, top: int = 12) -> None:
    """Where the time of one plan goes: cProfile over parse + YAML of ``n`` generated plans."""
    print("profile", file=sys.stderr)
    from khplan.output import dumps
    from khplan.parse import parse_file

    d = corpus_dir(seed, max(n, 200))
    files = sorted(d.glob("*.txt"))[:n]
    for f in files[:3]:
        dumps(parse_file(str(f)))  # warm caches (lexicon, regexes)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for f in files:
        dumps(parse_file(str(f)))
    prof.disable()
    wall = time.perf_counter() - t
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())
    print(f"\nWhere the time goes (cProfile, {n} generated plans, {wall / n * 1000:.1f} ms per plan under the profiler):\n")
    print("| stage | share |")
    print("|---|---|")
    for file, func, label in STAGES:
        ct = sum(v[3] for (fn, _ln, name), v in st.stats.items() if fn.endswith(file) and name == func)
        if ct:
            print(f"| {label} | {ct / total * 100:.0f}% |")
    print_top(st, total, top)


def print_top(st: pstats.Stats, total: float, top: int) -> None:
    print(f"\nTop {top} functions by own time:\n")
    print("| function | own | cumulative | calls |")
    print("|---|---|---|---|")
    items = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for (fn, ln, name), (_cc, nc, tt, ct, _callers) in items:
        where = fn.replace(str(ROOT) + os.sep, "")
        if "site-packages" in where or where.startswith(sys.prefix):
            where = "…/" + "/".join(Path(where).parts[-2:])
        print(f"| `{where}:{ln} {name}` | {tt / total * 100:.1f}% | {ct / total * 100:.1f}% | {nc} |")
    print()


def profile_coverage(parsed: Path, n: int = 15, top: int = 12) -> None:
    """Where the time of coverage goes: cProfile of score_plan over ``n`` parsed plans x catalogs."""
    print("profile coverage", file=sys.stderr)
    try:
        from khplan.coverage import score_plan
        from khplan.output import load_yaml

        files = sorted(parsed.glob("*.yaml"))[:n]
        plans = [load_yaml(f) for f in files]
        for c in CATALOGS:
            score_plan(plans[0], c)
        prof = cProfile.Profile()
        prof.enable()
        for plan in plans:
            for c in CATALOGS:
                score_plan(plan, c)
        prof.disable()
    except Exception as exc:
        print(f"(coverage profile failed: {type(exc).__name__}: {exc})")
        return
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())
    print(f"\nWhere the time of coverage goes (cProfile, {len(plans)} plans x {len(CATALOGS)} catalogs):")
    print("\n| function (cumulative, khplan only) | cumulative | calls |")
    print("|---|---|---|")
    mine = sorted(((k, v) for k, v in st.stats.items() if "/khplan/" in k[0]), key=lambda kv: -kv[1][3])[:top]
    for (fn, ln, name), (_cc, nc, _tt, ct, _callers) in mine:
        print(f"| `{fn.replace(str(ROOT) + os.sep, '')}:{ln} {name}` | {ct / total * 100:.0f}% | {nc} |")
    print_top(st, total, top)


def print_table() -> None:
    print("\n| figure | value | target | |")
    print("|---|---|---|---|")
    for name, value, target, verdict in rows:
        print(f"| {name} | {value} | {target} | {verdict} |")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="khplan benchmarks")
    ap.add_argument("--runs", type=int, default=7, help="runs per timing (median)")
    ap.add_argument("--count", type=int, default=2000, help="plans in the throughput corpus")
    ap.add_argument("--small", type=int, default=200, help="plans in the small corpus of the memory check")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--coverage-plans", type=int, default=3000, help="plans of the coverage target (extrapolated)")
    ap.add_argument("--coverage-cli", type=int, default=200, help="plans run for real through `khplan coverage`")
    ap.add_argument("--verify", type=int, default=0, help="also parse this many plans for real (e.g. 10000)")
    ap.add_argument("--profile", action="store_true", help="always print the profile (default: only when a target is missed)")
    ap.add_argument("--skip", default="", help="comma-separated: startup,inprocess,docx,corpus,coverage")
    ap.add_argument("--json", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    t0 = time.perf_counter()
    import platform

    print(f"khplan bench: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}", file=sys.stderr)
    try:
        import yaml

        row("YAML emitter", "libyaml (CSafeDumper)" if hasattr(yaml, "CSafeDumper") else "pure Python (slow)")
    except ImportError:
        pass
    if "startup" not in skip:
        bench_startup(args.runs + 3)
    if "inprocess" not in skip:
        bench_inprocess(args.runs)
    if "docx" not in skip:
        bench_docx_pdf(max(1, args.runs // 2))
    parsed = None
    outputs = ROOT / "corpus" / "bench-out"
    if "corpus" not in skip:
        parsed = bench_corpus(args.count, args.small, args.jobs, args.seed, args.verify, outputs)
    if "coverage" not in skip:
        bench_coverage_compare(parsed or (outputs if outputs.exists() else None), args.jobs, args.coverage_plans,
                               n_cli=args.coverage_cli)
    row("bench wall time", f"{time.perf_counter() - t0:.0f} s")
    print_table()
    if args.profile or any("plans" in m or "parse" in m for m in missed):
        profile_parse(args.seed)
    cov_src = parsed or (outputs if outputs.exists() else None)
    if cov_src is not None and (args.profile or any("coverage" in m for m in missed)):
        profile_coverage(cov_src)
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "missed": missed}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
