from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),
        ("1,234,567", "1234567"),
        ("１２３４", "1234"),
        ("１，２３４．５", "1234.5"),
        ("1.6万", "16000"),
        ("1600万", "16000000"),
        ("2亿", "200000000"),
        ("35%", "35"),
        ("３５％", "35"),
        (" 42 ", "42"),
        ("-3.5", "-3.5"),
        ("0.1", "0.1"),
    ],
)
def test_numbers_as_people_type_them(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "1,23", "12,34,567", "1.2.3", "万", "3千", "1e5", "--1", "1 2 3,4"]
)
def test_what_is_not_a_number_is_refused_naming_the_text(text):
    with pytest.raises(NumberError, match="不是有效的数值"):
        parse_number(text)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_plain_and_grouped_forms_read_back_exactly(value):
    assert parse_number(format(value, "f")) == value
    assert parse_number(f"{value:,f}") == value
