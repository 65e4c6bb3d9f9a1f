"""亮灯 and the roll-up of a split share, as values: working days from China's calendar (调休 included)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.supervision import (
    Light,
    Progress,
    SupervisionError,
    SupervisionRules,
    light,
    roll_up,
    working_days_left,
    yellow_until,
)

CHINA = holidays.China(years=range(2021, 2028)).is_working_day


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_a_notice_turns_yellow_three_working_days_before_its_deadline_and_red_after_it():
    deadline = date(2026, 12, 11)  # a Friday
    on = {
        d: light(deadline, done=False, today=d, warning_days=3, working_day=weekdays)
        for d in (date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 11), date(2026, 12, 12))
    }
    assert [on[d] for d in sorted(on)] == [Light.GREEN, Light.YELLOW, Light.YELLOW, Light.RED]


def test_a_done_thing_is_green_even_after_its_deadline():
    assert (
        light(date(2023, 1, 1), done=True, today=date(2024, 1, 1), warning_days=3, working_day=weekdays)
        == Light.GREEN
    )


def test_the_national_day_holiday_does_not_count_and_the_adjusted_weekend_does():
    # 2023: 9.29–10.6 off, Saturday 10.7 and Sunday 10.8 worked (调休); a deadline of Monday 10.9
    assert working_days_left(date(2023, 9, 28), date(2023, 10, 9), CHINA) == 3
    assert working_days_left(date(2023, 9, 28), date(2023, 10, 9), weekdays) == 7
    assert (
        light(date(2023, 10, 9), done=False, today=date(2023, 9, 28), warning_days=3, working_day=CHINA)
        == Light.YELLOW
    )


@given(
    today=st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 6, 30)),
    ahead=st.integers(min_value=-5, max_value=40),
    warning=st.integers(min_value=0, max_value=10),
)
def test_yellow_until_agrees_with_light(today, ahead, warning):
    deadline = today + timedelta(days=ahead)
    until = yellow_until(today, warning_days=warning, working_day=CHINA)
    yellow = today <= deadline <= until
    assert (
        light(deadline, done=False, today=today, warning_days=warning, working_day=CHINA) == Light.YELLOW
    ) == yellow


def test_the_warning_period_is_checked():
    with pytest.raises(SupervisionError, match="黄灯提前的工作日数"):
        SupervisionRules(warning_working_days=-1)
    assert SupervisionRules().warning_working_days == 3


def test_a_split_share_rolls_up_the_mean_and_the_worst_state():
    assert roll_up([("done", 100), ("in_progress", 20), None]) == (Progress.IN_PROGRESS, 40)
    assert roll_up([("done", 100), ("done", 90)]) == (Progress.DONE, 100)
    assert roll_up([("lagging", 10), ("done", 100)]) == (Progress.LAGGING, 55)
    assert roll_up([None, None]) == (Progress.NOT_STARTED, 0)
    assert roll_up([("in_progress", 1), ("in_progress", 2)]) == (
        Progress.IN_PROGRESS,
        2,
    )  # 1.5 rounds half up
    with pytest.raises(SupervisionError):
        roll_up([])
