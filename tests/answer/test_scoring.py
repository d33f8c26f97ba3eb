"""The evaluation's scoring rules on small made-up answers."""
from __future__ import annotations

from eval.scoring import lead_figure, score

Q = {"id": "t1", "question": "Vad kostade X 2024?", "type": "lookup", "kommun": ["Enköping"],
     "numbers": [["13,1"]], "quotes": [], "refuse": False}


def answer(text: str, facts=(), answered=True) -> dict:
    return {"answered": answered, "answer": text, "facts": list(facts),
            "citations": [{"n": 1, "kommun": "Enköping", "text": "X\t-13,1"}]}


def test_the_lead_figure_is_the_first_fact_else_the_first_quoted_figure_that_is_no_year():
    assert lead_figure(answer("…", facts=[{"value": -13.1, "kommun": "Enköping"}])) == -13.1
    text = "Enligt Enköping (Delårsrapport 2 2024):\n- Under 2024 kostade X 13,1 mnkr. [1]"
    assert lead_figure(answer(text)) == 13.1
    assert lead_figure(answer("Enligt Enköping (Delårsrapport 2 2024):\n- Inga siffror här. [1]")) is None


def test_a_wrong_answer_is_a_wrong_figure_only_when_it_leads_with_another_figure():
    right = score(Q, answer("Enligt Enköping:\n- X kostade 13,1 mnkr. [1]"))
    assert right["correct"] and not right["wrong_figure"]
    other = score(Q, answer("Enligt Enköping:\n- X kostade 20,9 mnkr. [1]"))
    assert not other["correct"] and other["wrong_figure"]
    no_figure = score(Q, answer("Enligt Enköping:\n- X har ökat. [1]"))
    assert not no_figure["correct"] and not no_figure["wrong_figure"]
    refused = score(Q, answer("Rapporterna säger inte det.", answered=False))
    assert not refused["wrong_figure"]
    why = score({**Q, "type": "why"}, answer("Enligt Enköping:\n- Målet är att 80 % ska gå till barn. [1]"))
    assert not why["correct"] and not why["wrong_figure"]  # a quoted explanation's figure is its context
