"""Reads that span relations. Plan content is public within the platform: every signed-in user may read
the plan (scoping of data, tasks' progress and reports comes with the features that hold them)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from yangfan.actionplans.choices import UnitRole
from yangfan.actionplans.models import Indicator, Plan, ResponsibleUnit, Section, Task, TaskUnit, UnitTarget
from yangfan.core import targets as core
from yangfan.core.plan import Comparison, Target


def plan_get(*, code: str) -> Plan:
    return get_object_or_404(Plan, code=code)


def supervised_plans() -> QuerySet[Plan]:
    """The plans with tasks to supervise, the one that started last first (the national successor's task clauses
    are not bundled: it has none)."""
    return Plan.objects.filter(Exists(Task.objects.filter(plan=OuterRef("pk")))).order_by("-start", "code")


def plan_default() -> Plan | None:
    """The plan the platform's work runs on where a page does not name one: the first of ``supervised_plans``;
    else the first by code."""
    return (
        supervised_plans().select_related("root").first()
        or Plan.objects.select_related("root").order_by("code").first()
    )


def task_list(*, plan: Plan) -> QuerySet[Task]:
    """The plan's tasks with their section, sector and responsible units: ``task.unit_links.all`` in the order
    the clause names them, each with its unit and whether it leads (each unit links to its page, whose address
    names the plan: read with it)."""
    return plan.task_set.select_related("section", "sector").prefetch_related(
        Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit__plan").order_by("position"))
    )


def unit_roles(tasks: QuerySet[Task] | Iterable[Task | int]) -> dict[tuple[int, int], str]:
    """``{(task id, responsible unit id): "lead" | "cooperating"}`` for ``tasks`` (a queryset, or tasks or their
    ids), read in one query: what a page listing assignments or units asks instead of a query per row. The
    values are ``UnitRole``'s (``core.evaluation.ROLES``)."""
    if not isinstance(tasks, QuerySet):
        tasks = [t if isinstance(t, int) else t.pk for t in tasks]
    rows = TaskUnit.objects.filter(task__in=tasks).values_list("task_id", "unit_id", "lead")
    return {
        (task, unit): (UnitRole.LEAD if lead else UnitRole.COOPERATING).value for task, unit, lead in rows
    }


def plan_unit_roles(*, plan_id: int) -> dict[tuple[int, int], str]:
    """:func:`unit_roles` of every task of a plan (one query)."""
    return unit_roles(Task.objects.filter(plan_id=plan_id).values("pk"))


def task_leads() -> set[tuple[int, int]]:
    """``{(task id, responsible unit id)}`` of every task's lead unit (one query, a row per task): a unit of a task
    not in it co-operates. What the ``unit_roles`` template tags keep for a request."""
    return set(TaskUnit.objects.filter(lead=True).values_list("task_id", "unit_id"))


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
    """The plan's units with how many tasks each has (``task_count``) and leads (``lead_count``), counted over one
    join."""
    return plan.responsibleunit_set.annotate(
        task_count=Count("task_links"), lead_count=Count("task_links", filter=Q(task_links__lead=True))
    )


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


def plan_active(*, today=None) -> Plan | None:
    """The plan a page SHOWS where the reader has not chosen one: among the loaded plans, the one whose period
    contains today; else the one that started last among those started; else the first by code. (Supervision
    keeps ``plan_default``: its work runs on the plan with tasks.)"""
    from datetime import date

    today = today or date.today()
    plans = Plan.objects.select_related("root")
    return (
        plans.filter(start__lte=today, end__gte=today).order_by("-start", "code").first()
        or plans.filter(start__lte=today).order_by("-start", "code").first()
        or plans.order_by("code").first()
    )


def plan_choices() -> list[Plan]:
    """The loaded plans, the one that started last first, for a picker (one query)."""
    return list(Plan.objects.order_by("-start", "code"))
