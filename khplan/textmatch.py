"""Vietnamese-aware, explainable text similarity: what coverage and compare match text with.

A text is reduced to *features* of four families, on its tone-normalised, lower-cased
syllables (``hoà`` = ``hòa``, see :func:`khplan.vn.tone_normalise`):

* ``u`` — a syllable (``trẻ``), ``b`` — two adjacent syllables (``trẻ em``; only when nothing
  but white space stands between them, so a comma or a dash breaks the pair);
* ``f`` / ``g`` — the same without diacritics (``tre``, ``tre em``). They let text typed without
  diacritics match, and count for little (:data:`FAMILY_WEIGHTS`), because folding merges
  different words ("bỏ", "bộ" and "bố" all become "bo").

Stop words are data (``khplan/data/stopwords.yaml``): function words ("và", "các", "của") and the
genre's formulae ("tăng cường", "triển khai", "thực hiện", "công tác", "nâng cao", "hiệu quả" …).
A syllable that is a stop word, or part of a stop phrase, yields no feature, and no pair is
formed with it. Digits yield no feature either (dates and numbers are not meaning).

Concepts of the thesaurus (:mod:`khplan.concepts`) are found separately, on the original text,
by :func:`concept_hits`: stop words never hide a concept ("nâng cao nhận thức").

Weights are BM25, computed over the passages being searched plus the texts that search them
(a catalog's requirements, or the tasks of another plan): a syllable that occurs in every
passage of a plan ("trẻ em" in a child-protection plan) weighs little. Scores:

* :meth:`Match.coverage` — how much of each query's weighted vocabulary a passage contains,
  with BM25's saturation and length normalisation (0..1, asymmetric: query → passage);
* :meth:`Match.cosine` — cosine of the BM25 vectors (0..1), for text ↔ text (task alignment).

Every score can be explained: :meth:`Match.matched` lists the shared features, heaviest first,
in readable form ("trẻ em", "tiếp nhận"), and :func:`highlight` finds them in the text as
written (runs of matched syllables, for evidence lines and highlighting in reports).

Analyses are cached per text and features are interned, so a plan is matched with numpy
arrays; plans of one province or of many communes repeat whole sentences, which then cost
nothing the second time.

Public API::

    analyse(text) -> Analysis                    # features of one text (cached)
    concept_hits(text, matcher=None) -> tuple    # thesaurus hits (khplan.concepts.Match), cached
    Corpus(analyses); Queries(analyses)          # the searched and the searching side, built once
    Match(corpus, queries)                       # .coverage(), .cosine(), .matched(q, d), .matched_features(q, d)
    Index(docs, extra=())                        # the same for one-off use: .coverage(qs), .cosine(qs), .matched(q, d)
    highlight(text, features) -> [(start, end)]  # where matched features are in the text
    similarity(a, b) -> (score, matched)         # two texts: concepts and cosine
    outermost(phrases); stopwords()              # helpers
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import regex as re

from .vn import fold, tone_normalise

STOPWORDS_PATH = Path(__file__).parent / "data" / "stopwords.yaml"

#: How much each feature family counts in a query (the weaker folded families only help
#: text written without diacritics).
FAMILY_WEIGHTS = {"u": 1.0, "b": 1.0, "f": 0.2, "g": 0.2, "h": 0.2, "k": 0.2}

#: BM25 parameters: term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.5

_SYLLABLE = re.compile(r"[^\W\d_]+")
_SPACE_ONLY = re.compile(r"\s+")
CACHE_SIZE = 50_000


class Analysis(NamedTuple):
    """The features of one text. ``terms`` (the text as a passage that is searched) maps
    ``"u:trẻ"``, ``"b:trẻ em"`` and the folded features to their counts; ``query`` holds the
    features the text searches with; ``length`` is the number of content syllables.

    Folded features only ever match where one side has no diacritics: a passage keeps the
    folded form of its accented syllables hidden (``h``/``k``), and only a query syllable
    written without diacritics looks for them; an accented query syllable looks for folded
    features (``f``/``g``) that only syllables written without diacritics produce."""

    terms: dict
    query: dict
    length: int
    ids: object  # numpy: interned ids of ``terms`` (same order)
    tfs: object  # numpy: their counts
    keys: object  # numpy: the distinct idf keys of ``terms`` (interned), for document frequencies


# Features and idf keys are interned once per process: plans are then matched with numpy
# arrays of ids, without a Python loop over their words.
_FEATURE_IDS: dict[str, int] = {}
_FEATURES: list[str] = []
_KEY_IDS: dict[str, int] = {}
_KEY_OF: list[int] = []  # feature id -> idf key id


def intern(feature: str) -> int:
    """The process-wide id of a feature ("b:trẻ em")."""
    j = _FEATURE_IDS.get(feature)
    if j is None:
        j = _FEATURE_IDS[feature] = len(_FEATURES)
        _FEATURES.append(feature)
        k = _IDF_FAMILY[feature[0]] + feature[1:]
        kid = _KEY_IDS.get(k)
        if kid is None:
            kid = _KEY_IDS[k] = len(_KEY_IDS)
        _KEY_OF.append(kid)
    return j


def _analysis(terms: dict, query: dict, length: int) -> Analysis:
    import numpy as np

    ids = np.fromiter((intern(t) for t in terms), dtype=np.int64, count=len(terms))
    tfs = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
    keys = np.unique(np.asarray([_KEY_OF[i] for i in ids], dtype=np.int64)) if len(ids) else np.zeros(0, dtype=np.int64)
    return Analysis(terms, query, length, ids, tfs, keys)


# --------------------------------------------------------------------------------------------
# Stop words


class _Stopwords:
    def __init__(self, syllables: Sequence[str], phrases: Sequence[str]):
        self.syllables = {_norm(s) for s in syllables}
        self.syllables_folded = {fold(s) for s in syllables}
        # first syllable (toned, or folded) -> phrases as tuples of toned syllables, longest first
        self.by_key: dict[str, list[tuple[str, ...]]] = {}
        self.by_fold: dict[str, list[tuple[str, ...]]] = {}
        for p in phrases:
            toks = tuple(_SYLLABLE.findall(_norm(p)))
            if not toks:
                continue
            self.by_key.setdefault(toks[0], []).append(toks)
            self.by_fold.setdefault(fold(toks[0]), []).append(toks)
        for table in (self.by_key, self.by_fold):
            for lst in table.values():
                lst.sort(key=len, reverse=True)

    def mask(self, toks: list[str], folded: list[str], plain: list[bool]) -> list[bool]:
        """True for each syllable that is a stop word or inside a stop phrase. A syllable
        written without diacritics (``plain``) is compared by its folded form."""
        n = len(toks)
        stop = [False] * n
        for i in range(n):
            if plain[i]:
                if folded[i] in self.syllables_folded:
                    stop[i] = True
                cands = self.by_fold.get(folded[i])
            else:
                if toks[i] in self.syllables:
                    stop[i] = True
                cands = self.by_key.get(toks[i])
            if not cands:
                continue
            for phrase in cands:
                m = len(phrase)
                if i + m > n:
                    continue
                if all((fold(phrase[j]) == folded[i + j]) if plain[i + j] else (phrase[j] == toks[i + j]) for j in range(1, m)):
                    for t in range(i, i + m):
                        stop[t] = True
                    break
        return stop


@lru_cache(maxsize=1)
def stopwords() -> _Stopwords:
    """The built-in stop words (``khplan/data/stopwords.yaml``)."""
    from .output import load_yaml

    data = load_yaml(STOPWORDS_PATH)
    return _Stopwords(data.get("syllables") or [], data.get("phrases") or [])


def _norm(text: str) -> str:
    return tone_normalise(unicodedata.normalize("NFC", text)).lower()


# --------------------------------------------------------------------------------------------
# Analysis


@lru_cache(maxsize=CACHE_SIZE)
def analyse(text: str) -> Analysis:
    """The features of ``text`` (see the module docs). Cached: treat the result as read-only."""
    norm = _norm(text or "")
    toks: list[str] = []
    joined: list[bool] = []  # joined[i]: only white space between token i-1 and token i
    last_end = -1
    for m in _SYLLABLE.finditer(norm):
        a = m.start()
        toks.append(m.group())
        joined.append(last_end >= 0 and a > last_end and norm[last_end:a].isspace())
        last_end = m.end()
    folded = [fold(t) for t in toks]
    plain = [t == f for t, f in zip(toks, folded)]
    stop = stopwords().mask(toks, folded, plain)
    terms: dict[str, int] = {}
    query: dict[str, int] = {}
    tget, qget = terms.get, query.get
    length = 0
    for i, t in enumerate(toks):
        if stop[i]:
            continue
        length += 1
        f = folded[i]
        k = "u:" + t
        terms[k] = tget(k, 0) + 1
        query[k] = qget(k, 0) + 1
        if plain[i]:
            k1, k2 = "f:" + f, "h:" + f
        else:
            k1, k2 = "h:" + f, "f:" + f
        terms[k1] = tget(k1, 0) + 1
        query[k2] = qget(k2, 0) + 1
        if i and joined[i] and not stop[i - 1]:
            k = "b:" + toks[i - 1] + " " + t
            terms[k] = tget(k, 0) + 1
            query[k] = qget(k, 0) + 1
            fpair = folded[i - 1] + " " + f
            if plain[i] and plain[i - 1]:
                k1, k2 = "g:" + fpair, "k:" + fpair
            else:
                k1, k2 = "k:" + fpair, "g:" + fpair
            terms[k1] = tget(k1, 0) + 1
            query[k2] = qget(k2, 0) + 1
    return _analysis(terms, query, length)


def concept_hits(text: str, matcher=None) -> tuple:
    """Thesaurus hits in ``text`` (:class:`khplan.concepts.Match` tuples), with the built-in
    thesaurus unless a :class:`khplan.concepts.ConceptMatcher` is given. Cached for the
    built-in one."""
    if matcher is None:
        return _builtin_hits(text or "")
    return tuple(matcher.find(text or ""))


@lru_cache(maxsize=CACHE_SIZE)
def _builtin_hits(text: str) -> tuple:
    from .concepts import matcher

    return tuple(matcher().find(text))


def outermost(phrases: Sequence[str]) -> list[str]:
    """The phrases not contained in another one of the list (case-insensitive), in order,
    without duplicates: ["trẻ em bị bỏ rơi", "trẻ em"] -> ["trẻ em bị bỏ rơi"]."""
    low = [p.lower() for p in phrases]
    out: list[str] = []
    for i, p in enumerate(phrases):
        if any(low[i] in low[j] and (low[i] != low[j] or j < i) for j in range(len(phrases)) if j != i):
            continue
        out.append(p)
    return out


@lru_cache(maxsize=CACHE_SIZE)
def _syllables(text: str):
    """The syllables of ``text`` with their offsets: ``(start, end, syllable, folded)``, and
    for each syllable after the first the keys of the pair it ends (None when something other
    than white space stands before it). None when normalising changes the text's length."""
    norm = _norm(text or "")
    if len(norm) != len(text or ""):
        return None
    toks = [(m.start(), m.end(), m.group(), fold(m.group())) for m in _SYLLABLE.finditer(norm)]
    pairs = [None]
    for i in range(1, len(toks)):
        gap = norm[toks[i - 1][1] : toks[i][0]]
        pairs.append((f"{toks[i - 1][2]} {toks[i][2]}", f"{toks[i - 1][3]} {toks[i][3]}") if gap and gap.isspace() else None)
    return toks, pairs


def highlight(text: str, features: Sequence[str]) -> list[tuple[int, int]]:
    """Where ``features`` (as returned by :meth:`Match.matched_features`) occur in ``text``:
    ``(start, end)`` offsets of the maximal runs of syllables joined by matched pairs, then of
    the matched single syllables outside those runs, in text order. For explanations and for
    highlighting matched terms in reports."""
    return list(_highlight(text, frozenset(features)))


@lru_cache(maxsize=CACHE_SIZE)
def _highlight(text: str, features: frozenset) -> tuple:
    found = _syllables(text)
    if not found:
        return ()
    toks, pair_keys = found
    pairs = {t[2:] for t in features if t[0] in "bgk"}
    singles = {t[2:] for t in features if t[0] not in "bgk"}
    out: list[tuple[int, int]] = []
    used = [False] * len(toks)
    run = -1  # start of the current run
    for i in range(1, len(toks) + 1):
        k = pair_keys[i] if i < len(toks) else None
        joined = k is not None and (k[0] in pairs or k[1] in pairs)
        if joined:
            if run < 0:
                run = i - 1
        elif run >= 0:
            out.append((toks[run][0], toks[i - 1][1]))
            for x in range(run, i):
                used[x] = True
            run = -1
    if singles:
        for x, (a, b, t, f) in enumerate(toks):
            if not used[x] and (t in singles or f in singles):
                out.append((a, b))
    return tuple(sorted(out))


def readable(feature: str) -> str:
    """``"b:trẻ em"`` -> ``"trẻ em"``."""
    return feature.split(":", 1)[1]


# --------------------------------------------------------------------------------------------
# BM25


#: Folded families share their document frequencies: "tre" written plainly and the hidden
#: folded form of "trẻ" are the same word for idf.
_IDF_FAMILY = {"u": "u", "b": "b", "f": "f", "h": "f", "g": "g", "k": "g"}
#: Families that make up the meaning of a query (the denominator of coverage); the folded
#: families are only other routes to the same syllables.
_PRIMARY = ("u", "b")


def _qtf(c: float) -> float:
    """Query term-frequency saturation: 1, 1.33, 1.5 …"""
    return c * 2.0 / (c + 1.0)


def _lookup(sorted_ids, ids):
    """Positions of ``ids`` in the sorted array ``sorted_ids`` (-1 where absent)."""
    import numpy as np

    if not len(sorted_ids):
        return np.full(len(ids), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos = np.minimum(pos, len(sorted_ids) - 1)
    return np.where(sorted_ids[pos] == ids, pos, -1)


class _Frequencies:
    """Document frequencies of idf keys over a set of analyses (sorted key ids, counts)."""

    def __init__(self, analyses: Sequence[Analysis]):
        import numpy as np

        keys = np.concatenate([a.keys for a in analyses]) if analyses else np.zeros(0, dtype=np.int64)
        self.keys, self.counts = np.unique(keys, return_counts=True)
        self.n = len(analyses)

    def of(self, key_ids):
        import numpy as np

        pos = _lookup(self.keys, key_ids)
        return np.where(pos >= 0, self.counts[np.maximum(pos, 0)] if len(self.counts) else 0, 0).astype(np.float64)


class Corpus:
    """The searched side, built once: analysed passages as a sparse matrix of BM25 term
    weights without idf (saturated, length-normalised term frequencies: 1 for one occurrence in
    a passage of average length, at most ``k1 + 1``), and their document frequencies."""

    def __init__(self, docs: Sequence[Analysis], *, k1: float = K1, b: float = B):
        import numpy as np
        from scipy import sparse

        self.docs = list(docs)
        n = len(self.docs)
        if n:
            ids = np.concatenate([a.ids for a in self.docs])
            tf = np.concatenate([a.tfs for a in self.docs])
            rows = np.repeat(np.arange(n), [len(a.ids) for a in self.docs])
        else:
            ids = rows = np.zeros(0, dtype=np.int64)
            tf = np.zeros(0)
        self.ids, cols = np.unique(ids, return_inverse=True)  # corpus column -> feature id
        lengths = np.asarray([max(a.length, 1) for a in self.docs], dtype=np.float64)
        avg = float(lengths.mean()) if n else 1.0
        if tf.size:
            tf = tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * lengths[rows] / avg))
        self.sat = sparse.csr_matrix((tf, (rows, cols.ravel())), shape=(n, len(self.ids)))
        self.df = _Frequencies(self.docs)
        self._csc = None

    def __len__(self) -> int:
        return len(self.docs)

    def columns(self, feature_ids):
        """The corpus columns of interned feature ids (-1 where the corpus lacks them)."""
        return _lookup(self.ids, feature_ids)

    @property
    def csc(self):
        """The frequencies by column (for slicing features)."""
        if self._csc is None:
            self._csc = self.sat.tocsc()
        return self._csc

    def rows_with(self, feature: str):
        """Indices of the passages that contain ``feature`` (numpy array)."""
        import numpy as np

        fid = _FEATURE_IDS.get(feature)
        j = int(self.columns(np.asarray([fid]))[0]) if fid is not None else -1
        if j < 0:
            return np.zeros(0, dtype=np.int64)
        if self._csc is None:
            self._csc = self.sat.tocsc()
        return self._csc.indices[self._csc.indptr[j] : self._csc.indptr[j + 1]]


class Queries:
    """The searching side, built once (a catalog's requirements, the tasks of a plan): each
    query's features with their query weights (saturated tf x family weight; idf is applied
    per corpus), and the queries' own document frequencies."""

    def __init__(self, queries: Sequence[Analysis]):
        import numpy as np
        from scipy import sparse

        self.queries = list(queries)
        feats: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, q in enumerate(self.queries):
            for t, c in q.query.items():
                j = feats.get(t)
                if j is None:
                    j = feats[t] = len(feats)
                rows.append(i)
                cols.append(j)
                vals.append(_qtf(c) * FAMILY_WEIGHTS[t[0]])
        self.features = list(feats)
        self.ids = np.asarray([intern(t) for t in self.features], dtype=np.int64)
        self.keys = np.asarray([_KEY_OF[i] for i in self.ids], dtype=np.int64)
        self.primary = np.asarray([t[0] in _PRIMARY for t in self.features], dtype=bool)
        self.family = np.asarray([FAMILY_WEIGHTS[t[0]] for t in self.features], dtype=np.float64)
        self.df = _Frequencies(self.queries)
        self.weights = sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                                         shape=(len(self.queries), len(feats)))

    def __len__(self) -> int:
        return len(self.queries)


def _idf(df, n):
    import numpy as np

    return np.log(1.0 + (n - df + 0.5) / (df + 0.5))


class Match:
    """Queries against a corpus: BM25 weights with document frequencies over both (so
    vocabulary shared by every query weighs little too; ``extra_df`` replaces the queries
    there), the scores and their explanations."""

    def __init__(self, corpus: Corpus, queries: Queries, *, extra_df: Queries | None = None):
        import numpy as np
        from scipy import sparse

        self.corpus = corpus
        self.queries = queries
        other = extra_df or queries
        self.other = other
        self.n_all = len(corpus) + len(other)
        self.idf = _idf(corpus.df.of(queries.keys) + other.df.of(queries.keys), self.n_all)
        self.weighted = (queries.weights @ sparse.diags(self.idf)).tocsr() if len(queries.features) else queries.weights
        self.colmap = corpus.columns(queries.ids)  # query feature -> corpus column (-1: absent)
        self._present = np.nonzero(self.colmap >= 0)[0]
        self._cols = self.colmap[self._present]
        self.mass = np.asarray(self.weighted[:, np.nonzero(queries.primary)[0]].sum(axis=1)).ravel()
        self._dense_cache = None

    def _dense(self):
        """The query weights and the passages' saturated frequencies over the query features
        the corpus has, as dense arrays (a plan and a catalog are small)."""
        if self._dense_cache is None:
            q = self.weighted[:, self._present].toarray()
            d = self.corpus.sat[:, self._cols].toarray()
            self._dense_cache = (q, d)
        return self._dense_cache

    def coverage(self):
        """``len(queries) x len(corpus)``: the weighted share of each query's vocabulary found
        in each passage (0..1), i.e. the passage's BM25 score for the query divided by the
        score of a passage of average length holding every query term once (capped at 1)."""
        import numpy as np

        if not len(self.corpus) or not len(self.queries):
            return np.zeros((len(self.queries), len(self.corpus)))
        q, d = self._dense()
        mass = self.mass.copy()
        mass[mass == 0] = 1.0
        return np.minimum(1.0, (q @ d.T) / mass[:, None])

    def cosine(self):
        """``len(queries) x len(corpus)``: cosine of the BM25 vectors (0..1): the shared weight
        over the product of the two norms, taken over syllables and pairs (folded features only
        add to the shared weight)."""
        import numpy as np
        from scipy import sparse

        if not len(self.corpus) or not len(self.queries):
            return np.zeros((len(self.queries), len(self.corpus)))
        c = self.corpus
        fam = np.asarray([FAMILY_WEIGHTS[_FEATURES[i][0]] for i in c.ids], dtype=np.float64)
        prim = np.asarray([_FEATURES[i][0] in _PRIMARY for i in c.ids], dtype=bool)
        keys = np.asarray([_KEY_OF[i] for i in c.ids], dtype=np.int64)
        doc_w = _idf(c.df.of(keys) + self.other.df.of(keys), self.n_all) * fam
        d = c.sat @ sparse.diags(doc_w)
        num = (self.weighted[:, self._present] @ d[:, self._cols].T).toarray()
        qp = self.weighted[:, np.nonzero(self.queries.primary)[0]]
        qn = np.sqrt(np.asarray(qp.multiply(qp).sum(axis=1)).ravel())
        dp = d[:, np.nonzero(prim)[0]]
        dn = np.sqrt(np.asarray(dp.multiply(dp).sum(axis=1)).ravel())
        den = np.outer(qn, dn)
        den[den == 0] = 1.0
        return np.minimum(1.0, num / den)

    def matched_features(self, qi: int, doc: int) -> list[str]:
        """The features query ``qi`` shares with passage ``doc``, heaviest first."""
        import numpy as np

        if not len(self.corpus) or not len(self.queries):
            return []
        q, d = self._dense()
        contrib = q[qi] * d[doc]
        nz = np.nonzero(contrib)[0]
        if not nz.size:
            return []
        order = nz[np.lexsort((nz, -contrib[nz]))]
        return [self.queries.features[self._present[k]] for k in order]

    def matched(self, qi: int, doc: int, limit: int = 8) -> list[str]:
        """The features query ``qi`` shares with passage ``doc``, heaviest first, readable: a
        syllable already shown inside a shown pair is left out; folded forms appear only where
        one side is written without diacritics."""
        return _readable_terms(self.matched_features(qi, doc)[: limit * 4], limit)


class Index:
    """BM25 over ``docs`` for one-off use; document frequencies also count ``extra`` texts.
    :meth:`coverage` and :meth:`cosine` take analysed queries and return a dense
    ``len(queries) x len(docs)`` numpy array; :meth:`matched` explains one pair. For many
    queries against one corpus use :class:`Corpus`, :class:`Queries` and :class:`Match`."""

    def __init__(self, docs: Sequence[Analysis], extra: Sequence[Analysis] = ()):
        self.corpus = Corpus(docs)
        self.extra = Queries(extra) if extra else None
        self._last: tuple | None = None

    def _match(self, queries: Sequence[Analysis]) -> Match:
        key = tuple(id(q) for q in queries)
        if self._last is None or self._last[0] != key:
            self._last = (key, Match(self.corpus, Queries(queries), extra_df=self.extra))
        return self._last[1]

    def coverage(self, queries: Sequence[Analysis]):
        """See :meth:`Match.coverage`."""
        return self._match(queries).coverage()

    def cosine(self, queries: Sequence[Analysis]):
        """See :meth:`Match.cosine`."""
        return self._match(queries).cosine()

    def matched(self, query: Analysis, doc: int, limit: int = 8) -> list[str]:
        """See :meth:`Match.matched`."""
        return self._match([query]).matched(0, doc, limit)


def _readable_terms(features: list[str], limit: int) -> list[str]:
    """Readable forms of matched features, pairs before the syllables they contain."""
    in_pairs = {s for t in features if t[0] in "bgk" for s in readable(t).split(" ")}
    shown: list[str] = []
    for t in features:
        text = readable(t)
        if t[0] in "ufh" and text in in_pairs:
            continue
        if text not in shown:
            shown.append(text)
        if len(shown) >= limit:
            break
    return shown


# --------------------------------------------------------------------------------------------
# Convenience for two texts


def similarity(a: str, b: str, *, concept_weight: float = 0.4) -> tuple[float, list[str]]:
    """Similarity of two texts (0..1) and the terms they share: ``concept_weight`` x the
    Jaccard overlap of their thesaurus concepts + the rest x the cosine of their features
    (BM25 weights over the two texts). Meant for one-off comparisons; for many texts build an
    :class:`Index` once."""
    aa, ab = analyse(a), analyse(b)
    idx = Index([ab], extra=[aa])
    lex = float(idx.cosine([aa])[0, 0])
    ca = {m.concept: a[m.start : m.end] for m in concept_hits(a)}
    cb = {m.concept: b[m.start : m.end] for m in concept_hits(b)}
    shared = outermost([ca[c] for c in ca if c in cb])
    union = set(ca) | set(cb)
    conc = len(set(ca) & set(cb)) / len(union) if union else 0.0
    score = concept_weight * conc + (1.0 - concept_weight) * lex if union else lex
    terms = shared + [t for t in idx.matched(aa, 0) if not any(t in s.lower() for s in shared)]
    return round(min(1.0, score), 4), terms[:10]
