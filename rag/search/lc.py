"""LangChain adapters: the hybrid retriever as a `BaseRetriever`, so the index plugs
into LangChain chains; LangChain is imported only when this module is."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class RagRetriever(BaseRetriever):
    """Hybrid (BM25 + dense, RRF) retrieval over the built index, kommun filters included."""

    engine: Any
    k: int = 5
    kommuner: tuple[str, ...] = ()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.engine.search(query, k=self.k, kommuner=self.kommuner)
        return [Document(page_content=h.passage.text, metadata={
            "rank": h.rank, "score": h.score, "doc_id": h.passage.doc_id, "kommun": h.passage.kommun,
            "period": h.passage.period, "section": h.passage.section, "kind": h.passage.kind,
            "header": h.passage.header}) for h in hits]
