"""The naive LangChain baseline our retrieval is compared with.

Fixed-size character chunks of each report's raw text (no sections, no table
rows, no kommun header), sentence-transformers embeddings through LangChain and
an in-memory FAISS store: what a first LangChain tutorial would build. Nothing
is written to disk. By default it embeds with the same model as ours (e5 on
torch, without e5's query/passage prefixes), so a comparison measures the
pipeline rather than the model; `model=` picks another (MiniLM, smaller).
"""
from __future__ import annotations

import logging
import time

from rag.config import Config
from rag.ingest.corpus import load_corpus
from rag.search.embedding import model_path

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


class NaivePipeline:
    """RecursiveCharacterTextSplitter(1000/200) + HuggingFaceEmbeddings + FAISS."""

    def __init__(self, store, n_chunks: int, timings: dict[str, float], model: str = ""):
        self.store = store
        self.n_chunks = n_chunks
        self.model = model
        #: Seconds per build stage: split, load_model, embed_index (and total).
        self.timings = timings

    @classmethod
    def from_corpus(cls, config: Config, model: str | None = None) -> "NaivePipeline":
        from langchain_community.vectorstores import FAISS
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        texts: list[str] = []
        metadatas: list[dict] = []
        for parsed in load_corpus(config.corpus_dir):
            r = parsed.report
            for chunk in splitter.split_text("\n".join(parsed.lines)):
                texts.append(chunk)
                metadatas.append({"doc_id": r.doc_id, "kommun": r.kommun, "source": r.source})
        t1 = time.perf_counter()
        model = model or config.model
        embeddings = HuggingFaceEmbeddings(model_name=model_path(config.replace(model=model)),
                                           model_kwargs={"device": "cpu"})
        t2 = time.perf_counter()
        store = FAISS.from_texts(texts, embeddings, metadatas=metadatas)
        t3 = time.perf_counter()
        timings = {"split_s": t1 - t0, "load_model_s": t2 - t1, "embed_index_s": t3 - t2, "total_s": t3 - t0}
        log.info("naive baseline (%s): %d chunks in %.1fs", model, len(texts), timings["total_s"])
        return cls(store, len(texts), timings, model)

    def search(self, question: str, k: int = 5) -> list[str]:
        """Texts of the k chunks nearest the question."""
        return [doc.page_content for doc in self.store.similarity_search(question, k=k)]
