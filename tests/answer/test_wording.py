"""How a figure is said in the first sentence: a cost as an amount, a deviation as överskott or
underskott, a change of a percentage in procentenheter, both figures and the direction of a change,
a large tkr amount in mnkr too; and the refusal, whose list of what the reports cover stays apart."""
from __future__ import annotations

from rag.models import Answer, Fact, Report
from rag.answer.lead import said_signs
from rag.answer.wording import fact_clause, is_trend, signed_value, trend_clause

AUG = Report("d", "Huddinge", "Socialnämnden", "delårsrapport", "Delårsrapport per 31 augusti 2023", "2023-01",
             "2023-08", "d.txt")
YEAR = Report("s", "Solna", "Socialnämnden", "årsredovisning", "Årsredovisning 2023", "2023-01", "2023-12", "s.txt")


def fact(row: str, column: str, raw: str, unit: str, report: Report = AUG) -> Fact:
    value = float(raw.replace(" ", "").replace(",", ".").replace("%", ""))
    return Fact(report.doc_id, report.kommun, report.period_end, "S", "C", "Verksamhet", row, column, value, unit,
                raw, 3, 1, "", "")


def test_a_cost_printed_negative_is_said_as_the_amount_it_is():
    said = fact_clause(fact("Institutionsvård vuxna", "Utfall jan-aug 2023", "-6,3", "mnkr"), AUG)
    assert said.text == "var kostnaden för institutionsvård vuxna 6,3 mnkr under januari–augusti 2023"
    net = fact_clause(fact("Verksamhetens nettokostnader", "2023", "-198,8", "mkr", YEAR), YEAR)
    assert net.text == "var verksamhetens nettokostnader 198,8 mkr under 2023"  # a net cost is a cost too


def test_a_deviation_is_an_underskott_or_overskott_and_tkr_is_said_in_mnkr_too():
    said = fact_clause(fact("Summa totalt", "Avvikelse jan-aug", "-13 387", "tkr"), AUG)
    assert said.text == "hade socialnämnden ett underskott mot budget på 13 387 tkr (13,4 mnkr) under " \
                        "januari–augusti 2023"
    assert 13.4 in said.computed  # the mnkr figure is traced as computed from the cited cell
    forecast = fact_clause(fact("Vård för vuxna", "Avvikelse helår", "8 884", "tkr"), AUG)
    assert forecast.text.startswith("visar prognosen för vård för vuxna ett överskott mot budget på 8 884 tkr")


def test_a_change_of_a_percentage_is_in_procentenheter():
    change = fact("Sjukfrånvaro, %", "Förändring", "-1,7%", "%", YEAR)
    assert signed_value(change).text == "-1,7 procentenheter"
    assert fact_clause(change, YEAR).text == "minskade sjukfrånvaro med 1,7 procentenheter (förändring)"
    growth = fact("Verksamhetens nettokostnader", "% 23/22", "-0,4 %", "%", YEAR)
    assert signed_value(growth).text == "-0,4 %"  # a change of an amount, in per cent


def test_a_trend_says_both_figures_the_direction_and_the_change():
    cells = (fact("Institutionsvård vuxna", "Utfall jan-aug 2024", "-6,3", "mnkr"),
             fact("Institutionsvård vuxna", "Utfall jan-aug 2023", "-10,0", "mnkr"))
    report = Report("e", "Enköping", "Socialnämnden", "delårsrapport", "D", "2024-01", "2024-08", "e.txt")
    assert is_trend(cells, report)
    said = trend_clause(cells, report)
    assert said.text == "minskade kostnaden för institutionsvård vuxna från 10,0 mnkr under januari–augusti 2023 " \
                        "till 6,3 mnkr under januari–augusti 2024, en minskning med 3,7 mnkr (37 %)"
    assert {3.7, 37.0} <= set(said.computed)
    shares = (fact("Sjukfrånvaro, %", "2023", "8,5%", "%", YEAR), fact("Sjukfrånvaro, %", "2022", "10,2%", "%", YEAR))
    assert trend_clause(shares, YEAR).text.endswith("en minskning med 1,7 procentenheter")



def test_a_share_changes_between_last_years_whole_and_this_years_part_a_sum_does_not():
    """A rate of last year beside this year's so far is a change, each said with its period; a sum
    of twelve months beside one of eight is not."""
    august = Report("h", "Huddinge", "Socialnämnden", "delårsrapport", "D", "2023-01", "2023-08", "h.txt")
    shares = (fact("Andel ungdomar", "2023-31 aug", "89", "%", august), fact("Andel ungdomar", "2022", "82", "%", august))
    assert is_trend(shares, august)
    assert trend_clause(shares, august).text.startswith("ökade andel ungdomar från 82 % under 2022 till 89 % under januari–augusti 2023")
    visits = (fact("Antal besök", "2023-31 aug", "1 193", "", august), fact("Antal besök", "2022", "470", "", august))
    assert not is_trend(visits, august)


def test_a_report_sentence_that_says_the_sign_in_words_loses_the_minus():
    assert said_signs("Prognosen för egna familjehem är ett underskott om -3,2 mnkr.") == \
        "Prognosen för egna familjehem är ett underskott om 3,2 mnkr."
    assert said_signs("Avvikelsen för familjehemsvård ligger på -22,8 miljoner") == \
        "Avvikelsen för familjehemsvård ligger på -22,8 miljoner"  # no word says the sign: as printed


def test_coverage_is_in_the_json_of_a_refusal_only():
    refused = Answer("q", False, "Rapporterna säger inte det: x.", coverage="Solna: Årsredovisning 2023 (2023-12)")
    assert refused.to_json()["coverage"] == "Solna: Årsredovisning 2023 (2023-12)"
    assert "coverage" not in Answer("q", True, "Svar [1]").to_json()


def test_a_varav_row_is_said_inside_the_row_it_belongs_to():
    from rag.answer.wording import what_of

    women = fact("varav kvinnor", "2023", "165", "", YEAR)
    assert fact_clause(women, YEAR, "Antal anställda").text == "var antal anställda, varav kvinnor, 165 under 2023"
    assert what_of(fact("Familjehem", "2023", "12", "", YEAR), YEAR, "Barn och unga") == "familjehem (barn och unga)"
