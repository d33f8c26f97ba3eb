"""Which rows and sentences an answer shows: pure choices over scored candidates.

The scorer gives each candidate a probability; these functions pick the best
of each kind above their floors, merge overlapping text, add the report's own
explanation of a leading row, and find the row that counts the same thing in
another kommun's or report's tables. `answering.py` writes the answer from
what they pick.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .candidates import Candidate, row_figures, text_figures
from .figures_said import counts_other_than_people, counts_people, gives_rate, has_figure
from ..ingest.chunking import LIST_ITEM
from .corpus_view import CorpusView
from .evidence import Evidence
from .question import QuestionAnalysis
from .turn_words import groups_named, is_english, words_of
from ..search.lexical import terms
from ..lexicon import LEXICON
from ..models import Fact, Report
from .plan import Plan, names_two_reports
from ..search.retrieval import sentences
from .rows import MONEY_UNITS, TOTAL_RE, FactRow, asked_cell, cell_fits, is_year_label
from .topic import figure_key
from ..years import without_years, years_in


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    p: float


def figure_kind(row: FactRow) -> str:
    units = {f.unit for f in row.facts}
    return "money" if units & MONEY_UNITS else "share" if "%" in units else "count"


def figure_kind_of_best_row(scored: list[Scored]) -> str:
    rows = [s for s in scored if s.candidate.kind == "row"]
    return figure_kind(max(rows, key=lambda s: s.p).candidate.row) if rows else ""


def pick(scored: list[Scored], kind: str, limit: int, floor: float) -> list[Scored]:
    out: list[Scored] = []
    for s in sorted((s for s in scored if s.candidate.kind == kind), key=lambda s: -s.p):
        if len(out) >= limit or s.p < floor:
            break
        c = s.candidate
        if kind == "sentence":
            merged = merge_overlap(out, s)
            if merged is not None:
                out = merged
                continue
            if any(near_same(c.text, o.candidate.text) for o in out):
                continue  # a report that says the same thing twice is quoted once
        if kind == "row" and any(same_row(o.candidate.row, c.row) for o in out):
            continue
        out.append(s)
    return out


def same_row(a: FactRow, b: FactRow) -> bool:
    """One row printed twice in a report (a summary table repeated in an appendix): same label and
    figures. A label shared by two tables (a cost row and a volume row) is two rows."""
    return a.doc_id == b.doc_id and a.key == b.key and [f.raw for f in a.facts] == [f.raw for f in b.facts]


def extreme_rows(rows: list[FactRow], column: str, direction: str, n: int = 3) -> list[tuple[FactRow, Fact]]:
    """The rows of one table ordered by their cell in `column`, the asked extreme first ("max", "min",
    or "negative": the most negative); a column of costs printed as negative figures is ordered by
    size. [] when fewer than two rows have the column."""
    cells = [(r, f) for r in rows if not TOTAL_RE.match(r.label) for f in r.facts if f.column == column]
    if len(cells) < 2:
        return []
    if direction == "negative":
        return sorted(cells, key=lambda rf: rf[1].value)[:n]
    by_size = all(f.value <= 0 for _, f in cells)
    return sorted(cells, key=lambda rf: abs(rf[1].value) if by_size else rf[1].value, reverse=direction == "max")[:n]


def next_row_with_cells(ranked: list[Scored], rows: list[Scored], cells: list, cells_of) -> tuple[list, list]:
    """The first of `ranked` (most probable first) that `cells_of` finds a cell in, as the rows and
    cells to show; the given ones when none has a cell."""
    for r in ranked:
        if any(r is o for o in rows):
            continue
        got = cells_of(r)
        if got:
            return [r], [got]
    return rows, cells


def near_same(a: str, b: str, share: float = 0.8) -> bool:
    """Two sentences with nearly the same words (one report repeating itself in two places)."""
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= share


def row_per_side(scored: list[Scored], sides: tuple[str, ...], vocab) -> list[Scored]:
    """For a question that sets two things against each other, the most probable row whose label
    names each (all the side's words, compounds split); [] unless every side has its own row."""
    out: list[Scored] = []
    rows = sorted((s for s in scored if s.candidate.kind == "row"), key=lambda s: -s.p)
    for side in sides:
        want = set(terms(side, vocab))
        match = next((s for s in rows if want and want <= set(terms(s.candidate.row.label, vocab))
                      and all(s is not o for o in out)), None)
        if match is None:
            return []
        out.append(match)
    return out


def group_sub_row(view: CorpusView, lead: Scored, question: str) -> Scored | None:
    """"Hur många av dem var män?" read in "Antal anställda": the row's own sub-row for the population
    group the question names ("- varav män"), when the row itself names no group the question does."""
    english = is_english(question.lower())
    groups = set(groups_named(words_of(question), english))
    row = lead.candidate.row
    if not groups or groups & set(groups_named(words_of(row.label), english)):
        return None
    parents = view.row_parents
    for r in view.rows_of_table(row):
        if parents.get((r.doc_id, r.line)) == row.label and groups & set(groups_named(words_of(r.label), english)):
            return Scored(Candidate("row", lead.candidate.kommun, r.doc_id, (), row=r, text=r.first.row_text), lead.p)
    return None


def _span(c: Candidate) -> tuple[int, int]:
    """Where a sentence candidate stands in its passage's text."""
    start = c.passage.text.find(c.text, max(0, c.pos - 5))
    start = c.pos if start < 0 else start
    return start, start + len(c.text)


def merge_overlap(out: list[Scored], s: Scored, max_chars: int = 900) -> list[Scored] | None:
    """When `s` overlaps a picked sentence of the same passage, the two become one contiguous
    stretch of report text (so nothing is shown twice); None when it overlaps nothing."""
    c = s.candidate
    a0, a1 = _span(c)
    for i, o in enumerate(out):
        oc = o.candidate
        if oc.passage.id != c.passage.id:
            continue
        b0, b1 = _span(oc)
        if a0 < b1 and b0 < a1:  # they share text
            lo, hi = min(a0, b0), max(a1, b1)
            if hi - lo > max_chars:
                return out  # keep what is there; the longer stretch would be a wall of text
            text = c.passage.text[lo:hi].strip()
            joined = Scored(dataclasses.replace(oc, text=text, pos=lo), max(o.p, s.p))
            return out[:i] + [joined] + out[i + 1:]
    return None


def explained_below(view: CorpusView, rows: list[Scored], sents: list[Scored]) -> tuple[list[Scored], bool]:
    """The report's own explanation of a leading table row: the first sentence giving a cause in
    the text right after the row's table, or after a small table of the same row elsewhere in the
    report (a summary table's line, explained under its own table further on); below a table of
    the row alone, without a cause word, the first sentence that does more than repeat a figure.
    Nothing where a picked sentence already comes from there. With it: whether it is the text
    below a table of the row alone (about the row, not about a whole table)."""
    if not rows:
        return [], False
    lead = rows[0]
    row = lead.candidate.row
    label = set(terms(row.label, view.vocab))
    for r in _tables_of(view, row):
        below = view.commentary(r)
        if any(s.candidate.passage.id == p.id for s in sents for p in below):
            return [], False
        alone = len(view.rows_of_table(r)) <= 2
        if not alone:  # text after a larger table explains the row only where it names it
            below = [p for p in below if label & set(terms(p.text, view.vocab))]
        for p in below:
            said = [(s0, p.text[s0:s1].strip()) for s0, s1 in sentences(p.text)]
            found = next(((s0, t) for s0, t in said if LEXICON.causal.search(t)), None) or (next(
                ((s0, t) for s0, t in said if not has_figure(t) and len(t.split()) >= 6), None) if alone else None)
            if found:
                return [Scored(Candidate("sentence", lead.candidate.kommun, p.doc_id, (), passage=p, text=found[1],
                                         pos=found[0]), lead.p)], alone
    return [], False


def _tables_of(view: CorpusView, row: FactRow) -> list[FactRow]:
    """The row and the same row (its label) in the report's other tables of two rows at most, a
    table of the row alone first: the text below it is about the row, the text below a larger
    table about all of it."""
    same = [r for r in view.rows if r.doc_id == row.doc_id and r.key == row.key
            and r.first.header_line != row.first.header_line and len(view.rows_of_table(r)) <= 2]
    return sorted([row, *same], key=lambda r: len(view.rows_of_table(r)) > 2)


def causes_that_follow(sents: list[Scored]) -> list[Scored]:
    """The report's own explanation often comes right after the figure it explains: the next
    sentence of a picked one, when it gives a cause and is not shown already (one per answer)."""
    for s in sents:
        c = s.candidate
        text = c.passage.text
        end = c.pos + len(c.text)
        for s0, s1 in sentences(text):
            if s0 < end or s0 > end + 200:
                continue
            nxt = text[s0:s1].strip()
            if LEXICON.causal.search(nxt) and not any(nxt in o.candidate.text for o in sents):
                return [Scored(dataclasses.replace(c, text=nxt, pos=s0), s.p)]
            break
    return []


def lists_that_follow(view: CorpusView, sents: list[Scored]) -> list[Scored]:
    """A quoted sentence that introduces a list ("… finns en rad forum och aktiviteter:") is
    followed by its items, the next passage of bullet lines, which it says nothing without: one
    quote per item, each cited to that passage."""
    out: list[Scored] = []
    for s in sents:
        c = s.candidate
        if not c.text.rstrip().endswith((":", ";")):
            continue
        nxt = view.passage_after(c.passage)
        if nxt is None or not LIST_ITEM.match(nxt.text) or any(o.candidate.passage.id == nxt.id for o in sents + out):
            continue
        pos = 0
        for line in nxt.text.splitlines(keepends=True):
            m = LIST_ITEM.match(line)
            if m and line[m.end():].strip():
                out.append(Scored(dataclasses.replace(c, passage=nxt, text=line[m.end():].strip(), pos=pos + m.end()),
                                  s.p))
            pos += len(line)
    return out


def rows_of_each_year(view: CorpusView, rows: list[Scored], years: tuple[int, ...]) -> list[Scored]:
    """A row asked about over a span of years ("från januari 2021 till december 2023", "mellan 2021
    och 2022"): the row of each year in the span, oldest first. In a month-by-year table (a row per
    year, a column per month) those are its year rows; otherwise the report's rows whose labels are
    the lead's but for the year ("Totalt 2021" beside "Totalt 2022", in a table of its own)."""
    lead = rows[0]
    label = lead.candidate.row.label
    if is_year_label(label):
        in_span = sorted((int(r.label), r) for r in view.rows_of_table(lead.candidate.row)
                         if is_year_label(r.label) and min(years) <= int(r.label) <= max(years))
    elif len(years_in(label)) == 1:
        unyeared = without_years(label).strip()
        in_span = sorted((years_in(r.label)[0], r) for r in view.rows if r.doc_id == lead.candidate.doc_id
                         and len(years_in(r.label)) == 1 and without_years(r.label).strip() == unyeared
                         and min(years) <= years_in(r.label)[0] <= max(years))
    else:
        return rows
    if len(in_span) < 2:
        return rows
    return [Scored(dataclasses.replace(lead.candidate, doc_id=r.doc_id, row=r, text=r.first.row_text), lead.p)
            for _, r in in_span]


def row_quoted(sents: list[Scored], scored: list[Scored]) -> list[Scored]:
    """The most probable row holding a figure the best sentence quotes: the table row behind the
    text gives the other years and the budget that a change is read against."""
    if not sents:
        return []
    figs = text_figures(sents[0].candidate.text)
    rows = [s for s in scored if s.candidate.kind == "row" and figs & row_figures(s.candidate.row, worth_matching=True)]
    return [max(rows, key=lambda s: s.p)] if rows else []


def same_figure_in(view: CorpusView, anchor: Scored, kommun: str, plan: Plan) -> Scored | None:
    """For a comparison: the row of `kommun`'s newest report in scope that counts what the anchor
    row (another kommun's answer) counts, in the same kind of unit; None when no row does."""
    vocab = view.vocab
    key = figure_key(anchor.candidate.row.label, vocab)
    if not key:
        return None
    kind = figure_kind(anchor.candidate.row)
    for doc_id in plan.doc_ids:  # newest first
        if view.reports[doc_id].kommun != kommun:
            continue
        for row in view.rows:
            if row.doc_id == doc_id and figure_key(row.label, vocab) == key and figure_kind(row) == kind:
                return Scored(Candidate("row", kommun, doc_id, (), row=row, text=row.first.row_text), anchor.p)
    return None


def across_reports(plan: Plan, kommun: str, reports: dict[str, Report]) -> bool:
    """A question that names two of one kommun's reports (by type or by the month each ends)."""
    return names_two_reports(plan.analysis, [reports[d] for d in plan.doc_ids if reports[d].kommun == kommun])


def best_of_each_report(sents: list[Scored], mine: list[Scored], plan: Plan, kommun: str,
                         reports: dict[str, Report], rows: list[Scored] = ()) -> list[Scored]:
    """A question that names two of a kommun's reports is answered from each: the best sentence
    of a named report that neither a picked sentence nor a shown row comes from is added (asked a
    price per unit, the best that gives one, where the sentences picked from that report give none)."""
    out = list(sents)
    rate = LEXICON.asked_rate(plan.analysis.text)  # "vad kostade ett dygn": the report's price per dygn
    for d in plan.doc_ids:
        said = [s for s in out if s.candidate.doc_id == d]
        if reports[d].kommun != kommun or any(r.candidate.doc_id == d for r in rows) or said and (
                not rate or any(gives_rate(s.candidate.text, rate) for s in said)):
            continue
        own = [s for s in mine if s.candidate.kind == "sentence" and s.candidate.doc_id == d and s not in said]
        if rate:
            own = [s for s in own if gives_rate(s.candidate.text, rate)] or ([] if said else own)
        if own:
            best = max(own, key=lambda s: s.p)
            out = merge_overlap(out, best) or out + [best]
    return out


def same_row_in_each_report(view: CorpusView, first: Scored, plan: Plan, kommun: str) -> list[Scored]:
    """The chosen row and the row with the same label in the kommun's other reports, oldest first; of
    a report's rows with that label (a cost table's and a volume table's), the one whose columns are
    most like the chosen row's."""
    chosen = first.candidate.row
    columns = {f.column.lower() for f in chosen.facts}
    best: dict[str, tuple[int, FactRow]] = {}
    for row in view.rows:
        if row.doc_id in plan.doc_ids and row.doc_id != first.candidate.doc_id \
                and view.reports[row.doc_id].kommun == kommun and row.key == chosen.key:
            alike = len(columns & {f.column.lower() for f in row.facts})
            if row.doc_id not in best or alike > best[row.doc_id][0]:
                best[row.doc_id] = (alike, row)
    out = [first] + [Scored(Candidate("row", kommun, row.doc_id, first.candidate.features, row=row,
                                      text=row.first.row_text), first.p) for _, row in best.values()]
    return sorted(out, key=lambda s: view.reports[s.candidate.doc_id].period_end)


def usable(ev: Evidence, probs, figure: str | None = None) -> list[Scored]:
    """The scored candidates that can answer: a row none of whose cells is the kind of figure
    asked for ("hur många" and a row of mnkr) cannot. `figure` as `asked_cell` reads it."""
    if figure is None:
        figure = asked_cell(ev.plan.analysis, ev.plan.measure)
    question = ev.plan.analysis.text
    rate = LEXICON.asked_rate(question)
    people = counts_people(question)  # "hur många ungdomar": never a row of vårddygn or hushåll
    # a figure per unit ("vad kostar ett vårddygn") is said only where the unit is: a sentence giving a
    # figure answers with it, while one explaining why may name none
    said_rate = rate if ev.plan.intent not in ("why", "list") else ""

    def answers(c: Candidate) -> bool:
        if c.kind == "sentence":
            return not said_rate or said_rate in LEXICON.spell_out(c.text).lower()
        if c.kind != "row":
            return True
        f = c.row.first
        return any(cell_fits(g, figure) for g in c.row.facts) and names_rate(c.row, rate) \
            and not (people and counts_other_than_people(f"{c.row.label} {f.caption} {f.table}", question))

    return [Scored(c, float(p)) for c, p in zip(ev.candidates, probs) if answers(c)]


def names_rate(row: FactRow, rate: str) -> bool:
    """Whether a row gives a figure per the unit asked ("vad kostar ett dygn": a row naming dygn in its
    label, caption or headings, abbreviations spelt out; KPB is per brukare); any row when none is asked."""
    if not rate:
        return True
    f = row.first
    said = " ".join([row.label, f.caption, f.table, *(g.column for g in row.facts)])
    return rate in LEXICON.spell_out(said).lower()


def strength(ev: Evidence, probs) -> float:
    """The probability of the best usable evidence: what answerability is decided on."""
    return max((s.p for s in usable(ev, probs)), default=0.0)
