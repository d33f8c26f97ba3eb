import pytest

from rag.numbers import find_numbers, format_sv, parse_cell, same_value


@pytest.mark.parametrize("cell, expected", [
    ("2 500", (2500.0, "")), ("- 196,6", (-196.6, "")), ("-0,4", (-0.4, "")), ("7,3 %", (7.3, "%")),
    ("85%", (85.0, "%")), ("7.0%", (7.0, "%")), ("21 *", (21.0, "")), ("−4", (-4.0, "")),
    ("11 353", (11353.0, "")), ("<b>", None), ("", None), ("-", None), ("83 insatser 80 procent", None),
])
def test_parse_cell(cell, expected):
    assert parse_cell(cell) == expected


def test_find_numbers_in_prose_keeps_groups_signs_and_years():
    text = "från 2 077 till 2 548 i jämförelse, -5,4 mnkr 2023 och 8,7% samt 11 353 tkr (0,4%)"
    assert [n.value for n in find_numbers(text)] == [2077, 2548, -5.4, 2023, 8.7, 11353, 0.4]


def test_same_value_ignores_sign_and_format_sv_prints_swedish():
    assert same_value(-6.3, 6.3) and not same_value(6.3, 6.4)
    assert format_sv(-6.3) == "-6,3" and format_sv(2548) == "2 548" and format_sv(-11353) == "-11 353"
