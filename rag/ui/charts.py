"""Which figures of an answer make a bar chart, and the chart itself (Altair, no Streamlit).

A chart only sets comparable values side by side: outcomes of the same months, or plans for one
year, in one unit; a ranking's rows; kommuner on one measure. Costs (all values negative) are
drawn as positive amounts, with '(kostnad)' in the title."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.models import Answer, Fact, Report
from rag.ui.swedish import swedish_numbers
from rag.years import YEAR, years_in

#: Columns that hold a difference rather than a value; left out of charts.
CHANGE_COLUMN = re.compile(r"förändr|avvik|skillnad|differens|diff\b|%\s*\d\d/\d\d", re.I)
#: Rows whose figure has a sign of its own (a result, a deviation), never drawn as an amount.
_SIGNED_ROW = re.compile(r"resultat|avvik|över-?/?underskott|förändr", re.I)
_MONTH_ABBR = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
#: Words a column name may hold besides months and years and still be an outcome of a period.
_PERIOD_WORDS = {"utfall", "bokslut", "helår", "helåret", "per", "tom", "t", "o", "m", "januari", "augusti",
                 "april", "december", "år", "året"}


@dataclass(frozen=True)
class Chart:
    """One bar per column (or row, or kommun), in one unit."""

    title: str
    unit: str
    columns: tuple[str, ...]
    values: tuple[float, ...]


def period_group(column: str, report: Report | None) -> tuple[str, str] | None:
    """Which columns may share a chart: outcomes of the same months, or plans (budget, prognos) for a year.

    None for a column that is neither (a target, a breakdown such as 'Kvinnor 2023')."""
    low = column.lower()
    years = [str(y) for y in years_in(low)]
    rest = re.sub(rf"\b{YEAR}\b|[-–/.,()%]|\b\d{{1,2}}\b", " ", low)
    if re.search(r"budget|prognos", low):
        return ("plan", years[-1] if years else (report.period_end[:4] if report else ""))
    months = [m for m in _MONTH_ABBR if re.search(rf"\b{m}\w*", rest)]
    words = set(re.findall(r"[a-zåäö]+", rest)) - set(_MONTH_ABBR) - _PERIOD_WORDS
    if {w for w in words if not any(w.startswith(m) for m in _MONTH_ABBR)}:
        return None
    if months:
        return ("utfall", months[-1])
    if "bokslut" in low or "helår" in low:
        return ("utfall", "helår")
    if years and report is not None and years[-1] == report.period_end[:4] and not report.period_end.endswith("-12"):
        return ("utfall", _MONTH_ABBR[int(report.period_end[5:]) - 1])  # this year's figure in a part-year report
    return ("utfall", "helår") if years else None


def _is_cost(values: list[float]) -> bool:
    return all(v <= 0 for v in values) and any(v < 0 for v in values)


def _ranking_chart(facts: tuple[Fact, ...]) -> Chart | None:
    """One chart for a table's rows ranked by one column ("vilken verksamhet har störst …"): a bar per row."""
    if len(facts) < 2 or len({(f.doc_id, f.header_line, f.column, f.unit) for f in facts}) != 1 \
            or len({f.row for f in facts}) != len(facts):
        return None
    values = [f.value for f in facts]
    cost = _is_cost(values) and not CHANGE_COLUMN.search(facts[0].column)
    return Chart(f"{facts[0].kommun}: {facts[0].column}" + (" (kostnad)" if cost else ""), facts[0].unit or "antal",
                 tuple(f.row for f in facts), tuple(abs(v) if cost else v for v in values))


def _comparison_chart(facts: tuple[Fact, ...]) -> Chart | None:
    """One chart for kommuner set side by side on one measure: a bar per kommun, in mnkr (costs as
    amounts, deviations with their sign), as the answer's first sentence says them."""
    from rag.answer.periods import in_mnkr

    # one figure per kommun leads (a ranking's figures; the figures so far may follow them)
    kommuner = len({f.kommun for f in facts})
    facts = facts[:kommuner]
    if kommuner < 2 or len({f.kommun for f in facts}) != kommuner:
        return None
    if any(in_mnkr(f) is None for f in facts):
        return _shares_chart(facts)
    values = [in_mnkr(f) for f in facts]
    cost = _is_cost(values)
    # an amount is drawn as an amount whichever sign its report prints it with (Enköping prints costs
    # negative, Huddinge positive); a deviation or a result keeps its sign
    signed = bool(CHANGE_COLUMN.search(facts[0].column) or _SIGNED_ROW.search(facts[0].row))
    return Chart(f"{facts[0].row}: per kommun" + (" (kostnad)" if cost else ""), "mnkr",
                 tuple(f.kommun for f in facts), tuple(round(v if signed else abs(v), 1) for v in values))


def _shares_chart(facts: tuple[Fact, ...]) -> Chart | None:
    """Kommuner side by side on a figure of one unit that is no amount (a share in per cent, a count):
    a bar per kommun, as printed."""
    unit = facts[0].unit
    if len({f.unit for f in facts}) != 1 or unit in ("tkr", "mkr", "mnkr", "kr"):
        return None
    name = re.sub(rf"\s*(,\s*{re.escape(unit)}|\({re.escape(unit)}\))\s*$", "", facts[0].row) or facts[0].row
    return Chart(f"{name}: per kommun", unit or "antal", tuple(f.kommun for f in facts), tuple(f.value for f in facts))


def _reports_chart(facts: tuple[Fact, ...], reports: dict[str, Report]) -> Chart | None:
    """One row's asked column read in each of a kommun's reports (April's full-year forecast beside
    August's): a bar per report, in mnkr."""
    from rag.answer.periods import in_mnkr

    if not facts:
        return None
    f0 = facts[0]
    same = {f.doc_id: f for f in reversed(facts) if f.kommun == f0.kommun and f.column == f0.column}
    if len(same) < 2 or any(in_mnkr(f) is None for f in same.values()) or CHANGE_COLUMN.search(f0.column):
        return None
    ordered = sorted(same.values(), key=lambda f: reports[f.doc_id].period_end if f.doc_id in reports else f.doc_id)
    values = [in_mnkr(f) for f in ordered]
    cost = _is_cost(values)
    row_name = re.sub(r"\s*\((?:mkr|mnkr|tkr)\)", "", f0.row)  # each report's own unit: drawn in mnkr
    return Chart(f"{f0.kommun}: {row_name}, {f0.column}" + (" (kostnad)" if cost else ""), "mnkr",
                 tuple(reports[f.doc_id].title if f.doc_id in reports else f.doc_id for f in ordered),
                 tuple(round(abs(v) if cost else v, 1) for v in values))


def _row_chart(asked: set[str], row: list[Fact], report: Report | None) -> Chart | None:
    """The asked columns of one table row with the columns of the same period group, or None."""
    groups = {period_group(c, report) for c in asked} - {None}
    if len(groups) != 1:
        return None
    group = groups.pop()
    same = [f for f in row if period_group(f.column, report) == group]
    columns = [f.column for f in same]
    if len(same) < 2 or len({f.unit for f in same}) != 1 or len(set(columns)) != len(columns) \
            or not asked & set(columns):  # a chart of other columns than the asked one says nothing
        return None
    values = [f.value for f in same]
    cost = _is_cost(values)
    f0 = same[0]
    unit = f0.unit or "antal"
    row_name = re.sub(rf"\s*(,\s*{re.escape(unit)}|\({re.escape(unit)}\))\s*$", "", f0.row) or f0.row
    return Chart(f"{f0.kommun}: {row_name}" + (" (kostnad)" if cost else ""), unit, tuple(columns),
                 tuple(abs(v) if cost else v for v in values))


def _part_chart(facts: tuple[Fact, ...]) -> Chart | None:
    """A part beside the total it is part of ("varav kvinnor" 165 of "Antal anställda" 221), of one
    column of one table: the share an answer worked out from them, drawn as the two counts."""
    if len(facts) != 2:
        return None
    part, total = facts
    if (part.doc_id, part.column, part.kommun) != (total.doc_id, total.column, total.kommun) \
            or not _PART_ROW.match(part.row) or {part.unit, total.unit} - {"", "antal"}:
        return None
    return Chart(f"{part.kommun}: {total.row} {part.column}", "antal", (part.row, total.row), (part.value, total.value))


#: a row that is part of the one above it ("- varav kvinnor")
_PART_ROW = re.compile(r"^\W*varav\b", re.I)


def chart_data(answer: Answer, all_facts: list[Fact], reports: dict[str, Report] | None = None) -> list[Chart]:
    """For each asked table row: the values of the columns comparable with the asked one.

    No chart when fewer than two comparable values share a unit."""
    reports = reports or {}
    ranked = _part_chart(answer.facts) or _ranking_chart(answer.facts) or _comparison_chart(answer.facts) \
        or _reports_chart(answer.facts, reports)
    if ranked:
        return [ranked]
    asked: dict[tuple[str, int], set[str]] = {}
    for f in answer.facts:
        asked.setdefault((f.doc_id, f.line), set()).add(f.column)
    cells: dict[tuple[str, int], list[Fact]] = {k: [] for k in asked}
    for f in all_facts:
        if (f.doc_id, f.line) in cells and not CHANGE_COLUMN.search(f.column):
            cells[(f.doc_id, f.line)].append(f)
    charts = (_row_chart(asked[key], row, reports.get(key[0])) for key, row in cells.items())
    return [c for c in charts if c is not None]


def bar_chart(chart: Chart):
    """Horizontal bars with Swedish number labels: full column names stay readable on a phone. The
    chart describes itself in Swedish to a screen reader (Vega's own descriptions are English)."""
    import altair as alt
    import pandas as pd

    values = list(chart.values)
    frame = pd.DataFrame({"Kolumn": list(chart.columns), "Värde": values, "Etikett": swedish_numbers(values)})
    bars = alt.Chart(frame).mark_bar(aria=False).encode(
        y=alt.Y("Kolumn:N", sort=None, title=None, axis=alt.Axis(labelLimit=220, labelFontSize=12, aria=False)),
        x=alt.X("Värde:Q", title=chart.unit,
                axis=alt.Axis(tickCount=5, labelExpr="replace(datum.label, '.', ',')", aria=False),
                scale=alt.Scale(domain=[min(0.0, 1.2 * min(values)), 1.2 * max(0.0, *values) or 1.0])),
        tooltip=[alt.Tooltip("Kolumn:N"), alt.Tooltip("Etikett:N", title=chart.unit)])
    # each value printed beyond its bar's end: to the right of a positive bar, to the left of a negative one
    right = bars.mark_text(align="left", dx=3, fontSize=12, aria=False).encode(text="Etikett:N") \
        .transform_filter("datum['Värde'] >= 0")
    left = bars.mark_text(align="right", dx=-3, fontSize=12, aria=False).encode(text="Etikett:N") \
        .transform_filter("datum['Värde'] < 0")
    return (bars + right + left).properties(height=42 * len(chart.columns) + 40,
                                      description=f"Stapeldiagram: {chart.title}, {chart.unit}")
