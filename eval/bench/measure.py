"""Medians and percentiles, wall time, file sizes and the bench's own peak memory."""
from __future__ import annotations

import resource
import statistics
import time
from pathlib import Path


def pct(values: list[float]) -> dict:
    """p50 and p95 in milliseconds."""
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None}
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def timed(fn, *a, **kw) -> float:
    t0 = time.perf_counter()
    fn(*a, **kw)
    return time.perf_counter() - t0


def self_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mb(*paths: Path) -> float:
    return round(sum(p.stat().st_size for p in paths if p.exists()) / 2**20, 2)
