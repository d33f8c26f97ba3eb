"""Shared fixtures: the real corpus, a fast engine on the fake embedder, and (for
tests marked `model`) an engine on the real converted e5 model."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag.config import E5_MODEL, FAKE_MODEL, Config
from rag.corpus import load_corpus
from rag.embedding import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def parsed():
    return load_corpus(CORPUS)


def fit_scorer_for(config: Config, embedder=None) -> None:
    """Fit an evidence scorer for `config`'s embedding model (the shipped one is fitted on e5
    vectors, so the fake embedder gets its own) on the public and dev questions, with the
    shipped thresholds, and write it to `config.scorer_path`."""
    from eval.crossval import gather_all
    from eval.runner import default_files, load_questions
    from rag.learn import Scorer, fit_scorer, load_scorer, save_scorer
    from rag.pipeline import open_engine

    engine = open_engine(config, embedder=embedder)
    items = gather_all(engine, load_questions(default_files()))
    s = fit_scorer([(it.question, list(it.evidence.candidates)) for it in items])
    save_scorer(Scorer(s.row, s.sentence, load_scorer().thresholds, {"model": config.model}), config.scorer_path)


@pytest.fixture(scope="session")
def fake_config(tmp_path_factory) -> Config:
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index-fake"), model=FAKE_MODEL,
                 scorer_path=tmp_path_factory.mktemp("scorer-fake") / "scorer.json")
    fit_scorer_for(cfg, FakeEmbedder())
    return cfg


@pytest.fixture(scope="session")
def fake_engine(fake_config):
    from rag.pipeline import open_engine

    return open_engine(fake_config, embedder=FakeEmbedder())


@pytest.fixture(scope="session")
def e5_engine(tmp_path_factory):
    from rag.pipeline import open_engine

    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index-e5"), model=E5_MODEL)
    return open_engine(cfg)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
