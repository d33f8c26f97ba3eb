"""The evidence candidates' features, one named field each.

The fitted scorer (`score.py`, `rag/data/scorer.json`) stores the names of the features it was
fitted on, in order, and refuses to load when they are not these fields in this order; values
reach it only through `vector()`. Each class is built in one place (`candidates.py`), so a
feature is added, renamed or dropped here and there, then `python -m eval fit` is run again.

"Within the kommun" below means among the same question's candidates of the same kommun:
a scale-free view, so one kommun's strong match does not mute another's. A rank feature is
1 for the best and falls as 1/rank.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache


class NamedFeatures:
    """Values in field order (`vector`) and the field names (`names`), for the scorer."""

    @classmethod
    @cache
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def vector(self) -> tuple[float, ...]:
        return tuple(getattr(self, n) for n in self.names())


@dataclass(frozen=True, kw_only=True)
class RowFeatures(NamedFeatures):
    """What the scorer knows of one table row as evidence for one question."""

    bias_row: float = 1.0  # constant
    lex: float  # topic match of label, best column, caption and section (`score_row`)
    lex_rel: float  # lex minus the best lex within the kommun
    dense: float  # the question's dense similarity to the row's passage
    dense_rel: float  # dense minus the best within the kommun
    dense_rank: float  # rank of dense within the kommun
    lex_rank: float  # rank of lex within the kommun
    measure_match: float  # the row's kind of figure (amount, share, count) is the asked measure's
    measure_conflict: float  # it is another (a count where an amount is asked is no conflict)
    has_measure_column: float  # a column of the asked measure (prognos, budget, avvikelse, mål, per invånare)
    year_column: float  # a column heading names an asked year
    year_label_conflict: float  # the label names years, none of them asked
    report_year: float  # the report is of an asked year
    report_hint_match: float  # the report is of the type the question names
    preferred_report: float  # the report the plan prefers for this kommun
    total_row: float  # a total row (Summa, Totalt, Verksamhetens nettokostnad …)
    no_topic: float  # the question names no topic (it asks about the committee as a whole)
    money_row: float  # a cell in kronor
    pct_row: float  # a cell in per cent
    month_table: float  # the columns are months
    month_asked: float  # … and one of them is asked
    n_cells: float  # log(1 + cells in the row)
    label_len: float  # log(1 + words in the label)
    english: float  # the question is in English
    label_dense: float  # the question's dense similarity to the row label (with its table)
    label_dense_rel: float  # label_dense minus the best within the kommun
    label_dense_rank: float  # rank of label_dense within the kommun
    report_month: float  # the report's closing month is asked
    context_cover: float  # share of the topic named by caption, table, section and the row's named total
    column_cover: float  # share of the topic named by the best-matching column heading
    label_recall: float  # share of the topic named by the label
    label_precision: float  # share of the label the topic names
    count_asked_money_row: float  # a count asked, a row in kronor
    count_asked_count_row: float  # a count asked, a row of counts
    money_asked_money_row: float  # an amount asked, a row in kronor
    share_asked_pct_row: float  # a share asked, a row in per cent
    money_asked_count_row: float  # an amount asked, a row of counts
    topic_absent: float  # topic nouns this kommun's reports never use (others' do)
    topic_absent_all: float  # topic nouns no report uses
    committee_total: float  # no topic asked and the committee's own total (lexicon `committee_totals`: not Summa intäkter)
    shares_number: float = 0.0  # a figure of the row is quoted by one of the best sentences (`with_agreement`)
    # a follow-up's: how the row stands to the rows the chat's last answer came from (`dialogue.Anchor`)
    anchor_row: float = 0.0  # it is one of them ("Och året innan?": another column of it)
    anchor_label: float = 0.0  # the same label in another report of the kommun ("Och i tertialrapporten?")
    anchor_table: float = 0.0  # another row of their table ("Bara för åldersgruppen 0–6 år?")
    anchor_measure: float = 0.0  # the same catalogue measure ("Och i Eskilstuna?")


@dataclass(frozen=True, kw_only=True)
class SentenceFeatures(NamedFeatures):
    """What the scorer knows of one report sentence (or a sentence pair, or a list with its
    introduction) as evidence for one question."""

    bias_sent: float = 1.0  # constant
    lex: float  # idf-weighted share of the question's topic (and period words, at half weight) named
    lex_rel: float  # lex minus the best within the kommun
    heading: float  # lex of the passage's own heading
    dense: float  # the question's dense similarity to the whole passage
    dense_rel: float  # dense minus the best within the kommun
    hit_rank: float  # 1 / the passage's rank in the hybrid search
    causal: float  # causal phrasing (på grund av, beror på, …)
    causal_why: float  # … in answer to a why-question
    numbers: float  # the sentence holds a figure (years aside)
    numbers_lookup: float  # … and the question asks for one (lookup, trend, compare, rank; not how something is done)
    direction: float  # it says the asked direction (ökade for "varför ökade")
    year_match: float  # it names an asked year
    year_other: float  # it names years, none of them asked
    list_intro: float  # a list with its introduction ("…:") for a list question
    length: float  # log(1 + distinct words)
    pair: float  # two sentences read together
    report_hint_match: float  # the report is of the type the question names
    preferred_report: float  # the report the plan prefers for this kommun
    english: float  # the question is in English
    why: float  # the question asks why
    list: float  # the question asks for a list
    report_month: float  # the report's closing month is asked
    prev_lex: float  # lex of the sentence before (or of the heading): what the context is about
    lex_rank: float  # rank of lex within the kommun
    measure_mentioned: float  # it names the asked measure (budget, prognos, andel, …)
    no_topic: float  # the question names no topic
    committee_subject: float  # the committee as a whole is its subject (nämnden, förvaltningen)
    topic_absent: float  # topic nouns this kommun's reports never use (others' do)
    topic_absent_all: float  # topic nouns no report uses
    sentence_dense: float  # the question's dense similarity to the sentence itself
    sentence_dense_rel: float  # sentence_dense minus the best within the kommun
    committee_whole: float  # committee_subject for a question naming no topic
    shares_number: float = 0.0  # a figure of one of the best rows is quoted here (`with_agreement`)
    anchor_said: float = 0.0  # a follow-up's: it names a row label of the chat's last answer
