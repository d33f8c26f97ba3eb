"""Follow-ups read in the context of the chat: `rag.answer.conversation.resolve` on text, then
`Engine.ask(history=...)` on the real reports and model, and `rag ask --history` (fake embedder)."""
from __future__ import annotations

import json

import pytest

from rag.answer.conversation import Resolved, resolve

CORPUS = ("Enköping", "Eskilstuna", "Huddinge", "Solna")
SICK = "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?"
WHY = "Varför ökade kostnaderna för ekonomiskt bistånd i Solna 2023?"
BUDGET = "Hur stor var budgeten för institutionsvård för vuxna i Enköping 2024?"


@pytest.mark.parametrize("history, question, expected, kind", [
    ([SICK], "Och i Huddinge?", "Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2023?", "kommun"),
    ([SICK], "What about Eskilstuna?", "Hur hög var sjukfrånvaron i Eskilstunas socialförvaltning 2023?", "kommun"),
    ([WHY], "Men i Huddinge då?", "Varför ökade kostnaderna för ekonomiskt bistånd i Huddinge 2023?", "kommun"),
    ([SICK], "Hur var det förra året?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2022?", "år"),
    ([SICK], "Och 2021?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2021?", "år"),
    # "has it changed?": the same question, and whether its figure changed (in the question's language)
    ([SICK], "Har den ökat?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023, och har den ökat?",
     "förändring"),
    ([SICK], "Och har det minskat sedan förra året?",
     "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023, och har det minskat sedan förra året?", "förändring"),
    ([SICK], "Has it gone up?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023, och har det förändrats?",
     "förändring"),
    # "av dem": part of what the last question counted, in its months
    (["Hur många insatser verkställdes av externa vårdgivare i Eskilstuna januari–augusti 2023?"],
     "Hur många av dem gällde skyddat boende?",
     "Hur många av insatser gällde skyddat boende i Eskilstuna januari–augusti 2023?", "ämne"),
    # a report named with what it says: the same question read in that report and its month
    (["Hur stort inflöde till mottagningen räknade Enköping med i tertialrapporten i april?"],
     "Vad säger delårsrapporten i augusti?",
     "Hur stort inflöde till mottagningen räknade Enköping med i delårsrapporten i augusti?", "år,rapport"),
    ([SICK], "Hur såg det ut två år tidigare?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2021?", "år"),
    # a possessive points back whatever noun follows; the year it moves to is said as a year
    (["Vilken enhet i Eskilstunas socialförvaltning har störst budget för 2023?"],
     "Vad var dess budgetavvikelse i augusti året innan?",
     "Vad var dess budgetavvikelse i augusti 2022 i Eskilstuna?", "ämne"),
    # a comparison with the last answer, whatever noun it names
    (["Hur stor andel av medarbetarna i Huddinges socialnämnd är kvinnor?"], "Är andelen högre än i Solna?",
     "Hur stor andel av medarbetarna i Huddinges och Solnas socialnämnd är kvinnor?", "kommun,jämför"),
    ([SICK], "And three years before?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2020?", "år"),
    # a turn opening "En annan sak –" keeps the chat's kommun and year for its new subject, and its
    # opening words are no part of the question
    (["Hur många familjer har tagit del av Huddinges hembesöksprogram under 2023?"],
     "En annan sak – hur mycket räknar de med att investera?",
     "Hur mycket räknar de med att investera i Huddinge 2023?", "ämne"),
    # the words that move the year name no topic of their own, in English too
    ([SICK], "What about the year before?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2022?", "år"),
    ([SICK], "And the previous year in Huddinge?", "Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2022?",
     "kommun,år"),
    ([SICK], "Varför då?", "Varför var sjukfrånvaron i Solnas socialförvaltning 2023 så hög?", "varför"),
    ([SICK], "Varför minskade den?", "Varför minskade sjukfrånvaron i Solnas socialförvaltning 2023?", "varför"),
    (["Räknade Enköpings socialnämnd med överskott i april?"], "Vad förklarade det?",
     "Varför räknade Enköpings socialnämnd med överskott i april?", "varför"),  # said as a sentence: "räknade"
    (["Hur stora var personalkostnaderna i Huddinge 2023?"], "Varför är de högre än budget?",
     "Varför var personalkostnaderna i Huddinge 2023 högre än budget?", "varför"),
    ([BUDGET], "Och prognosen?", "Hur stor var prognosen för institutionsvård för vuxna i Enköping 2024?", "mått"),
    ([SICK], "Bara för kvinnor?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023 för kvinnor?", "grupp"),
    (["Hur stor var sjukfrånvaron bland kvinnor i Solna 2023?"], "Och för män?",
     "Hur stor var sjukfrånvaron bland män i Solna 2023?", "grupp"),
    ([SICK], "Och kostnaderna för hemtjänst?", "Kostnaderna för hemtjänst i Solna 2023?", "ämne"),
    # another age group: the range written in the question is replaced
    (["Hur många brukare i åldern 0–6 år hade Eskilstunas IFO 2022 enligt KPB?"], "Och 7–12 år?",
     "Hur många brukare i åldern 7–12 år hade Eskilstunas IFO 2022 enligt KPB?", "grupp"),
    # "share" names the kind of figure, not a topic: the share of men narrows the sick leave to men
    (["What was the sick leave in Solna in 2023?"], "And what was the share of men?",
     "What was the sick leave in Solna in 2023 for men?", "grupp"),
    # a group named in English is said in English in an English question
    (["How many children were placed in foster care in Solna in 2023?"], "How many of them were girls?",
     "How many children were placed in foster care in Solna in 2023 for girls?", "grupp"),
    (["What was the sick leave in Solna in 2023?"], "And what was the cost of staff?",
     "What was the cost of staff in Solna 2023?", "ämne"),  # an English reading says "in"
    # a comparison with the last answer asks the last question of both kommuner, whatever else it names
    ([SICK], "Är det mer än i Huddinge?", "Hur hög var sjukfrånvaron i Solnas och Huddinges socialförvaltning 2023?",
     "kommun,jämför"),
    ([BUDGET], "Är den högre än vad Eskilstuna har budgeterat för institutionsvård?",
     "Hur stor var budgeten för institutionsvård för vuxna i Enköping och Eskilstuna 2024?", "kommun,jämför"),
    ([SICK], "Säger Huddinges rapport samma sak?",
     "Hur hög var sjukfrånvaron i Solnas och Huddinges socialförvaltning 2023?", "kommun,jämför"),
    (["How many households received financial assistance in Huddinge in 2023?"], "Is that more than in Solna?",
     "How many households received financial assistance in Huddinge and Solna in 2023?", "kommun,jämför"),
    # "ett år tidigare" is one year back; "samma månad" names no topic of its own
    ([SICK], "och ett år tidigare?", "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2022?", "år"),
    (["Hur många hushåll fick ekonomiskt bistånd i Solna i december 2023?"], "Och samma månad 2021?",
     "Hur många hushåll fick ekonomiskt bistånd i Solna i december 2021?", "år"),
    # a question asking what a report said names no topic: it asks the last question of that report
    (["Vad är helårsprognosen för ekonomiskt bistånd i Enköping 2024?"], "Vad stod det i tertialrapporten?",
     "Vad är helårsprognosen för ekonomiskt bistånd i Enköping 2024 enligt tertialrapporten?", "rapport"),
    # a why whose other words the last question names asks why of the last question
    (["Hur stor var budgetavvikelsen för Solnas förvaltningsgemensamma verksamhet 2023?"], "Vad berodde det på?",
     "Varför var budgetavvikelsen för Solnas förvaltningsgemensamma verksamhet 2023 så stor?", "varför"),
    (["Hur stort var överskottet för institutionsvård i Enköping 2024?"], "Varför blir det ett överskott där?",
     "Varför var överskottet för institutionsvård i Enköping 2024 så stort?", "varför"),
    # "mer eller mindre än" sets the last answer beside the kommun named
    (["Vad kostade köp av verksamhet i Huddinge januari–augusti 2023?"],
     "Är det mer eller mindre än Eskilstuna under samma period?",
     "Vad kostade köp av verksamhet i Huddinge och Eskilstuna januari–augusti 2023?", "kommun,jämför"),
    # a demonstrative before a noun naming nothing of its own points back as a pronoun does
    (["Hur stora var kostnaderna för barn- och ungdomsvård i Huddinge 2023?"],
     "Hur stor del av den posten gick till placeringar?",
     "Hur stor del av kostnaderna för barn- och ungdomsvård gick till placeringar i Huddinge 2023?", "ämne"),
])
def test_follow_up_is_rewritten_from_the_last_complete_question(history, question, expected, kind):
    r = resolve(question, history, CORPUS)
    assert r == Resolved(expected, True, r.reading, kind)


def test_a_target_year_moved_to_a_year_the_reports_have_passed_asks_for_the_outcome():
    covered = {"Huddinge": frozenset({2023}), "Enköping": frozenset({2024})}
    base = "Vad är målet för andelen fordon med förnyelsebara drivmedel i Huddinge 2030?"
    assert resolve("Och 2021?", [base], CORPUS, covered).question == \
        "Vad är utfallet för andelen fordon med förnyelsebara drivmedel i Huddinge 2021?"
    english = resolve("And what was the share in 2021?", ["What is Huddinge's 2030 target for the share of vehicles?"],
                      CORPUS, covered).question
    assert "2021 outcome" in english and "target" not in english
    # a target of a year the reports cover stays a target
    near = "Vad är målet för andelen fordon med förnyelsebara drivmedel i Huddinge 2023?"
    assert "målet" in resolve("Och 2021?", [near], CORPUS, covered).question


def test_a_why_naming_nothing_new_asks_why_of_the_last_question_in_english_too():
    r = resolve("Why did they go up?", ["How high were the staff costs in Solna in 2023?"], CORPUS)
    assert r.used_history and r.kind == "varför"
    assert r.question.startswith("Why") and "staff costs in Solna in 2023" in r.question
    assert "go up" not in r.question  # its own words named nothing the last question did not


@pytest.mark.parametrize("question", [
    "Varför blir lokalkostnaderna lägre än budgeterat för socialnämnden i Eskilstuna i år?",
    "Är kvinnorna sjukskrivna mer än männen på socialtjänsten i Eskilstuna?",
    "Varför blev momsintäkterna högre än budgeterat i Huddinges delårsrapport?",
])
def test_a_comparison_with_something_else_than_a_kommun_is_a_question_of_its_own(question):
    """"lägre än budgeterat … i Eskilstuna" compares with the budget, not with the last answer."""
    assert resolve(question, ["Hur många hushåll hade ekonomiskt bistånd i Solna 2023?"], CORPUS) == \
        Resolved(question, False)


def test_that_age_group_is_the_range_the_chat_last_named_even_two_turns_back():
    history = ["Hur många brukare i åldern 0–6 år hade Eskilstunas individ- och familjeomsorg 2022 enligt KPB?",
               "Vad är KPB för något?"]
    r = resolve("Vad kostade den åldersgruppen per brukare?", history, CORPUS)
    assert r.question == "Vad kostade åldersgruppen 0–6 år per brukare i Eskilstuna 2022?"


def test_the_reading_is_said_as_the_question_it_was_read_as():
    """A person checks a follow-up's reading as a whole question, not as a list of keywords."""
    r = resolve("Och i Huddinge?", [SICK], CORPUS)
    assert r.reading == f"Jag läser frågan som: «{r.question}»" and "Huddinge" in r.question and "sjukfrånvaron" in r.question
    assert resolve("Varför då?", [WHY], CORPUS).reading.startswith("Jag läser frågan som: «Varför")


def test_a_kommun_switch_asks_for_the_new_kommuns_own_year():
    """"Och Huddinge?" after a question about Enköping in 2024: Huddinge's reports are of 2023, so the
    year is left out and Huddinge's own latest figure answers; a year Huddinge covers stays."""
    years = {"Enköping": frozenset({2024}), "Huddinge": frozenset({2023})}
    q = "Hur stor budget har Enköpings socialnämnd för ekonomiskt bistånd 2024?"
    assert resolve("Och Huddinge?", [q], years, years).question == \
        "Hur stor budget har Huddinges socialnämnd för ekonomiskt bistånd?"
    assert resolve("Och Huddinge?", [q.replace("2024", "2023")], years, years).question.endswith("2023?")


def test_a_chain_of_follow_ups_builds_on_the_last_reading():
    r = resolve("Och förra året?", [SICK, "Och i Huddinge?"], CORPUS)
    assert r.question == "Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2022?"


def test_the_chats_kommun_outlives_a_complete_question_that_names_none():
    # the middle question inherits nothing; the follow-up after it is still about Solna
    chat = [SICK, "What does the Färdplan say about cost per user (KPB)?"]
    assert resolve(chat[1], chat[:1], CORPUS) == Resolved(chat[1], False)
    r = resolve("Och året innan?", chat, CORPUS)
    assert r.used_history and "Solna" in r.question and "KPB" in r.question
    # a kommun named later replaces it; a question across the kommuner ends it
    assert "Huddinge" in resolve("Och året innan?", [*chat, "Och i Huddinge?"], CORPUS).question
    for across in ("Vilken kommun har lägst sjukfrånvaro?", "Hur hög var sjukfrånvaron i kommunerna 2023?"):
        r = resolve("Och året innan?", [SICK, across], CORPUS)
        assert r.used_history and not any(k in r.question for k in CORPUS), r.question


@pytest.mark.parametrize("question", [
    "Hur stora var kostnaderna för ekonomiskt bistånd i Huddinge 2023?",
    "Hur stor var sjukfrånvaron 2023?",  # no kommun, but its own topic: asks across kommuner
    "Vilken kommun har högst sjukfrånvaro?",
])
def test_a_complete_question_inherits_nothing(question):
    assert resolve(question, [SICK, "Och i Huddinge?"], CORPUS) == Resolved(question, False)


def test_without_history_the_question_is_kept():
    assert resolve("Och i Huddinge?", (), CORPUS) == Resolved("Och i Huddinge?", False)
    with pytest.raises(ValueError, match="sequence"):
        resolve("Och i Huddinge?", SICK, CORPUS)


@pytest.mark.model
def test_engine_answers_the_follow_up_for_huddinge(e5_engine):
    a = e5_engine.ask("Och i Huddinge?", history=(SICK,))
    assert a.question == "Och i Huddinge?" and a.answered
    assert a.answer.startswith("Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2023?»")
    assert "7%" in a.answer.replace(" ", "") and "[1]" in a.answer
    assert {c.kommun for c in a.citations} == {"Huddinge"}
    plain = e5_engine.ask("Hur stora var kostnaderna för ekonomiskt bistånd i Huddinge 2023?", history=(SICK,))
    assert not plain.answer.startswith("Sjukfrånvaron")


@pytest.mark.model
def test_that_activity_is_the_row_the_last_answer_stood_on(e5_engine):
    """"den verksamheten" is the row just answered (barn- och ungdomsvård), not a row whose label
    holds the word (Nämnd- & styrelseverksamhet), and a period move keeps it."""
    chat = ("Hur mycket går till barn- och ungdomsvården i Huddinge 2023?",
            "Vad blev utfallet för den verksamheten jan–aug?")
    a = e5_engine.ask("Och samma period 2021?", history=chat)
    assert a.answered and {f.row for f in a.facts} == {"Barn & ungdomsvård"}
    assert any("2021" in f.column for f in a.facts) and "139 351" in a.answer


@pytest.mark.model
def test_a_report_type_carried_over_is_dropped_where_the_new_kommun_has_none(e5_engine):
    """Solna has an årsredovisning, Eskilstuna only a delårsrapport: "Och i Eskilstuna?" asks for
    Eskilstuna's figure, not for a report it does not publish."""
    a = e5_engine.ask("Och i Eskilstuna 2023?", history=("Hur hög var sjukfrånvaron i Solnas årsredovisning?",))
    assert a.answered and {f.kommun for f in a.facts} == {"Eskilstuna"}
    asked = e5_engine.ask("Hur hög var sjukfrånvaron i Eskilstunas årsredovisning 2023?")
    assert not asked.answered and "årsredovisning" in asked.answer  # named by the user, it is a refusal


def test_cli_ask_history_and_batch_history(fake_config, fake_engine, tmp_path, capsys):
    from rag.cli import main

    base = ["--corpus-dir", str(fake_config.corpus_dir), "--index-dir", str(fake_config.index_dir),
            "--model", fake_config.model]
    assert main([*base, "ask", "--json", "--history", SICK, "Och i Huddinge?"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["question"] == "Och i Huddinge?" and out["answer"].startswith("Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinges")
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"id": "a", "question": "Och i Huddinge?", "history": [SICK]},
        {"id": "b", "question": "Och i Huddinge?", "history": "not a list"})) + "\n", encoding="utf-8")
    assert main([*base, "ask", "--json", "--batch", str(batch)]) == 0
    a, b = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert a["id"] == "a" and a["answer"].startswith("Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinges")
    assert b["id"] == "b" and not b["answered"] and "history must be a list" in b["error"]


def test_a_complete_question_inherits_nothing_from_an_unrelated_chat(e5_engine):
    """Every public and dev question, asked after each of three unrelated chats (a refused question
    among them), is answered as it is alone: answered alike, the same facts and citations."""
    from eval.questions import default_files, load_questions

    chats = (("Hur många hushåll hade ekonomiskt bistånd i Solna 2023?",),
             ("Vilken kommun har högst personalkostnader?", "Och i Huddinge?"),
             ("Hur många platser finns på äldreboenden i Solna 2025?",))
    same = total = 0
    for q in load_questions(default_files()):
        alone = e5_engine.ask(q["question"])
        for chat in chats:
            after = e5_engine.ask(q["question"], history=chat)
            total += 1
            same += (after.answered, set(after.facts), [c.text for c in after.citations]) == \
                (alone.answered, set(alone.facts), [c.text for c in alone.citations])
    assert same / total >= 0.98, (same, total)


def test_a_pronoun_standing_for_the_last_subject_is_read_as_it():
    """"Varför väntas den gå med underskott?" after a question about familjerätt in Huddinge asks about
    familjerätt in Huddinge; "den" as an article ("den negativa avvikelsen", "den budgeten") points at
    a phrase of its own."""
    base = "Vad kostade familjerätt och familjerådgivning i Huddinge januari–augusti 2023?"
    r = resolve("Varför väntas den gå med underskott för helåret?", [base], CORPUS)
    assert r.used_history and "familjerätt och familjerådgivning" in r.question and "Huddinge" in r.question
    complete = "Hur stor var den negativa avvikelsen mot budget för ekonomiskt bistånd i enköping 2024?"
    assert not resolve(complete, [base], CORPUS).used_history


@pytest.mark.parametrize("base, follow_up, expected", [
    ("Hur stor är sjukfrånvaron inom barn- och ungdomssektion 2 i Huddinges socialnämnd?", "Och i vuxensektionen?",
     "Hur stor är sjukfrånvaron inom vuxensektionen i Huddinges socialnämnd?"),
    ("Vad var Huddinges socialnämnds budget för januari–augusti 2023?", "Bara för nämnd- och styrelseverksamheten?",
     "Vad var Huddinges socialnämnds budget för januari–augusti 2023 för nämnd- och styrelseverksamheten?"),
    ("Hur hög var sjukfrånvaron i Solna 2023?", "Och inom äldreomsorgen?",
     "Hur hög var sjukfrånvaron i Solna 2023 inom äldreomsorgen?"),
])
def test_a_narrowing_keeps_the_question_and_names_the_part(base, follow_up, expected):
    r = resolve(follow_up, [base], CORPUS)
    assert (r.question, r.kind, r.used_history) == (expected, "grupp", True)


def test_a_new_subject_after_for_is_no_narrowing():
    r = resolve("Och för ekonomiskt bistånd?", ["Hur mycket kostade institutionsvården i Solna 2023?"], CORPUS)
    assert r.kind == "ämne" and "ekonomiskt bistånd" in r.question and "institutionsvård" not in r.question


def test_a_turn_going_back_to_an_earlier_subject_moves_that_reading():
    """"Tillbaka till X – …" follows the earlier reading about X (or the first question), not the
    last one; a rest with a topic of its own is read as before."""
    history = ["Hur många i åldern 13–20 år hade Solna i familjehemsvård i december 2023?",
               "Vilka studieresor gjorde Solnas socialförvaltning 2023?"]
    r = resolve("Tillbaka till ungdomarna i familjehem – hur många var det i december 2022?", history, CORPUS)
    assert r.question == "Hur många i åldern 13–20 år hade Solna i familjehemsvård i december 2022?"
    r = resolve("Tillbaka till den första frågan – och 2022?", history, CORPUS)
    assert r.question == "Hur många i åldern 13–20 år hade Solna i familjehemsvård i december 2022?"
    lokaler = ["Ligger Huddinges lokalkostnader över eller under budget per augusti 2023?",
               "Vilka boenden inom socialpsykiatrin har Huddinge?"]
    r = resolve("Tillbaka till lokalerna – vad är budgeten för helåret?", lokaler, CORPUS)
    assert r.used_history and "lokalerna" in r.question and "Huddinge" in r.question and "helåret" in r.question


def test_a_ranking_follow_up_keeps_the_ranking_and_moves_its_end_or_its_subject():
    rank = ["Vilken kommun har högst personalkostnader?"]
    assert resolve("Och lägst?", rank, CORPUS).question == "Vilken kommun har lägst personalkostnader?"
    assert resolve("Hur ser det ut för lokaler?", rank, CORPUS).question == "Vilken kommun har högst lokaler?"
    r = resolve("Och för institutionsvård för barn och unga?", ["Vilken kommun har högst kostnader för ekonomiskt bistånd?"],
                CORPUS)
    assert r.question == "Vilken kommun har högst kostnader för institutionsvård för barn och unga?"
    r = resolve("Och för köp av verksamhet?", ["Vilken socialnämnd har störst underskott?"], CORPUS)
    assert r.question == "Vilken socialnämnd har störst underskott för köp av verksamhet?"


def test_the_full_year_and_an_english_why_keep_the_last_question():
    base = ["Hur ser köp av verksamhet ut i Huddinge?"]
    assert resolve("Och för helåret?", base, CORPUS).question == "Hur ser köp av verksamhet ut i Huddinge för helåret?"
    r = resolve("Why?", ["What did Eskilstuna spend on staff until August 2023?"], CORPUS)
    assert r.question == "Why did Eskilstuna spend on staff until August 2023?"


def test_which_of_them_ranks_the_kommuner_the_chat_has_named():
    chat = ["Hur mycket har Huddinge budgeterat för köp av verksamhet 2023?", "Och Eskilstuna?"]
    r = resolve("Vem har störst?", chat, CORPUS)
    assert r.question == "Vilken av Huddinge och Eskilstuna har störst köp av verksamhet enligt budgeten 2023?"
    # a complete ranking question is no such turn
    assert not resolve("Vilken kommun har högst personalkostnader?", chat, CORPUS).used_history


def test_the_other_kommuner_set_the_last_question_beside_them_all():
    r = resolve("Hur ser det ut i de andra kommunerna?", ["Hur stor är sjukfrånvaron i Solna?"], CORPUS)
    assert r.question == "Hur stor är sjukfrånvaron i Solna jämfört med de andra kommunerna?"
    r = resolve("Jämför personalkostnaderna i alla kommuner.", ["Hur stor är sjukfrånvaron i Solna?"], CORPUS)
    assert "sjukfrånvaro" not in r.question  # a subject of its own: no follow-up of the last one


def test_a_why_naming_a_kommun_and_a_pronoun_asks_about_the_last_subject():
    r = resolve("Varför är de så höga i Eskilstuna?", ["Vilken kommun har högst personalkostnader?"], CORPUS)
    assert r.question == "Varför är personalkostnader så höga i Eskilstuna?" and r.used_history
    assert not resolve("Varför har Solna så låg sjukfrånvaro?", ["Vilken kommun har högst personalkostnader?"],
                       CORPUS).used_history  # a subject of its own


def test_a_kommun_set_beside_with_its_own_period_keeps_each_kommuns_period():
    staff = "Vad hade Solnas socialnämnd för personalkostnader 2023?"
    r = resolve("Hur står sig det mot Enköpings prognos för 2024?", [staff], CORPUS)
    assert r.question == "Vad hade Solnas socialnämnd för personalkostnader 2023 jämfört med Enköpings prognos för 2024?"
    # naming only the kommun, the last question is asked of both
    r = resolve("Hur står sig det mot Eskilstuna?", [staff], CORPUS)
    assert r.question == "Vad hade Solnas och Eskilstunas socialnämnd för personalkostnader 2023?"


def test_another_report_drops_the_month_that_dated_the_last_one():
    last = "Vilken budgetavvikelse prognostiserar Enköping för övrig vuxenvård i delårsrapporten för augusti 2024?"
    r = resolve("Vad sa de i tertialrapporten?", [last], CORPUS)
    assert r.question == "Vilken budgetavvikelse prognostiserar Enköping för övrig vuxenvård i tertialrapporten 2024?"


def test_another_age_group_named_with_its_noun_swaps_the_range():
    last = "Hur många barn 0–12 år var placerade i familjehem i Solna i december 2023?"
    r = resolve("Och ungdomarna 13–20 år?", [last], CORPUS)
    assert r.question == "Hur många barn 13–20 år var placerade i familjehem i Solna i december 2023?"
    assert "grupp" in r.kind
    # a subject of its own beside the range is a new question in the same context, not a swap
    r = resolve("Och kostnaderna för ungdomar 13–20 år?", [last], CORPUS)
    assert "placerade" not in r.question and "13–20 år" in r.question


@pytest.mark.parametrize("history, expected", [
    (["Hur ser ekonomin ut för socialnämnden i Eskilstuna?", "Hur stort underskott prognostiseras för helåret?"],
     "Varför prognostiseras ett så stort underskott för helåret i Eskilstuna?"),
    (["Hur stora kostnader hade Solna för ekonomiskt bistånd 2023?"],
     "Varför hade Solna så stora kostnader för ekonomiskt bistånd 2023?"),
    (["Hur hög budget har Enköpings socialnämnd för ekonomiskt bistånd 2024?"],
     "Varför har Enköpings socialnämnd en så hög budget för ekonomiskt bistånd 2024?"),
    (["Hur hög var sjukfrånvaron i Solna 2023?"], "Varför var sjukfrånvaron i Solna 2023 så hög?"),  # predicative
])
def test_why_of_an_adjective_said_of_a_noun_keeps_the_noun_with_it(history, expected):
    assert resolve("Varför då?", history, CORPUS).question == expected


def test_a_pronoun_before_a_noun_of_its_own_is_no_pointer_back():
    base = ("On average, how many children and young people in Huddinge were in some form of care or housing "
            "placement from January to August 2023?")
    r = resolve("And how many of those placements were due to criminal behaviour?", [base], CORPUS)
    assert r.question == "How many of those placements were due to criminal behaviour in Huddinge 2023?"


def test_there_is_the_activity_the_last_question_was_about():
    base = "Hur mycket lägre än budget blir kostnaden för insatser till personer med funktionsnedsättning i Huddinge 2023?"
    r = resolve("Hur många placeringar har de haft i snitt där?", [base], CORPUS)
    assert r.question == ("Hur många placeringar har de haft i snitt inom insatser till personer med "
                          "funktionsnedsättning i Huddinge 2023?")


@pytest.mark.parametrize("history, question, expected", [
    (["How many households received financial assistance (ekonomiskt bistånd) in Enköping in 2024?"],
     "Why is that number no longer going down?", "Why is the number of households no longer going down in Enköping 2024?"),
    (["Hur många orosanmälningar kom in i Solna 2023?"], "Varför har den siffran ökat?",
     "Varför har antalet ökat – hur många orosanmälningar kom in i Solna 2023?"),
    (["Hur många hushåll fick ekonomiskt bistånd i Solna 2023?"], "Varför minskade de?",
     "Varför har antalet minskat – hur många hushåll fick ekonomiskt bistånd i Solna 2023?"),
])
def test_the_number_of_a_count_is_what_a_follow_up_asks_why_of(history, question, expected):
    assert resolve(question, history, CORPUS).question == expected
