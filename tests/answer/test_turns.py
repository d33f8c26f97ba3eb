"""The fitted decision whether a chat turn leans on the chat (rag/answer/turns.py, eval/turns.py)."""
from __future__ import annotations

import json

import pytest

from eval.questions import fit_files, load_questions
from eval.turns import cross_validate, labelled_turns
from rag.answer.conversation import resolve
from rag.answer.turns import turn_features
from rag.answer.turns import TURNS_PATH, TurnFeatures, turn_model, turn_model_from_json
from rag.errors import RagError

CORPUS = ("Enköping", "Eskilstuna", "Huddinge", "Solna")


@pytest.fixture(scope="module")
def turns():
    return labelled_turns(load_questions(fit_files()), CORPUS)


def test_the_shipped_turn_model_matches_the_features():
    d = json.loads(TURNS_PATH.read_text(encoding="utf-8"))
    assert tuple(d["features"]) == TurnFeatures.names()
    assert 0.0 < turn_model().threshold < 1.0


def test_a_turn_model_for_other_features_is_refused():
    d = json.loads(TURNS_PATH.read_text(encoding="utf-8"))
    d["features"] = d["features"][::-1]
    with pytest.raises(RagError, match="fit-turns"):
        turn_model_from_json(d)


def test_labelled_turns_hold_follow_ups_and_complete_questions_after_unrelated_chats(turns):
    assert sum(t.follows for t in turns) >= 90
    assert sum(not t.follows for t in turns) >= 300
    assert any(not t.follows and t.question.get("history") for t in turns)  # complete questions in a chat


def test_the_shipped_model_decides_the_labelled_turns(turns):
    model = turn_model()
    right = sum(model.follows(t.features) == t.follows for t in turns)
    assert right / len(turns) >= 0.97
    # a complete question is the costlier mistake: it would answer another question than the one asked
    assert sum(model.follows(t.features) and not t.follows for t in turns) <= 3


def test_a_question_naming_its_kommun_at_length_is_complete_after_any_chat():
    for base in ("Hur hög var sjukfrånvaron i Solna 2023?", "Och i Huddinge?", "Varför då?"):
        f = turn_features("Hur stora var kostnaderna för ekonomiskt bistånd i Huddinge 2023?", base, CORPUS)
        assert not turn_model().follows(f)
        assert not resolve("Hur stora var kostnaderna för ekonomiskt bistånd i Huddinge 2023?", [base], CORPUS).used_history


@pytest.mark.refit
def test_out_of_fold_the_decision_is_right_for_nineteen_turns_in_twenty(turns):
    decided = cross_validate(turns)
    assert sum(t.follows == d for t, d in decided) / len(decided) >= 0.95
