"""ONNX Runtime against the torch reference on the same e5 weights (`--backends`, e5 only)."""
from __future__ import annotations

import random
import statistics
import time

import numpy as np

from rag.config import Config

from .measure import pct
from .scale import SCALE_SEED

BACKEND_PASSAGES = 240  # report passages per round in the embedding backend comparison


def bench_backends(cfg: Config, questions: list[dict], rounds: int = 2) -> dict:
    """ONNX Runtime against the torch reference on the same e5 weights, alternated over
    `rounds` so that other load on the cores falls on both: throughput, query latency,
    cosine per text and top-5 neighbour overlap on report passages."""
    models, load = _load_both(cfg)
    texts = _sample_passages(cfg)
    qs = [q["question"] for q in questions]
    rate: dict[str, list[float]] = {k: [] for k in models}
    lat: dict[str, list[float]] = {k: [] for k in models}
    vecs, qvecs = {}, {}
    for r in range(rounds):
        for name in (("torch", "onnx") if r % 2 == 0 else ("onnx", "torch")):
            m = models[name]
            t0 = time.perf_counter()
            vecs[name] = m.embed(texts)
            rate[name].append(len(texts) / (time.perf_counter() - t0))
            out = []
            for q in qs:
                t0 = time.perf_counter()
                out.append(m.embed([q], query=True)[0])
                lat[name].append(time.perf_counter() - t0)
            qvecs[name] = np.stack(out)
    cos = np.concatenate([(vecs["onnx"] * vecs["torch"]).sum(axis=1), (qvecs["onnx"] * qvecs["torch"]).sum(axis=1)])
    overlap = [len(set(np.argsort(-(vecs["onnx"] @ a))[:5]) & set(np.argsort(-(vecs["torch"] @ b))[:5])) / 5
               for a, b in zip(qvecs["onnx"], qvecs["torch"])]
    out = {name: {"load_s": round(load[name], 3), "passages_per_s": round(statistics.median(rate[name]), 2),
                  "query": pct(lat[name])} for name in models}
    return {**out, "passages": len(texts), "queries": len(qs), "rounds": rounds,
            "min_cosine": round(float(cos.min()), 6), "top5_overlap": round(float(np.mean(overlap)), 4),
            "speedup": round(out["onnx"]["passages_per_s"] / out["torch"]["passages_per_s"], 2)}


def _load_both(cfg: Config) -> tuple[dict, dict[str, float]]:
    """Both backends' embedders, torch first, and the seconds each took to load."""
    from rag.search.embedding import load_embedder

    t0 = time.perf_counter()
    models = {"torch": load_embedder(cfg.replace(embedding_backend="torch"))}
    load = {"torch": time.perf_counter() - t0}
    t0 = time.perf_counter()
    models["onnx"] = load_embedder(cfg.replace(embedding_backend="onnx"))
    load["onnx"] = time.perf_counter() - t0
    return models, load


def _sample_passages(cfg: Config) -> list[str]:
    """A fixed random sample of the corpus's passages, as they are embedded."""
    from rag.ingest.chunking import build_passages
    from rag.ingest.corpus import load_corpus

    passages = build_passages(load_corpus(cfg.corpus_dir))
    return [p.index_text for p in random.Random(SCALE_SEED).sample(passages, min(BACKEND_PASSAGES, len(passages)))]
