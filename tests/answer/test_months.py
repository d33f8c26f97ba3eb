"""Which month of a month-by-month table stands out (rag/answer/months.py)."""
from __future__ import annotations

import re

from rag.answer.months import MonthCell, asks_which_month, extreme, month_cells
from rag.lexicon import LEXICON
from rag.models import Fact


def _cell(month: int, value: float) -> MonthCell:
    return MonthCell(month, Fact("d", "Solna", "2023-12", "s", "c", "t", "2023", LEXICON.months[month - 1][:3],
                                 value, "", str(value), 1, 1, "", ""))


def test_the_extreme_month_is_the_highest_or_lowest_figure_and_ties_are_all_named():
    cells = [_cell(1, 10), _cell(2, 14), _cell(3, 7), _cell(4, 14)]
    assert [c.month for c in extreme(cells, "max")] == [2, 4]
    assert [c.month for c in extreme(cells, "min")] == [3]


def test_amounts_printed_negative_are_compared_as_amounts():
    cells = [_cell(1, -10), _cell(2, -14), _cell(3, -7)]
    assert [c.month for c in extreme(cells, "max")] == [2]


def test_which_month_is_asked_in_swedish_and_english():
    assert asks_which_month("Under vilken månad 2023 hade Solna flest vårddygn?")
    assert asks_which_month("In which month of 2023 was it highest?")
    assert not asks_which_month("Hur många vårddygn hade Solna i januari 2023?")


def test_a_which_month_answer_names_the_extreme_month_of_the_row_it_cites(e5_engine):
    for q, direction in (("Vilken månad 2023 hade Solna flest hushåll med utbetalningar av ekonomiskt bistånd?", "max"),
                         ("Under vilken månad 2023 hade Solna lägst antal vårddygn inom socialpsykiatrin?", "min")):
        ans = e5_engine.ask(q)
        assert ans.answered and len(ans.citations) == 1
        c = ans.citations[0]
        row = next(r for r in e5_engine.view.rows if r.doc_id == c.doc_id and r.line == c.line)
        top = extreme(month_cells(row), direction)
        first = ans.answer.splitlines()[0]
        assert all(t.name in first for t in top) and row.label.strip() == "2023"
        assert re.search(r"\[1\]", first)
        assert {(f.doc_id, f.line, f.column) for f in ans.facts} == {(t.fact.doc_id, t.fact.line, t.fact.column) for t in top}
