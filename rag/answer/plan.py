"""A plan per question: which kommuner, which reports, which period and measure.

The plan is decided before any evidence is scored, from the question's analysis
and what the corpus covers, so that a year or a report the corpus lacks is a
refusal with that reason, never the nearest year's figure.
"""
from __future__ import annotations

from dataclasses import dataclass

from .question import QuestionAnalysis
from ..lexicon import LEXICON
from ..models import Report

INTENTS = ("lookup", "why", "trend", "compare", "list", "rank")


@dataclass(frozen=True)
class Plan:
    analysis: QuestionAnalysis
    kommuner: tuple[str, ...]  # in scope, in the order they are answered
    named: bool  # the question (or the user's filter) named them
    doc_ids: tuple[str, ...]  # reports in scope, newest first
    years: tuple[int, ...]
    uncovered_years: tuple[int, ...]  # asked years that are not a report year of the kommuner in scope
    measure: str  # utfall | budget | prognos | avvikelse | mål | per_invånare | andel | antal | ""
    intent: str  # one of INTENTS
    refusal: str = ""  # why the reports cannot answer, decided from the plan alone
    preferred: tuple[str, ...] = ()  # per kommun, the report to read first (see `preferred_reports`)

    @property
    def all_kommuner(self) -> bool:
        return not self.named


def _measure(a: QuestionAnalysis) -> str:
    """The figure asked for, from the lexicon's measure words (first match in the question wins)."""
    low = a.text.lower()
    best, pos = "", len(low) + 1
    for name, patterns in LEXICON.measure_patterns.items():
        for rx in patterns:
            m = rx.search(low)
            if m and m.start() < pos:
                best, pos = name, m.start()
    return best


def make_plan(a: QuestionAnalysis, reports: dict[str, Report], kommuner: tuple[str, ...] = (),
              doc_ids: tuple[str, ...] = ()) -> Plan:
    """Scope, period coverage and report choice for one question."""
    corpus_kommuner = sorted({r.kommun for r in reports.values()})
    # "Vilken kommun har störst …, och hur stor är Huddinges?": a ranking of one kommun is none; the
    # question ranks them all (the one named is among them)
    beside_others = bool(LEXICON.comparison["other_kommuner"].search(a.text))  # "… jämfört med de andra kommunerna"
    across = not kommuner and len(a.kommuner) == 1 and (
        LEXICON.is_rank(a.text) and bool(LEXICON.ordering(a.text)) or beside_others)
    named = bool(kommuner or a.kommuner) and not across
    scope = tuple(kommuner or (() if across else a.kommuner)) or tuple(corpus_kommuner)
    if not named and not across and a.report_types:
        # "enligt tertialrapporten": only the kommuner that publish every report type named
        typed = tuple(k for k in scope if all(any(r.kommun == k and r.report_type == t for r in reports.values())
                                              for t in a.report_types))
        scope = typed or scope
    intent = a.intent
    if intent in ("compare", "lookup", "list") and not named and LEXICON.is_rank(a.text):
        intent = "rank"
    elif intent == "list" and len(scope) > 1 and named and LEXICON.is_rank(a.text):
        intent = "rank"  # "Which municipality has the higher …, Eskilstuna or Huddinge?": the named ones ranked
    elif len(scope) > 1 and named and LEXICON.ranks_named(a.text, scope):
        intent = "rank"  # "Vilken av Enköping och Solna hade högst …?"
    elif across and beside_others and intent not in ("rank", "why", "list"):
        intent = "compare"
    measure = _measure(a)
    docs = [r for r in reports.values() if r.kommun in scope and (not doc_ids or r.doc_id in doc_ids)]
    docs.sort(key=lambda r: r.period_end, reverse=True)
    docs = _of_the_report_type_named(a, docs)
    refusal = ""
    if a.not_about:
        refusal = a.not_about
    elif a.foreign_places and not a.kommuner:
        have = sorted({r.kommun for r in reports.values()})
        named = ", ".join(have[:-1]) + " och " + have[-1] if len(have) > 1 else "".join(have)
        refusal = f"underlaget har inga rapporter från {', '.join(a.foreign_places)}" + (f", bara från {named}"
                                                                                       if named else "")
    elif a.odd_years:
        span = sorted(int(y) for r in reports.values() for y in (r.period_start[:4], r.period_end[:4]))
        covered = f" (rapporterna gäller {span[0]}–{span[-1]})" if span else ""
        refusal = f"år {', '.join(a.odd_years)} ligger utanför varje rapports period{covered}"
    elif not docs:
        refusal = "inga rapporter finns för det urvalet"
    elif named and any(not any(r.report_type == t for r in docs) for t in a.report_types):
        lacking = next(t for t in a.report_types if not any(r.report_type == t for r in docs))
        have = ", ".join(sorted({r.title for r in docs}))
        refusal = f"det finns ingen {lacking} för {', '.join(scope)} i underlaget (bara {have})"
    elif named and (open_years := _years_not_closed(a, scope, reports)):
        refusal = open_years
    report_years = {int(r.period_end[:4]) for r in docs}
    uncovered = tuple(y for y in a.years if y not in report_years)
    return Plan(a, scope, named, tuple(r.doc_id for r in docs), a.years, uncovered, measure, intent, refusal,
                preferred_reports(a, docs))


def _years_not_closed(a: QuestionAnalysis, scope: tuple[str, ...], reports: dict[str, Report]) -> str:
    """Why a year's closed accounts ("bokslutet för 2023", "final outcome") cannot be read: every
    kommun named has only reports from before that year closed, so a forecast is all there is. ''
    when any of them has the year's accounts (an annual report, a later report's bokslut column)."""
    if not LEXICON.comparison["closed_year"].search(a.text.lower()):
        return ""
    said = []
    for kommun in scope:
        mine = [r for r in reports.values() if r.kommun == kommun]
        year = max(a.years) if a.years else max(int(r.period_end[:4]) for r in mine)
        if any(int(r.period_end[:4]) > year or r.period_end == f"{year}-12" for r in mine):
            return ""
        end = max(r.period_end for r in mine)
        said.append(f"{kommun}s rapporter för {year} går till och med {LEXICON.months[int(end[5:]) - 1]} {end[:4]}")
    return "; ".join(said) + ", så något bokslut för helåret finns inte i underlaget, bara en prognos"


def _of_the_report_type_named(a: QuestionAnalysis, docs: list[Report]) -> list[Report]:
    """"… i tertialrapporten": a kommun that has a report of the one type a question names is read in
    that report only (a figure of its August report is no answer about its April one). A question
    naming two types, or a type and the month another report ends ("från tertialrapporten till
    augusti"), sets them side by side and keeps both."""
    if len(a.report_types) != 1:
        return docs
    typed = {r.kommun for r in docs if r.report_type == a.report_types[0]}
    return [r for r in docs if r.kommun not in typed or r.report_type == a.report_types[0]
            or int(r.period_end[5:]) in a.months]


def report_preference(a: QuestionAnalysis, r: Report) -> tuple[bool, str]:
    """How much a question prefers a report: one of a type it names ("i tertialrapporten") or
    ending in a month it names ("per april") first, then the newest."""
    return r.report_type in a.report_types or int(r.period_end[5:]) in a.months, r.period_end


def preferred_reports(a: QuestionAnalysis, docs: list[Report]) -> tuple[str, ...]:
    """Per kommun, the report a question is read in first (`report_preference`)."""
    best: dict[str, Report] = {}
    for r in docs:
        if r.kommun not in best or report_preference(a, r) > report_preference(a, best[r.kommun]):
            best[r.kommun] = r
    return tuple(r.doc_id for r in best.values())


def names_two_reports(a: QuestionAnalysis, docs: list[Report]) -> bool:
    """Whether the question names two of these reports (of one kommun) by type or by closing month."""
    if len(docs) < 2:
        return False
    by_month = {int(r.period_end[5:]) for r in docs} & set(a.months)
    if len(set(a.report_types)) >= 2 or len(by_month) >= 2:
        return True
    # "vuxit sedan april": the report named and the kommun's later one
    latest = max(int(r.period_end[5:]) for r in docs if r.period_end[:4] == max(d.period_end[:4] for d in docs))
    return bool(LEXICON.comparison["since_report"].search(a.text.lower())) and (
        bool(by_month) and max(by_month) < latest or bool(a.report_types))
