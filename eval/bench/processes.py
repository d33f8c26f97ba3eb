"""Build, warm start, serving and cold start, each its own `python -m rag` process."""
from __future__ import annotations

import json
import logging
import statistics
from pathlib import Path

from rag.config import Config

from .children import child_env, run_child

log = logging.getLogger(__package__)

FRESH_RUNS = 3  # fresh processes timed to their first answer (median quoted)


def bench_processes(cfg: Config, tmp: Path, questions_file: Path, question: str) -> dict:
    """Build, warm start, serving and cold start, each its own `python -m rag` process."""
    logs = tmp / "logs"
    built, cold = tmp / "proc-index", tmp / "cold-index"
    out = {}
    log.info("process: build")
    out["build"] = run_child("rag", ["build"], child_env(cfg, index=built), logs)
    log.info("process: warm start to first answer (%d fresh processes)", FRESH_RUNS)
    runs = [run_child("rag", ["ask", "--json", question], child_env(cfg, index=built), logs) for _ in range(FRESH_RUNS)]
    out["warm_start"] = {**runs[0], "runs_s": [r["wall_s"] for r in runs],
                         "median_s": round(statistics.median(r["wall_s"] for r in runs), 3)}
    log.info("process: serving the question set")
    out["serving"] = run_child("rag", ["ask", "--json", "--batch", str(questions_file)],
                               child_env(cfg, index=built), logs)
    log.info("process: cold start (no index) to first answer")
    out["cold_start"] = run_child("rag", ["ask", "--json", question], child_env(cfg, index=cold), logs)
    for key in ("warm_start", "cold_start"):
        out[key]["answered"] = bool(json.loads(out[key]["stdout"])["answered"])
    out["serving"]["questions"] = len(out["serving"]["stdout"].splitlines())
    for v in out.values():
        v.pop("stdout")
    return out
