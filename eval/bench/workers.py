"""The helper children of the bench (`python -m eval.bench KIND --corpus DIR --index DIR`), each
measured from outside in its own process: the naive LangChain baseline, and the scale run's
build, serve and flat-vs-HNSW comparison with the projection embedder."""
from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from rag.config import Config

from .build import build_figures
from .embedders import ProjectionEmbedder, TimedEmbedder
from .measure import mb, pct, timed
from .queries import REPEATS, bench_queries
from .scale import SCALE_SEED

ANN_QUERIES = 200


def worker_naive(cfg: Config, questions: list[dict]) -> dict:
    from eval.naive import NaivePipeline
    from eval.questions import evidence_in

    naive = NaivePipeline.from_corpus(cfg)
    naive.search(questions[0]["question"], k=5)
    lat = [timed(naive.search, q["question"], k=5) for _ in range(REPEATS) for q in questions]
    answerable = [q for q in questions if not q.get("refuse")]
    hits = sum(evidence_in(q, naive.search(q["question"], k=5)) for q in answerable)
    return {"chunks": naive.n_chunks, "model": naive.model, **{k: round(v, 3) for k, v in naive.timings.items()},
            "search": pct(lat), "hit_at_5": round(hits / len(answerable), 3)}


def worker_scale_build(cfg: Config) -> dict:
    from rag.engine import build_index

    emb = TimedEmbedder(ProjectionEmbedder())
    stats = build_index(cfg, emb)
    manifest = json.loads(cfg.manifest_path.read_text(encoding="utf-8"))
    return {**build_figures(stats, emb, 0.0), "facts": stats.facts, "index_kind": manifest["faiss_type"],
            "store_mb": mb(cfg.store_path), "faiss_mb": mb(cfg.faiss_path),
            "embedding_cache_mb": mb(cfg.embedding_cache_path)}


def worker_scale_serve(cfg: Config, questions: list[dict]) -> dict:
    from rag.engine import index_status, open_engine

    t0 = time.perf_counter()
    reason = index_status(cfg)
    status = time.perf_counter() - t0
    if reason:
        raise RuntimeError(f"the scale index is stale right after its build: {reason}")
    t0 = time.perf_counter()
    engine = open_engine(cfg, embedder=ProjectionEmbedder(), build_if_needed=False)
    load = time.perf_counter() - t0
    return {"engine_load_s": round(load, 3), "index_status_s": round(status, 3),
            **bench_queries(engine, questions, repeats=1, warm_sentences=False)}


def worker_scale_ann(cfg: Config, questions: list[dict]) -> dict:
    """Flat vs HNSW build time, single-query latency and recall@10 against numpy brute force."""
    import faiss

    from rag.search.index import HNSW_FROM, brute_force_topk
    from rag.search.store import Store

    vectors = faiss.read_index(str(cfg.faiss_path)).reconstruct_n(0, json.loads(
        cfg.manifest_path.read_text(encoding="utf-8"))["n_vectors"])
    passages = Store(cfg.store_path).passages()
    rng = random.Random(SCALE_SEED)
    texts = [q["question"] for q in questions]
    texts += [" ".join(p.text.split()[:12]) for p in rng.sample(passages, min(len(passages), ANN_QUERIES - len(texts)))]
    queries = ProjectionEmbedder().embed(texts, query=True)
    exact = [brute_force_topk(vectors, q, 10) for q in queries]
    out = {"vectors": len(vectors), "queries": len(queries), "auto_kind": "hnsw" if len(vectors) >= HNSW_FROM else "flat",
           "brute_force": pct([timed(brute_force_topk, vectors, q, 10) for q in queries])}
    for kind in ("flat", "hnsw"):
        out[kind] = _ann_kind(kind, vectors, queries, exact)
    return out


def _ann_kind(kind: str, vectors: np.ndarray, queries: np.ndarray, exact: list) -> dict:
    """One FAISS index kind: build seconds, query latency, recall@10 against the exact top 10."""
    from rag.search.index import make_index, search_index

    t0 = time.perf_counter()
    index = make_index(vectors, kind)
    build = time.perf_counter() - t0
    lat, recall = [], []
    for q, (_, scores) in zip(queries, exact):
        t0 = time.perf_counter()
        ids, _ = search_index(index, q, 10)
        lat.append(time.perf_counter() - t0)
        got = vectors[ids] @ q  # ties at the 10th exact score count as found
        recall.append(float(np.sum(got >= scores[-1] - 1e-5)) / len(scores))
    return {"build_s": round(build, 3), **pct(lat), "recall_at_10": round(statistics.mean(recall), 4)}


def worker_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench")
    p.add_argument("kind", choices=("naive", "scale-build", "scale-serve", "scale-ann"))
    p.add_argument("--corpus", required=True)
    p.add_argument("--index", required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from eval.questions import load_questions

    from rag.config import config_from_env

    cfg = config_from_env().replace(corpus_dir=Path(args.corpus), index_dir=Path(args.index))
    if args.kind != "naive":
        cfg = cfg.replace(model=ProjectionEmbedder.name)
    questions = load_questions([])
    fn = {"naive": lambda: worker_naive(cfg, questions), "scale-build": lambda: worker_scale_build(cfg),
          "scale-serve": lambda: worker_scale_serve(cfg, questions),
          "scale-ann": lambda: worker_scale_ann(cfg, questions)}[args.kind]
    result = fn()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0
