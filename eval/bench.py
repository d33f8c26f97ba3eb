"""`python -m rag bench [--naive] [--scale N] [--out FILE]`: speed and memory on this machine.

Results go to stdout as tables (and to --out as JSON); progress is logged to
stderr. Figures that need a fresh process (cold start, peak RSS) come from
`python -m rag ...` children, each measured with os.wait4, in temporary index
folders; the corpus itself is only read. `python -m eval.bench WORKER ...` runs
the helper children (naive baseline, scale build/serve/ANN) and prints JSON.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np

from rag.config import E5_MODEL, REPO_ROOT, Config
from rag.ingest.manifest import load_manifest, save_manifest
from rag.ingest.report_files import read_report_text
from rag.errors import QuestionError
from rag.numbers import NUMBER_RE
from rag.years import is_year

log = logging.getLogger(__name__)

REPEATS = 2  # passes over the question set for in-process latencies
INCREMENTAL_RUNS = 3  # adds of one report, each from a fresh index and cache
FRESH_RUNS = 3  # fresh processes timed to their first answer (median quoted)
ANN_MAX = 100  # flat vs HNSW is compared up to this many synthetic kommuner (HNSW builds take minutes past it)
BACKEND_PASSAGES = 240  # report passages per round in the embedding backend comparison
ANN_QUERIES = 200
SCALE_SEED = 20240801


# --- measuring ---------------------------------------------------------------------

def pct(values: list[float]) -> dict:
    """p50 and p95 in milliseconds."""
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None}
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def self_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def mb(*paths: Path) -> float:
    return round(sum(p.stat().st_size for p in paths if p.exists()) / 2**20, 2)


def child_env(cfg: Config, **dirs: Path) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", RAG_MODEL=cfg.model,
               RAG_CORPUS_DIR=str(dirs.get("corpus", cfg.corpus_dir)), RAG_INDEX_DIR=str(dirs["index"]),
               RAG_CACHE_DIR=str(cfg.cache_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


_CHILD_NO = itertools.count(1)


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
    r = run_child("eval.bench", [kind, "--corpus", str(corpus), "--index", str(index), *extra],
                  child_env(cfg, corpus=corpus, index=index), log_dir)
    return {**json.loads(r["stdout"].strip().splitlines()[-1]), "wall_s": r["wall_s"], "peak_rss_mb": r["peak_rss_mb"]}


class TimedEmbedder:
    """Wraps an embedder and adds up the time and texts spent in `embed`."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.seconds, self.texts = 0.0, 0

    def embed(self, texts, *, query: bool = False):
        t0 = time.perf_counter()
        out = self.inner.embed(texts, query=query)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out


class ProjectionEmbedder:
    """The fake embedder's hashed word stems, each a fixed random Gaussian vector
    (384 dims like e5-small): dense vectors for index-side costs at scale."""

    name = "bench-projection-384"

    def __init__(self, dimension: int = 384):
        self.dimension = dimension
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, dimension), dtype=np.float32)

    def _ids(self, text: str) -> list[int]:
        ids, new = [], []
        for w in re.findall(r"\w+", text.lower()):
            w = w[:6]
            if w not in self._row:
                self._row[w] = len(self._row)
                seed = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                new.append(np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32))
            ids.append(self._row[w])
        if new:
            self._matrix = np.vstack([self._matrix, *new])
        return ids

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = self._ids(text)
            if ids:
                out[i] = self._matrix[ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


# --- in-process phases ----------------------------------------------------------------

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


def timed(fn, *a, **kw) -> float:
    t0 = time.perf_counter()
    fn(*a, **kw)
    return time.perf_counter() - t0


def safe_ask(engine, question: str):
    try:
        return engine.ask(question)
    except QuestionError:
        return None


def bench_queries(engine, questions: list[dict], repeats: int = REPEATS, warm_sentences: bool = True) -> dict:
    """ask and search latency with the models warm, and hybrid hit@5 on the answerable questions.

    With `warm_sentences`, each question is first asked once with the report sentences not yet
    embedded (what a question costs before the app's background warm-up has run), then the
    sentences are warmed as the app does, then the timed rounds run."""
    from eval.questions import evidence_in

    from rag.answer.evidence import warm_sentence_vectors

    safe_ask(engine, questions[0]["question"])  # warm-up: model, caches
    engine.search(questions[0]["question"], k=5)
    extra = {}
    if warm_sentences:
        first = [timed(safe_ask, engine, q["question"]) for q in questions[1:]]
        t0 = time.perf_counter()
        n = warm_sentence_vectors(engine)
        extra = {"ask_first": pct(first), "sentence_warm_s": round(time.perf_counter() - t0, 2),
                 "sentences_warmed": n}
    ask, search = [], []
    for _ in range(repeats):
        for q in questions:
            ask.append(timed(safe_ask, engine, q["question"]))
            search.append(timed(engine.search, q["question"], k=5))
    answerable = [q for q in questions if not q.get("refuse")]
    hits = sum(evidence_in(q, [h.passage.text for h in engine.search(q["question"], k=5)]) for q in answerable)
    return {"ask": pct(ask), "search": pct(search), "hit_at_5": round(hits / len(answerable), 3),
            "answerable": len(answerable), **extra}


# --- embedding backends ----------------------------------------------------------------

def bench_backends(cfg: Config, questions: list[dict], rounds: int = 2) -> dict:
    """ONNX Runtime against the torch reference on the same e5 weights, alternated over
    `rounds` so that other load on the cores falls on both: throughput, query latency,
    cosine per text and top-5 neighbour overlap on report passages."""
    from rag.ingest.chunking import build_passages
    from rag.ingest.corpus import load_corpus
    from rag.search.embedding import load_embedder

    t0 = time.perf_counter()
    models = {"torch": load_embedder(cfg.replace(embedding_backend="torch"))}
    load = {"torch": time.perf_counter() - t0}
    t0 = time.perf_counter()
    models["onnx"] = load_embedder(cfg.replace(embedding_backend="onnx"))
    load["onnx"] = time.perf_counter() - t0
    passages = build_passages(load_corpus(cfg.corpus_dir))
    texts = [p.index_text for p in random.Random(SCALE_SEED).sample(passages, min(BACKEND_PASSAGES, len(passages)))]
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


# --- fresh processes -------------------------------------------------------------------

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


# --- synthetic scale corpus ----------------------------------------------------------------

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
    rows = []
    for size in sizes:
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
        rows.append({"municipalities": size, "reports": reports, "build": build, "serve": serve, "ann": ann,
                     "est_embed_s_real_model": round(est, 1) if est else None,
                     "est_build_s_real_model": round(build["seconds"] - build["embed_s"] + est, 1) if est else None})
        shutil.rmtree(corpus.parent)
    return {"embedder": ProjectionEmbedder.name, "real_model": cfg.model, "real_passages_per_s": rate,
            "sizes": rows}


# --- workers (children of bench) -----------------------------------------------------------

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
    from rag.engine import open_engine

    from rag.engine import index_status

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

    from rag.search.index import HNSW_FROM, brute_force_topk, make_index, search_index
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
        out[kind] = {"build_s": round(build, 3), **pct(lat), "recall_at_10": round(statistics.mean(recall), 4)}
    return out


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


# --- report -------------------------------------------------------------------------------

def _f(v, fmt="{:.2f}") -> str:
    return "–" if v is None else fmt.format(v) if isinstance(v, float) else str(v)


def print_report(r: dict, out=None) -> None:
    def p(*lines):
        print(*lines, sep="\n", file=out or sys.stdout)

    m = r["machine"]
    p(f"# rag bench — model {r['model']} ({r.get('embedder', '?')}) on {m['cpus']} CPUs, {m['platform']}",
      f"load average before/after: {m['load_before']} / {m['load_after']}; 1-min load after each phase: "
      f"{m['load_1min_after']}; torch threads {m['torch_threads']}",
      "Other processes may have run on this machine: quote medians, and expect multi-threaded query "
      "latency to suffer when a core is busy.", "")
    b = r["build"]
    p("## Index build (in-process, model loaded once: "
      f"{r['model_load_s']:.1f} s)", "| run | seconds | passages | newly embedded | embed s | embedded/s |",
      "|---|---|---|---|---|---|")
    for name in ("scratch", "warm_cache", "incremental"):
        x = b[name]
        label = name if name != "incremental" else (
            f"incremental: add {x['added_doc_id']} ({x['added_report_passages']} own passages; median of "
            f"{len(x.get('runs_s', [0]))}, runs {', '.join(map(str, x.get('runs_s', [])))})")
        p(f"| {label} | {x['seconds']:.2f} | {x['passages']} | {x['embedded']} | {x['embed_s']:.2f} | {_f(x['embedded_per_s'])} |")
    p("", "## Fresh processes (`python -m rag ...`, temp index dir)", "| process | wall s | peak RSS MiB |", "|---|---|---|")
    for name, x in r["processes"].items():
        extra = f" ({x['questions']} questions)" if "questions" in x else ""
        if "runs_s" in x:
            extra = f" (median of {len(x['runs_s'])}: {x['median_s']:.2f}; runs {', '.join(map(str, x['runs_s']))})"
        p(f"| {name}{extra} | {x['wall_s']:.2f} | {x['peak_rss_mb']:.0f} |")
    q = r["queries"]
    p("", f"## Query latency, models warm (in-process, {REPEATS}× the public set)", "| call | n | p50 ms | p95 ms |",
      "|---|---|---|---|", f"| ask | {q['ask']['n']} | {q['ask']['p50_ms']} | {q['ask']['p95_ms']} |",
      *([f"| ask, each question's first time, its report sentences not yet embedded | {q['ask_first']['n']} | "
         f"{q['ask_first']['p50_ms']} | {q['ask_first']['p95_ms']} |",
         f"| (then {q['sentences_warmed']} report sentences warmed as the app does after loading: "
         f"{q['sentence_warm_s']} s) | | | |"] if "ask_first" in q else []),
      f"| search k=5 | {q['search']['n']} | {q['search']['p50_ms']} | {q['search']['p95_ms']} |")
    if "naive" in r:
        n = r["naive"]
        p("", f"## Ours vs naive LangChain ({n.get('model', '?')}, 1000/200 chars, in-memory FAISS)",
          "| pipeline | build s | search p50 ms | search p95 ms | peak RSS MiB | hit@5 (public, answerable) |",
          "|---|---|---|---|---|---|",
          f"| ours (hybrid search) | {b['scratch']['seconds']:.1f} + model load {r['model_load_s']:.1f} | "
          f"{q['search']['p50_ms']} | {q['search']['p95_ms']} | build {r['processes']['build']['peak_rss_mb']:.0f}, "
          f"serve {r['processes']['serving']['peak_rss_mb']:.0f} | {q['hit_at_5']:.3f} |",
          f"| naive ({n['chunks']} chunks) | {n['embed_index_s'] + n['split_s']:.1f} + model load {n['load_model_s']:.1f} | "
          f"{n['search']['p50_ms']} | {n['search']['p95_ms']} | build+serve {n['peak_rss_mb']:.0f} | {n['hit_at_5']:.3f} |")
    if "backends" in r:
        x = r["backends"]
        p("", f"## Embedding backends, same e5 weights ({x['passages']} report passages, {x['queries']} queries one at "
              f"a time, {x['rounds']} alternated rounds)",
          "| backend | load s | passages/s | query p50 ms | query p95 ms |", "|---|---|---|---|---|")
        for name in ("torch", "onnx"):
            y = x[name]
            p(f"| {name} | {y['load_s']:.2f} | {y['passages_per_s']} | {y['query']['p50_ms']} | {y['query']['p95_ms']} |")
        p(f"ONNX/torch throughput {x['speedup']}×; min cosine {x['min_cosine']}; top-5 overlap {x['top5_overlap']}")
    t = r.get("targets")
    if t:
        p("", "## Issue 12 figures", "| what | figure |", "|---|---|",
          f"| build from scratch incl. model load | {t['build_scratch_s']:.1f} s |",
          *([f"| naive pipeline build incl. model load | {t['naive_build_s']:.1f} s (ours/naive {t['build_vs_naive']}×) |"]
            if "naive_build_s" in t else []),
          f"| first start (no index) to first answer, fresh process | {t['first_start_to_answer_s']:.1f} s |",
          f"| fresh process, index on disk, to first answer (median) | {t['fresh_first_answer_median_s']:.2f} s |",
          f"| add one report | {t['add_one_report_s']:.2f} s |")
    if "scale" in r:
        s = r["scale"]
        p("", "## Scale: real corpus + N synthetic municipalities (5 renamed, number-perturbed reports each)",
          f"Embedded with {s['embedder']} (a fake, for index-side costs); 'est. real' adds embedding at the measured "
          f"{_f(s['real_passages_per_s'])} passages/s of {s['real_model']} — an estimate, not a measurement.",
          "| N | reports | passages | build s (fake) | est. real build s | store MiB | faiss MiB | build RSS MiB | "
          "serve RSS MiB | engine load s | ask p50/p95 ms | search p50 ms | auto index |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for x in s["sizes"]:
            bd, sv = x["build"], x["serve"]
            p(f"| {x['municipalities']} | {x['reports']} | {bd['passages']} | {bd['seconds']:.1f} | "
              f"{_f(x['est_build_s_real_model'], '{:.0f}')} | {bd['store_mb']} | {bd['faiss_mb']} | {bd['peak_rss_mb']:.0f} | "
              f"{sv['peak_rss_mb']:.0f} | {sv['engine_load_s']:.2f} | {sv['ask']['p50_ms']}/{sv['ask']['p95_ms']} | "
              f"{sv['search']['p50_ms']} | "
              f"{bd['index_kind']} |")
        p("", "| N | vectors | flat build s | flat p50/p95 ms | flat recall@10 | HNSW build s | HNSW p50/p95 ms | "
              "HNSW recall@10 | numpy brute p50 ms |", "|---|---|---|---|---|---|---|---|---|")
        for x in s["sizes"]:
            a = x["ann"]
            if a is None:
                continue
            fl, hn = a["flat"], a["hnsw"]
            p(f"| {x['municipalities']} | {a['vectors']} | {fl['build_s']:.2f} | {fl['p50_ms']}/{fl['p95_ms']} | "
              f"{fl['recall_at_10']:.4f} | {hn['build_s']:.2f} | {hn['p50_ms']}/{hn['p95_ms']} | {hn['recall_at_10']:.4f} | "
              f"{a['brute_force']['p50_ms']} |")


def targets(r: dict) -> dict:
    """The figures issue 12 sets limits on, in one place (None where the phase did not run)."""
    b, pr = r["build"], r["processes"]
    out = {"build_scratch_s": b["scratch"]["seconds"] + r["model_load_s"],
           "fresh_first_answer_median_s": pr["warm_start"]["median_s"],
           "first_start_to_answer_s": pr["cold_start"]["wall_s"],
           "add_one_report_s": b["incremental"]["seconds"]}
    if "naive" in r:
        n = r["naive"]
        naive = n["embed_index_s"] + n["split_s"] + n["load_model_s"]
        out["naive_build_s"] = round(naive, 3)
        out["build_vs_naive"] = round(out["build_scratch_s"] / naive, 2) if naive else None
    if "scale" in r:
        out["scale"] = [{"municipalities": x["municipalities"], "passages": x["build"]["passages"],
                         "engine_load_s": x["serve"]["engine_load_s"], "ask_p50_ms": x["serve"]["ask"]["p50_ms"],
                         "ask_p95_ms": x["serve"]["ask"]["p95_ms"], "serve_rss_mb": x["serve"]["peak_rss_mb"]}
                        for x in r["scale"]["sizes"]]
    return out


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()], "load_1min_after": {}}


def torch_threads() -> int | None:
    """Intra-op threads torch uses here (None when torch was never imported, e.g. the fake model)."""
    torch = sys.modules.get("torch")
    return torch.get_num_threads() if torch else None


def main(args, cfg: Config) -> int:
    from eval.questions import DEFAULT, load_questions

    from rag.search.embedding import load_embedder
    from rag.engine import open_engine

    questions = load_questions([])
    res: dict = {"machine": machine(), "model": cfg.model, "corpus_dir": str(cfg.corpus_dir)}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        embedder = TimedEmbedder(load_embedder(cfg))
        res["model_load_s"] = round(time.perf_counter() - t0, 3)
        res["embedder"] = type(embedder.inner).__name__
        res["machine"]["torch_threads"] = torch_threads()
        built = cfg.replace(index_dir=tmp / "index")
        phases = {
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
        for name, fn in phases.items():
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


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
