"""Evidence candidates and their features: table rows and report sentences.

Every candidate carries named features of general signals (dense similarity, idf-weighted
lexical coverage, measure and period match, causal phrasing, …; see `features.py`) that the
fitted scorer (`score.py`) turns into the probability that the candidate holds the answer.
Nothing here is tuned to a question: the weights live in the fitted model, not in this file.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping

import numpy as np

from ..search.lexical import canon_units, words
from ..lexicon import LEXICON
from ..models import Passage, Report
from ..numbers import find_numbers
from .dialogue import NO_RELATION, Anchor, AnchorRelation
from .features import RowFeatures, SentenceFeatures
from .plan import Plan
from .question import QuestionAnalysis
from ..search.retrieval import sentence_spans
from .row_match import label_precision, label_recall, score_row
from .rows import MONEY_UNITS, TOTAL_RE, FactRow, column_info
from .topic import cached_terms, matched, topic_units, unit_weight
from ..years import without_years, years_in


@dataclass(frozen=True)
class CandidateTuning:
    """How candidates are cut and their features defined. Each number changes what the fitted
    scorer sees: refit it (`python -m eval fit`) after changing one."""

    #: a sentence shorter than this many words is no candidate (headings, captions, "Se tabell 3.")
    min_sentence_words: int = 4
    #: two sentences longer than this together are not read as one pair (a pair covers more of a
    #: topic, and a long one quotes more than the answer needs)
    max_pair_chars: int = 600
    #: a period word's weight in a sentence's lexical match against a topic word's 1 (higher: a
    #: sentence naming the asked year matches without naming the subject)
    period_word_weight: float = 0.5
    #: `shares_number` compares figures with the other kind's evidence ranked this high or better
    #: (higher: more agreement found, more of it by chance)
    agreement_top: int = 3
    #: a whole figure below this is too common to show agreement (small counts, list numbers)
    min_matched_figure: float = 10.0
    #: a tkr amount at least this large is also matched as mnkr to one decimal ("1,8" says too little)
    tkr_as_mnkr_from: float = 10000.0


TUNING = CandidateTuning()

_MEASURE_COLUMN = {"prognos": "prognos", "budget": "budget", "avvikelse": "avvikelse", "mål": "mål"}
#: the kind of figure each planned measure is (see `Plan.measure`)
_MEASURE_KIND = {"andel": "share", "antal": "count", "per_invånare": "money", "utfall": "money",
                 "budget": "money", "prognos": "money", "avvikelse": "money"}


@dataclass(frozen=True)
class TopicAbsence:
    """How many specific topic nouns of the question a kommun's reports never use while others'
    do (`here`), and how many no report uses (`nowhere`): see `evidence.absent_topic`."""

    here: float = 0.0
    nowhere: float = 0.0

    @property
    def any(self) -> bool:
        return self.here > 0 or self.nowhere > 0


@dataclass(frozen=True)
class Candidate:
    kind: str  # "row" | "sentence"
    kommun: str
    doc_id: str
    #: () for a candidate built from a scored one (another report's print of its row), never scored itself
    features: RowFeatures | SentenceFeatures | tuple[()]
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


# --- table rows --------------------------------------------------------------------


@dataclass(frozen=True)
class _RowQuestion:
    """What every row is measured against for one question."""

    plan: Plan
    query: list  # the topic units (`topic_units`)
    idf: dict[str, float]
    vocab: object
    preferred: dict[str, str]  # kommun -> the report the plan prefers
    asks: str  # count | share | money | '': the kind of figure the planned measure is
    anchor: Anchor | None = None  # a follow-up's: the rows of the chat's last answer
    measures_of: Mapping[tuple[str, int], frozenset[str]] = field(default_factory=dict)  # row -> catalogue measures

    def anchor_relation(self, row: FactRow, reports: dict[str, Report]) -> AnchorRelation:
        return self.anchor.relation(row, reports, self.measures_of) if self.anchor else NO_RELATION

    @cached_property
    def _total(self) -> float:
        return sum(unit_weight(u, self.idf) for u in self.query) or 1.0

    def cover(self, terms) -> float:
        """The idf-weighted share of the topic that `terms` name."""
        return sum(unit_weight(u, self.idf) * matched(u, terms) for u in self.query) / self._total


@dataclass(frozen=True)
class _KommunRows:
    """One kommun's rows of the pool, with their match scores and the scale-free views of them."""

    rows: list[FactRow]
    lex: np.ndarray
    dense: np.ndarray
    label_dense: np.ndarray

    @cached_property
    def ranks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """lex, dense and label_dense ranks."""
        return _rank_feature(self.lex), _rank_feature(self.dense), _rank_feature(self.label_dense)

    def kept(self, per_kommun: int, has_topic: bool, pinned: Callable[[FactRow], bool] = lambda _r: False) -> list[int]:
        """The rows best by any one match, for a question about the committee as a whole (no topic)
        its tables' total rows, which answer it, and the `pinned` rows (a follow-up's subject)."""
        lex_rank, dense_rank, label_rank = self.ranks
        keep = sorted(range(len(self.rows)),
                      key=lambda j: -max(lex_rank[j], dense_rank[j], label_rank[j]))[:per_kommun]
        if not has_topic:
            keep += [j for j in range(len(self.rows)) if j not in keep and TOTAL_RE.match(self.rows[j].label)]
        return keep + [j for j in range(len(self.rows)) if j not in keep and pinned(self.rows[j])]


def row_candidates(plan: Plan, rows: list[FactRow], reports: dict[str, Report], idf, vocab,
                   dense_of_row: Callable[[FactRow], tuple[float, float]], absent: dict[str, TopicAbsence],
                   per_kommun: int, anchor: Anchor | None = None,
                   measures_of: Mapping[tuple[str, int], frozenset[str]] | None = None) -> list[Candidate]:
    """The best rows per kommun in scope by lexical or dense match, with their features.
    `dense_of_row(row)` is the question's similarity to the row's passage and to its label; a
    follow-up's `anchor` keeps the last answer's rows, their labels and measures among them."""
    docs = set(plan.doc_ids)
    # a row for another target group (the children's row, asked about adults) is not this question's
    pool = [r for r in rows if r.doc_id in docs and not LEXICON.other_group(plan.analysis.text, r.label)]
    pool = of_the_ages_asked(pool, LEXICON.ages_in(plan.analysis.text), lambda r: reports[r.doc_id].kommun)
    if not pool:
        return []
    q = _RowQuestion(plan, topic_units(plan.analysis, vocab), idf, vocab,
                     {reports[d].kommun: d for d in plan.preferred},
                     {"antal": "count", "andel": "share"}.get(plan.measure, "money" if plan.measure else ""),
                     anchor, measures_of or {})

    def pinned(row: FactRow) -> bool:
        return q.anchor_relation(row, reports).pins

    lex = np.array([score_row(r, q.query, idf, vocab) if q.query else 0.0 for r in pool])
    dense = np.array([dense_of_row(r) for r in pool]).reshape(len(pool), 2)
    out: list[Candidate] = []
    for kommun in plan.kommuner:
        idx = [i for i, r in enumerate(pool) if reports[r.doc_id].kommun == kommun]
        if not idx:
            continue
        krows = _KommunRows([pool[i] for i in idx], lex[idx], dense[idx, 0], dense[idx, 1])
        for j in krows.kept(per_kommun, bool(q.query), pinned if anchor else (lambda _r: False)):
            row = krows.rows[j]
            feats = _row_features(q, krows, j, reports[row.doc_id], absent.get(kommun, TopicAbsence()))
            out.append(Candidate("row", kommun, row.doc_id, feats, row=row, text=row.first.row_text))
    return out


def of_the_ages_asked(rows: list[FactRow], asked: frozenset[tuple[int, int]], kommun_of) -> list[FactRow]:
    """A question naming an age range ("ungdomar 13–20 år") is answered, in a kommun with rows of that
    range (in the label, the group or the section: Solna's "Ungdom, 13-20 år > Familjehemsvård"), by
    those rows only: not by another range's, nor by the "Totalt" beside "0-6 år"."""
    if not asked:
        return rows
    fits = [bool(LEXICON.ages_in(" ".join((r.label, r.group, r.first.section, r.first.caption))) & asked)
            for r in rows]
    ranged = {kommun_of(r) for r, ok in zip(rows, fits) if ok}
    return [r for r, ok in zip(rows, fits) if ok or kommun_of(r) not in ranged]


def _row_features(q: _RowQuestion, krows: _KommunRows, j: int, report: Report, absent: TopicAbsence) -> RowFeatures:
    """The one place a row's features are built."""
    plan, a, row = q.plan, q.plan.analysis, krows.rows[j]
    cols = [column_info(f.column) for f in row.facts]
    units = {f.unit for f in row.facts}
    money, pct = bool(units & MONEY_UNITS), "%" in units
    counted = not money and not pct
    kind = "money" if money else "share" if pct else "count"
    want = _MEASURE_KIND.get(plan.measure, "")
    years, label_years = set(plan.years), set(years_in(row.label))
    months = [c.month for c in cols if c.month]
    lex_rank, dense_rank, label_rank = krows.ranks
    f0 = row.first
    anchor = q.anchor_relation(row, {row.doc_id: report})
    return RowFeatures(
        lex=krows.lex[j], lex_rel=krows.lex[j] - krows.lex.max(), dense=krows.dense[j],
        dense_rel=krows.dense[j] - krows.dense.max(), dense_rank=dense_rank[j], lex_rank=lex_rank[j],
        measure_match=float(bool(want) and want == kind),
        measure_conflict=float(bool(want) and want != kind and not (want == "money" and kind == "count")),
        has_measure_column=_has_measure_column(plan.measure, row, cols),
        year_column=float(bool(years) and bool(years & {y for c in cols for y in c.years})),
        year_label_conflict=float(bool(years) and bool(label_years) and not (label_years & years)),
        report_year=float(bool(years) and int(report.period_end[:4]) in years),
        report_hint_match=float(bool(a.report_hint) and report.report_type == a.report_hint),
        preferred_report=float(q.preferred.get(report.kommun) == row.doc_id),
        total_row=float(bool(TOTAL_RE.match(row.label))), no_topic=float(not q.query),
        money_row=float(money), pct_row=float(pct),
        month_table=float(bool(months)), month_asked=float(bool(months) and bool(set(a.months) & set(months))),
        n_cells=math.log1p(len(row.facts)), label_len=math.log1p(len(words(row.label))), english=float(a.english),
        label_dense=krows.label_dense[j], label_dense_rel=krows.label_dense[j] - krows.label_dense.max(),
        label_dense_rank=label_rank[j], report_month=float(int(report.period_end[5:]) in a.months),
        context_cover=q.cover(cached_terms(f"{f0.caption} {f0.table} {f0.section} {row.group}", q.vocab)),
        column_cover=max(q.cover(cached_terms(f.column, q.vocab)) for f in row.facts),
        label_recall=label_recall(row, q.query, q.idf, q.vocab),
        label_precision=label_precision(row, q.query, q.idf, q.vocab),
        count_asked_money_row=float(q.asks == "count" and money), count_asked_count_row=float(q.asks == "count" and counted),
        money_asked_money_row=float(q.asks == "money" and money), share_asked_pct_row=float(q.asks == "share" and pct),
        money_asked_count_row=float(q.asks == "money" and counted),
        topic_absent=absent.here, topic_absent_all=absent.nowhere,
        committee_total=float(not q.query and LEXICON.committee_total(row.key, row.first.table)),
        anchor_row=anchor.row, anchor_label=anchor.label, anchor_table=anchor.table, anchor_measure=anchor.measure,
    )


def _has_measure_column(measure: str, row: FactRow, cols) -> float:
    """A column of the asked measure: a prognos, budget, avvikelse or mål column, or per invånare."""
    return float(measure in _MEASURE_COLUMN and any(c.kind == _MEASURE_COLUMN[measure] for c in cols)) \
        or float(measure == "per_invånare" and any("inv" in f.column.lower() for f in row.facts))


# --- sentences ---------------------------------------------------------------------


def sentence_query(a: QuestionAnalysis, vocab) -> list[tuple[tuple, float]]:
    q = [(u, 1.0) for u in topic_units(a, vocab)]
    q += [(u, TUNING.period_word_weight) for u in canon_units(" ".join(a.period_terms), vocab)]
    return q or [(u, 1.0) for u in canon_units(a.text, vocab)]


@dataclass(frozen=True)
class _Piece:
    """A sentence of a retrieved passage, two sentences read as one, or a list with its
    introduction: a sentence candidate before its features."""

    passage: Passage
    start: int  # within the passage
    text: str
    hit_rank: int  # the passage's rank in the search
    heading: float  # lex of the passage's heading
    lex: float
    pair: bool
    intro: bool  # a list introduced by this sentence ("…:"), the list included
    prev_lex: float  # lex of the sentence before, or of the heading


def _pieces(hits, cover: Callable[[frozenset[str]], float], vocab) -> list[_Piece]:
    """Every sentence of the retrieved text passages, each sentence with the next, and a
    sentence ending in ':' with the list it introduces."""
    out: list[_Piece] = []
    seen: set[int] = set()
    for h in hits:
        p = h.passage
        if p.kind != "text" or p.id in seen:
            continue
        seen.add(p.id)
        head = cover(cached_terms(p.section.split(" > ")[-1], vocab))
        spans = [sp for sp in sentence_spans(p.text) if len(words(p.text[sp[0]:sp[1]])) >= TUNING.min_sentence_words]
        covers = [cover(cached_terms(p.text[s0:s1], vocab)) for s0, s1 in spans]
        for i, (s0, s1) in enumerate(spans):
            sent = p.text[s0:s1].strip()
            intro = sent.endswith(":") and i + 1 < len(spans)
            prev = covers[i - 1] if i else head  # what the sentence before it is about
            if intro:
                sent = p.text[s0:spans[-1][1]].strip()
            out.append(_Piece(p, s0, sent, h.rank, head, cover(cached_terms(sent, vocab)) if intro else covers[i],
                              False, intro, prev))
            if not intro and i + 1 < len(spans):
                pair = p.text[s0:spans[i + 1][1]].strip()
                if len(pair) <= TUNING.max_pair_chars:
                    out.append(_Piece(p, s0, pair, h.rank, head, cover(cached_terms(pair, vocab)), True, False, prev))
    return out


@dataclass(frozen=True)
class _Dense:
    """A piece's dense similarities (to its passage, to its own text) and its kommun's bests."""

    passage: float
    passage_max: float
    own: float
    own_max: float


def sentence_candidates(plan: Plan, hits, reports: dict[str, Report], idf, vocab, dense_of_passage,
                        dense_of_texts, absent: dict[str, TopicAbsence], anchor: Anchor | None = None) -> list[Candidate]:
    """Sentences (and sentence pairs) of the retrieved text passages, with their features.

    `dense_of_passage(p)` is the question's similarity to the whole passage, `dense_of_texts(texts)`
    to each candidate text itself: the passage says where to look, the sentence what it says."""
    query = sentence_query(plan.analysis, vocab)
    total = sum(unit_weight(u, idf) * w for u, w in query) or 1.0

    def cover(terms) -> float:
        return sum(unit_weight(u, idf) * w * matched(u, terms) for u, w in query) / total

    pieces = _pieces(hits, cover, vocab)
    if not pieces:
        return []
    lex = np.array([pc.lex for pc in pieces])
    dense = np.array([dense_of_passage(pc.passage) for pc in pieces])
    own = np.asarray(dense_of_texts([pc.text for pc in pieces]), dtype=float)
    # scale-free views within each kommun, so one kommun's strong match does not mute another's
    lex_rank, lex_max, dense_max, own_max = (np.zeros(len(pieces)) for _ in range(4))
    for k in {pc.passage.kommun for pc in pieces}:
        idx = np.array([i for i, pc in enumerate(pieces) if pc.passage.kommun == k])
        lex_rank[idx] = _rank_feature(lex[idx])
        lex_max[idx], dense_max[idx], own_max[idx] = lex[idx].max(), dense[idx].max(), own[idx].max()
    preferred = {reports[d].kommun: d for d in plan.preferred}
    out = []
    for i, pc in enumerate(pieces):
        p = pc.passage
        feats = _sentence_features(plan, pc, reports.get(p.doc_id), preferred.get(p.kommun) == p.doc_id,
                                   lex_rank[i], lex_max[i], _Dense(dense[i], dense_max[i], own[i], own_max[i]),
                                   absent.get(p.kommun, TopicAbsence()))
        if anchor:
            feats = dataclasses.replace(feats, anchor_said=anchor.said_in(pc.text))
        out.append(Candidate("sentence", p.kommun, p.doc_id, feats, passage=p, text=pc.text, pos=pc.start))
    return out


def _sentence_features(plan: Plan, pc: _Piece, report: Report | None, preferred: bool, lex_rank: float,
                       lex_max: float, dense: _Dense, absent: TopicAbsence) -> SentenceFeatures:
    """The one place a sentence's features are built."""
    a = plan.analysis
    low = pc.text.lower()
    ws = set(re.findall(r"[a-zåäöéü]+", low))
    nums = find_numbers(without_years(pc.text))
    years, said_years = {str(y) for y in plan.years}, {str(y) for y in years_in(pc.text)}
    causal = float(bool(LEXICON.causal.search(low)))
    committee = float(bool(LEXICON.committee.search(low)))  # the committee as a whole is its subject
    return SentenceFeatures(
        lex=pc.lex, lex_rel=pc.lex - lex_max, heading=pc.heading, dense=float(dense.passage),
        dense_rel=float(dense.passage - dense.passage_max), hit_rank=1.0 / pc.hit_rank,
        causal=causal, causal_why=causal * (plan.intent == "why"), numbers=float(bool(nums)),
        numbers_lookup=float(bool(nums) and plan.intent in ("lookup", "trend", "compare", "rank") and not a.manner),
        direction=float((a.direction == "up" and bool(ws & LEXICON.direction_up))
                        or (a.direction == "down" and bool(ws & LEXICON.direction_down))),
        year_match=float(bool(years & said_years)),
        year_other=float(bool(years) and bool(said_years) and not years & said_years),
        list_intro=float(pc.intro and plan.intent == "list"), length=math.log1p(len(ws)), pair=float(pc.pair),
        report_hint_match=float(bool(a.report_hint) and report is not None and report.report_type == a.report_hint),
        preferred_report=float(preferred), english=float(a.english), why=float(plan.intent == "why"),
        list=float(plan.intent == "list"),
        report_month=float(report is not None and int(report.period_end[5:]) in a.months),
        prev_lex=pc.prev_lex, lex_rank=float(lex_rank),
        measure_mentioned=float(any(rx.search(low) for rx in LEXICON.measure_patterns.get(plan.measure, ()))),
        no_topic=float(not a.topic_words), committee_subject=committee,
        topic_absent=absent.here, topic_absent_all=absent.nowhere,
        sentence_dense=float(dense.own), sentence_dense_rel=float(dense.own - dense.own_max),
        committee_whole=committee * (not a.topic_words),
    )


# --- figures shared by rows and sentences -----------------------------------------


def _worth_matching(value: float) -> bool:
    return abs(value) >= TUNING.min_matched_figure or not float(value).is_integer()


def text_figures(text: str) -> set[float]:
    """The figures of a text worth matching across evidence: no years, no small counts."""
    return {round(abs(n.value), 3) for n in find_numbers(without_years(text)) if _worth_matching(n.value)}


def row_figures(row: FactRow, worth_matching: bool = False) -> set[float]:
    """A row's figures as the text may quote them: as printed, and a tkr amount in mnkr to one
    decimal (a table's `-193 767` tkr is the text's `193,8 miljoner kronor`)."""
    out: set[float] = set()
    for f in row.facts:
        if worth_matching and not _worth_matching(f.value):
            continue
        out.add(round(abs(f.value), 3))
        if f.unit == "tkr" and abs(f.value) >= TUNING.tkr_as_mnkr_from:
            out.add(round(abs(f.value) / 1000, 1))
    return out


def with_agreement(cands: list[Candidate], top: int = TUNING.agreement_top) -> list[Candidate]:
    """Set `shares_number`: whether a candidate's figure also appears in the best-matching
    evidence of the other kind (a table figure the text explains, a sentence quoting the table)."""
    row_figs: set[float] = set()
    sent_figs: set[float] = set()
    for c in cands:
        if c.kind == "row" and max(c.features.label_dense_rank, c.features.lex_rank) >= 1.0 / top:
            row_figs |= row_figures(c.row, worth_matching=True)
        elif c.kind == "sentence" and c.features.hit_rank >= 1.0 / top:
            sent_figs |= text_figures(c.text)
    out = []
    for c in cands:
        shared = bool(row_figures(c.row) & sent_figs) if c.kind == "row" else bool(text_figures(c.text) & row_figs)
        out.append(dataclasses.replace(c, features=dataclasses.replace(c.features, shares_number=float(shared))))
    return out
