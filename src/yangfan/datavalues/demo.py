"""A generated demo data set (``yangfan init --demo``): what the cities' and operators' reporters would send,
from a seeded model with realistic levels. Every value carries the comment “演示数据（生成，非真实统计）” and
source ``import``; nothing here is a published statistic, and no test uses it as an expected answer.

What is reported, and by whom, as it would be in production:

- the operators' figures (every data element the plan breaks down by operator: 5G and all mobile users,
  5G base stations, 5G and all mobile traffic, 5G IoT terminals) monthly from 2020-12 to 2023-12 for each
  county-level unit (the base units of the plan's org tree, 107 of them, 杨陵区 counted in 杨凌示范区) and each
  of the four operators. No city or province total is stored: those come from the engine's aggregation
  over the org tree, as they will for real figures;
- ``population`` yearly (2020–2023) for each county-level unit;
- ``large_industrial_enterprises`` and ``…_5g`` yearly (2021–2023) for each city (省工信厅 reports them by city).

The model. Per city: the published 2020 census population (``CENSUS_2020``; the ten cities without 杨凌 plus
杨凌示范区 sum exactly to the province's 39,528,999) with a small yearly drift afterwards; 5G users growing
along a logistic curve from ~7 % of residents at the end of 2020 to a city-specific level at the end of 2023
(three cities end below the 40 % target of A1, the rest above); 5G base stations growing from about 30 % of
their 2023 level to a city-specific density (some cities below the 18 per 10,000 of A5); mobile traffic per
user rising, with a growing 5G share; IoT SIMs multiplying 2.3–3.6 times a year (A4 asks for 3). Then each
city's figures are split over its counties and operators with seeded shares: *the split of a city's census
population over its counties is generated* (it sums exactly to the city's census figure, but no county's
figure is its census figure), and so is every county's share of users, stations, traffic and terminals.
Operator shares, per county with some variation: 中国移动 ~50 %, 中国电信 ~25 %, 中国联通 ~22 %, 中国广电 ~3 % of
users; 中国广电 started 5G late, so it reports zeros before it began (stations from 2021-06, users, traffic and
terminals from its commercial launch in 2022-06) and is 5G-only (its mobile users are its 5G users).
Values are rounded per row. Random numbers are seeded: the same demo set is produced every time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from yangfan.core.errors import YangfanError
from yangfan.core.periods import Period, PeriodKind
from yangfan.core.plan import Plan

DEMO_COMMENT = "演示数据（生成，非真实统计）"
PLAN_CODE = "shaanxi-5g-2021-2023"
# 2020 census resident population (七普), as published; 杨凌示范区 beside the cities.
CENSUS_2020 = {
    "610100": 12_952_907,
    "610200": 698_322,
    "610300": 3_321_853,
    "610400": 3_959_842,
    "610500": 4_688_744,
    "610600": 2_282_581,
    "610700": 3_211_462,
    "610800": 3_624_750,
    "610900": 2_493_436,
    "611000": 2_041_231,
    "YANGLING": 253_871,
}
FIRST_MONTH = Period(PeriodKind.MONTH, 2020, 12)
LAST_MONTH = Period(PeriodKind.MONTH, 2023, 12)
YEARS = (2020, 2021, 2022, 2023)

# Operator shares (before 中国广电's own share is taken out) and when 中国广电 began to report.
USER_SHARES = {"cmcc": 0.50, "ctcc": 0.25, "cucc": 0.22, "cbn": 0.03}
STATION_SHARES = {"cmcc": 0.46, "ctcc": 0.25, "cucc": 0.23, "cbn": 0.06}
CBN = "cbn"
CBN_STATIONS_FROM = Period(PeriodKind.MONTH, 2021, 6)
CBN_SERVICE_FROM = Period(PeriodKind.MONTH, 2022, 6)

# End-of-2023 levels handed out to the cities, most developed first (A1 %, A5 per 10,000, A2 %, IoT ×/year).
USERS_5G_SHARE_2023 = (0.60, 0.56, 0.53, 0.51, 0.49, 0.47, 0.45, 0.43, 0.38, 0.36, 0.33)
STATIONS_PER_10K_2023 = (28.0, 25.0, 23.0, 21.5, 20.0, 19.0, 18.8, 16.5, 15.0, 13.5, 12.0)
TRAFFIC_5G_SHARE_2023 = (0.64, 0.61, 0.58, 0.56, 0.54, 0.52, 0.50, 0.48, 0.46, 0.44, 0.41)
IOT_GROWTH_PER_YEAR = (3.6, 3.4, 3.3, 3.2, 3.1, 3.05, 2.9, 2.8, 2.6, 2.45, 2.3)


class DemoRow(NamedTuple):
    data_element: str
    org_unit: str
    period: str
    operator: str | None
    value: Decimal


def demo_months() -> list[Period]:
    months, period = [], FIRST_MONTH
    while period <= LAST_MONTH:
        months.append(period)
        period = period.next()
    return months


def demo_plan() -> Plan:
    """The bundled plan whose org tree and data elements the demo set follows."""
    from yangfan.core.planfile import bundled_plan_paths, load_plan

    for path in bundled_plan_paths():
        plan = load_plan(path)
        if plan.code == PLAN_CODE:
            return plan
    raise LookupError(f"bundled plan {PLAN_CODE} not found")


def split_exactly(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` into whole numbers that sum exactly to ``total``
    (largest remainder, in exact fractions so that no float rounding can add or lose a person)."""
    fractions = [Fraction(w) for w in weights]
    scale = sum(fractions)
    exact = [total * f / scale for f in fractions]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    scale = sum(weights.values())
    return {k: w / scale for k, w in weights.items()}


class _City:
    """One city's end-of-month figures as smooth functions of ``t`` (0 at 2020-12, 1 at 2023-12) and of the
    residents of the month's year."""

    def __init__(self, code: str, rank: int, rng: random.Random):
        self.code = code
        census = CENSUS_2020[code]
        drift = 0.009 if code == "610100" else 0.004 if code == "YANGLING" else rng.uniform(-0.006, 0.001)
        self.population = {year: round(census * (1 + drift) ** (year - 2020)) for year in YEARS}
        self.users_start = rng.uniform(0.055, 0.085)
        self.users_end = USERS_5G_SHARE_2023[rank] + rng.uniform(-0.01, 0.01)
        self.penetration = rng.uniform(1.03, 1.16)  # mobile subscriptions per resident at the end of 2020
        self.stations_end = STATIONS_PER_10K_2023[rank] * census / 10_000 * rng.uniform(0.99, 1.01)
        self.stations_start = rng.uniform(0.26, 0.34)
        self.traffic_share_start = rng.uniform(0.10, 0.14)
        self.traffic_share_end = TRAFFIC_5G_SHARE_2023[rank] + rng.uniform(-0.01, 0.01)
        self.gb_per_user = rng.uniform(9.5, 11.5)  # a month, at the end of 2020
        self.iot_start = census / 1000 * rng.uniform(0.6, 1.4)
        self.iot_growth = IOT_GROWTH_PER_YEAR[rank] * rng.uniform(0.99, 1.01)
        enterprises = max(3, round(census / 400_000 * rng.uniform(0.6, 1.4)))
        self.enterprises = {year: enterprises for year in (2021, 2022, 2023)}
        self.enterprises_5g = {
            year: round(enterprises * share)
            for year, share in ((2021, 0.12), (2022, 0.24), (2023, rng.uniform(0.28, 0.45)))
        }

    def users_5g(self, t: float, residents: int) -> float:
        def logistic(x: float) -> float:
            return 1 / (1 + math.exp(-7 * (x - 0.45)))

        progress = (logistic(t) - logistic(0)) / (logistic(1) - logistic(0))
        share = self.users_start + (self.users_end - self.users_start) * progress
        return residents * share

    def users_total(self, t: float, residents: int) -> float:
        return residents * self.penetration * (1 + 0.012 * 3 * t)

    def stations(self, t: float) -> float:
        return self.stations_end * (self.stations_start + (1 - self.stations_start) * t**0.9)

    def traffic_total(self, t: float, residents: int) -> float:
        return self.users_total(t, residents) * self.gb_per_user * (1 + 0.6 * t)  # GB a month

    def traffic_5g(self, t: float, residents: int) -> float:
        share = self.traffic_share_start + (self.traffic_share_end - self.traffic_share_start) * t**0.8
        return self.traffic_total(t, residents) * share

    def iot(self, t: float) -> float:
        return self.iot_start * self.iot_growth ** (3 * t)


class _County:
    """A base unit's shares of its city: of residents, of users and traffic, of stations, of IoT SIMs, and
    its operators' shares of users and of stations."""

    def __init__(self, code: str, name: str, rng: random.Random):
        self.code = code
        urban = name.endswith("区")
        self.residents = rng.lognormvariate(0.4 if urban else 0, 0.55)
        self.adoption = rng.uniform(1.0, 1.3) if urban else rng.uniform(0.75, 1.05)
        self.station_density = rng.uniform(0.85, 1.25) * (1.15 if urban else 1.0)
        self.iot_density = rng.uniform(0.6, 1.6)
        self.user_shares = {op: share * rng.uniform(0.88, 1.12) for op, share in USER_SHARES.items()}
        self.station_shares = {op: share * rng.uniform(0.9, 1.1) for op, share in STATION_SHARES.items()}


def _operator_shares(
    base: dict[str, float], month: Period, cbn_from: Period, t_of: Callable
) -> dict[str, float]:
    """``base`` with 中国广电's share growing from nothing at ``cbn_from`` to its full share at the end."""
    if month < cbn_from:
        ramp = 0.0
    else:
        start = t_of(cbn_from)
        ramp = 1.0 if start >= 1 else min(1.0, (t_of(month) - start) / (1 - start) + 1 / 18)
    cbn = base[CBN] * ramp
    incumbents = _normalised({op: s for op, s in base.items() if op != CBN})
    return {**{op: s * (1 - cbn) for op, s in incumbents.items()}, CBN: cbn}


def county_population(year: int = 2020, seed: int = 2023) -> dict[str, int]:
    """Each county-level unit's resident population in the demo set (its city's census figure split with the
    demo's seeded shares): the weights ``yangfan demo raw`` sizes each county's stations and traffic by."""
    return {
        row.org_unit: int(row.value)
        for row in demo_rows(seed)
        if row.data_element == "population" and row.period == str(year)
    }


def demo_rows(seed: int = 2023, plan: Plan | None = None) -> list[DemoRow]:
    """The demo set's rows: (data element, org unit, period, operator or None, value)."""
    return list(_generate(random.Random(seed), plan or demo_plan()))


def _generate(rng: random.Random, plan: Plan) -> Iterator[DemoRow]:
    tree = plan.org_tree
    by_operator = {e.code for e in plan.data_elements if e.by_operator}
    operators = [o.code for o in plan.operators]
    months = demo_months()
    span = len(months) - 1

    position = {month: i / span for i, month in enumerate(months)}

    def t_of(month: Period) -> float:
        return position[month]

    # most developed first: 西安 and 杨凌 lead; the order of the rest is drawn
    score = {code: rng.random() + (1 if code in ("610100", "YANGLING") else 0) for code in CENSUS_2020}
    ranked = sorted(CENSUS_2020, key=lambda code: -score[code])
    cities = [_City(code, ranked.index(code), rng) for code in CENSUS_2020]
    for city in cities:
        counties = [_County(u.code, u.name, rng) for u in tree.leaves(city.code)]
        for year in YEARS:
            split = split_exactly(city.population[year], [c.residents for c in counties])
            for county, residents in zip(counties, split, strict=True):
                yield DemoRow("population", county.code, str(year), None, Decimal(residents))
        for year in (2021, 2022, 2023):
            yield DemoRow(
                "large_industrial_enterprises", city.code, str(year), None, Decimal(city.enterprises[year])
            )
            yield DemoRow(
                "large_industrial_enterprises_5g",
                city.code,
                str(year),
                None,
                Decimal(city.enterprises_5g[year]),
            )
        users = _normalised({c.code: c.residents * c.adoption for c in counties})
        others = _normalised({c.code: c.residents for c in counties})  # subscriptions without 5G
        stations = _normalised({c.code: c.residents**0.8 * c.station_density for c in counties})
        iot = _normalised({c.code: c.residents * c.iot_density for c in counties})
        for month in months:
            t, residents = t_of(month), city.population[month.year]
            city_figures = {
                "users_5g": city.users_5g(t, residents),
                "users_other": city.users_total(t, residents) - city.users_5g(t, residents),
                "traffic_5g": city.traffic_5g(t, residents),
                "traffic_other": city.traffic_total(t, residents) - city.traffic_5g(t, residents),
                "stations": city.stations(t),
                "iot": city.iot(t),
            }
            for county in counties:
                noise = rng.uniform(0.995, 1.005)
                user_ops = _operator_shares(county.user_shares, month, CBN_SERVICE_FROM, t_of)
                station_ops = _operator_shares(county.station_shares, month, CBN_STATIONS_FROM, t_of)
                other_ops = _normalised({op: s for op, s in user_ops.items() if op != CBN}) | {CBN: 0.0}
                c = county.code
                for op in operators:
                    figures = {
                        "mobile_users_5g": city_figures["users_5g"] * users[c] * user_ops[op],
                        "mobile_users_total": city_figures["users_5g"] * users[c] * user_ops[op]
                        + city_figures["users_other"] * others[c] * other_ops[op],
                        "traffic_5g": city_figures["traffic_5g"] * users[c] * user_ops[op],
                        "traffic_mobile_total": city_figures["traffic_5g"] * users[c] * user_ops[op]
                        + city_figures["traffic_other"] * others[c] * other_ops[op],
                        "base_stations_5g": city_figures["stations"] * stations[c] * station_ops[op],
                        "iot_terminals_5g": city_figures["iot"] * iot[c] * user_ops[op],
                    }
                    for element, value in figures.items():
                        if element in by_operator:
                            yield DemoRow(element, c, str(month), op, Decimal(round(value * noise)))


HISTORY_COMMENT = "演示历史数据（生成，非真实统计；用于容量测试）"


class DemoHistoryOutOfRange(YangfanError):
    """Values are refused before a plan's baseline years (``datavalues.limits``): generated history that far back
    needs the margin raised for the store it is written to, knowingly."""

    def __init__(self, earliest: int, years: int):
        super().__init__(
            f"演示历史数据要写到 {earliest} 年，早于可填报的范围：请先设置环境变量 YANGFAN_BASELINE_YEARS={years}"
            f"（允许填报计划开始前 {years} 年的数据）后重试"
        )


def _shifted(period: str, years: int) -> str:
    return f"{int(period[:4]) - years}{period[4:]}"


def demo_history_load(scale: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Make the stored history ``scale`` times the demo's (``yangfan demo values --scale N``): copies of the demo
    set moved back 4, 8, … years (its four years each time), as :func:`history_copies` writes them."""
    return history_copies(demo_rows(), span=len(YEARS), scale=scale, label="演示历史数据", progress=progress)


def history_range_check(rows: list[DemoRow], *, span: int, scale: int) -> None:
    """``DemoHistoryOutOfRange`` when ``scale`` − 1 copies of ``rows`` moved back ``span`` years each would reach
    before the years the loaded plans accept values for."""
    from django.conf import settings

    from yangfan.actionplans.models import Plan as PlanRow

    start = PlanRow.objects.order_by("start").values_list("start", flat=True).first()
    earliest = min(int(row.period[:4]) for row in rows) - span * (scale - 1)
    if scale > 1 and start is not None and start.year - earliest > settings.YANGFAN_BASELINE_YEARS:
        raise DemoHistoryOutOfRange(earliest, start.year - earliest)


def history_copies(
    rows: list[DemoRow],
    *,
    span: int,
    scale: int,
    label: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """``scale`` − 1 copies of a demo set's ``rows`` moved back ``span``, 2 × ``span``, … years (the set's own
    length, so the copies follow one another), each labelled ``HISTORY_COMMENT`` and written through the import
    service, a copy per transaction (``DemoHistoryOutOfRange`` before anything when they would reach too far back).
    A copy already written (its first row is stored) is left as it is, so the command can be repeated or raised;
    the number of values added."""
    from yangfan.datavalues.models import DataValue

    history_range_check(rows, span=span, scale=scale)
    first = rows[0]
    copies = range(1, scale)
    added = 0
    for done, copy in enumerate(copies, start=1):
        years = span * copy
        if DataValue.objects.filter(
            comment=HISTORY_COMMENT, org_unit__code=first.org_unit, period=_shifted(first.period, years)
        ).exists():
            continue
        shifted = [row._replace(period=_shifted(row.period, years)) for row in rows]
        added += _write(shifted, HISTORY_COMMENT, f"{label}（前移 {years} 年）")
        if progress is not None:
            progress(done, len(copies))
    return added


def _write(rows: list[DemoRow], comment: str, file: str, progress=None) -> int:
    from yangfan.actionplans.models import DataElement, Operator
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.datavalues.services import datavalues_import
    from yangfan.orgunits.models import OrgUnit

    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    operators = {o.code: o for o in Operator.objects.all()}
    parsed = [
        ParsedRow(
            n,
            elements[row.data_element],
            units[row.org_unit],
            row.period,
            operators[row.operator] if row.operator else None,
            row.value,
            comment,
        )
        for n, row in enumerate(rows, start=2)
    ]
    report = datavalues_import(rows=parsed, file=file, source="import", progress=progress)
    return len(report.added)


def demo_values_load(progress: Callable[[int, int], None] | None = None) -> int:
    """Write the demo set through the import service (audited, in bulk), unless demo values are already
    there; return the number of values added."""
    from yangfan.datavalues.models import DataValue

    if DataValue.objects.filter(comment=DEMO_COMMENT).exists():
        return 0
    return _write(demo_rows(), DEMO_COMMENT, "演示数据", progress)
