"""Comparing plans: task alignment, differences and the coverage matrix (``khplan.comparison/v1``).

**Task alignment.** Every top-level task is cut into *units*: its title, then its activities
(bullets, lettered points, "Nội dung hoạt động" lines) with those of its subtasks, or — when it
has none — the sentences of its text. Units are compared with the same Vietnamese-aware
matching as coverage (:mod:`khplan.textmatch`): the cosine of their BM25 vectors (weights over
the units of every plan compared) and the cosine of their thesaurus concepts (idf-weighted,
:data:`CONCEPT_WEIGHT`). Two tasks score the mean, in both directions, of how well each unit of
one finds its best counterpart in the other (units weighted by the square root of their
length, the title :data:`TITLE_WEIGHT` times more, a sentence that only cites a document
:data:`CITATION_WEIGHT` as much): a task whose activities each have a counterpart scores high
even when the titles are worded differently, and a task with one shared activity does not.

Between every pair of plans the one-to-one assignment maximising the total score is taken
(:func:`scipy.optimize.linear_sum_assignment`) and pairs below :data:`THRESHOLD` are dropped.
A task left without a partner that is contained in a paired task of the other plan (its units
find their counterparts there; the paired task that contains it best), with a score of
:data:`LINK_SHARE` x the threshold or more both as containment and as similarity, is listed as
a ``many_to_one`` link: the paired task spans two of the other plan's (its partner and this
one). The rest is ``unmatched``.

The weights and the threshold were set on the sample plans with pairings written by a reader
beforehand (``tests/test_compare.py``); there are no per-plan or per-task rules.

**Differences.** For each aligned pair: the lead and coordinating bodies, compared by canonical
name and by the successor of a body dissolved in the 2025 reorganisation (a 2022 "Sở Lao động -
Thương binh và Xã hội" and a 2026 "Sở Y tế" in child protection hold the same role: a
``successor_match``, not a difference); generic bodies ("các sở, ngành liên quan") are not
compared. For each pair of plans: the bodies charged in "Tổ chức thực hiện", reporting
frequencies and deadlines, funding sources, and numeric targets (aligned by their wording).

**Coverage matrix.** Each plan is scored against each catalog with
:func:`khplan.coverage.score_plan`; the statuses, the gaps per requirement and the evidence of
every cell come from it unchanged (with ``--matrix-only``, evidence is reduced to where the
best passage is: task, activity, span).

Public API::

    compare_plans(plans, labels=None, against=None, ...) -> dict   # plan dicts -> khplan.comparison/v1
    run_compare(inputs, against=None, matrix_only=False, ...)      # files/dirs/YAML -> the same (worker processes)
    feats, space = plan_features(plans, labels)                    # the alignment on its own:
    align_tasks(space, feats[0], feats[1]) -> {pairs, links, unmatched_a, unmatched_b, score}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InputError, UsageError

SCHEMA = "khplan.comparison/v1"
PLAN_SCHEMA = "khplan.plan/v1"

#: How much the title counts against one activity of the same length.
TITLE_WEIGHT = 3.0
#: Share of a unit-to-unit score given to shared thesaurus concepts (the rest: wording).
CONCEPT_WEIGHT = 0.5
#: Units are weighted by (number of content syllables) ** LENGTH_POWER.
LENGTH_POWER = 0.5
#: A one-to-one pair needs at least this score.
THRESHOLD = 0.22
#: A many-to-one link needs LINK_SHARE x the threshold.
LINK_SHARE = 0.85
#: Weight of a unit that only cites a document ("Kế hoạch số 1170/KH-UBND ngày … về …").
CITATION_WEIGHT = 0.25
#: Matched terms listed per pair.
MAX_MATCHED = 8
#: Numeric targets are aligned when their wording scores at least this.
TARGET_THRESHOLD = 0.5

STATUSES = ("covered", "partial", "missing")
PLAN_SUFFIXES = (".yaml", ".yml", ".json")
INPUT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm") + PLAN_SUFFIXES

_ROLE_LINE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s*)?\*?\s*(?:cơ quan|đơn vị)\s+(?:chủ trì|phối hợp)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=\S)")
_CITATION = re.compile(
    r"^\W*(?:(?:tiếp tục\s+)?(?:thực hiện|triển khai|tổng kết|sơ kết|quán triệt)\s+(?:(?:có\s+)?hiệu quả\s+)?)?"
    r"(?:luật|nghị quyết|nghị định|quyết định|chỉ thị|thông tư|thông báo|kết luận|kế hoạch|công văn|chương trình|đề án|hướng dẫn)"
    r"\s+(?:số\s*)?\d",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# Loading inputs


def _read_structured(path: str):
    import json
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            return json.loads(p.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{path}: malformed JSON: {str(exc).splitlines()[0]}") from None
    from .output import load_yaml

    return load_yaml(p)


def load_plan_input(path: str, *, ocr: bool = False, lexicon: tuple = ()) -> dict:
    """A plan dict from a plan file (parsed) or a ``khplan.plan/v1`` YAML/JSON file (validated
    against the schema; anything else is refused with a one-line :class:`InputError`)."""
    from pathlib import Path

    if Path(path).suffix.lower() in PLAN_SUFFIXES:
        data = _read_structured(path)
        got = data.get("schema") if isinstance(data, dict) else None
        if got != PLAN_SCHEMA:
            what = f"schema is {got!r}" if isinstance(data, dict) else "it does not hold a mapping"
            raise InputError(f"{path}: not a khplan plan ({what}; expected {PLAN_SCHEMA!r}, the output of `khplan parse`)")
        from .schemas import validate_data

        errors = validate_data(data)
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise InputError(f"{path}: invalid {PLAN_SCHEMA}: {errors[0]}{more}")
        return data
    from .parse import parse_file

    lex = None
    if lexicon:
        from .batch import _cached_lexicon

        lex = _cached_lexicon(tuple(lexicon))
    return parse_file(path, ocr=ocr, lexicon=lex)


_CATALOGS: dict = {}


def get_catalog(ref: str) -> dict:
    """A catalog by built-in id or path, loaded once per process."""
    if ref not in _CATALOGS:
        from .catalogs import load_catalog

        _CATALOGS[ref] = load_catalog(ref)
    return _CATALOGS[ref]


def implemented_catalogs(plan: dict) -> list[str]:
    """Built-in catalog ids the plan says it implements (:func:`khplan.coverage.default_catalogs`)."""
    from .coverage import default_catalogs

    return [cid for cid, _ in default_catalogs(plan)]


def coverage_cells(plan: dict, catalog_ref: str, *, compact: bool = False) -> dict:
    """``score_plan(plan, catalog)`` reduced to what the matrix needs: per requirement its status,
    score and evidence (``compact``: only where the best evidence item is — task, activity,
    span — without its text and terms)."""
    from .coverage import score_plan

    cov = score_plan(plan, get_catalog(catalog_ref))
    cells = {}
    for r in cov["requirements"]:
        ev = r.get("evidence") or []
        if compact:  # --matrix-only over many plans: where the best evidence is, not its text
            ev = [{k: e.get(k) for k in ("task", "activity", "score", "span")} for e in ev[:1]]
        else:
            ev = [_evidence_item(e) for e in ev]
        for e in ev:
            e["score"] = _num(e.get("score"))
        cells[r["id"]] = {"status": r["status"], "score": _num(r["score"]), "evidence": ev}
    summary = {k: (_num(v) if k == "score" else int(v)) for k, v in cov["summary"].items()}
    return {"summary": summary, "cells": cells}


def _num(x):
    """Plain float (the coverage engine may hand numpy scalars)."""
    return None if x is None else float(x)


def _evidence_item(e: dict) -> dict:
    out = {k: e.get(k) for k in ("task", "activity", "kind", "text", "matched", "score", "span")}
    out["matched"] = list(out["matched"] or [])
    return out


def plan_meta(plan: dict, path: str | None) -> dict:
    doc = plan.get("document") or {}
    src = plan.get("source") or {}
    return {
        "path": path if path is not None else src.get("path"),
        "province": doc.get("province"),
        "year": doc.get("year"),
        "number": doc.get("number"),
        "date": doc.get("date"),
        "title": doc.get("title"),
        "implements": [r.get("number") for r in plan.get("implements") or [] if r.get("number")],
    }


def _load_worker(args) -> dict:
    """Worker: read one input and score it against ``catalogs``. Returns plain data (it
    crosses a process boundary): the plan itself only when the tasks are to be aligned."""
    path, catalogs, keep_plan, compact, ocr, lexicon = args
    plan = load_plan_input(path, ocr=ocr, lexicon=lexicon)
    own = implemented_catalogs(plan)
    cov = {c: coverage_cells(plan, c, compact=compact) for c in catalogs}
    return {"plan": plan if keep_plan else None, "meta": plan_meta(plan, path), "implements_catalogs": own, "coverage": cov}


def _run_parallel(func, items: list, *, jobs: int, quiet: bool, label: str) -> list:
    """``func`` over ``items`` in worker processes (in this process for a few items); results
    in input order. The first failure, in input order, ends the command."""
    from .batch import map_files

    if len(items) < 4:
        jobs = 1
    results: list = [None] * len(items)
    failures: dict[int, str] = {}
    for i, ok, res in map_files(func, items, jobs=jobs, label=label, quiet=quiet):
        if ok:
            results[i] = res
        else:
            failures[i] = res
    if failures:
        first = failures[min(failures)]
        more = f" (and {len(failures) - 1} more inputs failed)" if len(failures) > 1 else ""
        raise InputError(f"{first}{more}")
    return results


def run_compare(
    inputs: list[str],
    *,
    against: list[str] | None = None,
    labels: dict[str, str] | None = None,
    matrix_only: bool = False,
    threshold: float = THRESHOLD,
    jobs: int = 0,
    quiet: bool = False,
    ocr: bool = False,
    lexicon: list[str] | None = None,
) -> dict:
    """Compare the plans in ``inputs`` (plan files, ``khplan parse`` YAML/JSON, directories).

    Inputs are read and scored against the catalogs in worker processes (a progress bar on
    stderr); the alignment runs here. ``against=None``: the matrix has the union of the
    catalogs the plans implement."""
    from .commands.parse import expand_inputs

    files = expand_inputs(list(inputs), suffixes=INPUT_SUFFIXES)
    if len(files) < 2 and not matrix_only:
        raise UsageError("compare needs at least two plans (or --matrix-only)")
    if against:
        for ref in against:
            get_catalog(ref)  # a wrong catalog fails before any work
    lex = tuple(lexicon or ())
    if against:
        score_with = list(against)
    else:
        # The default is the union of the catalogs the plans implement, known only once every
        # plan is read: each worker scores its plan against every built-in catalog (cheaper
        # than reading a plan twice) and the columns nobody implements are dropped.
        from .catalogs import builtin_ids

        score_with = builtin_ids()
    loaded = _run_parallel(
        _load_worker, [(f, score_with, not matrix_only, matrix_only, ocr, lex) for f in files],
        jobs=jobs, quiet=quiet, label="compare",
    )
    if against:
        cats = list(against)
    else:
        cats = []
        for item in loaded:
            for c in item["implements_catalogs"]:
                if c not in cats:
                    cats.append(c)
    metas = [x["meta"] for x in loaded]
    coverage = [{c: x["coverage"][c] for c in cats} for x in loaded]
    plans = None if matrix_only else [x["plan"] for x in loaded]
    return build_comparison(
        metas, plans, coverage, cats, labels=labels, threshold=threshold, matrix_only=matrix_only,
    )


def compare_plans(
    plans: list[dict],
    *,
    labels: list[str] | dict[str, str] | None = None,
    against: list[str] | None = None,
    threshold: float = THRESHOLD,
    matrix_only: bool = False,
    paths: list[str] | None = None,
) -> dict:
    """Compare plan dicts in this process (the library entry point; :func:`run_compare` is the
    one for files). ``labels``: a list (one per plan) or overrides as for ``--label``."""
    paths = paths or [None] * len(plans)
    metas = [plan_meta(p, path) for p, path in zip(plans, paths)]
    if against is None:
        cats: list[str] = []
        for p in plans:
            for c in implemented_catalogs(p):
                if c not in cats:
                    cats.append(c)
    else:
        cats = list(against)
    coverage = [{c: coverage_cells(p, c, compact=matrix_only) for c in cats} for p in plans]
    if isinstance(labels, list):
        labels = {str(i + 1): lab for i, lab in enumerate(labels)}
    return build_comparison(metas, None if matrix_only else plans, coverage, cats, labels=labels,
                            threshold=threshold, matrix_only=matrix_only)


# --------------------------------------------------------------------------------------------
# Labels


def default_label(meta: dict) -> str:
    from pathlib import Path

    prov = meta.get("province")
    year = meta.get("year")
    if prov:
        return f"{prov} {year}" if year else str(prov)
    stem = Path(meta.get("path") or "plan").stem
    return f"{stem} {year}" if year and str(year) not in stem else stem


def make_labels(metas: list[dict], overrides: dict[str, str] | None = None) -> list[str]:
    """Province + year, made unique (" (2)", " (3)" …); ``overrides`` maps a 1-based position,
    an input path, its file name or stem, or a default label to the label wanted."""
    from pathlib import Path

    labels = [default_label(m) for m in metas]
    seen: dict[str, int] = {}
    count = {lab: labels.count(lab) for lab in labels}
    unique = []
    for lab in labels:
        if count[lab] > 1:
            seen[lab] = seen.get(lab, 0) + 1
            unique.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
        else:
            unique.append(lab)
    if overrides:
        used = set()
        for key, value in overrides.items():
            hit = None
            for i, (m, lab) in enumerate(zip(metas, unique)):
                p = Path(m.get("path") or "")
                if key in (str(i + 1), m.get("path"), p.name, p.stem, lab):
                    hit = i
                    break
            if hit is None:
                raise UsageError(f"--label {key}={value}: no input is '{key}' (use its position 1..{len(metas)}, path, file name or label)")
            unique[hit] = value
            used.add(hit)
    if len(set(unique)) != len(unique):
        dup = sorted({x for x in unique if unique.count(x) > 1})
        raise UsageError(f"two plans have the same label: {', '.join(dup)} (set them with --label)")
    for lab in unique:
        if not lab.strip():
            raise UsageError("a label cannot be empty")
    return unique


# --------------------------------------------------------------------------------------------
# Task features


@dataclass
class PlanFeatures:
    """The tasks of one plan cut into units, with their offsets into the shared unit arrays."""

    label: str
    tasks: list  # [{id, title, units: [str], lead, coordinating}]
    unit_start: int = 0  # index of this plan's first unit among all units
    starts: list = field(default_factory=list)  # per task: first unit, relative to unit_start
    n_units: int = 0


def task_units(task: dict) -> list[str]:
    """Title, then activities (and those of subtasks), or the sentences of the text."""
    title = (task.get("title") or "").strip()
    units = [title] if title else []

    def collect(t: dict, top: bool) -> None:
        acts = t.get("activities") or []
        subs = t.get("subtasks") or []
        if not top:
            st = (t.get("title") or "").strip()
            if st and not acts and not subs:
                units.append((t.get("text") or st).strip())
            elif st:
                units.append(st)
        for a in acts:
            txt = (a.get("text") or "").strip()
            if txt:
                units.append(txt)
        for s in subs:
            collect(s, False)
        if top and not acts and not subs:
            text = (t.get("text") or "").strip()
            rest = text[len(title):] if title and text.startswith(title) else ("" if title else text)
            for sentence in _SENTENCE_END.split(rest.strip()):
                sentence = sentence.strip(" ;.\n")
                if len(sentence) >= 12 and not _ROLE_LINE.match(sentence):
                    units.append(sentence)

    collect(task, True)
    if not units:
        units.append((task.get("text") or "").strip())
    return units


def _body_names(bodies) -> list[str]:
    return [b.get("name") for b in bodies or [] if b.get("name")]


def plan_features(plans: list[dict], labels: list[str]) -> tuple[list[PlanFeatures], "_UnitSpace"]:
    """Units of every task of every plan, and the shared space they are compared in."""
    feats = []
    all_units: list[str] = []
    for plan, label in zip(plans, labels):
        tasks = []
        starts = []
        start = len(all_units)
        for t in plan.get("tasks") or []:
            units = task_units(t)
            starts.append(len(all_units) - start)
            all_units.extend(units)
            tasks.append({
                "id": t.get("id"),
                "title": t.get("title") or "",
                "units": units,
                "lead": t.get("lead") or [],
                "coordinating": t.get("coordinating") or [],
            })
        feats.append(PlanFeatures(label, tasks, start, starts, len(all_units) - start))
    return feats, _UnitSpace(all_units)


class _UnitSpace:
    """All units of all plans: their BM25 cosines (:class:`khplan.textmatch.Index`, weights
    over every unit compared) and the cosines of their idf-weighted thesaurus concepts."""

    #: Queries per call of ``Index.cosine`` (bounds the temporary matrices).
    CHUNK = 2000

    def __init__(self, units: list[str]):
        import math
        from collections import Counter

        import numpy as np

        from .textmatch import Index, analyse, concept_hits

        self.units = units
        self.analyses = [analyse(u) for u in units]
        n = max(len(units), 1)
        # Lexical cosines: one index over every unit; the units also count as the queries'
        # side of the document frequencies, so that chunks of queries share one weighting.
        lex = np.zeros((len(units), len(units)), dtype=np.float32)
        if units:
            index = Index(self.analyses, extra=self.analyses)
            for start in range(0, len(units), self.CHUNK):
                lex[start : start + self.CHUNK] = index.cosine(self.analyses[start : start + self.CHUNK])
            lex = (lex + lex.T) / 2.0
        self.lex = lex
        # Syllable idf (for ranking matched phrases).
        df: Counter = Counter()
        for a in self.analyses:
            df.update(t for t in a.terms if t[0] == "u")
        self.syllable_idf = {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        # Concepts.
        self.hits = [concept_hits(u) for u in units]
        concept_ids = sorted({m.concept for h in self.hits for m in h})
        col = {c: i for i, c in enumerate(concept_ids)}
        self.concept_ids = concept_ids
        x = np.zeros((len(units), len(concept_ids)))
        for i, h in enumerate(self.hits):
            for m in h:
                x[i, col[m.concept]] = 1.0
        cdf = x.sum(axis=0)
        cidf = np.log(1.0 + (n - cdf + 0.5) / (cdf + 0.5))
        self.concept_idf = dict(zip(concept_ids, cidf.tolist()))
        xw = x * cidf if len(concept_ids) else x
        cn = np.linalg.norm(xw, axis=1)
        self.has_concepts = cn > 0
        cn[cn == 0] = 1.0
        self.conc = xw / cn[:, None]
        lengths = np.asarray([max(a.length, 1) for a in self.analyses], dtype=float)
        self.weights = lengths ** LENGTH_POWER
        for i, u in enumerate(units):
            if _CITATION.match(u):
                self.weights[i] *= CITATION_WEIGHT

    def block(self, a: slice, b: slice):
        """Unit x unit scores between two ranges of units."""
        import numpy as np

        lex = self.lex[a, b].astype(np.float64)
        if not self.concept_ids:
            return lex
        conc = self.conc[a] @ self.conc[b].T
        either = np.logical_or.outer(self.has_concepts[a], self.has_concepts[b])
        return np.where(either, (1.0 - CONCEPT_WEIGHT) * lex + CONCEPT_WEIGHT * conc, lex)


def task_scores(space: _UnitSpace, fa: PlanFeatures, fb: PlanFeatures):
    """(score, a_in_b, b_in_a): task x task matrices. ``a_in_b[i, j]``: how well the units of
    task i of A find a counterpart in task j of B (weighted mean of their best scores)."""
    import numpy as np

    ta, tb = len(fa.tasks), len(fb.tasks)
    if not ta or not tb:
        z = np.zeros((ta, tb))
        return z, z, z
    sa = slice(fa.unit_start, fa.unit_start + fa.n_units)
    sb = slice(fb.unit_start, fb.unit_start + fb.n_units)
    s = space.block(sa, sb)
    wa = _unit_weights(space, fa)
    wb = _unit_weights(space, fb)
    best_in_b = np.maximum.reduceat(s, fb.starts, axis=1)  # units of A x tasks of B
    a_in_b = np.add.reduceat(best_in_b * wa[:, None], fa.starts, axis=0) / np.add.reduceat(wa, fa.starts)[:, None]
    best_in_a = np.maximum.reduceat(s, fa.starts, axis=0)  # tasks of A x units of B
    b_in_a = np.add.reduceat(best_in_a * wb[None, :], fb.starts, axis=1) / np.add.reduceat(wb, fb.starts)[None, :]
    return 0.5 * (a_in_b + b_in_a), a_in_b, b_in_a


def _unit_weights(space: _UnitSpace, f: PlanFeatures):
    import numpy as np

    w = space.weights[f.unit_start : f.unit_start + f.n_units].copy()
    firsts = np.asarray(f.starts, dtype=int)
    for k, t in enumerate(f.tasks):
        if t["title"] and t["units"] and t["units"][0] == t["title"].strip():
            w[firsts[k]] *= TITLE_WEIGHT
    return w


def align_tasks(space: _UnitSpace, fa: PlanFeatures, fb: PlanFeatures, threshold: float = THRESHOLD) -> dict:
    """One-to-one pairs (optimal assignment, at or above ``threshold``), many-to-one links and
    the tasks left unmatched on each side."""
    from scipy.optimize import linear_sum_assignment

    score, a_in_b, b_in_a = task_scores(space, fa, fb)
    ta, tb = score.shape
    pairs = []
    if ta and tb:
        rows, cols = linear_sum_assignment(-score)
        for i, j in zip(rows.tolist(), cols.tolist()):
            if score[i, j] >= threshold:
                pairs.append((i, j, float(score[i, j])))
    partner_a = {i: j for i, j, _ in pairs}
    partner_b = {j: i for i, j, _ in pairs}
    # Many-to-one: an unmatched task contained in a paired task of the other plan (the one
    # that contains it best), with enough similarity both ways.
    links = []
    link_min = LINK_SHARE * threshold
    paired_a = sorted(partner_a)
    paired_b = sorted(partner_b)
    if paired_a and paired_b:
        for j in range(tb):
            if j in partner_b:
                continue
            i = max(paired_a, key=lambda r: (b_in_a[r, j], -r))
            if b_in_a[i, j] >= link_min and score[i, j] >= link_min:
                links.append((i, j, float(score[i, j]), "a"))
        for i in range(ta):
            if i in partner_a:
                continue
            j = max(paired_b, key=lambda c: (a_in_b[i, c], -c))
            if a_in_b[i, j] >= link_min and score[i, j] >= link_min:
                links.append((i, j, float(score[i, j]), "b"))
    linked_a = {i for i, _, _, _ in links}
    linked_b = {j for _, j, _, _ in links}
    pairs.sort(key=lambda p: (-round(p[2], 3), p[0], p[1]))
    links.sort(key=lambda p: (-round(p[2], 3), p[0], p[1]))
    return {
        "pairs": pairs,
        "links": links,
        "unmatched_a": [i for i in range(ta) if i not in partner_a and i not in linked_a],
        "unmatched_b": [j for j in range(tb) if j not in partner_b and j not in linked_b],
        "score": score,
    }


def _task_concepts(space: _UnitSpace, f: PlanFeatures, k: int) -> dict:
    """concept id -> first surface (as written) in task k."""
    start = f.unit_start + f.starts[k]
    end = f.unit_start + (f.starts[k + 1] if k + 1 < len(f.starts) else f.n_units)
    out: dict[str, str] = {}
    for u in range(start, end):
        text = space.units[u]
        for m in space.hits[u]:
            out.setdefault(m.concept, text[m.start : m.end])
    return out


_RUN_SPLIT = re.compile(r"[^\w\s]+|\d+|_")
_SYLL = re.compile(r"[^\W\d_]+")
MAX_GRAM = 12


def _runs(text: str) -> list[list[str]]:
    """Runs of lower-case, tone-normalised syllables between punctuation marks."""
    import unicodedata

    from .vn import tone_normalise

    norm = tone_normalise(unicodedata.normalize("NFC", text)).lower()
    return [r for r in (_SYLL.findall(chunk) for chunk in _RUN_SPLIT.split(norm)) if r]


class _TaskPhrases:
    """The syllable runs of each task and the set of their n-grams, computed once per task."""

    def __init__(self, space: "_UnitSpace"):
        self.space = space
        self.cache: dict[tuple[int, int], tuple[list, set]] = {}
        self.weights: dict[str, float] = {}  # phrase -> weight (-1: not a phrase)

    def get(self, f: PlanFeatures, k: int):
        key_ = (f.unit_start, k)
        hit = self.cache.get(key_)
        if hit is None:
            start = f.unit_start + f.starts[k]
            end = f.unit_start + (f.starts[k + 1] if k + 1 < len(f.starts) else f.n_units)
            runs = [r for u in range(start, end) for r in _runs(self.space.units[u])]
            grams = set()
            for r in runs:
                for i in range(len(r)):
                    for n in range(2, min(MAX_GRAM, len(r) - i) + 1):
                        grams.add(tuple(r[i : i + n]))
            hit = (runs, grams)
            self.cache[key_] = hit
        return hit


def shared_phrases(phrases: _TaskPhrases, fa: PlanFeatures, i: int, fb: PlanFeatures, j: int) -> list[str]:
    """The longest word sequences two tasks share (at least two content syllables), heaviest
    first: readable terms such as "cơ sở trợ giúp xã hội" rather than syllable pairs."""
    from .textmatch import analyse, stopwords

    stop = stopwords().syllables
    _, grams_a = phrases.get(fa, i)
    runs_b, _ = phrases.get(fb, j)
    idf = phrases.space.syllable_idf
    weights = phrases.weights
    found: dict[str, float] = {}
    for r in runs_b:
        pos, end = 0, len(r)
        while pos < end - 1:
            # grams_a holds every n-gram of A, so a match can be grown one syllable at a time
            n = 1
            while pos + n < end and n < MAX_GRAM and tuple(r[pos : pos + n + 1]) in grams_a:
                n += 1
            if n < 2:
                pos += 1
                continue
            words = r[pos : pos + n]
            while words and words[0] in stop:
                words = words[1:]
            while words and words[-1] in stop:
                words = words[:-1]
            if len(words) >= 2:
                phrase = " ".join(words)
                if phrase not in found:
                    w = weights.get(phrase)
                    if w is None:
                        a = analyse(phrase)
                        w = weights[phrase] = sum(idf.get(t, 0.0) for t in a.terms if t[0] == "u") if a.length >= 2 else -1.0
                    if w >= 0:
                        found[phrase] = w
            pos += n
    return [p for p, _ in sorted(found.items(), key=lambda x: (-x[1], x[0]))]


def matched_terms(space: _UnitSpace, phrases: _TaskPhrases, fa: PlanFeatures, i: int, fb: PlanFeatures, j: int) -> tuple[list[str], list[str]]:
    """(terms, concept ids) two tasks share: concepts first (as written in A, rarest first),
    then the longest shared word sequences by weight. The concept ids are those whose words
    are listed (their surfaces may differ in B: "truyền thông" / "tuyên truyền")."""
    from .textmatch import outermost

    ca = _task_concepts(space, fa, i)
    cb = _task_concepts(space, fb, j)
    shared = sorted((c for c in ca if c in cb), key=lambda c: (-space.concept_idf.get(c, 0.0), c))
    out = outermost([ca[c] for c in shared])
    low = [s.lower() for s in out]
    for p in shared_phrases(phrases, fa, i, fb, j):
        if len(out) >= MAX_MATCHED:
            break
        if any(p in s or s in p for s in low):
            continue
        out.append(p)
        low.append(p)
    out = out[:MAX_MATCHED]
    shown = [c for c in shared if ca[c] in out]
    return out, shown


# --------------------------------------------------------------------------------------------
# Bodies


def _ident(b: dict) -> str:
    from .vn import key

    return b.get("canonical") or key(b.get("name") or "")


def _relevant(bodies) -> list[dict]:
    out = []
    seen = set()
    for b in bodies or []:
        if b.get("generic"):
            continue
        k = _ident(b)
        if k and k not in seen:
            seen.add(k)
            out.append(b)
    return out


def compare_bodies(bodies_a, bodies_b) -> tuple[list[dict], list[dict], list[tuple[dict, dict, str]]]:
    """(only in A, only in B, successor matches [(body A, body B, successor)]): bodies compared
    by canonical name, then by successor (either side's successor is the other's body, or both
    have the same successor). Generic bodies are left out."""
    a = [(_ident(x), x) for x in _relevant(bodies_a)]
    b = [(_ident(y), y) for y in _relevant(bodies_b)]
    ids_a = {k for k, _ in a}
    ids_b = {k for k, _ in b}
    only_a = [(k, x) for k, x in a if k not in ids_b]
    only_b = [(k, y) for k, y in b if k not in ids_a]
    matches = []
    seen_pairs = set()
    used_b = set()
    rest_a = []
    for kx, x in only_a:
        hit = next(((ky, y, via) for ky, y in b if (via := _successor_link(kx, x, ky, y))), None)
        if hit:
            matches.append((x, hit[1], hit[2]))
            seen_pairs.add((kx, hit[0]))
            used_b.add(hit[0])
        else:
            rest_a.append(x)
    rest_b = []
    for ky, y in only_b:
        if ky in used_b:
            continue
        hit = next(((kx, x, via) for kx, x in a if (via := _successor_link(kx, x, ky, y))), None)
        if hit:
            if (hit[0], ky) not in seen_pairs:
                matches.append((hit[1], y, hit[2]))
                seen_pairs.add((hit[0], ky))
        else:
            rest_b.append(y)
    return rest_a, rest_b, matches


def _successor_link(ix: str, x: dict, iy: str, y: dict) -> str | None:
    sx, sy = x.get("successor"), y.get("successor")
    if sx and sx == iy:
        return sx
    if sy and sy == ix:
        return sy
    if sx and sy and sx == sy:
        return sx
    return None


# --------------------------------------------------------------------------------------------
# Differences


def _fmt_deadline(d: dict | None) -> str | None:
    if not d:
        return None
    if d.get("day") and d.get("month"):
        s = f"{d['day']}/{d['month']}"
        return f"{s}/{d['year']}" if d.get("year") else s
    return d.get("text")


def _reporting(plan: dict) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Frequencies, and per frequency the deadlines ({day/month: as written with its year})."""
    freqs: list[str] = []
    deadlines: dict[str, dict[str, str]] = {}
    for r in plan.get("reporting") or []:
        f = r.get("frequency")
        if not f:
            continue
        if f not in freqs:
            freqs.append(f)
        d = r.get("deadline")
        shown = _fmt_deadline(d)
        if shown:
            k = f"{d['day']}/{d['month']}" if d.get("day") and d.get("month") else shown
            deadlines.setdefault(f, {}).setdefault(k, shown)
    return freqs, deadlines


_FREQ_ORDER = ("monthly", "quarterly", "semiannual", "annual", "once", "ad_hoc")


def _sorted_freqs(freqs) -> list[str]:
    return sorted(freqs, key=lambda f: (_FREQ_ORDER.index(f) if f in _FREQ_ORDER else 99, f))


def _assignment_bodies(plan: dict) -> list[tuple[dict, str | None]]:
    out = []
    for a in plan.get("assignments") or []:
        for b in a.get("bodies") or []:
            out.append((b, a.get("id")))
    return out


def _targets(plan: dict) -> list[dict]:
    out = []
    for o in plan.get("objectives") or []:
        out.extend(o.get("targets") or [])
    return out


def _target_value(t: dict) -> str:
    v, u = t.get("value"), t.get("unit")
    if v is None:
        return ""
    v = str(v)
    return f"{v}{u}" if u == "%" else f"{v} {u}" if u else v


def plan_differences(pa: dict, pb: dict, la: str, lb: str) -> list[dict]:
    """Whole-plan differences: bodies of "Tổ chức thực hiện", reporting, funding, targets."""
    out: list[dict] = []
    base = {"plan_a": la, "plan_b": lb}
    # Bodies charged with duties
    ab, bb = _assignment_bodies(pa), _assignment_bodies(pb)
    where_a: dict = {}
    where_b: dict = {}
    for b, i in ab:
        where_a.setdefault(_ident(b), i)
    for b, i in bb:
        where_b.setdefault(_ident(b), i)
    only_a, only_b, matches = compare_bodies([b for b, _ in ab], [b for b, _ in bb])
    for x, y, via in matches:
        out.append({"kind": "successor_match", **base, "role": "assignment", "a": where_a.get(_ident(x)),
                    "b": where_b.get(_ident(y)), "body_a": x.get("name"), "body_b": y.get("name"), "successor": via})
    if only_a or only_b:
        out.append({"kind": "assignments", **base, "a": None, "b": None,
                    "only_a": [x.get("name") for x in only_a], "only_b": [y.get("name") for y in only_b]})
    # Reporting
    fa, da = _reporting(pa)
    fb, db = _reporting(pb)
    if set(fa) != set(fb):
        out.append({"kind": "reporting_frequency", **base, "a": _sorted_freqs(fa), "b": _sorted_freqs(fb)})
    for f in _sorted_freqs(set(fa) & set(fb)):
        xa, xb = da.get(f, {}), db.get(f, {})
        if (xa or xb) and set(xa) != set(xb):
            out.append({"kind": "reporting_deadline", **base, "frequency": f,
                        "a": ", ".join(xa.values()) or None, "b": ", ".join(xb.values()) or None})
    # Funding
    fua, fub = pa.get("funding") or {}, pb.get("funding") or {}
    if bool(fua.get("present")) != bool(fub.get("present")):
        out.append({"kind": "funding_clause", **base, "a": bool(fua.get("present")), "b": bool(fub.get("present"))})
    sa, sb = list(fua.get("sources") or []), list(fub.get("sources") or [])
    if set(sa) != set(sb):
        out.append({"kind": "funding", **base, "a": None, "b": None,
                    "only_a": [s for s in sa if s not in sb], "only_b": [s for s in sb if s not in sa]})
    # Targets
    out.extend(_target_differences(_targets(pa), _targets(pb), base))
    return out


def _target_differences(ta: list[dict], tb: list[dict], base: dict) -> list[dict]:
    if not ta and not tb:
        return []
    out = []
    pairs = []
    if ta and tb:
        from scipy.optimize import linear_sum_assignment

        from .textmatch import Index, analyse

        aa = [analyse(t.get("text") or "") for t in ta]
        ab = [analyse(t.get("text") or "") for t in tb]
        idx = Index(ab, extra=aa)
        s = idx.cosine(aa)
        rows, cols = linear_sum_assignment(-s)
        for i, j in zip(rows.tolist(), cols.tolist()):
            if s[i, j] >= TARGET_THRESHOLD and (ta[i].get("unit") == tb[j].get("unit")):
                pairs.append((i, j, float(s[i, j])))
    pa = {i for i, _, _ in pairs}
    pb = {j for _, j, _ in pairs}
    for i, j, sc in sorted(pairs):
        x, y = ta[i], tb[j]
        if str(x.get("value")) != str(y.get("value")) or x.get("period") != y.get("period"):
            out.append({"kind": "target", **base, "a": _target_value(x), "b": _target_value(y),
                        "period_a": x.get("period"), "period_b": y.get("period"),
                        "text_a": x.get("text"), "text_b": y.get("text"), "score": round(sc, 3)})
    only_a = [f"{_target_value(t)}: {t.get('text')}" for i, t in enumerate(ta) if i not in pa]
    only_b = [f"{_target_value(t)}: {t.get('text')}" for j, t in enumerate(tb) if j not in pb]
    if only_a or only_b:
        out.append({"kind": "targets", **base, "a": None, "b": None, "only_a": only_a, "only_b": only_b})
    return out


def task_differences(ta: dict, tb: dict, la: str, lb: str) -> list[dict]:
    """Lead and coordinating bodies of two aligned tasks (only when both tasks name some)."""
    out = []
    for role in ("lead", "coordinating"):
        ba, bb = _relevant(ta.get(role)), _relevant(tb.get(role))
        if not ba or not bb:
            continue
        only_a, only_b, matches = compare_bodies(ba, bb)
        base = {"plan_a": la, "plan_b": lb, "a": ta["id"], "b": tb["id"]}
        for x, y, via in matches:
            out.append({"kind": "successor_match", **base, "role": role, "body_a": x.get("name"),
                        "body_b": y.get("name"), "successor": via})
        if only_a or only_b:
            out.append({"kind": role, **base, "only_a": [x.get("name") for x in only_a], "only_b": [y.get("name") for y in only_b]})
    return out


# --------------------------------------------------------------------------------------------
# The comparison


def build_comparison(
    metas: list[dict],
    plans: list[dict] | None,
    coverage: list[dict],
    catalogs: list[str],
    *,
    labels: dict[str, str] | None = None,
    threshold: float = THRESHOLD,
    matrix_only: bool = False,
) -> dict:
    """Assemble ``khplan.comparison/v1`` from plan metadata, plan dicts (None in matrix-only
    mode) and per-plan coverage cells (:func:`coverage_cells`)."""
    labs = make_labels(metas, labels)
    out: dict = {"schema": SCHEMA}
    plan_entries = []
    feats = None
    space = None
    if plans is not None:
        feats, space = plan_features(plans, labs)
    for k, (m, lab) in enumerate(zip(metas, labs)):
        e = {"label": lab, **m}
        if feats is not None:
            e["tasks"] = [
                {"id": t["id"], "title": t["title"], "units": t["units"],
                 "lead": _body_names(t["lead"]), "coordinating": _body_names(t["coordinating"])}
                for t in feats[k].tasks
            ]
        plan_entries.append(e)
    out["plans"] = plan_entries
    out["options"] = {"threshold": threshold, "against": list(catalogs), "matrix_only": matrix_only}
    alignment: list[dict] = []
    differences: list[dict] = []
    unmatched: dict[str, list[str]] = {}
    if feats is not None and space is not None:
        phrases = _TaskPhrases(space)
        matched_anywhere = [set() for _ in feats]
        for x in range(len(feats)):
            for y in range(x + 1, len(feats)):
                fa, fb = feats[x], feats[y]
                res = align_tasks(space, fa, fb, threshold)
                for i, j, sc in res["pairs"]:
                    terms, concepts = matched_terms(space, phrases, fa, i, fb, j)
                    alignment.append({
                        "plan_a": fa.label, "plan_b": fb.label, "a": fa.tasks[i]["id"], "b": fb.tasks[j]["id"],
                        "kind": "one_to_one", "score": round(sc, 3), "matched": terms, "concepts": concepts,
                        "title_a": fa.tasks[i]["title"], "title_b": fb.tasks[j]["title"],
                    })
                    matched_anywhere[x].add(i)
                    matched_anywhere[y].add(j)
                for i, j, sc, spans in res["links"]:
                    terms, concepts = matched_terms(space, phrases, fa, i, fb, j)
                    alignment.append({
                        "plan_a": fa.label, "plan_b": fb.label, "a": fa.tasks[i]["id"], "b": fb.tasks[j]["id"],
                        "kind": "many_to_one", "spans": spans, "score": round(sc, 3), "matched": terms,
                        "concepts": concepts, "title_a": fa.tasks[i]["title"], "title_b": fb.tasks[j]["title"],
                    })
                    matched_anywhere[x].add(i)
                    matched_anywhere[y].add(j)
                for i, j, _ in sorted(res["pairs"], key=lambda p: (p[0], p[1])):
                    differences.extend(task_differences(fa.tasks[i], fb.tasks[j], fa.label, fb.label))
                differences.extend(plan_differences(plans[x], plans[y], fa.label, fb.label))
        for f, seen in zip(feats, matched_anywhere):
            unmatched[f.label] = [t["id"] for k, t in enumerate(f.tasks) if k not in seen]
    out["alignment"] = alignment
    out["unmatched"] = unmatched
    out["differences"] = differences
    out.update(_coverage_section(labs, coverage, catalogs))
    return out


def _coverage_section(labels: list[str], coverage: list[dict], catalogs: list[str]) -> dict:
    matrix: dict = {}
    gaps: dict = {}
    evidence: dict = {}
    summaries: dict = {}
    cat_entries = []
    for cid in catalogs:
        cat = get_catalog(cid)
        d = cat.get("document") or {}
        cat_entries.append({
            "id": cat["id"], "ref": cid, "title": cat.get("title"), "version": cat.get("version"),
            "document": f"{d.get('kind', '')} {d.get('number', '')}".strip(),
            "requirements": [{"id": r["id"], "title": r["title"]} for r in cat["requirements"]],
        })
        key_ = cat["id"]
        m: dict = {}
        g: list = []
        ev: dict = {}
        for r in cat["requirements"]:
            rid = r["id"]
            row = {}
            cells = {}
            for lab, cov in zip(labels, coverage):
                cell = cov[cid]["cells"].get(rid, {"status": "missing", "score": 0.0, "evidence": []})
                row[lab] = cell["status"]
                cells[lab] = {"status": cell["status"], "score": cell["score"], "evidence": cell["evidence"]}
            m[rid] = row
            ev[rid] = cells
            by = {s: [lab for lab in labels if row[lab] == s] for s in STATUSES}
            g.append({"requirement": rid, "title": r["title"], "plans": len(labels),
                      "covered": by["covered"], "partial": by["partial"], "missing": by["missing"]})
        matrix[key_] = m
        gaps[key_] = g
        evidence[key_] = ev
        summaries[key_] = {lab: dict(cov[cid]["summary"]) for lab, cov in zip(labels, coverage)}
    return {"coverage": matrix, "catalogs": cat_entries, "gaps": gaps, "summary": summaries, "evidence": evidence}


def gap_sentence(g: dict, lang: str = "vi", limit: int = 8) -> str:
    """"covered by 5 of 7; missing in X, Y" (in Vietnamese by default)."""

    def names(lst):
        if len(lst) > limit:
            return ", ".join(lst[:limit]) + (f" và {len(lst) - limit} kế hoạch khác" if lang == "vi" else f" and {len(lst) - limit} more")
        return ", ".join(lst)

    n, c = g["plans"], len(g["covered"])
    if lang == "en":
        parts = [f"covered by {c} of {n}"]
        if g["partial"]:
            parts.append(f"partial in {names(g['partial'])}")
        if g["missing"]:
            parts.append(f"missing in {names(g['missing'])}")
    else:
        parts = [f"đáp ứng {c}/{n} kế hoạch"]
        if g["partial"]:
            parts.append(f"một phần: {names(g['partial'])}")
        if g["missing"]:
            parts.append(f"chưa có: {names(g['missing'])}")
    return "; ".join(parts)
