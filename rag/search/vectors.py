"""The embeddings the answer path compares a question with: the question's own vector, the passage
vectors of the FAISS index, and vectors of row labels and report sentences. Label and sentence
vectors are computed at build time into the index version's `vectors.npz` (keyed by the sha256 of
kind and text), so answering never writes: a text not found there is embedded in memory only. The
model is loaded only when a vector is needed. Model calls happen here; the maths on the vectors is
the caller's."""
from __future__ import annotations

import hashlib
import logging
import threading
import zipfile
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


def text_sha(kind: str, text: str) -> str:
    """The key of a label or sentence vector (`kind` keeps them apart from passages and each other)."""
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()


def embed_texts(items: dict[str, str], embedder, cache: EmbeddingCache | None, batch: int = 16) -> dict[str, np.ndarray]:
    """Vectors of `items` (sha -> text), from the embedding cache where it has them, the rest embedded
    in batches of similar length and added to the cache: the build-time half of `Vectors.cached`."""
    have = cache.get(embedder.name, list(items), embedder.dimension) if cache else {}
    todo = sorted((sha for sha in items if sha not in have), key=lambda sha: len(items[sha]))
    for i in range(0, len(todo), batch):
        part = todo[i:i + batch]
        fresh = dict(zip(part, embedder.embed([items[sha] for sha in part])))
        have.update(fresh)
        if cache:
            cache.put(embedder.name, fresh)
    return {sha: have[sha] for sha in items}


def save_text_vectors(path: Path, vectors: dict[str, np.ndarray], dim: int) -> None:
    """Write label and sentence vectors as two plain arrays (keys, float32 matrix), nothing executable."""
    keys = np.array(sorted(vectors), dtype="<U64")
    matrix = np.array([vectors[k] for k in keys], dtype=np.float32).reshape(len(keys), dim)
    tmp = path.parent / f".{path.name}.tmp.npz"
    np.savez(tmp, keys=keys, vectors=matrix)
    tmp.replace(path)


def load_text_vectors(path: Path | None) -> tuple[dict[str, int], np.ndarray]:
    """The build's label and sentence vectors, or none (an index from before them, or a damaged file:
    that costs time, each text is then embedded in memory, never answers)."""
    empty = ({}, np.zeros((0, 1), dtype=np.float32))
    if path is None or not path.exists():
        return empty
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, matrix = data["keys"], np.asarray(data["vectors"], dtype=np.float32)
        if matrix.ndim != 2 or len(keys) != len(matrix) or not np.all(np.isfinite(matrix)):
            raise ValueError(f"{len(keys)} keys for a {matrix.shape} matrix, or values that are not finite")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        log.warning("%s cannot be used (%s); label and sentence vectors are embedded as needed", path.name, e)
        return empty
    return {str(k): i for i, k in enumerate(keys)}, matrix


class Vectors:
    """One loaded index's vectors and the embedder behind them; it never writes a file."""

    def __init__(self, index, precomputed: Path | None, load_embedder: Callable[[], object], embedder=None):
        self.index = index
        self._text_keys, self._text_matrix = load_text_vectors(precomputed)
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
        """Unit vectors of `texts`, from the build's `vectors.npz` by content (`kind` keeps row labels
        and sentences apart); what is missing is embedded now, in memory only: answering never writes."""
        shas = {t: text_sha(kind, t) for t in dict.fromkeys(texts)}
        out: dict[str, np.ndarray] = {}
        for t, sh in shas.items():
            i = self._text_keys.get(sh)
            if i is not None:
                out[t] = self._text_matrix[i]
        todo = [t for t in shas if t not in out]
        if todo:
            out.update(zip(todo, (np.asarray(v, dtype=np.float32) for v in self.embedder.embed(todo))))
        return out

    def sentences(self, sentences: list[str]) -> dict[str, np.ndarray]:
        """Vectors of `sentences`, from the memo, else the build's vectors or the model (then remembered);
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
