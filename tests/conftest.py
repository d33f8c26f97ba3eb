"""Shared fixtures: the real corpus, a fast engine on the fake embedder, and (for
tests marked `model`) an engine on the real converted e5 model."""
from __future__ import annotations

import os
import re
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


def said_without_derived(text: str) -> str:
    """An answer line without what the answer computes from cited figures (a change, "en minskning
    med 3,7 mnkr (37 %)", "med 1,7 procentenheter"), after checking that an amount in tkr said in mnkr
    too ("13 387 tkr (13,4 mnkr)") is that amount."""
    from rag.numbers import same_value

    for m in re.finditer(r"(?<!\d)(?<!\d )(-?\d{1,3}(?: \d{3})*) tkr \((\d+,\d) mnkr\)", text):
        tkr, mnkr = float(m.group(1).replace(" ", "")), float(m.group(2).replace(",", "."))
        assert same_value(round(abs(tkr) / 1000, 1), mnkr), m.group(0)
    text = re.sub(r" \(\d+,\d mnkr\)", "", text)
    return re.sub(r"(?:en (?:ökning|minskning) )?med [\d ,.]+(?:[a-z]+ )?(?:\(\d+ %\)|procentenheter)", "", text)


def first_sentence(answer: str) -> str:
    """An answer's first sentence: its first line (not the note on how a follow-up or a typo was
    read) up to the first full stop that ends a sentence, with its citation markers."""
    lines = [ln for ln in answer.splitlines() if ln.strip() and not ln.startswith(("Jag läser frågan som",
                                                                                      "(Frågan lästes"))]
    if not lines:
        return ""
    end = re.search(r"[.!?](?:\s*\[\d+\])*(?=\s+[A-ZÅÄÖ]|\s*$)", lines[0])
    return lines[0][:end.end()] if end else lines[0]


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
