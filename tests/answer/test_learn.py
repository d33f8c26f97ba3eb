"""The fitted evidence scorer: readable JSON, numpy inference equal to scikit-learn, labels."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rag.answer.candidates import Candidate
from rag.answer.features import RowFeatures, SentenceFeatures
from rag.errors import RagError
from rag.answer.score import (MODEL_PATH, Scorer, Thresholds, fit_linear, fit_trees, label, load_scorer, save_scorer)
from rag.models import Passage


def _data(n: int = 600, d: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = (x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * rng.normal(size=n) > 0.4).astype(int)
    return x, y


def test_linear_model_equals_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    x, y = _data()
    names = tuple("abcde")
    m = fit_linear(x, y, names, c=0.5)
    mean, scale = x.mean(0), x.std(0)
    ref = LogisticRegression(C=0.5, max_iter=2000).fit((x - mean) / scale, y)
    assert np.allclose(m.proba(x), ref.predict_proba((x - mean) / scale)[:, 1], atol=1e-9)


def test_exported_trees_equal_scikit_learn():
    from sklearn.ensemble import GradientBoostingClassifier

    x, y = _data()
    t = fit_trees(x, y, tuple("abcde"), n=40)
    ref = GradientBoostingClassifier(n_estimators=40, max_depth=3, learning_rate=0.05, subsample=0.8,
                                     min_samples_leaf=20, random_state=0).fit(x, y)
    assert np.abs(t.proba(x) - ref.predict_proba(x)[:, 1]).max() < 1e-6


@pytest.mark.parametrize("kind", ["linear", "trees"])
def test_json_round_trip_keeps_every_probability(tmp_path, kind):
    rng = np.random.default_rng(1)
    rows, sents = RowFeatures.names(), SentenceFeatures.names()
    xr, yr = rng.normal(size=(400, len(rows))), rng.integers(0, 2, 400)
    xs, ys = rng.normal(size=(400, len(sents))), rng.integers(0, 2, 400)
    fit = fit_trees if kind == "trees" else fit_linear
    scorer = Scorer(fit(xr, yr, rows), fit(xs, ys, sents), Thresholds(answer=0.2), {"k": 1})
    path = tmp_path / "scorer.json"
    save_scorer(scorer, path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["thresholds"]["answer"] == 0.2  # plain JSON a person can read
    back = load_scorer(path)
    assert np.allclose(back.row.proba(xr), scorer.row.proba(xr), atol=1e-5)
    assert np.allclose(back.sentence.proba(xs), scorer.sentence.proba(xs), atol=1e-5)
    assert back.thresholds == scorer.thresholds


def test_a_scorer_for_other_features_or_a_broken_file_is_refused(tmp_path):
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    shipped["row"]["features"] = shipped["row"]["features"][:-1]
    bad = tmp_path / "other.json"
    bad.write_text(json.dumps(shipped), encoding="utf-8")
    with pytest.raises(RagError, match="refit"):
        load_scorer(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RagError, match="cannot be read"):
        load_scorer(broken)
    with pytest.raises(RagError, match="eval fit"):
        load_scorer(tmp_path / "missing.json")


def test_the_shipped_scorer_matches_the_current_features():
    """Fails when a feature is added without `python -m eval fit` being run again."""
    s = load_scorer()
    assert s.row.features == RowFeatures.names() and s.sentence.features == SentenceFeatures.names()
    assert 0 < s.thresholds.answer < 1
    assert s.meta.get("questions", 0) >= 200


def _sentence(text: str, kommun: str = "Solna") -> Candidate:
    p = Passage(0, "text", text, "", (), kommun, "2023-12", "x")
    zero = SentenceFeatures(**{n: 0.0 for n in SentenceFeatures.names()})
    return Candidate("sentence", kommun, "d", zero, passage=p, text=text)


def test_labels_come_from_expected_numbers_and_quotes():
    q = {"kommun": ["Solna"], "numbers": [["9,6"]], "quotes": [["årlig löneökning"]], "refuse": False}
    assert label(_sentence("Personalkostnaderna ökade med 9,6 mkr."), q) == 1
    assert label(_sentence("Ökningen beror på årlig löneökning."), q) == 1
    assert label(_sentence("Ökningen beror på årlig löneökning.", kommun="Huddinge"), q) == 0
    assert label(_sentence("Kostnaderna 2023 var höga."), q) == 0  # a year is not a figure
    assert label(_sentence("Personalkostnaderna ökade med 9,6 mkr."), {**q, "refuse": True}) == 0


def test_a_scorer_with_features_in_another_order_is_refused_naming_them(tmp_path):
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    names = shipped["sentence"]["features"]
    names[1], names[2] = names[2], names[1]
    bad = tmp_path / "swapped.json"
    bad.write_text(json.dumps(shipped), encoding="utf-8")
    with pytest.raises(RagError, match=r"sentence features \('lex_rel' where 'lex' is expected"):
        load_scorer(bad)


def test_features_reach_the_scorer_by_name_in_field_order():
    values = {n: float(i) for i, n in enumerate(RowFeatures.names())}
    feats = RowFeatures(**values)
    assert feats.vector() == tuple(values.values())
    assert RowFeatures.names()[:2] == ("bias_row", "lex") and len(set(RowFeatures.names())) == len(values)
    scorer = load_scorer()
    p = Passage(0, "text", "x", "", (), "Solna", "2023-12", "x")
    with pytest.raises(RagError, match="without SentenceFeatures"):
        scorer.score([Candidate("sentence", "Solna", "d", feats, passage=p, text="x")])


def test_a_topic_fold_trains_on_no_question_of_its_topic_and_a_kommun_fold_on_none_naming_the_kommun():
    from eval.crossval import Fold, fold_of

    topic_q = {"id": "e1", "kommun": ["Solna", "Huddinge"], "topic": "sjukfrånvaro"}
    kommun_q = {"id": "d1", "kommun": ["Huddinge"]}
    assert fold_of(topic_q) == Fold("topic", "sjukfrånvaro") and fold_of(kommun_q) == Fold("kommun", "Huddinge")
    assert Fold("topic", "sjukfrånvaro").touches(topic_q) and not Fold("topic", "sjukfrånvaro").touches(kommun_q)
    assert Fold("kommun", "Huddinge").touches(topic_q)  # it names Huddinge, if only second
    assert not Fold("kommun", "Enköping").touches(topic_q)
