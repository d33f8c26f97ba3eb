"""The comparison step on the bundled reports: each kommun's own row of the asked measure, the
column of the asked kind and span, an order only where the figures are comparable."""
from __future__ import annotations

import re

import pytest

from rag.answer.compare import asked_comparison, comparison_answer
from rag.answer.periods import span_of
from rag.answer.plan import make_plan
from rag.numbers import find_numbers, same_value


def _answer(engine, question):
    a = engine.read_question(question).analysis
    return comparison_answer(engine.view, a, make_plan(a, engine.reports))


def test_a_ranking_of_full_year_budgets_leaves_out_a_kommun_with_only_a_period_budget(fake_engine):
    ans = _answer(fake_engine, "Vilken kommun har störst årsbudget för köp av verksamhet?")
    first = ans.answer.splitlines()[0]
    # the reports are of 2023 and 2024: each figure says its year
    assert first.startswith("Högst köp av verksamhet, budget helår: Huddinge 173,5 mnkr (2023) [1]")
    assert first.index("Solna") < first.index("Enköping")  # 78,5 before 77,1, whatever the unit printed
    assert "- Eskilstuna: raden «Köp av verksamhet» har ingen sådan kolumn" in ans.answer
    assert {(span_of(f, fake_engine.reports[f.doc_id]).kind, span_of(f, fake_engine.reports[f.doc_id]).months)
            for f in ans.facts} == {("budget", 12)}
    assert "173 504 tkr" in ans.answer  # the figure as the report prints it stands beside the one said


def test_a_deviation_is_said_as_överskott_or_underskott_most_over_budget_first(fake_engine):
    ans = _answer(fake_engine, "Vilken socialnämnd räknar med att överskrida sin kostnadsbudget mest för helåret?")
    first = ans.answer.splitlines()[0]
    order = [k for k in re.findall(r"(Eskilstuna|Huddinge|Enköping|Solna) (?:underskott|överskott)", first)]
    assert order == ["Eskilstuna", "Huddinge", "Enköping", "Solna"]
    assert "Eskilstuna underskott 55,4 mnkr" in first and "Solna överskott 19,7 mnkr" in first


def test_figures_of_different_spans_are_shown_side_by_side_never_ranked(fake_engine):
    ans = _answer(fake_engine, "Jämför personalkostnaderna hittills i år i Solna och Huddinge.")
    assert "Ingen rangordning: siffrorna gäller olika långa perioder" in ans.answer.splitlines()[0]
    assert "Solna 140,6 mnkr (utfall helår 2023)" in ans.answer and "Huddinge 193,8 mnkr (utfall jan–aug 2023)" in ans.answer


def test_every_figure_in_the_table_stands_in_the_row_it_cites(fake_engine):
    ans = _answer(fake_engine, "Vilken socialnämnd har den största personalbudgeten för helåret?")
    cited = {c.n: c.text for c in ans.citations}
    rows = [ln for ln in ans.answer.splitlines() if ln.startswith("| ") and not ln.startswith("| Kommun")]
    assert len(rows) == 3
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        n = int(re.search(r"\[(\d+)\]", cells[4]).group(1))
        printed = find_numbers(cells[2])[0].value
        assert any(same_value(printed, v.value) for v in find_numbers(cited[n]))


def test_a_question_about_something_else_than_the_measure_is_left_to_the_general_answer(fake_engine):
    """"riksnormen" in a question about ekonomiskt bistånd, a count of people asked with an amount's
    measure, a how-question: none is a comparison of a measure."""
    for q in ("Vilken höjning av riksnormen för ekonomiskt bistånd inför 2024 nämner Enköping och Solna?",
              "Hur många personer har haft arbetsträning i Enköping jämfört med Solna?",
              "Hur gör Enköping och Huddinge för att hitta fler familjehem?",
              "Vad gör Solna och Huddinge för att få ner sjukfrånvaron?"):  # a measure named, no figure asked
        assert _answer(fake_engine, q) is None, q


def test_the_asked_column_kind_and_span_are_read_from_the_question(fake_engine):
    def asked(q):
        a = fake_engine.read_question(q).analysis
        got = asked_comparison(a, make_plan(a, fake_engine.reports), fake_engine.view.vocab)
        return got.measure.id, got.kind, got.span, got.direction

    assert asked("Vilken kommun har högst lokalkostnader under januari–augusti året före rapporten?") == \
        ("lokalkostnader", "utfall", "föregående", "max")
    assert asked("Vilken socialnämnd får in mest intäkter över budget för helåret?") == \
        ("summa_intakter", "avvikelse", "helår", "max")
    assert asked("Which social services committee has the largest total cost budget for the year?")[1:3] == \
        ("budget", "helår")


def test_a_part_year_of_a_named_earlier_year_is_read_in_each_report_s_column_of_that_year(fake_engine):
    """"jan–aug 2022" asked of 2023 reports: Eskilstuna's "Utfall Aug 2022" and Huddinge's "Utfall
    jan-aug föregående år", eight months of 2022 each, so they are ordered."""
    ans = _answer(fake_engine, "Vilken socialnämnd hade högst kostnader för köp av verksamhet januari–augusti "
                               "2022, Eskilstuna eller Huddinge?")
    spans = {span_of(f, fake_engine.reports[f.doc_id]) for f in ans.facts}
    assert {(s.kind, s.year, s.months) for s in spans} == {("utfall", 2022, 8)}
    assert ans.answer.splitlines()[0].startswith("Högst köp av verksamhet")
    assert "Utfall jan-aug föregående år" in ans.answer


def test_a_measure_asked_for_with_hur_stora_is_a_figure_to_set_side_by_side(fake_engine):
    ans = _answer(fake_engine, "Hur stora intäkter räknar socialnämnderna i Enköping och Eskilstuna med för "
                               "helåret enligt sina delårsrapporter?")
    assert ans is not None and {f.kommun for f in ans.facts} == {"Enköping", "Eskilstuna"}
    assert all(span_of(f, fake_engine.reports[f.doc_id]).kind == "prognos" for f in ans.facts)


def test_a_year_later_than_a_kommun_s_reports_is_read_in_its_newest_figure_said_with_its_year(fake_engine):
    """Enköping's 2024 beside Eskilstuna, whose reports end in 2023: Eskilstuna's full-year forecast
    of 2023, and the answer says the figures are of different years."""
    ans = _answer(fake_engine, "Vad räknar Enköpings och Eskilstunas socialnämnd med för helårsprognos för övriga "
                               "intäkter 2024?")
    years = {f.kommun: span_of(f, fake_engine.reports[f.doc_id]).year for f in ans.facts}
    assert years == {"Enköping": 2024, "Eskilstuna": 2023}
    assert "Siffrorna gäller olika år: Enköping 2024; Eskilstuna 2023." in ans.answer


def test_figures_side_by_side_are_ordered_only_when_an_order_is_asked(fake_engine):
    """The evidence step's lead (`side_by_side`): two kommuner's rows read for "hur har X och Y …"
    are listed, not ranked; "vilken … högst" ranks them."""
    from rag.answer.draft import Lead
    from rag.answer.lead import side_by_side

    view = fake_engine.view
    # each kommun's outcome for January–August: the same kind and span, two labels
    facts = [f for r in view.rows for f in r.facts if (f.kommun, r.label.strip(), f.column) in
             {("Huddinge", "Personal", "Utfall jan-aug"), ("Enköping", "Personalkostnader", "Utfall jan-aug 2024")}]
    facts = list({f.kommun: f for f in facts}.values())  # Enköping prints the row twice
    leads = [Lead(f.kommun, f, view.reports[f.doc_id], cite=i) for i, f in enumerate(facts, 1)]

    def first(question):
        a = fake_engine.read_question(question).analysis
        return side_by_side(a, make_plan(a, fake_engine.reports), leads, lambda keys: f"[{keys[0]}]").text

    listed = first("Hur har Enköping och Huddinge stärkt personalens kompetens?")
    assert listed.startswith("Siffrorna: ") and "Högst" not in listed
    assert first("Vilken av Enköping och Huddinge har högst personalkostnader?").startswith("Högst")


def test_a_named_earlier_full_year_is_read_in_a_later_reports_bokslut(fake_engine):
    """"helåret 2023" of Enköping's 2024 report is its Bokslut 2023, beside Solna's 2023 annual figure."""
    ans = _answer(fake_engine, "Which social services committee had higher staff costs for full-year 2023, Enköping or Solna?")
    assert ans.answer.splitlines()[0] == \
        "Högst personalkostnader, utfall helår 2023: Solna 140,6 mnkr [1]; därefter Enköping 114,6 mnkr [2]."


def test_an_outcome_asked_without_a_span_is_ranked_on_the_full_year_every_report_has(fake_engine):
    """"Högst personalkostnader" of three reports of January–August and an annual report: the order is
    read in the full year (the annual outcome, the others' full-year forecasts), each figure said as
    what it is; the outcomes so far are shown beside, each with its period, and not ordered."""
    ans = _answer(fake_engine, "Vilken socialnämnd har högst personalkostnader?")
    first = ans.answer.splitlines()[0]
    assert first.startswith("Högst personalkostnader, helår: Eskilstuna 331,6 mnkr (helårsprognos 2023) [1]")
    assert "Solna 140,6 mnkr (utfall helår 2023)" in first and "Enköping 128,3 mnkr (helårsprognos 2024)" in first
    assert {(span_of(f, fake_engine.reports[f.doc_id]).kind, span_of(f, fake_engine.reports[f.doc_id]).months)
            for f in ans.facts[:4]} == {("prognos", 12), ("utfall", 12)}
    so_far = next(ln for ln in ans.answer.splitlines() if ln.startswith("Hittills under året"))
    assert "inte rangordnat" in so_far
    assert "Eskilstuna 216,3 mnkr (utfall jan–aug 2023) [1]" in so_far  # cites the row its full year cites
    assert "Enköping 83,2 mnkr (utfall jan–aug 2024)" in so_far


def test_counts_at_a_date_are_ranked_each_with_its_month(fake_engine):
    """Staff counted at the end of August and at year end are two headcounts, not two periods summed:
    ranked, each said with the month it was counted (a flow of different spans is not: above)."""
    ans = _answer(fake_engine, "Vilken socialförvaltning har flest anställda, Solna eller Huddinge?")
    assert ans.answer.splitlines()[0] == "Högst antal anställda: Huddinge 394 (augusti 2023) [1]; därefter Solna 221 " \
                                         "(december 2023) [2]."
    assert "Hittills" not in ans.answer


def test_a_figure_per_inhabitant_is_no_amount_of_the_measure(fake_engine):
    """Eskilstuna's cost per inhabitant ("Kr. / inv.", 6 106 kr) is not its net cost: never ranked
    beside the other kommuner's net costs."""
    ans = _answer(fake_engine, "Vilken kommun har störst nettokostnad för socialnämnden?")
    assert ans.answer.splitlines()[0].startswith("Högst nettokostnad, helår")
    assert all("inv" not in f.column.lower() for f in ans.facts)
    assert "Eskilstuna" not in {f.kommun for f in ans.facts}


def test_the_committee_s_result_is_the_deviation_on_its_own_total_row_whatever_its_label(fake_engine):
    """"Störst underskott" names no cost or income: each committee's result against budget, read in
    the deviation column of its own total row (Summa Socialförvaltningen, Årets resultat, Summa
    totalt, Verksamhetens nettokostnader), the largest deficit first."""
    ans = _answer(fake_engine, "Vilken socialnämnd har störst underskott?")
    first = ans.answer.splitlines()[0]
    assert first.startswith("Störst underskott mot budget, helår: Eskilstuna underskott 46,7 mnkr")
    order = re.findall(r"(Eskilstuna|Huddinge|Enköping|Solna) (?:underskott|överskott)", first)
    assert order == ["Eskilstuna", "Huddinge", "Enköping", "Solna"]
    assert all(span_of(f, fake_engine.reports[f.doc_id]).kind == "avvikelse" for f in ans.facts)


@pytest.mark.parametrize("question", [
    "Vilken socialnämnd går mest över sin budget för helåret?",
    "Which municipality's social services committee is heading for the largest deficit against budget for the full year?",
])
def test_going_most_over_budget_is_the_largest_deficit_whatever_the_words(fake_engine, question):
    first = _answer(fake_engine, question).answer.splitlines()[0]
    order = re.findall(r"(Eskilstuna|Huddinge|Enköping|Solna) (?:underskott|överskott)", first)
    assert order == ["Eskilstuna", "Huddinge", "Enköping", "Solna"]


def test_going_most_over_the_staff_budget_ranks_the_staff_costs_deviation(fake_engine):
    first = _answer(fake_engine, "Vilken socialnämnd går mest över sin personalbudget för helåret?").answer.splitlines()[0]
    assert first.startswith("Störst underskott personalkostnader, avvikelse mot budget helår: Huddinge underskott 4,3 mnkr")
    order = re.findall(r"(Eskilstuna|Huddinge|Enköping|Solna) (?:underskott|överskott)", first)
    assert order == ["Huddinge", "Enköping", "Solna", "Eskilstuna"]


def test_the_smallest_deviation_is_the_one_nearest_the_budget(fake_engine):
    first = _answer(fake_engine, "Vilken kommun har minst budgetavvikelse?").answer.splitlines()[0]
    assert first.startswith("Minst avvikelse mot budget, helår: Enköping överskott 5,0 mnkr")
    assert first.index("Huddinge") < first.index("Solna") < first.index("Eskilstuna")


def test_a_deficit_so_far_is_not_ranked_against_a_whole_year(fake_engine):
    """Eight months of deviation against Solna's whole year: the two of eight months are ordered,
    Solna's year is said apart, never in the order; Enköping, whose total row has only a full-year
    deviation, is quoted from its text ("ett överskott om 6,9 mnkr i jämförelse med budget"), not ranked."""
    ans = _answer(fake_engine, "Vilken socialnämnd har det största underskottet hittills i år?")
    lines = ans.answer.splitlines()
    assert lines[0] == ("Störst underskott mot budget, jan–aug 2023: Eskilstuna underskott 29,3 mnkr [1]; "
                        "därefter Huddinge underskott 13,4 mnkr [2].")
    assert "Solna" not in lines[0] and any(ln.startswith("Andra perioder, och därför inte rangordnade: Solna ")
                                           for ln in lines)
    text = next(ln for ln in lines if ln.startswith("I rapporternas text, inte i en tabell och därför inte rangordnat"))
    assert "Enköping «… motsvarar ett överskott om 6,9 mnkr" in text and "Enköping" not in lines[0]


def test_deviations_side_by_side_name_the_largest_deficit_not_the_highest_figure(fake_engine):
    first = _answer(fake_engine, "Compare the budget deviation of Huddinge and Eskilstuna.").answer.splitlines()[0]
    assert first.endswith("Störst underskott: Eskilstuna.") and "Högst" not in first


def test_the_committee_s_budget_is_read_on_its_own_net_total_not_its_result_row(fake_engine):
    """No measure named, the committee's budget or forecast is: each committee's own total row of
    its whole net cost (Eskilstuna's result row beside it, a deficit of 46,7, is no budget)."""
    ans = _answer(fake_engine, "Vilken kommun har störst budget för socialnämnden?")
    first = ans.answer.splitlines()[0]
    assert first.startswith("Högst nettokostnad, budget helår: Eskilstuna 621,8 mnkr (2023) [1]")
    assert [f.kommun for f in ans.facts] == ["Eskilstuna", "Huddinge", "Enköping", "Solna"]
    forecast = _answer(fake_engine, "Vilken socialnämnd har den största helårsprognosen?")
    assert "Eskilstuna" not in {f.kommun for f in forecast.facts}  # its total row has no forecast
    # a compound naming something of its own is no budget: budget adherence is not the budget's size
    assert _answer(fake_engine, "Vilken kommun har bäst budgetföljsamhet?") is None


def test_an_annual_index_is_ranked_in_the_latest_year_all_print_and_the_later_figure_follows(fake_engine):
    """HME is measured once a year: Eskilstuna and Solna print 2022, Huddinge 2022 and August 2023.
    Ranked in 2022 (a bare index and one printed with "%" are one scale); Huddinge's 2023 follows."""
    for q in ("Vilken kommun har högst HME?", "I vilken kommun är medarbetarengagemanget (HME) högst inom socialtjänsten?"):
        a = fake_engine.read_question(q).analysis
        ans = comparison_answer(fake_engine.view, a, make_plan(a, fake_engine.reports))
        first = ans.answer.splitlines()[0]
        assert first.startswith("Högst hållbart medarbetarengagemang (HME), utfall helår 2022: Solna 84,8 [1]; "
                                "därefter Huddinge 81,5 % [2] och Eskilstuna 79 [3]"), (q, first)
        assert "Senare siffror, som inte alla kommuner redovisar och därför inte rangordnade: " \
               "Huddinge 83,5 % (utfall jan–aug 2023) [2]." in ans.answer


def test_spracka_budgeten_is_a_deviation_and_no_typo(fake_engine):
    text, fixes = fake_engine.spelling("Vilken socialnämnd spräcker budgeten för köp av verksamhet mest för helåret?")
    assert fixes == () and "spräcker" in text
    a = fake_engine.read_question(text).analysis
    ans = comparison_answer(fake_engine.view, a, make_plan(a, fake_engine.reports))
    assert ans.answer.startswith("Störst underskott köp av verksamhet, avvikelse mot budget helår: "
                                 "Eskilstuna underskott 36,4 mnkr")


def _compared(engine, question):
    a = engine.read_question(question).analysis
    return comparison_answer(engine.view, a, make_plan(a, engine.reports))


def test_the_kommuner_that_print_the_asked_span_are_ranked_and_the_others_said_apart(fake_engine):
    """"Sämst mot budget efter årets första åtta månader": Eskilstuna and Huddinge print January–
    August, ranked; Solna's whole year is said apart, not ranked; the order is the worst first."""
    ans = _compared(fake_engine, "Vilken socialnämnd låg sämst till mot budget efter årets första åtta månader?")
    lines = ans.answer.splitlines()
    assert lines[0] == ("Störst underskott nettokostnad, avvikelse mot budget jan–aug 2023: Eskilstuna underskott "
                        "29,3 mnkr [1]; därefter Huddinge underskott 13,4 mnkr [2].")
    assert "Andra perioder, och därför inte rangordnade: Solna överskott 28,5 mnkr (avvikelse mot budget helår " \
           "2023) [3]." in lines


def test_of_several_measures_named_the_one_the_rest_of_the_question_leaves_alone(fake_engine):
    """"Sjukfrånvaro bland personalen" names personalkostnader ("personal") too: sick leave is asked.
    A rate over eight months is set beside a year's, each with its period."""
    first = _compared(fake_engine, "Vilken kommun har högst sjukfrånvaro bland personalen på socialförvaltningen?") \
        .answer.splitlines()[0]
    assert first.startswith("Sjukfrånvaro: Eskilstuna 6,6 % (utfall jan–aug 2023) [1]; Huddinge 7 % "
                            "(utfall jan–aug 2023) [2]; Solna 8,5 % (utfall helår 2023) [3]."), first


def test_a_cost_over_budget_is_a_deficit_an_income_over_budget_a_surplus(fake_engine):
    cost = _compared(fake_engine, "Which social services committee is furthest over budget on purchased services "
                                  "(köp av verksamhet) for the full year?").answer.splitlines()[0]
    assert cost.startswith("Störst underskott köp av verksamhet, avvikelse mot budget helår: Eskilstuna underskott")
    income = _compared(fake_engine, "Vilken socialnämnd får in mest intäkter över budget för helåret?") \
        .answer.splitlines()[0]
    assert income.startswith("Störst överskott summa intäkter, avvikelse mot budget helår: Solna överskott 8,8 mnkr")


def test_a_figure_over_the_last_twelve_months_spans_a_whole_year(fake_engine):
    """Eskilstuna's sick leave "medel senaste 12 månaderna" in an August report is a twelve-month
    figure, as Solna's annual one is; its "Utfall Aug 2023" columns elsewhere are eight months."""
    rolling = [f for f in fake_engine.facts if "senaste 12 månaderna" in f.caption and f.column == "Totalt 2023"]
    assert rolling and all(span_of(f, fake_engine.reports[f.doc_id]).months == 12 for f in rolling)
    august = next(f for f in fake_engine.facts if f.kommun == "Eskilstuna" and "Aug 2023" in f.column)
    assert span_of(august, fake_engine.reports[august.doc_id]).months == 8


@pytest.mark.model
def test_twelve_month_sick_leave_figures_are_ranked(e5_engine):
    first = e5_engine.ask("Vilken socialförvaltning har lägst sjukfrånvaro bland medarbetarna?").answer.splitlines()[0]
    assert first.startswith("Lägst: Eskilstuna") and first.index("6.5") < first.index("Solna") < first.index("8,5")
    assert "olika långa perioder" not in first


@pytest.mark.model
def test_higher_in_one_kommun_than_another_sets_the_two_levels_side_by_side(e5_engine):
    """"Är sjukfrånvaron högre i Solna än i Huddinge?" compares two levels; it asks no change over time."""
    ans = e5_engine.ask("Är sjukfrånvaron bland personalen högre i Solna än i Huddinge?")
    first = ans.answer.splitlines()[0]
    assert "Solna 8,5 %" in first and "Huddinge 7 %" in first and "Högst: Solna" in first
    assert "helår" not in first.split(":")[0]  # the header names no period two figures do not share
    assert {f.kommun for f in ans.facts} == {"Solna", "Huddinge"}


def test_the_year_before_named_as_a_year_is_read_in_each_report_s_column_of_that_year(fake_engine):
    # Huddinge's indicator table has the whole of 2022 only, no January–August 2022
    first = _answer(fake_engine, "Hur hög var sjukfrånvaron året innan, alltså 2022, i Solna och i Huddinge?").answer
    assert "Solna 10,2 %" in first.splitlines()[0] and "Huddinge 7,7 %" in first.splitlines()[0]


def test_the_year_before_is_the_same_months_where_the_report_prints_them(fake_engine):
    first = _answer(fake_engine, "Hur stora var personalkostnaderna året innan i Eskilstuna och Huddinge?").answer
    assert first.startswith("Personalkostnader (utfall jan–aug 2022): Eskilstuna 196,6 mnkr")


def test_an_annual_report_answers_a_forecast_with_the_outcome_of_its_closed_year(fake_engine):
    first = _answer(fake_engine, "Jämför Solnas nettokostnad för 2023 med Enköpings helårsprognos för 2024.") \
        .answer.splitlines()[0]
    assert "Solna 198,8 mnkr (utfall helår 2023)" in first and "Enköping 274,7 mnkr (helårsprognos 2024)" in first
    ranked = _answer(fake_engine, "Vilken kommun har högst helårsprognos för personalkostnader?").answer.splitlines()[0]
    assert "Solna 140,6 mnkr (utfall helår 2023)" in ranked and "Eskilstuna 331,6" in ranked


def test_each_kommun_is_read_in_the_year_it_is_named_with(fake_engine):
    first = _answer(fake_engine, "How big is Solna's surplus against budget for 2023 compared with the surplus "
                                 "Enköping forecasts for 2024?").answer.splitlines()[0]
    assert "Solna överskott 28,5 mnkr (2023)" in first and "Enköping överskott 5,0 mnkr (2024)" in first


@pytest.mark.parametrize("question, first", [
    ("Vilken kommun har bäst resultat för hållbart medarbetarengagemang, HME?", "Solna"),  # higher is better
    ("Vilken kommun har sämst HME?", "Eskilstuna"),
])
def test_best_and_worst_order_by_which_end_of_the_measure_is_better(fake_engine, question, first):
    a = fake_engine.read_question(question).analysis
    asked = asked_comparison(a, make_plan(a, fake_engine.reports), fake_engine.view.vocab)
    assert asked.measure.id == "hme"
    head = _answer(fake_engine, question).answer.splitlines()[0]
    assert re.search(r"(Solna|Huddinge|Eskilstuna)", head).group(1) == first


def test_which_kommun_s_committee_asks_for_a_ranking_of_the_committees(fake_engine):
    head = _answer(fake_engine, "Vilken kommuns socialnämnd har den största budgeten?").answer.splitlines()[0]
    assert head.startswith("Högst nettokostnad, budget helår: Eskilstuna 621,8 mnkr")


def test_a_row_of_an_activity_s_deviations_answers_a_deviation_in_its_outcome_columns(fake_engine):
    """Eskilstuna's styrkort prints "Resultat vård barn och unga - Avvikelse mot öck budget" under
    "Utfall 2023 jan- aug": the activity's deviation so far, never ranked beside whole years."""
    first = _answer(fake_engine, "Hur ser budgetavvikelsen för barn- och ungdomsvården ut i Solna, Huddinge och "
                                 "Eskilstuna?").answer.splitlines()[0]
    assert "Eskilstuna underskott 24,5 mnkr (avvikelse mot budget jan–aug 2023)" in first
    assert "Ingen rangordning" in first


def test_a_headcount_is_said_at_its_month_and_ranked_beside_another_month_s(fake_engine):
    first = _answer(fake_engine, "Vilken kommun har flest anställda?").answer.splitlines()[0]
    assert first.startswith("Högst antal anställda: Huddinge 394 (augusti 2023) [1]; därefter Solna 221 (december 2023)")
    # an index of the staff's motivation names the staff no more than it names HME: never read as a headcount
    assert "Motivationsindex" not in _answer(fake_engine, "Vilken kommun har flest anställda?").answer


def test_a_kommuns_forecast_named_is_of_its_own_year_whatever_year_the_others_are_asked_in(fake_engine):
    ans = _answer(fake_engine, "Hur stor blev Solnas budgetavvikelse för 2023 jämfört med Enköpings prognostiserade överskott?")
    first = ans.answer.splitlines()[0]
    assert "Solna överskott 28,5 mnkr (2023)" in first and "Enköping överskott 5,0 mnkr (2024)" in first
    # a kommun without the measure is said to lack it in its text too, in the words of the measure
    ans = _answer(fake_engine, "Hur går kostnaderna för ekonomiskt bistånd mot budget i Enköping och Eskilstuna?")
    assert "texten anger inget antal" not in ans.answer
