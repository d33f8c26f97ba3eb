"""Counts a report gives only in its text: which sentences give one, which figure, and how a
comparison says them (beside the table figures, never ranked)."""
from __future__ import annotations

import pytest

from rag.answer.measures import catalogue
from rag.answer.text_figures import count_in, deviation_in

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


@pytest.mark.parametrize("measure, sentence, figure", [
    ("ekonomiskt_bistand", "Jämfört med budget är kostnaden för ekonomiskt bistånd 9,5 mkr lägre och 0,6 mkr lägre "
                           "jämfört med prognos.", "9,5"),  # the clause naming the budget, not the forecast's
    ("ekonomiskt_bistand", "Ekonomiskt bistånd redovisar ett underskott om 1,0 mnkr på grund av att antalet "
                           "bidragshushåll varit något högre än budgeterad nivå.", "1,0"),
    # another measure, no budget, no way it went, two amounts: no deviation of the measure
    ("ekonomiskt_bistand", "Kostnaderna för förvaltningsgemensam verksamhet är 6,7 mkr lägre jämfört med budget.", None),
    ("ekonomiskt_bistand", "Kostnaden för ekonomiskt bistånd var 38,4 mnkr.", None),
    ("ekonomiskt_bistand", "Budgeten för ekonomiskt bistånd är 52,4 mnkr.", None),
    ("ekonomiskt_bistand", "Jämfört med budget är kostnaden för ekonomiskt bistånd 9,5 mkr lägre och för "
                           "institutionsvård 2,0 mkr högre än budget.", None),
])
def test_a_sentence_gives_a_deviation_only_in_one_clause_naming_the_budget_and_the_measure(measure, sentence, figure):
    found = deviation_in(sentence, catalogue().measures[measure])
    assert (found[0].text if found else None) == figure
    if found:  # the clause quoted is the sentence's own words around the figure
        assert found[1].lstrip("… ") in sentence and figure in found[1]


def test_a_deviation_only_in_the_text_is_quoted_beside_the_tables_and_not_ranked(fake_engine):
    ans = _answer(fake_engine, "Hur går kostnaderna för ekonomiskt bistånd mot budget i Enköping och Solna?")
    assert ans.answer.startswith("Ekonomiskt bistånd, avvikelse mot budget helår 2024: Enköping underskott 5,4 mnkr [1]")
    assert "inte rangordnat: Solna «Jämfört med budget är kostnaden för ekonomiskt bistånd 9,5 mkr lägre» " \
           "(Årsredovisning 2023) [2]" in ans.answer
    assert ans.citations[1].kind == "passage" and "9,5 mkr lägre" in ans.citations[1].text
