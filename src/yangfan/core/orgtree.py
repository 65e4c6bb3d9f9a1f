"""The organisation tree as the province's statistics count it.

Each org unit has an administrative ``parent`` and may be *counted in* another unit: 杨陵区 lies in 咸阳
administratively but Shaanxi statistics report it inside 杨凌示范区, beside the ten cities. The statistical
tree follows ``counted_in`` where given, ``parent`` otherwise, so every base unit is counted exactly once in
the province's total. Groups (韩城市, 神木市, 府谷县, 西咸新区) are reported and compared, never added to a total.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class OrgUnit:
    code: str
    name: str
    level: int
    parent: str | None = None
    counted_in: str | None = None
    name_en: str = ""
    kind: str = ""
    remark: str = ""

    @property
    def statistical_parent(self) -> str | None:
        return self.counted_in or self.parent


@dataclass(frozen=True)
class OrgGroup:
    code: str
    name: str
    kind: str
    members: tuple[str, ...] = ()
    overlaps: tuple[str, ...] = ()
    name_en: str = ""
    remark: str = ""


class OrgTree:
    """Navigation and summation over the statistical tree. Built from validated units (no cycles)."""

    def __init__(self, units: tuple[OrgUnit, ...], groups: tuple[OrgGroup, ...] = ()):
        self.units = {u.code: u for u in units}
        self.groups = {g.code: g for g in groups}
        self._children: dict[str, list[str]] = {code: [] for code in self.units}
        for unit in units:
            if unit.statistical_parent is not None:
                self._children[unit.statistical_parent].append(unit.code)
        roots = [u.code for u in units if u.statistical_parent is None]
        self.root = roots[0] if roots else None
        self._child_units = {
            code: tuple(self.units[c] for c in kids) for code, kids in self._children.items()
        }

    def children(self, code: str) -> tuple[OrgUnit, ...]:
        """Units counted directly in ``code``, in plan-file order."""
        return self._child_units[code]

    def administrative_children(self, code: str) -> tuple[OrgUnit, ...]:
        return tuple(u for u in self.units.values() if u.parent == code)

    def ancestors(self, code: str) -> tuple[OrgUnit, ...]:
        """From the root down to the unit's statistical parent."""
        chain = []
        parent = self.units[code].statistical_parent
        while parent is not None:
            chain.append(self.units[parent])
            parent = self.units[parent].statistical_parent
        return tuple(reversed(chain))

    def descendants(self, code: str) -> Iterator[OrgUnit]:
        for child in self._children[code]:
            yield self.units[child]
            yield from self.descendants(child)

    def leaves(self, code: str) -> tuple[OrgUnit, ...]:
        """The base units counted in ``code`` (the unit itself if it has no children)."""
        if not self._children[code]:
            return (self.units[code],)
        return tuple(u for u in self.descendants(code) if not self._children[u.code])

    def groups_of(self, code: str) -> tuple[OrgGroup, ...]:
        return tuple(g for g in self.groups.values() if code in g.members or code in g.overlaps)

    def total(self, code: str, values: Mapping[str, Decimal]) -> Decimal | None:
        """The unit's own value where one is reported, otherwise the sum of its children's totals.

        ``None`` when neither the unit nor anything below it has a value. A figure is never counted
        twice: a unit that reports its own value hides its children's figures from the sum above it.
        """
        if code in self.groups:
            return self._group_total(self.groups[code], values)
        if code in values:
            return values[code]
        totals = [t for c in self._children[code] if (t := self.total(c, values)) is not None]
        return sum(totals, Decimal(0)) if totals else None

    def _group_total(self, group: OrgGroup, values: Mapping[str, Decimal]) -> Decimal | None:
        if group.code in values:
            return values[group.code]
        totals = [t for m in group.members if (t := self.total(m, values)) is not None]
        return sum(totals, Decimal(0)) if totals else None
