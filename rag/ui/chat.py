"""The chat's turns: a question, and the reply the engine gives to it read with the questions before it
(so 'Och i Huddinge?' is the last question about Huddinge), or as it is written when the person asks for
that. No Streamlit: the page keeps the turns in its session state and draws them."""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from rag.config import Config
from rag.errors import RagError
from rag.models import Answer
from rag.search.store import add_feedback, update_feedback
from rag.ui.charts import Chart, chart_data
from rag.ui.scope import scope_for
from rag.ui.swedish import swedish_error

log = logging.getLogger("rag.app")


@dataclass(frozen=True)
class Asked:
    """A question as the user typed it (or chose an example)."""

    id: int
    text: str


@dataclass
class Reply:
    """The answer to one question, or the error it gave. Mutable only in its feedback: the first rating
    stores a feedback row, later changes and a comment update that row."""

    id: int
    question: str
    history: tuple[str, ...] = ()
    answer: Answer | None = None
    charts: tuple[Chart, ...] = ()
    note: str = ""  # the question overrode the sidebar's choice
    error: str = ""
    seconds: float = 0.0
    feedback_row: int | None = None
    rating: int | None = None
    comment: str = ""
    kommuner: tuple[str, ...] = ()  # the sidebar's choice it was asked under, for asking it again
    doc_ids: tuple[str, ...] = ()
    as_written: bool = False  # asked again without the chat's earlier questions


Turn = Asked | Reply


def questions_so_far(turns: list[Turn]) -> tuple[str, ...]:
    """The history a new question is read against: every question asked in this chat, oldest first."""
    return tuple(t.text for t in turns if isinstance(t, Asked))


def answer_turn(engine, mid: int, question: str, history: tuple[str, ...], kommuner: tuple[str, ...],
                doc_ids: tuple[str, ...]) -> Reply:
    """The engine's answer within the sidebar's choice (or what the question names instead), with its
    charts; a library error becomes a Swedish message, never a traceback."""
    note = ""
    try:
        scope = scope_for(question, history, engine, kommuner, doc_ids)
        note = scope.note
        t0 = time.perf_counter()
        answer = engine.ask(question, kommuner=scope.kommuner, doc_ids=scope.doc_ids, history=history)
        seconds = time.perf_counter() - t0
        log.info("answered in %.2f s: %r", seconds, question)
    except RagError as e:
        return Reply(mid, question, history, note=note, error=f"Frågan kan inte besvaras. {swedish_error(e)}",
                     kommuner=kommuner, doc_ids=doc_ids)
    except Exception:
        log.exception("answering %r failed", question)
        return Reply(mid, question, history, note=note, kommuner=kommuner, doc_ids=doc_ids,
                     error="Ett internt fel inträffade när frågan besvarades; se serverloggen.")
    charts = tuple(chart_data(answer, engine.facts, engine.reports)) if answer.answered else ()
    return Reply(mid, question, history, answer, charts, note, seconds=seconds, kommuner=kommuner, doc_ids=doc_ids)


def can_ask_again(reply: Reply) -> bool:
    """A follow-up's answer may be asked as written, and an answer asked as written read as a follow-up again."""
    return reply.as_written or (reply.answer is not None and bool(reply.answer.read_as))


def ask_again(engine, turns: list[Turn], mid: int, new_mid: int, as_written: bool) -> Reply | None:
    """Answer reply `mid`'s question again, as written (no history) or as the follow-up it was, under the
    same sidebar choice, in that reply's place (None when the chat has no such reply any more). The
    questions asked do not change, so neither does what a later question is read against."""
    at = next((i for i, t in enumerate(turns) if isinstance(t, Reply) and t.id == mid), None)
    if at is None:
        return None
    old = turns[at]
    history = () if as_written else questions_so_far(turns[:at])[:-1]  # the questions before this one
    reply = dataclasses.replace(answer_turn(engine, new_mid, old.question, history, old.kommuner, old.doc_ids),
                                as_written=as_written)
    turns[at] = reply
    return reply


def store_feedback(config: Config, reply: Reply, rating: int | None, comment: str | None = None) -> None:
    """One row per answer: the first rating adds it, later changes update it."""
    if reply.answer is None:
        return
    reply.rating = rating
    if reply.feedback_row is None:
        if rating is None:
            return
        payload = {**reply.answer.to_json(), "asked_with_history": list(reply.history)}
        reply.feedback_row = add_feedback(config.feedback_path, reply.question, payload, rating, comment or "")
    else:
        update_feedback(config.feedback_path, reply.feedback_row, rating=rating, comment=comment)
