"""How well a table row names the question's topic: by its label, its best column heading,
and a little by its caption and section. The candidates' lexical row features are these."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Fact
from .rows import MARKUP, FactRow, is_year_label
from .topic import MEASURE_TERMS, Units, cached_terms, matched, plain_terms, unit_weight

#: a label that says nothing by itself: the caption says what a bare "Summa" counts
_BARE_TOTAL = re.compile(r"(?:summa|totalt|total|summa totalt)\W*", re.I)


@dataclass(frozen=True)
class RowMatchTuning:
    """How `score_row` weighs what a row names. It defines the `lex` row feature: refit the scorer
    (`python -m eval fit`) after changing one."""

    #: recall (how much of the topic the row names) against precision (how much of the label the
    #: topic names); more precision prefers the exact row to a broader or narrower one
    recall_weight: float = 0.75
    precision_weight: float = 0.25
    #: credit for a topic word only the caption, table or section names (higher: a row of the right
    #: table matches although its own label is about something else)
    context_credit: float = 0.4


TUNING = RowMatchTuning()
_SUMMA = re.compile(r"^\s*summa\s+", re.I)


def _row_terms(row: FactRow, vocab, grouped: bool = True, plain: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """The terms of the row's label (with its caption where the label says nothing by itself)
    and of its context (caption, table, section, header). A row under a named total is read with
    what that total adds up ("Bidrag" under "Summa intäkter" is "Bidrag intäkter"). With `plain`, a
    label that is a synonym phrase ("Köp av verksamhet") is its own words too ("köpte … verksamhet")."""
    f = row.first
    label = f.row
    if is_year_label(label) or not re.search(r"[a-zåäö]{3}", label.lower()) \
            or _BARE_TOTAL.fullmatch(MARKUP.sub("", label).strip()):
        # year-by-month tables, and a bare "Summa": the caption says what is counted
        label = f"{f.caption} {f.row}"
    elif row.group and grouped:  # "Bidrag" closed by "Summa intäkter" reads as Enköping prints it, "Bidrag (intäkter)"
        label = f"{label} {_SUMMA.sub('', row.group)}"
    ctx = f"{f.caption} {f.table} {f.section} {f.header_text}"
    return cached_terms(label, vocab) | (plain_terms(label, vocab) if plain else frozenset()), cached_terms(ctx, vocab)


def score_row(row: FactRow, query: Units, idf: dict[str, float], vocab, plain: bool = False) -> float:
    """How well the row names the question's topic: idf-weighted recall of the topic by
    the label plus the best-matching column heading (the cell sits at their crossing),
    some precision (a label with words the question lacks is a narrower row), and a
    little credit for caption and section."""
    weights = [unit_weight(u, idf) for u in query]
    total = sum(weights) or 1.0
    label, ctx = _row_terms(row, vocab, plain=plain)
    in_label = [matched(u, label) for u in query]
    best_col, col_fact = 0.0, None
    for f in row.facts:
        m = _column_gain(f, query, weights, in_label, vocab)
        if m > best_col:
            best_col, col_fact = m, f
    col_terms = cached_terms(col_fact.column, vocab) if col_fact else frozenset()
    in_ctx = sum(w * matched(u, ctx) for u, w, il in zip(query, weights, in_label)
                 if not il and not matched(u, col_terms))
    recall = (sum(w * il for w, il in zip(weights, in_label)) + best_col + TUNING.context_credit * in_ctx) / total
    precision = label_precision(row, query, idf, vocab)
    return TUNING.recall_weight * recall + TUNING.precision_weight * precision


def _column_gain(f: Fact, query: Units, weights: list[float], in_label: list[float], vocab) -> float:
    """What a column heading names of the topic beyond the label (measure words aside)."""
    cols = cached_terms(f.column, vocab)
    return sum(w * max(0.0, matched(u, cols) - il) for u, w, il in zip(query, weights, in_label)
               if u[0][0] not in MEASURE_TERMS)


def label_recall(row: FactRow, query: Units, idf: dict[str, float], vocab) -> float:
    """How much of the question's topic the row label alone names (idf-weighted)."""
    weights = [unit_weight(u, idf) for u in query]
    label, _ = _row_terms(row, vocab)
    return sum(w * matched(u, label) for u, w in zip(query, weights)) / (sum(weights) or 1.0)


def label_precision(row: FactRow, query: Units, idf: dict[str, float], vocab) -> float:
    """How much of the row label the question names: a label with words the question lacks is
    another (narrower or different) row. The total the row adds up to is what it is part of, not
    a narrowing: it is left out here."""
    label, _ = _row_terms(row, vocab, grouped=False)
    qterms = {t for u in query for t, _ in u}
    lab = label - MEASURE_TERMS
    label_total = sum(idf.get(t, 1.0) for t in lab) or 1.0
    return sum(idf.get(t, 1.0) for t in lab if t in qterms) / label_total
