"""The reviewed lexicon: abbreviations spelt out for the dense model, on the reports' own row labels."""
import re

import pytest

from rag.lexicon import LEXICON, _long_forms


def test_abbreviations_in_the_reports_row_labels_are_spelt_out(parsed):
    longs = _long_forms(LEXICON.synonyms)
    seen = set()
    for p in parsed:
        for f in p.facts:
            out = LEXICON.spell_out(f.row)
            for word in re.findall(r"\b[A-ZÅÄÖ][A-Za-zåäö]{1,4}\b", f.row):
                long = longs.get(word.lower())
                if long and any(c.isupper() for c in word[1:]) and long.lower() not in f.row.lower():
                    assert f"{word} ({long})" in out, (f.row, out)
                    seen.add(word.lower())
            assert out.replace(" (", "").startswith(f.row[:1])  # nothing before the label
    assert {"bou", "hvb"} <= seen  # the reports use them; a lexicon that lost them fails here


def test_ordinary_words_and_spelt_out_labels_are_left_alone():
    assert LEXICON.spell_out("Barn och unga i Solna") == "Barn och unga i Solna"
    assert LEXICON.spell_out("Kostnad per brukare (KPB)") == "Kostnad per brukare (KPB)"
    assert LEXICON.spell_out("Öppna insatser BoU") == "Öppna insatser BoU (barn och unga)"


def test_english_terms_point_to_words_the_reports_use(parsed):
    """Each English domain phrase stands for report vocabulary, so it can match something."""
    text = " ".join(line.lower() for p in parsed for line in p.lines)
    assert LEXICON.english_terms
    for rx, swedish in LEXICON.english_terms:
        assert swedish.lower() in text, (rx.pattern, swedish)
    assert LEXICON.swedish_for("what were the staff costs") == ["personalkostnader", "kostnader"]
    # a headcount asked in other words than "employees"; "staff costs" and "staff turnover" are no headcount
    assert "anställda" in LEXICON.swedish_for("how many people worked in the social services")
    assert "anställda" not in LEXICON.swedish_for("what was the staff turnover")


def test_a_row_for_another_target_group_is_told_apart():
    from rag.lexicon import LEXICON

    assert LEXICON.groups_in("Hur många barn och ungdomar var placerade?") == {"barn och unga"}
    assert LEXICON.other_group("Vad kostade familjehem för vuxna?", "Familjehem BoU konsulentstödda")
    assert not LEXICON.other_group("Vad kostade familjehem för vuxna?", "Familjehem vuxna konsulentstödda")
    assert not LEXICON.other_group("Vad kostade familjehemmen?", "Familjehem BoU konsulentstödda")  # none asked
    assert not LEXICON.other_group("Vad kostade vården för unga vuxna?", "Institutionsvård BoU")  # both asked
    assert not LEXICON.other_group("What did care for adults cost?", "Öppna insatser vuxna")


@pytest.mark.parametrize("question, direction", [
    ("Vilken verksamhet har störst underskott mot budget i Enköping?", "negative"),
    ("Vilken åldersgrupp har högst kostnad per brukare?", "max"),
    ("Vilket område fick lägst medelbetyg?", "min"),
    ("Which activity had the largest deficit in Huddinge?", "negative"),
    ("Vilken kommun har högst sjukfrånvaro?", ""),  # kommuner are ranked elsewhere
    ("Hur stor var sjukfrånvaron i Solna?", ""),
    ("Högst hur många placeringar fick göras?", ""),  # no "which": not a question about a row
])
def test_a_question_asking_which_row_stands_out(question, direction):
    from rag.lexicon import LEXICON

    assert LEXICON.superlative(question) == direction


@pytest.mark.parametrize("question, unit", [
    ("Vad kostar ett dygn i eget familjehem?", "dygn"),
    ("What is the cost per day of a placement?", "dygn"),
    ("Vad var kostnaden per brukare 2022?", "brukare"),
    ("Vad kostade familjehemmen 2023?", ""),
    ("Vad var kostnaden per invånare?", ""),  # a measure of its own
])
def test_a_figure_per_unit_is_read_with_the_unit_reports_print(question, unit):
    assert LEXICON.asked_rate(question) == unit
