"""Reads that span relations. Plan content is public within the platform: every signed-in user may read
the plan (scoping of data, tasks' progress and reports comes with the features that hold them)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from yangfan.actionplans.models import Indicator, Plan, ResponsibleUnit, Section, Task, UnitTarget
from yangfan.core import targets as core
from yangfan.core.plan import Comparison, Target


def plan_get(*, code: str) -> Plan:
    return get_object_or_404(Plan, code=code)


def plan_default() -> Plan | None:
    return Plan.objects.order_by("code").first()


def task_list(*, plan: Plan) -> QuerySet[Task]:
    """The plan's tasks with their section, sector and responsible units (each unit links to its page, whose
    address names the plan: read with it)."""
    return plan.task_set.select_related("section", "sector").prefetch_related(
        Prefetch("units", queryset=ResponsibleUnit.objects.select_related("plan"))
    )


def section_tree(*, plan: Plan) -> list[Section]:
    """Chapters with their parts/actions, each carrying its tasks and special projects, in text order."""
    sections = list(
        plan.section_set.prefetch_related(
            Prefetch("tasks", queryset=task_list(plan=plan)),
            "special_projects",
            "goals",
        )
    )
    by_parent: dict[int | None, list[Section]] = {}
    for section in sections:
        by_parent.setdefault(section.parent_id, []).append(section)
    for section in sections:
        section.subsections = by_parent.get(section.pk, [])
    return by_parent.get(None, [])


def unit_list(*, plan: Plan) -> QuerySet[ResponsibleUnit]:
    return plan.responsibleunit_set.annotate(task_count=Count("tasks"))


def indicator_list(*, plan: Plan) -> QuerySet[Indicator]:
    return plan.indicator_set.all()


def unit_target_list(*, indicator: Indicator) -> QuerySet[UnitTarget]:
    """The targets set per unit for ``indicator``, by unit and date."""
    return UnitTarget.objects.filter(indicator=indicator).select_related("org_unit", "set_by", "indicator")


def unit_targets(*, plan_code: str) -> list[core.UnitTarget]:
    """The targets set per unit for every indicator of the plan, as the engine reads them."""
    rows = UnitTarget.objects.filter(indicator__plan__code=plan_code).values_list(
        "indicator__code", "org_unit__code", "date", "value", "comparison"
    )
    return [
        core.UnitTarget(code, org, Target(value, Comparison(comparison), on))
        for code, org, on, value, comparison in rows
    ]
