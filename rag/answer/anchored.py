"""The anchor step: a follow-up that names nothing but the last answer's row asks for another of
its cells ("Och året innan?", "Vad är målvärdet för det till 2030?", "Hur mycket av den har använts
hittills?"). Its words are the last question's subject and a column, so the scorer's evidence for
any row is thin; the row the last answer stood on answers, when no other row of the kommun names
the question's topic better and the row has the asked cell. A narrowing ("Bara för 0–6 år?") or a
new subject names words the row lacks, and the evidence step decides as for any question."""
from __future__ import annotations

import dataclasses

import numpy as np

from .corpus_view import CorpusView
from .evidence import Evidence
from .question import QuestionAnalysis
from .row_match import score_row
from .rows import asked_cell, pick_columns
from .topic import topic_units

#: intents a column of the last answer's row can answer (a why wants the report's sentences, a
#: comparison another kommun's figure)
ANCHORED_INTENTS = ("lookup", "trend")
#: follow-ups that leave the last answer's row: another kommun, a sub-row or group of it
LEAVES_ROW = ("kommun", "grupp")
#: how much less than the best-matching row of the kommun the anchored row may match the
#: question's topic (`score_row`, 1.0 names all of it) and still answer: higher keeps the last
#: answer's row against a row that names more of the question (a narrowing)
ANCHOR_SLACK = 0.02
#: after an answer in the reports' words, a sentence of a passage it quoted answers the follow-up when
#: the scorer ranks it this high among the kommun's candidates (higher: more follow-ups answered from
#: the same passage, more of them by a sentence about something else)
QUOTED_PASSAGE_TOP = 3


def anchored_probs(view: CorpusView, a: QuestionAnalysis, ev: Evidence, probs: np.ndarray,
                   answer_at: float) -> np.ndarray | None:
    """The scorer's probabilities with the anchored row lifted to lead the answer, or None when the
    follow-up is not a new cell of that row."""
    anchor = ev.anchor
    if anchor is None or ev.plan.intent not in ANCHORED_INTENTS or set(anchor.change.split(",")) & set(LEAVES_ROW):
        return None
    if not anchor.rows:
        return _said_next_to_it(ev, probs, answer_at)
    # no topic words of its own ("What was the share in 2021?"): nothing names another row
    query = topic_units(dataclasses.replace(a, years=(), months=(), report_hint=""), view.vocab)
    cell = asked_cell(a, ev.plan.measure)
    rows = [(i, c) for i, c in enumerate(ev.candidates) if c.kind == "row" and c.features]
    # a row's own words count beside its synonym group: the anchored "Köp av verksamhet" is named
    # by "köpte … verksamhet" as well as "Kommungemensam verksamhet" is
    match = {i: score_row(c.row, query, view.idf, view.vocab, plain=True) for i, c in rows}
    other_report = "rapport" in anchor.change.split(",")
    for i, c in sorted(rows, key=lambda ic: -probs[ic[0]]):
        # the row itself; after "Och i tertialrapporten?" its print in the report asked for
        if not (c.features.anchor_row or (other_report and c.features.anchor_label)):
            continue
        best_other = max((m for j, m in match.items() if ev.candidates[j].kommun == c.kommun), default=0.0)
        if query and match[i] + ANCHOR_SLACK < best_other:
            continue
        if not pick_columns(c.row, a, view.reports[c.doc_id], view.vocab, cell):
            continue
        lifted = probs.copy()
        lifted[i] = max(float(probs.max()), answer_at) + 1e-6
        return lifted
    return None


def _said_next_to_it(ev: Evidence, probs: np.ndarray, answer_at: float) -> np.ndarray | None:
    """After an answer in the reports' words, the best sentence of the passages it quoted, when the
    scorer already ranks it among the kommun's first few: the follow-up's pronoun ("det", "that")
    is what was just said, and its answer stands next to it."""
    quoted = [i for i, c in enumerate(ev.candidates) if c.kind == "sentence" and c.passage.id in ev.anchor.passages]
    if not quoted:
        return None
    best = max(quoted, key=lambda i: probs[i])
    kommun = ev.candidates[best].kommun
    ahead = sum(1 for j, c in enumerate(ev.candidates) if c.kommun == kommun and probs[j] > probs[best])
    if ahead >= QUOTED_PASSAGE_TOP:
        return None
    lifted = probs.copy()
    lifted[best] = max(float(probs.max()), answer_at) + 1e-6
    return lifted
