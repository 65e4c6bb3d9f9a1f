"""What the supervision pages, the API and ``yangfan tasks overdue`` show, computed once here: the matrix of
tasks × units, a unit's own board, the supervision list (alerts) and the notices it proposes from indicators.

Every function takes the reader (``actor``) and reads only the assignments ``selectors.assignment_list`` gives
them, so a page, an export or a command line never shows what its reader may not see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.actionplans.display import localized_name
from yangfan.actionplans.models import Plan, ResponsibleUnit, Task, TaskUnit
from yangfan.core.periods import Period
from yangfan.core.plan import UnitKind
from yangfan.core.supervision import Alert, ReportState, alerts, report_due, report_late
from yangfan.core.targets import Status
from yangfan.orgunits.models import OrgUnit
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.lights import milestone_light
from yangfan.supervision.models import Assignment, ProgressReport, SupervisionNotice, TaskIndicator
from yangfan.supervision.selectors import (
    assignment_list,
    assignment_states,
    city_governments,
    reporting_periods,
    supervised_list,
    supervision_rules,
)

FIGURES = (
    "indicator",
    "name",
    "org_unit",
    "period",
    "value",
    "target",
    "target_comparison",
    "status",
    "pace_per_month",
)


def row_figures(row) -> dict:
    """What a notice keeps of an indicator result (``datavalues.indicators.IndicatorRow``): the ``FIGURES`` of its
    JSON row, as text, so that the notice says what was true when it was issued."""
    data = row.as_dict()
    return {k: data.get(k) for k in FIGURES}


OPEN_NOTICE = (NoticeStatus.ISSUED, NoticeStatus.SIGNED, NoticeStatus.ESCALATED, NoticeStatus.ANSWERED)
# the statuses the supervision list proposes a notice for, the most urgent first: a target missed at its date
# is at least as urgent as one off track
BEHIND = (Status.MISSED, Status.OFF_TRACK, Status.AT_RISK)


@dataclass
class Column:
    """A column of the matrix: a department, or one city's government."""

    key: str
    name: str
    short: str


@dataclass
class Cell:
    assignment: Assignment
    report: ProgressReport | None
    alerts: list[Alert] = field(default_factory=list)
    parts: int = 0  # how many parts the city's office split this share into (the cascade)

    @property
    def flagged(self) -> bool:
        """A milestone overdue or a stall: what the cell's colour (its report) does not already say."""
        return any(a.kind != "no_report" for a in self.alerts)

    @property
    def state(self) -> str:
        """What colours the cell: the reported progress, or why there is none."""
        report = None if self.report is None else (self.report.status, self.report.progress)
        return cell_state(report, overdue=any(a.kind == "no_report" for a in self.alerts))


def cell_state(report: tuple[str, str] | None, *, overdue: bool) -> str:
    """A cell's state from its report's (status, progress): the progress of a submitted or approved report;
    otherwise overdue where the report is late (its ``no_report`` alert), missing where it is not due yet."""
    if report is None or report[0] not in ("submitted", "approved"):
        return "overdue" if overdue else "missing"
    return report[1]


@dataclass
class Summary:
    """How the cells of a period stand, without the cells: the dashboard's task summary."""

    tasks: int
    counts: dict[str, int]


def summary(
    *, actor, plan: Plan, period: Period, as_of: date | None = None, city: str | None = None
) -> Summary:
    """The counts of :func:`matrix` (the cells by state) from the period's reports alone, counted by the database
    (a few rows whatever the number of assignments): the dashboard's task summary. ``city``: that city
    government's share only. Each group of reports is judged by the core's rules (``report_late``) as one report
    standing for all of them: submitted by ``as_of`` or not, with its status and progress."""
    as_of = as_of or timezone.localdate()
    rows = _readable(actor, plan).filter(subtask__isnull=True).order_by()
    if city is not None:
        rows = rows.filter(org_unit__code=city, responsible_unit__kind=UnitKind.CITY_GOVERNMENTS)
    sizes = rows.aggregate(assignments=Count("pk"), tasks=Count("task", distinct=True))
    rules = supervision_rules(plan)
    periods = reporting_periods(plan, until=period)
    started = rules.parse(str(period)) >= rules.parse(
        periods[0] if periods else str(period)
    )  # as alerts() asks
    due = report_due(str(period), rules)
    next_day = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), datetime.min.time()))
    groups = (
        ProgressReport.objects.filter(assignment__in=rows.values("pk"), period=str(period))
        .annotate(by_then=Case(When(submitted_at__lt=next_day, then=Value(True)), default=Value(False)))
        .order_by()
        .values_list("status", "progress", "by_then")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = defaultdict(int)
    reported = 0
    for status, progress, by_then, n in groups:
        submitted = status in ("submitted", "approved") and by_then
        report = ReportState(str(period), progress, 0, submitted_on=as_of if submitted else None)
        late = started and report_late(report, due, as_of)
        counts[cell_state((status, progress), overdue=late)] += n
        reported += n
    missing = sizes["assignments"] - reported
    if missing:
        counts[cell_state(None, overdue=started and report_late(None, due, as_of))] += missing
    return Summary(tasks=sizes["tasks"], counts=dict(counts))


@dataclass
class Row:
    task: Task
    cells: dict[str, Cell]


@dataclass
class Matrix:
    period: Period
    columns: list[Column]
    rows: list[Row]
    counts: dict[str, int]
    milestone_lights: dict[str, int] = field(default_factory=dict)  # yellow and red milestones of the cells


def column_of(assignment: Assignment) -> Column:
    if assignment.parent_id is not None:  # a part of a city's share: a county or a city department
        name = assignment.unit_name
        short = assignment.assignee or assignment.org_unit.name
        return Column(key=f"part:{assignment.org_unit.code}:{assignment.assignee}", name=name, short=short)
    unit = assignment.responsible_unit
    if unit.kind == UnitKind.CITY_GOVERNMENTS:
        name = assignment.org_unit.name
        return Column(
            key=f"city:{assignment.org_unit.code}", name=f"{name}人民政府", short=name.removesuffix("市")
        )
    return Column(key=f"unit:{unit.code}", name=unit.name, short=unit.name.removeprefix("省"))


def _columns(plan: Plan, assignments: list[Assignment]) -> list[Column]:
    present = {column_of(a).key for a in assignments}
    parts = {}
    for a in sorted(
        (a for a in assignments if a.parent_id),
        key=lambda a: (a.assignee != "", a.org_unit.position, a.assignee),
    ):
        parts.setdefault(column_of(a).key, column_of(a))
    columns = []
    for unit in ResponsibleUnit.objects.filter(plan=plan):
        if unit.kind == UnitKind.CITY_GOVERNMENTS:
            for city in city_governments():
                key = f"city:{city.code}"
                if key in present:
                    columns.append(Column(key, f"{city.name}人民政府", city.name.removesuffix("市")))
        elif f"unit:{unit.code}" in present:
            columns.append(Column(f"unit:{unit.code}", unit.name, unit.name.removeprefix("省")))
    return columns + list(parts.values())


def _readable(actor, plan: Plan):
    """``actor``'s assignments; every assignment of the plan for ``None``: the command line, which runs with the
    server's own rights like the administrators' other scripts."""
    if actor is None:
        return Assignment.objects.filter(task__plan=plan).select_related(
            "task", "task__section", "subtask", "responsible_unit", "org_unit"
        )
    return assignment_list(actor=actor, plan=plan)


def alerts_for(
    assignments: list[Assignment], *, plan: Plan, period: Period, as_of: date
) -> dict[int, list[Alert]]:
    rules = supervision_rules(plan)
    states = assignment_states(assignments, plan=plan, until=period)
    return {pk: alerts(state, period=str(period), as_of=as_of, rules=rules) for pk, state in states.items()}


def matrix(
    *, actor, plan: Plan, period: Period, as_of: date | None = None, city: OrgUnit | None = None
) -> Matrix:
    """Tasks × units for ``period``: each cell the unit's report on the task, coloured by the progress it
    reports or by its absence. ``actor`` ``None`` is the command line's whole plan (``_readable``). With ``city``,
    the cascade of that city: its government's shares, then the districts, counties and departments its office
    gave parts of them to; without, the plan's own shares, each city's cell counting its parts."""
    as_of = as_of or timezone.localdate()
    rows = _readable(actor, plan).filter(subtask__isnull=True)
    if city is not None:
        rows = rows.filter(
            Q(parent__org_unit=city)
            | Q(parent__isnull=True, org_unit=city, responsible_unit__kind=UnitKind.CITY_GOVERNMENTS)
        )
    else:
        rows = rows.filter(parent__isnull=True)
    assignments = list(rows.annotate(part_count=Count("children")))
    reports = {
        r.assignment_id: r
        for r in ProgressReport.objects.filter(assignment__in=[a.pk for a in assignments], period=str(period))
    }
    rules = supervision_rules(plan)
    states = assignment_states(assignments, plan=plan, until=period)
    found = {pk: alerts(state, period=str(period), as_of=as_of, rules=rules) for pk, state in states.items()}
    lights: dict[str, int] = {"yellow": 0, "red": 0}
    for state in states.values():
        for m in state.milestones:
            light = milestone_light(plan, m.due, met=m.met_by(as_of), today=as_of)
            if light.value in lights:
                lights[light.value] += 1
    by_task: dict[int, dict[str, Cell]] = defaultdict(dict)
    counts: dict[str, int] = defaultdict(int)
    for a in assignments:
        cell = Cell(a, reports.get(a.pk), found.get(a.pk, []), parts=a.part_count)
        by_task[a.task_id][column_of(a).key] = cell
        counts[cell.state] += 1
    tasks = Task.objects.filter(pk__in=by_task).select_related("section").order_by("position")
    return Matrix(
        period=period,
        columns=_columns(plan, assignments),
        rows=[Row(task=t, cells=by_task[t.pk]) for t in tasks],
        counts=dict(counts),
        milestone_lights=lights,
    )


@dataclass
class AlertRow:
    alert: Alert
    assignment: Assignment
    notices: list[SupervisionNotice]


def alert_rows(
    *, actor, plan: Plan, period: Period, as_of: date | None = None, unit: str | None = None
) -> list[AlertRow]:
    """The supervision list: every alert on the assignments ``actor`` reads (of ``unit`` only, when given: a
    responsible unit's code or name, or a city's code or name), with the notices already open on each."""
    as_of = as_of or timezone.localdate()
    assignments = list(_readable(actor, plan))
    if unit:
        assignments = [a for a in assignments if unit_matches(a, unit)]
    found = alerts_for(assignments, plan=plan, period=period, as_of=as_of)
    by_pk = {a.pk: a for a in assignments}
    notices = defaultdict(list)
    for n in SupervisionNotice.objects.filter(assignment__in=list(by_pk), status__in=OPEN_NOTICE):
        notices[n.assignment_id].append(n)
    rows = [
        AlertRow(alert=alert, assignment=by_pk[pk], notices=notices.get(pk, []))
        for pk, items in found.items()
        for alert in items
    ]
    kinds = {"milestone_overdue": 0, "no_report": 1, "stalled": 2}
    rows.sort(
        key=lambda r: (kinds.get(r.alert.kind, 9), r.assignment.task.position, column_of(r.assignment).key)
    )
    return rows


def unit_matches(assignment: Assignment, text: str) -> bool:
    """Does ``text`` (a responsible unit's code, name or alias, or a city's code or name) name the unit that
    holds ``assignment``? 各设区市政府 (or its code) names every city's share."""
    text = text.strip()
    unit = assignment.responsible_unit
    if text in (unit.code, unit.name, *unit.aliases):
        return True
    if unit.kind == UnitKind.CITY_GOVERNMENTS:
        city = assignment.org_unit
        return text in (city.code, city.name, f"{city.name}人民政府", f"{city.name}政府")
    return False


def alert_json(row: AlertRow) -> dict:
    """An alert row as plain data: ``yangfan tasks overdue --format json`` and the API's overdue list."""
    a, alert = row.assignment, row.alert
    return {
        "kind": str(alert.kind),
        "kind_label": alert.kind.label,
        "task": a.work_code,
        "task_title": a.work_title,
        "responsible_unit": a.responsible_unit.code,
        "unit": a.unit_name,
        "org_unit": a.org_unit.code,
        "period": alert.period,
        "since": alert.since.isoformat(),
        "message": alert.message,
        "detail": dict(alert.detail),
        "notices": [n.number for n in row.notices],
    }


# The task a 5G application's security risk is supervised under when it becomes a notice (转为督办单): the bundled
# plan's 四.(三) 8 加强5G应用安全风险评估. A plan without a task of that code offers no share to issue it on.
RISK_TASK = "T4.3.8"


@dataclass
class RiskRow:
    """A security risk not remedied by its deadline, on the supervision list: how long overdue, and the notices
    already open on it."""

    risk: object  # security.Risk
    days: int
    notices: list[SupervisionNotice]


def _risk_unit_q(text: str) -> Q:
    """Risks placed at the unit ``text`` names (code or name; a city also as its government) or counted in it."""
    name = text.strip().removesuffix("人民政府").removesuffix("政府")
    found = Q()
    for value in {text.strip(), name}:
        for path in ("org_unit", "org_unit__parent", "org_unit__counted_in"):
            found |= Q(**{f"{path}__code": value}) | Q(**{f"{path}__name": value})
    return found


def risk_rows(*, actor, as_of: date | None = None, unit: str | None = None) -> list[RiskRow]:
    """The security risks overdue for remediation (open past their deadline) that ``actor`` keeps the register for
    (``security.manage``: the provincial office, a city's office for its city; a city's reporter sees none), the
    longest overdue first, each with its open notices; ``actor`` ``None``: every one (the command line). ``unit``:
    those at a unit (or in a city) of that code or name. Two queries."""
    from yangfan.security.measures import days_overdue, overdue_risk_list

    as_of = as_of or timezone.localdate()
    rows = overdue_risk_list(actor=actor, day=as_of, permission="security.manage")
    if unit:
        rows = rows.filter(_risk_unit_q(unit))
    risks = list(rows)
    notices = defaultdict(list)
    for n in SupervisionNotice.objects.filter(risk__in=[r.pk for r in risks], status__in=OPEN_NOTICE):
        notices[n.risk_id].append(n)
    return [RiskRow(risk=r, days=days_overdue(r, as_of), notices=notices.get(r.pk, [])) for r in risks]


def risk_shares(user):
    """The shares of ``RISK_TASK`` ``user`` may supervise (``supervised_list``), the lead unit's (牵头) first."""
    lead = TaskUnit.objects.filter(task=OuterRef("task"), unit=OuterRef("responsible_unit"), lead=True)
    return (
        supervised_list(actor=user)
        .filter(task__code=RISK_TASK, subtask__isnull=True)
        .annotate(lead=Exists(lead))
        .order_by("-lead", "responsible_unit__position", "parent_id", "org_unit__position", "assignee")
    )


def risk_message(row: RiskRow) -> str:
    """What the supervision list says of an overdue risk (the command line's and the API's ``message``)."""
    risk = row.risk
    return _(
        "%(application)s（%(unit)s）的5G应用安全风险“%(risk)s”（风险等级：%(level)s）应于 %(deadline)s 前完成整改，"
        "至今未整改，已逾期 %(days)s 天。整改责任人：%(owner)s。"
    ) % {
        "application": risk.assessment.application,
        "unit": risk.org_unit.name,
        "risk": risk.title,
        "level": risk.get_level_display(),
        "deadline": risk.deadline.isoformat(),
        "days": row.days,
        "owner": risk.owner,
    }


def risk_json(row: RiskRow, task_title: str = "") -> dict:
    """An overdue risk in the fields of :func:`alert_json` (kind ``risk_overdue``): ``yangfan tasks overdue`` and
    the API's supervision list."""
    risk = row.risk
    return {
        "kind": "risk_overdue",
        "kind_label": _("安全风险整改逾期"),
        "task": RISK_TASK,
        "task_title": task_title,
        "responsible_unit": "",
        "unit": risk.org_unit.name,
        "org_unit": risk.org_unit.code,
        "period": "",
        "since": (risk.deadline + timedelta(days=1)).isoformat(),
        "message": risk_message(row),
        "detail": {
            "risk": risk.pk,
            "title": risk.title,
            "level": risk.level,
            "application": str(risk.assessment.application),
            "owner": risk.owner,
            "deadline": risk.deadline.isoformat(),
            "days_overdue": row.days,
        },
        "notices": [n.number for n in row.notices],
    }


def risk_task_title(plan: Plan) -> str:
    """The title of ``RISK_TASK`` in ``plan`` (empty where the plan has no such task)."""
    return Task.objects.filter(plan=plan, code=RISK_TASK).values_list("title", flat=True).first() or ""


def unit_known(plan: Plan, text: str) -> bool:
    """Does ``text`` name a responsible unit of ``plan`` or a city government (for ``--unit``)?"""
    text = text.strip()
    for unit in ResponsibleUnit.objects.filter(plan=plan):
        if text in (unit.code, unit.name, *unit.aliases):
            return True
    return any(text in (c.code, c.name, f"{c.name}人民政府", f"{c.name}政府") for c in city_governments())


def report_deadline(plan: Plan, period: Period) -> date:
    return report_due(str(period), supervision_rules(plan))


@dataclass
class Proposal:
    """A notice the supervision list proposes: a linked indicator is at risk, off track or has missed its target
    where units answer for the task; ``figures`` are the indicator's row as the engine computed it."""

    indicator: str
    indicator_name: str
    org_unit: str
    org_unit_name: str
    status: str
    figures: dict
    assignments: list[Assignment]


def notice_proposals(*, actor, plan: Plan, period: Period) -> list[Proposal]:
    """For each task linked to an indicator, the units responsible where that indicator is behind at the end of
    ``period`` (``BEHIND``): a city's government where the city is behind, the departments where the province
    is. The most urgent come first: a missed target, then off track, then at risk."""
    from yangfan.datavalues.indicators import assessments, core_plans

    links = list(TaskIndicator.objects.filter(task__plan=plan).select_related("indicator"))
    if not links:
        return []
    parsed = core_plans()[plan.code]
    assignments = list(
        assignment_list(actor=actor, plan=plan).filter(task_id__in={link.task_id for link in links})
    )
    where: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        where[a.org_unit.code].append(a)
    codes = sorted({link.indicator.code for link in links})
    indicators = [i for i in parsed.indicators if i.code in codes]
    indicator_names = {i.code: localized_name(i) for i in indicators}  # as the reader's language names them
    rows = assessments(parsed, sorted(where), period, indicators=indicators)
    tasks_of = defaultdict(set)
    for link in links:
        tasks_of[link.indicator.code].add(link.task_id)
    names = {a.org_unit.code: a.org_unit.name for a in assignments}
    proposals = []
    for row in rows:
        if row.status not in BEHIND:
            continue
        chosen = [a for a in where[row.org_unit] if a.task_id in tasks_of[row.indicator]]
        if chosen:
            proposals.append(
                Proposal(
                    indicator=row.indicator,
                    indicator_name=indicator_names[row.indicator],
                    org_unit=row.org_unit,
                    org_unit_name=names[row.org_unit],
                    status=row.status.value,
                    figures=row_figures(row),
                    assignments=chosen,
                )
            )
    urgency = {status.value: rank for rank, status in enumerate(BEHIND)}
    return sorted(proposals, key=lambda p: urgency[p.status])  # stable: the rows' order within a status
