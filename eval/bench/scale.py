"""The scale run (`--scale N`): the real corpus plus N invented municipalities, each the bundled
reports renamed and their numbers moved, built and served in child processes at growing sizes."""
from __future__ import annotations

import logging
import os
import random
import re
import shutil
from dataclasses import replace as dc_replace
from pathlib import Path

from rag.config import Config
from rag.ingest.manifest import load_manifest, save_manifest
from rag.ingest.report_files import read_report_text
from rag.numbers import NUMBER_RE
from rag.years import is_year

from .children import worker
from .embedders import ProjectionEmbedder

log = logging.getLogger(__package__)

ANN_MAX = 100  # flat vs HNSW is compared up to this many synthetic kommuner (HNSW builds take minutes past it)
SCALE_SEED = 20240801


def _format_like(printed: str, value: float) -> str:
    """`value` printed as `printed` was: decimals, decimal sign, thousands grouping, zero padding."""
    m = re.fullmatch(r"(\d{1,3}(?:([ \u00a0\u202f])\d{3})+|\d+)(?:([,.])(\d+))?", printed)
    int_part, group, dec, frac = m.groups()
    decimals = len(frac) if frac else 0
    whole, _, fraction = f"{value:.{decimals}f}".partition(".")
    if group:
        whole = f"{int(whole):,}".replace(",", group)
    elif int_part.startswith("0"):
        whole = whole.zfill(len(int_part))
    return whole + (dec + fraction if decimals else "")


def perturb_numbers(text: str, rng: random.Random) -> str:
    """Every number but years moved by a random ±0–20 %, printed in its own format."""
    def one(m: re.Match) -> str:
        num = m.group("num")
        if is_year(num):
            return m.group(0)
        value = float(re.sub(r"[ \u00a0\u202f]", "", num).replace(",", "."))
        new = _format_like(num, value * (1 + rng.uniform(-0.2, 0.2)))
        return m.group(0)[: m.start("num") - m.start()] + new
    return NUMBER_RE.sub(one, text)


def rename_kommuner(text: str, names: list[str], new: str) -> str:
    """Each original kommun name (also upper case and ASCII-folded, as in e-mail addresses) -> `new`."""
    fold = str.maketrans("åäöÅÄÖ", "aaoAAO")
    alts = sorted({n for name in names for n in (name, name.translate(fold))}, key=len, reverse=True)
    rx = re.compile(r"\b(" + "|".join(map(re.escape, alts)) + ")", re.I)
    return rx.sub(lambda m: new.upper() if m.group(0).isupper() else new if m.group(0)[0].isupper() else new.lower(), text)


def make_scale_pool(corpus_dir: Path, pool: Path, groups: int) -> list[list]:
    """`groups` invented municipalities Synt001…, each with all reports renamed and perturbed."""
    pool.mkdir(parents=True, exist_ok=True)
    reports = load_manifest(corpus_dir)
    names = sorted({r.kommun for r in reports})
    out = []
    for g in range(1, groups + 1):
        kommun = f"Synt{g:03d}"
        group = []
        for j, r in enumerate(reports):
            rng = random.Random(SCALE_SEED + 1000 * g + j)
            text = perturb_numbers(rename_kommuner(read_report_text(corpus_dir / r.source), names, kommun), rng)
            source = f"s{g:03d}_{r.source}"
            (pool / source).write_text(text, encoding="utf-8")
            group.append(dc_replace(r, doc_id=f"{r.doc_id}-synt{g:03d}", kommun=kommun, source=source))
        out.append(group)
    return out


def make_scale_corpus(corpus_dir: Path, pool: Path, groups: list[list], dst: Path) -> int:
    """The real corpus plus the first len(groups) synthetic municipalities; returns the report count."""
    dst.mkdir(parents=True)
    reports = load_manifest(corpus_dir)
    for r in reports:
        shutil.copy(corpus_dir / r.source, dst / r.source)
    for group in groups:
        for r in group:
            try:
                os.link(pool / r.source, dst / r.source)
            except OSError:
                shutil.copy(pool / r.source, dst / r.source)
            reports.append(r)
    save_manifest(dst, reports)
    return len(reports)


def bench_scale(cfg: Config, n: int, tmp: Path, rate: float | None) -> dict:
    """Synthetic corpora of growing size: index-side costs with a 384-d projection embedder.
    `--scale 290` is the whole country: engine load, ask p50/p95 and serving memory per size."""
    sizes = sorted({s for s in (min(5, n), n // 4, n // 2, n) if s >= 1})
    log.info("scale: generating %d synthetic municipalities", n)
    pool = make_scale_pool(cfg.corpus_dir, tmp / "scale-pool", n)
    rows = [_scale_size(cfg, size, tmp, pool, rate) for size in sizes]
    return {"embedder": ProjectionEmbedder.name, "real_model": cfg.model, "real_passages_per_s": rate,
            "sizes": rows}


def _scale_size(cfg: Config, size: int, tmp: Path, pool: list[list], rate: float | None) -> dict:
    """One size: build, serve and (up to ANN_MAX) flat vs HNSW, each a child process; the corpus
    is removed afterwards."""
    corpus, index = tmp / f"scale-{size}" / "corpus", tmp / f"scale-{size}" / "index"
    reports = make_scale_corpus(cfg.corpus_dir, tmp / "scale-pool", pool[:size], corpus)
    logs = tmp / "logs" / f"scale-{size}"
    log.info("scale %d: build (%d reports)", size, reports)
    build = worker("scale-build", cfg, corpus, index, logs)
    log.info("scale %d: serve", size)
    serve = worker("scale-serve", cfg, corpus, index, logs)
    ann = None
    if size <= ANN_MAX:
        log.info("scale %d: flat vs HNSW over %d vectors", size, build["passages"])
        ann = worker("scale-ann", cfg, corpus, index, logs)
    est = build["passages"] / rate if rate else None
    shutil.rmtree(corpus.parent)
    return {"municipalities": size, "reports": reports, "build": build, "serve": serve, "ann": ann,
            "est_embed_s_real_model": round(est, 1) if est else None,
            "est_build_s_real_model": round(build["seconds"] - build["embed_s"] + est, 1) if est else None}
