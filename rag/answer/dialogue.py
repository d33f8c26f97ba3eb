"""The chat's state carried into a follow-up: what the last answer was about, from its facts.

A follow-up's words rarely name its subject ("Och året innan?", "Vad är målvärdet för det?",
"Bara för åldersgruppen 0–6 år?"): the subject is the table row the last answer's figures came
from. The `Anchor` holds those rows and what a row of another report or kommun shares with them
(its label, its table, its catalogue measure); the evidence step turns each into a feature of a
candidate row, and the fitted scorer decides how much each weighs.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import Answer, Report
from .corpus_view import CorpusView
from .rows import FactRow

#: What a follow-up changed (`Resolved.kind`) that leaves the last answer's subject in place.
#: A new subject ("ämne") starts afresh.
KEEPS_SUBJECT = frozenset({"kommun", "år", "mått", "varför", "grupp", "rapport", "period", "jämför", "pronomen"})


@dataclass(frozen=True)
class Anchor:
    """The rows the last answer's figures came from, and what another row may share with them."""

    rows: frozenset[tuple[str, int]]  # (doc_id, line)
    labels: frozenset[tuple[str, str]]  # (kommun, row key): the same row as another report prints it
    tables: frozenset[tuple[str, str]]  # (doc_id, table): a narrowing lands on another row of it
    measures: frozenset[str]  # catalogue measures of those rows: the same measure in another kommun
    label_words: tuple[str, ...]  # the rows' labels, for sentences that explain them

    def relation(self, row: FactRow, reports: dict[str, Report], measures_of: dict[tuple[str, int], frozenset[str]]
                 ) -> tuple[float, float, float, float]:
        """(same row, same label in another report of the kommun, same table, same measure)."""
        kommun = reports[row.doc_id].kommun
        same_row = (row.doc_id, row.line) in self.rows
        return (float(same_row),
                float(not same_row and (kommun, row.key) in self.labels),
                float(not same_row and (row.doc_id, row.first.table) in self.tables),
                float(bool(measures_of.get((row.doc_id, row.line), frozenset()) & self.measures)))


NO_ANCHOR_RELATION = (0.0, 0.0, 0.0, 0.0)


def anchor_of(answer: Answer, view: CorpusView) -> Anchor | None:
    """The anchor of an answered question with figures from table rows; None otherwise."""
    if not answer.answered or not answer.facts:
        return None
    by_line = {(r.doc_id, r.line): r for r in view.rows}
    rows = [by_line[(f.doc_id, f.line)] for f in answer.facts if (f.doc_id, f.line) in by_line]
    if not rows:
        return None
    reports = view.reports
    measures = view.row_measure_ids
    return Anchor(
        rows=frozenset((r.doc_id, r.line) for r in rows),
        labels=frozenset((reports[r.doc_id].kommun, r.key) for r in rows),
        tables=frozenset((r.doc_id, r.first.table) for r in rows),
        measures=frozenset(m for r in rows for m in measures.get((r.doc_id, r.line), ())),
        label_words=tuple(dict.fromkeys(r.label for r in rows)),
    )
