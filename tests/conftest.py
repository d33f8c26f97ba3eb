"""Shared fixtures: the real corpus, a fast engine on the fake embedder, and (for
tests marked `model`) an engine on the real converted e5 model."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag.config import E5_MODEL, FAKE_MODEL, Config
from rag.ingest.corpus import load_corpus
from rag.search.embedding import FakeEmbedder

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
    from eval.questions import default_files, load_questions
    from rag.answer.score import Scorer, fit_scorer, load_scorer, save_scorer
    from rag.engine import open_engine

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
    from rag.engine import open_engine

    return open_engine(fake_config, embedder=FakeEmbedder())


@pytest.fixture(scope="session")
def e5_engine(tmp_path_factory):
    from rag.engine import open_engine

    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index-e5"), model=E5_MODEL)
    return open_engine(cfg)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true",
                     help="also run the `model` tier (the real e5 model), the `e2e` tier (a browser) and the `refit` "
                          "tier (cross-validated fits); CI runs this")


# test modules that load the real e5 model themselves, not through the `e5_engine` fixture
_MODEL_MODULES = ("test_e5convert.py", "test_onnx.py", "test_model_pipeline.py")


def pytest_collection_modifyitems(config, items):
    """Every test that uses the real model is in the `model` tier, whether or not it says so (a fixture
    that needs `e5_engine` puts it there); without --full only the fast tier runs."""
    for item in items:
        if "e5_engine" in getattr(item, "fixturenames", ()) or item.path.name in _MODEL_MODULES:
            item.add_marker(pytest.mark.model)
    if config.getoption("--full"):
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) for m in ("model", "e2e", "refit")) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
