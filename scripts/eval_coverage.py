#!/usr/bin/env python3
"""Measure `khplan coverage` against the labelled set (tests/data/coverage_labels.yaml).

Prints, per plan x catalog, each requirement's label and the engine's verdict and score; then
overall precision / recall / F1 of "covered or partial" (vs "missing"), exact-status
agreement, the confusion matrix, and a leave-one-plan-out check of the thresholds: for each
plan, thresholds are chosen on the other plans only and applied to it, so the figures are not
just fitted to the set.

    python scripts/eval_coverage.py            # the report
    python scripts/eval_coverage.py --json     # the figures as JSON (for the README / CI)
    python scripts/eval_coverage.py --pairs    # also one line per (plan, requirement) pair
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELS = ROOT / "tests" / "data" / "coverage_labels.yaml"
STATUSES = ("covered", "partial", "missing")


def run_engine(labels: dict) -> list[dict]:
    """One record per labelled pair: plan, catalog, requirement, label, engine status/score."""
    from khplan.catalogs import load_catalog
    from khplan.coverage import score_plan
    from khplan.parse import parse_file

    rows = []
    for entry in labels["plans"]:
        plan = parse_file(str(ROOT / entry["plan"]))
        for ev in entry["evaluations"]:
            cat = load_catalog(ev["catalog"])
            out = score_plan(plan, cat)
            by_id = {r["id"]: r for r in out["requirements"]}
            for lab in ev["labels"]:
                r = by_id[lab["requirement"]]
                rows.append({
                    "plan": entry["name"], "catalog": ev["catalog"], "relation": ev.get("relation"),
                    "requirement": lab["requirement"], "label": lab["verdict"], "confidence": lab.get("confidence"),
                    "status": r["status"], "score": r["score"],
                    "thresholds": dict(cat["thresholds"]),
                    "evidence": [(e.get("task"), e.get("activity"), e.get("kind")) for e in r["evidence"]],
                    "refs": [p["ref"] for p in lab.get("passages") or []],
                })
    return rows


def status_of(score: float, covered: float, partial: float) -> str:
    return "covered" if score >= covered else "partial" if score >= partial else "missing"


def metrics(pairs: list[tuple[str, str]]) -> dict:
    """pairs: (label, predicted). Positive = covered or partial."""
    tp = sum(1 for g, p in pairs if g != "missing" and p != "missing")
    fp = sum(1 for g, p in pairs if g == "missing" and p != "missing")
    fn = sum(1 for g, p in pairs if g != "missing" and p == "missing")
    tn = sum(1 for g, p in pairs if g == "missing" and p == "missing")
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    exact = sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
    confusion = {g: {p: sum(1 for a, b in pairs if a == g and b == p) for p in STATUSES} for g in STATUSES}
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": round(prec, 4), "recall": round(rec, 4),
            "f1": round(f1, 4), "exact": round(exact, 4), "confusion": confusion}


def _grid():
    partials = [round(0.05 + 0.01 * i, 2) for i in range(46)]  # 0.05 .. 0.50
    covereds = [round(0.30 + 0.01 * i, 2) for i in range(51)]  # 0.30 .. 0.80
    return [(c, p) for c in covereds for p in partials if p <= c]


def choose_thresholds(rows: list[dict]) -> tuple[float, float]:
    """Thresholds that maximise F1 of "covered or partial" on ``rows`` (ties: exact-status
    agreement, then the thresholds nearest the middle of the tied range)."""
    best = None
    cands = []
    for c, p in _grid():
        m = metrics([(r["label"], status_of(r["score"], c, p)) for r in rows])
        key = (m["f1"], m["exact"])
        if best is None or key > best:
            best, cands = key, [(c, p)]
        elif key == best:
            cands.append((c, p))
    # The middle of the tied region: robust, not the edge of one sample's score.
    cs = sorted({c for c, _ in cands})
    c_mid = cs[len(cs) // 2]
    ps = sorted(p for c, p in cands if c == c_mid)
    return c_mid, ps[len(ps) // 2]


def leave_one_plan_out(rows: list[dict]) -> dict:
    plans = sorted({r["plan"] for r in rows})
    preds = []
    chosen = {}
    for held in plans:
        train = [r for r in rows if r["plan"] != held]
        c, p = choose_thresholds(train)
        chosen[held] = {"covered": c, "partial": p}
        preds += [(r["label"], status_of(r["score"], c, p)) for r in rows if r["plan"] == held]
    m = metrics(preds)
    m["thresholds"] = chosen
    return m


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--pairs", action="store_true", help="print every pair")
    args = ap.parse_args(argv)
    import yaml

    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    rows = run_engine(labels)
    overall = metrics([(r["label"], r["status"]) for r in rows])
    lopo = leave_one_plan_out(rows)
    fitted = choose_thresholds(rows)
    per_group = {}
    for r in rows:
        per_group.setdefault((r["plan"], r["catalog"]), []).append(r)
    if args.json:
        print(json.dumps({"overall": overall, "leave_one_plan_out": lopo, "best_thresholds_on_all": fitted,
                          "groups": {f"{p} / {c}": metrics([(r["label"], r["status"]) for r in g]) for (p, c), g in per_group.items()}},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"labelled set: {LABELS.relative_to(ROOT)} ({len(rows)} pairs)\n")
    print(f"{'plan / catalog':48} {'n':>3} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6}  label->engine (c/p/m)")
    for (p, c), g in per_group.items():
        m = metrics([(r["label"], r["status"]) for r in g])
        conf = " ".join(f"{s[0]}:{m['confusion'][s]['covered']}/{m['confusion'][s]['partial']}/{m['confusion'][s]['missing']}" for s in STATUSES)
        print(f"{p + ' / ' + c:48} {m['n']:>3} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['exact']:>6.3f}  {conf}")
    if args.pairs:
        print()
        for r in rows:
            mark = "  " if (r["label"] == "missing") == (r["status"] == "missing") else "!!"
            ev = ", ".join(f"{t}{'.' + str(a) if a else ''}" for t, a, k in r["evidence"]) or "-"
            print(f"{mark} {r['plan'][:22]:22} {r['requirement']:14} label {r['label']:8} ({(r['confidence'] or '')[:3]}) "
                  f"engine {r['status']:8} {r['score']:.3f}  ev: {ev}  | labelled: {', '.join(r['refs']) or '-'}")
    print()
    print("overall (catalog thresholds):")
    _print_metrics(overall)
    print("\nconfusion (rows: label, columns: engine):")
    print(f"{'':10}" + "".join(f"{s:>9}" for s in STATUSES))
    for g in STATUSES:
        print(f"{g:10}" + "".join(f"{overall['confusion'][g][p]:>9}" for p in STATUSES))
    print("\nleave-one-plan-out (thresholds chosen on the other plans, applied to the held-out one):")
    _print_metrics(lopo)
    for plan, th in lopo["thresholds"].items():
        print(f"  {plan:46} covered >= {th['covered']:.2f}, partial >= {th['partial']:.2f}")
    print(f"\nthresholds that would fit all plans best: covered >= {fitted[0]:.2f}, partial >= {fitted[1]:.2f}")
    return 0


def _print_metrics(m: dict) -> None:
    print(f"  precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
          f"exact-status agreement {m['exact']:.3f}  (TP {m['tp']}, FP {m['fp']}, FN {m['fn']}, TN {m['tn']}; n={m['n']})")


if __name__ == "__main__":
    sys.exit(main())
