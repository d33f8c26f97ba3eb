"""The change of one measure in each kommun, ranked: "I vilken kommun ökade personalkostnaderna mest?"

A ranking of levels does not answer it. Each kommun's latest outcome is set against the same months
of the year before in the same row (Eskilstuna's "Utfall Aug 2023" against "Utfall Aug 2022",
Solna's 2023 against 2022); the kommuner report different months, so the order is read in the
change in per cent, and each change is said with its own figures and period. A kommun whose row has
no figure for the same months of the year before is named as such.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Answer, Fact
from ..numbers import format_sv
from .compare import Asked, Figure, Missing, asked_comparison, figure_of, missing_lines, said_sign
from .corpus_view import CorpusView
from .periods import in_mnkr, span_of
from .plan import Plan
from .question import QuestionAnalysis
from .verify import allowed_numbers, check_numbers, cite_row
from .wording import lower_first


@dataclass(frozen=True)
class Change:
    """A kommun's outcome and the same months of the year before, from one row."""

    now: Figure
    before: Fact

    def _said(self, fact: Fact, sign: str) -> float:
        return dataclasses.replace(self.now, fact=fact).said_value(sign)

    def amounts(self, sign: str) -> tuple[float, float]:
        """The year before's figure and the latest, as a person says them (mnkr for an amount)."""
        return self._said(self.before, sign), self._said(self.now.fact, sign)

    def per_cent(self, sign: str) -> float | None:
        before, now = self.amounts(sign)
        return None if before == 0 else 100.0 * (now - before) / abs(before)


def change_of(view: CorpusView, kommun: str, asked: Asked, plan: Plan) -> Change | Missing:
    """The kommun's latest outcome of the measure and the same months of the year before."""
    if plan.years:  # "mellan 2022 och 2023": the later year's outcome against the one before
        plan = dataclasses.replace(plan, years=(max(plan.years),))
    now = figure_of(view, kommun, dataclasses.replace(asked, kind="utfall", span="", direction=""), plan)
    if isinstance(now, Missing):
        return now
    money = now.mnkr is not None
    before = [f for f in now.row.facts if (in_mnkr(f) is not None) == money
              and (s := span_of(f, now.report)).kind == "utfall" and s.year == now.span.year - 1
              and s.months == now.span.months]
    if not before:
        return Missing(kommun, f"raden «{now.row.label.strip()}» har ingen siffra för samma period året före", now.row)
    return Change(now, before[0])


def asks_change_ranking(a: QuestionAnalysis, plan: Plan) -> bool:
    """"I vilken kommun ökade … mest?": a ranking of how a measure moved, not of its level; "Hur
    mycket ökade … i Eskilstuna och i Huddinge?": the kommuner named, side by side on how it moved."""
    moved = bool(LEXICON.comparison["moved"].search(a.text))
    if plan.intent == "rank":
        return moved and bool(a.direction)
    # named kommuner: "hur mycket ökade …", "how did … change" (each move said in its own direction)
    asks_how = bool(a.direction) and bool(LEXICON.comparison["how_much"].search(a.text)) or not a.direction
    return moved and asks_how and plan.intent in ("compare", "trend") and plan.named and len(plan.kommuner) > 1


def change_answer(view: CorpusView, a: QuestionAnalysis, plan: Plan) -> Answer | None:
    """The kommuner ordered by how much the measure moved the way the question asks ("ökade mest":
    the largest rise first); None when the question names no catalogue measure or fewer than two
    kommuner have a change to order."""
    asked = asked_comparison(a, plan, view.vocab)
    if asked is None:
        return None
    found = [change_of(view, k, asked, plan) for k in plan.kommuner]
    sign = said_sign(dataclasses.replace(asked, kind="utfall"))
    changes = [c for c in found if isinstance(c, Change) and c.per_cent(sign) is not None]
    missing = [m for m in found if isinstance(m, Missing)]
    if len(changes) < 2:
        return None
    rising = a.direction != "down"
    # "ökade mest": the largest rise first; "minskade mest": the largest fall first; "minst" the other end
    ranked = plan.intent == "rank"
    if ranked:
        changes.sort(key=lambda c: c.per_cent(sign), reverse=rising != (asked.direction == "min"))
    citations = [cite_row(c.now.row, view.reports, i + 1) for i, c in enumerate(changes)]
    computed: list[float] = []
    each, table = [], ["", "| Kommun | Förändring | Som i rapporten | Kolumner | Rapport |", "|---|---|---|---|---|"]
    for i, c in enumerate(changes, 1):
        before, now = c.amounts(sign)
        unit = " mnkr" if c.now.mnkr is not None else ("" if c.now.fact.unit in ("", "antal") else f" {c.now.fact.unit}")
        decimals = 1 if c.now.mnkr is not None else None
        pct = round(abs(c.per_cent(sign)))
        by = f"med {format_sv(abs(now - before), decimals)}{unit} ({pct} %)"
        # a move the other way than the one asked says so ("Huddinge, en ökning med …")
        moved = "oförändrat" if round(abs(now - before), 1) == 0 else by if (now > before) == rising else \
            f"{'en ökning' if now > before else 'en minskning'} {by}"
        if ranked:
            each.append(f"{c.now.kommun}{', ' if moved != by else ' '}{moved} [{i}]")
        else:  # side by side, each kommun's move said in its own direction
            verb = "ökade" if now > before else "minskade"
            when = f"från {span_of(c.before, c.now.report).said()} till {c.now.span.said()}"
            each.append(f"{c.now.kommun} {'oförändrat' if moved == 'oförändrat' else f'{verb} {by}'} {when} [{i}]")
        change = "oförändrat" if round(abs(now - before), 1) == 0 else f"{'ökning' if now > before else 'minskning'} {by}"
        printed = f" {c.now.fact.unit}" if c.now.fact.unit not in ("", "antal") else ""
        table.append(f"| {c.now.kommun} | {change} | {c.before.raw.strip()} → {c.now.fact.raw.strip()}{printed} "
                     f"({c.now.row.label.strip()}) | {c.before.column} → {c.now.fact.column} | {c.now.report.title} [{i}] |")
        computed += [round(abs(before), 1), round(abs(now), 1), round(abs(now - before), 1), abs(now - before),
                     float(pct), float(c.now.span.year), float(c.now.span.year - 1)]
    rest = ", ".join(each[1:-1]) + (" och " if len(each) > 2 else "") + each[-1]
    if ranked:
        most = "Minst" if asked.direction == "min" else "Störst"
        head = f"{most} {'ökning' if rising else 'minskning'} av {lower_first(asked.measure.name)} mot samma period året före"
        lead = f"{head}: {each[0]}; därefter {rest}."
    else:  # the kommuner named, side by side: no order was asked
        lead = f"{asked.measure.name} mot samma period året före: {each[0]}; {rest}."
    lines = [lead, *table, ""]
    several_spans = len({c.now.span.months for c in changes}) > 1
    if ranked:
        lines.append("Ordningen gäller förändringen i procent" + (": kommunerna redovisar olika långa perioder."
                                                                  if several_spans else "."))
    elif several_spans:
        lines.append("Kommunerna redovisar olika långa perioder: jämför förändringen i procent.")
    lines += missing_lines(missing, citations, view)
    if any(check_numbers(ln, allowed_numbers(citations, computed)) for ln in lines):
        return None  # a figure that cannot be traced to a citation: no ranking is shown
    # each kommun's latest figure and the year before's, in the order ranked (a chart per kommun's row
    # shows the two: no chart sets the kommuner's levels side by side under a ranking of changes)
    facts = tuple(f for c in changes for f in (c.now.fact, c.before))
    return Answer(a.text, True, "\n".join(lines), tuple(citations), facts)
