"""Validation rules and reconciliation on hand-computed cases, and their rules as properties."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.engine import DataValue, Values
from yangfan.core.periods import Period
from yangfan.core.plan import Importance, RuleKind
from yangfan.core.validation import (
    Variance,
    check,
    figure,
    official_data_sets,
    periods_checked,
    reconcile,
)

D = Decimal
DEC = Period.parse("202312")
CHANGAN, WEIYANG, XIAN = "610116", "610112", "610100"


def dv(element, org, period, value, operator=None):
    return DataValue(element, org, Period.parse(period), D(value), operator)


def rules(plan, *codes):
    return [r for r in plan.validation_rules if r.code in codes]


def run(plan, *values, period=DEC, units=(CHANGAN,), only=None):
    return check(plan, Values(values), list(units), period, rules(plan, *only) if only else None)


def test_v01_5g_users_above_all_users_is_an_error_of_that_operator(plan):
    (finding,) = run(
        plan,
        dv("mobile_users_5g", CHANGAN, "202312", 1200, "cmcc"),
        dv("mobile_users_total", CHANGAN, "202312", 1000, "cmcc"),
        dv("mobile_users_5g", CHANGAN, "202312", 300, "ctcc"),
        dv("mobile_users_total", CHANGAN, "202312", 1000, "ctcc"),
        only=["V01"],
    )  # the total (1,500 ≤ 2,000) holds: only 中国移动's part is wrong
    assert finding.message == "5G移动电话用户数 1,200 > 移动电话用户总数 1,000（长安区，202312，中国移动）"
    assert finding.key == "V01|610116|202312|cmcc"
    assert (finding.importance, finding.operator, finding.data_element) == (
        Importance.ERROR,
        "cmcc",
        "mobile_users_5g",
    )
    assert (finding.left, finding.right) == (D(1200), D(1000))


def test_v01_holds_at_equality_and_on_the_undivided_total(plan):
    assert (
        run(
            plan,
            dv("mobile_users_5g", CHANGAN, "202312", 1000),
            dv("mobile_users_total", CHANGAN, "202312", 1000),
            only=["V01"],
        )
        == []
    )
    (finding,) = run(
        plan,
        dv("mobile_users_5g", CHANGAN, "202312", 1001),
        dv("mobile_users_total", CHANGAN, "202312", 1000),
        only=["V01"],
    )
    assert finding.operator is None and finding.key == "V01|610116|202312|"
    assert finding.message.endswith("（长安区，202312）")


def test_v04_penetration_above_100_with_a_yearly_population_serving_the_month(plan):
    (finding,) = run(
        plan,
        dv("mobile_users_5g", CHANGAN, "202312", 1_050_000),
        dv("population", CHANGAN, "2023", 1_000_000),
        only=["V04"],
    )
    assert finding.left == D(105) and finding.right == D(100)
    assert finding.message == "5G移动电话用户数 / 常住人口 × 100 = 105 > 100（长安区，202312）"
    assert finding.data_element == "mobile_users_5g"  # the left side's first element


def test_v04_sums_the_operators_parts_for_the_total(plan):
    (finding,) = run(
        plan,
        dv("mobile_users_5g", CHANGAN, "202312", 600_000, "cmcc"),
        dv("mobile_users_5g", CHANGAN, "202312", 500_000, "ctcc"),
        dv("population", CHANGAN, "2023", 1_000_000),
        only=["V04"],
    )  # 1,100,000 / 1,000,000: 110 % on the total; each part alone is below 100 %
    assert finding.operator is None and finding.left == D(110)


@pytest.mark.parametrize(
    "values",
    [
        [dv("mobile_users_5g", CHANGAN, "202312", 1_050_000)],  # no population
        [dv("population", CHANGAN, "2023", 1_000_000)],  # no users
        [dv("mobile_users_5g", CHANGAN, "202312", 5), dv("population", CHANGAN, "2023", 0)],  # 0 population
        [
            dv("mobile_users_5g", CHANGAN, "202311", 1_050_000),
            dv("population", CHANGAN, "2023", 1),
        ],  # other month
        [
            dv("mobile_users_5g", WEIYANG, "202312", 1_050_000),
            dv("population", CHANGAN, "2023", 1),
        ],  # other unit
    ],
)
def test_a_side_with_no_value_skips_the_rule(plan, values):
    assert run(plan, *values, only=["V01", "V04", "V05"]) == []


def test_a_unit_is_judged_on_its_own_figures_never_on_its_childrens_sum(plan):
    values = [
        dv("mobile_users_5g", CHANGAN, "202312", 2000),
        dv("mobile_users_total", CHANGAN, "202312", 1000),
    ]
    assert run(plan, *values, units=[XIAN]) == []
    assert [f.rule for f in run(plan, *values, units=[XIAN, CHANGAN])] == ["V01"]


def test_v06_operators_parts_must_add_up_to_the_total(plan):
    (finding,) = run(
        plan,
        dv("mobile_users_total", CHANGAN, "202312", 1000),
        dv("mobile_users_total", CHANGAN, "202312", 600, "cmcc"),
        dv("mobile_users_total", CHANGAN, "202312", 300, "cucc"),
        dv("mobile_users_total", CHANGAN, "202312", 200, "ctcc"),
        only=["V06"],
    )
    assert finding.message == (
        "移动电话用户总数：各运营商分项之和 1,100（中国移动 600、中国联通 300、中国电信 200）≠ 合计 1,000（长安区，202312）"
    )
    assert (finding.left, finding.right) == (D(1100), D(1000))
    assert finding.key == "V06|610116|202312||mobile_users_total"
    assert finding.kind == RuleKind.OPERATOR_SUM


@pytest.mark.parametrize(
    ("total", "fires"), [(1000, False), (600, False), (1100, False), (599, True), (1101, True)]
)
def test_v06_lets_shared_stations_count_once_in_the_total_and_for_each_operator(plan, total, fires):
    findings = run(
        plan,
        dv("base_stations_5g", CHANGAN, "202312", total),
        dv("base_stations_5g", CHANGAN, "202312", 600, "cmcc"),
        dv("base_stations_5g", CHANGAN, "202312", 300, "cucc"),
        dv("base_stations_5g", CHANGAN, "202312", 200, "ctcc"),
        only=["V06"],
    )
    assert bool(findings) == fires
    if fires:
        assert "共建共享的只在合计中计一次" in findings[0].message


@pytest.mark.parametrize(
    "values",
    [
        [("cmcc", 600), ("cucc", 400), (None, 1000)],  # they agree
        [("cmcc", 600), ("cucc", 300)],  # parts only
        [(None, 1000)],  # the total only
    ],
)
def test_v06_is_silent_where_parts_agree_or_one_side_is_missing(plan, values):
    rows = [dv("base_stations_5g", CHANGAN, "202312", v, op) for op, v in values]
    assert run(plan, *rows, only=["V06"]) == []


@pytest.mark.parametrize(
    ("previous", "current", "fires"),
    [
        (1000, 1300, False),  # exactly 30 %: within the limit
        (1000, 1301, True),
        (1000, 700, False),  # exactly −30 %
        (1000, 699, True),
        (0, 500, False),  # no base to measure a change against
    ],
)
def test_v07_jump_over_30_percent(plan, previous, current, fires):
    found = run(
        plan,
        dv("base_stations_5g", CHANGAN, "202311", previous, "cmcc"),
        dv("base_stations_5g", CHANGAN, "202312", current, "cmcc"),
        only=["V07"],
    )
    assert [(f.rule, f.operator) for f in found] == ([("V07", "cmcc")] if fires else [])


def test_v07_message_names_both_periods_and_the_change(plan):
    found = run(
        plan,
        dv("base_stations_5g", CHANGAN, "202311", 1000, "cmcc"),
        dv("base_stations_5g", CHANGAN, "202312", 1400, "cmcc"),
        dv("base_stations_5g", CHANGAN, "202311", 100, "ctcc"),
        dv("base_stations_5g", CHANGAN, "202312", 100, "ctcc"),
        only=["V07"],
    )
    # 中国移动 40 %, 中国电信 0 %; their sum (1,100 → 1,500, 36.36 %) is no total reported: 中国移动's finding says it
    assert [f.message for f in found] == [
        "5G基站数 1,400 较上期（202311）1,000 增长 40%，超过 30%（长安区，202312，中国移动）",
    ]
    assert found[0].importance == Importance.WARNING
    (total,) = run(
        plan,
        dv("base_stations_5g", CHANGAN, "202311", 1100),
        dv("base_stations_5g", CHANGAN, "202312", 1500),
        only=["V07"],
    )
    assert total.message == "5G基站数 1,500 较上期（202311）1,100 增长 36.36%，超过 30%（长安区，202312）"


def test_v07_never_compares_a_total_with_a_sum_of_parts(plan):
    found = run(
        plan,
        dv("base_stations_5g", CHANGAN, "202311", 1000, "cmcc"),
        dv("base_stations_5g", CHANGAN, "202312", 2000),
        only=["V07"],
    )
    assert found == []


def test_jump_needs_the_previous_period_of_the_same_kind(plan):
    assert run(plan, dv("base_stations_5g", CHANGAN, "202312", 2000), only=["V07"]) == []
    (finding,) = run(
        plan,
        dv("population", CHANGAN, "2022", 1_000_000),
        dv("population", CHANGAN, "2023", 1_060_000),
        period=Period.parse("2023"),
        only=["V10"],
    )
    assert "较上期（2022）" in finding.message and "超过 5%" in finding.message


def test_a_quarterly_figure_is_checked_at_its_quarter(plan):
    q4 = Period.parse("2023Q4")
    found = run(
        plan,
        dv("base_stations_5g", CHANGAN, "2023Q3", 1000),
        dv("base_stations_5g", CHANGAN, "2023Q4", 2000),
        dv("base_stations_5g", CHANGAN, "202312", 1000, "cmcc"),  # a month's figure is another report's
        dv("mobile_users_5g", CHANGAN, "2023Q4", 2_000_000),
        dv("population", CHANGAN, "2023", 1_000_000),
        period=q4,
    )
    assert [(f.rule, f.operator, f.period) for f in found] == [("V04", None, q4), ("V07", None, q4)]


def test_figures_in_messages():
    assert figure(D("1234567")) == "1,234,567"
    assert figure(D("104.16666")) == "104.17"
    assert figure(D("0.5")) == "0.5"
    assert figure(D("1E+3")) == "1,000"


# -- properties ---------------------------------------------------------------------------------------------------

OPERATORS = ["cmcc", "cucc", "ctcc", "cbn"]
COUNTIES = [CHANGAN, WEIYANG, "610113"]


@st.composite
def plausible_reports(draw):
    """Figures that satisfy V01, V04, V06 and V07 by construction, for some counties and operators."""
    values = []
    for county in draw(st.lists(st.sampled_from(COUNTIES), min_size=1, unique=True)):
        operators = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, unique=True))
        users_total = users_5g = stations = 0
        for op in operators:
            total = draw(st.integers(0, 10**7))
            five_g = draw(st.integers(0, total))
            before = draw(st.integers(1, 10**5))
            limit = before * 3 // 10
            now = before + draw(st.integers(-limit, limit))
            values += [
                dv("mobile_users_total", county, "202312", total, op),
                dv("mobile_users_5g", county, "202312", five_g, op),
                dv("base_stations_5g", county, "202311", before, op),
                dv("base_stations_5g", county, "202312", now, op),
            ]
            users_total, users_5g, stations = users_total + total, users_5g + five_g, stations + now
        population = users_5g + draw(st.integers(1, 10**7))
        values.append(dv("population", county, "2023", population))
        if draw(st.booleans()):  # the undivided totals as well, agreeing with the parts
            values += [
                dv("mobile_users_total", county, "202312", users_total),
                dv("mobile_users_5g", county, "202312", users_5g),
            ]
    return values


@settings(max_examples=60, deadline=None)
@given(plausible_reports())
def test_rules_never_fire_on_figures_that_satisfy_them(plan, values):
    assert run(plan, *values, units=COUNTIES, only=["V01", "V04", "V06"]) == []
    assert run(plan, *values, units=COUNTIES, only=["V07"]) == []


@st.composite
def any_reports(draw):
    elements = ["mobile_users_5g", "mobile_users_total", "base_stations_5g", "population"]
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(elements),
                st.sampled_from(COUNTIES),
                st.sampled_from(["202311", "202312", "2023"]),
                st.sampled_from([None, *OPERATORS]),
            ),
            unique=True,
            max_size=40,
        )
    )
    return [dv(e, o, p, draw(st.integers(0, 10**6)), op) for e, o, p, op in keys]


@settings(max_examples=60, deadline=None)
@given(any_reports(), st.randoms(use_true_random=False))
def test_the_order_of_values_never_matters(plan, values, rnd: random.Random):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert run(plan, *values, units=COUNTIES) == run(plan, *shuffled, units=COUNTIES)


@settings(max_examples=60, deadline=None)
@given(any_reports())
def test_every_finding_has_a_unique_key_and_names_its_figures(plan, values):
    found = run(plan, *values, units=COUNTIES)
    assert len({f.key for f in found}) == len(found)
    for f in found:
        assert f.left is not None and figure(f.left) in f.message


@st.composite
def reports_around(draw):
    """Figures of any kind of period in 2022–2024 (months, quarters, years), by operator or undivided, and a
    period of any kind to check."""
    periods = [
        *(f"{y}{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)),
        *(f"{y}Q{q}" for y in (2022, 2023, 2024) for q in range(1, 5)),
        "2022",
        "2023",
        "2024",
    ]
    elements = ["mobile_users_5g", "mobile_users_total", "base_stations_5g", "population", "traffic_5g"]
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(elements),
                st.sampled_from(COUNTIES),
                st.sampled_from(periods),
                st.sampled_from([None, *OPERATORS]),
            ),
            unique=True,
            max_size=80,
        )
    )
    values = [dv(e, o, p, draw(st.integers(0, 10**6)), op) for e, o, p, op in keys]
    checked = Period.parse(draw(st.sampled_from([p for p in periods if p.startswith("2023")])))
    return values, checked


@settings(max_examples=150, deadline=None)
@given(reports_around())
def test_the_periods_checked_are_all_a_check_reads(plan, case):
    """A check (and a reconciliation) over the values of ``periods_checked`` alone finds what it finds over every
    value: the pages and imports read that window only."""
    values, period = case
    window = periods_checked(period)
    inside = [v for v in values if v.period in window]
    assert check(plan, Values(inside), COUNTIES, period) == check(plan, Values(values), COUNTIES, period)
    assert reconcile(plan, Values(inside), XIAN, period) == reconcile(plan, Values(values), XIAN, period)


@settings(max_examples=100, deadline=None)
@given(any_reports(), st.lists(st.sampled_from([None, *OPERATORS]), unique=True), st.sampled_from(COUNTIES))
def test_checking_some_parts_finds_what_the_full_check_finds_of_them(plan, values, parts, county):
    """``check(operators=…)`` judges only the parts asked for: exactly the full check's findings of those parts."""
    wanted = {county: set(parts)}
    full = run(plan, *values, units=COUNTIES)
    some = check(plan, Values(values), COUNTIES, DEC, operators=wanted)
    assert some == [f for f in full if f.org_unit == county and f.operator in wanted[county]]


# -- reconciliation -----------------------------------------------------------------------------------------------


def test_the_official_figures_are_the_telecom_authoritys_read_from_the_plan(plan):
    assert [ds.code for ds in official_data_sets(plan)] == ["txglj-monthly"]


def test_reconcile_a_city_total_its_counties_and_the_operators(plan):
    """西安 2023Q4, base stations: the 通信管理局's December figure 10,000; the city's quarterly report (its
    counties) 长安区 6,000 + 未央区 3,900 = 9,900; the operators' December parts 长安区 5,000 + 1,000 and 未央区
    3,000 + 800 = 9,800."""
    q4 = Period.parse("2023Q4")
    values = Values(
        [
            dv("base_stations_5g", XIAN, "202311", 9_000),  # an earlier month: the stock's last value wins
            dv("base_stations_5g", XIAN, "202312", 10_000),
            dv("base_stations_5g", CHANGAN, "2023Q4", 6_000),
            dv("base_stations_5g", WEIYANG, "2023Q4", 3_900),
            dv("base_stations_5g", CHANGAN, "202312", 5_000, "cmcc"),
            dv("base_stations_5g", CHANGAN, "202312", 1_000, "ctcc"),
            dv("base_stations_5g", WEIYANG, "202312", 3_000, "cmcc"),
            dv("base_stations_5g", WEIYANG, "202312", 800, "ctcc"),
        ]
    )
    rows = {r.org_unit: r for r in reconcile(plan, values, XIAN, q4, ["base_stations_5g"])}
    assert set(rows) == {XIAN, CHANGAN, WEIYANG}  # counties with no figure at all are left out
    city = rows[XIAN]
    assert (city.depth, city.official, city.own, city.children, city.operators) == (
        0,
        D(10_000),
        None,  # the city's own figure is the official one: not shown twice
        D(9_900),
        D(9_800),
    )
    assert city.variances == (
        Variance("children", "official", D(-100), D(-1), False),  # exactly 1 %: not above the threshold
        Variance("operators", "official", D(-200), D(-2), True),
        Variance("operators", "children", D(-100), D(-100) / D(9_900) * 100, True),  # −1.0101 %
    )
    assert city.variances[2].percent.quantize(D("0.0001")) == D("-1.0101") and city.flagged
    changan = rows[CHANGAN]
    assert (changan.depth, changan.official, changan.own, changan.children, changan.operators) == (
        1,
        None,
        D(6_000),
        None,
        D(6_000),
    )
    assert changan.variances == (Variance("operators", "own", D(0), D(0), False),) and not changan.flagged
    weiyang = rows[WEIYANG]
    assert (weiyang.own, weiyang.operators) == (D(3_900), D(3_800))
    assert weiyang.variances[0].percent.quantize(D("0.01")) == D("-2.56") and weiyang.flagged


def test_a_variance_against_zero_is_flagged_unless_both_are_zero(plan):
    values = Values(
        [dv("iot_terminals_5g", CHANGAN, "202312", 0), dv("iot_terminals_5g", CHANGAN, "202312", 5, "cmcc")]
    )
    (row,) = reconcile(plan, values, CHANGAN, DEC, ["iot_terminals_5g"])
    assert row.variances == (Variance("operators", "own", D(5), None, True),)
