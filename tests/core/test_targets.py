from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yangfan.core.engine import DataValue, Engine, Values, assess
from yangfan.core.periods import Period
from yangfan.core.plan import Comparison, Direction, Target
from yangfan.core.targets import (
    AT_RISK_MARGIN,
    Status,
    TargetBook,
    TargetSource,
    UnitTarget,
    UnitTargets,
    judge,
    project,
)

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
    assert judgement.status == Status.MISSED and judgement.projected == Decimal(39)
    assert (
        judge(TARGET, [(date(2023, 12, 31), Decimal(30)), (date(2023, 6, 30), Decimal(10))]).status
        == Status.MISSED
    )


# -- a target is a dated promise ---------------------------------------------------------------------------
def test_a_miss_within_the_margin_after_the_date_reads_missed():
    # 39 is within 10 % of 40 (at risk before the date), but the date has come: the promise was not kept
    assert TARGET.value - Decimal(39) <= TARGET.value * AT_RISK_MARGIN
    rising = [(date(2023, 9, 30), Decimal(38)), (date(2023, 12, 31), Decimal(39))]
    at_the_date = judge(TARGET, rising)
    assert (at_the_date.met, at_the_date.status) == (False, Status.MISSED)
    assert at_the_date.pace_per_month is None  # nothing is left to pace towards
    later = judge(TARGET, [*rising, (date(2024, 3, 31), Decimal("39.9"))])
    assert later.status == Status.MISSED and later.projected == Decimal("39.9")
    assert Status.MISSED.label == "未达标"


def test_before_the_date_a_miss_within_the_margin_still_reads_at_risk():
    # +1 point a quarter: 39 projected at the end of 2023, short of 40 by less than 10 %
    series = [(date(2023, 6, 30), Decimal(37)), (date(2023, 9, 30), Decimal(38))]
    judgement = judge(TARGET, series)
    assert judgement.status == Status.AT_RISK and judgement.projected == Decimal(39)
    assert judgement.met is False and judgement.pace_per_month == Decimal(2) / Decimal(3)


def test_a_target_met_at_its_date_is_achieved_and_a_target_to_fall_to_can_be_missed():
    assert judge(TARGET, [(date(2023, 12, 31), Decimal("40.01"))]).status == Status.ACHIEVED
    ceiling = Target(Decimal(10), Comparison.LTE, date(2023, 12, 31))
    near = [(date(2023, 9, 30), Decimal(12)), (date(2023, 12, 31), Decimal("10.5"))]
    assert judge(ceiling, near, Direction.DECREASE).status == Status.MISSED
    # a month before the date, about 10.5 projected is within 10 % of it: at risk
    early = [(date(2023, 9, 30), Decimal(12)), (date(2023, 11, 30), Decimal(11))]
    assert judge(ceiling, early, Direction.DECREASE).status == Status.AT_RISK


# -- which target binds a period -------------------------------------------------------------------------
MID_2022 = Target(Decimal(20), Comparison.GTE, date(2022, 6, 30))
END_2022 = Target(Decimal(28), Comparison.GTE, date(2022, 12, 31))
UNITS = UnitTargets(
    TARGET, (MID_2022, END_2022), TargetSource.PLAN, (TargetSource.PLAN, TargetSource.PROVINCE)
)


def binding(period: str) -> Target | None:
    p = Period.parse(period)
    return UNITS.binding(p.start, p.end)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2022", END_2022),  # two milestones fall within 2022: the later one binds the year
        ("2022Q2", MID_2022),
        ("202206", MID_2022),
        ("202212", END_2022),
        ("2022Q4", END_2022),
        ("2022Q3", TARGET),  # no milestone within: the final target
        ("202207", TARGET),  # a milestone due before the period does not bind it
        ("2021", TARGET),
        ("2023", TARGET),
        ("2024", TARGET),  # after the final date: the final target, its date passed
    ],
)
def test_the_latest_target_dated_within_a_period_binds_it_else_the_final(period, expected):
    assert binding(period) == expected


def test_the_binding_milestone_is_the_one_due_at_the_periods_end_when_dated_within_the_period():
    for text in ("2021", "2022", "2022Q1", "2022Q2", "2022Q3", "2022Q4", "202206", "202207", "2023", "2024"):
        p = Period.parse(text)
        due = UNITS.milestone_due(p.end)
        expected = due if due is not None and due.date >= p.start else UNITS.final
        assert UNITS.binding(p.start, p.end) == expected, text


def test_the_final_target_binds_a_period_that_also_holds_a_milestone_before_it():
    final = Target(Decimal(40), Comparison.GT, date(2023, 12, 31))
    units = UnitTargets(final, (Target(Decimal(35), Comparison.GTE, date(2023, 6, 30)),))
    assert units.binding(date(2023, 1, 1), date(2023, 12, 31)) is final


def test_a_milestone_binds_its_period_even_without_a_final_target():
    units = UnitTargets(None, (END_2022,), None, (TargetSource.PROVINCE,))
    assert units.binding(date(2022, 1, 1), date(2022, 12, 31)) == END_2022
    assert units.binding(date(2023, 1, 1), date(2023, 12, 31)) is None
    assert units.source_of(END_2022) == TargetSource.PROVINCE


def test_each_target_says_where_it_comes_from():
    assert UNITS.source_of(TARGET) == TargetSource.PLAN
    assert UNITS.source_of(MID_2022) == TargetSource.PLAN
    assert UNITS.source_of(END_2022) == TargetSource.PROVINCE
    assert UNITS.source_of(None) is None
    # without sources of their own, milestones come from where the final target does
    assert UnitTargets(TARGET, (MID_2022,), TargetSource.PLAN).source_of(MID_2022) == TargetSource.PLAN


# -- 西安 with a milestone of its own: judged against it in 2022, against the final target in 2023 ---------
XIAN = "610100"
XIAN_MILESTONE = Target(Decimal(28), Comparison.GTE, date(2022, 12, 31))


def xian_engine(plan, users: dict[str, int]) -> Engine:
    """西安 with 10 million residents every year and ``users`` 5G users at the given month ends."""
    values = [
        DataValue("population", XIAN, Period.parse(str(y)), Decimal(10_000_000)) for y in range(2020, 2024)
    ]
    values += [DataValue("mobile_users_5g", XIAN, Period.parse(p), Decimal(u)) for p, u in users.items()]
    return Engine(plan, Values(values))


def test_xian_is_judged_against_its_milestone_in_2022_and_the_final_target_in_2023(plan):
    a1 = plan.indicator("A1")
    book = TargetBook(plan, [UnitTarget("A1", XIAN, XIAN_MILESTONE)])
    # 26 % at the end of 2022: two points short of the 28 % milestone, within 10 % of it; 39 % at the end of
    # 2023: past the milestone, one point short of the final 40 %
    users = {"202012": 500_000, "202112": 1_500_000, "202209": 2_400_000, "202212": 2_600_000}
    engine = xian_engine(plan, {**users, "202312": 3_900_000})

    in_2022 = assess(engine, a1, XIAN, Period.parse("2022"), book)
    assert in_2022.target == XIAN_MILESTONE and in_2022.final_target == a1.target
    assert (in_2022.judgement.met, in_2022.judgement.status) == (False, Status.MISSED)
    as_json = in_2022.as_dict()
    assert [as_json[k] for k in ("target", "target_comparison", "target_date")] == ["28", "gte", "2022-12-31"]
    assert as_json["target_source"] == "province" and as_json["target_met"] is False
    assert as_json["milestone"] == {"value": "28", "comparison": "gte", "date": "2022-12-31"}
    assert as_json["milestone_met"] is False and as_json["status"] == "missed"

    in_2023 = assess(engine, a1, XIAN, Period.parse("2023"), book).as_dict()
    assert [in_2023[k] for k in ("target", "target_comparison", "target_date")] == ["40", "gt", "2023-12-31"]
    assert in_2023["target_source"] == "plan" and in_2023["target_met"] is False
    assert in_2023["status"] == "missed"  # 39 would meet the milestone: it is the final target that judges
    assert in_2023["milestone"]["date"] == "2022-12-31"  # still the milestone due by the period's end

    # a quarter without a milestone in it is judged against the final target, by the projection
    q3 = assess(engine, a1, XIAN, Period.parse("2022Q3"), book)
    assert q3.target == a1.target and q3.as_dict()["target"] == "40"
    assert q3.judgement.status == Status.AT_RISK  # 5, 15, 24 % at 2020Q4, 2021Q4, 2022Q3: about 37 % by 2023


def test_xian_meeting_its_milestone_reads_achieved_for_2022(plan):
    a1 = plan.indicator("A1")
    book = TargetBook(plan, [UnitTarget("A1", XIAN, XIAN_MILESTONE)])
    engine = xian_engine(plan, {"202012": 500_000, "202112": 1_500_000, "202212": 2_900_000})
    in_2022 = assess(engine, a1, XIAN, Period.parse("2022"), book)
    assert in_2022.judgement.met is True and in_2022.judgement.status == Status.ACHIEVED
    assert in_2022.as_dict()["target"] == "28"
    # without the milestone the year is judged against the final target (29 % is short of 40 %, not missed)
    plain = assess(engine, a1, XIAN, Period.parse("2022")).as_dict()
    assert plain["target"] == "40" and plain["target_met"] is False and plain["status"] != "missed"
