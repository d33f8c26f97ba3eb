"""Compose a cited Swedish answer from table facts and report sentences.

There is no generative model: the lead sentence is built from the looked-up
facts, the explanation is the reports' own sentences, each ending in `[n]`.
Before returning, every number in the answer is checked against the cited
texts (and the differences computed from cited facts); a line that fails is
dropped. When the evidence is too weak the answer is a refusal that says
what the reports do cover.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass

import numpy as np

from .question import QuestionAnalysis
from .candidates import Candidate
from .compare import comparison_answer
from .corpus_view import CorpusView
from .evidence import Evidence, absent_words, gather
from .score import Scorer
from ..lexicon import LEXICON
from ..models import Answer, Citation, Fact, Passage, Report
from ..numbers import find_numbers, format_sv, same_value
from .picking import (Scored, across_reports, best_of_each_report, causes_that_follow, explained_below, extreme_rows,
                      counted_stems, figure_kind, figure_kind_of_best_row, gives_figure, lists_that_follow, merge_overlap,
                      next_row_with_cells, pick, row_per_side, row_quoted, same_figure_in, same_row_in_each_report,
                      usable, years_of_month_table)
from .periods import KRONOR, months_covered, said_amount
from .plan import Plan
from .verify import allowed_numbers, check_numbers, cite_passage, cite_row
from .rows import (FactRow, asked_cell, asked_figure, blank_columns, column_info, is_year_label,
                          pick_columns)

log = logging.getLogger(__name__)


MAX_KOMMUNER = 4
QUOTED_ROW_INTENTS = ("trend", "why")  # intents whose answer brings the row a quoted figure stands in


@dataclass(frozen=True)
class Line:
    text: str
    cites: tuple[int, ...]  # keys into the citation list (passage ids or fact rows)
    computed: tuple[float, ...] = ()


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
    strip = lambda c: re.sub(r"\b(19|20)\d\d\b|föregående år|\s+", " ", c.lower()).split()
    return strip(col_a) == strip(col_b) or column_info(col_b).previous and strip(col_a)[:1] == strip(col_b)[:1]


def _what(f: Fact, parent: str = "") -> str:
    """A row's name as a reader needs it: a year row with its caption, a sub-row under its row."""
    if re.fullmatch(r"(19|20)\d\d", f.row.strip()):
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


# --- the answer path: analyse → plan → candidates → score → compose → verify ----------------


def _weak_reason(view: CorpusView, plan: Plan) -> str:
    """Why the evidence is too weak, naming the question's words a named kommun's reports never use."""
    if plan.named:
        missing = sorted({w for k in plan.kommuner for w in absent_words(view, plan.analysis, k)[0]})
        if missing:
            return f"{', '.join(plan.kommuner)}s rapporter nämner inte {', '.join(repr(w) for w in missing)}"
    return "inget stycke eller tabellrad i rapporterna besvarar frågan tillräckligt säkert"


Lead = tuple[str, Fact, Report, str]  # kommun, the fact, its report, the row it belongs to (sub-rows)


def _lead(leads: list[Lead]) -> str:
    """The direct first sentence: what, kommun, period (column and report), value with unit; for a
    question that sets two things against each other, both, each with its own period."""
    kommun, f, report, parent = leads[0]
    text = f"{_what(f, parent)} i {kommun}, {f.column} ({report.title}): {_said(f)}"
    for _, g, _, p in leads[1:]:
        text += f"; {_what(g, p)}, {g.column}: {_said(g)}"
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


def compose(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs: np.ndarray | None = None) -> Answer:
    """Score the candidates (unless `probs` are given), decide answerability, and write the cited answer."""
    reports = view.reports
    if ev.refusal:
        return refuse(a, reports, ev.refusal)
    plan, th = ev.plan, scorer.thresholds
    if plan.intent in ("compare", "rank") or (plan.named and len(plan.kommuner) > 1):
        compared = comparison_answer(view, a, plan)  # one catalogue measure, kommuner side by side
        if compared is not None:
            return compared
    if probs is None:
        probs = scorer.score(list(ev.candidates))
    figure, cell = asked_figure(a, plan.measure), asked_cell(a, plan.measure)
    scored = usable(ev, probs, cell)
    best: dict[str, float] = {}
    for s in scored:
        best[s.candidate.kommun] = max(best.get(s.candidate.kommun, 0.0), s.p)
    top = max(best.values(), default=0.0)
    if top < (max(th.answer, th.absent) if ev.topic_absent else th.answer):
        nearest = max(scored, key=lambda s: s.p, default=None)
        return refuse(a, reports, _weak_reason(view, plan), nearest.candidate if nearest else None)
    if plan.named and len(plan.kommuner) > 1:  # each kommun asked about, from its own best evidence
        targets = [k for k in plan.kommuner if best.get(k, 0.0) >= th.named_relative * th.answer]
    elif plan.named or plan.intent in ("compare", "rank"):
        targets = [k for k in plan.kommuner if best.get(k, 0.0) >= th.answer]
    else:  # no kommun named: every kommun whose reports answer about as well as the best one
        targets = [k for k, p in sorted(best.items(), key=lambda kv: -kv[1])
                   if p >= max(th.answer, th.kommun_relative * top)][:MAX_KOMMUNER]
    # a comparison of named kommuner: a kommun without evidence of its own is read in the row that
    # counts what the best-answered kommun's leading row counts ("Lokalkostnader" / "Lokaler")
    anchor = max((s for s in scored if s.candidate.kind == "row" and s.candidate.kommun in targets), default=None,
                 key=lambda s: s.p) if plan.named and plan.intent in ("compare", "rank") else None
    borrowed: dict[str, Scored] = {}
    if anchor is not None:
        for k in plan.kommuner:
            if k != anchor.candidate.kommun and not any(
                    s.candidate.kommun == k and s.candidate.kind == "row" and s.p >= th.row for s in scored):
                match = same_figure_in(view, anchor, k, plan)
                if match is not None:
                    borrowed[k] = match
        targets += [k for k in plan.kommuner if k in borrowed and k not in targets]
    missing = [k for k in plan.kommuner if k not in targets] if (plan.named or plan.intent == "rank") else []
    cite_keys: list[tuple[str, object]] = []

    def key_of(kind: str, obj) -> int:
        ident = (kind, obj.id if kind == "p" else (obj.doc_id, obj.line))
        for i, (k, o) in enumerate(cite_keys):
            if (k, o.id if k == "p" else (o.doc_id, o.line)) == ident:
                return i
        cite_keys.append((kind, obj))
        return len(cite_keys) - 1

    sections_out: list[tuple[str, list[Line]]] = []
    facts_out: list[Fact] = []
    computed: list[float] = []
    leads: list[Lead] = []
    blank: list[tuple[Scored, str]] = []
    parents = view.row_parents
    n_sent = 3 if plan.intent in ("why", "list") else 2
    superlative = LEXICON.superlative(a.text) if plan.intent in ("lookup", "compare") else ""

    def cells_of(r: Scored) -> list[Fact]:
        return pick_columns(r.candidate.row, a, reports[r.candidate.doc_id], view.vocab, cell)
    same_kind = figure_kind_of_best_row(scored) if plan.intent in ("rank", "compare") and len(targets) > 1 else ""
    for kommun in targets:
        mine = [s for s in scored if s.candidate.kommun == kommun]
        if same_kind:  # kommuner are compared on the same kind of figure (a share with shares, money with money)
            mine = [s for s in mine if s.candidate.kind != "row" or figure_kind(s.candidate.row) == same_kind]
        best_row = max((s.p for s in mine if s.candidate.kind == "row"), default=0.0)
        best_sent = max((s.p for s in mine if s.candidate.kind == "sentence"), default=0.0)
        # a table figure leads the answer, so it must hold its own against the best evidence of any kind
        row_floor = max(th.row, th.relative * max(best_row, best_sent))
        rows = pick(mine, "row", 2 if plan.intent == "compare" else 1, row_floor)
        if kommun in borrowed:
            rows = [borrowed[kommun]]
        if a.contrast:  # "kvinnor respektive män": the best row of each side, when each side has one
            rows = row_per_side(mine, a.contrast, view.vocab) or rows
        across = across_reports(plan, kommun, reports)
        if rows and across:
            rows = same_row_in_each_report(view, rows[0], plan, kommun)
        sents = pick(mine, "sentence", n_sent, max(th.sentence, th.relative * best_sent))
        if across:  # a named report that no row of the answer comes from is read in its text
            sents = best_of_each_report(sents, mine, plan, kommun, reports, rows)
        if not rows and plan.intent in QUOTED_ROW_INTENTS:
            rows = row_quoted(sents, mine)
        if plan.intent in ("trend", "compare") and len(a.years) >= 2 and rows:
            rows = years_of_month_table(view, rows, a.years)
        cells = [cells_of(r) for r in rows]
        if superlative and not any(cells) and len(targets) == 1:
            # no single row is asked for: the table is the most probable row's that has the asked cell
            rows, cells = next_row_with_cells(sorted((s for s in mine if s.candidate.kind == "row"),
                                                     key=lambda s: -s.p)[:3], [], [], cells_of)
        if superlative and rows and cells[0] and len(targets) == 1:
            # "vilken verksamhet har störst underskott": the table's rows ordered by the chosen column
            ranked = extreme_rows([r for r in view.rows_of_table(rows[0].candidate.row)
                                   if not LEXICON.other_group(a.text, r.label)], cells[0][0].column, superlative)
            if ranked:
                rows = [Scored(Candidate("row", kommun, r.doc_id, (), row=r, text=r.first.row_text), rows[0].p)
                        for r, _ in ranked]
                cells = [[f] for _, f in ranked]
        empty = blank_columns(rows[0].candidate.row, a.years) if rows and not cells[0] and rows[0].p >= best_sent \
            else {}
        if rows and not any(cells) and not empty and kommun not in borrowed and not across and not a.contrast:
            # the best row has no cell of the asked kind or period (a volume table's row for "vad kostade"):
            # the next row above the floors that has one answers
            rows, cells = next_row_with_cells(pick(mine, "row", 5, row_floor), rows, cells, cells_of)
        if empty:  # the best evidence is a row that leaves the asked year's cell empty
            blank.append((rows[0], next(iter(empty.values()))))
            missing.append(kommun)
            continue
        lines: list[Line] = []
        for r, chosen in zip(rows, cells):
            row, report = r.candidate.row, reports[r.candidate.doc_id]
            if not chosen:  # e.g. a month-by-year table and no month asked: no cell answers
                continue
            parent = parents.get((row.doc_id, row.line), "")
            text, comp = fact_sentence(row, chosen, report, parent)
            if len({x.candidate.doc_id for x in rows}) > 1:
                text = f"{report.title}: {text}"
            lines.append(Line(text, (key_of("r", row),), comp))
            # a ranking, or a month table's years: the other values of the first row only
            ctx = "" if r is not rows[0] and (superlative or is_year_label(row.label)) else _context(row, chosen)
            if ctx:
                lines.append(Line(ctx, (key_of("r", row),)))
            facts_out.extend(chosen)
            computed.extend(comp)
            leads.append((kommun, chosen[0], report, parent))
        if plan.intent == "why":
            merged: list[Scored] = []
            # the leading row's own explanation first, then the best-matching text
            for extra in explained_below(view, rows, sents) + sents + causes_that_follow(sents):
                merged = merge_overlap(merged, extra) or merged + [extra]
            sents = merged
        if plan.intent in ("why", "list"):
            sents = sents + lists_that_follow(view, sents)
        order = {id(s): i for i, s in enumerate(sents)}
        ranked_passages = list(dict.fromkeys(s.candidate.passage.id for s in sents))
        for s in sorted(sents, key=lambda s: (ranked_passages.index(s.candidate.passage.id), s.candidate.pos, order[id(s)])):
            if LEXICON.other_group(a.text, s.candidate.text):
                continue  # an explanation found below a row may speak of another target group only
            lines.append(Line(s.candidate.text, (key_of("p", s.candidate.passage),)))
        if lines:
            sections_out.append((kommun, lines))
    if not sections_out and blank:  # the best row leaves the asked year's cell empty
        r, heading = blank[0]
        return refuse(a, reports, f"{r.candidate.kommun}s tabell har ingen uppgift i kolumnen «{heading}» på raden "
                                  f"«{r.candidate.row.label}»", r.candidate)
    if not sections_out:
        return refuse(a, reports, "inget stycke eller tabellrad i rapporterna besvarar frågan tillräckligt säkert")
    counted = () if a.english else counted_stems(a.text, view.vocab)
    if plan.intent == "lookup" and figure and not facts_out and not any(
            gives_figure(ln.text, figure, counted) for _, lines in sections_out for ln in lines):
        # "vad kostade …" answered by sentences that give no amount (a count of placements) is no answer
        nearest = max(scored, key=lambda s: s.p).candidate
        return refuse(a, reports, "rapporterna anger ingen sådan siffra", nearest)
    return _finish(a, reports, plan, sections_out, cite_keys, facts_out, computed, leads, missing)


def _rank_line(leads: list[Lead]) -> str:
    """Kommuner ordered by their figure, each with its column and report, each in its own unit;
    only when the units agree or are all amounts of kronor (tkr against mnkr is ordered in kronor)."""
    units = {f.unit for _, f, _, _ in leads}
    if len(leads) < 2 or (len(units) != 1 and not units <= set(KRONOR)):
        return ""
    spans = {months_covered(f.column, r) for _, f, r, _ in leads}
    if len(spans) > 1:  # eight months against a full year ranks nothing
        return ("Ingen rangordning: siffrorna gäller olika långa perioder ("
                + "; ".join(f"{k}: {f.column}, {r.title}" for k, f, r, _ in leads) + ").")
    ordered = sorted(leads, key=lambda t: -abs(t[1].value) * KRONOR.get(t[1].unit, 1.0))
    return "Rangordning (högst först): " + "; ".join(f"{k} {_value(f)} ({f.column}, {r.title})" for k, f, r, _ in ordered)


def _ranked_prefix(a: QuestionAnalysis, leads: list[Lead]) -> str:
    """'Högst: ' before the first sentence of a table's rows ranked by one column ("vilken verksamhet
    har …"), so the reader hears which end of the ranking it is."""
    sup = LEXICON.superlative(a.text)
    same_column = len({(f.doc_id, f.header_line, f.column) for _, f, _, _ in leads}) == 1
    return {"max": "Högst: ", "min": "Lägst: ", "negative": "Mest negativ: "}.get(sup, "") \
        if sup and len(leads) >= 2 and same_column else ""


def _finish(a, reports, plan, sections_out, cite_keys, facts_out, computed, leads, missing) -> Answer:
    """Verify every number against the citations, number the citations, and lay the answer out."""
    provisional = [cite_passage(o, reports, i + 1) if k == "p" else cite_row(o, reports, i + 1)
                   for i, (k, o) in enumerate(cite_keys)]
    allowed = allowed_numbers(provisional, computed)
    checked: list[tuple[str, list[Line]]] = []
    for kommun, lines in sections_out:
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
        both = [t for t in leads[:2] if key_of_fact(t[1]) is not None] if a.contrast else []
        lead = both if len(both) == 2 else leads[:1]
        keys = [key_of_fact(t[1]) for t in lead]
        if all(k is not None for k in keys):
            out_lines.append(f"{_ranked_prefix(a, leads)}{_lead(lead)} " + "".join(f"[{order[k]}]" for k in keys))
    if rank:
        markers = "".join(f"[{order[ln.cites[0]]}]" for _, lines in checked for ln in lines[:1])
        out_lines.append(f"{rank} {markers}")
    for kommun, lines in checked:
        docs = sorted({citations[order[c] - 1].report for ln in lines for c in ln.cites})
        head = f"{kommun} ({', '.join(docs)})"
        out_lines.append(f"**{head}**" if len(checked) > 1 else f"Enligt {head}:")
        for ln in lines:
            marker = "".join(f"[{order[c]}]" for c in ln.cites)
            body = re.sub(r"^[-•●*]\s+", "", re.sub(r"\s+", " ", ln.text).strip())
            out_lines.append(f"- {body} {marker}")
    for k in missing:
        out_lines.append(f"- {k}: inget i rapporterna besvarar detta tillräckligt säkert.")
    return Answer(a.text, True, "\n".join(out_lines), tuple(citations), tuple(dict.fromkeys(facts_out)))


def answer_question(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
                    scorer: Scorer | None = None) -> Answer:
    return compose(engine.view, a, gather(engine, a, kommuner, doc_ids), scorer or engine.scorer)


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
