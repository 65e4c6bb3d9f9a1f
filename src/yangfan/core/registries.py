"""Counting registry entries for the indicators (``count(industry_vpn)``, A7's benchmarks per key industry).

An entry counts for a unit when it is registered at that unit or at a unit counted in it (a group counts its
members' entries), and for a period when it stands at the period's end: started on or before that day and not
ended on or before it (an entry retired on 2023-03-01 counts at the end of 2022, not of 2023Q1). A registry
Yangfan does not keep answers ``None`` ("no data"), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yangfan.core.orgtree import OrgTree
from yangfan.core.periods import Period


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
