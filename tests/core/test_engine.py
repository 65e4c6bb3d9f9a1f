"""The indicator engine on hand-computed cases, and its rules as properties."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.engine import DataValue, Engine, NoValue, Values
from yangfan.core.periods import Period

P2023 = Period.parse("2023")
D = Decimal


def dv(element, org, period, value, operator=None):
    return DataValue(element, org, Period.parse(period), D(value), operator)


def engine(plan, *values, counts=None):
    return Engine(plan, Values(values), counts or (lambda *a: None))


def test_a1_for_the_province_divides_summed_users_by_summed_population(plan):
    # two cities report; the province has no own figure, so it is the sum of what is counted in it
    e = engine(
        plan,
        dv("population", "610100", "2023", 13_000_000),
        dv("population", "610300", "2023", 3_000_000),
        dv("mobile_users_5g", "610100", "202312", 6_500_000),
        dv("mobile_users_5g", "610300", "202312", 900_000),
    )
    result = e.evaluate(plan.indicator("A1"), "610000", P2023)
    assert result.numerator == D(7_400_000) and result.denominator == D(16_000_000)
    assert result.value == D("46.25")  # not the mean of 50 % and 30 %
    assert e.evaluate(plan.indicator("A1"), "610300", P2023).value == D(30)


def test_a5_per_ten_thousand_people_at_county_level(plan):
    e = engine(
        plan, dv("population", "610116", "2023", 1_400_000), dv("base_stations_5g", "610116", "202312", 3_150)
    )
    assert e.evaluate(plan.indicator("A5"), "610116", P2023).value == D("22.5")


def test_a_stock_takes_the_last_value_and_a_flow_sums_the_period(plan):
    months = [f"2023{m:02d}" for m in range(1, 13)]
    e = engine(
        plan,
        *[dv("base_stations_5g", "610200", m, 100 + i) for i, m in enumerate(months)],
        *[dv("traffic_5g", "610200", m, 10) for m in months],
    )
    assert e.total("base_stations_5g", "610200", P2023) == D(111)
    assert e.total("base_stations_5g", "610200", Period.parse("2023Q2")) == D(105)
    assert e.total("traffic_5g", "610200", P2023) == D(120)
    assert e.total("traffic_5g", "610200", Period.parse("2023Q3")) == D(30)


def test_a_flow_with_a_missing_month_has_no_value_for_the_year(plan):
    e = engine(plan, *[dv("traffic_5g", "610200", f"2023{m:02d}", 10) for m in range(1, 12)])
    with pytest.raises(NoValue, match="缺少数据"):
        e.total("traffic_5g", "610200", P2023)
    assert e.total("traffic_5g", "610200", Period.parse("2023Q3")) == D(30)


def test_a_yearly_population_serves_each_month(plan):
    e = engine(
        plan, dv("population", "610200", "2023", 700_000), dv("mobile_users_5g", "610200", "202303", 210_000)
    )
    assert e.evaluate(plan.indicator("A1"), "610200", Period.parse("202303")).value == D(30)


def test_a_citys_own_figure_wins_over_its_counties_and_a_corrected_county_changes_the_sum(plan):
    values = Values(
        [dv("base_stations_5g", "610202", "202312", 100), dv("base_stations_5g", "610203", "202312", 50)]
    )
    e = Engine(plan, values)
    assert e.total("base_stations_5g", "610200", P2023) == D(150)
    values.add(dv("base_stations_5g", "610203", "202312", 70))  # a county corrects its figure
    assert e.total("base_stations_5g", "610200", P2023) == D(170)
    values.add(dv("base_stations_5g", "610200", "202312", 160))  # the city reports its own total
    assert e.total("base_stations_5g", "610200", P2023) == D(160)
    assert e.total("base_stations_5g", "610000", P2023) == D(160)  # counted once, not 160 + 170


def test_operator_parts_sum_to_a_total_unless_the_total_is_reported(plan):
    parts = [
        dv("mobile_users_5g", "610500", "202312", v, op)
        for op, v in (("cmcc", 60), ("cucc", 25), ("ctcc", 15))
    ]
    assert Engine(plan, Values(parts)).total("mobile_users_5g", "610500", P2023) == D(100)
    both = Values([*parts, dv("mobile_users_5g", "610500", "202312", 101)])
    assert Engine(plan, both).total("mobile_users_5g", "610500", P2023) == D(101)


def test_yangling_is_counted_once_in_the_province_not_in_xianyang(plan):
    e = engine(
        plan, dv("population", "610403", "2023", 253_871), dv("population", "610402", "2023", 1_000_000)
    )
    assert e.total("population", "YANGLING", P2023) == D(253_871)
    assert e.total("population", "610400", P2023) == D(1_000_000)
    assert e.total("population", "610000", P2023) == D(1_253_871)


def test_a_group_sums_its_members_and_never_changes_a_total(plan):
    e = engine(plan, dv("population", "610581", "2023", 380_000), dv("population", "610502", "2023", 900_000))
    assert e.total("population", "HANCHENG", P2023) == D(380_000)
    assert e.total("population", "610500", P2023) == D(1_280_000)
    assert e.total("population", "610000", P2023) == D(1_280_000)


def test_division_by_zero_and_missing_data_give_no_value_with_the_reason(plan):
    e = engine(plan, dv("traffic_5g", "610200", "2023", 5), dv("traffic_mobile_total", "610200", "2023", 0))
    result = e.evaluate(plan.indicator("A2"), "610200", P2023)
    assert result.value is None and "分母为0" in result.reason
    missing = e.evaluate(plan.indicator("A1"), "610200", P2023)
    assert missing.value is None and "mobile_users_5g" in missing.reason and "铜川市" in missing.reason


@pytest.mark.parametrize(
    ("period", "current", "expected"), [("2021", 300, "2"), ("2022", 900, "2"), ("2023", 2700, "2")]
)
def test_a4_is_compound_growth_from_the_end_of_2020(plan, period, current, expected):
    e = engine(
        plan,
        dv("iot_terminals_5g", "610000", "202012", 100),
        dv("iot_terminals_5g", "610000", f"{period}12", current),
    )
    result = e.evaluate(plan.indicator("A4"), "610000", Period.parse(period))
    assert result.value.quantize(D("0.000001")) == D(expected) * 100  # tripling each year: 200 %


def test_a4_at_the_base_year_or_with_a_zero_base_has_no_value(plan):
    e = engine(
        plan, dv("iot_terminals_5g", "610000", "202012", 0), dv("iot_terminals_5g", "610000", "202312", 10)
    )
    assert "基期" in e.evaluate(plan.indicator("A4"), "610000", P2023).reason
    assert e.evaluate(plan.indicator("A4"), "610000", Period.parse("2020")).value is None


def test_a7_is_the_smallest_count_over_key_industries_so_one_empty_industry_gives_zero(plan):
    counts = {"industrial-internet": 5, "smart-mining": 4}

    def benchmarks(registry, org, period, sector):
        assert registry == "benchmark"
        return D(counts.get(sector, 0))

    e = engine(plan, counts=benchmarks)
    result = e.evaluate(plan.indicator("A7"), "610000", P2023)
    assert result.value == D(0)
    counts.update({s.code: 3 for s in plan.sectors if s.key_industry and s.code not in counts})
    assert e.evaluate(plan.indicator("A7"), "610000", P2023).value == D(3)


def test_a6_counts_the_registry(plan):
    e = engine(
        plan, counts=lambda registry, org, period, sector: D(76) if registry == "industry_vpn" else None
    )
    assert e.evaluate(plan.indicator("A6"), "610000", P2023).value == D(76)
    assert (
        engine(plan).evaluate(plan.indicator("A6"), "610000", P2023).reason == "登记簿 industry_vpn 尚无数据"
    )


COUNTIES = ["610102", "610103", "610202", "610302", "610403", "610581", "610822", "611002"]
amounts = st.integers(min_value=0, max_value=10**9)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(COUNTIES), st.tuples(amounts, st.integers(min_value=1, max_value=10**9)), min_size=1
    )
)
def test_aggregating_then_computing_equals_computing_on_pooled_data(plan, figures):
    values = [dv("mobile_users_5g", c, "202312", u) for c, (u, _) in figures.items()]
    values += [dv("population", c, "2023", p) for c, (_, p) in figures.items()]
    result = engine(plan, *values).evaluate(plan.indicator("A1"), "610000", P2023)
    pooled_users = sum(u for u, _ in figures.values())
    pooled_population = sum(p for _, p in figures.values())
    assert result.numerator == pooled_users and result.denominator == pooled_population
    assert result.value == D(pooled_users) / D(pooled_population) * 100


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(COUNTIES), amounts), min_size=1, max_size=8, unique_by=lambda t: t[0]),
    st.randoms(),
)
def test_the_order_of_values_never_matters_and_groups_never_add(plan, figures, rnd):
    values = [dv("base_stations_5g", c, "202312", v) for c, v in figures]
    shuffled = values[:]
    rnd.shuffle(shuffled)
    total = engine(plan, *values).total("base_stations_5g", "610000", P2023)
    assert (
        total
        == engine(plan, *shuffled).total("base_stations_5g", "610000", P2023)
        == sum(v for _, v in figures)
    )


def test_an_assessment_carries_value_target_verdict_status_and_pace(plan):
    values = [dv("population", "610000", str(y), 39_500_000) for y in (2021, 2022, 2023)]
    values += [
        dv("mobile_users_5g", "610000", f"{y}12", u) for y, u in ((2021, 5_925_000), (2022, 11_850_000))
    ]
    e = engine(plan, *values)
    from yangfan.core.engine import assess

    in_2022 = assess(e, plan.indicator("A1"), "610000", Period.parse("2022")).as_dict()
    assert in_2022["value"] == "30" and in_2022["target"] == "40" and in_2022["target_met"] is False
    assert in_2022["status"] == "on_track"  # +15 points a year reaches 45 by the end of 2023
    assert D(in_2022["pace_per_month"]) == D(10) / D(12)
    assert in_2022["numerator"] == "11850000" and in_2022["denominator"] == "39500000"

    e.values.add(dv("mobile_users_5g", "610000", "202312", 16_590_000))
    in_2023 = assess(e, plan.indicator("A1"), "610000", P2023).as_dict()
    assert in_2023["value"] == "42" and in_2023["target_met"] is True and in_2023["status"] == "achieved"


def test_an_assessment_without_a_value_has_unknown_status(plan):
    from yangfan.core.engine import assess

    result = assess(engine(plan), plan.indicator("A5"), "610100", P2023).as_dict()
    assert result["value"] is None and result["status"] == "unknown" and result["target_met"] is None
    assert "缺少数据" in result["reason"]


# Counties only report; the city (西安: 长安区 + 雁塔区) and the province (those two and 宝鸡's 渭滨区) are sums.
LEVELS = [
    ("population", "2023", (1_000_000, 1_500_000, 500_000)),
    ("mobile_users_5g", "202312", (450_000, 600_000, 150_000)),
    ("traffic_5g", "2023", (600, 1_000, 100)),
    ("traffic_mobile_total", "2023", (1_000, 1_500, 500)),
    ("large_industrial_enterprises", "2023", (20, 30, 10)),
    ("large_industrial_enterprises_5g", "2023", (8, 9, 1)),
    ("iot_terminals_5g", "202012", (100, 200, 100)),
    ("iot_terminals_5g", "202312", (2_700, 1_600, 100)),
    ("base_stations_5g", "202312", (1_800, 2_400, 500)),
]
COUNTY, OTHER_COUNTY, BAOJI_COUNTY = "610116", "610113", "610302"


def _cagr_3y(start, end):
    with localcontext() as ctx:
        ctx.prec = 28
        return ((D(end) / D(start)) ** (D(1) / D(3)) - 1) * 100


@pytest.mark.parametrize(
    ("code", "county", "city", "province"),
    [
        ("A1", D(45), D(42), D(40)),  # 450k / 1M; 1.05M / 2.5M; 1.2M / 3M
        ("A2", D(60), D(64), D(1_700) / D(3_000) * 100),  # flows over the year
        ("A3", D(40), D(34), D(30)),  # 8/20; 17/50; 18/60
        ("A4", D(200), _cagr_3y(300, 4_300), _cagr_3y(400, 4_400)),  # 2,700 = 100 × 3³
        ("A5", D(18), D("16.8"), D(4_700) / D(3_000_000) * 10_000),
    ],
)
def test_each_annex_rate_at_county_city_and_province_level(plan, code, county, city, province):
    values = [
        dv(element, org, period, v)
        for element, period, figures in LEVELS
        for org, v in zip((COUNTY, OTHER_COUNTY, BAOJI_COUNTY), figures, strict=True)
    ]
    e = engine(plan, *values)
    found = [e.evaluate(plan.indicator(code), org, P2023).value for org in (COUNTY, "610100", "610000")]
    assert [v.quantize(D("1e-18")) for v in found] == [
        v.quantize(D("1e-18")) for v in (county, city, province)
    ]
