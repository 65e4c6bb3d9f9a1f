"""Stored totals: the engine's ``total`` of each data element × unit (or group) × period, kept so that a read
costs what it shows, not what is stored (ADR 0009).

Why a year is the unit of work: every rule of the engine over time stays inside a calendar year. A flow of a
quarter or a year is the value reported for it or the sum of its months; a stock takes the last value inside the
period, and a yearly stock serves the months and quarters of its own year. So the totals of year ``Y`` depend only
on the values reported for the 17 periods of ``Y`` (the year, its 4 quarters, its 12 months), and a write to
``Y`` changes no total of another year.

Why a write recomputes few units: a unit's total is its own value, else the sum of the totals of the units counted
in it (a group: of its members). A changed value of unit ``u`` can only change the totals of ``u``, of the units
``u`` is counted in, and of the groups with one of those as a member (:func:`affected_units`). They are recomputed
by the engine itself, on their own values, with the stored totals of their other children remembered as the
engine's own results (:func:`recompute`): the rules stay in one place, ``yangfan.core.engine``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from yangfan.core.engine import Engine, Values
from yangfan.core.orgtree import OrgTree
from yangfan.core.periods import Period, PeriodKind
from yangfan.core.plan import Plan


def year_periods(year: int) -> tuple[Period, ...]:
    """The 17 periods of ``year`` whose totals are kept: the year, its quarters, its months."""
    return (
        Period(PeriodKind.YEAR, year),
        *(Period(PeriodKind.QUARTER, year, q) for q in range(1, 5)),
        *(Period(PeriodKind.MONTH, year, m) for m in range(1, 13)),
    )


def affected_units(tree: OrgTree, touched: Iterable[str]) -> set[str]:
    """The units and groups whose totals a change to the values of ``touched`` can change: the touched units, every
    unit each is counted in, and the groups with one of these as a member (or that were touched themselves)."""
    found: set[str] = set()
    for code in touched:
        if code in tree.groups:
            found.add(code)
            continue
        if code not in tree.units:
            continue  # a unit of another plan: it has no total in this one
        found.add(code)
        found.update(u.code for u in tree.ancestors(code))
    found.update(g.code for g in tree.groups.values() if found.intersection(g.members))
    return found


def inputs_needed(tree: OrgTree, affected: Iterable[str]) -> set[str]:
    """The units whose stored totals a recomputation of ``affected`` reads: the units counted directly in an
    affected unit, and the members of an affected group, that are not affected themselves."""
    affected = set(affected)
    needed: set[str] = set()
    for code in affected:
        if code in tree.groups:
            needed.update(tree.groups[code].members)
        else:
            needed.update(c.code for c in tree.children(code))
    return needed - affected


def recompute(
    plan: Plan,
    own_values: Values,
    data_element: str,
    year: int,
    affected: Iterable[str],
    known: Mapping[tuple[str, Period], Decimal],
    known_units: Iterable[str],
) -> dict[tuple[str, Period], Decimal]:
    """The totals of ``data_element`` for each of ``affected`` and each period of ``year`` that has one.

    ``own_values`` holds what the affected units reported for ``year`` (a unit's own value comes first, so it is
    all the engine reads of them); ``known`` the stored totals of ``known_units`` (:func:`inputs_needed`) for the
    same year, absent where a unit has none. The engine takes those as its own results instead of walking down
    to the values below them."""
    engine = Engine(plan, own_values)
    periods = year_periods(year)
    for unit in known_units:
        for period in periods:
            engine.remember(data_element, unit, period, known.get((unit, period)))
    found: dict[tuple[str, Period], Decimal] = {}
    for unit in affected:
        for period in periods:
            value = engine.total_or_none(data_element, unit, period)
            if value is not None:
                found[(unit, period)] = value
    return found


@dataclass(frozen=True)
class Slice:
    """One recomputation: the totals of ``data_element`` in ``year`` for the ``affected`` units, reading their own
    values and the stored totals of ``needed`` (:func:`recompute`)."""

    data_element: str
    year: int
    affected: frozenset[str]
    needed: frozenset[str]

    @property
    def periods(self) -> tuple[Period, ...]:
        return year_periods(self.year)


def slices(plan: Plan, touched: Iterable[tuple[str, str, int]]) -> list[Slice]:
    """The recomputations that bring the stored totals up to date after the values of ``touched`` (data element,
    unit, year) changed: one per data element × year, in that order."""
    tree = plan.org_tree
    units: dict[tuple[str, int], set[str]] = defaultdict(set)
    for data_element, unit, year in touched:
        units[(data_element, year)].add(unit)
    found = []
    for (data_element, year), codes in sorted(units.items()):
        affected = affected_units(tree, codes)
        if affected:
            needed = inputs_needed(tree, affected)
            found.append(Slice(data_element, year, frozenset(affected), frozenset(needed)))
    return found


def all_units(tree: OrgTree) -> set[str]:
    """Every unit and group of ``tree``: what a full rebuild recomputes."""
    return {*tree.units, *tree.groups}
