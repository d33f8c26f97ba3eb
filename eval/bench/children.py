"""Fresh `python -m ...` processes, each timed and its own peak memory read: the figures that an
in-process measurement cannot give (cold start, peak RSS)."""
from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from rag.config import REPO_ROOT, Config

#: `python -c _RUN MODULE ARGS` runs `python -m MODULE ARGS` and at exit writes its peak RSS
#: (VmHWM, KiB) to $RAG_BENCH_HWM. wait4's ru_maxrss is no good for children on Linux: the
#: parent's peak is carried across (v)fork+exec, so every child would read at least the bench's own.
_RUN = ("import atexit, os, runpy, sys\n"
        "def _hwm(path=os.environ['RAG_BENCH_HWM']):\n"
        "    with open('/proc/self/status') as f:\n"
        "        kib = next(l.split()[1] for l in f if l.startswith('VmHWM'))\n"
        "    with open(path, 'w') as f:\n"
        "        f.write(kib)\n"
        "atexit.register(_hwm)\n"
        "module = sys.argv.pop(1)\n"
        "runpy.run_module(module, run_name='__main__', alter_sys=True)\n")

_CHILD_NO = itertools.count(1)


def child_env(cfg: Config, **dirs: Path) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", RAG_MODEL=cfg.model,
               RAG_CORPUS_DIR=str(dirs.get("corpus", cfg.corpus_dir)), RAG_INDEX_DIR=str(dirs["index"]),
               RAG_CACHE_DIR=str(cfg.cache_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_child(module: str, args: list[str], env: dict, log_dir: Path) -> dict:
    """Run `python -m MODULE ARGS`: wall seconds, its own peak RSS, its stdout."""
    log_dir.mkdir(parents=True, exist_ok=True)
    tag = f"{next(_CHILD_NO):02d}-" + re.sub(r"\W+", "-", " ".join([module, *args[:2]]))
    out_path, err_path, hwm_path = (log_dir / f"{tag}.{ext}" for ext in ("out", "err", "hwm"))
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, "-c", _RUN, module, *args], stdout=out, stderr=err,
                            env={**env, "RAG_BENCH_HWM": str(hwm_path)}, cwd=REPO_ROOT).returncode
        wall = time.perf_counter() - t0
    if rc != 0:
        tail = err_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"`python -m {module} {' '.join(args)}` exited {rc}:\n{tail}")
    return {"wall_s": round(wall, 3), "peak_rss_mb": round(int(hwm_path.read_text()) / 1024, 1),
            "stdout": out_path.read_text(encoding="utf-8")}


def worker(kind: str, cfg: Config, corpus: Path, index: Path, log_dir: Path, *extra: str) -> dict:
    """One `python -m eval.bench KIND` child (see `workers`): its JSON, wall time and peak RSS."""
    r = run_child("eval.bench", [kind, "--corpus", str(corpus), "--index", str(index), *extra],
                  child_env(cfg, corpus=corpus, index=index), log_dir)
    return {**json.loads(r["stdout"].strip().splitlines()[-1]), "wall_s": r["wall_s"], "peak_rss_mb": r["peak_rss_mb"]}
