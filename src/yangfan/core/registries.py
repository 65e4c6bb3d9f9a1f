"""Counting registry entries for the indicators (``count(industry_vpn)``, A7's benchmarks per key industry).

An entry counts for a unit when it is registered at that unit or at a unit counted in it (a group counts its
members' entries), and for a period when it stands at the period's end: started on or before that day and not
ended on or before it (an entry retired on 2023-03-01 counts at the end of 2022, not of 2023Q1). A registry
Yangfan does not keep answers ``None`` ("no data"), never 0.

:meth:`RegistryCounter.summary` is the same count as a report tells it: what stands at the period's end, what
started and what ended within the period (so that the count before, plus the one, less the other, is the count
at the end), by sector and by each unit counted directly in the unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from yangfan.core.orgtree import OrgTree
from yangfan.core.periods import Period


@dataclass(frozen=True)
class RegistrySummary:
    """A registry at ``org_unit`` over ``period``; sectors and units by code, the most entries first."""

    registry: str
    org_unit: str
    period: Period
    standing: int  # entries standing at the period's end
    before: int  # standing at the end of the day before the period
    added: int  # started within the period
    ended: int  # retired, revoked or delisted within the period
    by_sector: tuple[tuple[str | None, int], ...]  # standing at the end; None: entries that name no sector
    by_unit: tuple[tuple[str, int], ...]  # standing at the end, per unit counted directly in ``org_unit``


@dataclass(frozen=True)
class RegistryEntry:
    registry: str  # the plan file's registry code: industry_vpn, benchmark, iiot_platform, …
    org_unit: str
    start: date
    end: date | None = None  # retired, revoked or delisted on this day; None while it stands
    sector: str | None = None

    def stands_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


class RegistryCounter:
    """``Engine(registry_counts=RegistryCounter(...))``: entries of the kept registries, counted per unit,
    period and (for A7) sector."""

    def __init__(self, tree: OrgTree, entries: Iterable[RegistryEntry], kept: Iterable[str]):
        self.tree = tree
        self.kept = frozenset(kept)
        # by registry and sector (``None``: every sector), each list by unit: a count reads only its own
        self._entries: dict[tuple[str, str | None], dict[str, list[RegistryEntry]]] = defaultdict(dict)
        for entry in entries:
            for sector in {None, entry.sector}:
                self._entries[(entry.registry, sector)].setdefault(entry.org_unit, []).append(entry)
        self._covered: dict[str, frozenset[str]] = {}

    def covered(self, code: str) -> frozenset[str]:
        """The units whose entries count for ``code``: itself and every unit counted in it, or a group's members
        with theirs."""
        if code not in self._covered:
            if code in self.tree.groups:
                roots = [m for m in self.tree.groups[code].members if m in self.tree.units]
            elif code in self.tree.units:
                roots = [code]
            else:
                roots = []
            found = set(roots)
            for root in roots:
                found.update(u.code for u in self.tree.descendants(root))
            self._covered[code] = frozenset(found)
        return self._covered[code]

    def __call__(self, registry: str, org_unit: str, period: Period, sector: str | None) -> Decimal | None:
        if registry not in self.kept:
            return None
        by_unit, day = self._entries.get((registry, sector), {}), period.end
        units = self.covered(org_unit)
        if len(by_unit) < len(units):
            lists = [entries for unit, entries in by_unit.items() if unit in units]
        else:
            lists = [by_unit[unit] for unit in units if unit in by_unit]
        return Decimal(sum(1 for entries in lists for e in entries if e.stands_on(day)))

    def summary(self, registry: str, org_unit: str, period: Period) -> RegistrySummary | None:
        """The registry at ``org_unit`` over ``period`` (``None`` for a registry Yangfan does not keep)."""
        if registry not in self.kept:
            return None
        by_unit = self._entries.get((registry, None), {})
        first, last = period.start, period.end
        standing: list[RegistryEntry] = []
        unit_counts: dict[str, int] = {}
        before = added = ended = 0
        children = self._children_of(org_unit)
        for unit in self.covered(org_unit):
            for entry in by_unit.get(unit, ()):
                before += entry.stands_on(first - timedelta(days=1))
                added += first <= entry.start <= last
                ended += entry.end is not None and first <= entry.end <= last
                if entry.stands_on(last):
                    standing.append(entry)
                    child = children.get(unit)
                    if child is not None:
                        unit_counts[child] = unit_counts.get(child, 0) + 1
        sectors: dict[str | None, int] = {}
        for entry in standing:
            sectors[entry.sector] = sectors.get(entry.sector, 0) + 1
        return RegistrySummary(
            registry=registry,
            org_unit=org_unit,
            period=period,
            standing=len(standing),
            before=before,
            added=added,
            ended=ended,
            by_sector=_most_first(sectors),
            by_unit=_most_first(unit_counts),
        )

    def _children_of(self, code: str) -> dict[str, str]:
        """Each unit covered by ``code`` mapped to the unit counted directly in ``code`` (or the group's member)
        it belongs to; ``code`` itself maps to nothing."""
        if code in self.tree.groups:
            tops = [m for m in self.tree.groups[code].members if m in self.tree.units]
        elif code in self.tree.units:
            tops = [u.code for u in self.tree.children(code)]
        else:
            tops = []
        found: dict[str, str] = {}
        for top in tops:
            found[top] = top
            for unit in self.tree.descendants(top):
                found[unit.code] = top
        return found


def _most_first(counts: dict) -> tuple:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], "" if item[0] is None else item[0])))
