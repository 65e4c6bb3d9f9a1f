from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.periods import Period, PeriodError, PeriodKind


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31)),
        ("2023Q4", date(2023, 10, 1), date(2023, 12, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("202402", date(2024, 2, 1), date(2024, 2, 29)),
        ("202312", date(2023, 12, 1), date(2023, 12, 31)),
    ],
)
def test_periods_parse_and_know_their_days(text, start, end):
    period = Period.parse(text)
    assert str(period) == text
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "23", "2023Q5", "202313", "202300", "2023-12", "2023q4", "二〇二三"])
def test_bad_periods_are_refused_with_the_forms_that_work(text):
    with pytest.raises(PeriodError, match="2023Q4"):
        Period.parse(text)


def test_a_year_is_made_of_quarters_and_a_quarter_of_months():
    year = Period.parse("2023")
    assert [str(p) for p in year.children()] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert [str(p) for p in Period.parse("2023Q4").children()] == ["202310", "202311", "202312"]
    assert len(year.months()) == 12 and year.contains(Period.parse("202307"))
    assert not Period.parse("2023Q1").contains(Period.parse("202304"))


def test_previous_and_next_cross_year_ends():
    assert str(Period.parse("2023Q1").previous()) == "2022Q4"
    assert str(Period.parse("202312").next()) == "202401"
    assert str(Period.parse("2021").previous()) == "2020"


def test_the_period_containing_a_date():
    day = date(2023, 11, 23)
    assert [str(Period.containing(day, k)) for k in PeriodKind] == ["2023", "2023Q4", "202311"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), st.sampled_from(list(PeriodKind)))
def test_every_day_lies_in_its_period_and_periods_tile_time(day, kind):
    period = Period.containing(day, kind)
    assert period.start <= day <= period.end
    assert Period.parse(str(period)) == period
    assert period.next().start.toordinal() == period.end.toordinal() + 1
    assert period.next().previous() == period
