"""Stored totals (ADR 0009): kept in the transaction of every write, read by every page in place of the values.

``totals_refresh`` is called by the one write path of values (``datavalues.services.datavalues_import``) with what
it changed; ``totals_rebuild`` by a plan's load (its tree or its data elements' aggregation may have changed), which
sends ``plan_loaded`` to ``totals_on_plan_load``: the plan app sits below this one and knows none of it. Both
let ``yangfan.core.aggregates`` decide which totals a change reaches and the engine compute them.

``StoredTotals`` is the read side: the ``Totals`` an engine reads, fetched in one query for the units and periods
a page shows (``prefetch``), a unit's year at a time for anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connections, router, transaction

from yangfan.core.aggregates import Slice, all_units, recompute, slices, year_periods
from yangfan.core.periods import Period
from yangfan.core.plan import Plan
from yangfan.datavalues.models import DataValue, StoredTotal
from yangfan.datavalues.selectors import CodeTables, code_tables, values_for_engine

BATCH = 2000

# (data element code, org unit code, year)
Touched = tuple[str, str, int]


def _text(value: Decimal) -> str:
    return format(value, "f")


def _plans() -> list[Plan]:
    from yangfan.datavalues.indicators import core_plans

    return list(core_plans().values())


@transaction.atomic
def totals_refresh(*, touched: Iterable[Touched], plans: list[Plan] | None = None) -> int:
    """Bring the stored totals of every plan up to date after the values of ``touched`` changed; the number of
    totals written."""
    touched = set(touched)
    if not touched:
        return 0
    _one_at_a_time()
    codes = code_tables()
    written = 0
    for plan in _plans() if plans is None else plans:
        written += _apply(plan, slices(plan, touched), codes)
    return written


@transaction.atomic
def totals_rebuild(*, plan: Plan, progress: Callable[[int, int], None] | None = None) -> int:
    """Compute every stored total of ``plan`` again from the values (a plan's load: its tree or its elements'
    aggregation may have changed); the number of totals written."""
    _one_at_a_time()
    StoredTotal.objects.filter(plan=plan.code).delete()
    codes = code_tables()
    pairs = sorted(
        {
            (codes.elements[de], int(period[:4]))
            for de, period in DataValue.objects.order_by().values_list("data_element_id", "period").distinct()
        }
    )
    units = frozenset(all_units(plan.org_tree))
    written = 0
    for done, (element, year) in enumerate(pairs, start=1):
        written += _apply(plan, [Slice(element, year, units, frozenset())], codes, fresh=True)
        if progress is not None:
            progress(done, len(pairs))
    return written


def totals_on_plan_load(sender, *, parsed: Plan, stats, **kwargs) -> None:
    """``plan_loaded`` receiver: a load that changed anything rebuilds the plan's totals in its transaction, as
    does a load into a database that has values but no totals of the plan yet (``totals_missing``). The plan is
    read as the engine reads it, with the trees of the other plans it holds; a plan that holds the loaded plan's
    tree (the national plan, of a province's) is rebuilt too when the load changed that tree."""
    plans = _plans()
    loaded = next(p for p in plans if p.code == parsed.code)
    if stats.changed or totals_missing(loaded):
        totals_rebuild(plan=loaded)
    if stats.changed:
        for host in plans:
            below = {u.code for u in loaded.org_units} - {loaded.org_tree.root}
            if host.code != loaded.code and below & host.org_tree.units.keys():
                totals_rebuild(plan=host)


def _one_at_a_time() -> None:
    """Let one transaction at a time bring the totals up to date, until it commits.

    Two imports of two counties of one city, side by side on PostgreSQL (read committed), would each recompute
    the city from its own county and the other's stored total as it was: the second to commit would lose the
    first's change. Behind this lock the second reads, statement by statement, what the first committed. SQLite
    has one writer at a time already (``transaction_mode: IMMEDIATE``)."""
    connection = connections[router.db_for_write(StoredTotal)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


LOCK_KEY = 0x5946_544F  # "YFTO": the stored totals' advisory lock


def _apply(plan: Plan, pieces: list[Slice], codes: CodeTables, *, fresh: bool = False) -> int:
    written = 0
    for piece in pieces:
        own = values_for_engine(  # the affected units' own values (every unit's, in a rebuild)
            [piece.data_element],
            org_units=None if fresh else piece.affected,
            periods=piece.periods,
            codes=codes,
        )
        known: dict[tuple[str, Period], Decimal] = {}
        if piece.needed:
            stored = StoredTotal.objects.filter(
                plan=plan.code, data_element=piece.data_element, year=piece.year, org_unit__in=piece.needed
            ).values_list("org_unit", "period", "value")
            known = {(unit, Period.parse(period)): Decimal(value) for unit, period, value in stored}
        if not fresh:
            StoredTotal.objects.filter(
                plan=plan.code, data_element=piece.data_element, year=piece.year, org_unit__in=piece.affected
            ).delete()
        found = recompute(plan, own, piece.data_element, piece.year, piece.affected, known, piece.needed)
        _insert(
            [
                (plan.code, piece.data_element, unit, str(period), piece.year, _text(value))
                for (unit, period), value in found.items()
            ]
        )
        written += len(found)
    return written


def _insert(rows: list[tuple]) -> None:
    """INSERT the rows with ``executemany``: a province-year of an element is ~2,000 totals, and every field is
    already what the database stores (codes and text), so no model instance is built for them."""
    if not rows:
        return
    connection = connections[router.db_for_write(StoredTotal)]
    columns = ["plan", "data_element", "org_unit", "period", "year", "value"]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(StoredTotal._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def totals_missing(plan: Plan) -> bool:
    """Are there values but no stored totals of ``plan`` (a database from before the totals were kept)?"""
    return not StoredTotal.objects.filter(plan=plan.code).exists() and DataValue.objects.exists()


class StoredTotals:
    """The stored totals of one plan as an engine reads them (``yangfan.core.engine.Totals``).

    What a page shows is fetched at once with :meth:`prefetch` (units × periods: one query); anything else the
    engine asks for is fetched a unit's year at a time. Nothing read depends on how much history is stored."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self._found: dict[tuple[str, str, Period], Decimal] = {}
        self._pairs: set[tuple[str, Period]] = set()  # (unit, period) fetched
        self._years: set[tuple[str, int]] = set()  # (unit, year) fetched whole

    def prefetch(self, units: Iterable[str], periods: Iterable[Period]) -> None:
        wanted = [(u, p) for u in dict.fromkeys(units) for p in dict.fromkeys(periods) if not self._has(u, p)]
        if not wanted:
            return
        units_wanted = sorted({u for u, _p in wanted})
        periods_wanted = {str(p): p for _u, p in wanted}
        self._read(
            StoredTotal.objects.filter(
                plan=self.plan.code, org_unit__in=units_wanted, period__in=list(periods_wanted)
            ),
            periods_wanted,
        )
        self._pairs.update((u, p) for u in units_wanted for p in periods_wanted.values())

    def get(self, data_element: str, org_unit: str, period: Period) -> Decimal | None:
        if not self._has(org_unit, period):
            periods = {str(p): p for p in year_periods(period.year)}
            self._read(
                StoredTotal.objects.filter(plan=self.plan.code, org_unit=org_unit, year=period.year), periods
            )
            self._years.add((org_unit, period.year))
        return self._found.get((data_element, org_unit, period))

    def _has(self, unit: str, period: Period) -> bool:
        return (unit, period) in self._pairs or (unit, period.year) in self._years

    def _read(self, rows, periods: dict[str, Period]) -> None:
        for element, unit, period, value in rows.values_list("data_element", "org_unit", "period", "value"):
            self._found[(element, unit, periods[period])] = Decimal(value)


def touched_by(rows) -> set[Touched]:
    """What writing ``rows`` (``datavalues.importers.ParsedRow``) touches, for :func:`totals_refresh`."""
    return {(row.data_element.code, row.org_unit.code, int(row.period[:4])) for row in rows}
