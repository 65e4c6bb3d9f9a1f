"""A number within what is stored: the column's precision and the data element's own bounds, never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yangfan.core.numbers import NumberLimits, limit_problem, parse_number

COLUMN = NumberLimits(digits=28, places=6)
COUNT = NumberLimits(digits=28, places=6, decimals=0, minimum=Decimal(0))
RATE = NumberLimits(digits=28, places=6, decimals=2, minimum=Decimal(0), maximum=Decimal(100))


@pytest.mark.parametrize(
    "text",
    ["0", "1", "9" * 22, "-" + "9" * 22, "1.000001", "0.000001", "1600万", "1,234,567.5", "1E+21"],
)
def test_numbers_the_column_holds_pass(text):
    value = Decimal(text) if "E" in text else parse_number(text)
    assert limit_problem(value, COLUMN) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1" + "0" * 22, "整数部分最多 22 位"),  # 23 digits
        ("9" * 40, "整数部分最多 22 位"),
        ("1.0000001", "最多 6 位小数"),
        ("0.000000000001", "最多 6 位小数"),
    ],
)
def test_numbers_beyond_the_column_are_refused_not_rounded(text, reason):
    problem = limit_problem(parse_number(text), COLUMN)
    assert problem is not None and reason in problem


def test_a_long_number_is_shown_shortened_with_its_length():
    problem = limit_problem(Decimal("9" * 40), COLUMN)
    assert "共 40 位" in problem and "9" * 13 not in problem


def test_a_count_is_whole_and_not_negative():
    assert "应为整数" in limit_problem(Decimal("3.5"), COUNT)
    assert "小于下限 0" in limit_problem(Decimal("-5"), COUNT)
    assert limit_problem(Decimal("12000.000"), COUNT) is None  # trailing zeros are not places


def test_a_rate_stays_within_its_bounds_and_places():
    assert limit_problem(Decimal("100"), RATE) is None
    assert "大于上限 100" in limit_problem(Decimal("100.01"), RATE)
    assert "最多 2 位小数" in limit_problem(Decimal("35.125"), RATE)


def test_an_element_cannot_allow_more_places_than_the_column():
    loose = NumberLimits(digits=28, places=6, decimals=9)
    assert "最多 6 位小数" in limit_problem(Decimal("0.0000001"), loose)


def test_infinity_and_nan_are_refused():
    assert limit_problem(Decimal("Infinity"), COLUMN) and limit_problem(Decimal("NaN"), COLUMN)
