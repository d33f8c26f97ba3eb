"""Cross-validation: leave one kommun out, or one topic out, fit on the rest, score what was left out.

A question about one kommun (public, `dev/`) is scored by a scorer fitted on no
question about that kommun; a question spanning kommuner (`dev2/`, which has a
`topic` on every line) cannot be left out by kommun, so it is scored by a scorer
fitted on no question of its topic. Candidates are gathered once per question
(the embedding model runs once); each fold then fits the scorer and chooses its
answer threshold on its own training questions only (an inner leave one kommun
out), and answers what it left out. The figure this prints is the one to trust;
the in-sample one is printed beside it.
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
class Fold:
    """What one round of the cross-validation leaves out: a kommun, or a topic."""
    by: str  # "kommun" | "topic"
    name: str

    def __str__(self) -> str:
        return self.name if self.by == "kommun" else f"topic: {self.name}"

    def touches(self, q: dict) -> bool:
        """Whether question `q` tells the scorer anything about this fold (then it may not train it)."""
        if self.by == "topic":
            return q.get("topic") == self.name
        return self.name in (q.get("kommun") or ("(ingen)",))


@dataclass(frozen=True)
class Item:
    question: dict
    fold: Fold  # where the question is scored: its topic where it has one, else its first kommun
    analysis: object
    evidence: Evidence

    @property
    def kommun(self) -> str:
        """The inner folds that calibrate the threshold: the first named kommun."""
        return (self.question.get("kommun") or ("(ingen)",))[0]


def fold_of(q: dict) -> Fold:
    if q.get("topic"):
        return Fold("topic", q["topic"])
    return Fold("kommun", (q.get("kommun") or ("(ingen)",))[0])


def gather_all(engine, questions: list[dict]) -> list[Item]:
    """Plan and candidates for every question (the only step that runs the embedding model)."""
    items = []
    for q in questions:
        reading = engine.read_question(q["question"], tuple(q.get("history", ())))
        a = reading.analysis
        items.append(Item(q, fold_of(q), a, gather(engine, a, anchor=reading.anchor)))
    return items


def answer_items(engine, items: list[Item], scorer: Scorer, probs: list | None = None) -> list[dict]:
    """Answer and score each item with one scorer (and its probabilities, when known): rows of verdicts."""
    rows = []
    for i, it in enumerate(items):
        t0 = time.perf_counter()
        ans = compose(engine.view, it.analysis, it.evidence, scorer, None if probs is None else probs[i]).to_json()
        verdict = score(it.question, ans)
        rows.append({"id": it.question["id"], "type": it.question["type"], "file": it.question.get("file", ""),
                     "fold": str(it.fold), "fold_by": it.fold.by, "question": it.question["question"], **verdict, "answer": ans,
                     "mode": failure_mode(it.question, verdict), "compose_s": time.perf_counter() - t0})
    return rows


def failure_mode(q: dict, verdict: dict) -> str:
    if verdict["correct"]:
        return "ok"
    if q.get("refuse"):
        return "false_answer"
    return "false_refusal" if verdict["refused"] else "wrong"


@dataclass(frozen=True)
class CalibrationPoint:
    """One inner out-of-fold answer: the logit of its best evidence's probability, and whether it was right."""
    question_id: str
    topic: str
    logit: float
    correct: bool


def calibration_points(engine, items: list[Item], c: float, kind: str = "linear") -> list[CalibrationPoint]:
    """Every item answered with no answer threshold by a scorer fitted without its kommun (an inner
    leave one kommun out); items the plan or the evidence refuse whatever the threshold are left out."""
    points = []
    open_th = dataclasses.replace(Thresholds(), answer=0.0, absent=0.0)
    for f in sorted({it.kommun for it in items}):
        fitted = fit_scorer([(it.question, list(it.evidence.candidates)) for it in items if it.kommun != f],
                            c=c, kind=kind)
        test = [it for it in items if it.kommun == f]
        probs = [fitted.score(list(it.evidence.candidates)) for it in test]
        rows = answer_items(engine, test, Scorer(fitted.row, fitted.sentence, open_th), probs)
        for it, p, r in zip(test, probs, rows):
            if it.evidence.refusal or not r["answer"].get("answered"):
                continue
            points.append(CalibrationPoint(it.question["id"], it.question.get("topic", ""),
                                           _logit(strength(it.evidence, p)), bool(r["correct"])))
    return points


def answer_threshold(points: list[CalibrationPoint], wrong_cost: float) -> float:
    """The best evidence's probability above which an answer is right more often than `wrong_cost`
    makes worth it: a logistic fit of "answered correctly" on the logit of that probability. A smooth
    curve through every question moves less between folds than the arg-max of a utility counted
    question by question. `FALLBACK_ANSWER` when the fit cannot be made or does not rise."""
    from sklearn.linear_model import LogisticRegression

    y = [int(pt.correct) for pt in points]
    if len(set(y)) < 2:
        return FALLBACK_ANSWER
    fit = LogisticRegression(C=10.0).fit(np.array([pt.logit for pt in points]).reshape(-1, 1), np.array(y))
    a, b = float(fit.intercept_[0]), float(fit.coef_[0][0])
    if b <= 0:
        return FALLBACK_ANSWER
    z = (_logit(wrong_cost / (1.0 + wrong_cost)) - a) / b
    return round(float(1.0 / (1.0 + np.exp(-z))), 3)


def choose_thresholds(engine, items: list[Item], c: float, wrong_cost: float, kind: str = "linear") -> Thresholds:
    """The answer threshold calibrated on inner out-of-fold answers within `items`; the evidence
    floors keep their configured values. Choosing the floors too, on a grid by counted utility,
    moved a fold's answers by a question or three whenever any feature changed: with some 160
    training questions that choice is noise."""
    return dataclasses.replace(Thresholds(), answer=answer_threshold(calibration_points(engine, items, c, kind),
                                                                     wrong_cost))


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
    """Out-of-fold answers for every item: each kommun or topic scored by a scorer that never saw it.

    A kommun fold chooses its threshold by its own inner leave one kommun out. The topic folds (some
    seventy, most of one or two questions) share one set of inner out-of-fold answers, computed once,
    each leaving its own topic's answers out of the threshold's fit: their scorer weights never see
    the topic, their threshold only through inner scorers fitted on other kommuner."""
    rows = []
    shared: list[CalibrationPoint] | None = None
    for f in sorted({it.fold for it in items}, key=lambda f: (f.by, f.name)):
        train = [it for it in items if not f.touches(it.question)]
        test = [it for it in items if it.fold == f]
        if f.by == "kommun":
            scorer = fit_all(engine, train, c, wrong_cost, kind=kind)
        else:
            shared = shared if shared is not None else calibration_points(engine, items, c, kind)
            th = answer_threshold([pt for pt in shared if pt.topic != f.name], wrong_cost)
            fitted = fit_scorer([(it.question, list(it.evidence.candidates)) for it in train], c=c, kind=kind)
            scorer = Scorer(fitted.row, fitted.sentence, dataclasses.replace(Thresholds(), answer=th), {"c": c})
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
    """`python -m eval fit`: fit the shipped scorer on the question files, thresholds by inner LOKO.

    Twice: a follow-up's anchor is what the chat's last answer was about, and that answer depends
    on the scorer. The first round fits without anchors; the second gathers the follow-ups again
    with anchors from the first round's answers, and is the one saved."""
    import sys
    import tempfile
    from pathlib import Path

    from rag.answer.score import save_scorer
    from rag.engine import open_engine

    from .questions import fit_files, load_questions

    files = args.questions or fit_files()
    questions = load_questions(files)
    meta = {"files": [f.split("/")[-1] for f in files], "questions": len(questions), "kind": args.kind,
            "wrong_cost": args.wrong_cost}
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "scorer.json"
        engine = open_engine(config.replace(dialogue_turns=0))
        save_scorer(fit_all(engine, gather_all(engine, questions), wrong_cost=args.wrong_cost, kind=args.kind,
                            meta=meta), first)
        t0 = time.perf_counter()
        engine = open_engine(config.replace(scorer_path=first))
        items = gather_all(engine, questions)
        t1 = time.perf_counter()
        scorer = fit_all(engine, items, wrong_cost=args.wrong_cost, kind=args.kind, meta=meta)
    t2 = time.perf_counter()
    meta = {**scorer.meta, "fit_seconds": round(t2 - t1, 1), "gather_seconds": round(t1 - t0, 1)}
    save_scorer(Scorer(scorer.row, scorer.sentence, scorer.thresholds, meta), args.out or config.scorer_path)
    print(f"fitted on {len(questions)} questions from {len(files)} files in {t2 - t1:.1f} s "
          f"(candidates gathered in {t1 - t0:.1f} s); thresholds {scorer.thresholds}", file=sys.stderr)
    return 0
