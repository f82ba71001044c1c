"""Coverage: does a plan take up what a directive requires? (``khplan.coverage/v1``)

For each requirement of a catalog (:mod:`khplan.catalogs`) the engine scores every *passage*
of the plan — objectives, task titles and texts, activities, the duties of each body in "Tổ
chức thực hiện", and, for the monitoring requirement, the reporting clauses — and keeps the
best ones as evidence. A passage score (0..1) is explainable to the word
(:mod:`khplan.textmatch`)::

    score = (CONCEPT_SHARE x concepts + (1 - CONCEPT_SHARE) x wording)
            x (POP_FLOOR + (1 - POP_FLOOR) x population)

* **concepts**: the requirement's thesaurus concepts found in the passage. Half of it
  (:data:`REQUIRED_SHARE`) is "one of the defining (``required``) concepts is there", the
  other half the share of its other concepts found, full at :data:`ELEMENT_SATURATION`
  concepts (a plan may take up one element of a many-sided requirement). Concepts from
  unverified parts of a directive (``inferred: true``) count :data:`INFERRED_WEIGHT`;
  concepts that only name the target group are left to the population factor.
* **wording**: the BM25-weighted share of the requirement's own vocabulary (title,
  description, target groups) that the passage contains, full at :data:`LEX_FULL`. Stop
  words of the genre ("tăng cường", "triển khai" …) carry nothing.
* **population**: whether the passage, with the title of its task, is about the
  requirement's target groups (:func:`_population`): "hỗ trợ sinh kế" for poor households
  does not take up a requirement about people with disabilities. A passage about no target
  group keeps :data:`POP_FLOOR` of its score.

The names of a passage's own bodies are blanked before matching ("Hội Bảo trợ người khuyết
tật tỉnh: …" is a body acting, not a sentence about people with disabilities). A requirement
whose concepts are spread over several passages (a procedure in one task, the database in an
assignment) is also scored on the union of the concepts of its supporting passages.

Status: ``score >= thresholds.covered`` -> covered, ``>= thresholds.partial`` -> partial, else
missing, with the catalog's thresholds. The summary score is the weighted share of the
requirements taken up (covered 1, partial 0.5, weights from the catalog).

Each requirement also says whether the bodies the directive names lead or coordinate the
passages that cover it, by canonical name or as the successor of the plan's body (a 2022
"Sở Lao động - Thương binh và Xã hội" holds the children's functions of today's "Sở Y tế").

The global weights below and the built-in catalogs' thresholds were calibrated on
``tests/data/coverage_labels.yaml`` (``scripts/eval_coverage.py`` prints the figures and a
leave-one-plan-out check of the thresholds); there is no rule for a particular plan or
requirement.

Public API::

    score_plan(plan, catalog) -> dict             # khplan.coverage/v1
    default_catalogs(plan) -> [(catalog_id, ref)] # built-in catalogs the plan implements
    load_plan(path) -> dict                       # plan YAML/JSON (checked) or a plan file (parsed)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

SCHEMA = "khplan.coverage/v1"
PLAN_SCHEMA = "khplan.plan/v1"

# Global weights (see the module docs; calibrated with scripts/eval_coverage.py).
CONCEPT_SHARE = 0.4
REQUIRED_SHARE = 0.5
ELEMENT_SATURATION = 3.0
INFERRED_WEIGHT = 0.5
LEX_FULL = 0.66
POP_FLOOR = 0.2

#: Concepts that mark a requirement about monitoring and reporting: only those requirements
#: are matched against the plan's reporting clauses.
MONITORING_CONCEPTS = frozenset({"bao_cao_dinh_ky", "theo_doi_don_doc"})

#: A passage supports a requirement when it scores at least this share of the best passage;
#: the first MAX_EVIDENCE supporting passages are the evidence.
SUPPORT_SHARE = 0.6
MAX_EVIDENCE = 3
MAX_SUPPORT = 10
MAX_MATCHED = 8

STATUSES = ("covered", "partial", "missing")
CREDIT = {"covered": 1.0, "partial": 0.5, "missing": 0.0}


# --------------------------------------------------------------------------------------------
# Passages of a plan


@dataclass
class Passage:
    """One piece of plan text that can take up a requirement."""

    kind: str  # objective | task | activity | duty | reporting
    task: str | None  # the task id, or the item id of the assignment ("IV.3")
    activity: int | None  # 1-based index of the activity / duty / objective
    text: str
    span: dict | None
    lead: list = field(default_factory=list)
    coordinating: list = field(default_factory=list)


def _head_span(span: dict | None, title: str, next_start: int | None) -> dict | None:
    """The span of a task's title: it starts the task's span and ends ``len(title)`` later
    (titles are single lines, or lines joined one character for one), never past the start of
    the task's first activity."""
    if not span or not isinstance(span.get("start"), int):
        return span
    end = span["start"] + len(title)
    if isinstance(next_start, int) and next_start > span["start"]:
        end = min(end, next_start)
    if isinstance(span.get("end"), int):
        end = min(end, span["end"])
    out = dict(span)
    out["end"] = end
    return out


def plan_passages(plan: dict) -> list[Passage]:
    """The passages coverage looks at, in document order, reporting clauses last."""
    out: list[Passage] = []
    for i, o in enumerate(plan.get("objectives") or []):
        out.append(Passage("objective", None, i + 1, o.get("text") or "", o.get("span")))

    def add_task(t: dict) -> None:
        lead, coord = t.get("lead") or [], t.get("coordinating") or []
        acts = t.get("activities") or []
        subs = t.get("subtasks") or []
        text = t.get("text") or ""
        if acts or subs:
            title = t.get("title") or ""
            if title:
                first = (acts[0].get("span") or {}).get("start") if acts else ((subs[0].get("span") or {}).get("start") if subs else None)
                out.append(Passage("task", t.get("id"), None, title, _head_span(t.get("span"), title, first), lead, coord))
            for j, a in enumerate(acts):
                out.append(Passage("activity", t.get("id"), j + 1, a.get("text") or "", a.get("span"),
                                   a.get("lead") or lead, a.get("coordinating") or coord))
            for s in subs:
                add_task(s)
        else:
            out.append(Passage("task", t.get("id"), None, text or t.get("title") or "", t.get("span"), lead, coord))

    for t in plan.get("tasks") or []:
        add_task(t)
    for a in plan.get("assignments") or []:
        bodies = a.get("bodies") or []
        for j, d in enumerate(a.get("duties") or []):
            out.append(Passage("duty", a.get("id"), j + 1, d.get("text") or "", d.get("span"), d.get("bodies") or bodies, []))
    for r in plan.get("reporting") or []:
        # Who collects and passes on the reports runs the monitoring; who reports takes part.
        out.append(Passage("reporting", r.get("assignment"), None, r.get("text") or "", r.get("span"),
                           list(r.get("via") or []) + list(r.get("to") or []), list(r.get("from") or [])))
    return [p for p in out if p.text.strip()]


def _mask_bodies(p: Passage) -> str:
    """The passage text with the names of its own bodies blanked out (same length, so offsets
    still point into the text). Names of bodies do not vote: "Hội Bảo trợ người khuyết tật
    tỉnh: …" is a body acting, not a sentence about people with disabilities."""
    text = p.text
    low = None
    for b in list(p.lead) + list(p.coordinating):
        name = b.get("name") if isinstance(b, dict) else None
        if not name or len(name) < 4:
            continue
        if low is None:
            low = text.lower()
        k = low.find(name.lower())
        while k >= 0:
            text = text[:k] + ";" * len(name) + text[k + len(name) :]
            k = low.find(name.lower(), k + len(name))
    return text


# --------------------------------------------------------------------------------------------
# Catalog preparation (once per catalog)


@dataclass
class _Requirement:
    data: dict
    concepts: list  # [(concept id, weight, required)]
    required: set
    elements: list  # [(concept id, weight)]: the concepts that are not only a target group
    monitoring: bool
    query: object  # textmatch.Analysis of title, description and target groups
    groups: list  # target groups: [(textmatch.Analysis, {concept ids})]
    bodies: list  # canonical names of the bodies the directive names


@dataclass
class _Prepared:
    catalog: dict
    requirements: list
    matcher: object  # ConceptMatcher for a catalog with its own concepts, else None (built-in)
    queries: object  # textmatch.Queries of the requirements
    concept_ids: list  # every concept the requirements and their target groups use
    elements: object  # numpy R x K: element weights
    required: object  # numpy R x K: 1 for defining concepts
    has_required: object  # numpy R: bool
    denominators: object  # numpy R: min(total element weight, ELEMENT_SATURATION)
    monitoring: object  # numpy R: bool
    group_pairs: list  # per requirement: [(concept column indices, pair column indices)]
    pair_alts: object  # numpy A: interned feature ids of every alternative of every group pair
    alt_pair: object  # scipy A x NP: which pair each alternative stands for


_PREPARED: dict[int, _Prepared] = {}


def _prepare(catalog: dict) -> _Prepared:
    hit = _PREPARED.get(id(catalog))
    if hit is not None and hit.catalog is catalog:
        return hit
    import numpy as np

    from .textmatch import Queries, analyse, concept_hits

    matcher = None
    if catalog.get("concepts"):
        from .catalogs import catalog_concepts
        from .concepts import ConceptMatcher

        matcher = ConceptMatcher(catalog_concepts(catalog))
    reqs = []
    for r in catalog["requirements"]:
        concepts = [(ref["id"], INFERRED_WEIGHT if ref.get("inferred") else 1.0, bool(ref.get("required"))) for ref in r["concepts"]]
        groups = [(analyse(g), _outer_concepts(concept_hits(g, matcher))) for g in r.get("target_groups") or []]
        if any(c for _, c in groups):
            # Groups the thesaurus knows are checked by their concepts; free-text groups
            # ("cộng đồng") only when no group is known.
            groups = [(a, c) for a, c in groups if c]
        targets = set().union(*[c for _, c in groups]) if groups else set()
        elements = [(c, w) for c, w, req in concepts if req or c not in targets]
        query_text = " \n".join([r["title"], r["title"], r["description"], *r.get("target_groups", [])])
        reqs.append(_Requirement(
            data=r, concepts=concepts, required={c for c, _, req in concepts if req}, elements=elements,
            monitoring=any(c in MONITORING_CONCEPTS for c, _, _ in concepts), query=analyse(query_text),
            groups=groups, bodies=list(r.get("bodies") or []),
        ))
    ids: list[str] = []
    for r in reqs:
        for c in [c for c, _, _ in r.concepts] + sorted(set().union(*[g for _, g in r.groups]) if r.groups else set()):
            if c not in ids:
                ids.append(c)
    col = {c: k for k, c in enumerate(ids)}
    n, k = len(reqs), len(ids)
    elements = np.zeros((n, k))
    required = np.zeros((n, k))
    for i, r in enumerate(reqs):
        for c, w in r.elements:
            elements[i, col[c]] = w
        for c in r.required:
            required[i, col[c]] = 1.0
    denominators = np.minimum(elements.sum(axis=1), ELEMENT_SATURATION)
    denominators[denominators == 0] = 1.0
    from scipy import sparse

    from .textmatch import intern

    alts: list[int] = []
    alt_rows: list[int] = []
    alt_cols: list[int] = []
    group_pairs = []
    n_pairs = 0
    for r in reqs:
        groups = []
        for a, g in r.groups:
            pcols = []
            for pair in _group_pairs(a):
                for t in pair:
                    alt_rows.append(len(alts))
                    alt_cols.append(n_pairs)
                    alts.append(intern(t))
                pcols.append(n_pairs)
                n_pairs += 1
            groups.append(([col[c] for c in sorted(g)], pcols))
        group_pairs.append(groups)
    alt_pair = sparse.csr_matrix((np.ones(len(alts)), (np.asarray(alt_rows, dtype=np.int64), np.asarray(alt_cols, dtype=np.int64))),
                                 shape=(len(alts), n_pairs))
    prep = _Prepared(catalog, reqs, matcher, Queries([r.query for r in reqs]), ids, elements, required,
                     required.sum(axis=1) > 0, denominators, np.asarray([r.monitoring for r in reqs], dtype=bool), group_pairs,
                     np.asarray(alts, dtype=np.int64), alt_pair)
    if len(_PREPARED) > 32:
        _PREPARED.clear()
    _PREPARED[id(catalog)] = prep
    return prep


def _outer_concepts(hits) -> set:
    """The concepts of the hits not nested inside a longer hit ("trẻ em bị bỏ rơi", not the
    "trẻ em" inside it): what a target group is about."""
    return {m.concept for m in hits
            if not any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start) for o in hits)}


def _group_pairs(a) -> list[tuple[str, ...]]:
    """The syllable pairs of a target group, each with the features that can stand for it in
    a passage (the accented pair, or its folded form in text without diacritics)."""
    from .vn import fold

    return [(t, "g:" + fold(t[2:]), "k:" + fold(t[2:])) for t in a.query if t.startswith("b:")]


# --------------------------------------------------------------------------------------------
# The plan side (once per plan, shared by the catalogs it is scored against)


@dataclass
class _PlanView:
    passages: list
    hits: list  # per passage: concept hits (on the text with the bodies' names blanked)
    present: list  # per passage: set of concept ids
    corpus: object  # textmatch.Corpus of the passages
    parent: object  # numpy P: index of the passage holding the title of an activity's task, or -1
    reporting: object  # numpy P: bool


_VIEW: list = []  # [(plan, matcher, view)]: the last plan seen


def _view(plan: dict, matcher) -> _PlanView:
    for p, m, v in _VIEW:
        if p is plan and m is matcher:
            return v
    import numpy as np

    from .textmatch import Corpus, analyse, concept_hits

    passages = plan_passages(plan)
    masked = [_mask_bodies(p) for p in passages]
    hits = [concept_hits(t, matcher) for t in masked]
    title_of = {p.task: j for j, p in enumerate(passages) if p.kind == "task" and p.activity is None}
    parent = np.asarray([title_of.get(p.task, -1) if p.kind == "activity" else -1 for p in passages], dtype=np.int64)
    view = _PlanView(passages, hits, [{m.concept for m in h} for h in hits], Corpus([analyse(t) for t in masked]), parent,
                     np.asarray([p.kind == "reporting" for p in passages], dtype=bool))
    _VIEW[:] = [(p, m, v) for p, m, v in _VIEW if m is not matcher][-2:] + [(plan, matcher, view)]
    return view


# --------------------------------------------------------------------------------------------
# Scoring


def _resolve_catalog(catalog) -> dict:
    if isinstance(catalog, dict):
        return catalog
    from .catalogs import load_catalog

    return load_catalog(catalog)


def score_plan(plan: dict, catalog) -> dict:
    """Score ``plan`` (a ``khplan.plan/v1`` dict) against ``catalog`` (a catalog dict, a
    built-in id such as ``"tb432"`` or a path) and return the ``khplan.coverage/v1`` dict.
    Scoring one plan against several catalogs in a row reuses the plan's analysis (keyed by
    the dict's identity: do not edit a plan between such calls)."""
    import numpy as np

    from .textmatch import Match

    catalog = _resolve_catalog(catalog)
    prep = _prepare(catalog)
    view = _view(plan, prep.matcher)
    n = len(view.passages)
    match = Match(view.corpus, prep.queries)
    lexical = match.coverage()  # requirements x passages
    col = {c: k for k, c in enumerate(prep.concept_ids)}
    inc = np.zeros((n, len(col)))
    for j, found in enumerate(view.present):
        for c in found:
            k = col.get(c)
            if k is not None:
                inc[j, k] = 1.0
    share = np.minimum(1.0, (inc @ prep.elements.T).T / prep.denominators[:, None])  # R x P
    has_req = (inc @ prep.required.T).T > 0
    conc = np.where(prep.has_required[:, None], REQUIRED_SHARE * has_req + (1.0 - REQUIRED_SHARE) * share, share)
    pop = _population(prep, view, inc)
    scores = (CONCEPT_SHARE * conc + (1.0 - CONCEPT_SHARE) * np.minimum(1.0, lexical / LEX_FULL)) * (POP_FLOOR + (1.0 - POP_FLOOR) * pop)
    if n:
        scores[np.ix_(~prep.monitoring, view.reporting)] = 0.0
    th = catalog["thresholds"]
    results = [_score_requirement(prep, i, view, inc, lexical, pop, scores[i], match, th) for i in range(len(prep.requirements))]
    return _output(plan, catalog, prep.requirements, view.passages, results)


def _population(prep: _Prepared, view: _PlanView, inc):
    """Per requirement, per passage: how far the passage (with the title of its task) is about
    the requirement's target groups, 0..1. It is 1 when the passage names a group's concept
    ("người khuyết tật"), else the share of the group's syllable pairs it contains ("trẻ em
    khuyết tật" has "khuyết tật", half of "người khuyết tật"). Plain shares, not BM25: a plan
    about one group names it everywhere, which must not make the group weigh less.
    Requirements without target groups: 1 everywhere."""
    import numpy as np

    n = len(view.passages)
    out = np.ones((len(prep.requirements), n))
    if not n:
        return out
    has_parent = view.parent >= 0
    parent = np.where(has_parent, view.parent, 0)

    def in_context(m):  # a passage inherits what the title of its task says
        return m | (has_parent[:, None] & m[parent]) if m.ndim == 2 else m | (has_parent & m[parent])

    concepts = in_context(inc > 0)
    pairs = np.zeros((n, prep.alt_pair.shape[1]), dtype=bool)
    if len(prep.pair_alts):
        cols = view.corpus.columns(prep.pair_alts)
        ok = np.nonzero(cols >= 0)[0]
        if ok.size:
            have = view.corpus.csc[:, cols[ok]]
            have.data[:] = 1.0
            pairs = in_context((have @ prep.alt_pair[ok]).toarray() > 0)
    for i, groups in enumerate(prep.group_pairs):
        if not groups:
            continue
        best = np.zeros(n)
        for ccols, pcols in groups:
            if ccols:
                best = np.maximum(best, concepts[:, ccols].any(axis=1).astype(float))
            if pcols:
                best = np.maximum(best, pairs[:, pcols].mean(axis=1))
        out[i] = best
    return out


def _passage_score(req_index: int, prep: _Prepared, found_cols, lex: float, pop: float) -> float:
    """The score of a passage holding the concepts ``found_cols`` (see the module docs)."""
    e = prep.elements[req_index]
    share = min(1.0, float(e[found_cols].sum()) / prep.denominators[req_index]) if len(found_cols) else 0.0
    if prep.has_required[req_index]:
        has = bool(len(found_cols)) and prep.required[req_index][found_cols].sum() > 0
        conc = REQUIRED_SHARE * float(has) + (1.0 - REQUIRED_SHARE) * share
    else:
        conc = share
    return (CONCEPT_SHARE * conc + (1.0 - CONCEPT_SHARE) * min(1.0, lex / LEX_FULL)) * (POP_FLOOR + (1.0 - POP_FLOOR) * pop)


def _score_requirement(prep, i, view, inc, lexical, pop, row, match, th) -> dict:
    import numpy as np

    req = prep.requirements[i]
    n = len(row)
    order = np.argsort(-row, kind="stable")
    best = float(row[order[0]]) if n else 0.0
    support = [int(j) for j in order[:MAX_SUPPORT] if row[j] > 0 and row[j] >= SUPPORT_SHARE * best]
    score = best
    if support:
        # Concepts spread over the supporting passages count together.
        top = support[:MAX_EVIDENCE]
        union = np.nonzero(inc[top].sum(axis=0) > 0)[0]
        joint = _passage_score(i, prep, union, float(lexical[i, order[0]]), float(max(pop[i, j] for j in top)))
        score = max(best, float(joint))
    score = round(float(min(1.0, score)), 3)
    status = "covered" if score >= th["covered"] else "partial" if score >= th["partial"] else "missing"
    evidence = []
    if status != "missing":
        wanted = {c for c, _, _ in req.concepts}
        evidence = [_evidence(req, view.passages[j], view.hits[j], wanted, match, i, j, float(row[j])) for j in support[:MAX_EVIDENCE]]
    return {"score": score, "status": status, "evidence": evidence, "support": support if status != "missing" else []}


def _evidence(req, p: Passage, hits, wanted, match, i, j, score) -> dict:
    from .textmatch import highlight, outermost

    concepts = [p.text[m.start : m.end] for m in hits if m.concept in wanted]
    # Shared wording as the plan writes it: runs of matched syllable pairs, longest first;
    # single syllables only when nothing longer matched.
    runs = [p.text[a:b] for a, b in highlight(p.text, match.matched_features(i, j)[:32]) if " " in p.text[a:b].strip()]
    if not runs:
        runs = match.matched(i, j, limit=3)
    runs = sorted(dict.fromkeys(runs), key=lambda r: -len(r.split()))
    matched = outermost(concepts + runs)
    inferred = {c for c, w, _ in req.concepts if w < 1.0}
    found = sorted({m.concept for m in hits if m.concept in wanted})
    ev = {
        "task": p.task,
        "activity": p.activity,
        "text": p.text,
        "matched": matched[:MAX_MATCHED],
        "score": round(float(min(1.0, score)), 3),
        "span": p.span,
        "kind": p.kind,
        "concepts": found,
    }
    if inferred & set(found):
        ev["inferred_concepts"] = sorted(inferred & set(found))
    return ev


# --------------------------------------------------------------------------------------------
# Bodies


def _bodies_check(req: _Requirement, passages: list[Passage], support: list[int]) -> list[dict]:
    """For each body the directive names (canonical, post-2025 names): is it the lead or a
    coordinating body of a passage that supports the requirement, by its canonical name or as
    the successor of the body the plan names?"""
    out = []
    for name in req.bodies:
        entry: dict = {"name": name, "role": None}
        for role in ("lead", "coordinating"):
            where: list[str] = []
            first = None
            for j in support:
                p = passages[j]
                for b in getattr(p, role):
                    if not isinstance(b, dict):
                        continue
                    how = "canonical" if b.get("canonical") == name else "successor" if b.get("successor") == name else None
                    if how:
                        if first is None:
                            first = (b.get("name"), how)
                        if p.task and p.task not in where:
                            where.append(p.task)
                        break
            if first is not None:
                entry = {"name": name, "role": role, "as": first[0], "match": first[1], "where": where}
                break
        out.append(entry)
    return out


# --------------------------------------------------------------------------------------------
# Output


def _output(plan: dict, catalog: dict, reqs: list, passages: list, results: list) -> dict:
    doc = plan.get("document") or {}
    src = plan.get("source") or {}
    counts = {s: 0 for s in STATUSES}
    total_w = got_w = 0.0
    items = []
    for req, res in zip(reqs, results):
        r = req.data
        w = float(r.get("weight", 1.0))
        counts[res["status"]] += 1
        total_w += w
        got_w += w * CREDIT[res["status"]]
        item = {
            "id": r["id"],
            "title": r["title"],
            "status": res["status"],
            "score": res["score"],
            "evidence": res["evidence"],
            "verification": r["verification"],
            "wording": "paraphrase",
            "source_point": r["source_point"],
        }
        for key in ("source_document", "verification_note"):
            if r.get(key):
                item[key] = r[key]
        item["sources"] = list(r.get("sources") or [])
        inferred = [c for c, w_, _ in req.concepts if w_ < 1.0]
        if inferred:
            item["inferred_concepts"] = inferred
        item["weight"] = w
        item["bodies"] = _bodies_check(req, passages, res["support"])
        items.append(item)
    d = catalog.get("document") or {}
    number = _norm_number(d.get("number"))
    implemented = any(_norm_number(ref.get("number")) == number for ref in plan.get("implements") or [] if isinstance(ref, dict))
    return {
        "schema": SCHEMA,
        "plan": {
            "path": src.get("path"),
            "province": doc.get("province"),
            "number": doc.get("number"),
            "title": doc.get("title"),
            "year": doc.get("year"),
        },
        "catalog": {
            "id": catalog["id"],
            "title": catalog["title"],
            "version": catalog["version"],
            "document": f"{d.get('kind', '')} {d.get('number', '')}".strip(),
            "status": catalog["status"],
            "thresholds": {"covered": catalog["thresholds"]["covered"], "partial": catalog["thresholds"]["partial"]},
            "implemented_by_plan": implemented,
        },
        "summary": {
            "requirements": len(items),
            "covered": counts["covered"],
            "partial": counts["partial"],
            "missing": counts["missing"],
            "score": round(got_w / total_w, 3) if total_w else 0.0,
        },
        "requirements": items,
    }


# --------------------------------------------------------------------------------------------
# Which catalogs, which plan


def _norm_number(n) -> str:
    import re

    return re.sub(r"\s+", "", str(n or "")).upper()


def default_catalogs(plan: dict) -> list[tuple[str, dict]]:
    """The built-in catalogs the plan implements: those whose document number (or one of its
    ``related_documents``, such as the Government plan carrying out a directive) is among the
    plan's ``implements`` refs, directly or through an intermediate plan (``via``).
    Returns ``[(catalog_id, implements_ref), …]`` in the order of the refs."""
    from .catalogs import builtin_ids, load_catalog

    by_number: dict[str, str] = {}
    for cid in builtin_ids():
        cat = load_catalog(cid)
        docs = [cat.get("document") or {}] + list(cat.get("related_documents") or [])
        for d in docs:
            by_number.setdefault(_norm_number(d.get("number")), cid)
    out: list[tuple[str, dict]] = []
    for ref in plan.get("implements") or []:
        cid = by_number.get(_norm_number(ref.get("number")))
        if cid and cid not in [c for c, _ in out]:
            out.append((cid, ref))
    return out


PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def load_plan(path: str) -> dict:
    """A plan as a ``khplan.plan/v1`` dict: a YAML/JSON file written by ``khplan parse``
    (its schema and the parts coverage reads are checked), or any plan file (parsed)."""
    p = Path(path)
    if p.suffix.lower() in PLAN_SUFFIXES:
        if p.suffix.lower() == ".json":
            try:
                data = json.loads(p.read_text(encoding="utf-8-sig"))
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
            except (UnicodeDecodeError, ValueError) as exc:
                raise InputError(f"{path}: malformed JSON: {str(exc).splitlines()[0]}") from None
        else:
            from .output import load_yaml

            data = load_yaml(p)
        check_plan(data, str(path))
        return data
    from .parse import parse_file

    return parse_file(str(path))


def check_plan(data, where: str = "plan") -> None:
    """Raise a one-line :class:`InputError` unless ``data`` is a ``khplan.plan/v1`` document
    whose parts coverage reads have the contract's shape (a fast check; ``khplan validate``
    runs the full JSON Schema)."""

    def fail(what: str):
        raise InputError(f"{where}: not a khplan plan: {what}")

    if not isinstance(data, dict):
        fail("the file does not hold a mapping")
    got = data.get("schema")
    if got != PLAN_SCHEMA:
        fail(f"schema is {got!r}, expected {PLAN_SCHEMA!r} (give a plan file or the output of `khplan parse`)")
    for key, typ in (("source", dict), ("document", dict), ("implements", list), ("objectives", list),
                     ("tasks", list), ("assignments", list), ("reporting", list)):
        if not isinstance(data.get(key), typ):
            fail(f"{key} is missing or not a {'mapping' if typ is dict else 'list'}")

    def text_item(obj, loc: str, *, need_span: bool = True):
        if not isinstance(obj, dict):
            fail(f"{loc} is not a mapping")
        if not isinstance(obj.get("text"), str):
            fail(f"{loc}.text is missing or not a string")
        if need_span:
            span(obj.get("span"), f"{loc}.span")

    def span(s, loc: str):
        if s is None:
            return
        if not isinstance(s, dict) or not all(isinstance(s.get(k), int) for k in ("line", "start", "end")):
            fail(f"{loc} is not a span {{line, start, end}}")

    def bodies(lst, loc: str):
        if lst is None:
            return
        if not isinstance(lst, list) or not all(isinstance(b, dict) and isinstance(b.get("name"), str) for b in lst):
            fail(f"{loc} is not a list of bodies")

    for i, o in enumerate(data["objectives"]):
        text_item(o, f"objectives[{i}]")

    def task(t, loc: str):
        text_item(t, loc)
        if not isinstance(t.get("id"), str):
            fail(f"{loc}.id is missing or not a string")
        if not isinstance(t.get("title"), str):
            fail(f"{loc}.title is missing or not a string")
        bodies(t.get("lead"), f"{loc}.lead")
        bodies(t.get("coordinating"), f"{loc}.coordinating")
        for key in ("activities", "subtasks"):
            if not isinstance(t.get(key, []), list):
                fail(f"{loc}.{key} is not a list")
        for j, a in enumerate(t.get("activities") or []):
            text_item(a, f"{loc}.activities[{j}]")
            bodies(a.get("lead"), f"{loc}.activities[{j}].lead")
            bodies(a.get("coordinating"), f"{loc}.activities[{j}].coordinating")
        for j, s in enumerate(t.get("subtasks") or []):
            task(s, f"{loc}.subtasks[{j}]")

    for i, t in enumerate(data["tasks"]):
        task(t, f"tasks[{i}]")
    for i, a in enumerate(data["assignments"]):
        if not isinstance(a, dict) or not isinstance(a.get("duties"), list):
            fail(f"assignments[{i}].duties is missing or not a list")
        bodies(a.get("bodies"), f"assignments[{i}].bodies")
        for j, d in enumerate(a["duties"]):
            text_item(d, f"assignments[{i}].duties[{j}]")
    for i, r in enumerate(data["reporting"]):
        text_item(r, f"reporting[{i}]")
    for i, r in enumerate(data["implements"]):
        if not isinstance(r, dict):
            fail(f"implements[{i}] is not a mapping")
