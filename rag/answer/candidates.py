"""Evidence candidates and their features: table rows and report sentences.

Every candidate carries a fixed-length feature vector of general signals
(dense similarity, idf-weighted lexical coverage, measure and period match,
causal phrasing, …) that a fitted model (`rag/learn.py`) turns into the
probability that the candidate holds the answer. Nothing here is tuned to a
question: the weights live in the fitted model, not in this file.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

import numpy as np

from ..search.lexical import canon_units, words
from ..lexicon import LEXICON
from ..models import Passage, Report
from ..numbers import find_numbers
from .plan import Plan
from .question import QuestionAnalysis
from ..search.retrieval import sentences
from .rows import (MONEY_UNITS, TOTAL_RE, FactRow, cached_terms, column_info, label_precision, label_recall,
                         matched, score_row, topic_units, unit_weight)
from ..years import without_years, years_in

ROW_FEATURES = (
    "bias_row", "lex", "lex_rel", "dense", "dense_rel", "label_dense_rank", "lex_rank",
    "measure_match", "measure_conflict", "has_measure_column", "year_column", "year_label_conflict",
    "report_year", "report_hint_match", "preferred_report", "total_row", "no_topic", "money_row", "pct_row",
    "month_table", "month_asked", "n_cells", "label_len", "english", "label_dense", "label_dense_rel",
    "label_dense_rank2", "report_month", "context_cover", "column_cover", "label_recall", "label_precision",
    "count_asked_money_row",
    "count_asked_count_row", "money_asked_money_row", "share_asked_pct_row", "money_asked_count_row",
    "topic_absent", "topic_absent_all", "committee_total", "shares_number",
)
SENTENCE_FEATURES = (
    "bias_sent", "lex", "lex_rel", "heading", "dense", "dense_rel", "hit_rank", "causal", "causal_why",
    "numbers", "numbers_lookup", "direction", "year_match", "year_other", "list_intro", "length",
    "pair", "report_hint_match", "preferred_report", "english", "why", "list", "report_month", "prev_lex", "lex_rank",
    "measure_mentioned", "no_topic", "committee_subject", "topic_absent", "topic_absent_all", "sentence_dense",
    "sentence_dense_rel", "committee_whole", "shares_number",
)

_MEASURE_COLUMN = {"prognos": "prognos", "budget": "budget", "avvikelse": "avvikelse", "mål": "mål"}


@dataclass(frozen=True)
class Candidate:
    kind: str  # "row" | "sentence"
    kommun: str
    doc_id: str
    features: tuple[float, ...]
    row: FactRow | None = None
    passage: Passage | None = None
    text: str = ""  # the sentence, or the row as it stands in the report
    pos: int = 0  # sentence start within its passage


def _rank_feature(values: np.ndarray) -> np.ndarray:
    """1 for the best, falling as 1/rank: a scale-free view of a score within one question."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    return 1.0 / ranks


def row_candidates(plan: Plan, rows: list[FactRow], reports: dict[str, Report], idf, vocab,
                   dense_of_row, absent: dict[str, tuple[float, float]], per_kommun: int = 12) -> list[Candidate]:
    """The best rows per kommun in scope by lexical or dense match, with their features."""
    a = plan.analysis
    query = topic_units(a, vocab)
    docs = set(plan.doc_ids)
    preferred = {reports[d].kommun: d for d in plan.preferred}
    # a row for another target group (the children's row, asked about adults) is not this question's
    pool = [r for r in rows if r.doc_id in docs and not LEXICON.other_group(a.text, r.label)]
    if not pool:
        return []
    total = sum(unit_weight(u, idf) for u in query) or 1.0

    def cover(terms) -> float:
        return sum(unit_weight(u, idf) * matched(u, terms) for u in query) / total

    lex = np.array([score_row(r, query, idf, vocab)[0] if query else 0.0 for r in pool])
    both = np.array([dense_of_row(r) for r in pool]).reshape(len(pool), 2)
    dense, label_dense = both[:, 0], both[:, 1]
    out: list[Candidate] = []
    for kommun in plan.kommuner:
        idx = [i for i, r in enumerate(pool) if reports[r.doc_id].kommun == kommun]
        if not idx:
            continue
        kl, kd, kld = lex[idx], dense[idx], label_dense[idx]
        lex_rank, dense_rank, label_rank = _rank_feature(kl), _rank_feature(kd), _rank_feature(kld)
        keep = sorted(range(len(idx)), key=lambda j: -max(lex_rank[j], dense_rank[j], label_rank[j]))[:per_kommun]
        if not query:  # a question about the committee as a whole: its tables' total rows answer it
            keep += [j for j in range(len(idx)) if j not in keep and TOTAL_RE.match(pool[idx[j]].label)]
        for j in keep:
            row = pool[idx[j]]
            f0 = row.first
            ctx = cover(cached_terms(f"{f0.caption} {f0.table} {f0.section}", vocab))
            col = max(cover(cached_terms(f.column, vocab)) for f in row.facts)
            asks = {"antal": "count", "andel": "share"}.get(plan.measure, "money" if plan.measure else "")
            units = {f.unit for f in row.facts}
            counted = not (units & MONEY_UNITS) and "%" not in units
            inter = (float(asks == "count" and bool(units & MONEY_UNITS)), float(asks == "count" and counted),
                     float(asks == "money" and bool(units & MONEY_UNITS)), float(asks == "share" and "%" in units),
                     float(asks == "money" and counted))
            out.append(Candidate("row", kommun, row.doc_id,
                                 _row_features(plan, row, reports[row.doc_id], kl[j], kl.max(), kd[j], kd.max(),
                                               dense_rank[j], lex_rank[j], preferred.get(kommun) == row.doc_id, bool(query))
                                 + (kld[j], kld[j] - kld.max(), label_rank[j],
                                    float(int(reports[row.doc_id].period_end[5:]) in a.months), ctx, col,
                                    label_recall(row, query, idf, vocab), label_precision(row, query, idf, vocab))
                                 + inter + absent.get(kommun, (0.0, 0.0))
                                 + (float(not query and bool(TOTAL_RE.match(row.label))),),  # committee_total
                                 row=row, text=row.first.row_text))
    return out


def _row_features(plan: Plan, row: FactRow, report: Report, lex: float, lex_max: float, dense: float,
                  dense_max: float, dense_rank: float, lex_rank: float, preferred: bool, has_topic: bool
                  ) -> tuple[float, ...]:
    a = plan.analysis
    cols = [column_info(f.column) for f in row.facts]
    units = {f.unit for f in row.facts}
    money, pct = bool(units & MONEY_UNITS), "%" in units
    m = plan.measure
    kind = "money" if money else "share" if pct else "count"
    want = {"andel": "share", "antal": "count", "per_invånare": "money", "utfall": "money",
            "budget": "money", "prognos": "money", "avvikelse": "money"}.get(m, "")
    measure_match = float(bool(want) and want == kind)
    measure_conflict = float(bool(want) and want != kind and not (want == "money" and kind == "count"))
    has_col = float(m in _MEASURE_COLUMN and any(c.kind == _MEASURE_COLUMN[m] for c in cols)) \
        or float(m == "per_invånare" and any("inv" in f.column.lower() for f in row.facts))
    years = set(plan.years)
    col_years = {y for c in cols for y in c.years}
    label_years = set(years_in(row.label))
    year_column = float(bool(years) and bool(years & col_years))
    year_label_conflict = float(bool(years) and bool(label_years) and not (label_years & years))
    months = [c.month for c in cols if c.month]
    return (
        1.0, lex, lex - lex_max, dense, dense - dense_max, dense_rank, lex_rank,
        measure_match, measure_conflict, has_col, year_column, year_label_conflict,
        float(bool(years) and int(report.period_end[:4]) in years),
        float(bool(a.report_hint) and report.report_type == a.report_hint),
        float(preferred), float(bool(TOTAL_RE.match(row.label))), float(not has_topic), float(money), float(pct),
        float(bool(months)), float(bool(months) and bool(set(a.months) & set(months))),
        math.log1p(len(row.facts)), math.log1p(len(words(row.label))), float(a.english),
    )


def sentence_query(a: QuestionAnalysis, vocab) -> list[tuple[tuple, float]]:
    q = [(u, 1.0) for u in topic_units(a, vocab)]
    q += [(u, 0.5) for u in canon_units(" ".join(a.period_terms), vocab)]
    return q or [(u, 1.0) for u in canon_units(a.text, vocab)]


def sentence_candidates(plan: Plan, hits, reports: dict[str, Report], idf, vocab, dense_of_passage,
                        dense_of_texts, absent: dict[str, tuple[float, float]]) -> list[Candidate]:
    """Sentences (and sentence pairs) of the retrieved text passages, with their features.

    `dense_of_passage(p)` is the question's similarity to the whole passage, `dense_of_texts(texts)`
    to each candidate text itself: the passage says where to look, the sentence what it says."""

    a = plan.analysis
    query = sentence_query(a, vocab)
    total = sum(unit_weight(u, idf) * w for u, w in query) or 1.0
    preferred = {reports[d].kommun: d for d in plan.preferred}

    def cover(terms) -> float:
        return sum(unit_weight(u, idf) * w * matched(u, terms) for u, w in query) / total

    raw: list[tuple[Passage, int, str, int, float, float, bool, bool, float]] = []
    seen: set[int] = set()
    for h in hits:
        p = h.passage
        if p.kind != "text" or p.id in seen:
            continue
        seen.add(p.id)
        head = cover(cached_terms(p.section.split(" > ")[-1], vocab))
        spans = [sp for sp in sentences(p.text) if len(words(p.text[sp[0]:sp[1]])) >= 4]
        covers = [cover(cached_terms(p.text[s0:s1], vocab)) for s0, s1 in spans]
        for i, (s0, s1) in enumerate(spans):
            sent = p.text[s0:s1].strip()
            intro = sent.endswith(":") and i + 1 < len(spans)
            prev = covers[i - 1] if i else head  # what the sentence before it is about
            if intro:
                sent = p.text[s0:spans[-1][1]].strip()
            raw.append((p, s0, sent, h.rank, head, cover(cached_terms(sent, vocab)) if intro else covers[i],
                        False, intro, prev))
            if not intro and i + 1 < len(spans):
                pair = p.text[s0:spans[i + 1][1]].strip()
                if len(pair) <= 600:
                    raw.append((p, s0, pair, h.rank, head, cover(cached_terms(pair, vocab)), True, False, prev))
    if not raw:
        return []
    lex = np.array([r[5] for r in raw])
    dense = np.array([dense_of_passage(r[0]) for r in raw])
    own = np.asarray(dense_of_texts([r[2] for r in raw]), dtype=float)
    # scale-free views within each kommun, so one kommun's strong match does not mute another's
    lex_rank, lex_max, dense_max, own_max = (np.zeros(len(raw)) for _ in range(4))
    for k in {r[0].kommun for r in raw}:
        idx = np.array([i for i, r in enumerate(raw) if r[0].kommun == k])
        lex_rank[idx] = _rank_feature(lex[idx])
        lex_max[idx], dense_max[idx], own_max[idx] = lex[idx].max(), dense[idx].max(), own[idx].max()
    measure_rx = LEXICON.measure_patterns.get(plan.measure, ())
    out = []
    years = {str(y) for y in plan.years}
    for (p, s0, sent, rank, head, lx, pair, intro, prev), dn, lr, lm, dm, od, om in zip(
            raw, dense, lex_rank, lex_max, dense_max, own, own_max):
        low = sent.lower()
        ws = set(re.findall(r"[a-zåäöéü]+", low))
        nums = find_numbers(without_years(sent))
        said_years = {str(y) for y in years_in(sent)}
        causal = float(bool(LEXICON.causal.search(low)))
        committee = float(bool(LEXICON.committee.search(low)))  # the committee as a whole is its subject
        direction = float((a.direction == "up" and bool(ws & LEXICON.direction_up))
                          or (a.direction == "down" and bool(ws & LEXICON.direction_down)))
        report = reports.get(p.doc_id)
        feats = (
            1.0, lx, lx - lm, head, float(dn), float(dn - dm), 1.0 / rank, causal,
            causal * (plan.intent == "why"), float(bool(nums)),
            float(bool(nums) and plan.intent in ("lookup", "trend", "compare", "rank")), direction,
            float(bool(years & (said_years or set()))), float(bool(years) and bool(said_years) and not years & said_years),
            float(intro and plan.intent == "list"), math.log1p(len(ws)), float(pair),
            float(bool(a.report_hint) and report is not None and report.report_type == a.report_hint),
            float(preferred.get(p.kommun) == p.doc_id), float(a.english), float(plan.intent == "why"),
            float(plan.intent == "list"),
            float(report is not None and int(report.period_end[5:]) in a.months),
            prev, float(lr), float(any(rx.search(low) for rx in measure_rx)), float(not a.topic_words),
            committee,
        ) + absent.get(p.kommun, (0.0, 0.0)) + (float(od), float(od - om), committee * (not a.topic_words))
        out.append(Candidate("sentence", p.kommun, p.doc_id, feats, passage=p, text=sent, pos=s0))
    return out


def text_figures(text: str) -> set[float]:
    """The figures of a text worth matching across evidence: no years, no small counts."""
    return {round(abs(n.value), 3) for n in find_numbers(without_years(text))
            if abs(n.value) >= 10 or not float(n.value).is_integer()}


def row_figures(row: FactRow, worth_matching: bool = False) -> set[float]:
    """A row's figures as the text may quote them: as printed, and a tkr amount in mnkr to one
    decimal (a table's `-193 767` tkr is the text's `193,8 miljoner kronor`)."""
    out: set[float] = set()
    for f in row.facts:
        if worth_matching and not (abs(f.value) >= 10 or not float(f.value).is_integer()):
            continue
        out.add(round(abs(f.value), 3))
        if f.unit == "tkr" and abs(f.value) >= 10000:  # a small mnkr figure ("1,8") says too little
            out.add(round(abs(f.value) / 1000, 1))
    return out


def with_agreement(cands: list[Candidate], top: int = 3) -> list[Candidate]:
    """Append `shares_number`: whether a candidate's figure also appears in the best-matching
    evidence of the other kind (a table figure the text explains, a sentence quoting the table)."""
    rows = [c for c in cands if c.kind == "row"]
    sents = [c for c in cands if c.kind == "sentence"]
    i_rank, i_sent = ROW_FEATURES.index("label_dense_rank2"), SENTENCE_FEATURES.index("hit_rank")
    i_lex = ROW_FEATURES.index("lex_rank")
    row_figs: set[float] = set()
    for c in rows:
        if max(c.features[i_rank], c.features[i_lex]) >= 1.0 / top:
            row_figs |= row_figures(c.row, worth_matching=True)
    sent_figs: set[float] = set()
    for c in sents:
        if c.features[i_sent] >= 1.0 / top:
            sent_figs |= text_figures(c.text)
    out = []
    for c in cands:
        if c.kind == "row":
            mine = row_figures(c.row)
            shared = bool(mine & sent_figs)
        else:
            shared = bool(text_figures(c.text) & row_figs)
        out.append(dataclasses.replace(c, features=c.features + (float(shared),)))
    return out
