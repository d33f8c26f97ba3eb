"""Embedders the bench wraps or fakes: one that counts the time spent embedding, and a dense
projection for index-side costs at scale without the real model's cost."""
from __future__ import annotations

import hashlib
import re
import time

import numpy as np


class TimedEmbedder:
    """Wraps an embedder and adds up the time and texts spent in `embed`."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.seconds, self.texts = 0.0, 0

    def embed(self, texts, *, query: bool = False):
        t0 = time.perf_counter()
        out = self.inner.embed(texts, query=query)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out


class ProjectionEmbedder:
    """The fake embedder's hashed word stems, each a fixed random Gaussian vector
    (384 dims like e5-small): dense vectors for index-side costs at scale."""

    name = "bench-projection-384"

    def __init__(self, dimension: int = 384):
        self.dimension = dimension
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, dimension), dtype=np.float32)

    def _ids(self, text: str) -> list[int]:
        ids, new = [], []
        for w in re.findall(r"\w+", text.lower()):
            w = w[:6]
            if w not in self._row:
                self._row[w] = len(self._row)
                seed = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                new.append(np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32))
            ids.append(self._row[w])
        if new:
            self._matrix = np.vstack([self._matrix, *new])
        return ids

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = self._ids(text)
            if ids:
                out[i] = self._matrix[ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms
