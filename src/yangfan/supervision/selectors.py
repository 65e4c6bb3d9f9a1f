"""Reads of task supervision, filtered by the reader's scope at the source.

Who sees which assignment: the provincial office and the leading group's viewers every assignment in their view
scope (a city viewer its city's); a department reporter only its own department's; a city reporter or reviewer
only its city government's. ``assignment_list`` is the one filter; ``may_read_assignment`` asks it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from yangfan.accounts.permissions import (
    assignment_scope,
    may_report_share,
    may_supervise,
    supervision_scope,
)
from yangfan.actionplans.models import Plan, ResponsibleUnit
from yangfan.actionplans.selectors import plan_default, supervised_plans
from yangfan.core.periods import PERIOD_TYPES, Period, PeriodKind
from yangfan.core.plan import UnitKind
from yangfan.core.supervision import (
    AssignmentState,
    MilestoneState,
    Progress,
    ReportState,
    SupervisionRules,
    periods_between,
    roll_up,
)
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.supervision.models import Assignment, Milestone, ProgressReport


def supervision_rules(plan: Plan) -> SupervisionRules:
    """The plan file's ``supervision`` section (its defaults when the file has none)."""
    from yangfan.datavalues.indicators import core_plan_of

    return core_plan_of(plan).supervision


def core_plan(plan: Plan):
    from yangfan.datavalues.indicators import core_plan_of

    return core_plan_of(plan)


def reporting_kind(plan: Plan) -> PeriodKind:
    return PERIOD_TYPES[supervision_rules(plan).period_type]


def reporting_periods(plan: Plan, *, until: Period | None = None) -> list[str]:
    """The plan's reporting periods from its first to ``until`` (its last when not given)."""
    kind = reporting_kind(plan)
    first = str(Period.containing(plan.start, kind))
    last = str(until) if until is not None else str(Period.containing(plan.end, kind))
    return periods_between(first, last) if Period.parse(first) <= Period.parse(last) else []


def period_of(plan: Plan, text: str | None, *, today: date | None = None) -> Period:
    """The reporting period named by ``text``; by default the latest one that has ended (within the plan)."""
    from yangfan.core.periods import PeriodError

    kind = reporting_kind(plan)
    if text:
        period = Period.parse(text)
        if period.kind != kind:
            raise PeriodError(text)
        return period
    today = today or date.today()
    period = Period.containing(today, kind).previous()
    last = Period.containing(plan.end, kind)
    first = Period.containing(plan.start, kind)
    return max(min(period, last), first)


def reporting_period_for(plan: Plan, period: Period) -> Period:
    """The reporting period (a quarter, by default) that ends with ``period`` or last before it, within the
    plan: what a year's or a month's dashboard and report show of the tasks."""
    kind = reporting_kind(plan)
    found = Period.containing(period.end, kind)
    if found.end > period.end:
        found = found.previous()
    first, last = Period.containing(plan.start, kind), Period.containing(plan.end, kind)
    return max(min(found, last), first)


def city_governments() -> QuerySet[OrgUnit]:
    """The units a task given to 各设区市政府 is shared among: the prefecture-level cities directly under the
    province (a zone such as 杨凌示范区 has a ``kind`` and is not one: the plan file's remark says so)."""
    province = OrgUnit.objects.filter(pk__in=supervised_plans().values("root")[:1])
    return OrgUnit.objects.filter(
        level=OrgUnitLevel.CITY, kind="", parent__in=province, counted_in__isnull=True
    )


def province_unit() -> OrgUnit:
    """The root of the supervised plan's tree (``plan_default``): the province, also where a national plan that
    holds it is loaded beside it."""
    plan = plan_default()
    if plan is not None and plan.root_id is not None:
        return plan.root
    return OrgUnit.objects.filter(parent__isnull=True, counted_in__isnull=True).order_by("code").first()


def assignment_list(*, actor, plan: Plan | None = None) -> QuerySet[Assignment]:
    """The assignments ``actor`` may read, with what their rows show."""
    condition = assignment_scope(actor)
    if condition is None:
        return Assignment.objects.none()
    rows = Assignment.objects.filter(condition)
    if plan is not None:
        rows = rows.filter(task__plan=plan)
    return rows.select_related("task", "task__section", "subtask", "responsible_unit", "org_unit", "parent")


def supervised_list(*, actor, plan: Plan | None = None) -> QuerySet[Assignment]:
    """The assignments ``actor`` may supervise (``permissions.may_supervise``): what a notice may be issued on."""
    condition = supervision_scope(actor)
    if condition is None:
        return Assignment.objects.none()
    return assignment_list(actor=actor, plan=plan).filter(condition)


def parts_under(assignment: Assignment) -> QuerySet[OrgUnit]:
    """The districts and counties a city's share may be split among: the units directly under the city in the
    statistical tree (its 区、县, county-level cities), in the tree's order."""
    return OrgUnit.objects.filter(parent_id=assignment.org_unit_id, counted_in__isnull=True).order_by(
        "position", "code"
    )


def parts_reported(assignment: Assignment, period: str) -> list[tuple[Assignment, ProgressReport | None]]:
    """The parts of a split share, each with its report of ``period`` (``None``: none yet): two queries."""
    parts = list(assignment.children.select_related("org_unit", "responsible_unit"))
    reports = {
        r.assignment_id: r
        for r in ProgressReport.objects.filter(assignment__in=[p.pk for p in parts], period=period)
    }
    return [(p, reports.get(p.pk)) for p in parts]


def rolled_up(
    assignment: Assignment, period: str, parts: list[tuple[Assignment, ProgressReport | None]] | None = None
) -> tuple[Progress, int] | None:
    """What the parts of a split share report for ``period`` (:func:`parts_reported`, read here unless given),
    rolled up (``core.supervision.roll_up``); a part without a submitted (or approved) report counts as not
    started. ``None`` for a share not split."""
    parts = parts_reported(assignment, period) if parts is None else parts
    if not parts:
        return None
    counted = ("submitted", "approved")
    return roll_up([(r.progress, r.percent) if r and r.status in counted else None for _p, r in parts])


def city_shares_read(user) -> QuerySet:
    """The ids of the cities whose government's shares ``user`` reads (a subquery)."""
    return (
        assignment_list(actor=user)
        .filter(responsible_unit__kind=UnitKind.CITY_GOVERNMENTS, parent__isnull=True)
        .values("org_unit")
    )


def reads_city_tasks(user, city: OrgUnit) -> bool:
    """Does ``user`` read ``city``'s government's shares (and so its county ranking)? The province's readers and
    the city's own users do; a department, which reads its own shares only, does not."""
    return city_shares_read(user).filter(org_unit=city).exists()


def may_read_assignment(user, assignment: Assignment) -> bool:
    return assignment_list(actor=user).filter(pk=assignment.pk).exists()


def may_report(user, assignment: Assignment) -> bool:
    """Write, submit or withdraw a progress report and answer a notice (``permissions.may_report_share``)."""
    return may_report_share(user, assignment)


def may_review_report(user, report: ProgressReport) -> bool:
    """Approve, return or unlock a progress report: whoever supervises the share (the provincial office; a city's
    office for the parts of its city's share), never on a report it submitted."""
    if not may_supervise(user, report.assignment):
        return False
    return report.submitted_by_id is None or report.submitted_by_id != user.pk


def milestones_of(assignment: Assignment) -> QuerySet[Milestone]:
    """The milestones that bind an assignment: its task's own, its sub-task's when it has one, and those set on it
    alone (a part of a city's share)."""
    condition = Q(task_id=assignment.task_id, subtask__isnull=True, assignment__isnull=True)
    if assignment.subtask_id:
        condition |= Q(subtask_id=assignment.subtask_id, assignment__isnull=True)
    if assignment.pk:
        condition |= Q(assignment_id=assignment.pk)
    return Milestone.objects.filter(condition)


def report_state(
    *,
    period: str,
    progress: str,
    percent: int,
    status: str,
    submitted_at,
    evidence_count: int = 0,
    approved_only: bool = False,
) -> ReportState:
    """A stored progress report as the core reads it: submitted on the day it was, if it is submitted or approved
    (approved, with ``approved_only``)."""
    submitted = status in ("submitted", "approved") and submitted_at is not None
    if approved_only and status != "approved":
        submitted = False
    return ReportState(
        period=period,
        progress=progress,
        percent=percent,
        submitted_on=timezone.localtime(submitted_at).date() if submitted else None,
        approved=status == "approved",
        evidence_count=evidence_count,
    )


def assignment_states(
    assignments, *, plan: Plan, until: Period, approved_only: bool = False
) -> dict[int, AssignmentState]:
    """The core's view of each assignment up to ``until``: its milestones (met on the day a report claiming it was
    submitted) and its reports by period. Two queries, whatever the number of assignments."""
    assignments = list(assignments)
    ids = [a.pk for a in assignments]
    periods = reporting_periods(plan, until=until)
    first = periods[0] if periods else str(until)
    reports = (
        ProgressReport.objects.filter(assignment_id__in=ids, period__in=periods)
        .annotate(evidence_count=Count("evidence"))
        .prefetch_related(Prefetch("milestones_met", queryset=Milestone.objects.only("pk")))
    )
    by_assignment: dict[int, dict[str, ReportState]] = defaultdict(dict)
    met: dict[tuple[int, int], date] = {}
    for report in reports:
        state = by_assignment[report.assignment_id][report.period] = report_state(
            period=report.period,
            progress=report.progress,
            percent=report.percent,
            status=report.status,
            submitted_at=report.submitted_at,
            evidence_count=report.evidence_count,
            approved_only=approved_only,
        )
        day = state.submitted_on
        if day is not None:
            for milestone in report.milestones_met.all():
                key = (report.assignment_id, milestone.pk)
                met[key] = min(met.get(key, day), day)
    milestones = list(Milestone.objects.filter(task_id__in={a.task_id for a in assignments}))
    states = {}
    for a in assignments:
        own = [m for m in milestones if binds(m, a)]
        states[a.pk] = AssignmentState(
            key=str(a.pk),
            first_period=first,
            milestones=tuple(
                MilestoneState(code=m.code, title=m.title, due=m.due, met_on=met.get((a.pk, m.pk)))
                for m in own
            ),
            reports=dict(by_assignment.get(a.pk, {})),
        )
    return states


def binds(milestone: Milestone, assignment: Assignment) -> bool:
    """Does ``milestone`` bind ``assignment`` (:func:`milestones_of`, for rows already read)?"""
    if milestone.assignment_id is not None:
        return milestone.assignment_id == assignment.pk
    return milestone.task_id == assignment.task_id and milestone.subtask_id in (None, assignment.subtask_id)


def unit_of_work(assignment: Assignment) -> tuple[str, str, str]:
    """(key, name, kind) of whom the evaluation scores for ``assignment``: the department, or the city."""
    if assignment.responsible_unit.kind == UnitKind.CITY_GOVERNMENTS:
        return assignment.org_unit.code, assignment.org_unit.name, "city"
    return assignment.responsible_unit.code, assignment.responsible_unit.name, "department"


def responsible_units(plan: Plan) -> QuerySet[ResponsibleUnit]:
    return ResponsibleUnit.objects.filter(plan=plan)
