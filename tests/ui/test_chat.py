"""The chat's turns without Streamlit: a follow-up asked again as written, in its answer's place, and back."""
from __future__ import annotations

from rag.ui.chat import Asked, answer_turn, ask_again, can_ask_again, questions_so_far

SICK = "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?"
READ_AS = "Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2023?"


def chat_of(engine, *questions: str) -> list:
    turns, mid = [], 0
    for q in questions:
        history = questions_so_far(turns)
        turns.append(Asked(mid := mid + 1, q))
        turns.append(answer_turn(engine, mid := mid + 1, q, history, (), ()))
    return turns


def test_the_reading_is_a_field_of_the_answer_and_stays_out_of_the_json(fake_engine):
    follow = fake_engine.ask("Och i Huddinge?", history=(SICK,))
    assert follow.read_as == READ_AS and follow.question == "Och i Huddinge?"
    assert follow.answer.startswith(f"Jag läser frågan som: «{READ_AS}»")
    assert "read_as" not in follow.to_json()  # the contract's JSON is as before; its text says the reading
    assert fake_engine.ask(SICK).read_as == ""
    assert fake_engine.ask("Och i Huddinge?").read_as == ""
    # a complete second question inherits nothing, so says no reading
    assert fake_engine.ask("Hur hög var sjukfrånvaron i Huddinge 2023?", history=(SICK,)).read_as == ""


def test_a_follow_up_asked_as_written_replaces_its_answer_and_the_chat_reads_on_as_before(fake_engine):
    turns = chat_of(fake_engine, SICK, "Och i Huddinge?", "Och året innan?")
    first, follow, later = turns[1], turns[3], turns[5]
    assert not can_ask_again(first) and can_ask_again(follow) and can_ask_again(later)
    asked_before = questions_so_far(turns)

    again = ask_again(fake_engine, turns, follow.id, 100, as_written=True)
    assert turns[3] is again and again.id == 100 and again.as_written and again.history == ()
    assert again.question == "Och i Huddinge?" and again.answer.read_as == ""
    assert not again.answer.answer.startswith("Jag läser frågan som")
    assert again.answer.to_json() == fake_engine.ask("Och i Huddinge?").to_json()
    assert [t.id for t in turns] == [1, 2, 3, 100, 5, 6] and turns[5] is later
    # the questions asked are unchanged, so a next question is read against the same chat
    assert questions_so_far(turns) == asked_before
    assert can_ask_again(again)

    back = ask_again(fake_engine, turns, 100, 101, as_written=False)
    assert turns[3] is back and not back.as_written and back.history == (SICK,)
    assert back.answer.read_as == READ_AS and back.answer.to_json() == follow.answer.to_json()
    assert ask_again(fake_engine, turns, 100, 102, as_written=True) is None  # that answer was replaced


def test_a_follow_up_that_cannot_be_asked_alone_says_so_and_can_be_read_as_a_follow_up_again(fake_engine):
    """'Och 2022?' alone is no question: a Swedish message in the answer's place, and the way back, under
    the sidebar's choice the chat was asked under."""
    turns = [Asked(1, SICK), answer_turn(fake_engine, 2, SICK, (), ("Solna",), ()),
             Asked(3, "Och 2022?"), answer_turn(fake_engine, 4, "Och 2022?", (SICK,), ("Solna",), ())]
    read_as = turns[3].answer.read_as
    assert "2022" in read_as and "Solna" in read_as
    again = ask_again(fake_engine, turns, 4, 5, as_written=True)
    assert again.answer is None and again.error.startswith("Frågan kan inte besvaras.") and "Traceback" not in again.error
    assert again.kommuner == ("Solna",) and can_ask_again(again)
    back = ask_again(fake_engine, turns, 5, 6, as_written=False)
    assert back.kommuner == ("Solna",) and back.answer.read_as == read_as
    assert back.answer.to_json() == fake_engine.ask("Och 2022?", kommuner=("Solna",), history=(SICK,)).to_json()
