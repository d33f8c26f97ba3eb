"""An age range a question names ("ungdomar 13–20 år") and the table rows of that range."""
from __future__ import annotations

import pytest

from rag.answer.candidates import of_the_ages_asked
from rag.answer.evidence import gather
from rag.lexicon import LEXICON, OPEN_AGE


@pytest.mark.parametrize("text, ages", [
    ("Hur många i åldern 13–20 år hade Solna i familjehemsvård?", {(13, 20)}),
    ("Verksamhetsmått > Ungdom, 13-20 år > Familjehemsvård", {(13, 20)}),
    ("brukare över 65 år", {(65, OPEN_AGE)}),
    ("65- år", {(65, OPEN_AGE)}),
    ("foster care for youths aged 13-20", {(13, 20)}),
    ("mellan 2022 och 2023, 2020-2023", set()),  # years are no ages
    ("Hur många placeringar fanns det 2023?", set()),
])
def test_age_ranges_are_read_as_written(text, ages):
    assert LEXICON.ages_in(text) == ages


def _kommun_of(view):
    return lambda r: view.reports[r.doc_id].kommun


def test_a_kommun_with_rows_of_the_asked_range_answers_with_those_only(fake_engine):
    view = fake_engine.view
    kept = of_the_ages_asked(view.rows, frozenset({(13, 20)}), _kommun_of(view))
    solna = [r for r in kept if view.reports[r.doc_id].kommun == "Solna"]
    assert solna and all("13-20" in r.first.section + r.label for r in solna)
    # the children's 0–12 rows of the same measures are gone, other kommuner's rows are untouched
    assert not any("0-12 år" in r.first.section and "13-20" not in r.first.section for r in solna)
    enkoping = [r for r in view.rows if view.reports[r.doc_id].kommun == "Enköping"]
    assert [r for r in kept if view.reports[r.doc_id].kommun == "Enköping"] == enkoping


def test_the_total_beside_an_asked_age_group_is_no_answer_for_it(fake_engine):
    view = fake_engine.view
    kept = of_the_ages_asked(view.rows, frozenset({(0, 6)}), _kommun_of(view))
    eskilstuna = {r.label for r in kept if view.reports[r.doc_id].kommun == "Eskilstuna"}
    assert eskilstuna == {"0-6 år"}
    assert of_the_ages_asked(view.rows, frozenset(), _kommun_of(view)) == view.rows


def test_a_table_closed_by_a_total_of_a_year_is_of_that_year(fake_engine):
    view = fake_engine.view
    kpb = next(r for r in view.rows if r.label == "0-6 år")
    assert view.table_years[(kpb.doc_id, kpb.first.header_line)] == {2022}
    # rows labelled by year (Solna's month tables) give their table no year of its own
    by_year = next(r for r in view.rows if r.label == "2023" and view.reports[r.doc_id].kommun == "Solna")
    assert (by_year.doc_id, by_year.first.header_line) not in view.table_years


def test_an_age_group_of_a_year_before_the_report_is_found_by_its_tables_total(fake_engine):
    """Eskilstuna's 2023 report prints the cost per user of 2022 by age group; no column names 2022."""
    reading = fake_engine.read_question("Bara för åldersgruppen 0–6 år?", (
        "Hur många brukare hade Eskilstunas individ- och familjeomsorg enligt kostnad per brukare-underlaget för 2022?",))
    rows = [c.row.label for c in gather(fake_engine, reading.analysis, anchor=reading.anchor).candidates
            if c.kind == "row"]
    assert rows == ["0-6 år"]
