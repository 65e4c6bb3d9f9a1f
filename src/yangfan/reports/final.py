"""The final evaluation (终期评估) of a finished plan, computed from the database for one unit, within what the
requester may see.

It is the evaluation report of the plan's last year (``reports.content.report_document``: the qualitative goals'
verdicts, the registries' counts, the ranking, the annex indicators with their yearly series) and what only the end
of the plan tells:

- every quantified target judged at its own date: the plan's target and milestones of each indicator for the unit
  (``core.targets.TargetBook``) and the targets the province or a city set for the units below it
  (``actionplans.UnitTarget``), each with the value of the period its date falls in (the year for a year's end,
  the quarter for a quarter's, else the month), met or missed, the gap, and the first period the series met it;
- the annex indicators year by year over the plan with the trajectory expected of them;
- each task share's final state (the supervision matrix's cell of the last reporting period), with its last
  report, milestones, evidence files and 督办单;
- the units below and the groups within the unit compared on the annex indicators at the plan's end.

Cost: one engine for everything (the report's sections and these), and the stored totals read once per kind of
period the targets need (a year's end: one query for every unit's whole yearly series), never a query per period ×
indicator. ``actor`` ``None`` is the command line (the server's own rights), as for the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, may, org_units_in_scope, visible_group_codes
from yangfan.core.errors import YangfanError
from yangfan.core.figures import figure, number
from yangfan.core.periods import Period, PeriodKind
from yangfan.core.plan import Direction, Target
from yangfan.core.targets import TargetSource, on_path
from yangfan.reports.content import ROLE_LABELS, figure_text, report_document, task_cells
from yangfan.reports.document import (
    ComparisonFigure,
    ComparisonRow,
    FinalDocument,
    IndicatorTrajectory,
    TargetVerdict,
    TaskFinal,
    TrajectoryPoint,
)

STATE_LABELS = {
    "done": "已完成",
    "in_progress": "推进中",
    "lagging": "滞后",
    "not_started": "未启动",
    "missing": "未报送",
    "overdue": "逾期未报",
}
PROGRESS_LABELS = {"done": "已完成", "in_progress": "推进中", "lagging": "滞后", "not_started": "未启动"}
SOURCE_LABELS = {TargetSource.PLAN: "计划文件", TargetSource.PROVINCE: "省级设定"}
NOTICE_STATES = {
    "issued": "待签收",
    "signed": "办理中",
    "answered": "已反馈",
    "escalated": "逾期未反馈",
    "closed": "已办结",
}


class PlanNotFinished(YangfanError):
    """The final evaluation of a plan whose period has not ended yet."""

    def __init__(self, name: str, end: date):
        self.name, self.end = name, end
        super().__init__(
            _("《%(plan)s》的实施期至 %(end)s，尚未结束，不能进行终期评估。")
            % {"plan": name.strip("《》"), "end": end.isoformat()}
        )


def finished_plan_codes(today: date | None = None) -> list[str]:
    """The codes of the loaded plans whose period ended before ``today`` (the ones a final evaluation is for)."""
    from yangfan.actionplans.models import Plan

    today = today or timezone.localdate()
    return list(Plan.objects.filter(end__lt=today).order_by("-end", "code").values_list("code", flat=True))


def final_document(
    *,
    actor,
    org: str,
    plan_code: str | None = None,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> FinalDocument:
    """The final evaluation of ``plan_code`` (default: the plan the platform's work runs on) for ``org``. Raises
    ``LookupError`` for an unknown plan or unit, :class:`PlanNotFinished` for a plan whose end is not before
    ``today``, ``PermissionDenied`` (audited) for a unit outside the scope (``report_document``'s checks)."""
    from yangfan.actionplans.models import Plan
    from yangfan.actionplans.selectors import plan_default
    from yangfan.datavalues.indicators import core_plans, engine_book, engine_for

    step = progress or (lambda _stage: None)
    if actor is not None and not may(actor, "reports.generate"):
        deny(actor, "reports.generate")  # before saying anything of the plans
    plans = core_plans()
    if not plans:
        raise LookupError(_("数据库中还没有计划：请先运行 yangfan init。"))
    code = plan_code or plan_default().code
    if code not in plans:
        raise LookupError(_("未知计划“%(p)s”。") % {"p": code})
    plan = plans[code]
    if not any(org in (u.code, u.name) for u in plan.org_units) and not any(
        org in (g.code, g.name) for g in plan.org_groups
    ):
        raise LookupError(_("未知组织机构“%(o)s”。") % {"o": org})
    if plan.end >= (today or timezone.localdate()):
        raise PlanNotFinished(plan.name, plan.end)
    org_code = next((u.code for u in plan.org_units if org in (u.code, u.name)), None) or next(
        g.code for g in plan.org_groups if org in (g.code, g.name)
    )
    engine = engine_for(plan)
    book = engine_book(engine)
    last_year = Period(PeriodKind.YEAR, plan.end.year)
    below = _units_below(actor, plan, org_code)
    wanted = _wanted_targets(plan, book, org_code, below)
    compared_codes = _compared(actor, plan, org_code, below)
    _prefetch(plan, engine, org_code, wanted, compared_codes)  # every series of every unit: a query per kind
    # the scope checks, then the sections the evaluation report computes, at the plan's last year
    report = report_document(
        actor=actor, org=org_code, period=str(last_year), plan_code=code, progress=step, engine=engine
    )
    step("targets")
    targets, assessed = _targets(plan, engine, book, org_code, below, wanted)
    trajectories = _trajectories(plan, report, assessed, last_year)
    step("comparison")
    compared, columns = _comparison(plan, engine, compared_codes, last_year)
    step("final_tasks")
    plan_row = Plan.objects.get(code=code)
    tasks, task_period = _tasks(actor, plan_row, org_code, last_year)
    title = f"{plan.name}终期评估报告（{report.org_name}）"
    document = FinalDocument(
        report=report,
        title=title,
        plan_code=code,
        plan_start=plan.start,
        plan_end=plan.end,
        org_unit=org_code,
        org_name=report.org_name,
        summary=_summary(plan, report, targets, tasks, task_period),
        targets=targets,
        trajectories=trajectories,
        tasks=tasks,
        task_period=task_period,
        comparison_indicators=columns,
        comparison=compared,
    )
    step("done")
    return document


# --- the targets ----------------------------------------------------------------------------------------------


def _units_below(actor, plan, org: str) -> list[str]:
    """The units counted in ``org`` at any depth (none for a group), those ``actor`` sees."""
    if org not in plan.org_tree.units:
        return []
    codes = [u.code for u in plan.org_tree.descendants(org)]
    if actor is not None and codes:
        visible = set(
            org_units_in_scope(actor, "data.view").filter(code__in=codes).values_list("code", flat=True)
        )
        codes = [c for c in codes if c in visible]
    return codes


def period_of_date(day: date) -> Period:
    """The period a target dated ``day`` is judged on: the year when it is a year's last day, the quarter when a
    quarter's, else the month."""
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER):
        period = Period.containing(day, kind)
        if period.end == day:
            return period
    return Period.containing(day, PeriodKind.MONTH)


def _wanted_targets(plan, book, org: str, below: list[str]) -> dict[tuple[str, str], list]:
    """(unit, indicator code) -> [(target, kind label, source label)]: every target binding ``org`` (its final
    target and milestones, from the plan file or set for it) and every target set for a unit below it."""
    from yangfan.actionplans.selectors import unit_targets

    indicators = {i.code: i for i in plan.indicators}
    wanted: dict[tuple[str, str], list[tuple[Target, str, str]]] = defaultdict(list)
    for indicator in plan.indicators:
        bound = book.for_unit(indicator, org)
        for milestone, source in zip(bound.milestones, bound.milestone_sources, strict=True):
            wanted[(org, indicator.code)].append((milestone, "阶段目标", SOURCE_LABELS[source]))
        if bound.final is not None:
            wanted[(org, indicator.code)].append((bound.final, "最终目标", SOURCE_LABELS[bound.source]))
    inside = set(below)
    for row in unit_targets(plan_code=plan.code):
        if row.org_unit in inside and row.indicator in indicators:
            final = row.target.date == indicators[row.indicator].target.date
            wanted[(row.org_unit, row.indicator)].append(
                (row.target, "最终目标" if final else "阶段目标", "省级设定")
            )
    return wanted


def _kinds(wanted) -> dict[PeriodKind, set[tuple[str, str]]]:
    """The (unit, indicator) pairs to assess, by the kind of period their targets are judged on."""
    by_kind: dict[PeriodKind, set[tuple[str, str]]] = defaultdict(set)
    for (unit, code), items in wanted.items():
        for target, _kind, _source in items:
            by_kind[period_of_date(target.date).kind].add((unit, code))
    return by_kind


def _prefetch(plan, engine, org: str, wanted, compared: list[str]) -> None:
    """Read at once the stored totals of every series the evaluation assesses (the report's sections included):
    for each kind of period, every unit's from the baseline to the plan's end, in one query."""
    from yangfan.datavalues.indicators import prefetch

    by_kind = _kinds(wanted)
    children = [u.code for u in plan.org_tree.children(org)] if org in plan.org_tree.units else []
    years = {org, *children, *compared} | {u for u, _c in by_kind.get(PeriodKind.YEAR, ())}
    prefetch(engine, sorted(years), Period.containing(plan.end, PeriodKind.YEAR), plan.indicators)
    for kind, pairs in by_kind.items():
        if kind != PeriodKind.YEAR:
            units = sorted({u for u, _c in pairs})
            prefetch(engine, units, Period.containing(plan.end, kind), plan.indicators)


def _targets(plan, engine, book, org: str, below: list[str], wanted):
    """The targets of :func:`_wanted_targets` judged at their dates; and the assessments made (by unit, indicator
    and kind of period), whose series reach from the baseline to the plan's end."""
    from yangfan.core.engine import assess

    indicators = {i.code: i for i in plan.indicators}
    assessed = {}
    for kind, pairs in _kinds(wanted).items():
        last = Period.containing(plan.end, kind)
        for unit, code in sorted(pairs):
            assessed[(unit, code, kind)] = assess(engine, indicators[code], unit, last, book)
    names = plan.unit_names
    verdicts = []
    for indicator in plan.indicators:
        units = [org, *below]
        for unit in units:
            items = sorted(wanted.get((unit, indicator.code), []), key=lambda item: item[0].date)
            for target, kind_label, source_label in items:
                period = period_of_date(target.date)
                series = assessed[(unit, indicator.code, period.kind)].series
                verdicts.append(
                    _verdict(
                        indicator,
                        unit,
                        names.get(unit, unit),
                        target,
                        kind_label,
                        source_label,
                        period,
                        series,
                    )
                )
    return tuple(verdicts), assessed


def _verdict(indicator, unit, name, target: Target, kind_label, source_label, period: Period, series):
    values = dict(series)
    value = values.get(period)
    met = None if value is None else target.met_by(value)
    gap = None
    if met is False:
        gap = target.value - value if indicator.direction == Direction.INCREASE else value - target.value
    reached = next((p for p, v in sorted(series) if target.met_by(v)), None)
    return TargetVerdict(
        indicator=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        org_unit=unit,
        org_name=name,
        kind_label=kind_label,
        source_label=source_label,
        date=target.date,
        target=target.value,
        target_text=target_text(target, indicator.unit),
        period=str(period),
        value=value,
        value_text=figure_text(value, indicator.unit),
        met=met,
        gap=gap,
        gap_text=_gap_text(gap, indicator.unit),
        first_reached="" if reached is None else str(reached),
    )


def target_text(target: Target, unit: str) -> str:
    """“> 40 %”: the comparison, the value and the unit."""
    return f"{target.comparison.symbol} {number(target.value)} {unit}".rstrip()


def _gap_text(gap, unit: str) -> str:
    if gap is None:
        return ""
    step = "个百分点" if unit == "%" else unit
    return f"差 {figure(gap, unit)} {step}".rstrip()


# --- the annex indicators over the plan ---------------------------------------------------------------------------


def _trajectories(plan, report, assessed, last_year: Period) -> tuple[IndicatorTrajectory, ...]:
    """Each annex indicator of the unit, year by year from the baseline to the plan's end: the report's section (its
    series, target and status) and, per year, the value and the trajectory's."""
    from yangfan.core.engine import series_periods

    years = series_periods(plan, last_year)
    found = []
    for section in report.indicators:
        if not section.annex:
            continue
        values = {p: v for p, v in section.series}
        run = assessed.get((report.org_unit, section.code, PeriodKind.YEAR))
        knots = run.trajectory if run is not None else []
        points = []
        for year in years:
            value = values.get(str(year))
            expected = on_path(knots, year.end) if knots else None
            points.append(
                TrajectoryPoint(
                    period=str(year),
                    value=value,
                    value_text=figure_text(value, section.unit),
                    expected=expected,
                    expected_text=figure_text(expected, section.unit),
                )
            )
        found.append(IndicatorTrajectory(section=section, points=tuple(points)))
    return tuple(found)


# --- the units and groups compared ---------------------------------------------------------------------------------


def _compared(actor, plan, org: str, below: list[str]) -> list[str]:
    """The units counted directly in ``org`` and the groups all of whose units lie within it, those ``actor``
    sees."""
    seen = set(below)
    children = [u.code for u in plan.org_tree.children(org)] if org in plan.org_tree.units else []
    children = [c for c in children if c in seen]
    within = seen | {org}
    groups = []
    if org in plan.org_tree.units:
        for group in plan.org_groups:
            drawn = set(group.members) | set(group.overlaps)
            if drawn and drawn <= within:
                groups.append(group.code)
    if actor is not None and groups:
        groups = visible_group_codes(actor, groups)
    return children + groups


def _comparison(plan, engine, codes: list[str], last_year: Period):
    """``codes`` (:func:`_compared`) each with the annex indicators at the plan's last year, met or not against its
    final target."""
    from yangfan.datavalues.indicators import assessments

    annex = [i for i in plan.indicators if i.annex_number is not None]
    if not codes:
        return (), tuple((i.code, i.name) for i in annex)
    rows = defaultdict(list)
    for r in assessments(plan, codes, last_year, indicators=annex, engine=engine):
        rows[r.org_unit].append(
            ComparisonFigure(
                indicator=r.indicator,
                value=r.value,
                value_text=figure_text(r.value, r.unit),
                met=r.target_met,
            )
        )
    names = plan.unit_names
    compared = tuple(
        ComparisonRow(
            org_unit=code,
            name=names.get(code, code),
            kind_label="统计分组" if code in plan.org_tree.groups else "下级地区",
            figures=tuple(rows[code]),
        )
        for code in codes
    )
    return compared, tuple((i.code, i.name) for i in annex)


# --- the task shares ----------------------------------------------------------------------------------------------


def _tasks(actor, plan_row, org: str, last_year: Period) -> tuple[tuple[TaskFinal, ...], str]:
    """Each task share inside ``org`` that ``actor`` reads, at the last reporting period of the plan: the matrix's
    cell state, the last report submitted, the milestones met, the evidence files and the notices. A few queries
    whatever the number of shares."""
    from yangfan.supervision.models import Evidence, ProgressReport, SupervisionNotice
    from yangfan.supervision.selectors import assignment_states

    cells, quarter, _inside, role = task_cells(actor, plan_row, org, last_year)
    assignments = [c.assignment for c in cells]
    ids = [a.pk for a in assignments]
    latest: dict[int, tuple[str, str, int]] = {}
    reports = (
        ProgressReport.objects.filter(assignment_id__in=ids, status__in=("submitted", "approved"))
        .order_by("assignment_id", "period")
        .values_list("assignment_id", "period", "progress", "percent")
    )
    for pk, period, progress, percent in reports:
        latest[pk] = (period, progress, percent)  # the last by period wins
    evidence: dict[int, list[str]] = defaultdict(list)
    for pk, period, name in (
        Evidence.objects.filter(report__assignment_id__in=ids)
        .order_by("report__period", "uploaded_at", "pk")
        .values_list("report__assignment_id", "report__period", "name")
    ):
        evidence[pk].append(f"{period} {name}")
    for pk, name in (
        Evidence.objects.filter(answer__notice__assignment_id__in=ids)
        .order_by("uploaded_at", "pk")
        .values_list("answer__notice__assignment_id", "name")
    ):
        evidence[pk].append(f"督办反馈 {name}")
    notices: dict[int, list[str]] = defaultdict(list)
    for notice in (
        SupervisionNotice.objects.filter(assignment_id__in=ids)
        .select_related("plan", "issuer_unit")
        .order_by("year", "serial", "pk")
    ):
        state = NOTICE_STATES.get(notice.status, notice.status)
        notices[notice.assignment_id].append(f"{notice.number} {notice.title}（{state}）")
    states = assignment_states(assignments, plan=plan_row, until=quarter)
    today = timezone.localdate()
    rows = []
    for cell in cells:
        a = cell.assignment
        period, progress, percent = latest.get(a.pk, ("", "", None))
        milestones = states[a.pk].milestones if a.pk in states else ()
        rows.append(
            TaskFinal(
                task=a.work_code,
                task_title=a.work_title,
                unit=a.unit_name,
                role=ROLE_LABELS[role(a)],
                state=cell.state,
                state_label=STATE_LABELS.get(cell.state, cell.state),
                last_period=period,
                last_progress=PROGRESS_LABELS.get(progress, progress),
                last_percent=percent,
                milestones_met=sum(1 for m in milestones if m.met_by(today)),
                milestones=len(milestones),
                evidence=tuple(evidence.get(a.pk, ())),
                notices=tuple(notices.get(a.pk, ())),
            )
        )
    return tuple(rows), str(quarter)


# --- the summary --------------------------------------------------------------------------------------------------


def _summary(plan, report, targets, tasks, task_period: str) -> tuple[str, ...]:
    start, end = plan.start, plan.end
    paragraphs = [
        f"《{plan.name.strip('《》')}》实施期为{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月"
        f"{end.day}日，已经结束。"
    ]
    own = [t for t in targets if t.org_unit == report.org_unit]
    if own:
        final = [t for t in own if t.kind_label == "最终目标"]
        paragraphs.append(
            f"{report.org_name}的 {len(own)} 项量化目标（最终目标 {len(final)} 项、阶段目标 {len(own) - len(final)} 项）"
            f"按各自的目标日期评判：到期达标 {sum(1 for t in own if t.met)} 项，未达标 "
            f"{sum(1 for t in own if t.met is False)} 项，无数据 {sum(1 for t in own if t.met is None)} 项。"
        )
    others = [t for t in targets if t.org_unit != report.org_unit]
    if others:
        paragraphs.append(
            f"为下级地区设定的 {len(others)} 项目标中，到期达标 {sum(1 for t in others if t.met)} 项，"
            f"未达标 {sum(1 for t in others if t.met is False)} 项。"
        )
    paragraphs += list(report.summary[:1])
    if tasks:
        counts = defaultdict(int)
        for t in tasks:
            counts[t.state] += 1
        paragraphs.append(
            f"纳入督导的任务分工 {len(tasks)} 个，至 {task_period}（最后一个报送期）已完成 {counts['done']} 个、"
            f"推进中 {counts['in_progress']} 个、滞后 {counts['lagging']} 个、未启动 {counts['not_started']} 个，"
            f"未报送 {counts['missing'] + counts['overdue']} 个；共下发督办单 {sum(len(t.notices) for t in tasks)} 件。"
        )
    return tuple(paragraphs)


__all__ = ["PlanNotFinished", "final_document", "finished_plan_codes", "period_of_date", "target_text"]
