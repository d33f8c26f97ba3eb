"""Column semantics: what period a table column's figure covers, and amounts brought to one unit.
A comparison across kommuner puts figures side by side only when they cover the same months,
and a person hears amounts in one unit (mnkr) with the sign a person uses (a cost is an amount)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Fact, Report
from .rows import column_info

#: kronor per unit of the money units the reports print
KRONOR = {"kr": 1.0, "tkr": 1e3, "mkr": 1e6, "mnkr": 1e6}


def months_covered(column: str, report: Report) -> int:
    """How many months of the year a column's figure covers: a full-year column (helår, års-,
    bokslut, a bare budget or target, a year before the report's) 12, a column naming its last month
    ("jan-aug", "Aug 2023") that month, otherwise the report's own period (an årsredovisning's "2023"
    is the whole year)."""
    info = column_info(column)
    low = column.lower()
    if info.helar or info.kind in ("bokslut", "prognos") or re.search(r"\bårs|helår", low):
        return 12
    named = [i + 1 for i, m in enumerate(LEXICON.months) if re.search(rf"\b{m[:3]}", low)]
    if named:
        return max(named)
    if info.kind in ("budget", "mål"):  # a budget or a target is the year's
        return 12
    if info.years and max(info.years) < int(report.period_end[:4]):
        return 12  # a closed year named without a month ("2022", "Utfall 2022" beside "2023-31 aug") is all of it
    return int(report.period_end[5:])


def column_year(column: str, report: Report) -> int:
    """The year a column's figure is of: the year it names, the year before the report's for
    "föregående år", else the report's own year."""
    info = column_info(column)
    if info.years:
        return max(info.years)
    year = int(report.period_end[:4])
    return year - 1 if info.previous else year


@dataclass(frozen=True)
class Span:
    """What a column's figure is: its kind (utfall, budget, prognos, avvikelse, bokslut), the year,
    and how many months from January it covers."""

    kind: str
    year: int
    months: int

    @property
    def full_year(self) -> bool:
        return self.months == 12

    def said(self) -> str:
        """The period as a person says it: "helår 2023", "jan–aug 2023"."""
        if self.full_year:
            return f"helår {self.year}"
        return f"jan–{LEXICON.months[self.months - 1][:3]} {self.year}"


#: a row label saying its figures are deviations from budget, whatever its columns are called
_DEVIATION_ROW = re.compile(r"avvikelse|differens", re.I)


def span_of(fact: Fact, report: Report) -> Span:
    """A closed year's bokslut is its outcome; a column naming only a year is the outcome too. A
    figure over the last twelve months ("medel senaste 12 månaderna") spans a whole year."""
    kind = column_info(fact.column).kind
    kind = "utfall" if kind in ("bokslut", "annat") else kind
    if kind == "utfall" and _DEVIATION_ROW.search(fact.row):  # "Resultat … - Avvikelse mot budget": each year's deviation
        kind = "avvikelse"
    rolling = LEXICON.comparison["rolling_year"]
    rolls = any(rolling.search(t) for t in (fact.row, fact.column, fact.caption, fact.table))
    months = 12 if rolls else months_covered(fact.column, report)
    return Span(kind, column_year(fact.column, report), months)


def in_mnkr(fact: Fact) -> float | None:
    """An amount in mnkr, or None for a figure that is no amount of kronor."""
    per = KRONOR.get(fact.unit)
    return None if per is None else fact.value * per / 1e6


def largest_amount(facts) -> float:
    """The largest amount among a row's figures, in mnkr (0 when none is an amount): how much of the
    committee a total row covers."""
    return max((abs(in_mnkr(f) or 0.0) for f in facts), default=0.0)


#: a row whose sign is part of what it says (a result, a surplus or deficit, a net), not a cost printed
#: negative; a net cost ("Verksamhetens nettokostnader") is a cost
_SIGNED_ROW = re.compile(r"result|överskott|underskott|avvikelse|netto(?!kostnad)|förändring|differens", re.I)


def is_cost(fact: Fact) -> bool:
    """An amount the table prints as a negative figure that a person says as an amount: a cost,
    not a deviation, change or result whose sign is what it says."""
    kind = column_info(fact.column).kind
    return fact.unit in KRONOR and fact.value < 0 and kind not in ("avvikelse", "förändring") \
        and not _SIGNED_ROW.search(fact.row) and not _SIGNED_ROW.search(fact.column)
