""""Vilken månad var … högst?": the highest or lowest month of a month-by-month table row.

Reports print monthly series as a table with a row per year and a column per month (Solna's
verksamhetsmått). The question asks for a column, not a row: the best month-table row the
fitted scorer finds for the question (of the asked year where the rows are years) is read
across its month columns, and the extreme month is said with its figure, cited to the row.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lexicon import LEXICON
from ..models import Answer, Fact
from ..years import is_year
from .corpus_view import CorpusView
from .evidence import Evidence
from .question import QuestionAnalysis
from .rows import FactRow, column_info
from .score import Scorer
from .verify import allowed_numbers, check_numbers, cite_row
from .wording import signed_value


@dataclass(frozen=True)
class MonthCell:
    month: int  # 1–12
    fact: Fact

    @property
    def name(self) -> str:
        return LEXICON.months[self.month - 1]


def asks_which_month(text: str) -> bool:
    low = text.lower()
    return any(rx.search(low) for rx in LEXICON.superlatives.get("which_month", ()))


def month_cells(row: FactRow) -> list[MonthCell]:
    return [MonthCell(m, f) for f in row.facts if (m := column_info(f.column).month)]


def extreme(cells: list[MonthCell], direction: str) -> list[MonthCell]:
    """The month(s) with the highest ("max") or lowest ("min") figure; amounts printed negative
    (costs) compared as amounts."""
    magnitude = (lambda c: abs(c.fact.value)) if all(c.fact.value <= 0 for c in cells) else (lambda c: c.fact.value)
    best = (max if direction == "max" else min)(magnitude(c) for c in cells)
    return [c for c in cells if magnitude(c) == best]


def month_step(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs) -> Answer | None:
    """The answer to a which-month question from the best month-table row, or None (the next step)."""
    direction = LEXICON.superlative(a.text)
    if not asks_which_month(a.text) or direction not in ("max", "min"):
        return None
    probs = scorer.score(list(ev.candidates)) if probs is None else probs
    rows = [(float(p), c.row) for c, p in zip(ev.candidates, np.asarray(probs)) if c.kind == "row"
            and len(month_cells(c.row)) >= 3 and (not a.years or not is_year(c.row.label) or int(c.row.label) in a.years)]
    if not rows:
        return None
    p, row = max(rows, key=lambda t: t[0])
    if p < scorer.thresholds.answer:
        return None
    return _said(a, view, row, extreme(month_cells(row), direction), direction)


def _said(a: QuestionAnalysis, view: CorpusView, row: FactRow, top: list[MonthCell], direction: str) -> Answer | None:
    report = view.reports[row.doc_id]
    f0 = row.first
    what = (f0.caption or f0.table).strip()
    year = row.label.strip() if is_year(row.label) else report.period_end[:4]
    months = " och ".join(c.name for c in top)
    said = signed_value(top[0].fact)
    figure = said.text
    lead = (f"{what} i {report.kommun} {year}: {'högst' if direction == 'max' else 'lägst'} i {months}, "
            f"{figure} [1].")
    series = "; ".join(f"{c.name[:3]} {c.fact.raw.strip()}" for c in month_cells(row))
    lines = [lead, "", f"Per månad {year} ({report.title}): {series} [1]"]
    citation = cite_row(row, view.reports, 1)
    allowed = allowed_numbers([citation], [abs(c.fact.value) for c in top] + [float(year), *said.computed])
    if any(check_numbers(ln, allowed) for ln in lines):
        return None
    return Answer(a.text, True, "\n".join(lines), (citation,), tuple(c.fact for c in top))
