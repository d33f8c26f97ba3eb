"""The embeddings the answer path compares a question with: the question's own vector, the passage
vectors of the FAISS index, and vectors of row labels and report sentences (from the embedding
cache by content, else embedded on first use). The model is loaded only when a vector is needed.
Model calls happen here; the maths on the vectors is the caller's."""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from .index import EmbeddingCache, search_index

log = logging.getLogger(__name__)

#: sentence vectors kept in memory per process; past this many the memo starts afresh (the
#: embedding cache on disk still holds them)
SENTENCE_MEMO = 200_000
#: questions whose vectors are remembered (search and answer share one)
QUERY_MEMO = 64


class Vectors:
    """One loaded index's vectors and the embedder behind them."""

    def __init__(self, index, cache_path: Path, load_embedder: Callable[[], object], embedder=None):
        self.index = index
        self.cache_path = cache_path
        self._load_embedder = load_embedder
        self._embedder = embedder
        self._queries: dict[str, np.ndarray] = {}
        self._passages: np.ndarray | None = None
        self.sentence_memo: dict[str, np.ndarray] = {}
        self._label_lock = threading.Lock()
        self._labels: tuple[dict, np.ndarray] | None = None

    @property
    def embedder(self):
        if self._embedder is None:
            self._embedder = self._load_embedder()
        return self._embedder

    def query(self, question: str) -> np.ndarray:
        """The question's embedding, remembered for the last few questions."""
        vec = self._queries.get(question)
        if vec is None:
            vec = self.embedder.embed([question], query=True)[0]
            if len(self._queries) >= QUERY_MEMO:
                self._queries.clear()  # a small memo, not an LRU: clearing is safe while other threads read it
            self._queries[question] = vec
        return vec

    def passages(self) -> np.ndarray:
        """All passage vectors in id order (read back from the FAISS index once)."""
        if self._passages is None:
            n = self.index.ntotal
            self._passages = self.index.reconstruct_n(0, n) if n else np.zeros((0, 1), dtype=np.float32)
        return self._passages

    def dense(self, question: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        return search_index(self.index, self.query(question), k)

    def cached(self, kind: str, texts: list[str]) -> dict[str, np.ndarray]:
        """Unit vectors of `texts`, from the embedding cache by content (`kind` keeps row labels and
        sentences apart from passages); what is missing is embedded now and stored for next time."""
        shas = {t: hashlib.sha256(f"{kind}:{t}".encode()).hexdigest() for t in dict.fromkeys(texts)}
        model = self.embedder.name
        cache = None
        try:
            cache = EmbeddingCache(self.cache_path)
            have = cache.get(model, list(shas.values()))
        except Exception as e:  # a read-only or damaged cache costs time, never answers
            log.warning("embedding cache unavailable for %s vectors: %s", kind, e)
            have = {}
        todo = sorted({(sh, t) for t, sh in shas.items() if sh not in have})
        if todo:
            fresh = dict(zip((sh for sh, _ in todo), self.embedder.embed([t for _, t in todo])))
            have.update(fresh)
            if cache is not None:
                try:
                    cache.put(model, fresh)
                except Exception as e:
                    log.warning("could not store %s vectors: %s", kind, e)
        if cache is not None:
            cache.close()
        return {t: np.asarray(have[sh], dtype=np.float32) for t, sh in shas.items()}

    def sentences(self, sentences: list[str]) -> dict[str, np.ndarray]:
        """Vectors of `sentences`, from the memo, else the disk cache or the model (then remembered);
        a memo that would pass `SENTENCE_MEMO` starts afresh. What is returned never depends on the
        memo surviving: another thread may clear it."""
        memo = self.sentence_memo
        wanted = list(dict.fromkeys(sentences))
        have = {s: v for s in wanted if (v := memo.get(s)) is not None}
        missing = [s for s in wanted if s not in have]
        if missing:
            if len(memo) + len(missing) > SENTENCE_MEMO:
                memo.clear()
            fresh = self.cached("sentence", missing)
            memo.update(fresh)
            have.update(fresh)
        return have

    def labels(self, keys: list, texts: list[str]) -> tuple[dict, np.ndarray]:
        """One vector per table row label (`keys[i]` names `texts[i]`), embedded once per process."""
        with self._label_lock:
            if self._labels is None:
                vecs = self.cached("label", texts)
                dim = len(next(iter(vecs.values()))) if vecs else 1
                matrix = np.array([vecs[t] for t in texts], dtype=np.float32).reshape(len(texts), dim)
                self._labels = {k: i for i, k in enumerate(keys)}, matrix
            return self._labels
