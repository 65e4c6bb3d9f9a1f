"""Which target binds a unit, the milestones on the way, and the trajectory from the 2020 baseline."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.engine import DataValue, Engine, Values, assess
from yangfan.core.periods import Period
from yangfan.core.plan import Comparison, Target
from yangfan.core.targets import TargetBook, UnitTarget, on_path

D = Decimal
XIAN, BAOJI, PROVINCE = "610100", "610300", "610000"


def dv(element, org, period, value):
    return DataValue(element, org, Period.parse(period), D(value))


def at(value, comparison, day):
    return Target(D(value), Comparison(comparison), date.fromisoformat(day))


def a1_values(org, users_by_period, population=1_000_000):
    """Yearly population and month-end 5G users of ``org``: A1 is users / population * 100."""
    values = [dv("population", org, str(y), population) for y in (2020, 2021, 2022, 2023)]
    return values + [dv("mobile_users_5g", org, p, u) for p, u in users_by_period.items()]


def test_a_count_of_the_whole_province_binds_no_city_until_the_province_sets_one(plan):
    b1 = plan.indicator("B1")
    values = Values([dv("mobile_users_5g", XIAN, "202312", 6_100_000)])
    engine = Engine(plan, values)

    for_xian = assess(engine, b1, XIAN, Period.parse("2023")).as_dict()
    assert for_xian["value"] == "6100000"
    assert for_xian["target"] is None and for_xian["target_met"] is None
    assert for_xian["status"] == "no_target" and for_xian["target_source"] is None
    assert assess(engine, b1, PROVINCE, Period.parse("2023")).as_dict()["target"] == "16000000"

    book = TargetBook(plan, [UnitTarget("B1", XIAN, at(6_000_000, "gt", "2023-12-31"))])
    set_for_xian = assess(engine, b1, XIAN, Period.parse("2023"), book).as_dict()
    assert set_for_xian["target"] == "6000000" and set_for_xian["target_source"] == "province"
    assert set_for_xian["target_met"] is True and set_for_xian["status"] == "achieved"
    # the province's own target is still the plan's
    assert assess(engine, b1, PROVINCE, Period.parse("2023"), book).as_dict()["target_source"] == "plan"


def test_a_rate_binds_every_city_with_the_plans_target_unless_the_province_set_its_own(plan):
    a1 = plan.indicator("A1")
    engine = Engine(plan, Values(a1_values(BAOJI, {"202312": 380_000})))
    plain = assess(engine, a1, BAOJI, Period.parse("2023")).as_dict()
    assert (plain["value"], plain["target"], plain["target_source"]) == ("38", "40", "plan")
    assert plain["target_met"] is False

    book = TargetBook(plan, [UnitTarget("A1", BAOJI, at(35, "gte", "2023-12-31"))])
    own = assess(engine, a1, BAOJI, Period.parse("2023"), book).as_dict()
    assert (own["target"], own["target_comparison"], own["target_source"]) == ("35", "gte", "province")
    assert own["target_met"] is True and own["status"] == "achieved"


def test_province_milestones_bind_the_cities_and_are_judged_at_their_date(plan):
    a1 = plan.indicator("A1")
    book = TargetBook(
        plan,
        [
            UnitTarget("A1", PROVINCE, at(15, "gte", "2021-12-31")),
            UnitTarget("A1", PROVINCE, at(28, "gte", "2022-12-31")),
        ],
    )
    engine = Engine(plan, Values(a1_values(XIAN, {"202012": 100_000, "202112": 160_000, "202212": 250_000})))

    in_2022 = assess(engine, a1, XIAN, Period.parse("2022"), book).as_dict()
    assert in_2022["milestone"] == {"value": "28", "comparison": "gte", "date": "2022-12-31"}
    assert in_2022["value"] == "25" and in_2022["milestone_met"] is False

    in_2021 = assess(engine, a1, XIAN, Period.parse("2021"), book).as_dict()
    assert in_2021["milestone"]["value"] == "15" and in_2021["milestone_met"] is True

    # mid-2022 the milestone due is 2021's, judged on the month that contains its date
    mid_2022 = assess(engine, a1, XIAN, Period.parse("202206"), book).as_dict()
    assert mid_2022["milestone"]["date"] == "2021-12-31" and mid_2022["milestone_met"] is True


def test_a_citys_own_milestones_replace_the_provinces(plan):
    book = TargetBook(
        plan,
        [
            UnitTarget("A1", PROVINCE, at(15, "gte", "2021-12-31")),
            UnitTarget("A1", XIAN, at(20, "gte", "2022-06-30")),
        ],
    )
    for_xian = book.for_unit(plan.indicator("A1"), XIAN)
    assert [m.value for m in for_xian.milestones] == [D(20)]
    assert [m.value for m in book.for_unit(plan.indicator("A1"), BAOJI).milestones] == [D(15)]
    # a count binds no city, so neither do the province's milestones for it
    counted = TargetBook(plan, [UnitTarget("B1", PROVINCE, at(5_000_000, "gte", "2021-12-31"))])
    assert counted.for_unit(plan.indicator("B1"), XIAN).milestones == ()
    assert [m.value for m in counted.for_unit(plan.indicator("B1"), PROVINCE).milestones] == [D(5_000_000)]


def test_the_trajectory_runs_from_the_2020_baseline_through_the_milestones_to_the_target(plan):
    a1 = plan.indicator("A1")
    book = TargetBook(
        plan,
        [
            UnitTarget("A1", PROVINCE, at(15, "gte", "2021-12-31")),
            UnitTarget("A1", PROVINCE, at(28, "gte", "2022-12-31")),
        ],
    )
    engine = Engine(plan, Values(a1_values(PROVINCE, {"202012": 100_000, "202206": 200_000})))

    assessment = assess(engine, a1, PROVINCE, Period.parse("202206"), book)
    assert assessment.baseline == (date(2020, 12, 31), D(10))
    assert assessment.series[0] == (Period.parse("202012"), D(10))
    assert [v for _, v in assessment.trajectory] == [D(10), D(15), D(28), D(40)]
    # 2021-12-31 → 2022-06-30 is 181 of the 365 days to the 2022 milestone: 15 + 13 × 181 / 365
    expected = D(15) + D(13) * D(181) / D(365)
    assert D(assessment.as_dict()["trajectory_value"]) == expected


def test_the_path_is_straight_between_knots_and_absent_outside_them():
    knots = [(date(2020, 12, 31), D(0)), (date(2021, 12, 31), D(365))]
    assert on_path(knots, date(2021, 1, 31)) == D(31)
    assert on_path(knots, date(2020, 12, 30)) is None and on_path(knots, date(2022, 1, 1)) is None
    assert on_path([], date(2021, 1, 1)) is None


def test_milestones_in_the_plan_file_bind_like_those_the_province_sets(plan):
    a5 = plan.indicator("A5")
    with_milestone = dataclasses.replace(a5, milestones=(at(8, "gte", "2021-12-31"),))
    units = TargetBook(plan).for_unit(with_milestone, XIAN)
    assert [m.value for m in units.milestones] == [D(8)] and units.final == a5.target


@given(
    st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=2, max_size=6),
    st.integers(min_value=0, max_value=2000),
)
def test_the_path_meets_every_knot_and_stays_between_neighbouring_knots(values, offset):
    knots = [(date(2020, 12, 31) + timedelta(days=365 * i), D(v)) for i, v in enumerate(values)]
    for day, value in knots:
        assert on_path(knots, day) == value
    when = knots[0][0] + timedelta(days=offset % (365 * (len(knots) - 1) + 1))
    found = on_path(knots, when)
    (before, after) = next((a, b) for a, b in itertools.pairwise(knots) if a[0] <= when <= b[0])
    assert min(before[1], after[1]) <= found <= max(before[1], after[1])
