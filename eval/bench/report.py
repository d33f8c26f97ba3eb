"""The bench's figures as markdown tables on stdout, and the figures issue 12 sets limits on."""
from __future__ import annotations

import sys

from .queries import REPEATS


def _f(v, fmt="{:.2f}") -> str:
    return "–" if v is None else fmt.format(v) if isinstance(v, float) else str(v)


def print_report(r: dict, out=None) -> None:
    def p(*lines):
        print(*lines, sep="\n", file=out or sys.stdout)

    for section in (_machine, _build, _processes, _queries):
        section(p, r)
    if "naive" in r:
        _naive(p, r)
    if "backends" in r:
        _backends(p, r)
    if r.get("targets"):
        _targets(p, r)
    if "scale" in r:
        _scale(p, r)


def _machine(p, r: dict) -> None:
    m = r["machine"]
    p(f"# rag bench — model {r['model']} ({r.get('embedder', '?')}) on {m['cpus']} CPUs, {m['platform']}",
      f"load average before/after: {m['load_before']} / {m['load_after']}; 1-min load after each phase: "
      f"{m['load_1min_after']}; torch threads {m['torch_threads']}",
      "Other processes may have run on this machine: quote medians, and expect multi-threaded query "
      "latency to suffer when a core is busy.", "")


def _build(p, r: dict) -> None:
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


def _processes(p, r: dict) -> None:
    p("", "## Fresh processes (`python -m rag ...`, temp index dir)", "| process | wall s | peak RSS MiB |", "|---|---|---|")
    for name, x in r["processes"].items():
        extra = f" ({x['questions']} questions)" if "questions" in x else ""
        if "runs_s" in x:
            extra = f" (median of {len(x['runs_s'])}: {x['median_s']:.2f}; runs {', '.join(map(str, x['runs_s']))})"
        p(f"| {name}{extra} | {x['wall_s']:.2f} | {x['peak_rss_mb']:.0f} |")


def _queries(p, r: dict) -> None:
    q = r["queries"]
    p("", f"## Query latency, models warm (in-process, {REPEATS}× the public set)", "| call | n | p50 ms | p95 ms |",
      "|---|---|---|---|", f"| ask | {q['ask']['n']} | {q['ask']['p50_ms']} | {q['ask']['p95_ms']} |",
      *([f"| ask, each question's first time, its report sentences not yet embedded | {q['ask_first']['n']} | "
         f"{q['ask_first']['p50_ms']} | {q['ask_first']['p95_ms']} |",
         f"| (then {q['sentences_warmed']} report sentences warmed as the app does after loading: "
         f"{q['sentence_warm_s']} s) | | | |"] if "ask_first" in q else []),
      f"| search k=5 | {q['search']['n']} | {q['search']['p50_ms']} | {q['search']['p95_ms']} |")


def _naive(p, r: dict) -> None:
    b, q, n = r["build"], r["queries"], r["naive"]
    p("", f"## Ours vs naive LangChain ({n.get('model', '?')}, 1000/200 chars, in-memory FAISS)",
      "| pipeline | build s | search p50 ms | search p95 ms | peak RSS MiB | hit@5 (public, answerable) |",
      "|---|---|---|---|---|---|",
      f"| ours (hybrid search) | {b['scratch']['seconds']:.1f} + model load {r['model_load_s']:.1f} | "
      f"{q['search']['p50_ms']} | {q['search']['p95_ms']} | build {r['processes']['build']['peak_rss_mb']:.0f}, "
      f"serve {r['processes']['serving']['peak_rss_mb']:.0f} | {q['hit_at_5']:.3f} |",
      f"| naive ({n['chunks']} chunks) | {n['embed_index_s'] + n['split_s']:.1f} + model load {n['load_model_s']:.1f} | "
      f"{n['search']['p50_ms']} | {n['search']['p95_ms']} | build+serve {n['peak_rss_mb']:.0f} | {n['hit_at_5']:.3f} |")


def _backends(p, r: dict) -> None:
    x = r["backends"]
    p("", f"## Embedding backends, same e5 weights ({x['passages']} report passages, {x['queries']} queries one at "
          f"a time, {x['rounds']} alternated rounds)",
      "| backend | load s | passages/s | query p50 ms | query p95 ms |", "|---|---|---|---|---|")
    for name in ("torch", "onnx"):
        y = x[name]
        p(f"| {name} | {y['load_s']:.2f} | {y['passages_per_s']} | {y['query']['p50_ms']} | {y['query']['p95_ms']} |")
    p(f"ONNX/torch throughput {x['speedup']}×; min cosine {x['min_cosine']}; top-5 overlap {x['top5_overlap']}")


def _targets(p, r: dict) -> None:
    t = r["targets"]
    p("", "## Issue 12 figures", "| what | figure |", "|---|---|",
      f"| build from scratch incl. model load | {t['build_scratch_s']:.1f} s |",
      *([f"| naive pipeline build incl. model load | {t['naive_build_s']:.1f} s (ours/naive {t['build_vs_naive']}×) |"]
        if "naive_build_s" in t else []),
      f"| first start (no index) to first answer, fresh process | {t['first_start_to_answer_s']:.1f} s |",
      f"| fresh process, index on disk, to first answer (median) | {t['fresh_first_answer_median_s']:.2f} s |",
      f"| add one report | {t['add_one_report_s']:.2f} s |")


def _scale(p, r: dict) -> None:
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
