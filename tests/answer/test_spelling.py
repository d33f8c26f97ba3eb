"""Typos read against the reports' own words: an edit-distance oracle, and the real corpus."""
from __future__ import annotations

import itertools
import random

import pytest

from rag.answer.spelling import Speller, edit_distance, question_speller


def _brute_distance(a: str, b: str) -> int:
    """Breadth-first search over single edits (insert, delete, substitute, swap): the oracle."""
    alphabet = set(a + b)
    frontier, seen, d = {a}, {a}, 0
    while b not in frontier:
        nxt = set()
        for w in frontier:
            for i in range(len(w) + 1):
                for c in alphabet:
                    nxt.add(w[:i] + c + w[i:])
                    if i < len(w):
                        nxt.add(w[:i] + c + w[i + 1:])
                if i < len(w):
                    nxt.add(w[:i] + w[i + 1:])
                if i + 1 < len(w):
                    nxt.add(w[:i] + w[i + 1] + w[i] + w[i + 2:])
        frontier, d = nxt - seen, d + 1
        seen |= nxt
    return d


def test_edit_distance_matches_a_search_over_single_edits():
    rng = random.Random(3)
    words = ["".join(rng.choice("abc") for _ in range(rng.randint(0, 4))) for _ in range(40)]
    for a, b in itertools.islice(itertools.product(words, words), 300):
        if edit_distance(a, b) <= 2:
            assert edit_distance(a, b) == _brute_distance(a, b), (a, b)
        else:
            assert _brute_distance(a, b) > 2, (a, b)


@pytest.fixture(scope="module")
def speller(parsed):
    from rag.ingest.chunking import build_passages

    return question_speller([p.text for p in build_passages(parsed)])


@pytest.mark.parametrize("typo, word", [
    ("prognsen", "prognosen"),  # a letter left out
    ("personalkostnaedr", "personalkostnader"),  # two letters swapped
    ("persoalkostnaderr", "personalkostnader"),  # long: a letter lost and one added, two edits
    ("personalkostnaderan", "personalkostnader"),  # long: two letters too many
    ("vuxenverksamhten", "vuxenverksamheten"),  # a compound the reports never write whole: its misspelt part
    ("sjukfrånvarno", "sjukfrånvaron"),
    ("familjehme", "familjehem"),
])
def test_a_typo_is_read_as_the_report_word_it_misspells(speller, typo, word):
    assert speller.suggest(typo) == word


@pytest.mark.parametrize("word", [
    "prognosen",  # in the reports
    "vad", "kostade",  # question words
    "Eskilstuna", "Kiruna",  # kommun names, in the corpus or not
    "levde",  # short words are left alone: too many real words lie one edit apart
    "xylofonorkester",  # nothing near it
])
def test_words_that_are_no_typos_are_left_alone(speller, word):
    assert speller.suggest(word) is None


def test_correct_reports_each_fix_and_keeps_the_rest_of_the_question(speller):
    text, fixes = speller.correct("Vad blev prognsen för Eskilstuna 2023?")
    assert text == "Vad blev prognosen för Eskilstuna 2023?"
    assert fixes == (("prognsen", "prognosen"),)
    assert speller.correct("Vad blev prognsen?", is_known=lambda w: w == "prognsen") == ("Vad blev prognsen?", ())


def test_the_engine_reads_typos_in_swedish_questions_only(fake_engine):
    assert fake_engine.spelling("Vad blev prognsen för Huddinge?")[1] == (("prognsen", "prognosen"),)
    assert fake_engine.spelling("What was the forecst for Huddinge?")[1] == ()
    answer = fake_engine.ask("Hur hög var sjukfrånvarno i Solna 2023?")
    assert "«sjukfrånvarno» som «sjukfrånvaron»" in answer.answer


def test_a_typo_that_splits_like_a_compound_is_still_a_typo(fake_engine):
    """"verkasmhet" splits as "verk" + "asmhet" (stem "asm"), "verkksamhet" as "verkk" + "samhet": parts
    of three letters are how a typo splits; a real compound of the reports' words is left alone."""
    assert fake_engine.spelling("Vad kostade köp av verkasmhet?")[1] == (("verkasmhet", "verksamhet"),)
    assert fake_engine.spelling("Vad kostade köp av verkksamhet?")[1] == (("verkksamhet", "verksamhet"),)
    assert fake_engine.spelling("Hur många familjerådgivningssamtal blev det?")[1] == ()


def test_a_speller_over_no_text_corrects_nothing():
    assert Speller.from_texts([]).correct("prognsen") == ("prognsen", ())


def test_a_misspelt_question_word_names_no_subject():
    """"hittils" keeps the stem of "hittills": a word that only asks, so no kommun is said to lack it;
    an inflection that names something ("gäller" beside "gällande") stays a topic word."""
    from rag.answer.question import analyse

    corpus = {"Huddinge", "Enköping"}
    assert "hittils" not in analyse("Vad har nämnden kostat hittils i år i Huddinge?", corpus).topic_words
    assert "gäller" in analyse("Vad gäller för hållbart medarbetarengagemang i Huddinge?", corpus).topic_words
