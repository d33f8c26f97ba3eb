"""`python -m eval fit-turns`: fit the decision whether a chat turn leans on the chat.

Labelled turns come from the question files: a line with a `history` is a follow-up, unless it
is marked as a complete new question asked in a chat (`kind: ny`, or a note opening `kind: topic
switch`); a line without one is asked after the line before it in the same file, an unrelated
chat, and must inherit nothing. Cross-validated like the scorer: one topic out for lines with a
topic, one kommun out for the rest.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answer.turns import turn_features
from rag.answer.turns import TURNS_PATH, TurnFeatures, TurnModel, save_turn_model

from .crossval import Fold, fold_of
from .questions import fit_files, load_questions

log = logging.getLogger(__name__)

COMPLETE_KINDS = ("ny", "topic switch")
C = 1.0  # inverse L2 strength: a handful of strong signals, some 400 turns
#: A complete question read as a follow-up answers another question than the one asked (it
#: inherits a kommun, a year, a subject); a follow-up read as complete is mostly refused. The
#: threshold is chosen on out-of-fold probabilities with the first costing this many of the second.
INHERIT_COST = 2.0


@dataclass(frozen=True)
class Turn:
    question: dict
    base: str  # the chat's last question
    follows: bool  # the label
    features: TurnFeatures
    fold: Fold


def labelled_turns(questions: list[dict], corpus: tuple[str, ...]) -> list[Turn]:
    out = []
    previous: dict[str, str] = {}
    for q in questions:
        history = q.get("history") or []
        if history:
            kind = q.get("kind") or q.get("note", "").split(";")[0].removeprefix("kind:").strip()
            follows, base = kind not in COMPLETE_KINDS, history[-1]
        else:
            follows, base = False, previous.get(q.get("file", ""), "")
            previous[q.get("file", "")] = q["question"]
        if base:
            out.append(Turn(q, base, follows, turn_features(q["question"], base, corpus), fold_of(q)))
    return out


def fit(turns: list[Turn]) -> TurnModel:
    from sklearn.linear_model import LogisticRegression

    x = np.array([t.features.vector() for t in turns])
    y = np.array([int(t.follows) for t in turns])
    m = LogisticRegression(C=C, fit_intercept=False, class_weight="balanced", max_iter=2000).fit(x, y)
    return TurnModel(tuple(float(c) for c in m.coef_[0]), 0.5, {"turns": len(turns), "follow_ups": int(y.sum()),
                                                                  "c": C})


def out_of_fold(turns: list[Turn]) -> list[tuple[Turn, float]]:
    """Each turn's probability from a model fitted without its kommun (the first it names): the
    inner folds a threshold is chosen on, as for the evidence scorer."""
    kommun = {id(t): (t.question.get("kommun") or ("(ingen)",))[0] for t in turns}
    out = []
    for k in sorted(set(kommun.values())):
        model = fit([t for t in turns if kommun[id(t)] != k])
        out += [(t, model.probability(t.features)) for t in turns if kommun[id(t)] == k]
    return out


def choose_threshold(scored: list[tuple[Turn, float]]) -> float:
    """The probability above which a turn is read as a follow-up, at the least cost out of fold."""
    def cost(th: float) -> float:
        return sum(INHERIT_COST * (p >= th) if not t.follows else float(p < th) for t, p in scored)
    return min((round(th, 2) for th in np.arange(0.3, 0.91, 0.02)), key=lambda th: (cost(th), abs(th - 0.5)))


def cross_validate(turns: list[Turn]) -> list[tuple[Turn, bool]]:
    """Each turn decided out of fold: probability and threshold both chosen without its topic or kommun."""
    out = []
    for f in sorted({t.fold for t in turns}, key=lambda f: (f.by, f.name)):
        train = [t for t in turns if not f.touches(t.question)]
        model, th = fit(train), choose_threshold(out_of_fold(train))
        out += [(t, model.probability(t.features) >= th) for t in turns if t.fold == f]
    return out


def report(decided: list[tuple[Turn, bool]], out=sys.stdout) -> None:
    follow = [(t, d) for t, d in decided if t.follows]
    complete = [(t, d) for t, d in decided if not t.follows]
    ok = sum(t.follows == d for t, d in decided)
    print(f"turns decided right out of fold: {ok}/{len(decided)} ({ok / len(decided):.3f}); follow-ups read as "
          f"follow-ups {sum(d for _, d in follow)}/{len(follow)}; complete questions read as complete "
          f"{sum(not d for _, d in complete)}/{len(complete)}", file=out)
    for t, d in decided:
        if t.follows != d:
            print(f"  {t.question['id']}: {'follow-up' if t.follows else 'complete'} read as "
                  f"{'follow-up' if d else 'complete'}: {t.question['question'][:90]!r}", file=out)


def main(args, config) -> int:
    from rag.engine import open_engine

    engine = open_engine(config, build_if_needed=False)
    files = args.questions or fit_files()
    turns = labelled_turns(load_questions(files), tuple(engine.kommuner))
    report(cross_validate(turns))
    model, threshold = fit(turns), choose_threshold(out_of_fold(turns))
    save_turn_model(TurnModel(model.coef, threshold, {**model.meta, "files": [f.split("/")[-1] for f in files],
                                                      "inherit_cost": INHERIT_COST}), Path(args.out) if args.out else TURNS_PATH)
    print(f"fitted on {len(turns)} turns, threshold {threshold}; " + ", ".join(f"{n} {c:+.2f}" for n, c in zip(TurnFeatures.names(), model.coef)),
          file=sys.stderr)
    return 0
