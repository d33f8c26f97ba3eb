"""The refusal: two sentences, the specific reason the reports cannot answer and the nearest thing
they do say (a whole sentence, cited), with the list of what the corpus covers kept apart
(`Answer.coverage`) for the app to show behind a toggle."""
from __future__ import annotations

import re

from ..models import Answer, Citation, Report
from ..search.retrieval import sentence_pieces
from .candidates import Candidate
from .question import QuestionAnalysis
from .verify import cite_passage, cite_row
from .wording import fact_clause

#: the longest quote a refusal shows of the nearest passage; a longer first sentence is cut at a word
NEAREST_CHARS = 300


def coverage_summary(reports: dict[str, Report]) -> str:
    by_k: dict[str, list[str]] = {}
    for r in sorted(reports.values(), key=lambda r: (r.kommun, r.period_end)):
        by_k.setdefault(r.kommun, []).append(f"{r.title} ({r.period_end})")
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in by_k.items())


def nearest_sentence(nearest: Candidate, reports: dict[str, Report]) -> str:
    """What the nearest evidence says, as one whole sentence: a table row's first figure said as a
    sentence, a passage's first sentence (cut at a word only when it is very long)."""
    report = reports[nearest.doc_id]
    if nearest.kind == "row":
        f = nearest.row.first
        return f"I {report.kommun} {fact_clause(f, report).text}."
    text = " ".join(sentence_pieces(" ".join(nearest.text.split()))[0].split())
    if len(text) > NEAREST_CHARS:
        text = text[:NEAREST_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    elif not re.search(r"[.!?:;…]$", text):
        text += "."
    return f"{report.kommun} ({report.title}): {text}"


def refuse(a: QuestionAnalysis, reports: dict[str, Report], reason: str, nearest: Candidate | None = None) -> Answer:
    """A refusal that says why, then the closest thing the reports do say (cited)."""
    text = f"Rapporterna säger inte det: {reason}."
    citations: tuple[Citation, ...] = ()
    if not a.topic_words:  # "Och i Huddinge?" asked alone names no subject: nothing is near it
        nearest = None
    if nearest is not None and nearest.doc_id in reports:
        c = cite_row(nearest.row, reports, 1) if nearest.kind == "row" else cite_passage(nearest.passage, reports, 1)
        text += f"\nNärmast, men inte ett svar på frågan: {nearest_sentence(nearest, reports)} [1]"
        citations = (c,)
    return Answer(a.text, False, text, citations, (), (reason,), coverage_summary(reports))
