"""The corpus as the answer path reads it: passages, reports, facts and the BM25 vocabulary, with
the tables derived from them (fact rows, each table's rows, each report's passages in reading
order, each kommun's words) as cached properties, built on first use and then shared by every
question. Nothing here runs a model; vectors live in `rag.search.vectors`."""
from __future__ import annotations

import threading
from functools import cached_property
from typing import Callable

from ..lexicon import LEXICON
from ..models import Fact, Passage, Report
from ..search.lexical import canon_idf, stem, words
from ..years import years_in
from .periods import largest_amount
from .rows import TOTAL_RE, FactRow, group_rows

TableKey = tuple[str, int]  # (doc_id, the table's header line)
RowKey = tuple[str, int]  # (doc_id, the row's line)


class CorpusView:
    """Read-only: every property is computed from the index as loaded and never changes after."""

    def __init__(self, passages: list[Passage], reports: dict[str, Report], bm25,
                 load_facts: Callable[[], list[Fact]], idf: dict[str, float] | None = None):
        self.passages = passages
        self.reports = reports
        self.bm25 = bm25
        self.vocab = bm25.vocab
        self.kommuner = frozenset(r.kommun for r in reports.values())
        self._load_facts = load_facts
        self._stored_idf = idf
        self._lock = threading.Lock()  # the facts are read once, whichever thread asks first

    @cached_property
    def facts(self) -> list[Fact]:
        """Every table cell, read from the store on first use rather than at start: they are the
        largest table (~0.7 M rows at 290 kommuner), and a start must not wait on them."""
        with self._lock:
            return self._load_facts()

    @cached_property
    def idf(self) -> dict[str, float]:
        """`canon_idf` of the passages; stored at build time, computed here only for an older index."""
        if self._stored_idf is not None:
            return self._stored_idf
        return canon_idf([p.index_text for p in self.passages], self.vocab)

    @cached_property
    def rows(self) -> list[FactRow]:
        return group_rows(self.facts)

    @cached_property
    def kommun_words(self) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
        """Per kommun: its surface words and its adjacent word-stem pairs."""
        out: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
        for p in self.passages:
            ws = words(p.index_text)
            vocab, pairs = out.setdefault(p.kommun, (set(), set()))
            vocab.update(ws)
            pairs.update(zip(map(stem, ws), map(stem, ws[1:])))
        return out

    @cached_property
    def all_words(self) -> tuple[set[str], set[tuple[str, str]]]:
        """Every kommun's words and word-stem pairs together."""
        kw = self.kommun_words
        return set().union(*(v for v, _ in kw.values())), set().union(*(p for _, p in kw.values()))

    @cached_property
    def row_passage(self) -> dict[RowKey, int]:
        """The passage id of each table row."""
        return {(p.doc_id, p.locations[0].start_line): p.id for p in self.passages if p.kind == "table"}

    @cached_property
    def text_passage(self) -> dict[RowKey, int]:
        """(doc_id, line a text passage starts at, in any of its places) -> passage id: what a
        passage citation points at."""
        return {(loc.doc_id, loc.start_line): p.id for p in self.passages if p.kind == "text" for loc in p.locations}

    @cached_property
    def passages_by_doc(self) -> dict[str, list[tuple[int, str, Passage]]]:
        """Each report's passages in reading order, with the section each stands in."""
        by_doc: dict[str, list[tuple[int, str, Passage]]] = {}
        for p in self.passages:
            for loc in p.locations:
                by_doc.setdefault(loc.doc_id, []).append((loc.start_line, loc.section, p))
        return {d: sorted(v, key=lambda t: t[0]) for d, v in by_doc.items()}

    @cached_property
    def tables(self) -> dict[TableKey, list[FactRow]]:
        """Every table's rows with figures, in the report's order."""
        out: dict[TableKey, list[FactRow]] = {}
        for r in self.rows:
            out.setdefault((r.doc_id, r.first.header_line), []).append(r)
        return out

    @cached_property
    def table_years(self) -> dict[TableKey, frozenset[int]]:
        """The years a table's total row names ("Totalt 2022" closing the KPB table of age groups):
        every row of that table is of those years, though no column says so."""
        out: dict[TableKey, frozenset[int]] = {}
        for key, rows in self.tables.items():
            named = {y for r in rows if TOTAL_RE.match(r.label) for y in years_in(r.label)}
            if named:
                out[key] = frozenset(named)
        return out

    @cached_property
    def table_ends(self) -> dict[TableKey, int]:
        """The line of each table's last row with figures."""
        out: dict[TableKey, int] = {}
        for r in self.rows:
            key = (r.doc_id, r.first.header_line)
            out[key] = max(out.get(key, 0), r.line)
        return out

    @cached_property
    def committee_rows(self) -> dict[str, list[FactRow]]:
        """Per report, the rows that are the committee's own total (`LEXICON.committee_total`), the
        whole committee's first: the largest amount (a sub-table's "Summa" is smaller)."""
        out: dict[str, list[FactRow]] = {}
        for r in self.rows:
            if LEXICON.committee_total(r.key, r.first.table):
                out.setdefault(r.doc_id, []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: -largest_amount(r.facts))
        return out

    @cached_property
    def row_parents(self) -> dict[RowKey, str]:
        return {(r.doc_id, r.line): r.parent for r in self.rows if r.parent}

    @cached_property
    def _measures(self) -> dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]]:
        """(measure id, money?) -> per report, the rows reporting it with the mapping's confidence, most
        confident first (`_most_confident_first`). A row's amounts and its counts are read apart (an activity's cost and its
        volume stand in one row of a volume table)."""
        from .measures import row_measures

        out: dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]] = {}
        for r in self.rows:
            f = r.first
            for money, m in row_measures(r.label, f.caption, f.table, {g.unit for g in r.facts}).items():
                out.setdefault((m.measure, money), {}).setdefault(r.doc_id, []).append((r, m.confidence))
        self._bare_totals(out)
        self._residuals(out)
        return _most_confident_first(out)

    def _bare_totals(self, out: dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]]) -> None:
        """A bare total ("Summa", "Totalt") of a table of activities is the committee's net cost: it
        sums what the activities cost net of their income. Read so only where most of the table's
        other rows are activities of the catalogue."""
        from .measures import TOTAL_ONLY, catalogue

        cat = catalogue()
        activity = {(r.doc_id, r.line) for (mid, money), per_doc in out.items() if money
                    and cat.measures[mid].group == "verksamhet" for rows in per_doc.values() for r, _ in rows}
        for rows in self.tables.values():
            totals = [r for r in rows if TOTAL_ONLY.match(r.label)]
            others = [r for r in rows if r not in totals]
            if totals and others and sum((r.doc_id, r.line) in activity for r in others) * 2 > len(others):
                for r in totals:
                    out.setdefault(("nettokostnad", True), {}).setdefault(r.doc_id, []).append((r, 0.6))

    def _residuals(self, out: dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]]) -> None:
        """A bare "Övrigt" after a table's cost lines (Personal, Lokaler, …) is the rest of them:
        övriga kostnader (`Catalogue.residual_of`), read with the confidence of a caption match."""
        from .measures import MONEY_UNITS, catalogue

        cat = catalogue()
        group_of = {(r.doc_id, r.line): cat.measures[mid].group for (mid, money), per_doc in out.items() if money
                    for rows in per_doc.values() for r, _ in rows}
        for rows in self.tables.values():
            for i, r in enumerate(rows):
                if (r.doc_id, r.line) in group_of:
                    continue
                above = [group_of[(x.doc_id, x.line)] for x in rows[max(0, i - 4):i] if (x.doc_id, x.line) in group_of]
                mid = cat.residual_of(r.label, above)
                if mid and any(f.unit in MONEY_UNITS for f in r.facts):
                    out.setdefault((mid, True), {}).setdefault(r.doc_id, []).append((r, 0.6))

    @cached_property
    def row_measure_ids(self) -> dict[RowKey, frozenset[str]]:
        """Each row's catalogue measures (a follow-up asks for the last answer's measure elsewhere)."""
        out: dict[RowKey, set[str]] = {}
        for (measure, _money), per_doc in self._measures.items():
            for rows in per_doc.values():
                for r, _confidence in rows:
                    out.setdefault((r.doc_id, r.line), set()).add(measure)
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def _near_measures(self) -> dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]]:
        """As `_measures`, for the rows that name a measure below the mapping's confidence."""
        from .measures import near_row_measures

        out: dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]] = {}
        for r in self.rows:
            f = r.first
            for money, m in near_row_measures(r.label, f.caption, f.table, {g.unit for g in r.facts}).items():
                out.setdefault((m.measure, money), {}).setdefault(r.doc_id, []).append((r, m.confidence))
        return _most_confident_first(out)

    def near_measure_rows(self, measure: str, money: bool) -> dict[str, list[tuple[FactRow, float]]]:
        """Per report, the rows whose label names `measure` among words of its own, nearest first."""
        return self._near_measures.get((measure, money), {})

    def measure_rows(self, measure: str, money: bool) -> dict[str, list[tuple[FactRow, float]]]:
        """Per report, the rows that report `measure` (its amounts, or its counts), most confident first."""
        return self._measures.get((measure, money), {})

    def rows_of_table(self, row: FactRow) -> list[FactRow]:
        """Every row with figures of the row's table, in the report's order."""
        return list(self.tables.get((row.doc_id, row.first.header_line), ()))

    def commentary(self, row: FactRow, passages: int = 6) -> list[Passage]:
        """The text right after a row's table, up to the next table or section: where a report explains
        its figures (one paragraph per row of a larger table, so a few passages)."""
        end = self.table_ends[(row.doc_id, row.first.header_line)]
        out: list[Passage] = []
        section = None
        for start, where, p in self.passages_by_doc.get(row.doc_id, []):
            if start <= end:
                continue  # the row's own table
            if p.kind == "table" or (section is not None and where != section):
                break  # the next table or section: the text after it explains something else
            section = where
            out.append(p)
            if len(out) >= passages:
                break
        return out

    def passage_after(self, passage: Passage) -> Passage | None:
        """The next passage of the same report and section, if it is text."""
        loc = passage.locations[0]
        seq = self.passages_by_doc.get(loc.doc_id, [])
        for i, (start, where, p) in enumerate(seq):
            if p.id == passage.id and start == loc.start_line:
                if i + 1 < len(seq) and seq[i + 1][1] == loc.section and seq[i + 1][2].kind == "text":
                    return seq[i + 1][2]
                return None
        return None


def _most_confident_first(out: dict[tuple[str, bool], dict[str, list[tuple[FactRow, float]]]]):
    """Each report's rows of a measure, most confident first; at equal confidence a table's bare
    total first: in a table captioned by the measure ("Investeringar, tkr") the "Summa" is all of
    it, a line named like it one part."""
    from .measures import TOTAL_ONLY

    for per_doc in out.values():
        for rows in per_doc.values():
            rows.sort(key=lambda t: (-t[1], not TOTAL_ONLY.match(t[0].label)))
    return out
