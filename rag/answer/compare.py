"""The comparison step: kommuner set side by side on one catalogue measure.

"Vilken kommun har störst årsbudget för köp av verksamhet?" names a measure (köp av verksamhet),
a kind of column (budget) and a span (the full year). Each kommun in scope answers with its own
row of that measure (whatever its report calls it: Köp av verksamhet / Köpt vård) and the column
of that kind and span; a part-year report's full year is its forecast. The figures are ordered
only when they are of the same measure, kind, span and kind of unit; amounts are said in mnkr with
a person's sign. A kommun without such a figure is named as such, with what its row does have.

The step answers only when the question names a catalogue measure and asks for a figure; any
other question goes on to the general composition.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Answer, Fact, Report
from ..numbers import format_sv
from ..search.lexical import split_compound, stem, words
from .corpus_view import CorpusView
from .measures import Measure, near_spelling, catalogue, named_measures, stems_of
from .periods import Span, in_mnkr, largest_amount, span_of
from .plan import Plan
from .question import QuestionAnalysis
from .rows import FactRow, asked_figure
from .text_figures import TEXT_FIGURE_KINDS, TextFigure, text_figure
from .verify import allowed_numbers, check_numbers, cite_passage, cite_row
from .wording import lower_first

log = logging.getLogger(__name__)

#: the column kinds a comparison can ask for
KINDS = ("utfall", "budget", "prognos", "avvikelse", "mål")


@dataclass(frozen=True)
class Asked:
    """What a comparison asks for."""

    measure: Measure
    kind: str  # utfall | budget | prognos | avvikelse | mål
    months: int  # the last month of the year the question names (januari–augusti: 8), else 0
    span: str  # helår | period | föregående | "" (not said)
    direction: str  # max | min | negative | "" (a comparison, no ranking asked)
    committee: bool = False  # the committee as a whole ("störst budget för socialnämnden"): its own total row


@dataclass(frozen=True)
class Figure:
    """One kommun's figure of the asked measure."""

    kommun: str
    report: Report
    row: FactRow
    fact: Fact
    span: Span
    near: bool = False  # the row names the measure among words of its own (`near_row_measures`)
    at_date: bool = False  # a stock counted at the span's last month (`Measure.at_date`)

    @property
    def mnkr(self) -> float | None:
        return in_mnkr(self.fact)

    def said_value(self, sign: str) -> float:
        """The value as a person says it: a cost or an income is an amount (tables print costs as
        negative figures); a deviation or a result keeps its sign (positive: better than budget)."""
        v = self.mnkr if self.mnkr is not None else self.fact.value
        return abs(v) if sign in ("cost", "income", "net") else v


@dataclass(frozen=True)
class Missing:
    kommun: str
    reason: str
    row: FactRow | None = None  # the measure's row, when the kommun has one without the asked column


def asked_comparison(a: QuestionAnalysis, plan: Plan, vocab) -> Asked | None:
    """The measure, column kind, span and direction a comparison asks for; None when the question
    names no catalogue measure of a figure."""
    named = named_measures(a.text, vocab)
    low = a.text.lower()
    cmp, said = LEXICON.comparison, LEXICON.period_words
    cat = catalogue()
    # no measure named, the committee and a budget or forecast are: the committee's own net cost
    kind_words = [w for w in words(low) if said["budget"].search(w) or said["prognos"].search(w)]
    committee = not named and bool(LEXICON.committee.search(low) or LEXICON.is_rank(low)) and bool(kind_words) \
        and all(cmp["committee_kind"].fullmatch(w) for w in kind_words)  # not "budgetföljsamhet"
    if not named and not committee:
        return None
    # of several measures named ("sjukfrånvaro bland personalen" names personalkostnader too) the
    # first that the rest of the question's words leave alone
    figure = asked_figure(a, plan.measure)
    fitting = [m for m in (cat.measures[mid] for mid, _ in named or [("nettokostnad", 1.0)])
               if not _other_subject(a, m, vocab) and _figure_fits(figure, m)]
    if not fitting:
        return None
    measure = fitting[0]
    # a deviation is named with a budget or a forecast, a forecast against a budget: the most
    # particular kind the question names decides
    if said["avvikelse"].search(low) or cmp["over_budget"].search(low) or _is_result(measure):
        kind = "avvikelse"
    elif said["prognos"].search(low) or cmp["forecast"].search(low):
        kind = "prognos"
    elif said["budget"].search(low):
        kind = "budget"
    elif any(rx.search(low) for rx in LEXICON.measure_patterns.get("mål", ())):
        kind = "mål"
    else:
        kind = "utfall"
    if cmp["previous_year"].search(low):
        span = "föregående"
    elif cmp["full_year"].search(low):
        span = "helår"
    elif a.months or cmp["so_far"].search(low):
        span = "period"
    else:
        span = ""
    direction = LEXICON.ordering(low)
    if not direction and _is_result(measure) and any(rx.search(low) for rx in LEXICON.superlatives["negative"]):
        direction = "negative"  # "vilka går med underskott": the largest deficit first
    if measure.better and (quality := _best_or_worst(low)):  # "bäst HME", "sämst sjukfrånvaro"
        high = (measure.better == "higher") == (quality == "best")
        direction = "max" if high else "negative" if _is_result(measure) else "min"
    if direction != "min" and measure.sign in ("cost", "net", "deviation") and cmp["above_budget"].search(low):
        direction = "negative"  # a cost or a committee "furthest over budget": the largest deficit first
    return Asked(measure, kind, max(a.months, default=0), span, direction, committee)


def _best_or_worst(low: str) -> str:
    """'best' or 'worst' when the question asks for the better or the worse end, else ''."""
    said = [k for k in ("best", "worst") if any(rx.search(low) for rx in LEXICON.superlatives.get(k, ()))]
    return said[0] if len(said) == 1 else ""


def _is_result(measure: Measure) -> bool:
    """The committee's result or its deviation from budget: a measure read in the deviation column
    of the committee's own total row, whatever that row is labelled."""
    return measure.group == "resultat" and measure.sign == "deviation"


def _asks_figure(a: QuestionAnalysis, plan: Plan) -> bool:
    """Whether the question asks for figures to set side by side: a ranking, a superlative, or a kind
    of figure or column named; not "how does X work" (`manner`) nor "has it increased" (a trend)."""
    if (a.direction and plan.intent != "rank") or a.manner:
        return False
    # "Är sjukfrånvaron högre i Solna än i Huddinge?": two levels compared
    levels = plan.intent == "compare" and bool(set(words(a.text.lower())) & LEXICON.direction_comparative)
    return plan.intent == "rank" or bool(LEXICON.ordering(a.text)) or bool(plan.measure) or levels \
        or bool(asked_figure(a, plan.measure)) or bool(LEXICON.comparison["how_much"].search(a.text.lower()))


#: a month's name, Swedish or English, names a period, not a subject
_MONTH_NAMES = frozenset(LEXICON.months) | frozenset(m.lower() for m in LEXICON.conversation["months_english"])
#: definite endings the stemmer leaves on a long noun ("medarbetarengagemanget")
_DEFINITE = frozenset({"et", "en", "ets", "ens", "na", "nas"})


def _other_subject(a: QuestionAnalysis, measure: Measure, vocab) -> list[str]:
    """Topic words of the question (of seven letters or more, as `absent_words` reads them) that the
    measure's names do not cover and that name something of their own: "riksnormen" in a question
    about ekonomiskt bistånd asks about the norm, not the cost."""
    names = set().union(*(set(stems_of(n)) for n in (measure.name, *measure.names, *measure.english)))
    cmp = LEXICON.comparison
    out = []
    for w in a.topic_words:
        if len(w) < 7 or cmp["no_subject"].search(w) or any(rx.search(w) for rx in LEXICON.period_words.values()) \
                or w in _MONTH_NAMES or w in LEXICON.duration_units or w in LEXICON.time_words \
                or any(cmp[k].search(w) for k in ("so_far", "full_year", "previous_year", "over_budget", "overspend")) \
                or w in LEXICON.direction_up or w in LEXICON.direction_down:  # how it moved, not what
            continue
        if any(rx.search(w) for rxs in LEXICON.superlatives.values() for rx in rxs) or w in LEXICON.measure_words:
            continue
        parts = {stem(w)} | {stem(p) for p in split_compound(w, vocab)}
        if not parts & names and not any(near_spelling(x, n) for x in parts for n in names) \
                and not any(w.startswith(n) and w[len(n):] in _DEFINITE for n in names):
            out.append(w)
    return out


def _figure_fits(figure: str, measure: Measure) -> bool:
    """A question asking how many is not answered with an amount, nor one asking for a share."""
    return not figure or figure == measure.kind


def _closed_year(span: Span, report: Report) -> bool:
    """The outcome of the whole year an annual report closes: what any forecast of it became."""
    return span.kind == "utfall" and span.full_year and int(report.period_end[5:]) == 12 \
        and span.year == int(report.period_end[:4])


def _kind_fits(span: Span, asked: Asked, report: Report) -> bool:
    if span.kind == asked.kind:
        return True
    # asked for the year's outcome, a part-year report answers with its full-year forecast; asked
    # for a forecast, an annual report with the year's outcome
    return asked.kind == "utfall" and asked.span == "helår" and span.kind == "prognos" \
        and int(report.period_end[5:]) < 12 or asked.kind == "prognos" and _closed_year(span, report)


def _fits(span: Span, asked: Asked, report: Report, years: tuple[int, ...]) -> bool:
    """Whether a column of this span answers: its kind, the span asked (the full year, the report's
    own part of the year, or the year before), and a year the question names."""
    report_year, report_months = int(report.period_end[:4]), int(report.period_end[5:])
    if not _kind_fits(span, asked, report):
        return False
    if asked.months and span.months != asked.months and asked.span != "helår":
        return False  # "januari–augusti": eight months, whatever else the question says
    if years and span.year not in years and asked.span != "föregående":
        return False
    if asked.span == "helår":  # "helåret 2023" of a 2024 report: its bokslut 2023
        return span.full_year and (span.year in years if years else span.year == report_year)
    if asked.span == "period":  # "jan–aug 2022" in a 2023 report: the year named, else the report's
        return (bool(years) or span.year == report_year) and span.months == (asked.months or report_months)
    if asked.span == "föregående":  # the same part of the year before, else that whole year
        return span.year == report_year - 1 and (span.months == (asked.months or report_months) or span.full_year)
    if asked.kind in ("budget", "prognos", "mål"):  # not said: a budget, forecast or target is the year's
        return span.full_year and span.year == report_year
    # the year named ("HME 2022" beside "2023-31 aug"; of several, the latest the report reaches:
    # "Solna 2023 … Enköping 2024"), else the report's: all of it or the report's part
    year = max((y for y in years if y <= report_year), default=max(years)) if years else report_year
    return span.year == year and (span.full_year or span.months == report_months)


def _own_forecast(text: str, kommun: str) -> bool:
    """Whether the question asks this kommun's forecast by name ("Enköpings prognostiserade
    överskott", "Enköping's forecast"): a forecast is of the year its report is in, whatever year
    the question names for the others."""
    said = re.search(rf"\b{re.escape(kommun)}(?:s|'s)\s+(\w+)(?:\s+(\w+))?", text, re.I)
    return bool(said) and any(LEXICON.period_words["prognos"].search(w.lower()) for w in said.groups() if w)


def _preference(span: Span, asked: Asked, report: Report) -> tuple:
    """Among fitting columns, the full year first (a deviation of the year's forecast says more than
    the period's), then the longer span; the year before's same months first, as the report sets
    its own period beside them."""
    if asked.span == "föregående":
        return span.months == (asked.months or int(report.period_end[5:])), span.months
    # an annual report's forecast for its own year is superseded by the year's outcome
    return span.full_year, asked.kind != "prognos" or _closed_year(span, report), span.months


def figure_of(view: CorpusView, kommun: str, asked: Asked, plan: Plan) -> Figure | Missing:
    """The kommun's figure of the asked measure: its newest report in scope (a report the question
    names first), the most confident row of the measure, the column of the asked kind and span."""
    money = asked.measure.kind == "money"
    docs = [view.reports[d] for d in plan.doc_ids if view.reports[d].kommun == kommun]
    preferred = [d for d in docs if d.doc_id in plan.preferred] + [d for d in docs if d.doc_id not in plan.preferred]
    # a year later than all of the kommun's reports (2024 of a kommun reporting 2023): its newest
    # figure, said with its own year beside the others
    latest = max((int(d.period_end[:4]) for d in docs), default=0)
    years = plan.years if not plan.years or min(plan.years) <= latest else ()
    if _own_forecast(plan.analysis.text, kommun):  # "… jämfört med Enköpings prognostiserade överskott": its year's
        years = ()
    found_row: FactRow | None = None
    # a kommun without a confident row of the measure is read in its nearest one, said as such
    sources = ((False, view.measure_rows), (True, view.near_measure_rows))
    own_total = (False, lambda _m, _money: {d: [(r, 1.0) for r in rows] for d, rows in view.committee_rows.items()})
    if asked.committee:  # the committee as a whole: its own net total (not a result row beside it)
        sources = ((False, lambda _m, _money: {d: [(r, 1.0) for r in _whole_committee(rows)]
                                                for d, rows in view.committee_rows.items()}),)
    elif _is_result(asked.measure):  # the committee's result: its own total row's deviation first
        sources = (own_total, *sources)
    for near, rows_of in sources:
        if found_row is not None:
            break
        for report in preferred:
            for row, _conf in rows_of(asked.measure.id, money).get(report.doc_id, []):
                found_row = found_row or row
                fits = [(span_of(f, report), f) for f in row.facts
                        if (in_mnkr(f) is not None) == money and not _per_something(f, row)]
                fits = [(s, f) for s, f in fits if _fits(s, asked, report, years)]
                if fits:
                    span, fact = max(fits, key=lambda t: _preference(t[0], asked, report))
                    return Figure(kommun, report, row, fact, span, near, asked.measure.at_date)
    if found_row is not None:
        have = ", ".join(dict.fromkeys(f.column for f in found_row.facts))
        return Missing(kommun, f"raden «{found_row.label.strip()}» har ingen sådan kolumn (bara {have})", found_row)
    return Missing(kommun, f"ingen tabellrad i rapporterna kunde läsas som {lower_first(asked.measure.name)}")


def _span_class(span: Span, asked: Asked | None) -> tuple[str, int]:
    """What a figure is, for ordering: its kind and months; asked for the full year's outcome or a
    forecast, a year's outcome and a part-year report's full-year forecast are both the full year
    (each said as what it is); a share or an index is a rate whatever months it covers (sick leave over eight
    months beside a year's: each said with its period)."""
    if asked is not None and (asked.measure.kind in ("share", "index") or asked.measure.at_date):
        return span.kind, 0
    if asked is not None and (asked.kind == "utfall" and asked.span == "helår" or asked.kind == "prognos") \
            and span.full_year and span.kind in ("utfall", "prognos"):
        return "helår", 12
    return span.kind, span.months


def _whole_committee(rows: list[FactRow]) -> list[FactRow]:
    """A report's committee total rows of the committee's whole amount: at least half the largest
    (its result, a deficit of a few per cent of that, is another row)."""
    top = max((largest_amount(r.facts) for r in rows), default=0.0)
    return [r for r in rows if largest_amount(r.facts) >= top / 2]


def _per_something(fact: Fact, row: FactRow) -> bool:
    """A figure per inhabitant, per care day, …: a ratio, not the measure's amount."""
    ratio = LEXICON.comparison["ratio"]
    return bool(ratio.search(fact.column) or ratio.search(row.label))


def comparable(figures: list[Figure], asked: Asked | None = None) -> str:
    """'' when the figures can be ordered, else why not (different spans or kinds of unit)."""
    spans = {_span_class(f.span, asked) for f in figures}
    if len(spans) > 1:
        return "siffrorna gäller olika långa perioder eller olika slags siffror"
    near = [f for f in figures if f.near]
    if near:
        return "raden för " + " och ".join(f"{f.kommun} («{f.row.label.strip()}»)" for f in near) + \
            " är inte säkert samma mått"
    # an index (HME) is printed with "%" by one kommun and bare by another: one scale, 0–100
    units = {"" if asked is not None and asked.measure.kind == "index" and f.fact.unit in ("%", "antal") else f.fact.unit
             for f in figures if f.mnkr is None}
    if len({f.mnkr is None for f in figures}) > 1 or len(units) > 1:
        return "siffrorna har olika enheter"
    return ""


def said_sign(asked: Asked) -> str:
    """How the figures are said: a deviation keeps its sign (överskott, underskott), whatever it is a
    deviation of; otherwise as the measure is (a cost is an amount)."""
    return "deviation" if asked.kind == "avvikelse" else asked.measure.sign


def ordered(figures: list[Figure], asked: Asked) -> list[Figure]:
    """Figures in the asked order: the highest first, the lowest first for 'min', the most negative
    first for 'negative'."""
    sign = said_sign(asked)
    if asked.direction == "negative":
        return sorted(figures, key=lambda f: f.said_value(sign))
    if asked.direction == "min" and sign == "deviation":  # "minst avvikelse": nearest the budget first
        return sorted(figures, key=lambda f: abs(f.said_value(sign)))
    return sorted(figures, key=lambda f: f.said_value(sign), reverse=asked.direction != "min")


def amount(f: Figure, sign: str) -> str:
    """The figure as a person says it, in mnkr for an amount, with överskott/underskott for a
    deviation."""
    v = f.said_value(sign)
    if f.mnkr is None:
        unit = "" if f.fact.unit in ("", "antal") else " " + f.fact.unit
        return f"{format_sv(v)}{unit}"
    said = f"{format_sv(abs(v) if sign == 'deviation' else v, 1)} mnkr"
    if sign == "deviation":
        return f"{'överskott' if v > 0 else 'underskott' if v < 0 else 'ingen avvikelse'} {said}"
    return said


def column_said(f: Figure, year: bool = True) -> str:
    """What the figure is, in words: "helårsprognos 2024", "budget jan–aug 2023" (without the year
    where the figures compared are of different years)."""
    if f.at_date and f.span.kind == "utfall":  # a headcount is of a month's end: "augusti 2023"
        month = LEXICON.months[f.span.months - 1]
        return f"{month} {f.span.year}" if year else month
    kind = {"utfall": "utfall", "budget": "budget", "prognos": "prognos", "avvikelse": "avvikelse mot budget",
            "mål": "mål"}
    period = f.span.said() if year else ("helår" if f.span.full_year else f.span.said().rsplit(" ", 1)[0])
    if f.span.kind == "prognos" and f.span.full_year:
        return f"helårsprognos {f.span.year}" if year else "helårsprognos"
    return f"{kind.get(f.span.kind, f.span.kind)} {period}"


# --- the answer -------------------------------------------------------------------------------


def comparison_answer(view: CorpusView, a: QuestionAnalysis, plan: Plan) -> Answer | None:
    """The kommuner in scope side by side on the asked measure, ordered when comparable; None when the
    question names no catalogue measure or no kommun has a figure of it (the general composition
    then answers)."""
    if plan.intent in ("why", "list", "trend") or not plan.kommuner or not _asks_figure(a, plan) \
            or (plan.intent == "rank" and a.direction and LEXICON.comparison["moved"].search(a.text)):  # `changes.py`
        return None
    asked = asked_comparison(a, plan, view.vocab)
    if asked is None:
        return None
    found = [figure_of(view, k, asked, plan) for k in plan.kommuner]
    so_far: list[Figure] = []
    full_year = _full_year_instead(view, asked, plan, found)
    later_heading = "Hittills under året, olika långa perioder och därför inte rangordnat"
    if full_year is not None:
        so_far = [f for f in found if isinstance(f, Figure)]
        asked, found = full_year
    elif (common := _common_year_instead(view, asked, plan, found)) is not None:
        so_far = [f for f in found if isinstance(f, Figure)]
        found = common
        later_heading = "Senare siffror, som inte alla kommuner redovisar och därför inte rangordnade"
    figures = [f for f in found if isinstance(f, Figure)]
    missing = [f for f in found if isinstance(f, Missing)]
    in_text = _in_text(view, asked, plan, missing)
    missing = [m for m in missing if m.kommun not in {t.kommun for t in in_text}]
    if _text_searched(asked):  # said of the text too: it was read
        none = "inget antal" if asked.measure.kind == "count" else "ingen avvikelse mot budget"
        missing = [dataclasses.replace(m, reason=f"{m.reason}, och texten anger {none}") for m in missing]
    if not figures and in_text and (len(in_text) > 1 or plan.intent == "rank"):
        return _text_answer(view, a, asked, in_text, missing)
    if not figures or (len(figures) < 2 and plan.intent != "rank" and len(plan.kommuner) < 2):
        return None
    sign = said_sign(asked)
    if not so_far and (asked.direction or plan.intent == "rank") and (apart := _other_spans(figures, asked)):
        # most of the kommuner print the asked span: those are ordered, the others said after
        figures = [f for f in figures if f not in apart]
        so_far, later_heading = apart, "Andra perioder, och därför inte rangordnade"
    why_not = comparable(figures, asked) if len(figures) > 1 else ""
    if not why_not and (asked.direction or plan.intent == "rank"):
        figures = ordered(figures, dataclasses.replace(asked, direction=asked.direction or "max"))
    citations = [cite_row(f.row, view.reports, i + 1) for i, f in enumerate(figures)]
    # the amounts said in mnkr and the years the columns are of are computed from the cited rows
    computed = [round(abs(f.mnkr), 1) for f in figures if f.mnkr is not None]
    computed += [float(f.span.year) for f in figures] + [float(abs(f.said_value(sign))) for f in figures]
    lines = [_lead(figures, asked, why_not, plan)]
    lines += ["", "| Kommun | Siffra | Som i rapporten | Kolumn | Rapport |", "|---|---|---|---|---|"]
    for i, f in enumerate(figures, 1):
        raw = f.fact.raw.strip()
        unit = f" {f.fact.unit}" if f.fact.unit not in ("", "antal") and not raw.endswith(f.fact.unit) else ""
        lines.append(f"| {f.kommun} | {amount(f, sign)} | {raw}{unit} ({f.row.label.strip()}) "
                     f"| {f.fact.column} | {f.report.title} [{i}] |")
    years = sorted({f.span.year for f in figures})
    if len(years) > 1:
        lines.append("")
        lines.append("Siffrorna gäller olika år: " + "; ".join(f"{f.kommun} {f.span.year}" for f in figures) + ".")
    if so_far:
        lines += ["", _so_far_line(so_far, figures, citations, view, sign, later_heading)]
        computed += [round(abs(f.mnkr), 1) for f in so_far if f.mnkr is not None]
        computed += [float(f.span.year) for f in so_far] + [float(abs(f.said_value(sign))) for f in so_far]
    if in_text:
        lines += ["", _text_line(in_text, citations, view, "I rapporternas text, inte i en tabell och därför inte "
                                                          "rangordnat")]
        computed += [float(t.year) for t in in_text]
    lines += missing_lines(missing, citations, view)
    allowed = allowed_numbers(citations, computed)
    kept = [ln for ln in lines if not check_numbers(ln, allowed)]
    if len(kept) < len(lines):
        log.warning("no comparison: unsupported numbers in %s", [ln for ln in lines if ln not in kept])
        return None  # a figure that cannot be traced to a citation: no comparison is shown
    # the figures so far follow the ranked ones (a chart draws the ranked ones: one per kommun)
    facts = tuple(f.fact for f in figures) + tuple(f.fact for f in so_far if f.fact not in {g.fact for g in figures})
    return Answer(a.text, True, "\n".join(kept), tuple(citations), facts)


def _in_text(view: CorpusView, asked: Asked, plan: Plan, missing: list[Missing]) -> list[TextFigure]:
    """The counts the kommuner without a table figure give in their text (an outcome asked, of no
    earlier year): said beside the others, never ranked."""
    if not _text_searched(asked):
        return []
    found = [text_figure(view.passages, view.reports, m.kommun, asked.measure, plan.doc_ids, asked.kind) for m in missing]
    return [t for t in found if t is not None and (not plan.years or t.year in plan.years)]


def _text_searched(asked: Asked) -> bool:
    """Whether a kommun without a table figure is read in its text: a count's outcome or an amount's
    deviation from budget, of no year before."""
    return (asked.measure.kind, asked.kind) in TEXT_FIGURE_KINDS and asked.span != "föregående"


def _text_line(in_text: list[TextFigure], citations: list, view: CorpusView, heading: str) -> str:
    parts = []
    for t in in_text:
        citations.append(cite_passage(t.passage, view.reports, len(citations) + 1))
        year = "" if t.year == int(t.report.period_end[:4]) else f"{t.year}, "
        parts.append(f"{t.kommun} {t.said} ({year}{t.report.title}) [{len(citations)}]")
    return f"{heading}: " + "; ".join(parts) + "."


def _text_answer(view: CorpusView, a: QuestionAnalysis, asked: Asked, in_text: list[TextFigure],
                 missing: list[Missing]) -> Answer | None:
    """No kommun has a table figure of the count, some give it in their text: each said with its year
    and report, quoted, not ranked (a text's figure may be of another period or a rounded one)."""
    citations: list = []
    lines = [_text_line(in_text, citations, view, f"{asked.measure.name} enligt rapporternas text (inte "
                                                  f"rangordnat: siffror ur löptext, inte ur tabeller)")]
    lines += [f"- {t.kommun}: «{t.sentence.strip()}» [{i}]" for i, t in enumerate(in_text, 1)]
    lines += missing_lines(missing, citations, view)
    allowed = allowed_numbers(citations, [float(t.year) for t in in_text])
    if any(check_numbers(ln, allowed) for ln in lines):
        return None
    return Answer(a.text, True, "\n".join(lines), tuple(citations), ())


def missing_lines(missing: list[Missing], citations: list, view: CorpusView) -> list[str]:
    """A line per kommun without the figure, citing the measure's row where it has one (the
    citation is added to `citations`)."""
    lines = []
    for m in missing:
        if m.row is not None:
            citations.append(cite_row(m.row, view.reports, len(citations) + 1))
            lines.append(f"- {m.kommun}: {m.reason} [{len(citations)}]")
        else:
            lines.append(f"- {m.kommun}: {m.reason}.")
    return lines


def _full_year_instead(view: CorpusView, asked: Asked, plan: Plan,
                       found: list[Figure | Missing]) -> tuple[Asked, list[Figure | Missing]] | None:
    """An outcome asked without a span, from reports of different months (January–August against a
    whole year): the full year is what every report has (an annual report's outcome, a part-year
    report's full-year forecast), so the order is read there; the figures so far are shown beside.
    None when the figures found are of one span, or the full year orders no more of them."""
    figures = [f for f in found if isinstance(f, Figure)]
    if asked.kind != "utfall" or asked.span or asked.months or len(figures) < 2 \
            or len({(f.span.kind, f.span.months) for f in figures}) < 2:
        return None
    full = dataclasses.replace(asked, span="helår")
    again = [figure_of(view, k, full, plan) for k in plan.kommuner]
    whole = [f for f in again if isinstance(f, Figure)]
    if len(whole) < len(figures) or comparable(whole, full):
        return None
    return full, again


def _common_year_instead(view: CorpusView, asked: Asked, plan: Plan,
                         found: list[Figure | Missing]) -> list[Figure | Missing] | None:
    """An outcome asked without a year, which some kommuner's rows print only for an earlier year
    (an annual index measured in 2022, beside another kommun's 2023): the latest earlier year that
    more kommuner have is where they are set side by side. None when no earlier year has more."""
    have = sum(isinstance(f, Figure) for f in found)
    rows = [m.row for m in found if isinstance(m, Missing) and m.row is not None]
    if asked.kind != "utfall" or asked.span or asked.months or plan.years or not rows:
        return None
    years = sorted({span_of(f, view.reports[r.doc_id]).year for r in rows for f in r.facts}, reverse=True)
    for year in years:
        again = [figure_of(view, k, asked, dataclasses.replace(plan, years=(year,))) for k in plan.kommuner]
        if sum(isinstance(f, Figure) for f in again) > max(have, 1):
            return again
    return None


def _other_spans(figures: list[Figure], asked: Asked) -> list[Figure]:
    """Figures of another span than the one most of them share (Solna's whole year beside two
    kommuners' January–August), when at least two share it and it is the only such span; [] when
    the figures are of one span or no span is shared by most."""
    counts = Counter(_span_class(f.span, asked) for f in figures)
    (top, n), *rest = counts.most_common()
    if n < 2 or not rest or rest[0][1] == n:
        return []
    return [f for f in figures if _span_class(f.span, asked) != top]


def _so_far_line(so_far: list[Figure], figures: list[Figure], citations: list, view: CorpusView, sign: str,
                 heading: str) -> str:
    """The later or part-year outcomes, each with its own period (not ordered), citing the row the
    ordered figure cites where it is the same row."""
    cited = {(f.row.doc_id, f.row.line): i for i, f in enumerate(figures, 1)}
    parts = []
    for f in so_far:
        key = (f.row.doc_id, f.row.line)
        if key not in cited:
            citations.append(cite_row(f.row, view.reports, len(citations) + 1))
            cited[key] = len(citations)
        parts.append(f"{f.kommun} {amount(f, sign)} ({column_said(f)}) [{cited[key]}]")
    return f"{heading}: " + "; ".join(parts) + "."


def _lead(figures: list[Figure], asked: Asked, why_not: str, plan: Plan) -> str:
    """The first sentence: the ordering (or the figures side by side), each cited."""
    sign = said_sign(asked)
    one_year = len({f.span.year for f in figures}) == 1
    # a share or an index of different months (a rate is ordered as a rate): each says its period
    one_kind = len({f.span.kind for f in figures}) == 1 and len({f.span.months for f in figures}) == 1
    what = f"{lower_first(asked.measure.name)}, {column_said(figures[0], one_year) if one_kind else 'helår'}"
    if not one_kind and len({f.span.kind for f in figures}) == 1 and not all(f.span.full_year for f in figures):
        what = lower_first(asked.measure.name)
    if _is_result(asked.measure):  # "Störst underskott mot budget, helår"
        what = "mot budget, " + (figures[0].span.said() if one_year else "helår" if figures[0].span.full_year
                                 else figures[0].span.said().rsplit(" ", 1)[0])
    # figures of different years or kinds (an outcome beside a forecast) each say theirs, so that the
    # first sentence can be repeated alone
    each = [f"{f.kommun} {amount(f, sign)}"
            f"{'' if one_year and one_kind else f' ({f.span.year})' if one_kind else f' ({column_said(f)})'} [{i}]"
            for i, f in enumerate(figures, 1)]
    if len(figures) == 1:
        return f"{asked.measure.name}, {column_said(figures[0])}: {each[0]}."
    if why_not:
        return (f"{asked.measure.name}: " + "; ".join(f"{f.kommun} {amount(f, sign)} ({column_said(f)}) [{i}]"
                                                     for i, f in enumerate(figures, 1))
                + f". Ingen rangordning: {why_not}.")
    if asked.direction or plan.intent == "rank":
        head = {"max": "Högst", "min": "Lägst", "negative": "Störst underskott"}[asked.direction or "max"]
        if sign == "deviation" and asked.direction in ("max", ""):
            head = "Störst överskott"
        elif sign == "deviation" and asked.direction == "min":
            head = "Minst avvikelse"
        rest = ", ".join(each[1:-1]) + (" och " if len(each) > 2 else "") + each[-1]
        return f"{head} {what}: {each[0]}; därefter {rest}."
    top = ordered(figures, dataclasses.replace(asked, direction="max"))[0]
    tail = f"Högst: {top.kommun}"
    if sign == "deviation":  # "Högst" of two deficits would name the smaller one
        worst = ordered(figures, dataclasses.replace(asked, direction="negative"))[0]
        tail = f"Störst underskott: {worst.kommun}" if worst.said_value(sign) < 0 else f"Störst överskott: {top.kommun}"
    said = column_said(figures[0], one_year) if one_kind else \
        "helår" + (f" {figures[0].span.year}" if one_year else "")  # an outcome beside forecasts: each says which
    if not one_kind and not all(f.span.full_year for f in figures):
        return f"{asked.measure.name}: " + ", ".join(each) + f". {tail}."  # a rate of different months: each says its own
    return f"{asked.measure.name} ({said}): " + ", ".join(each) + f". {tail}."
