"""Rankings of how a measure moved (`changes.py`) on the bundled reports: each kommun's outcome
against the same months of the year before in the same row, ordered by the change in per cent."""
from __future__ import annotations

import re

from rag.answer.changes import asks_change_ranking, change_answer
from rag.answer.compare import comparison_answer
from rag.answer.periods import span_of
from rag.answer.plan import make_plan


def _read(engine, question):
    a = engine.read_question(question).analysis
    return a, make_plan(a, engine.reports)


def _pairs(engine, ans):
    """Each kommun's (latest, year before) facts as spans."""
    spans = [span_of(f, engine.reports[f.doc_id]) for f in ans.facts]
    return list(zip(spans[::2], spans[1::2]))


def test_the_largest_rise_first_each_against_the_same_months_of_the_year_before(fake_engine):
    a, plan = _read(fake_engine, "Vilken socialnämnd har ökat sina personalkostnader mest?")
    assert asks_change_ranking(a, plan) and comparison_answer(fake_engine.view, a, plan) is None
    ans = change_answer(fake_engine.view, a, plan)
    first = ans.answer.splitlines()[0]
    assert first.startswith("Störst ökning av personalkostnader mot samma period året före: "
                            "Eskilstuna med 19,7 mnkr (10 %) [1]")
    order = re.findall(r"(Eskilstuna|Huddinge|Enköping|Solna) med", first)
    assert order == ["Eskilstuna", "Enköping", "Huddinge", "Solna"]  # 10 %, 9 %, 8 %, 7 %
    assert "| Eskilstuna | ökning med 19,7 mnkr (10 %) | - 196,6 → - 216,3 mnkr (Personalkostnader) | " \
           "Utfall Aug 2022 → Utfall Aug 2023 |" in ans.answer
    for now, before in _pairs(fake_engine, ans):
        assert (now.kind, before.kind) == ("utfall", "utfall")
        assert before.year == now.year - 1 and before.months == now.months
    assert "Ordningen gäller förändringen i procent: kommunerna redovisar olika långa perioder." in ans.answer


def test_the_largest_fall_first_and_a_rise_last(fake_engine):
    a, plan = _read(fake_engine, "I vilken kommun minskade köp av verksamhet mest?")
    ans = change_answer(fake_engine.view, a, plan)
    first = ans.answer.splitlines()[0]
    assert first.startswith("Störst minskning av köp av verksamhet mot samma period året före: Enköping med 10,7 mnkr")
    assert first.index("Solna") < first.index("Eskilstuna") < first.index("Huddinge")
    assert "Huddinge, en ökning med 13,5 mnkr (13 %)" in first  # it moved the other way: said so
    assert "| Huddinge | ökning med 13,5 mnkr (13 %) |" in ans.answer


def test_years_named_read_the_later_one_and_a_kommun_without_the_year_before_is_named(fake_engine):
    """Enköping's 2023 is its Bokslut 2023; its row has no 2022 figure to set it against."""
    a, plan = _read(fake_engine, "Vilken kommun ökade sina personalkostnader mest mellan 2022 och 2023?")
    ans = change_answer(fake_engine.view, a, plan)
    assert "- Enköping: raden «Personalkostnader» har ingen siffra för samma period året före" in ans.answer
    assert {now.year for now, _ in _pairs(fake_engine, ans)} == {2023}


def test_named_kommuner_side_by_side_on_how_a_measure_moved(fake_engine):
    """"Hur mycket har … ökat i Solna och Enköping?": no order asked, so the kommuner in the order
    named, each with its own move and both periods; no ranking note."""
    a, plan = _read(fake_engine, "Hur mycket har personalkostnaderna ökat i Solna och Enköping?")
    assert asks_change_ranking(a, plan)
    ans = change_answer(fake_engine.view, a, plan)
    first = ans.answer.splitlines()[0]
    assert first.startswith("Personalkostnader mot samma period året före: Solna ökade med 9,6 mnkr (7 %) "
                            "från helår 2022 till helår 2023 [1]; Enköping ökade med 7,0 mnkr (9 %) "
                            "från jan–aug 2023 till jan–aug 2024 [2]"), first
    assert "Ordningen gäller" not in ans.answer and "olika långa perioder" in ans.answer
    for now, before in _pairs(fake_engine, ans):
        assert before.year == now.year - 1 and before.months == now.months


def test_a_comparison_of_levels_is_no_change(fake_engine):
    a, plan = _read(fake_engine, "Jämför personalkostnaderna i Solna och Enköping.")
    assert not asks_change_ranking(a, plan)


def test_how_a_measure_changed_in_named_kommuner_without_a_direction(fake_engine):
    a, plan = _read(fake_engine, "How did staff costs for January–August change from the year before in "
                                 "Eskilstuna (2023) and Enköping (2024)?")
    ans = change_answer(fake_engine.view, a, plan)
    assert ans.answer.splitlines()[0] == (
        "Personalkostnader mot samma period året före: Eskilstuna ökade med 19,7 mnkr (10 %) från jan–aug 2022 "
        "till jan–aug 2023 [1]; Enköping ökade med 7,0 mnkr (9 %) från jan–aug 2023 till jan–aug 2024 [2].")
