"""The answer as it is read: the first sentence states the lead figure (or the ranking), then each
kommun's lines, every line ending in its citation markers. Every number is checked against the
cited texts first (`verify`); a line that fails is dropped. And the refusal, which says why, what
the corpus covers, and the nearest thing the reports do say."""
from __future__ import annotations

import dataclasses
import logging
import re

from ..lexicon import LEXICON
from ..models import Answer, Citation, Fact, Report
from ..numbers import find_numbers, format_sv
from .candidates import Candidate
from .draft import Draft, Lead, Line
from .periods import KRONOR, months_covered, said_amount
from .plan import Plan
from .question import QuestionAnalysis
from .rows import FactRow, column_info
from .verify import allowed_numbers, check_numbers, cite_passage, cite_row
from ..years import YEAR, is_year

log = logging.getLogger(__name__)


def coverage_summary(reports: dict[str, Report]) -> str:
    by_k: dict[str, list[str]] = {}
    for r in sorted(reports.values(), key=lambda r: (r.kommun, r.period_end)):
        by_k.setdefault(r.kommun, []).append(f"{r.title} ({r.period_end})")
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in by_k.items())


def _value(f: Fact) -> str:
    """The figure as the report prints it, with its unit; a cell holding two figures
    (`32 insatser 71 procent`) gives each fact its own number."""
    unit = "" if f.unit in ("", "antal") else (f.unit if f.unit == "%" else " " + f.unit)
    if len(find_numbers(f.raw)) > 1:
        return f"{format_sv(f.value)}{unit}"
    return f"{f.raw.replace(' %', '').replace('%', '').strip()}{unit}" if f.unit == "%" else f"{f.raw.strip(' *')}{unit}"


def same_span(col_a: str, col_b: str) -> bool:
    """Two columns cover the same months of different years ("Utfall jan-aug 2024" and "Utfall
    jan-aug 2023", "2023" and "2022"): only then is a change between them meaningful."""
    strip = lambda c: re.sub(rf"\b{YEAR}\b|föregående år|\s+", " ", c.lower()).split()
    return strip(col_a) == strip(col_b) or column_info(col_b).previous and strip(col_a)[:1] == strip(col_b)[:1]


def _what(f: Fact, parent: str = "") -> str:
    """A row's name as a reader needs it: a year row with its caption, a sub-row under its row."""
    if is_year(f.row):
        return f"{f.caption}, {f.row}"
    return f"{parent} – {f.row}" if parent and not re.search(r"\d", parent) else f.row


def fact_sentence(row: FactRow, chosen: list[Fact], report: Report, parent: str = "") -> tuple[str, tuple[float, ...]]:
    f0 = chosen[0]
    what = _what(f0, parent)
    parts = [f"{f.column}: {_value(f)}" for f in chosen]
    text = f"{what} ({f0.table}) – " + "; ".join(parts)
    computed: tuple[float, ...] = ()
    kinds = [column_info(f.column).kind for f in chosen]
    if len(chosen) == 2 and kinds == ["utfall", "utfall"] and chosen[0].unit == chosen[1].unit \
            and chosen[0].unit != "%" and same_span(chosen[0].column, chosen[1].column):
        diff = round(abs(chosen[0].value) - abs(chosen[1].value), 3)
        if chosen[1].value:
            pct = round(100 * diff / abs(chosen[1].value))
            text += f" (förändring {format_sv(diff, 1 if not float(diff).is_integer() else 0)}" \
                    f"{'' if f0.unit in ('', 'antal') else ' ' + f0.unit}, {pct:+d} %)".replace("+", "+")
            computed = (diff, float(pct))
    return text, computed


def _lead(leads: list[Lead]) -> str:
    """The direct first sentence: what, kommun, period (column and report), value with unit; for a
    question that sets two things against each other, both, each with its own period."""
    first = leads[0]
    f = first.fact
    text = f"{_what(f, first.parent)} i {first.kommun}, {f.column} ({first.report.title}): {_said(f)}"
    for other in leads[1:]:
        g = other.fact
        text += f"; {_what(g, other.parent)}, {g.column}: {_said(g)}"
    return text + "."


def _said(f: Fact) -> str:
    """The lead figure as a person says it (a cost as an amount, a deviation as överskott or
    underskott); a cell holding two figures keeps each with its own unit."""
    return _value(f) if len(find_numbers(f.raw)) > 1 else said_amount(f)


def _context(row: FactRow, chosen: list[Fact], limit: int = 6) -> str:
    rest = [f for f in row.facts if f not in chosen][:limit]
    if not rest:
        return ""
    return f"Samma rad ({row.first.table}): " + "; ".join(f"{f.column}: {_value(f)}" for f in rest)


def _rank_line(leads: list[Lead]) -> str:
    """Kommuner ordered by their figure, each with its column and report, each in its own unit;
    only when the units agree or are all amounts of kronor (tkr against mnkr is ordered in kronor)."""
    units = {t.fact.unit for t in leads}
    if len(leads) < 2 or (len(units) != 1 and not units <= set(KRONOR)):
        return ""
    spans = {months_covered(t.fact.column, t.report) for t in leads}
    if len(spans) > 1:  # eight months against a full year ranks nothing
        return ("Ingen rangordning: siffrorna gäller olika långa perioder ("
                + "; ".join(f"{t.kommun}: {t.fact.column}, {t.report.title}" for t in leads) + ").")
    ordered = sorted(leads, key=lambda t: -abs(t.fact.value) * KRONOR.get(t.fact.unit, 1.0))
    return "Rangordning (högst först): " + "; ".join(f"{t.kommun} {_value(t.fact)} ({t.fact.column}, {t.report.title})"
                                                     for t in ordered)


def _ranked_prefix(a: QuestionAnalysis, leads: list[Lead]) -> str:
    """'Högst: ' before the first sentence of a table's rows ranked by one column ("vilken verksamhet
    har …"), so the reader hears which end of the ranking it is."""
    sup = LEXICON.superlative(a.text)
    same_column = len({(t.fact.doc_id, t.fact.header_line, t.fact.column) for t in leads}) == 1
    return {"max": "Högst: ", "min": "Lägst: ", "negative": "Mest negativ: "}.get(sup, "") \
        if sup and len(leads) >= 2 and same_column else ""


def layout(a: QuestionAnalysis, reports: dict[str, Report], plan: Plan, draft: Draft) -> Answer:
    """Verify every number against the citations, number the citations, and lay the answer out."""
    cite_keys, leads = draft.sources, draft.leads
    provisional = [cite_passage(o, reports, i + 1) if k == "p" else cite_row(o, reports, i + 1)
                   for i, (k, o) in enumerate(cite_keys)]
    allowed = allowed_numbers(provisional, draft.computed)
    checked: list[tuple[str, list[Line]]] = []
    for kommun, lines in draft.sections:
        kept = []
        for ln in lines:
            bad = check_numbers(ln.text, allowed)
            if bad:
                log.warning("dropping a line with unsupported numbers %s: %s", bad, ln.text)
                continue
            kept.append(ln)
        if kept:
            checked.append((kommun, kept))
    if not checked:
        return refuse(a, reports, "inget i rapporterna kunde beläggas")
    order: dict[int, int] = {}
    for _, lines in checked:
        for ln in lines:
            for c in ln.cites:
                order.setdefault(c, len(order) + 1)
    citations = [dataclasses.replace(provisional[key], n=n) for key, n in sorted(order.items(), key=lambda kv: kv[1])]
    out_lines: list[str] = []
    rank = _rank_line(leads) if plan.intent in ("rank", "compare") and len(checked) > 1 else ""
    if leads and not rank and len(checked) == 1:
        shown = {c for _, lines in checked for ln in lines for c in ln.cites if cite_keys[c][0] == "r"}

        def key_of_fact(f: Fact) -> int | None:
            return next((c for c in shown if cite_keys[c][1].line == f.line and cite_keys[c][1].doc_id == f.doc_id),
                        None)

        # both sides of a contrast lead, when both rows survived the number check
        both = [t for t in leads[:2] if key_of_fact(t.fact) is not None] if a.contrast else []
        lead = both if len(both) == 2 else leads[:1]
        keys = [key_of_fact(t.fact) for t in lead]
        if all(k is not None for k in keys):
            out_lines.append(f"{_ranked_prefix(a, leads)}{_lead(lead)} " + "".join(f"[{order[k]}]" for k in keys))
    if rank:
        markers = "".join(f"[{order[ln.cites[0]]}]" for _, lines in checked for ln in lines[:1])
        out_lines.append(f"{rank} {markers}")
    for kommun, lines in checked:
        docs = sorted({citations[order[c] - 1].report for ln in lines for c in ln.cites})
        head = f"{kommun} ({', '.join(docs)})"
        said = [(re.sub(r"^[-•●*]\s+", "", re.sub(r"\s+", " ", ln.text).strip()),
                 "".join(f"[{order[c]}]" for c in ln.cites)) for ln in lines]
        if len(checked) > 1:
            out_lines.append(f"**{head}**")
        elif out_lines:
            out_lines.append(f"Enligt {head}:")
        else:  # no figure leads: the report's own first sentence that gives one opens the answer
            first = next((i for i, (body, _) in enumerate(said) if _gives_number(body)), 0)
            body, marker = said.pop(first)
            out_lines.append(f"Enligt {head}: {body} {marker}")
        out_lines.extend(f"- {body} {marker}" for body, marker in said)
    for k in draft.missing:
        out_lines.append(f"- {k}: inget i rapporterna besvarar detta tillräckligt säkert.")
    return Answer(a.text, True, "\n".join(out_lines), tuple(citations), tuple(dict.fromkeys(draft.facts)))


def _gives_number(text: str) -> bool:
    """A figure in a sentence: a number that is not a year."""
    return any(not is_year(n.text) for n in find_numbers(text))


def refuse(a: QuestionAnalysis, reports: dict[str, Report], reason: str, nearest: Candidate | None = None) -> Answer:
    """A refusal that says why, what the corpus covers, and the closest thing the reports do say (cited)."""
    text = f"Rapporterna säger inte det: {reason}. Underlaget omfattar {coverage_summary(reports)}."
    citations: tuple[Citation, ...] = ()
    if nearest is not None and nearest.doc_id in reports:
        c = cite_row(nearest.row, reports, 1) if nearest.kind == "row" else cite_passage(nearest.passage, reports, 1)
        shown = " ".join((nearest.row.label if nearest.kind == "row" else nearest.text).split())
        text += f"\nNärmast, men inte ett svar på frågan: {c.kommun} – {shown[:200]} [1]"
        citations = (c,)
    return Answer(a.text, False, text, citations, (), (reason,))
