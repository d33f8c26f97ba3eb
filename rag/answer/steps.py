"""The evidence step: an answer built from the scored table rows and report sentences, kommun by
kommun, as each intent asks (`POLICIES`). The policy is data: what a why answer brings (the row's
own explanation, a list's items) or a trend answer (the row a quoted figure stands in) is a field,
not a branch of one long function. Writes a `Draft`; `layout` lays it out."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Fact
from .candidates import Candidate
from .corpus_view import CorpusView
from .draft import Draft, Lead, Line
from .layout import fact_sentence, other_cells
from .picking import (Scored, across_reports, best_of_each_report, causes_that_follow, explained_below, extreme_rows,
                      figure_kind, group_sub_row, lists_that_follow, merge_overlap, next_row_with_cells, pick, row_per_side,
                      row_quoted, same_figure_in, same_row_in_each_report, rows_of_each_year)
from .plan import Plan
from .question import QuestionAnalysis
from .rows import blank_columns, is_year_label, pick_columns
from .score import Thresholds

MAX_KOMMUNER = 4  # a question naming no kommun is answered for at most this many
#: a report's own bold or italic markers ("**Upphörande av våld i nära relation.**"): formatting, not
#: words; quoted without them (the citation keeps the passage as printed)
_EMPHASIS = re.compile(r"\*\*|__")


@dataclass(frozen=True)
class IntentPolicy:
    """What an answer of one intent holds per kommun."""

    sentences: int = 2  # report sentences quoted
    rows: int = 1  # table rows shown
    quoted_row: bool = False  # bring the row whose figure the best sentence quotes
    explained_below: bool = False  # the leading row's own explanation (the text below its table) first
    lists_follow: bool = False  # a sentence introducing a list brings the list's items
    year_rows: bool = False  # a row asked over a span of years: each year's row (`rows_of_each_year`)
    superlative: bool = False  # "vilken verksamhet har störst …": the table's rows ordered by the asked column
    same_kind: bool = False  # several kommuner are set side by side on the same kind of figure
    borrow: bool = False  # a named kommun without a row of its own is read in the row the best one uses


#: sentences added per kommun when several kommuner are asked how they work with something (more:
#: each kommun's work told more fully, a longer answer)
MANNER_EXTRA_SENTENCES = 1

POLICIES = {
    "lookup": IntentPolicy(superlative=True, year_rows=True),
    "why": IntentPolicy(sentences=3, quoted_row=True, explained_below=True, lists_follow=True),
    "trend": IntentPolicy(quoted_row=True, year_rows=True),
    "compare": IntentPolicy(rows=2, year_rows=True, superlative=True, same_kind=True, borrow=True),
    "rank": IntentPolicy(same_kind=True, borrow=True),
    "list": IntentPolicy(sentences=3, lists_follow=True),
}


@dataclass(frozen=True)
class Scope:
    """What the evidence step works from: the scored candidates and the kommuner that answer."""

    view: CorpusView
    a: QuestionAnalysis
    plan: Plan
    th: Thresholds
    policy: IntentPolicy
    cell: str  # the kind of cell that answers (`asked_cell`)
    scored: list[Scored]
    targets: list[str]
    borrowed: dict[str, Scored]
    superlative: str  # max | min | negative | ""
    same_kind: str  # the kind of figure every kommun is read in, when set side by side

    def cells_of(self, r: Scored) -> list[Fact]:
        return pick_columns(r.candidate.row, self.a, self.view.reports[r.candidate.doc_id], self.view.vocab, self.cell)


def targets_of(plan: Plan, th: Thresholds, best: dict[str, float]) -> list[str]:
    """The kommuner the answer is about: each named one with evidence of its own (a comparison of
    several asks for each, so its own best evidence may be weaker), else those answering about as
    well as the best one."""
    if plan.named and len(plan.kommuner) > 1:
        return [k for k in plan.kommuner if best.get(k, 0.0) >= th.named_relative * th.answer]
    if plan.named or plan.intent in ("compare", "rank"):
        return [k for k in plan.kommuner if best.get(k, 0.0) >= th.answer]
    top = max(best.values(), default=0.0)
    return [k for k, p in sorted(best.items(), key=lambda kv: -kv[1])
            if p >= max(th.answer, th.kommun_relative * top)][:MAX_KOMMUNER]


def borrowed_rows(view: CorpusView, plan: Plan, th: Thresholds, scored: list[Scored],
                  targets: list[str]) -> dict[str, Scored]:
    """A comparison of named kommuner: a kommun without a row of its own is read in the row that
    counts what the best-answered kommun's leading row counts ("Lokalkostnader" / "Lokaler")."""
    anchor = max((s for s in scored if s.candidate.kind == "row" and s.candidate.kommun in targets), default=None,
                 key=lambda s: s.p)
    if anchor is None:
        return {}
    out: dict[str, Scored] = {}
    for k in plan.kommuner:
        if k != anchor.candidate.kommun and not any(
                s.candidate.kommun == k and s.candidate.kind == "row" and s.p >= th.row for s in scored):
            match = same_figure_in(view, anchor, k, plan)
            if match is not None:
                out[k] = match
    return out


@dataclass(frozen=True)
class Blank:
    """The kommun's best evidence is a row that leaves the asked year's cell empty."""

    row: Scored
    heading: str


def _floors(s: Scope, mine: list[Scored]) -> tuple[float, float]:
    """The row floor and the best sentence's probability: a table figure leads the answer, so it must
    hold its own against the best evidence of any kind."""
    best_row = max((x.p for x in mine if x.candidate.kind == "row"), default=0.0)
    best_sent = max((x.p for x in mine if x.candidate.kind == "sentence"), default=0.0)
    return max(s.th.row, s.th.relative * max(best_row, best_sent)), best_sent


def first_rows(s: Scope, kommun: str, mine: list[Scored]) -> list[Scored]:
    """The kommun's most probable rows (a borrowed row, each side of a contrast, the same row in each
    report a question names)."""
    rows = pick(mine, "row", s.policy.rows, _floors(s, mine)[0])
    if kommun in s.borrowed:
        rows = [s.borrowed[kommun]]
    if s.a.contrast:  # "kvinnor respektive män": the best row of each side, when each side has one
        rows = row_per_side(mine, s.a.contrast, s.view.vocab) or rows
    elif rows and (sub := group_sub_row(s.view, rows[0], s.a.text)):
        rows = [sub, *rows[1:]]
    if rows and across_reports(s.plan, kommun, s.view.reports):
        rows = same_row_in_each_report(s.view, rows[0], s.plan, kommun)
    return rows


def kommun_rows(s: Scope, kommun: str, mine: list[Scored], rows: list[Scored],
                sents: list[Scored]) -> tuple[list[Scored], list[list[Fact]]] | Blank:
    """The rows that answer and the cells of each that do."""
    a, policy = s.a, s.policy
    row_floor, best_sent = _floors(s, mine)
    if not rows and policy.quoted_row:
        rows = row_quoted(sents, mine)
    if policy.year_rows and len(a.years) >= 2 and rows:
        rows = rows_of_each_year(s.view, rows, a.years)
    cells = [s.cells_of(r) for r in rows]
    single = len(s.targets) == 1
    if s.superlative and not any(cells) and single:
        # no single row is asked for: the table is the most probable row's that has the asked cell
        rows, cells = next_row_with_cells(sorted((x for x in mine if x.candidate.kind == "row"),
                                                 key=lambda x: -x.p)[:3], [], [], s.cells_of)
    if s.superlative and rows and cells[0] and single:
        rows, cells = _table_in_order(s, kommun, rows, cells)
    empty = blank_columns(rows[0].candidate.row, a.years) if rows and not cells[0] and rows[0].p >= best_sent else {}
    across = across_reports(s.plan, kommun, s.view.reports)
    if rows and not any(cells) and not empty and kommun not in s.borrowed and not across and not a.contrast:
        # the best row has no cell of the asked kind or period (a volume table's row for "vad kostade"):
        # the next row above the floors that has one answers
        rows, cells = next_row_with_cells(pick(mine, "row", 5, row_floor), rows, cells, s.cells_of)
    if empty:
        return Blank(rows[0], next(iter(empty.values())))
    return rows, cells


def _best_sentences(s: Scope, mine: list[Scored]) -> list[Scored]:
    best_sent = max((x.p for x in mine if x.candidate.kind == "sentence"), default=0.0)
    n = s.policy.sentences
    if s.a.manner and len(s.targets) > 1:  # "Hur arbetar A och B med …": each kommun's work, said in more than one place
        n += MANNER_EXTRA_SENTENCES
    return pick(mine, "sentence", n, max(s.th.sentence, s.th.relative * best_sent))


def _table_in_order(s: Scope, kommun: str, rows: list[Scored], cells: list[list[Fact]]):
    """"Vilken verksamhet har störst underskott": the table's rows ordered by the chosen column."""
    ranked = extreme_rows([r for r in s.view.rows_of_table(rows[0].candidate.row)
                           if not LEXICON.other_group(s.a.text, r.label)], cells[0][0].column, s.superlative)
    if not ranked:
        return rows, cells
    return ([Scored(Candidate("row", kommun, r.doc_id, (), row=r, text=r.first.row_text), rows[0].p) for r, _ in ranked],
            [[f] for _, f in ranked])


def kommun_sentences(s: Scope, kommun: str, mine: list[Scored], rows: list[Scored]) -> list[Scored]:
    """The kommun's report sentences, as the intent asks for them."""
    sents = _best_sentences(s, mine)
    if across_reports(s.plan, kommun, s.view.reports):  # a named report no row comes from is read in its text
        shown = [r for r in rows if s.cells_of(r)]  # a row with no asked cell is not shown: its report is not said
        sents = best_of_each_report(sents, mine, s.plan, kommun, s.view.reports, shown)
    return sents


def _explained(s: Scope, rows: list[Scored], sents: list[Scored]) -> tuple[list[Scored], tuple[str, ...]]:
    """The sentences with what the intent adds, and the text of the leading row's own explanation
    where it stands below a table of the row alone (the first sentence then says it)."""
    own: list[Scored] = []
    alone = False
    if s.policy.explained_below:
        merged: list[Scored] = []
        # the leading row's own explanation first, then the best-matching text
        own, alone = explained_below(s.view, rows, sents)
        for extra in own + sents + causes_that_follow(sents):
            merged = merge_overlap(merged, extra) or merged + [extra]
        sents = merged
    if s.policy.lists_follow:
        sents = sents + lists_that_follow(s.view, sents)
    return sents, tuple(x.candidate.text for x in own) if alone else ()


def kommun_lines(s: Scope, draft: Draft, kommun: str, rows: list[Scored], cells: list[list[Fact]],
                 sents: list[Scored], own: tuple[str, ...] = ()) -> list[Line]:
    """The kommun's lines: each row's asked cells (and the first row's other values), then the
    sentences in reading order; the facts and lead figures go to the draft."""
    lines: list[Line] = []
    for r, chosen in zip(rows, cells):
        row, report = r.candidate.row, s.view.reports[r.candidate.doc_id]
        if not chosen:  # e.g. a month-by-year table and no month asked: no cell answers
            continue
        parent = s.view.row_parents.get((row.doc_id, row.line), "")
        text, comp = fact_sentence(row, chosen, report, parent)
        key = draft.cite("r", row)
        # a ranking shows the ranked column only; a month table's years the other values of the first row
        others = () if s.superlative and len(rows) > 1 or r is not rows[0] and is_year_label(row.label) \
            else other_cells(row, chosen)
        lines.append(Line(text, (key,), comp, tuple(chosen), others, parent, r.p))
        draft.facts.extend(chosen)
        draft.computed.extend(comp)
        draft.leads.append(Lead(kommun, chosen[0], report, parent, tuple(chosen), key, r.p))
    order = {id(x): i for i, x in enumerate(sents)}
    ranked_passages = list(dict.fromkeys(x.candidate.passage.id for x in sents))
    for x in sorted(sents, key=lambda x: (ranked_passages.index(x.candidate.passage.id), x.candidate.pos, order[id(x)])):
        if LEXICON.other_group(s.a.text, x.candidate.text):
            continue  # an explanation found below a row may speak of another target group only
        lines.append(Line(_EMPHASIS.sub("", x.candidate.text), (draft.cite("p", x.candidate.passage),), p=x.p,
                          explains=any(t in x.candidate.text for t in own)))
    return lines


def evidence_draft(s: Scope, missing: list[str]) -> tuple[Draft, list[Blank]]:
    """Each target kommun's rows and sentences, as lines of one draft."""
    draft = Draft(missing=list(missing))
    blanks: list[Blank] = []
    for kommun in s.targets:
        mine = [x for x in s.scored if x.candidate.kommun == kommun]
        if s.same_kind:  # kommuner are compared on the same kind of figure (a share with shares, money with money)
            mine = [x for x in mine if x.candidate.kind != "row" or figure_kind(x.candidate.row) == s.same_kind]
        rows = first_rows(s, kommun, mine)
        sents = kommun_sentences(s, kommun, mine, rows)
        chosen = kommun_rows(s, kommun, mine, rows, sents)
        if isinstance(chosen, Blank):
            blanks.append(chosen)
            draft.missing.append(kommun)
            continue
        rows, cells = chosen
        sents, own = _explained(s, rows, sents)
        lines = kommun_lines(s, draft, kommun, rows, cells, sents, own)
        if lines:
            draft.sections.append((kommun, lines))
        elif s.plan.named or s.plan.intent == "rank":  # asked about, and said to have no answer
            draft.missing.append(kommun)
    return draft, blanks
