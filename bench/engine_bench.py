"""Computing A1–A5 from the demo data set: the engine against a plain-Python sum of the same figures, measured
in the same run, and what it costs to read the values from the database.

    .venv/bin/python bench/engine_bench.py [--database-url URL] [--repeat N]

The demo set (county × operator × month, ~95,000 values) is imported into a scratch database, then:

- reading: ``values_for_engine()`` (every value) and ``values_for_engine(<elements of A1–A5>)``;
- the grid: A1–A5 for the province and every city (12 units) at each month of 2023 through ``Engine.evaluate``,
  against a baseline that sums the base units' figures with dicts and loops (no aggregation rules beyond
  what these figures need: a stock's value at the month, a yearly stock for its year, operators added up).
  Both must give the same numbers; the ratio is engine time / baseline time;
- ``assess`` at 202312 (each value with its monthly series since the plan began, status and pace) for the
  same 12 units × 5 indicators, as a page or ``yangfan indicators --children`` asks for it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from decimal import Decimal, localcontext

from import_bench import parsed_demo_rows, setup  # beside this file: python puts bench/ on the path

INDICATORS = ("A1", "A2", "A3", "A4", "A5")


def best_of(repeat: int, function, *args):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def index(rows) -> dict[tuple[str, str], dict[str, Decimal]]:
    """(data element, org unit) -> {period: value summed over operators}, from the demo rows."""
    reported: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for r in rows:
        by_period = reported[r.data_element, r.org_unit]
        by_period[r.period] = by_period.get(r.period, Decimal(0)) + r.value
    return reported


def baseline(reported, plan, units: list[str], months) -> dict[tuple[str, str, str], Decimal | None]:
    """A1–A5 by hand: the figures summed down the tree with plain dicts and loops."""
    children = {u.code: [c.code for c in plan.org_tree.children(u.code)] for u in plan.org_units}

    def total(element: str, unit: str, period: str) -> Decimal:
        # own value where reported (the cities' yearly enterprise counts), else the sum over the units in it
        own = reported.get((element, unit), {})
        if period in own:
            return own[period]
        return sum((total(element, child, period) for child in children[unit]), Decimal(0))

    results = {}
    with localcontext() as ctx:
        ctx.prec = 28
        for unit in units:
            for month in months:
                m, year = str(month), str(month.year)
                users, stations = total("mobile_users_5g", unit, m), total("base_stations_5g", unit, m)
                population = total("population", unit, year)
                traffic_5g, traffic_all = total("traffic_5g", unit, m), total("traffic_mobile_total", unit, m)
                enterprises = total("large_industrial_enterprises", unit, year)
                enterprises_5g = total("large_industrial_enterprises_5g", unit, year)
                iot_base, iot = total("iot_terminals_5g", unit, "202012"), total("iot_terminals_5g", unit, m)
                years = Decimal((month.year - 2020) * 12 + month.index - 12) / Decimal(12)
                results[unit, m, "A1"] = users / population * 100
                results[unit, m, "A2"] = traffic_5g / traffic_all * 100
                results[unit, m, "A3"] = enterprises_5g / enterprises * 100
                results[unit, m, "A4"] = ((iot / iot_base) ** (Decimal(1) / years) - 1) * 100
                results[unit, m, "A5"] = stations / population * 10000
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty scratch database instead of SQLite (it is migrated)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each timing (default 3)")
    args = parser.parse_args(argv)
    setup(args.database_url)
    from django.db import connection

    from yangfan.core.engine import Engine, assess
    from yangfan.core.periods import Period, PeriodKind
    from yangfan.datavalues.demo import demo_plan, demo_rows
    from yangfan.datavalues.selectors import values_for_engine
    from yangfan.datavalues.services import datavalues_import

    rows = parsed_demo_rows()
    start = time.perf_counter()
    datavalues_import(rows=rows, file="bench")
    print(
        f"database: {connection.vendor}; demo set imported: {len(rows):,} rows in {time.perf_counter() - start:.1f} s"
    )

    plan = demo_plan()
    indicators = [i for i in plan.indicators if i.code in INDICATORS]
    needed = sorted({code for i in indicators for code in i.formula.data_elements})
    units = ["610000", *(u.code for u in plan.org_tree.children("610000"))]
    months = [Period(PeriodKind.MONTH, 2023, m) for m in range(1, 13)]

    read_all, values = best_of(args.repeat, values_for_engine)
    read_some, _ = best_of(args.repeat, values_for_engine, needed)
    print(f"values_for_engine(): every value        {read_all:6.3f} s")
    print(
        f"values_for_engine({len(needed)} elements of A1–A5)  {read_some:6.3f} s   {read_all / read_some:5.2f}x faster"
    )

    def grid():
        engine = Engine(plan, values)
        return {
            (unit, str(month), i.code): engine.evaluate(i, unit, month).value
            for unit in units
            for month in months
            for i in indicators
        }

    engine_time, computed = best_of(args.repeat, grid)
    reported = index(demo_rows(plan=plan))
    baseline_time, expected = best_of(args.repeat, baseline, reported, plan, units, months)
    differ = [k for k in expected if computed[k] is None or abs(computed[k] - expected[k]) > Decimal("1e-12")]
    cells = len(expected)
    print(f"grid: {len(units)} units × 12 months of 2023 × {len(indicators)} indicators = {cells} values")
    print(f"  engine                  {engine_time:6.3f} s   ({engine_time / cells * 1000:.2f} ms a value)")
    print(
        f"  plain-Python baseline   {baseline_time:6.3f} s   engine / baseline = {engine_time / baseline_time:5.2f}"
    )
    print(f"  same numbers: {'yes' if not differ else f'NO, {len(differ)} differ, e.g. {differ[:3]}'}")

    def assessed():
        engine = Engine(plan, values)
        return [
            assess(engine, i, unit, Period(PeriodKind.MONTH, 2023, 12)) for unit in units for i in indicators
        ]

    assess_time, _ = best_of(args.repeat, assessed)
    print(
        f"assess at 202312 with monthly series, {len(units)} units × {len(indicators)} indicators: "
        f"{assess_time:6.3f} s   ({assess_time / baseline_time:5.1f}x the baseline grid)"
    )
    print(f"a page's worth (read the needed values, then assess): {read_some + assess_time:6.3f} s")
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
