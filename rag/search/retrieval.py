"""Hybrid retrieval: BM25 over Swedish stems and dense vectors, fused by
reciprocal rank, with the question's kommun, report and period as filters.

Everything here is a pure function over arrays and passages; the embedder and
the FAISS index are passed in as callables.
"""
from __future__ import annotations

import re
from typing import Callable

import numpy as np

from ..answer.question import QuestionAnalysis
from .lexical import BM25Index, bm25_scores, expand_query
from ..models import Hit, Passage, Report


def rrf(rankings: dict[str, list[int]], k: int = 60) -> list[tuple[int, float, tuple[tuple[str, int], ...]]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankers that list an id."""
    scores: dict[int, float] = {}
    sources: dict[int, list[tuple[str, int]]] = {}
    for name, ids in rankings.items():
        for rank, pid in enumerate(ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
            sources.setdefault(pid, []).append((name, rank))
    order = sorted(scores, key=lambda p: (-scores[p], p))
    return [(p, scores[p], tuple(sources[p])) for p in order]


class _Columns:
    """Per-passage filter columns of one passage list, computed once: the kommun of each
    passage (lower case) and, per doc_id, the passages that cite it."""

    def __init__(self, passages: list[Passage]):
        self.passages = passages  # held, so the id() this is cached under cannot be reused
        self.n = len(passages)
        self.kommun = np.array([p.kommun.lower() for p in passages], dtype=object)
        self.kind = np.array([p.kind for p in passages], dtype=object)
        by_doc: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            for d in {loc.doc_id for loc in p.locations}:
                by_doc.setdefault(d, []).append(i)
        self.by_doc = {d: np.asarray(ids, dtype=np.int64) for d, ids in by_doc.items()}
        self._kommun_ids: dict[str, np.ndarray] = {}

    def kommun_ids(self, kommun: str) -> np.ndarray:
        got = self._kommun_ids.get(kommun)
        if got is None:
            got = self._kommun_ids[kommun] = np.flatnonzero(self.kommun == kommun)
        return got


_COLUMNS: dict[int, _Columns] = {}


def _columns(passages: list[Passage]) -> _Columns:
    cols = _COLUMNS.get(id(passages))
    if cols is None or cols.passages is not passages or cols.n != len(passages):
        if len(_COLUMNS) >= 2:  # an engine and its replacement after a rebuild; older lists may go
            _COLUMNS.pop(next(iter(_COLUMNS)))
        cols = _COLUMNS[id(passages)] = _Columns(passages)
    return cols


def allowed_mask(passages: list[Passage], reports: dict[str, Report], a: QuestionAnalysis,
                 kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = ()) -> np.ndarray:
    """Which passages the question (or the user's sidebar choice) leaves in play.

    Set operations on columns computed once per passage list, not a loop over every
    passage per question (75 ms a question at 40 synthetic kommuner)."""
    want_k = {k.lower() for k in (kommuner or a.kommuner)}
    if not want_k and not doc_ids:
        return np.ones(len(passages), dtype=bool)
    cols = _columns(passages)
    mask = np.zeros(len(passages), dtype=bool)
    if want_k:
        for k in want_k:
            mask[cols.kommun_ids(k)] = True
    else:
        mask[:] = True
    if doc_ids:
        docs = np.zeros(len(passages), dtype=bool)
        for d in set(doc_ids):
            ids = cols.by_doc.get(d)
            if ids is not None:
                docs[ids] = True
        mask &= docs
    return mask


def period_boost(p: Passage, reports: dict[str, Report], a: QuestionAnalysis) -> float:
    """Favour the report a question names by type or period, and recent reports."""
    boost = 1.0
    docs = [reports[loc.doc_id] for loc in p.locations if loc.doc_id in reports]
    if not docs:
        return boost
    if a.report_hint:
        boost *= 1.5 if any(r.report_type == a.report_hint for r in docs) else 0.6
    if a.years:
        years = {int(r.period_end[:4]) for r in docs}
        if years & set(a.years):
            boost *= 1.15
        elif any(str(y) in p.text for y in a.years):
            boost *= 1.05
        else:
            boost *= 0.85
    if a.months and a.report_hint:
        if any(int(r.period_end[5:]) in a.months for r in docs):
            boost *= 1.2
    return boost


def latest_per_kommun(reports: dict[str, Report]) -> set[str]:
    best: dict[str, Report] = {}
    for r in reports.values():
        if r.kommun not in best or r.period_end > best[r.kommun].period_end:
            best[r.kommun] = r
    return {r.doc_id for r in best.values()}


def hybrid_search(question: str, a: QuestionAnalysis, passages: list[Passage], reports: dict[str, Report],
                  bm25: BM25Index, dense: Callable[[str, int], tuple[np.ndarray, np.ndarray]] | None,
                  k: int = 10, candidates: int = 50, rrf_k: int = 60,
                  kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
                  mode: str = "hybrid", kinds: tuple[str, ...] = ("text", "table")) -> list[Hit]:
    """Top-k passages for a question; `mode` is hybrid, bm25 or dense (for evaluation)."""
    if mode not in ("hybrid", "bm25", "dense"):
        raise ValueError(f"mode {mode!r} is not one of 'hybrid', 'bm25', 'dense'")
    mask = allowed_mask(passages, reports, a, kommuner, doc_ids)
    if kinds != ("text", "table"):
        mask &= np.isin(_columns(passages).kind, list(kinds))
    rankings: dict[str, list[int]] = {}
    if mode in ("hybrid", "bm25"):
        scores = bm25_scores(bm25, expand_query(question, bm25.vocab))
        scores = np.where(mask, scores, -1.0)
        order = np.argsort(-scores, kind="stable")[:candidates]
        rankings["bm25"] = [int(i) for i in order if scores[i] > 0]
    if mode in ("hybrid", "dense") and dense is not None:
        want = min(len(passages), candidates * 8 if mask.all() else len(passages))
        ids, _ = dense(question, want)
        ids = np.asarray(ids, dtype=np.int64)
        rankings["dense"] = ids[mask[ids]][:candidates].tolist()
    fused = rrf(rankings, k=rrf_k)
    latest = latest_per_kommun(reports)
    rescored = []
    for pid, score, src in fused:
        p = passages[pid]
        b = period_boost(p, reports, a)
        if not a.years and not a.report_hint and any(loc.doc_id in latest for loc in p.locations):
            b *= 1.05
        rescored.append((pid, score * b, src))
    rescored.sort(key=lambda t: (-t[1], t[0]))
    return [Hit(passages[pid], float(s), rank, src) for rank, (pid, s, src) in enumerate(rescored[:k], start=1)]


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”])|\n+(?=\s*[-•●*]\s)|\n{2,}(?=\s*[A-ZÅÄÖ0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences (and list items) of a passage."""
    spans, start = [], 0
    for m in _SENTENCE_RE.finditer(text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$", re.M)
_SEPARATOR_LINE = re.compile(r"^[\s|:-]+$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where a text's sentences stand. A table of words kept as text (goals and how far each is met)
    has no full stops: each of its lines is a piece of its own, the separator line none, so that one
    row is quoted, not the table."""
    out: list[tuple[int, int]] = []
    for s0, s1 in sentences(text):
        lines = [m for m in _TABLE_LINE.finditer(text, s0, s1)]
        if not lines:
            out.append((s0, s1))
            continue
        if text[s0:lines[0].start()].strip():
            out.append((s0, lines[0].start()))
        out += [(m.start(), m.end()) for m in lines if not _SEPARATOR_LINE.match(m.group())]
        if text[lines[-1].end():s1].strip():
            out.append((lines[-1].end(), s1))
    return out


def sentence_pieces(text: str) -> list[str]:
    """The sentences of a text (a table of words a row at a time), stripped (the text itself when it
    holds no sentence break)."""
    return [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()] or [text.strip()]
