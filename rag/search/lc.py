"""LangChain adapters: the hybrid retriever as a `BaseRetriever`, so the index plugs
into LangChain chains, and a history-aware one that reads a follow-up against the chat
with the engine's own dialogue state (no chat model rewrites the question); LangChain
is imported only when this module is."""
from __future__ import annotations

from typing import Any, Sequence

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig, RunnableSerializable

from ..errors import QuestionError
from ..models import Hit

_BAD_HISTORY = "historiken måste vara en lista med tidigare meddelanden"


class RagRetriever(BaseRetriever):
    """Hybrid (BM25 + dense, RRF) retrieval over the built index, kommun filters included."""

    engine: Any
    k: int = 5
    kommuner: tuple[str, ...] = ()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [_document(h) for h in self.engine.search(query, k=self.k, kommuner=self.kommuner)]


class HistoryAwareRagRetriever(RunnableSerializable[dict, list[Document]]):
    """`{"input": question, "chat_history": messages}` -> documents, the input and output of
    LangChain's `create_history_aware_retriever`, with the follow-up read by `Engine.read_question`:
    "Och i Huddinge?" after a Solna question retrieves Huddinge's passages on the Solna question's
    subject. Each document's `read_as` says how the question was read ('' when read without the
    chat), `question` what was searched. A bare string is a question without history."""

    engine: Any
    k: int = 5
    kommuner: tuple[str, ...] = ()

    def invoke(self, input: dict | str, config: RunnableConfig | None = None, **kwargs: Any) -> list[Document]:
        return self._call_with_config(self._retrieve, input, config)

    def _retrieve(self, input: dict | str) -> list[Document]:
        if isinstance(input, str):
            question, history = input, ()
        elif isinstance(input, dict):
            question, history = input.get("input"), history_of(input.get("chat_history"))
        else:
            raise QuestionError(f"the input must be a question or a dict with 'input', not {type(input).__name__}",
                                swedish="frågan måste vara text")
        reading = self.engine.read_question(question, history)
        read_as = reading.resolved.reading if reading.used_history else ""
        searched = reading.resolved.question if reading.used_history else reading.asked
        hits = self.engine.search_reading(reading, k=self.k, kommuner=self.kommuner)
        return [_document(h, read_as=read_as, question=searched) for h in hits]


def history_of(chat_history: Sequence[Any] | None) -> tuple[str, ...]:
    """The engine's history (earlier questions, oldest first) from a LangChain chat history of
    messages, (role, text) pairs, role dicts or plain strings (questions): the human turns' text.
    The answers are left out: a follow-up is read against the questions asked before it."""
    if chat_history is None:
        return ()
    if isinstance(chat_history, (str, bytes, BaseMessage, dict)):  # one turn, not a list of turns
        raise QuestionError(f"chat_history must be a list of messages, not {type(chat_history).__name__}",
                            swedish=_BAD_HISTORY)
    try:
        messages = convert_to_messages(chat_history)
    except (ValueError, TypeError, NotImplementedError) as e:
        raise QuestionError(f"chat_history must be a list of messages: {e}".splitlines()[0],
                            swedish=_BAD_HISTORY) from e
    return tuple(m.text for m in messages if isinstance(m, HumanMessage) and m.text.strip())


def _document(h: Hit, **extra: str) -> Document:
    p = h.passage
    return Document(page_content=p.text, metadata={
        "rank": h.rank, "score": h.score, "doc_id": p.doc_id, "kommun": p.kommun, "period": p.period,
        "section": p.section, "kind": p.kind, "header": p.header, **extra})
