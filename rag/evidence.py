"""Gathering evidence: plan the question, then collect table-row and sentence candidates with
their features. Nothing here is fitted; the fitted scorer (`learn.py`) weighs what this finds.
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

from .analysis import QuestionAnalysis
from .candidates import Candidate, row_candidates, sentence_candidates, with_agreement
from .learn import Scorer
from .lexical import canon_idf, canon_units, split_compound, stem, words
from .lexicon import LEXICON
from .models import Hit, Passage, Report
from .plan import Plan, make_plan, report_preference
from .retrieval import hybrid_search, sentence_pieces
from .tablelookup import TOTAL_RE, FactRow, column_info, group_rows, is_measure_word, topic_units

log = logging.getLogger(__name__)


def _cached(engine, name: str, build):
    """Per-engine derived data (idf, fact rows, vocabularies), built on first use."""
    cache = engine.__dict__.setdefault("_derived", {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def engine_idf(engine) -> dict[str, float]:
    """`canon_idf` of the passages; stored at build time, computed here only for an older index."""
    return _cached(engine, "idf", lambda: canon_idf([p.index_text for p in engine.passages], engine.bm25.vocab))


def fact_rows(engine) -> list[FactRow]:
    return _cached(engine, "rows", lambda: group_rows(engine.facts))


def _kommun_words(engine) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """Per kommun: its surface words and its adjacent word-stem pairs."""
    def build():
        out: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
        for p in engine.passages:
            ws = words(p.index_text)
            vocab, pairs = out.setdefault(p.kommun, (set(), set()))
            vocab.update(ws)
            pairs.update(zip(map(stem, ws), map(stem, ws[1:])))
        return out
    return _cached(engine, "kommun_words", build)


# --- refusal ------------------------------------------------------------------


def absent_topic(engine, a: QuestionAnalysis, kommun: str) -> tuple[float, float]:
    """How many specific topic nouns of the question `kommun`'s reports never use (but others
    do), and how many no report uses: a question-level signal the scorer weighs, not a rule."""
    here, nowhere = absent_words(engine, a, kommun)
    return float(len(here)), float(len(nowhere))


def absent_words(engine, a: QuestionAnalysis, kommun: str) -> tuple[list[str], list[str]]:
    """The topic nouns behind `absent_topic`, to name them in a refusal. An English question's
    words say nothing of what Swedish reports cover, so it has none."""
    if a.english:
        return [], []
    kw = _kommun_words(engine)
    all_words, all_pairs = _cached(engine, "all_words", lambda: (set().union(*(v for v, _ in kw.values())),
                                                                 set().union(*(p for _, p in kw.values()))))
    words_k, pairs_k = kw.get(kommun, (set(), set()))
    here: list[str] = []
    nowhere: list[str] = []
    # the word right after "hur" asks how ("hur vanligt", "hur länge"), it names no subject
    asking = {m.group(1) for m in re.finditer(r"\b(?:hur|how)\s+([a-zåäöéü]+)", a.text.lower())}
    for w in a.topic_words:
        # Only specific nouns can show a question is off the reports' subject; verb forms cannot.
        if len(w) < 7 or re.search(r"(ar|er|or|ade|ades|ats|ande|ende|it|at|ts)$", w) or w in asking \
                or is_measure_word(w):  # "nettokostnaden" names the kind of figure, not a subject
            continue
        if _present(w, words_k, engine.bm25.vocab, pairs_k):
            continue
        (here if _present(w, all_words, engine.bm25.vocab, all_pairs) else nowhere).append(w)
    return here, nowhere


def _present(word: str, vocabulary: set[str], stems, pairs: set[tuple[str, str]]) -> bool:
    """Whether a word occurs in any inflection (same first letters), or as its compound
    parts written apart (`vårddygn` as `vård dygn`)."""
    prefix = word[:max(5, len(word) - 3)]
    if any(v.startswith(prefix) for v in vocabulary):
        return True
    parts = split_compound(word, stems)
    return len(parts) == 2 and (stem(parts[0]), stem(parts[1])) in pairs


def sentence_query(a: QuestionAnalysis, vocab) -> list[tuple[tuple, float]]:
    q = [(u, 1.0) for u in topic_units(a, vocab)]
    q += [(u, 0.5) for u in canon_units(" ".join(a.period_terms), vocab)]
    return q or [(u, 1.0) for u in canon_units(a.text, vocab)]


# --- composition ---------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a question's plan found, before any fitted model has scored it."""

    plan: Plan
    candidates: tuple[Candidate, ...]
    refusal: str = ""  # decided from the plan and the corpus alone
    topic_absent: bool = False  # a named kommun's reports never use one of the question's topic nouns


def row_passage_ids(engine) -> dict[tuple[str, int], int]:
    return _cached(engine, "row_passage", lambda: {(p.doc_id, p.locations[0].start_line): p.id
                                                   for p in engine.passages if p.kind == "table"})


def _passages_by_doc(engine) -> dict[str, list[tuple[int, str, Passage]]]:
    """Each report's passages in reading order, with the section each stands in."""
    def build() -> dict[str, list[tuple[int, str, Passage]]]:
        by_doc: dict[str, list[tuple[int, str, Passage]]] = {}
        for p in engine.passages:
            for loc in p.locations:
                by_doc.setdefault(loc.doc_id, []).append((loc.start_line, loc.section, p))
        return {d: sorted(v, key=lambda t: t[0]) for d, v in by_doc.items()}
    return _cached(engine, "passages_by_doc", build)


def commentary(engine, row: FactRow, passages: int = 6) -> list[Passage]:
    """The text right after a row's table, up to the next table or section: where a report explains
    its figures (one paragraph per row of a larger table, so a few passages)."""
    end = _cached(engine, "table_ends", lambda: _table_ends(fact_rows(engine)))[(row.doc_id, row.first.header_line)]
    out: list[Passage] = []
    section = None
    for start, where, p in _passages_by_doc(engine).get(row.doc_id, []):
        if start <= end:
            continue  # the row's own table
        if p.kind == "table" or (section is not None and where != section):
            break  # the next table or section: the text after it explains something else
        section = where
        out.append(p)
        if len(out) >= passages:
            break
    return out


def passage_after(engine, passage: Passage) -> Passage | None:
    """The next passage of the same report and section, if it is text."""
    loc = passage.locations[0]
    seq = _passages_by_doc(engine).get(loc.doc_id, [])
    for i, (start, where, p) in enumerate(seq):
        if p.id == passage.id and start == loc.start_line:
            if i + 1 < len(seq) and seq[i + 1][1] == loc.section and seq[i + 1][2].kind == "text":
                return seq[i + 1][2]
            return None
    return None


def _table_ends(rows: list[FactRow]) -> dict[tuple[str, int], int]:
    """(doc_id, header line) -> the line of the table's last row with figures."""
    out: dict[tuple[str, int], int] = {}
    for r in rows:
        key = (r.doc_id, r.first.header_line)
        out[key] = max(out.get(key, 0), r.line)
    return out


def rows_of_table(engine, row: FactRow) -> list[FactRow]:
    """Every row with figures of the row's table, in the report's order."""
    def build() -> dict[tuple[str, int], list[FactRow]]:
        tables: dict[tuple[str, int], list[FactRow]] = {}
        for r in fact_rows(engine):
            tables.setdefault((r.doc_id, r.first.header_line), []).append(r)
        return tables

    return list(_cached(engine, "tables", build).get((row.doc_id, row.first.header_line), ()))


def table_rows(engine, row: FactRow) -> int:
    """How many rows with figures the row's table has."""
    return len(rows_of_table(engine, row))


#: a row that is part of the row above it: "- Personalkostnader", "varav kvinnor"
_SUB_ROW = re.compile(r"^\s*(?:[-–•]\s*|(?:varav|därav)\b)", re.I)


def row_parents(rows: list[FactRow]) -> dict[tuple[str, int], str]:
    """For each sub-row, the label of the row it belongs to. `varav kvinnor` alone says little;
    under `Antal anställda` it says what it counts. A run of sub-rows belongs to the row above it,
    unless that row is a total (which closes the group before): then to the total that follows
    the run (`- Personalkostnader` … `Summa KOSTNADER`)."""
    tables: dict[tuple[str, int], list[FactRow]] = {}
    for r in sorted(rows, key=lambda r: (r.doc_id, r.line)):
        tables.setdefault((r.doc_id, r.first.header_line), []).append(r)
    out: dict[tuple[str, int], str] = {}
    for table in tables.values():
        sub = [bool(_SUB_ROW.match(r.label) or _SUB_ROW.match(r.first.row_text.lstrip("| "))) for r in table]
        for i, r in enumerate(table):
            if not sub[i]:
                continue
            above = next((table[j] for j in range(i - 1, -1, -1) if not sub[j]), None)
            below = next((table[j] for j in range(i + 1, len(table)) if not sub[j]), None)
            if above is not None and not TOTAL_RE.match(above.label):
                out[(r.doc_id, r.line)] = above.label.strip()
            elif below is not None and TOTAL_RE.match(below.label):
                out[(r.doc_id, r.line)] = below.label.strip()
    return out


def row_parent_labels(engine) -> dict[tuple[str, int], str]:
    return _cached(engine, "row_parents", lambda: row_parents(fact_rows(engine)))


def row_label_text(row: FactRow, parent: str = "") -> str:
    """What a row is about, for the dense model: its table, the row it belongs to (for a sub-row)
    and its label, without the numbers, and abbreviations spelt out."""
    f = row.first
    head = f.caption if f.caption and f.caption != f.row else f.table
    label = f"{parent} – {f.row}" if parent else f.row
    return LEXICON.spell_out(f"{head} – {label}")


def cached_vectors(engine, kind: str, texts: list[str]) -> dict[str, np.ndarray]:
    """Unit vectors of `texts`, from the embedding cache by content (`kind` keeps row labels and
    sentences apart from passages); what is missing is embedded now and stored for next time."""
    import hashlib

    from .index import EmbeddingCache

    shas = {t: hashlib.sha256(f"{kind}:{t}".encode()).hexdigest() for t in dict.fromkeys(texts)}
    model = engine.embedder.name
    cache = None
    try:
        cache = EmbeddingCache(engine.config.embedding_cache_path)
        have = cache.get(model, list(shas.values()))
    except Exception as e:  # a read-only or damaged cache costs time, never answers
        log.warning("embedding cache unavailable for %s vectors: %s", kind, e)
        have = {}
    todo = sorted({(sh, t) for t, sh in shas.items() if sh not in have})
    if todo:
        fresh = dict(zip((sh for sh, _ in todo), engine.embedder.embed([t for _, t in todo])))
        have.update(fresh)
        if cache is not None:
            try:
                cache.put(model, fresh)
            except Exception as e:
                log.warning("could not store %s vectors: %s", kind, e)
    if cache is not None:
        cache.close()
    return {t: np.asarray(have[sh], dtype=np.float32) for t, sh in shas.items()}


def row_label_vectors(engine) -> tuple[dict[tuple[str, int], int], np.ndarray]:
    """One vector per table row label, embedded once and kept in the embedding cache by content."""
    def build():
        rows = fact_rows(engine)
        parents = row_parent_labels(engine)
        texts = [row_label_text(r, parents.get((r.doc_id, r.line), "")) for r in rows]
        vecs = cached_vectors(engine, "label", texts)
        dim = len(next(iter(vecs.values()))) if vecs else 1
        matrix = np.array([vecs[t] for t in texts], dtype=np.float32).reshape(len(texts), dim)
        return {(r.doc_id, r.line): i for i, r in enumerate(rows)}, matrix
    return _cached(engine, "row_label_vectors", build)


#: sentence vectors kept in memory per engine; past this many the memo starts afresh (the
#: embedding cache on disk still holds them)
SENTENCE_MEMO = 200_000


def _sentence_memo(engine) -> dict[str, np.ndarray]:
    return engine.__dict__.setdefault("_sentence_vectors", {})


def _sentence_vectors(engine, sentences: list[str]) -> dict[str, np.ndarray]:
    """Vectors of `sentences`, from the engine's memo, else the disk cache or the model (then
    remembered); a memo that would pass `SENTENCE_MEMO` starts afresh. What is returned never
    depends on the memo surviving: another thread may clear it."""
    memo = _sentence_memo(engine)
    wanted = list(dict.fromkeys(sentences))
    have = {s: v for s in wanted if (v := memo.get(s)) is not None}
    missing = [s for s in wanted if s not in have]
    if missing:
        if len(memo) + len(missing) > SENTENCE_MEMO:
            memo.clear()
        fresh = cached_vectors(engine, "sentence", missing)
        memo.update(fresh)
        have.update(fresh)
    return have


def warm_sentence_vectors(engine, chunk: int = 16, stop: threading.Event | None = None) -> int:
    """Embed every sentence of the reports' text passages that is not yet at hand, a few at a time
    so that questions asked meanwhile wait for one small batch at most; returns how many were
    read from the cache or embedded. Stops between batches once `stop` is set."""
    memo = _sentence_memo(engine)
    todo = list(dict.fromkeys(s for p in engine.passages if p.kind == "text" for s in sentence_pieces(p.text)
                              if s not in memo))
    for i in range(0, len(todo), chunk):
        if (stop is not None and stop.is_set()) or len(memo) + chunk > SENTENCE_MEMO:
            return i  # a full memo is for the questions to renew, not for the warm-up
        _sentence_vectors(engine, todo[i:i + chunk])
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


def sentence_similarity(engine, qvec: np.ndarray, texts: list[str]) -> np.ndarray:
    """Dense similarity of the question to each candidate text, read sentence by sentence: a text
    of several sentences (a pair, a list) is the normalised mean of its sentences' vectors, so each
    report sentence is embedded once, on first use, and cached by content."""
    parts = [sentence_pieces(t) for t in texts]
    vecs = _sentence_vectors(engine, [s for ps in parts for s in ps])
    out = np.zeros(len(texts))
    for i, ps in enumerate(parts):
        v = np.mean([vecs[s] for s in ps], axis=0)
        norm = float(np.linalg.norm(v))
        out[i] = float(v @ qvec) / norm if norm else 0.0
    return out


def _mentions_year(c: Candidate, year: int) -> bool:
    if c.kind == "row":
        return any(year in column_info(f.column).years for f in c.row.facts) or str(year) in c.row.label
    return str(year) in c.text


def _of_the_years_asked(cands: list[Candidate], plan: Plan, reports: dict[str, Report]) -> list[Candidate]:
    """A question naming years but no kommun ("… januari–augusti 2024"): a kommun none of whose
    reports is of an asked year answers only with evidence that names one (a `Bokslut 2023`
    column does), never with its own year's figures."""
    if plan.named or not plan.years:
        return cands
    of_year = {reports[d].kommun for d in plan.doc_ids if int(reports[d].period_end[:4]) in plan.years}
    return [c for c in cands if c.kommun in of_year or any(_mentions_year(c, y) for y in plan.years)]


def gather(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = ()) -> Evidence:
    """Plan the question and collect its candidates with features (no fitted model involved)."""
    reports = engine.reports
    plan = make_plan(a, reports, kommuner, doc_ids)
    if plan.refusal:
        return Evidence(plan, (), plan.refusal)
    idf, vocab = engine_idf(engine), engine.bm25.vocab
    cfg = engine.config
    qvec = engine.query_vector(a.text)
    pvecs = engine.passage_vectors()
    dense_all = pvecs @ qvec if len(pvecs) else np.zeros(0)
    row_pid = row_passage_ids(engine)

    label_index, label_vecs = row_label_vectors(engine)
    label_dense = label_vecs @ qvec if len(label_vecs) else np.zeros(0)

    def dense_of_row(row: FactRow) -> tuple[float, float]:
        pid = row_pid.get((row.doc_id, row.line))
        li = label_index.get((row.doc_id, row.line))
        return (float(dense_all[pid]) if pid is not None else 0.0,
                float(label_dense[li]) if li is not None else 0.0)

    order = np.argsort(-dense_all, kind="stable") if len(dense_all) else np.zeros(0, dtype=np.int64)

    def dense_ranked(_question: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The question's dense ranking, computed once and shared by every per-kommun search."""
        return order[:k], dense_all[order[:k]]

    hits: list[Hit] = []
    # each kommun's own best passages, not the loudest kommun's; past a handful of kommuner one search
    per_kommun = 1 < len(plan.kommuner) <= engine.config.per_kommun_search_max
    groups = [(k,) for k in plan.kommuner] if per_kommun else [plan.kommuner if plan.named else ()]
    for scope in groups:
        hits += hybrid_search(a.text, a, engine.passages, reports, engine.bm25, dense_ranked,
                              k=cfg.evidence_k // (2 if per_kommun else 1), candidates=cfg.candidates,
                              rrf_k=cfg.rrf_k, kommuner=scope, doc_ids=plan.doc_ids, kinds=("text",))
    if not per_kommun and not plan.named and len(plan.kommuner) > engine.config.per_kommun_search_max:
        plan = _focus(plan, hits, label_index, label_dense, reports, engine.config.per_kommun_search_max)
    absent = {k: absent_topic(engine, a, k) for k in plan.kommuner}
    cands = row_candidates(plan, fact_rows(engine), reports, idf, vocab, dense_of_row, absent, cfg.rows_per_kommun)
    cands += sentence_candidates(plan, hits, reports, idf, vocab, lambda p: float(dense_all[p.id]),
                                 lambda texts: sentence_similarity(engine, qvec, texts), absent)
    cands = with_agreement(_one_report_per_row(cands, plan, reports))
    cands = _of_the_years_asked(cands, plan, reports)
    lacking = plan.named and any(sum(absent[k]) > 0 for k in plan.kommuner)
    for y in plan.uncovered_years:
        cands = [c for c in cands if _mentions_year(c, y)]
        if not cands:
            where = ", ".join(plan.kommuner) if plan.named else "rapporterna"
            return Evidence(plan, (), f"{where}: rapporterna redovisar inget om {y}")
    return Evidence(plan, tuple(cands), topic_absent=lacking)


def _focus(plan: Plan, hits: list[Hit], label_index: dict[tuple[str, int], int], label_dense: np.ndarray,
           reports: dict[str, Report], n: int) -> Plan:
    """A question naming no kommun, over a corpus of many: the kommuner whose passages or row labels
    match best, so that per-question work does not grow with the country."""
    keep = list(dict.fromkeys(h.passage.kommun for h in hits))
    if len(label_dense):
        by_pos = {i: key for key, i in label_index.items()}
        for i in np.argsort(-label_dense)[: 20 * n]:
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
                     scorer: Scorer | None = None) -> list[tuple[int, float]]:
    """Passage ids (table rows and text passages) ordered by the fitted scorer's probability that
    they hold the answer: what `search` shows first, the same evidence the answer is built from."""
    ev = gather(engine, a, kommuner, doc_ids)
    if not ev.candidates:
        return []
    probs = (scorer or engine.scorer).score(list(ev.candidates))
    row_pid = row_passage_ids(engine)
    best: dict[int, float] = {}
    for c, p in zip(ev.candidates, probs):
        pid = row_pid.get((c.doc_id, c.row.line)) if c.kind == "row" else c.passage.id
        if pid is not None and p > best.get(pid, -1.0):
            best[pid] = float(p)
    return sorted(best.items(), key=lambda kv: -kv[1])
