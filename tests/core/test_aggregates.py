"""Stored totals give exactly the engine's numbers: kept up to date write by write, they are read in place of the
values (ADR 0009), and every indicator of every unit at every kind of period comes out the same."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yangfan.core.aggregates import affected_units, inputs_needed, recompute, slices, year_periods
from yangfan.core.engine import DataValue, Engine, Values, assess
from yangfan.core.periods import Period, PeriodKind

D = Decimal

# a province, three cities (西安 with two districts, 渭南 with 韩城, 杨凌 counting 杨陵区), and 神木 in 榆林
UNITS = ["610000", "610100", "610102", "610103", "610500", "610581", "610502", "YANGLING", "610403", "610881"]
OPERATORS = [None, None, "cmcc", "cucc", "ctcc"]
PERIODS = [
    *(str(y) for y in (2020, 2021, 2022, 2023)),
    *(f"{y}Q{q}" for y in (2020, 2022, 2023) for q in range(1, 5)),
    *(f"{y}{m:02d}" for y in (2020, 2021, 2023) for m in (1, 2, 3, 6, 11, 12)),
]


class Stored:
    """The stored totals as the application keeps them (a dict here, a table there)."""

    def __init__(self):
        self.rows: dict[tuple[str, str, Period], Decimal] = {}

    def get(self, data_element: str, org_unit: str, period: Period) -> Decimal | None:
        return self.rows.get((data_element, org_unit, period))

    def apply(self, plan, values: Values, touched) -> None:
        for piece in slices(plan, touched):
            own = Values(
                DataValue(piece.data_element, unit, period, value, operator)
                for unit in piece.affected
                for period, parts in values.reported(piece.data_element, unit).items()
                if period.year == piece.year
                for operator, value in parts.items()
            )
            known = {
                (unit, period): self.rows[(piece.data_element, unit, period)]
                for unit in piece.needed
                for period in piece.periods
                if (piece.data_element, unit, period) in self.rows
            }
            for unit in piece.affected:
                for period in piece.periods:
                    self.rows.pop((piece.data_element, unit, period), None)
            fresh = recompute(plan, own, piece.data_element, piece.year, piece.affected, known, piece.needed)
            for (unit, period), value in fresh.items():
                self.rows[(piece.data_element, unit, period)] = value


def value_sets(plan):
    elements = [e.code for e in plan.data_elements]
    one = st.tuples(
        st.sampled_from(elements),
        st.sampled_from(UNITS),
        st.sampled_from(PERIODS),
        st.sampled_from(OPERATORS),
        st.integers(min_value=0, max_value=10**7).map(lambda n: D(n) / 100),
    )
    return st.lists(one, min_size=1, max_size=60)


def registry_counts(registry, org_unit, period, sector):
    return D(len(org_unit) + period.year % 7 + (len(sector) if sector else 0))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_stored_totals_kept_write_by_write_equal_the_engine_on_every_value(plan, data):
    rows = data.draw(value_sets(plan))
    batches = data.draw(st.integers(min_value=1, max_value=4))
    values, stored = Values(), Stored()
    # written in batches, a later batch correcting values of an earlier one
    for start in range(batches):
        batch = rows[start::batches]
        for element, unit, period, operator, value in batch:
            values.add(DataValue(element, unit, Period.parse(period), value, operator))
        stored.apply(plan, values, {(e, u, Period.parse(p).year) for e, u, p, _o, _v in batch})

    before = Engine(plan, values, registry_counts)
    after = Engine(plan, registry_counts=registry_counts, totals=stored)
    units = [*UNITS, "610200", "610800", "HANCHENG", "SHENMU", "XIXIAN"]
    for element in plan.data_elements:
        for unit in units:
            for year in (2020, 2021, 2022, 2023):  # every month of 2023 also comes in the assessments' series
                for period in year_periods(year)[:6:2] + year_periods(year)[5::5]:
                    assert before.total_or_none(element.code, unit, period) == after.total_or_none(
                        element.code, unit, period
                    ), (element.code, unit, period)
    for period in map(Period.parse, ("2023", "2022Q3", "202312")):
        for unit in ("610000", "610100", "610500", "YANGLING", "HANCHENG"):
            for indicator in plan.indicators:
                assert (
                    assess(before, indicator, unit, period).as_dict()
                    == assess(after, indicator, unit, period).as_dict()
                )


def test_a_county_change_affects_its_city_the_province_and_its_group_only(plan):
    tree = plan.org_tree
    assert affected_units(tree, ["610581"]) == {"610581", "610500", "610000", "HANCHENG"}
    assert affected_units(tree, ["610403"]) == {"610403", "YANGLING", "610000"}  # 杨陵区 counts in 杨凌示范区
    needed = inputs_needed(tree, {"610581", "610500", "610000", "HANCHENG"})
    assert "610502" in needed and "610100" in needed and "610581" not in needed and "610000" not in needed


def test_a_missing_total_gives_the_engines_reason(plan):
    stored = Stored()
    engine = Engine(plan, totals=stored)
    result = engine.evaluate(plan.indicator("A5"), "610100", Period(PeriodKind.YEAR, 2023))
    reference = Engine(plan, Values()).evaluate(plan.indicator("A5"), "610100", Period(PeriodKind.YEAR, 2023))
    assert result.value is None and result.reason == reference.reason and "西安" in result.reason
