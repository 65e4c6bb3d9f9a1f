"""Reads of the org tree. What a unit's page shows of the figures (``indicator_glance``) is read in
``datavalues.indicators``: the figures build on the tree, and the permission module reads this one."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from yangfan.orgunits.models import OrgGroup, OrgUnit


def statistical_children(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Units counted directly in ``unit``: ``counted_in`` where set, the administrative parent otherwise."""
    return OrgUnit.objects.filter(Q(counted_in=unit) | Q(counted_in__isnull=True, parent=unit))


def base_units() -> QuerySet[OrgUnit]:
    """The units nothing is counted in: where figures are reported and raw rows are placed (Shaanxi's county-level
    units; with the national plan loaded, also the provinces whose own tree is not loaded)."""
    children = OrgUnit.objects.filter(
        Q(counted_in=OuterRef("pk")) | Q(counted_in__isnull=True, parent=OuterRef("pk"))
    )
    return OrgUnit.objects.filter(~Exists(children))


def ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    chain, current = [], unit
    units = {u.pk: u for u in OrgUnit.objects.all()}
    while (parent_id := current.statistical_parent_id) is not None:
        current = units[parent_id]
        chain.append(current)
    return list(reversed(chain))


def statistical_tree() -> OrgUnit | None:
    """The root with ``.kids`` filled down the statistical tree, from one query."""
    units = list(OrgUnit.objects.prefetch_related("group_memberships"))
    by_parent: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        by_parent.setdefault(unit.statistical_parent_id, []).append(unit)
    for unit in units:
        unit.kids = by_parent.get(unit.pk, [])
    roots = by_parent.get(None, [])
    return roots[0] if roots else None


def unit_or_group(text: str) -> OrgUnit | OrgGroup | None:
    """The org unit or group ``text`` names, by code first, then by name."""
    text = text.strip()
    if not text:
        return None
    return (
        OrgUnit.objects.filter(code=text).first()
        or OrgGroup.objects.filter(code=text).first()
        or OrgUnit.objects.filter(name=text).first()
        or OrgGroup.objects.filter(name=text).first()
    )


def group_list() -> QuerySet[OrgGroup]:
    return OrgGroup.objects.prefetch_related("members", "overlaps")


def groups_of(*, unit: OrgUnit) -> QuerySet[OrgGroup]:
    return OrgGroup.objects.filter(Q(members=unit) | Q(overlaps=unit)).distinct()


def unit_links() -> list[tuple[int, int | None, int | None]]:
    """Every unit's (id, parent id, counted-in id): the statistical tree in one query."""
    return list(OrgUnit.objects.values_list("pk", "parent_id", "counted_in_id"))


def covered_unit_ids(roots: Iterable[int], *, links=None) -> set[int]:
    """The ids of ``roots`` and of every unit counted in them, transitively (the statistical tree); ``links``
    (``unit_links()``) when already read."""
    children: dict[int, list[int]] = {}
    for pk, parent, counted_in in unit_links() if links is None else links:
        statistical_parent = counted_in or parent
        if statistical_parent is not None:
            children.setdefault(statistical_parent, []).append(pk)
    covered, stack = set(), list(roots)
    while stack:
        pk = stack.pop()
        if pk not in covered:
            covered.add(pk)
            stack.extend(children.get(pk, ()))
    return covered
