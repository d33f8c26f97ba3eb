"""`python -m eval bench`: every phase in order on a temporary index, the figures printed as tables
and written to --out as JSON. Imported only by that command, so its heavy imports stay here."""
from __future__ import annotations

import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from eval.questions import DEFAULT, load_questions

from rag.config import E5_MODEL, Config
from rag.engine import open_engine
from rag.search.embedding import load_embedder

from .backends import bench_backends
from .build import bench_build
from .children import worker
from .embedders import TimedEmbedder
from .measure import self_rss_mb
from .processes import bench_processes
from .queries import bench_queries
from .report import print_report, targets
from .scale import bench_scale

log = logging.getLogger(__package__)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()], "load_1min_after": {}}


def torch_threads() -> int | None:
    """Intra-op threads torch uses here (None when torch was never imported, e.g. the fake model)."""
    torch = sys.modules.get("torch")
    return torch.get_num_threads() if torch else None


def main(args, cfg: Config) -> int:
    questions = load_questions([])
    res: dict = {"machine": machine(), "model": cfg.model, "corpus_dir": str(cfg.corpus_dir)}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        embedder = TimedEmbedder(load_embedder(cfg))
        res["model_load_s"] = round(time.perf_counter() - t0, 3)
        res["embedder"] = type(embedder.inner).__name__
        res["machine"]["torch_threads"] = torch_threads()
        for name, fn in _phases(args, cfg, tmp, embedder, questions, res).items():
            if fn is not None:
                log.info("phase %s (load average %.2f)", name, os.getloadavg()[0])
                res[name] = fn()
                res["machine"]["load_1min_after"][name] = round(os.getloadavg()[0], 2)
    res["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    res["bench_peak_rss_mb"] = round(self_rss_mb(), 1)
    res["targets"] = targets(res)
    print_report(res)
    if args.out:
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        log.info("figures written to %s", args.out)
    return 0


def _phases(args, cfg: Config, tmp: Path, embedder: TimedEmbedder, questions: list[dict], res: dict) -> dict:
    """Each phase by name, in the order it runs (None where its option is off); `scale` reads the
    embedding rate the build phase measured into `res`."""
    built = cfg.replace(index_dir=tmp / "index")
    return {
        "build": lambda: bench_build(built, tmp, embedder),
        "queries": lambda: bench_queries(open_engine(built, embedder=embedder, build_if_needed=False), questions),
        "processes": lambda: bench_processes(cfg, tmp, DEFAULT, questions[0]["question"]),
        "naive": (lambda: worker("naive", cfg, cfg.corpus_dir, tmp / "naive-unused", tmp / "logs"))
        if args.naive else None,
        "backends": (lambda: bench_backends(cfg, questions))
        if getattr(args, "backends", False) and cfg.model == E5_MODEL else None,
        "scale": (lambda: bench_scale(cfg, args.scale, tmp, res["build"]["scratch"]["embedded_per_s"]))
        if args.scale else None,
    }
