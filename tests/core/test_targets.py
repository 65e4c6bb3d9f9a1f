from __future__ import annotations

from datetime import date
from decimal import Decimal

from yangfan.core.plan import Comparison, Target
from yangfan.core.targets import Status, judge, project

TARGET = Target(Decimal(40), Comparison.GT, date(2023, 12, 31))


def test_a_met_target_is_achieved():
    judgement = judge(TARGET, [(date(2022, 12, 31), Decimal(30)), (date(2023, 6, 30), Decimal("40.5"))])
    assert judgement.met is True and judgement.status == Status.ACHIEVED and judgement.pace_per_month is None


def test_exactly_the_target_does_not_meet_a_strict_target():
    assert judge(TARGET, [(date(2023, 12, 31), Decimal(40))]).met is False
    assert Target(Decimal(3), Comparison.GTE, date(2023, 12, 31)).met_by(Decimal(3))


def test_a_straight_line_projection_decides_on_track_at_risk_and_off_track():
    # +1 point per half-year from 30 at the end of 2021: 34 by the end of 2023 -> short by 6 of 40: off track
    slow = [
        (date(2021, 12, 31), Decimal(30)),
        (date(2022, 6, 30), Decimal(31)),
        (date(2022, 12, 31), Decimal(32)),
    ]
    assert judge(TARGET, slow).status == Status.OFF_TRACK
    # about 39.7 by the end of 2023 -> short of 40, but within 10 % of it: at risk
    risky = [(date(2022, 6, 30), Decimal(33)), (date(2022, 12, 31), Decimal("35.25"))]
    assert judge(TARGET, risky).status == Status.AT_RISK
    fast = [(date(2022, 6, 30), Decimal(20)), (date(2022, 12, 31), Decimal(31))]
    assert judge(TARGET, fast).status == Status.ON_TRACK


def test_one_observation_gives_no_trend():
    judgement = judge(TARGET, [(date(2022, 12, 31), Decimal(28))])
    assert judgement.status == Status.UNKNOWN and judgement.met is False
    assert judgement.pace_per_month == Decimal(1)  # 12 points in 12 months


def test_pace_is_per_month_from_the_latest_observation():
    judgement = judge(TARGET, [(date(2023, 5, 31), Decimal(26)), (date(2023, 6, 30), Decimal(33))])
    assert judgement.pace_per_month == Decimal(7) / Decimal(6)


def test_projection_of_a_line_is_exact():
    series = [(date(2023, 1, 1), Decimal(10)), (date(2023, 1, 11), Decimal(20))]
    assert project(series, date(2023, 1, 21)) == Decimal(30)


def test_at_the_target_date_a_missed_target_is_not_on_track_whatever_the_trend():
    # a flattening curve: a straight line through it would end above 40, but 39 is what the end of 2023 shows
    series = [
        (date(2023, 6, 30), Decimal(20)),
        (date(2023, 9, 30), Decimal(35)),
        (date(2023, 12, 31), Decimal(39)),
    ]
    judgement = judge(TARGET, series)
    assert judgement.status == Status.AT_RISK and judgement.projected == Decimal(39)
    assert (
        judge(TARGET, [(date(2023, 12, 31), Decimal(30)), (date(2023, 6, 30), Decimal(10))]).status
        == Status.OFF_TRACK
    )
