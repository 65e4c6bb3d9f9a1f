"""The generated demo set: what it is made of, that it is labelled, and that it loads once.

Nothing here takes an indicator value computed from demo figures as an expected answer; what is checked is
the demo's shape and what the demo claims about itself (cities on both sides of the targets).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Engine, Values
from yangfan.core.periods import Period
from yangfan.datavalues.demo import (
    CBN_SERVICE_FROM,
    CENSUS_2020,
    DEMO_COMMENT,
    demo_months,
    demo_plan,
    demo_rows,
    split_exactly,
)

PROVINCE_CENSUS_2020 = 39_528_999  # published 七普 figure


@cache
def _plan():
    return demo_plan()


@cache
def _rows():
    return tuple(demo_rows(plan=_plan()))


def _leaves(city: str) -> set[str]:
    return {u.code for u in _plan().org_tree.leaves(city)}


def test_the_cities_census_figures_sum_to_the_province():
    assert sum(CENSUS_2020.values()) == PROVINCE_CENSUS_2020
    assert set(CENSUS_2020) == {u.code for u in _plan().org_tree.children("610000")}


def test_county_populations_sum_to_their_citys_census_figure():
    population = {
        r.org_unit: r.value for r in _rows() if r.data_element == "population" and r.period == "2020"
    }
    for city, census in CENSUS_2020.items():
        assert sum(population[code] for code in _leaves(city)) == census, city
    assert sum(population.values()) == PROVINCE_CENSUS_2020
    assert population["610403"] == CENSUS_2020["YANGLING"]  # 杨陵区 is all of 杨凌示范区


def test_population_is_reported_yearly_for_every_county_and_nowhere_else():
    rows = [r for r in _rows() if r.data_element == "population"]
    leaves = {u.code for u in _plan().org_tree.leaves("610000")}
    assert len(leaves) == 107
    assert Counter((r.org_unit, r.operator) for r in rows) == {(code, None): 4 for code in leaves}
    assert {r.period for r in rows} == {"2020", "2021", "2022", "2023"}
    totals = defaultdict(Decimal)
    for r in rows:
        totals[r.period] += r.value
    assert all(
        abs(total - PROVINCE_CENSUS_2020) < PROVINCE_CENSUS_2020 * Decimal("0.02")
        for total in totals.values()
    )


def test_every_county_and_operator_reports_every_month_of_every_operator_figure():
    plan = _plan()
    by_operator = {e.code for e in plan.data_elements if e.by_operator}
    leaves = {u.code for u in plan.org_tree.leaves("610000")}
    operators = {o.code for o in plan.operators}
    months = {str(m) for m in demo_months()}
    assert min(months) == "202012" and max(months) == "202312" and len(months) == 37
    reported = Counter(
        (r.data_element, r.org_unit, r.operator, r.period) for r in _rows() if r.data_element in by_operator
    )
    expected = {
        (de, org, op, month) for de in by_operator for org in leaves for op in operators for month in months
    }
    assert set(reported) == expected and set(reported.values()) == {1}
    assert by_operator == {
        "mobile_users_5g",
        "mobile_users_total",
        "base_stations_5g",
        "traffic_5g",
        "traffic_mobile_total",
        "iot_terminals_5g",
    }
    assert 80_000 < len(_rows()) < 120_000


def test_no_total_is_stored_for_a_city_the_province_or_a_group():
    by_operator = {e.code for e in _plan().data_elements if e.by_operator}
    aggregates = {"610000", *CENSUS_2020, *_plan().org_tree.groups}
    assert not [r for r in _rows() if r.org_unit in aggregates and r.data_element in by_operator]
    assert not [r for r in _rows() if r.data_element == "population" and r.org_unit in aggregates]
    assert {r.org_unit for r in _rows() if r.data_element.startswith("large_industrial")} == set(CENSUS_2020)


def test_figures_are_whole_non_negative_and_consistent_per_row():
    rows = _rows()
    assert all(r.value >= 0 and r.value == r.value.to_integral_value() for r in rows)
    index = {(r.data_element, r.org_unit, r.period, r.operator): r.value for r in rows}
    for (element, org, period, operator), value in index.items():
        if element == "mobile_users_5g":
            assert value <= index["mobile_users_total", org, period, operator]
        if element == "traffic_5g":
            assert value <= index["traffic_mobile_total", org, period, operator]


def test_china_broadnet_reports_zeros_before_it_began_and_a_small_share_after():
    rows = [r for r in _rows() if r.data_element == "mobile_users_5g"]
    early = [r.value for r in rows if r.operator == "cbn" and Period.parse(r.period) < CBN_SERVICE_FROM]
    assert early and set(early) == {0}
    at_end = Counter()
    for r in rows:
        if r.period == "202312":
            at_end[r.operator] += r.value
    share = {op: value / sum(at_end.values()) for op, value in at_end.items()}
    assert 0 < share["cbn"] < Decimal("0.06") and share["cmcc"] > share["ctcc"] > share["cbn"]


def test_the_same_seed_gives_the_same_demo_and_another_seed_another():
    assert demo_rows(plan=_plan()) == list(_rows())
    assert demo_rows(seed=7, plan=_plan()) != list(_rows())


def test_some_cities_are_ahead_of_the_targets_and_some_behind():
    """What the demo claims, computed through the engine's aggregation of county × operator figures."""
    plan = _plan()
    values = Values(
        CoreDataValue(r.data_element, r.org_unit, Period.parse(r.period), r.value, r.operator)
        for r in _rows()
    )
    engine = Engine(plan, values)
    indicators = {i.code: i for i in plan.indicators}
    for code in ("A1", "A5"):
        target = indicators[code].target.value
        results = [
            engine.evaluate(indicators[code], city, Period.parse("202312")).value for city in CENSUS_2020
        ]
        assert None not in results
        assert any(v > target for v in results) and any(v < target for v in results), code
    province = engine.total("mobile_users_5g", "610000", Period.parse("202312"))
    assert province == sum(
        r.value for r in _rows() if r.data_element == "mobile_users_5g" and r.period == "202312"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.floats(min_value=0.01, max_value=1000, allow_nan=False), min_size=1, max_size=20),
)
def test_a_split_sums_exactly_to_the_whole_and_follows_the_weights(total, weights):
    parts = split_exactly(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)
    scale = sum(weights)
    assert all(abs(p - total * w / scale) < 1 for p, w in zip(parts, weights, strict=True))


@pytest.mark.django_db
def test_the_demo_loads_labelled_and_audited_and_a_second_load_adds_nothing(plan):
    from yangfan.audit.models import AuditEntry
    from yangfan.audit.services import audit_verify
    from yangfan.datavalues.demo import demo_values_load
    from yangfan.datavalues.models import DataValue

    audited = AuditEntry.objects.count()

    added = demo_values_load()

    assert added == len(_rows()) == DataValue.objects.count()
    assert set(DataValue.objects.values_list("comment", flat=True).distinct()) == {DEMO_COMMENT}
    assert DEMO_COMMENT.startswith("演示数据")
    assert AuditEntry.objects.count() == audited + added + 1  # one per value and the import itself
    assert audit_verify().ok
    assert demo_values_load() == 0 and DataValue.objects.count() == added


def test_the_history_generator_writes_labelled_copies_years_earlier_once(db, monkeypatch, settings):
    """``yangfan demo values --scale N``: N−1 copies of the demo set, each moved back four more years, labelled as
    generated history, through the import; a second run adds nothing."""
    from yangfan.datavalues import demo
    from yangfan.datavalues.models import DataValue

    sample = [
        demo.DemoRow("population", "610102", "2020", None, Decimal(1000)),
        demo.DemoRow("mobile_users_5g", "610102", "202012", "cmcc", Decimal(10)),
        demo.DemoRow("base_stations_5g", "610103", "2023Q4", None, Decimal(7)),
    ]
    monkeypatch.setattr(demo, "demo_rows", lambda *a, **k: sample)
    # eight years back from 2020 is 2012: values that early are refused unless the store allows them, knowingly
    with pytest.raises(demo.DemoHistoryOutOfRange, match="YANGFAN_BASELINE_YEARS=9"):
        demo.demo_history_load(3)
    assert not DataValue.objects.exists()
    settings.YANGFAN_BASELINE_YEARS = 9
    assert demo.demo_history_load(3) == 6
    stored = set(DataValue.objects.values_list("data_element__code", "org_unit__code", "period", "comment"))
    label = demo.HISTORY_COMMENT
    assert stored == {
        ("population", "610102", "2016", label),
        ("mobile_users_5g", "610102", "201612", label),
        ("base_stations_5g", "610103", "2019Q4", label),
        ("population", "610102", "2012", label),
        ("mobile_users_5g", "610102", "201212", label),
        ("base_stations_5g", "610103", "2015Q4", label),
    }
    assert "生成" in label and "非真实" in label
    assert demo.demo_history_load(3) == 0 and DataValue.objects.count() == 6
