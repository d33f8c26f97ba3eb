"""The fitted evidence scorer: logistic regression over candidate features.

Labels come from the question files themselves: a row candidate is positive
when one of its cells holds an expected number, a sentence when it holds an
expected quote or number. The model is stored as readable JSON (feature names,
standardisation, coefficients, thresholds), never a serialised Python object, applied with numpy,
so answering needs no scikit-learn. `python -m eval fit` reproduces it.
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .candidates import Candidate
from ..errors import RagError
from .features import RowFeatures, SentenceFeatures
from ..numbers import find_numbers, same_value
from ..years import without_years

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "scorer.json"
FORMAT = 1


@dataclass(frozen=True)
class Linear:
    """Standardised logistic regression: p = sigmoid(((x - mean) / scale) · coef + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def proba(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": round(float(self.intercept), 6)}

    @staticmethod
    def from_json(d: dict, expected: tuple[str, ...]) -> "Linear":
        return Linear(expected, np.asarray(d["mean"], float), np.asarray(d["scale"], float),
                      np.asarray(d["coef"], float), float(d["intercept"]))


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted shallow trees: p = sigmoid(init + rate · Σ leaf values), trees as plain arrays."""

    features: tuple[str, ...]
    init: float
    rate: float
    trees: tuple[dict, ...]  # each: feature, threshold, left, right, value (lists, -1 = leaf)

    def proba(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            return np.zeros(0)
        z = np.full(len(x), self.init)
        rows = np.arange(len(x))
        for t in self.trees:
            feat, thr = np.asarray(t["feature"]), np.asarray(t["threshold"])
            left, right, value = np.asarray(t["left"]), np.asarray(t["right"]), np.asarray(t["value"])
            node = np.zeros(len(x), dtype=int)
            for _ in range(64):
                inner = left[node] >= 0
                if not inner.any():
                    break
                go_left = x[rows, np.where(inner, feat[node], 0)] <= thr[node]
                node = np.where(inner, np.where(go_left, left[node], right[node]), node)
            z += self.rate * value[node]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict:
        return {"kind": "trees", "features": list(self.features), "init": self.init, "rate": self.rate,
                "trees": list(self.trees)}

    @staticmethod
    def from_json(d: dict, expected: tuple[str, ...]) -> "Trees":
        return Trees(expected, float(d["init"]), float(d["rate"]), tuple(d["trees"]))


def fit_trees(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], n: int = 120, depth: int = 3,
              rate: float = 0.05) -> Trees:
    """Boosted trees (scikit-learn at fit time), exported as arrays that numpy walks at answer time."""
    from sklearn.ensemble import GradientBoostingClassifier

    if len(set(y.tolist())) < 2:
        raise RagError("the training candidates hold only one class; give more question files")
    model = GradientBoostingClassifier(n_estimators=n, max_depth=depth, learning_rate=rate, subsample=0.8,
                                       min_samples_leaf=20, random_state=0)
    model.fit(x, y)
    prior = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        trees.append({"feature": t.feature.tolist(), "threshold": np.round(t.threshold, 6).tolist(),
                      "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                      "value": np.round(t.value[:, 0, 0], 6).tolist()})
    return Trees(names, float(np.log(prior / (1 - prior))), rate, tuple(trees))


#: the feature class each model of a scorer reads, by candidate kind
FEATURES = {"row": RowFeatures, "sentence": SentenceFeatures}


def _model_from_json(d: dict, kind: str, path: Path):
    """One model of a scorer file, refused unless it was fitted on the current features in order."""
    expected = FEATURES[kind].names()
    stored = tuple(d.get("features", ()))
    if stored != expected:
        diff = next((f"{s!r} where {e!r} is expected" for s, e in zip(stored, expected) if s != e),
                    f"{len(stored)} features where {len(expected)} are expected")
        raise RagError(f"the scorer {path} was fitted on other {kind} features ({diff}; "
                       f"see rag/answer/features.py); refit it with `python -m eval fit`")
    return Trees.from_json(d, expected) if d.get("kind") == "trees" else Linear.from_json(d, expected)


@dataclass(frozen=True)
class Thresholds:
    """Probabilities that decide what the answer holds. `answer` is calibrated in cross-validation
    (`eval.crossval.choose_thresholds`); the floors are configuration."""

    answer: float = 0.15  # below this for every candidate: refuse
    row: float = 0.1  # a table row is shown when its probability reaches this …
    sentence: float = 0.03  # … a sentence likewise
    relative: float = 0.3  # … and when it is at least this fraction of the best candidate's
    kommun_relative: float = 0.5  # no kommun named: answer for each kommun this close to the best one
    absent: float = 0.2  # the answer threshold when the named kommuns' reports never use a topic noun
    # a question naming several kommuner answers each from its own best evidence when that reaches this
    # fraction of the answer threshold (lower: a comparison names every kommun asked about, with its
    # report's closest passage; higher: a kommun with weak evidence is said to have no answer)
    named_relative: float = 0.5


@dataclass(frozen=True)
class Scorer:
    row: "Linear | Trees"
    sentence: "Linear | Trees"
    thresholds: Thresholds = field(default_factory=Thresholds)
    meta: dict = field(default_factory=dict)

    def score(self, cands: list[Candidate]) -> np.ndarray:
        """Probability per candidate, in the given order."""
        out = np.zeros(len(cands))
        for kind, model in (("row", self.row), ("sentence", self.sentence)):
            idx = [i for i, c in enumerate(cands) if c.kind == kind]
            if idx:
                out[idx] = model.proba(feature_matrix([cands[i] for i in idx], kind, model.features))
        return out

    def to_json(self) -> dict:
        return {"format": FORMAT, "row": self.row.to_json(), "sentence": self.sentence.to_json(),
                "thresholds": self.thresholds.__dict__, "meta": self.meta}


def feature_matrix(cands: list[Candidate], kind: str, names: tuple[str, ...]) -> np.ndarray:
    """The candidates' feature values, one row each, in the order of `names` (a model's features):
    a candidate whose features are not of that kind's class, or a model of other features, is an error."""
    cls = FEATURES[kind]
    if names != cls.names():
        raise RagError(f"a {kind} model of other features than {cls.__name__}'s cannot score; refit it")
    if not all(isinstance(c.features, cls) for c in cands):
        raise RagError(f"a {kind} candidate without {cls.__name__} cannot be scored")
    return np.array([c.features.vector() for c in cands], dtype=float)


def load_scorer(path: Path = MODEL_PATH) -> Scorer:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RagError(f"no fitted scorer at {path}; run `python -m eval fit`") from None
    except (OSError, ValueError) as e:
        raise RagError(f"the scorer file {path} cannot be read ({e}); run `python -m eval fit`") from None
    if d.get("format") != FORMAT:
        raise RagError(f"the scorer file {path} has format {d.get('format')!r}, expected {FORMAT}; refit it")
    return Scorer(_model_from_json(d["row"], "row", path), _model_from_json(d["sentence"], "sentence", path),
                  Thresholds(**d.get("thresholds", {})), d.get("meta", {}))


def save_scorer(scorer: Scorer, path: Path | str = MODEL_PATH) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".scorer-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(scorer.to_json(), fh, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o644)  # a data file of the package, readable like the rest (mkstemp makes it private)
    os.replace(tmp, path)


# --- labels and fitting ------------------------------------------------------------

def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>|\*\*", "", s)).strip().lower()


def _expected_values(question: dict) -> list[float]:
    out = []
    for group in question.get("numbers", []):
        for alt in group:
            nums = find_numbers(alt)
            if nums:
                out.append(float(re.sub(r"[ \u00a0]", "", alt).replace(",", ".").lstrip("-−–"))
                           if len(nums) > 1 else nums[0].value)
    return out


def label(c: Candidate, question: dict) -> int:
    """1 when the candidate holds what the question's expected answer needs."""
    if question.get("refuse"):
        return 0
    if question.get("kommun") and c.kommun not in question["kommun"]:
        return 0
    values = _expected_values(question)
    quotes = [_norm(x) for g in question.get("quotes", []) for x in g]
    if c.kind == "row":
        cells = [f.value for f in c.row.facts]
        if values:
            return int(any(same_value(v, x) for v in values for x in cells))
        return int(any(q in _norm(c.text) for q in quotes))
    text = _norm(c.text)
    if any(q in text for q in quotes):
        return 1
    if values:
        have = [n.value for n in find_numbers(without_years(c.text))]
        return int(any(same_value(v, x) for v in values for x in have))
    return 0


def fit_linear(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], c: float = 1.0, balanced: bool = False) -> Linear:
    """L2 logistic regression on standardised features (scikit-learn, at fit time only)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if len(set(y.tolist())) < 2:
        raise RagError("the training candidates hold only one class; give more question files")
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced" if balanced else None)
    model.fit((x - mean) / scale, y)
    return Linear(names, mean, scale, model.coef_[0].astype(float), float(model.intercept_[0]))


def fit_scorer(examples: list[tuple[dict, list[Candidate]]], c: float = 0.1,
               thresholds: Thresholds = Thresholds(), meta: dict | None = None, kind: str = "linear",
               balanced: bool = False) -> Scorer:
    """Fit the row and sentence models on (question, its candidates) pairs."""
    if kind not in ("linear", "trees"):
        raise ValueError(f"model kind {kind!r} is not one of 'linear', 'trees'")
    models = {}
    for cand_kind, cls in FEATURES.items():
        pairs = [(q, cand) for q, cands in examples for cand in cands if cand.kind == cand_kind]
        if not pairs:
            raise RagError(f"no {cand_kind} candidates to fit on")
        x = feature_matrix([cand for _, cand in pairs], cand_kind, cls.names())
        y = np.array([label(cand, q) for q, cand in pairs])
        models[cand_kind] = fit_trees(x, y, cls.names()) if kind == "trees" else fit_linear(x, y, cls.names(), c, balanced)
    return Scorer(models["row"], models["sentence"], thresholds, meta or {})
