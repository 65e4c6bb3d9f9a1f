"""A generated demo data set (``yangfan init --demo``): monthly city figures from the end of 2020 to the end of
2023, from a seeded model with realistic levels. Every value carries the comment “演示数据” and source
``import``; nothing here is a published statistic, and no test uses it as an expected answer.

Model, per city: the 2020 census population (data/README of the project's shared folder) held flat; 5G users
growing along a logistic curve towards a city-specific ceiling (some cities end above the 40 % target, some
below); base stations growing linearly; traffic with a 5G share rising towards 40–60 %; IoT SIMs roughly
tripling a year. Random noise is seeded, so the same demo is produced every time.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from yangfan.core.periods import Period, PeriodKind

DEMO_COMMENT = "演示数据（生成，非真实统计）"
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


def demo_rows(seed: int = 2023) -> list[tuple[str, str, str, Decimal]]:
    """(data element, org unit, period, value) rows of the demo set."""
    rng = random.Random(seed)
    months = []
    period = Period(PeriodKind.MONTH, 2020, 12)
    while period <= Period(PeriodKind.MONTH, 2023, 12):
        months.append(period)
        period = period.next()
    rows = []
    for code, population in CENSUS_2020.items():
        for year in (2020, 2021, 2022, 2023):
            rows.append(("population", code, str(year), Decimal(population)))
        ceiling = rng.uniform(0.40, 0.62)  # share of residents with 5G at saturation
        stations_2023 = population / 10_000 * rng.uniform(12, 24)
        enterprises = max(3, round(population / 400_000 * rng.uniform(0.6, 1.4)))
        for year in (2021, 2022, 2023):
            rows.append(("large_industrial_enterprises", code, str(year), Decimal(enterprises)))
            share = {2021: 0.12, 2022: 0.24, 2023: rng.uniform(0.28, 0.45)}[year]
            rows.append(
                ("large_industrial_enterprises_5g", code, str(year), Decimal(round(enterprises * share)))
            )
        iot_base = population / 1000 * rng.uniform(0.5, 1.5)
        for i, month in enumerate(months):
            t = i / (len(months) - 1)  # 0 at 2020-12, 1 at 2023-12
            noise = 1 + rng.uniform(-0.01, 0.01)
            users_share = ceiling / (1 + math.exp(-6 * (t - 0.45)))
            total_users = population * rng.uniform(1.05, 1.15)
            rows.append(("mobile_users_total", code, str(month), Decimal(round(total_users))))
            rows.append(
                ("mobile_users_5g", code, str(month), Decimal(round(population * users_share * noise)))
            )
            rows.append(
                ("base_stations_5g", code, str(month), Decimal(round(stations_2023 * (0.25 + 0.75 * t))))
            )
            traffic_total = population * rng.uniform(12, 16) / 1000 * 1024  # GB a month
            share_5g = 0.12 + (ceiling - 0.05) * t
            rows.append(("traffic_mobile_total", code, str(month), Decimal(round(traffic_total))))
            rows.append(("traffic_5g", code, str(month), Decimal(round(traffic_total * share_5g))))
            rows.append(
                ("iot_terminals_5g", code, str(month), Decimal(round(iot_base * 3 ** (3 * t) * noise)))
            )
    return rows


def demo_values_load() -> int:
    """Write the demo set through the import service (audited), unless demo values are already there."""
    from yangfan.actionplans.models import DataElement
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.datavalues.models import DataValue
    from yangfan.datavalues.services import datavalues_import
    from yangfan.orgunits.models import OrgUnit

    if DataValue.objects.filter(comment=DEMO_COMMENT).exists():
        return 0
    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=CENSUS_2020)}
    parsed = [
        ParsedRow(n, elements[de], units[org], period, None, value, DEMO_COMMENT)
        for n, (de, org, period, value) in enumerate(demo_rows(), start=2)
    ]
    report = datavalues_import(rows=parsed, file="演示数据", source="import")
    return len(report.added)
