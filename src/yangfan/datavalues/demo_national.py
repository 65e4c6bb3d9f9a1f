"""A generated national demo set for the successor plan (``yangfan demo national``): what the operators and the
ministry would report for each province, from a seeded model. Every value carries the comment of the provincial
demo (``DEMO_COMMENT``, “演示数据（生成，非真实统计）”); nothing here is a published statistic, and no test uses it
as an expected answer.

What is written, for each province that is a leaf of the national plan's tree (a province whose own plan is
loaded, 陕西 with its cities and counties, gets its figures from that plan's units instead, and is left out):

- the operators' monthly figures of every data element the operator data set holds, from 2020-12 to the last
  month before today that the plan period allows (at most 2027-12);
- ``population``, ``large_medium_industrial_enterprises`` (with ``…_5g``) and ``edge_computing_nodes`` yearly.

The levels. The national totals follow smooth curves through the published national figures that
``successor-targets.md`` quotes *for checking a demo against reality* (1.7 million base stations and 428 million
5G users in May 2022, 5G 27.2 % of mobile traffic then; 4.838 million stations, 34.4 per 10,000 people at the end
of 2025), so the resident population is 4.838 million / 34.4 × 10,000 ≈ 1.406 billion; between and beyond them
the curves are the demo's own. Each province's share is a seeded weight, and each figure varies per province and
per operator with seeded noise. ``--scale N`` adds N − 1 copies of the whole series moved back by its length in
years, labelled ``HISTORY_COMMENT``, as ``yangfan demo values --scale`` does for the provincial demo.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from itertools import pairwise

from yangfan.core.periods import Period, PeriodKind
from yangfan.core.plan import Plan
from yangfan.datavalues.demo import (
    DEMO_COMMENT,
    STATION_SHARES,
    USER_SHARES,
    DemoRow,
    _normalised,
    _write,
    history_copies,
    history_range_check,
    split_exactly,
)

PLAN_CODE = "miit-5g-upgrade-2024-2027"
FIRST_MONTH = Period(PeriodKind.MONTH, 2020, 12)
POPULATION = round(4_838_000 / Decimal("34.4") * 10_000)  # 2025's published stations over their density


def _curve(points: tuple[tuple[float, float], ...], x: float) -> float:
    """The value at ``x`` on the straight pieces between ``points`` (x ascending), level beyond the last slope."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    return y1 + (y1 - y0) * (x - x1) / (x1 - x0)


# National levels at a year's fraction (2022.42 is the end of May 2022). Published points where
# successor-targets.md gives them (stations, users and traffic share in 2022, stations at the end of 2025); the
# others are the demo's own.
STATIONS = ((2020.92, 700_000), (2022.42, 1_700_000), (2025.0, 4_838_000), (2027.0, 5_600_000))
USERS = ((2020.92, 150_000_000), (2022.42, 428_000_000), (2025.0, 1_050_000_000), (2027.0, 1_230_000_000))
TRAFFIC_SHARE = ((2020.92, 0.12), (2022.42, 0.272), (2025.0, 0.62), (2027.0, 0.78))
TRAFFIC_GB_PER_PERSON_MONTH = ((2020.92, 11.0), (2027.0, 24.0))
IOT = ((2020.92, 8_000_000), (2024.0, 45_000_000), (2027.0, 120_000_000))
ENTERPRISES = 60_000  # large and medium industrial enterprises in the country (demo)
ENTERPRISES_5G_SHARE = ((2021.0, 0.08), (2023.0, 0.22), (2027.0, 0.48))
EDGE_NODES = ((2021.0, 500), (2024.0, 2_000), (2027.0, 5_600))


def national_rows(plan: Plan, *, until: Period, seed: int = 2024) -> list[DemoRow]:
    """The national demo's rows for the leaf provinces of ``plan``'s tree (as the engine reads it, with the loaded
    provincial plans' trees), from 2020-12 to ``until``."""
    return list(_generate(random.Random(seed), plan, until))


def _provinces(rng: random.Random, plan: Plan) -> dict[str, int]:
    """Every province's demo population (all 31 drawn, whether its own plan is loaded or not: one seed, one set)."""
    tree = plan.org_tree
    provinces = [u.code for u in tree.children(tree.root)]
    weights = [rng.lognormvariate(0, 0.6) for _code in provinces]
    return dict(zip(provinces, split_exactly(POPULATION, weights), strict=True))


def national_population(seed: int = 2024) -> dict[str, int]:
    """The resident population of each base unit of the national tree with the bundled provincial plans hung in it:
    the demo's for the provinces, the provincial demo's for Shaanxi's county-level units. What ``yangfan demo raw
    --scale national`` sizes each unit's stations, traffic and cards by."""
    from yangfan.core.plan import grafted
    from yangfan.core.planfile import bundled_plans
    from yangfan.datavalues.demo import county_population

    plans = bundled_plans()
    plan = grafted(plans[PLAN_CODE], plans.values())
    provinces = _provinces(random.Random(seed), plan)
    leaves = {code: people for code, people in provinces.items() if not plan.org_tree.children(code)}
    return leaves | county_population()


def _generate(rng: random.Random, plan: Plan, until: Period) -> Iterator[DemoRow]:
    tree = plan.org_tree
    population = _provinces(rng, plan)
    provinces = list(population)
    leaves = [code for code in provinces if not tree.children(code)]
    operators = [o.code for o in plan.operators]
    elements = {
        e.code
        for ds in plan.data_sets
        if ds.by_operator
        for e in plan.data_elements
        if e.code in ds.data_elements
    }
    mood = {
        code: (rng.uniform(0.8, 1.2), rng.uniform(0.85, 1.15), rng.uniform(0.9, 1.1)) for code in provinces
    }
    years = range(FIRST_MONTH.year, until.year + 1)
    for code in leaves:
        adoption, density, traffic = mood[code]
        share = population[code] / POPULATION
        for year in years:
            x = year + 1.0
            yield DemoRow("population", code, str(year), None, Decimal(population[code]))
            if year >= 2021:
                total = round(ENTERPRISES * share * rng.uniform(0.9, 1.1))
                yield DemoRow("large_medium_industrial_enterprises", code, str(year), None, Decimal(total))
                yield DemoRow(
                    "large_medium_industrial_enterprises_5g",
                    code,
                    str(year),
                    None,
                    Decimal(min(total, round(total * _curve(ENTERPRISES_5G_SHARE, x) * adoption))),
                )
                yield DemoRow(
                    "edge_computing_nodes",
                    code,
                    str(year),
                    None,
                    Decimal(round(_curve(EDGE_NODES, x) * share * density)),
                )
        month = FIRST_MONTH
        while month <= until:
            x = month.year + month.index / 12
            users = min(_curve(USERS, x) * share * adoption, population[code] * 1.1)
            all_traffic = _curve(TRAFFIC_GB_PER_PERSON_MONTH, x) * population[code] * traffic
            figures = {
                "mobile_users_5g": (users, USER_SHARES),
                "base_stations_5g": (_curve(STATIONS, x) * share * density, STATION_SHARES),
                "traffic_5g": (all_traffic * min(0.95, _curve(TRAFFIC_SHARE, x) * adoption), USER_SHARES),
                "traffic_mobile_total": (all_traffic, USER_SHARES),
                "iot_connections_5g": (_curve(IOT, x) * share * density, USER_SHARES),
            }
            for element, (value, shares) in figures.items():
                if element not in elements:
                    continue
                parts = _normalised(shares)
                for op in operators:
                    figure = value * parts[op] * rng.uniform(0.995, 1.005)
                    exact = (
                        Decimal(f"{figure:.3f}") if element.startswith("traffic") else Decimal(round(figure))
                    )
                    yield DemoRow(element, code, str(month), op, exact)
            month = month.next()


def national_values_load(
    scale: int = 1, progress: Callable[[int, int], None] | None = None, *, today: date | None = None
) -> int:
    """Write the national demo set through the import service (labelled as demo), unless it is there already,
    then ``scale`` − 1 copies moved back by its length in years; the number of values added. Needs the national
    plan loaded (``yangfan plan load miit-5g-upgrade-2024-2027``)."""
    from yangfan.datavalues.indicators import core_plans
    from yangfan.datavalues.models import DataValue

    plan = core_plans().get(PLAN_CODE)
    if plan is None:
        raise LookupError(f"全国计划 {PLAN_CODE} 尚未加载：请先运行 yangfan plan load {PLAN_CODE}")
    today = today or date.today()
    until = min(
        Period.containing(today, PeriodKind.MONTH).previous(), Period(PeriodKind.MONTH, plan.end.year, 12)
    )
    rows = national_rows(plan, until=until)
    span = until.year - FIRST_MONTH.year + 1
    history_range_check(rows, span=span, scale=scale)  # before the set itself is written
    first = rows[0]
    added = 0
    if not DataValue.objects.filter(
        comment=DEMO_COMMENT, org_unit__code=first.org_unit, period=first.period
    ).exists():
        added += _write(rows, DEMO_COMMENT, "全国演示数据")
    return added + history_copies(rows, span=span, scale=scale, label="全国演示历史数据", progress=progress)
