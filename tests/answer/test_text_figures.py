"""Counts a report gives only in its text: which sentences give one, which figure, and how a
comparison says them (beside the table figures, never ranked)."""
from __future__ import annotations

import pytest

from rag.answer.measures import catalogue
from rag.answer.text_figures import count_in

from .test_compare import _answer


@pytest.mark.parametrize("measure, sentence, figure", [
    ("hushall_ekonomiskt_bistand", "Antalet hushåll med ekonomiskt bistånd har minskat i jämförelse med föregående "
                                   "år, från 185 hushåll till 145 hushåll 2023.", "145"),  # the later of från … till
    ("anmalningar", "Antalet orosanmälningar gällande barn och ungdomar har ökat från 2 077 till 2 548 i jämförelse "
                    "med samma period föregående år.", "2 548"),
    ("anmalningar", "Antalet anmälningar i delåret är nästan 5 000 stycken vilket är på samma nivå som jämförbar "
                    "period föregående år.", "5 000"),
    ("hushall_ekonomiskt_bistand", "Under året har även antalet bidragshushåll ökat till ett månadssnitt om 423 "
                                   "stycken hushåll i jämförelse med 407 hushåll i genomsnitt 2023.", "423"),
    # no "antalet" of the measure: those trained, a budgeted volume, a cost are no count of it
    ("anstallda", "Personal, drygt 500 medarbetare, som möter barn och unga, har utbildats i att upptäcka våld.", None),
    ("placeringar", "I denna vårdform ingår HVB och den budgeterade volymen består av 19 årsplaceringar.", None),
    ("hushall_ekonomiskt_bistand", "Antalet hushåll med ekonomiskt bistånd kostade 38,4 mnkr.", None),
    ("anmalningar", "Antalet hushåll med ekonomiskt bistånd har minskat till 145 hushåll.", None),  # another measure
])
def test_a_sentence_gives_a_count_only_of_the_measure_it_says_antalet_of(measure, sentence, figure):
    n = count_in(sentence, catalogue().measures[measure])
    assert (n.text if n else None) == figure


def test_counts_only_in_the_text_are_said_side_by_side_quoted_and_not_ranked(fake_engine):
    ans = _answer(fake_engine, "Vilken kommun har flest hushåll med ekonomiskt bistånd?")
    first = ans.answer.splitlines()[0]
    assert "inte rangordnat" in first and "Enköping 423" in first and "Solna 145" in first
    assert "Högst" not in first and "flest" not in first.lower()
    for c in ans.citations[:2]:  # each figure stands in the passage it cites
        assert c.kind == "passage" and any(x in c.text for x in ("423", "145"))
    assert "- Huddinge: ingen tabellrad i rapporterna kunde läsas som hushåll med ekonomiskt bistånd, och texten anger " \
           "inget antal." in ans.answer  # a kommun without the count, in tables or text, is said to lack it


def test_a_kommun_without_a_table_figure_is_read_in_its_text_beside_the_others(fake_engine):
    ans = _answer(fake_engine, "Hur många orosanmälningar om barn och unga har Solna och Eskilstuna tagit emot?")
    assert "Solna 2 548" in ans.answer and "Eskilstuna nästan 5 000" in ans.answer
