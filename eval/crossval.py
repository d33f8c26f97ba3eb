"""Leave one kommun out: fit the evidence scorer on three kommuner's questions, score the fourth.

Candidates are gathered once per question (the embedding model runs once);
each fold then fits the scorer and chooses its thresholds on its own training
kommuner only (an inner leave-one-kommun-out), and answers the held-out kommun.
The figure this prints is the one to trust; the in-sample one is printed beside it.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import time
from dataclasses import dataclass

import numpy as np

from rag.answer.compose import compose
from rag.answer.picking import strength
from rag.answer.evidence import Evidence, gather
from rag.answer.score import Scorer, Thresholds, fit_scorer

from .scoring import score

log = logging.getLogger(__name__)

FALLBACK_ANSWER = 0.15  # only when the calibration cannot be fitted (every inner answer right, or none)


@dataclass(frozen=True)
class Item:
    question: dict
    fold: str  # the kommun the question is about (its first named kommun)
    analysis: object
    evidence: Evidence


def fold_of(q: dict) -> str:
    if q.get("kommun"):
        return q["kommun"][0]
    return "(ingen)"


def gather_all(engine, questions: list[dict]) -> list[Item]:
    """Plan and candidates for every question (the only step that runs the embedding model)."""
    items = []
    for q in questions:
        a = engine.read_question(q["question"], tuple(q.get("history", ()))).analysis
        items.append(Item(q, fold_of(q), a, gather(engine, a)))
    return items


def answer_items(engine, items: list[Item], scorer: Scorer, probs: list | None = None) -> list[dict]:
    """Answer and score each item with one scorer (and its probabilities, when known): rows of verdicts."""
    rows = []
    for i, it in enumerate(items):
        t0 = time.perf_counter()
        ans = compose(engine.view, it.analysis, it.evidence, scorer, None if probs is None else probs[i]).to_json()
        verdict = score(it.question, ans)
        rows.append({"id": it.question["id"], "type": it.question["type"], "file": it.question.get("file", ""),
                     "fold": it.fold, "question": it.question["question"], **verdict, "answer": ans,
                     "mode": failure_mode(it.question, verdict), "compose_s": time.perf_counter() - t0})
    return rows


def failure_mode(q: dict, verdict: dict) -> str:
    if verdict["correct"]:
        return "ok"
    if q.get("refuse"):
        return "false_answer"
    return "false_refusal" if verdict["refused"] else "wrong"


def choose_thresholds(engine, items: list[Item], c: float, wrong_cost: float, kind: str = "linear") -> Thresholds:
    """The answer threshold calibrated on out-of-fold answers within `items` (an inner leave one
    kommun out, `calibrated_answer_threshold`); the evidence floors keep their configured values.
    Choosing the floors too, on a grid by counted utility, moved a fold's answers by a question or
    three whenever any feature changed: with some 160 training questions that choice is noise."""
    folds = sorted({it.fold for it in items})
    scorers = {}
    for f in folds:
        train = [(it.question, list(it.evidence.candidates)) for it in items if it.fold != f]
        scorers[f] = fit_scorer(train, c=c, kind=kind)
    tests = {f: [it for it in items if it.fold == f] for f in folds}
    probs = {f: [scorers[f].score(list(it.evidence.candidates)) for it in tests[f]] for f in folds}
    floors = Thresholds()
    answer = calibrated_answer_threshold(engine, tests, scorers, probs, floors, wrong_cost)
    return dataclasses.replace(floors, answer=answer if answer is not None else FALLBACK_ANSWER)


def calibrated_answer_threshold(engine, tests: dict, scorers: dict, probs: dict, th: Thresholds,
                                wrong_cost: float) -> float | None:
    """The best evidence's probability above which an answer is right more often than `wrong_cost`
    makes worth it: a logistic fit of "answered correctly" on the logit of that probability, over
    the inner out-of-fold answers given with no answer threshold. A smooth curve through every
    question moves less between folds than the arg-max of a utility counted question by question.
    None when the fit does not rise with the probability."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    open_th = dataclasses.replace(th, answer=0.0, absent=0.0)
    for f, its in tests.items():
        rows = answer_items(engine, its, Scorer(scorers[f].row, scorers[f].sentence, open_th), probs[f])
        for it, p, r in zip(its, probs[f], rows):
            if it.evidence.refusal or not r["answer"].get("answered"):
                continue  # refused whatever the threshold: the plan or the evidence decided
            x.append(_logit(strength(it.evidence, p)))
            y.append(int(r["correct"]))
    if len(set(y)) < 2:
        return None
    fit = LogisticRegression(C=10.0).fit(np.array(x).reshape(-1, 1), np.array(y))
    a, b = float(fit.intercept_[0]), float(fit.coef_[0][0])
    if b <= 0:
        return None
    z = (_logit(wrong_cost / (1.0 + wrong_cost)) - a) / b
    return round(float(1.0 / (1.0 + np.exp(-z))), 3)


def _logit(p: float, eps: float = 1e-4) -> float:
    p = min(max(p, eps), 1 - eps)
    return float(np.log(p / (1 - p)))


def fit_all(engine, items: list[Item], c: float = 0.1, wrong_cost: float = 1.0, meta: dict | None = None,
            kind: str = "linear") -> Scorer:
    """The scorer for `items`: its answer threshold chosen by inner leave one kommun out, then
    fitted on all of them."""
    th = choose_thresholds(engine, items, c, wrong_cost, kind)
    s = fit_scorer([(it.question, list(it.evidence.candidates)) for it in items], c=c, kind=kind)
    return Scorer(s.row, s.sentence, th, {**(meta or {}), "c": c})


def cross_validate(engine, items: list[Item], c: float = 0.1, wrong_cost: float = 1.0,
                   kind: str = "linear") -> list[dict]:
    """Out-of-fold answers for every item: each kommun scored by a scorer that never saw it."""
    rows = []
    for f in sorted({it.fold for it in items}):
        train = [it for it in items if it.fold != f]
        test = [it for it in items if it.fold == f]
        scorer = fit_all(engine, train, c, wrong_cost, kind=kind)
        log.info("fold %s: %d train, %d test, thresholds %s", f, len(train), len(test), scorer.thresholds)
        probs = [scorer.score(list(it.evidence.candidates)) for it in test]
        answered = answer_items(engine, test, scorer, probs)
        for row, it, p in zip(answered, test, probs):
            row["evidence5"] = evidence_at(engine, it, p) if not it.question.get("refuse") else None
        rows += answered
    return rows


def evidence_at(engine, it: Item, probs, k: int = 5) -> bool:
    """Every expected number and quote among the k passages the scorer ranks first (the head of
    `search`'s hits), scored out of fold: evidence@k."""

    from .questions import evidence_in

    row_pid = engine.view.row_passage
    best: dict[int, float] = {}
    for c, p in zip(it.evidence.candidates, probs):
        pid = row_pid.get((c.doc_id, c.row.line)) if c.kind == "row" else c.passage.id
        if pid is not None and p > best.get(pid, -1.0):
            best[pid] = float(p)
    top = sorted(best, key=lambda pid: -best[pid])[:k]
    return evidence_in(it.question, [engine.passages[pid].text for pid in top])


def paraphrase_agreement(rows: list[dict], questions: list[dict]) -> tuple[int, int]:
    """Paraphrase lines ("paraphrase of X" in their note) answered as well as their originals."""
    by_id = {r["id"]: r for r in rows}
    agree = total = 0
    for q in questions:
        m = re.search(r"paraphrase of (\w+)", q.get("note", ""))
        if m and m.group(1) in by_id and q["id"] in by_id:
            total += 1
            agree += by_id[q["id"]]["correct"] == by_id[m.group(1)]["correct"]
    return agree, total


def fit_main(args, config) -> int:
    """`python -m eval fit`: fit the shipped scorer on the question files, thresholds by inner LOKO."""
    import sys

    from rag.answer.score import save_scorer
    from rag.engine import open_engine

    from .questions import default_files, load_questions

    files = args.questions or default_files()
    t0 = time.perf_counter()
    engine = open_engine(config)
    questions = load_questions(files)
    items = gather_all(engine, questions)
    t1 = time.perf_counter()
    meta = {"files": [f.split("/")[-1] for f in files], "questions": len(questions), "kind": args.kind,
            "wrong_cost": args.wrong_cost}
    scorer = fit_all(engine, items, wrong_cost=args.wrong_cost, kind=args.kind, meta=meta)
    t2 = time.perf_counter()
    meta = {**scorer.meta, "fit_seconds": round(t2 - t1, 1), "gather_seconds": round(t1 - t0, 1)}
    save_scorer(Scorer(scorer.row, scorer.sentence, scorer.thresholds, meta), args.out or config.scorer_path)
    print(f"fitted on {len(questions)} questions from {len(files)} files in {t2 - t1:.1f} s "
          f"(candidates gathered in {t1 - t0:.1f} s); thresholds {scorer.thresholds}", file=sys.stderr)
    return 0
