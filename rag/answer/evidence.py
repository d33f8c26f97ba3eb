"""Gathering evidence: plan the question, then collect table-row and sentence candidates with
their features. Nothing here is fitted; the fitted scorer (`score.py`) weighs what this finds.
"""
from __future__ import annotations

import atexit
import dataclasses
import logging
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from .question import QuestionAnalysis
from .candidates import Candidate, TopicAbsence, row_candidates, sentence_candidates, with_agreement
from .score import Scorer
from ..search.lexical import split_compound, stem
from ..lexicon import LEXICON
from ..models import Hit, Report
from .plan import Plan, make_plan, names_two_reports, report_preference
from ..search.retrieval import hybrid_search, sentence_pieces
from ..search.vectors import SENTENCE_MEMO, Vectors
from .corpus_view import CorpusView
from .dialogue import Anchor
from .periods import column_year
from .rows import FactRow
from .topic import is_measure_word
from ..years import years_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceTuning:
    """How evidence is gathered. The first three define the `topic_absent` features: refit the
    scorer (`python -m eval fit`) after changing one."""

    #: a topic word shorter than this is too general to show that a kommun's reports lack a subject
    #: (shorter: more refusals of questions the reports answer in other words)
    min_absent_noun_chars: int = 7
    #: a word is present when a report word starts with all its letters but this many last ones …
    inflection_chars: int = 3
    #: … and never with fewer than this many (fewer: more words count as present, fewer refusals)
    min_stem_chars: int = 5
    #: over many kommuner, the best-matching row labels per kommun kept in focus that pick the
    #: kommuner searched (more: a wider net, more work per question)
    focus_labels_per_kommun: int = 20
    #: sentences embedded per batch while warming: a question asked meanwhile waits for one batch
    #: at most (larger: faster warming, longer waits)
    warm_chunk: int = 16


TUNING = EvidenceTuning()


# --- refusal ------------------------------------------------------------------


def absent_topic(view: CorpusView, a: QuestionAnalysis, kommun: str) -> TopicAbsence:
    """How many specific topic nouns of the question `kommun`'s reports never use (but others
    do), and how many no report uses: a question-level signal the scorer weighs, not a rule."""
    here, nowhere = absent_words(view, a, kommun)
    return TopicAbsence(float(len(here)), float(len(nowhere)))


def absent_words(view: CorpusView, a: QuestionAnalysis, kommun: str) -> tuple[list[str], list[str]]:
    """The topic nouns behind `absent_topic`, to name them in a refusal. An English question's
    words say nothing of what Swedish reports cover, so it has none."""
    if a.english:
        return [], []
    all_words, all_pairs = view.all_words
    words_k, pairs_k = view.kommun_words.get(kommun, (set(), set()))
    here: list[str] = []
    nowhere: list[str] = []
    # the word right after "hur" asks how ("hur vanligt", "hur länge"), it names no subject
    asking = {m.group(1) for m in re.finditer(r"\b(?:hur|how)\s+([a-zåäöéü]+)", a.text.lower())}
    for w in a.topic_words:
        # Only specific nouns can show a question is off the reports' subject; verb forms cannot.
        if len(w) < TUNING.min_absent_noun_chars or re.search(r"(ar|er|or|ade|ades|ats|ande|ende|it|at|ts)$", w) or w in asking \
                or is_measure_word(w):  # "nettokostnaden" names the kind of figure, not a subject
            continue
        if _present(w, words_k, view.vocab, pairs_k):
            continue
        (here if _present(w, all_words, view.vocab, all_pairs) else nowhere).append(w)
    return here, nowhere


def _present(word: str, vocabulary: set[str], stems, pairs: set[tuple[str, str]]) -> bool:
    """Whether a word occurs in any inflection (same first letters), or as its compound
    parts written apart (`vårddygn` as `vård dygn`)."""
    prefix = word[:max(TUNING.min_stem_chars, len(word) - TUNING.inflection_chars)]
    if any(v.startswith(prefix) for v in vocabulary):
        return True
    parts = split_compound(word, stems)
    return len(parts) == 2 and (stem(parts[0]), stem(parts[1])) in pairs


# --- composition ---------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a question's plan found, before any fitted model has scored it."""

    plan: Plan
    candidates: tuple[Candidate, ...]
    refusal: str = ""  # decided from the plan and the corpus alone
    topic_absent: bool = False  # a named kommun's reports never use one of the question's topic nouns
    anchor: Anchor | None = None  # a follow-up's: the rows of the chat's last answer


def row_label_text(row: FactRow, parent: str = "") -> str:
    """What a row is about, for the dense model: its table, the row it belongs to (for a sub-row)
    and its label, without the numbers, and abbreviations spelt out."""
    f = row.first
    head = f.caption if f.caption and f.caption != f.row else f.table
    label = f"{parent} – {f.row}" if parent else f.row
    return LEXICON.spell_out(f"{head} – {label}")


def row_label_vectors(engine) -> tuple[dict[tuple[str, int], int], np.ndarray]:
    """One vector per table row label, computed at build time (`answer_texts`), else embedded once."""
    view = engine.view
    rows = view.rows
    texts = [row_label_text(r, view.row_parents.get((r.doc_id, r.line), "")) for r in rows]
    return engine.vectors.labels([(r.doc_id, r.line) for r in rows], texts)


def answer_texts(engine) -> dict[str, list[str]]:
    """The texts the answer path embeds, by kind: every row label and every sentence of the text
    passages. The build embeds them into the index version (answering then never writes)."""
    view = engine.view
    labels = [row_label_text(r, view.row_parents.get((r.doc_id, r.line), "")) for r in view.rows]
    sentences = list(dict.fromkeys(s for p in view.passages if p.kind == "text" for s in sentence_pieces(p.text)))
    return {"label": labels, "sentence": sentences}


def warm_sentence_vectors(engine, chunk: int = TUNING.warm_chunk, stop: threading.Event | None = None) -> int:
    """Embed every sentence of the reports' text passages that is not yet at hand, a few at a time
    so that questions asked meanwhile wait for one small batch at most; returns how many were
    read from the cache or embedded. Stops between batches once `stop` is set."""
    memo = engine.vectors.sentence_memo
    todo = list(dict.fromkeys(s for p in engine.view.passages if p.kind == "text" for s in sentence_pieces(p.text)
                              if s not in memo))
    for i in range(0, len(todo), chunk):
        if (stop is not None and stop.is_set()) or len(memo) + chunk > SENTENCE_MEMO:
            return i  # a full memo is for the questions to renew, not for the warm-up
        engine.vectors.sentences(todo[i:i + chunk])
    return len(todo)


_STOP_WARMING = threading.Event()
_WARMING: list[threading.Thread] = []


@atexit.register
def _stop_warming() -> None:
    """At exit, let a warming thread finish its batch: a model killed mid-call aborts the process."""
    _STOP_WARMING.set()
    for t in _WARMING:
        t.join(timeout=10)


def start_sentence_warming(engine) -> threading.Thread:
    """`warm_sentence_vectors` in a background thread (the chat app starts it once loaded)."""
    def run() -> None:
        try:
            t0 = time.perf_counter()
            n = warm_sentence_vectors(engine, stop=_STOP_WARMING)
            log.info("%d report sentences at hand in %.1f s", n, time.perf_counter() - t0)
        except Exception:  # only costs time: a question embeds what it lacks
            log.exception("warming the sentence vectors failed")

    t = threading.Thread(target=run, daemon=True, name="warm-sentences")
    _WARMING[:] = [w for w in _WARMING if w.is_alive()] + [t]
    t.start()
    return t


def sentence_similarity(vectors: Vectors, qvec: np.ndarray, texts: list[str]) -> np.ndarray:
    """Dense similarity of the question to each candidate text, read sentence by sentence: a text
    of several sentences (a pair, a list) is the normalised mean of its sentences' vectors, so each
    report sentence is embedded once, on first use, and cached by content."""
    parts = [sentence_pieces(t) for t in texts]
    vecs = vectors.sentences([s for ps in parts for s in ps])
    out = np.zeros(len(texts))
    for i, ps in enumerate(parts):
        v = np.mean([vecs[s] for s in ps], axis=0)
        norm = float(np.linalg.norm(v))
        out[i] = float(v @ qvec) / norm if norm else 0.0
    return out


def _mentions_year(c: Candidate, year: int, view: CorpusView) -> bool:
    """Whether the candidate gives a figure or says something of the year: a row's column of it
    ("2022", or "Utfall jan-aug föregående år" in a 2023 report), its label, or its table's total
    row ("Totalt 2022"); a sentence naming it, or a sentence of the next year's report comparing with
    the year before ("i paritet med föregående år")."""
    if c.kind == "row":
        return any(column_year(f.column, view.reports[c.doc_id]) == year for f in c.row.facts) \
            or str(year) in c.row.label or year in view.table_years.get((c.doc_id, c.row.first.header_line), ())
    return str(year) in c.text or (int(view.reports[c.doc_id].period_end[:4]) == year + 1
                                   and bool(LEXICON.comparison["previous_year"].search(c.text)))


def _of_the_years_asked(cands: list[Candidate], plan: Plan, view: CorpusView) -> list[Candidate]:
    """A question naming years but no kommun ("… januari–augusti 2024"): a kommun none of whose
    reports is of an asked year answers only with evidence that names one (a `Bokslut 2023`
    column does), never with its own year's figures."""
    if plan.named or not plan.years:
        return cands
    of_year = {view.reports[d].kommun for d in plan.doc_ids if int(view.reports[d].period_end[:4]) in plan.years}
    return [c for c in cands if c.kommun in of_year or any(_mentions_year(c, y, view) for y in plan.years)]


def gather(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
           anchor: Anchor | None = None) -> Evidence:
    """Plan the question and collect its candidates with features (no fitted model involved)."""
    view, vectors = engine.view, engine.vectors
    reports = view.reports
    plan = make_plan(a, reports, kommuner, doc_ids)
    if plan.refusal:
        return Evidence(plan, (), plan.refusal)
    idf, vocab = view.idf, view.vocab
    cfg = engine.config
    qvec = vectors.query(a.text)
    pvecs = vectors.passages()
    dense_all = pvecs @ qvec if len(pvecs) else np.zeros(0)
    row_pid = view.row_passage

    label_index, label_vecs = row_label_vectors(engine)
    label_dense = label_vecs @ qvec if len(label_vecs) else np.zeros(0)

    def dense_of_row(row: FactRow) -> tuple[float, float]:
        pid = row_pid.get((row.doc_id, row.line))
        li = label_index.get((row.doc_id, row.line))
        return (float(dense_all[pid]) if pid is not None else 0.0,
                float(label_dense[li]) if li is not None else 0.0)

    hits = _text_hits(engine, a, plan, dense_all)
    if anchor is not None and anchor.passages:  # the passages the last answer quoted are read again
        have = {h.passage.id for h in hits}
        hits += [Hit(view.passages[pid], 0.0, len(hits) + 1) for pid in sorted(anchor.passages)
                 if pid not in have and view.passages[pid].kommun in plan.kommuner]
    if not plan.named and len(plan.kommuner) > cfg.per_kommun_search_max:
        plan = _focus(plan, hits, label_index, label_dense, reports, cfg.per_kommun_search_max)
    absent = {k: absent_topic(view, a, k) for k in plan.kommuner}
    cands = row_candidates(plan, view.rows, reports, idf, vocab, dense_of_row, absent, cfg.rows_per_kommun,
                           anchor, view.row_measure_ids if anchor else None)
    cands += sentence_candidates(plan, hits, reports, idf, vocab, lambda p: float(dense_all[p.id]),
                                 lambda texts: sentence_similarity(vectors, qvec, texts), absent, anchor)
    cands = with_agreement(_one_report_per_row(cands, plan, reports))
    cands = _of_the_years_asked(cands, plan, view)
    lacking = plan.named and any(absent[k].any for k in plan.kommuner)
    # a year no report is of is answered only by evidence naming it, a span of such years by evidence
    # naming each ("mellan 2021 och 2022"), or by the rows labelled by one of them ("Totalt 2021" and
    # "Totalt 2022": `rows_of_each_year` reads the span from them)
    by_year = [c for c in cands if c.kind == "row" and set(years_in(c.row.label)) & set(plan.uncovered_years)]
    for y in plan.uncovered_years:
        cands = [c for c in cands if _mentions_year(c, y, view)]
        if not cands and not any(y in years_in(c.row.label) for c in by_year):
            where = ", ".join(plan.kommuner) if plan.named else "rapporterna"
            return Evidence(plan, (), f"{where}: rapporterna redovisar inget om {y}")
    cands += [c for c in by_year if c not in cands]
    return Evidence(plan, tuple(cands), topic_absent=lacking, anchor=anchor)


def _text_hits(engine, a: QuestionAnalysis, plan: Plan, dense_all: np.ndarray) -> list[Hit]:
    """The text passages the sentence candidates come from: each kommun's own best passages, not
    the loudest kommun's; past a handful of kommuner one search."""
    view, cfg = engine.view, engine.config
    order = np.argsort(-dense_all, kind="stable") if len(dense_all) else np.zeros(0, dtype=np.int64)

    def dense_ranked(_question: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The question's dense ranking, computed once and shared by every per-kommun search."""
        return order[:k], dense_all[order[:k]]

    hits: list[Hit] = []
    per_kommun = 1 < len(plan.kommuner) <= cfg.per_kommun_search_max
    groups = [(k,) for k in plan.kommuner] if per_kommun else [plan.kommuner if plan.named else ()]
    for scope in groups:
        # "enligt tertialrapporten och enligt delårsrapporten": each report named searched on its own,
        # so the type named first does not crowd the other out
        mine = [view.reports[d] for d in plan.doc_ids if view.reports[d].kommun in scope]
        each = [(d.doc_id,) for d in mine] if len(scope) == 1 and names_two_reports(a, mine) else [plan.doc_ids]
        for docs in each:
            hits += hybrid_search(a.text, a, view.passages, view.reports, view.bm25, dense_ranked,
                                  k=cfg.evidence_k // (2 if per_kommun else 1),
                                  candidates=cfg.candidates, rrf_k=cfg.rrf_k, kommuner=scope, doc_ids=docs,
                                  kinds=("text",))
    return hits


def _focus(plan: Plan, hits: list[Hit], label_index: dict[tuple[str, int], int], label_dense: np.ndarray,
           reports: dict[str, Report], n: int) -> Plan:
    """A question naming no kommun, over a corpus of many: the kommuner whose passages or row labels
    match best, so that per-question work does not grow with the country."""
    keep = list(dict.fromkeys(h.passage.kommun for h in hits))
    if len(label_dense):
        by_pos = {i: key for key, i in label_index.items()}
        for i in np.argsort(-label_dense)[: TUNING.focus_labels_per_kommun * n]:
            keep.append(reports[by_pos[int(i)][0]].kommun)
    focus = tuple(dict.fromkeys(keep))[:n]
    docs = tuple(d for d in plan.doc_ids if reports[d].kommun in focus)
    return dataclasses.replace(plan, kommuner=focus, doc_ids=docs)


def _one_report_per_row(cands: list[Candidate], plan: Plan, reports: dict[str, Report]) -> list[Candidate]:
    """A row printed in several of a kommun's reports is taken from one: the report the question
    names (by type or month), else the latest. Comparisons across reports bring the others back."""
    best: dict[tuple[str, str], str] = {}
    for c in cands:
        if c.kind == "row":
            key = (c.kommun, c.row.key)
            if key not in best or report_preference(plan.analysis, reports[c.doc_id]) > \
                    report_preference(plan.analysis, reports[best[key]]):
                best[key] = c.doc_id
    return [c for c in cands if c.kind != "row" or best[(c.kommun, c.row.key)] == c.doc_id]


def evidence_ranking(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
                     scorer: Scorer | None = None, anchor: Anchor | None = None) -> list[tuple[int, float]]:
    """Passage ids (table rows and text passages) ordered by the fitted scorer's probability that
    they hold the answer: what `search` shows first, the same evidence the answer is built from
    (a follow-up's `anchor` included)."""
    ev = gather(engine, a, kommuner, doc_ids, anchor)
    if not ev.candidates:
        return []
    probs = (scorer or engine.scorer).score(list(ev.candidates))
    row_pid = engine.view.row_passage
    best: dict[int, float] = {}
    for c, p in zip(ev.candidates, probs):
        pid = row_pid.get((c.doc_id, c.row.line)) if c.kind == "row" else c.passage.id
        if pid is not None and p > best.get(pid, -1.0):
            best[pid] = float(p)
    return sorted(best.items(), key=lambda kv: -kv[1])
