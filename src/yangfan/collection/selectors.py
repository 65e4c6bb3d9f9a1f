"""Reads of the collection context: a data set's rows for a unit, its deadline, the submission that holds a
value, and what waits for whom."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from yangfan.actionplans.models import DataSet, Operator
from yangfan.collection.models import Submission
from yangfan.core.periods import PERIOD_TYPES, Period, PeriodError, PeriodKind
from yangfan.orgunits.models import OrgUnit


def _tree() -> tuple[dict[int, OrgUnit], dict[int | None, list[OrgUnit]]]:
    units = {u.pk: u for u in OrgUnit.objects.order_by("code")}
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units.values():
        children.setdefault(unit.statistical_parent_id, []).append(unit)
    return units, children


def unit_depth(unit: OrgUnit, units: dict[int, OrgUnit] | None = None) -> int:
    """0 for the root of the statistical tree, 1 for the units counted in it (cities, 杨凌示范区), 2 below.
    ``units``: every unit by id, when already read."""
    units = units if units is not None else _tree()[0]
    depth, current = 0, unit
    while current.statistical_parent_id is not None:
        current = units[current.statistical_parent_id]
        depth += 1
    return depth


def data_set_rows(*, data_set: DataSet, org_unit: OrgUnit) -> list[OrgUnit]:
    """The rows a report of ``data_set`` for ``org_unit`` has: the units of the data set's level counted in
    ``org_unit`` (itself when it is of that level), in code order. County level means the base units, those
    with nothing counted in them."""
    units, children = _tree()
    wanted = {"province": 0, "city": 1}.get(data_set.level)  # None: the base units
    rows, stack = [], [(org_unit, unit_depth(org_unit, units))]
    while stack:
        unit, depth = stack.pop()
        kids = children.get(unit.pk, [])
        if (wanted is None and not kids) or depth == wanted:
            rows.append(unit)
        elif wanted is None or depth < wanted:
            stack.extend((kid, depth + 1) for kid in kids)
    return sorted(rows, key=lambda u: u.code)


def period_kind(data_set: DataSet) -> PeriodKind:
    return PERIOD_TYPES[data_set.period_type]


def deadline(*, data_set: DataSet, period: Period) -> date:
    """The last day a report is on time: the period's end plus the data set's deadline days."""
    return period.end + timedelta(days=data_set.deadline_days)


def submission_find(*, data_set: DataSet, org_unit: OrgUnit, period: str, operator=None) -> Submission | None:
    return Submission.objects.filter(
        data_set=data_set, org_unit=org_unit, period=period, operator=operator
    ).first()


def submission_list(**filters) -> QuerySet[Submission]:
    return Submission.objects.filter(**filters).select_related(
        "data_set", "org_unit", "operator", "submitted_by", "reviewed_by"
    )


def report_key(
    request, kwargs, *, operator_required: bool = True
) -> tuple[DataSet, OrgUnit, Period, Operator | None]:
    """The report a URL ``…/<data_set>/<org>/<period>/[?operator=]`` names, or ``Http404`` saying why: the
    period must be of the data set's kind, and a data set reported by operator needs one (an operator's own
    users imply theirs; a page that asks for it passes ``operator_required=False``)."""
    data_set = (
        DataSet.objects.filter(code=kwargs["data_set"]).select_related("plan").order_by("plan__code").first()
    )
    if data_set is None:
        raise Http404(_("没有代码为“%(code)s”的数据集。") % {"code": kwargs["data_set"]})
    org_unit = get_object_or_404(OrgUnit, code=kwargs["org"])
    try:
        period = Period.parse(kwargs["period"])
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    if period.kind != period_kind(data_set) or str(period) != kwargs["period"]:
        raise Http404(_("期间与数据集的报送周期不符。"))
    code = request.GET.get("operator")
    if not data_set.by_operator:
        if code:
            raise Http404(_("该数据集不按运营商分别报送。"))
        return data_set, org_unit, period, None
    operator = get_object_or_404(Operator, code=code) if code else getattr(request.user, "operator", None)
    if operator is None and operator_required:
        raise Http404(_("该数据集按运营商分别报送，请指定运营商。"))
    return data_set, org_unit, period, operator
