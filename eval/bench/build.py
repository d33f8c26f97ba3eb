"""Index builds in-process, the model loaded once: from scratch, again with a warm embedding
cache, and one report added to a built index."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from rag.config import Config
from rag.ingest.manifest import load_manifest, save_manifest

from .embedders import TimedEmbedder

log = logging.getLogger(__package__)

INCREMENTAL_RUNS = 3  # adds of one report, each from a fresh index and cache


def build_figures(stats, embedder: TimedEmbedder, spent_before: float) -> dict:
    embed_s = embedder.seconds - spent_before
    return {"seconds": round(stats.seconds, 3), "reports": stats.reports, "passages": stats.passages,
            "embedded": stats.embedded, "embed_s": round(embed_s, 3),
            "embedded_per_s": round(stats.embedded / embed_s, 2) if stats.embedded and embed_s > 0 else None}


def bench_build(cfg: Config, tmp: Path, embedder: TimedEmbedder) -> dict:
    """From scratch, again with a warm embedding cache, then adding one report."""
    from rag.engine import build_index

    out = {}
    for name in ("scratch", "warm_cache"):
        log.info("build: %s", name)
        before = embedder.seconds
        out[name] = build_figures(build_index(cfg, embedder), embedder, before)
    # the shortest figure here and the one most shaken by other load: the median of three adds
    runs = [bench_incremental(cfg, tmp / f"inc-{i}", embedder) for i in range(INCREMENTAL_RUNS)]
    out["incremental"] = {**sorted(runs, key=lambda x: x["seconds"])[len(runs) // 2],
                          "runs_s": [x["seconds"] for x in runs]}
    return out


def bench_incremental(cfg: Config, tmp: Path, embedder: TimedEmbedder) -> dict:
    """Corpus minus its last manifest report, built; then the report added back and rebuilt."""
    from rag.ingest.chunking import build_passages
    from rag.ingest.corpus import load_corpus
    from rag.engine import build_index

    corpus = tmp / "inc-corpus"
    shutil.copytree(cfg.corpus_dir, corpus)
    os.chmod(corpus, 0o755)
    reports = load_manifest(corpus)
    added = reports[-1]
    (corpus / added.source).unlink()
    save_manifest(corpus, reports[:-1])
    c = cfg.replace(corpus_dir=corpus, index_dir=tmp / "inc-index")
    log.info("build: incremental base (%d reports)", len(reports) - 1)
    base = build_index(c, embedder)
    shutil.copy(cfg.corpus_dir / added.source, corpus / added.source)
    save_manifest(corpus, reports)
    log.info("build: incremental add of %s", added.doc_id)
    before = embedder.seconds
    inc = build_figures(build_index(c, embedder), embedder, before)
    own = sum(p.doc_id == added.doc_id for p in build_passages(load_corpus(corpus)))
    return {**inc, "added_doc_id": added.doc_id, "added_report_passages": own,
            "base_seconds": round(base.seconds, 3), "base_passages": base.passages}
