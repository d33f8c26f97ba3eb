"""The engine: build the index from the corpus, load it, search and answer.

Models load lazily: `facts` and a cached `search` that never embeds need no
torch; the first query that needs a vector loads the embedder once.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .analysis import QuestionAnalysis, analyse, check_question
from .chunking import build_passages
from .config import Config
from .corpus import load_corpus
from .errors import IndexError_, IndexMismatch, IndexMissing
from .index import (EmbeddingCache, embed_passages, file_sha256, load_index, make_index, passages_sha,
                    read_manifest, save_index, search_index)
from .lexical import build_bm25
from .models import Answer, Hit, Report
from .retrieval import hybrid_search
from .store import Store, write_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildStats:
    reports: int
    passages: int
    facts: int
    embedded: int  # passages newly embedded (the rest came from the cache)
    seconds: float
    warnings: tuple[str, ...]


def build_index(config: Config, embedder=None, progress: Callable[[str, int, int], None] | None = None) -> BuildStats:
    """Parse the corpus, write the store, embed (cached by content) and write FAISS + manifest."""
    t0 = time.perf_counter()
    parsed = load_corpus(config.corpus_dir)
    passages = build_passages(parsed)
    if embedder is None:
        from .embedding import load_embedder

        embedder = load_embedder(config)
    config.index_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(config.embedding_cache_path)
    try:
        vectors, fresh = embed_passages(passages, embedder, cache, batch=config.batch_size * 2,
                                        progress=(lambda d, n: progress("embedding", d, n)) if progress else None)
    finally:
        cache.close()
    write_store(config.store_path, parsed, passages)
    index = make_index(vectors)
    save_index(index, config.faiss_path, config.manifest_path, {
        "model": embedder.name, "dimension": int(vectors.shape[1]), "n_vectors": len(passages),
        "passages_sha": passages_sha(passages), "store_sha256": file_sha256(config.store_path),
        "reports": {p.report.doc_id: p.report.sha256 for p in parsed}})
    stats = BuildStats(len(parsed), len(passages), sum(len(p.facts) for p in parsed), fresh,
                       time.perf_counter() - t0, tuple(str(w) for p in parsed for w in p.warnings))
    log.info("built index: %d reports, %d passages, %d facts, %d embedded in %.1fs",
             stats.reports, stats.passages, stats.facts, stats.embedded, stats.seconds)
    return stats


def index_status(config: Config) -> str:
    """'' when the index matches the corpus and model, else the reason it does not."""
    try:
        m = read_manifest(config.manifest_path)
    except IndexError_ as e:
        return str(e)
    if m.model != config.model:
        return f"the index was built with {m.model!r}, {config.model!r} is configured"
    try:
        parsed = load_corpus(config.corpus_dir)
    except Exception as e:  # a broken corpus is reported by the build itself
        return f"the corpus cannot be read: {e}"
    current = {p.report.doc_id: p.report.sha256 for p in parsed}
    if current != m.reports:
        added = sorted(set(current) - set(m.reports))
        changed = sorted(k for k in current if k in m.reports and current[k] != m.reports[k])
        removed = sorted(set(m.reports) - set(current))
        return f"the corpus changed (added {added}, changed {changed}, removed {removed})"
    for path in (config.store_path, config.faiss_path):
        if not path.exists():
            return f"{path.name} is missing"
    if passages_sha(build_passages(parsed)) != m.passages_sha:
        return "the passages differ from the indexed ones (chunking or parsing changed)"
    return ""


class Engine:
    """A loaded index: passages, facts, BM25, FAISS, and a lazily loaded embedder."""

    def __init__(self, config: Config, embedder=None):
        self.config = config
        manifest = read_manifest(config.manifest_path)
        self.store = Store(config.store_path)
        self.index = load_index(config.faiss_path, manifest, config.model if embedder is None else embedder.name,
                                config.store_path)
        self.passages = self.store.passages()
        if len(self.passages) != manifest.n_vectors:
            raise IndexMismatch("the store and the FAISS index hold different passage counts; rebuild")
        self.reports: dict[str, Report] = {r.doc_id: r for r in self.store.reports()}
        self.facts = self.store.facts()
        self.bm25 = build_bm25([p.index_text for p in self.passages])
        self.kommuner = frozenset(r.kommun for r in self.reports.values())
        self._embedder = embedder
        self._chat = None
        self._row_passage: dict[tuple[str, int], int] | None = None
        self.manifest = manifest

    @property
    def embedder(self):
        if self._embedder is None:
            from .embedding import load_embedder

            self._embedder = load_embedder(self.config)
        return self._embedder

    def dense(self, question: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = self.embedder.embed([question], query=True)[0]
        return search_index(self.index, q, k)

    def analyse(self, question: str) -> QuestionAnalysis:
        return analyse(check_question(question, self.config.max_question_chars), self.kommuner)

    def search(self, question: str, k: int = 5, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
               mode: str = "hybrid") -> list[Hit]:
        a = self.analyse(question)
        extra = {"tables": self.table_lookup(a, kommuner)} if mode == "hybrid" else None
        return hybrid_search(a.text, a, self.passages, self.reports, self.bm25,
                             None if mode == "bm25" else self.dense, k=k, candidates=self.config.candidates,
                             rrf_k=self.config.rrf_k, kommuner=kommuner, doc_ids=doc_ids, mode=mode,
                             extra=extra, weights={"tables": 0.5 if a.intent in ("why", "list") else 1.5})

    def table_lookup(self, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), per_kommun: int = 2) -> list[int]:
        """Passage ids of the table rows the fact lookup picks, best first."""
        from .answering import engine_idf, fact_rows
        from .tablelookup import best_rows

        if self._row_passage is None:
            self._row_passage = {(p.doc_id, p.locations[0].start_line): p.id for p in self.passages if p.kind == "table"}
        scope = set(kommuner or a.kommuner)
        ranked = best_rows(fact_rows(self), a, self.reports, engine_idf(self), self.bm25.vocab, scope, min_score=0.6)
        out, per = [], {}
        for _, row in ranked:
            k = self.reports[row.doc_id].kommun
            pid = self._row_passage.get((row.doc_id, row.line))
            if pid is not None and per.get(k, 0) < per_kommun:
                per[k] = per.get(k, 0) + 1
                out.append(pid)
        return out

    def ask(self, question: str, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = ()) -> Answer:
        from .answering import answer_question

        a = self.analyse(question)
        answer = answer_question(self, a, kommuner=kommuner, doc_ids=doc_ids)
        if self.config.llm_base_url:
            from .llm import chat_model_from_config, rewrite

            if self._chat is None:
                self._chat = chat_model_from_config(self.config)
            answer = rewrite(answer, self._chat)
        return answer


def open_engine(config: Config, embedder=None, build_if_needed: bool = True,
                progress: Callable[[str, int, int], None] | None = None) -> Engine:
    """Load the index, (re)building it first when it is missing or stale."""
    reason = index_status(config)
    if reason:
        if not build_if_needed:
            raise IndexMissing(reason)
        log.info("building the index: %s", reason)
        build_index(config, embedder, progress)
    try:
        return Engine(config, embedder)
    except IndexMismatch as e:
        if not build_if_needed:
            raise
        log.warning("rebuilding the index: %s", e)
        build_index(config, embedder, progress)
        return Engine(config, embedder)
