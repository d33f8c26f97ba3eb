"""The chat's state carried into a follow-up: what the last answer was about, from its facts.

A follow-up's words rarely name its subject ("Och året innan?", "Vad är målvärdet för det?",
"Bara för åldersgruppen 0–6 år?"): the subject is the table row the last answer's figures came
from. The `Anchor` holds those rows and what a row of another report or kommun shares with them
(its label, its table, its catalogue measure); the evidence step turns each into a feature of a
candidate row, and the fitted scorer decides how much each weighs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ..models import Answer, Report
from .corpus_view import CorpusView
from .rows import FactRow

_WORD = re.compile(r"[a-zåäöéü]+")
_STEM = 6  # letters that stand for a word when a label and a sentence are matched (inflections differ)


@dataclass(frozen=True)
class Anchor:
    """The rows the last answer's figures came from, and what another row may share with them."""

    rows: frozenset[tuple[str, int]]  # (doc_id, line)
    labels: frozenset[tuple[str, str]]  # (kommun, row key): the same row as another report prints it
    tables: frozenset[tuple[str, str]]  # (doc_id, table): a narrowing lands on another row of it
    measures: frozenset[str]  # catalogue measures of those rows: the same measure in another kommun
    label_words: tuple[str, ...]  # the rows' labels, for sentences that explain them
    change: str = ""  # what the follow-up changes (`Resolved.kind`: kommun, år, mått, grupp, ämne, …)
    #: an answer in the reports' words anchors the passages it quoted (no rows): "Och hur många tror de
    #: att det blir framåt?" is answered next to what was just said
    passages: frozenset[int] = frozenset()

    def said_in(self, text: str) -> float:
        """The largest share of one anchor label's words (their first letters: "nämnd-" and
        "nämnden" alike) that the text names: a sentence explaining the last answer's row."""
        have = {w[:_STEM] for w in _WORD.findall(text.lower())}
        best = 0.0
        for label in self.label_words:
            ws = {w[:_STEM] for w in _WORD.findall(label.lower()) if len(w) > 3}
            if ws:
                best = max(best, len(ws & have) / len(ws))
        return best

    def relation(self, row: FactRow, reports: dict[str, Report], measures_of: Mapping[tuple[str, int], frozenset[str]]
                 ) -> AnchorRelation:
        kommun = reports[row.doc_id].kommun
        same_row = (row.doc_id, row.line) in self.rows
        return AnchorRelation(
            row=float(same_row),
            label=float(not same_row and (kommun, row.key) in self.labels),
            table=float(not same_row and (row.doc_id, row.first.table) in self.tables),
            measure=float(bool(measures_of.get((row.doc_id, row.line), frozenset()) & self.measures)))


@dataclass(frozen=True)
class AnchorRelation:
    """How a candidate row stands to the anchor's rows (1.0 or 0.0 each)."""

    row: float = 0.0  # it is one of them
    label: float = 0.0  # the same label in another report of the kommun
    table: float = 0.0  # another row of one of their tables
    measure: float = 0.0  # the same catalogue measure

    @property
    def pins(self) -> bool:
        """Whether the row is kept among the candidates whatever its match to the words."""
        return bool(self.row or self.label or self.measure)


NO_RELATION = AnchorRelation()


def anchor_of(answer: Answer, view: CorpusView) -> Anchor | None:
    """The anchor of an answered question: its figures' table rows, or for an answer in the
    reports' words the passages it quoted; None for a refusal."""
    if not answer.answered:
        return None
    if not answer.facts:
        return _text_anchor(answer, view)
    by_line = {(r.doc_id, r.line): r for r in view.rows}
    rows = list(dict.fromkeys(by_line[(f.doc_id, f.line)] for f in answer.facts if (f.doc_id, f.line) in by_line))
    if not rows:
        return None
    if len(rows) >= 3 and len({(r.doc_id, r.first.header_line) for r in rows}) == 1:
        rows = rows[:1]  # a table's rows in order ("störst budget"): "dess …" is the one that leads
    reports = view.reports
    measures = view.row_measure_ids
    return Anchor(
        rows=frozenset((r.doc_id, r.line) for r in rows),
        labels=frozenset((reports[r.doc_id].kommun, r.key) for r in rows),
        tables=frozenset((r.doc_id, r.first.table) for r in rows),
        measures=frozenset(m for r in rows for m in measures.get((r.doc_id, r.line), ())),
        label_words=tuple(dict.fromkeys(r.label for r in rows)),
    )


def _text_anchor(answer: Answer, view: CorpusView) -> Anchor | None:
    """The passages an answer in the reports' words quoted, found by where each citation starts."""
    at = view.text_passage
    ids = frozenset(pid for c in answer.citations if c.kind == "passage" and (pid := at.get((c.doc_id, c.line))) is not None)
    if not ids:
        return None
    return Anchor(frozenset(), frozenset(), frozenset(), frozenset(), (), passages=ids)
