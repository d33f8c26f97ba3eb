"""Answer a question file through the library and print the contract's metrics per type.

`python -m eval [FILES...] [--report out.jsonl] [--retrieval]`
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time

from rag.config import Config

from .questions import default_files, evidence_in, load_questions
from .scoring import WRONG_ANSWER_COST, score

log = logging.getLogger(__name__)
def evaluate(engine, questions: list[dict]) -> tuple[list[dict], dict]:
    rows = []
    for q in questions:
        t0 = time.perf_counter()
        ans = engine.ask(q["question"], history=tuple(q.get("history", ()))).to_json()
        dt = time.perf_counter() - t0
        rows.append({"id": q["id"], "type": q["type"], "file": q.get("file", ""), "question": q["question"],
                     "latency_s": round(dt, 4),
                     **score(q, ans), "answer": ans})
    return rows, summarise(rows)


def summarise(rows: list[dict]) -> dict:
    def block(rs: list[dict]) -> dict:
        answerable = [r for r in rs if r["type"] != "unanswerable"]
        nums = [x for r in answerable for x in (r["numbers"] or [])]
        quotes = [x for r in answerable for x in (r["quotes"] or [])]
        refused = [r for r in rs if r["refused"]]
        should = [r for r in rs if r["type"] == "unanswerable"]
        return {
            "n": len(rs),
            "accuracy": sum(r["correct"] for r in rs) / len(rs) if rs else 0.0,
            "number_recall": sum(nums) / len(nums) if nums else None,
            "citation_recall": sum(quotes) / len(quotes) if quotes else None,
            "refusal_precision": (sum(r["type"] == "unanswerable" for r in refused) / len(refused)) if refused else None,
            "refusal_recall": (sum(r["refused"] for r in should) / len(should)) if should else None,
            "latency_p50_s": statistics.median([r["latency_s"] for r in rs]) if rs else None,
        }
    types = sorted({r["type"] for r in rows})
    return {"overall": block(rows), **{t: block([r for r in rows if r["type"] == t]) for t in types}}


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def print_table(summary: dict, out=sys.stdout) -> None:
    cols = ["n", "accuracy", "number_recall", "citation_recall", "refusal_precision", "refusal_recall", "latency_p50_s"]
    print("| type | " + " | ".join(cols) + " |", file=out)
    print("|---" * (len(cols) + 1) + "|", file=out)
    for t, b in summary.items():
        print(f"| {t} | " + " | ".join(_fmt(b[c]) for c in cols) + " |", file=out)


def retrieval_table(engine, questions: list[dict], config: Config, out=sys.stdout) -> dict:
    """hit@5 and MRR per type for BM25, dense, hybrid and the naive LangChain baseline."""
    from .naive import NaivePipeline

    answerable = [q for q in questions if not q.get("refuse")]
    modes = {m: (lambda q, m=m: [h.passage.text for h in engine.search(q, k=5, mode=m)]) for m in ("bm25", "dense", "hybrid")}
    try:
        naive = NaivePipeline.from_corpus(config)
        modes["naive-langchain"] = lambda q: naive.search(q, k=5)
    except Exception as e:  # the baseline is optional: say why it is missing
        print(f"(naive baseline unavailable: {e})", file=out)
    results: dict = {}
    for name, fn in modes.items():
        per: dict[str, list[tuple[bool, float]]] = {}
        for q in answerable:
            texts = fn(q["question"])
            rr = 0.0
            for i in range(len(texts)):
                if evidence_in(q, texts[: i + 1]):
                    rr = 1.0 / (i + 1)
                    break
            per.setdefault(q["type"], []).append((rr > 0, rr))
            per.setdefault("overall", []).append((rr > 0, rr))
        results[name] = {t: (sum(h for h, _ in v) / len(v), sum(r for _, r in v) / len(v)) for t, v in per.items()}
    types = ["overall"] + sorted(t for t in results["bm25"] if t != "overall")
    print("| retriever | " + " | ".join(f"{t} hit@5 / MRR" for t in types) + " |", file=out)
    print("|---" * (len(types) + 1) + "|", file=out)
    for name, r in results.items():
        print(f"| {name} | " + " | ".join(f"{r[t][0]:.2f} / {r[t][1]:.2f}" if t in r else "–" for t in types) + " |", file=out)
    return results


def modes_table(rows: list[dict], key: str, out=sys.stdout) -> dict:
    """Accuracy and failure modes grouped by `key`: wrong (and of those, how many lead with a figure
    that is not the one asked for), refused although answerable, answered although the reports do
    not say."""
    from .crossval import failure_mode

    groups: dict[str, list[dict]] = {}
    for r in rows:
        r.setdefault("mode", failure_mode({"refuse": r["type"] == "unanswerable"}, r))
        groups.setdefault(r[key], []).append(r)
        groups.setdefault("overall", []).append(r)
    table = {}
    print(f"| {key} | n | accuracy | wrong | of which wrong figure | false refusal | false answer "
          f"| wrong or false answer among answered |", file=out)
    print("|---|---|---|---|---|---|---|---|", file=out)
    for g in sorted(groups, key=lambda g: (g == "overall", g)):
        rs = groups[g]
        c = {m: sum(r["mode"] == m for r in rs) for m in ("ok", "wrong", "false_refusal", "false_answer")}
        c["wrong_figure"] = sum(r["mode"] == "wrong" and r.get("wrong_figure", False) for r in rs)
        answered = sum(not r["refused"] for r in rs)
        bad_rate = (c["wrong"] + c["false_answer"]) / answered if answered else 0.0
        table[g] = {"n": len(rs), "accuracy": c["ok"] / len(rs), **c, "bad_among_answered": bad_rate}
        print(f"| {g} | {len(rs)} | {c['ok'] / len(rs):.3f} | {c['wrong']} | {c['wrong_figure']} | "
              f"{c['false_refusal']} | {c['false_answer']} | {bad_rate:.3f} |", file=out)
    return table


def write_rows(path: str, rows: list[dict]) -> None:
    """One JSON line per question: its verdict and its answer."""
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(args: argparse.Namespace, config: Config | None = None) -> int:
    from rag.config import config_from_env
    from rag.engine import open_engine

    config = config or config_from_env(args)
    engine = open_engine(config)
    questions = load_questions(args.questions or default_files())
    rows, summary = evaluate(engine, questions)
    print("In-sample (the shipped scorer, fitted on these files):\n")
    print_table(summary)
    print()
    modes_table(rows, "type")
    print()
    modes_table(rows, "file")
    wrong = [r["id"] for r in rows if not r["correct"]]
    print(f"\nnot correct: {', '.join(wrong) if wrong else 'none'}")
    if getattr(args, "cv", False):
        from .crossval import cross_validate, gather_all, paraphrase_agreement

        t0 = time.perf_counter()
        cv_rows = cross_validate(engine, gather_all(engine, questions),
                                 wrong_cost=getattr(args, "wrong_cost", WRONG_ANSWER_COST))
        for by, title in (("kommun", "Leave one kommun out"), ("topic", "Leave one topic out")):
            part = [r for r in cv_rows if r["fold_by"] == by]
            if part:
                print(f"\n{title} ({len(part)} questions; {time.perf_counter() - t0:.0f} s in all):\n")
                modes_table(part, "type")
                print()
                modes_table(part, "fold" if by == "kommun" else "file")
        if getattr(args, "cv_report", None):
            write_rows(args.cv_report, cv_rows)
        agree, total = paraphrase_agreement(cv_rows, questions)
        print(f"\nparaphrases answered like their originals: {agree}/{total}")
        ev = [r["evidence5"] for r in cv_rows if r.get("evidence5") is not None]
        print(f"evidence@5 (the scorer's top 5 passages, out of fold): {sum(ev) / len(ev):.3f} of {len(ev)}")
    if args.report:
        write_rows(args.report, rows)
    if args.retrieval:
        print()
        retrieval_table(engine, questions, config)
    return 0
