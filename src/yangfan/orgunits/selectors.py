from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yangfan.core.figures import row_target
from yangfan.core.periods import Period
from yangfan.core.plan import Plan
from yangfan.core.targets import Status
from yangfan.orgunits.models import OrgGroup, OrgUnit


def statistical_children(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Units counted directly in ``unit``: ``counted_in`` where set, the administrative parent otherwise."""
    return OrgUnit.objects.filter(Q(counted_in=unit) | Q(counted_in__isnull=True, parent=unit))


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


def plans_of(*, unit: OrgUnit) -> list[Plan]:
    """The loaded plans (as the engine reads them) whose org tree holds ``unit``."""
    from yangfan.datavalues.indicators import core_plans  # datavalues imports this module: import late

    return [plan for plan in core_plans().values() if unit.code in plan.org_tree.units]


def indicator_glance(*, plan: Plan, unit: OrgUnit, period: Period, engine=None) -> list[dict]:
    """Every indicator of ``plan`` for ``unit`` at ``period``: the rows of ``assessments()`` with what the
    page shows beside them (unit, target as text, status label) and the sparkline data of charts.js.

    The caller has checked the view scope (the unit's page requires ``data.view`` on the unit). ``engine`` lets a
    page that computes more (the dashboard) read the stored values once."""
    from yangfan.datavalues.indicators import assessments

    rows = assessments(plan, [unit.code], period, engine=engine)
    for row in rows:
        indicator = next((i for i in plan.indicators if i.code == row["indicator"]), None)
        row["unit"] = indicator.unit if indicator else ""
        row["target_text"] = _target_text(row, row["unit"])
        row["status_label"] = _status_label(row["status"])
        row["chart_id"] = f"glance-{plan.code}-{row['indicator']}"
        row["chart"] = _series_chart(row, _periods_up_to(plan, period, row), unit_name=unit.name)
    return rows


def _periods_up_to(plan: Plan, period: Period, row: dict) -> list[Period]:
    """The x axis of a row's series: every period of ``period``'s kind from the plan's start (or the row's
    first observation, when its series begins earlier, e.g. at the base year) to ``period``."""
    current = min(
        [Period.containing(plan.start, period.kind), *(Period.parse(p) for p, _v in row.get("series") or ())]
    )
    if period < current:
        return [period]
    periods = []
    while current <= period:
        periods.append(current)
        current = current.next()
    return periods


def _number(text: str | None) -> float | None:
    """A value as charts.js reads it: a JSON number (Decimal text to float, for display only) or null."""
    return None if text is None else float(Decimal(text))


def _target_text(row: dict, unit: str) -> str | None:
    """“> 40 %”, as the indicator page writes a target; ``None`` where the row has no target for the unit."""
    return None if row.get("target") is None else f"{row_target(row)} {unit}".strip()


def _status_label(code: str) -> str:
    try:
        return Status(code).label
    except ValueError:
        return code  # a status this page does not know yet is shown as it comes


def _series_chart(row: dict, periods: list[Period], *, unit_name: str) -> dict:
    """The data contract of ``portal/charts.js`` for one indicator of one unit (gaps as ``null``)."""
    by_period = {p: v for p, v in row.get("series") or ()}
    by_period[row["period"]] = row["value"]
    target = None
    if row.get("target_text"):
        target = {
            "value": _number(row["target"]),
            "label": _("目标：%(t)s（%(d)s）") % {"t": row["target_text"], "d": row["target_date"]},
        }
    return {
        "unit": row["unit"],
        "periods": [str(p) for p in periods],
        "series": [{"name": unit_name, "values": [_number(by_period.get(str(p))) for p in periods]}],
        "target": target,
        "milestones": [],
        "trajectory": None,
    }
