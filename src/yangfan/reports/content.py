"""The evaluation report's content, computed from the database for one org unit and period, within what the
requester may see: the indicators by the engine, the tasks from supervision, reporting from collection, the special
projects (专项工程) from their registries and the security records (``reports.special_projects``).

``report_document(actor=…, org=…, period=…)`` returns a ``ReportDocument``; the writers lay it out. ``actor`` is
``None`` for the command line, which runs with the server's own rights like the administrators' other scripts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import may, org_units_in_scope
from yangfan.core.periods import Period, period_label
from yangfan.core.targets import Status
from yangfan.reports.document import (
    CompletenessRow,
    GoalRow,
    IndicatorSection,
    OverdueItem,
    RankingRow,
    RegistryRow,
    ReportDocument,
    TaskUnitRow,
    UnitFigure,
)
from yangfan.reports.special_projects import special_sections

AHEAD = (Status.ACHIEVED, Status.ON_TRACK)
BEHIND = (Status.AT_RISK, Status.OFF_TRACK, Status.MISSED)  # a target missed at its date is behind, for good
OVERDUE_KIND = {"milestone_overdue": "节点逾期", "no_report": "逾期未报", "stalled": "连续滞后"}
ROLE_LABELS = {
    "lead": "牵头",
    "cooperating": "配合",
}  # the report is written in Chinese (core.evaluation's words)
DEMO_MARK = "演示数据"


def report_document(
    *,
    actor,
    org: str,
    period: str,
    plan_code: str | None = None,
    progress: Callable[[str], None] | None = None,
    engine=None,
) -> ReportDocument:
    """Everything the report says about ``org`` at ``period``. Raises ``PeriodError`` for a bad period,
    ``LookupError`` for an unknown plan or unit, ``PermissionDenied`` (audited) for a unit outside the scope.
    ``engine``: the plan's engine (``datavalues.indicators.engine_for``) when the caller reads more figures with it
    (the final evaluation), so the stored totals are read once."""
    from yangfan.accounts.permissions import deny
    from yangfan.actionplans.models import Plan
    from yangfan.actionplans.selectors import plan_default
    from yangfan.datavalues.indicators import core_plans, plan_period
    from yangfan.orgunits.models import OrgGroup, OrgUnit

    step = progress or (lambda _stage: None)
    plans = core_plans()
    if not plans:
        raise LookupError(_("数据库中还没有计划：请先运行 yangfan init。"))
    code = plan_code or plan_default().code  # the supervised plan, as the pages
    if code not in plans:
        raise LookupError(_("未知计划“%(p)s”。") % {"p": code})
    plan = plans[code]
    parsed_period = plan_period([plan], period)
    unit = next((u for u in plan.org_units if org in (u.code, u.name)), None)
    group = next((g for g in plan.org_groups if org in (g.code, g.name)), None)
    if unit is None and group is None:
        raise LookupError(_("未知组织机构“%(o)s”。") % {"o": org})
    code_of_org = (unit or group).code
    row = (OrgUnit if unit is not None else OrgGroup).objects.filter(code=code_of_org).first()
    if actor is not None:
        if not may(actor, "reports.generate"):
            deny(actor, "reports.generate")
        if row is None or not may(actor, "data.view", row):
            deny(actor, "data.view", row)
        if not may(actor, "reports.generate", row):  # a city's office: its own city's report
            deny(actor, "reports.generate", row)
    plan_row = Plan.objects.get(code=code)
    step("indicators")
    indicators = _indicators(actor, plan, code_of_org, parsed_period, engine=engine)
    goals, goals_note = _goals(actor, plan_row, row, parsed_period)
    step("tasks")
    task_rows, overdue, stalled = _tasks(actor, plan_row, code_of_org, parsed_period)
    step("reporting")
    completeness = _completeness(actor)
    registries = _registries(plan, code_of_org, parsed_period)
    special = special_sections(actor=actor, plan=plan, org=code_of_org, org_row=row, period=parsed_period)
    step("ranking")
    ranking, ranking_note = _ranking(actor, plan_row, parsed_period)
    org_name = (unit or group).name
    from yangfan.supervision.selectors import supervision_rules

    issuer = supervision_rules(plan_row).issuer or "领导小组办公室"
    label = period_label(parsed_period)
    document = ReportDocument(
        title=f"{plan.name}实施情况评估报告（{org_name}·{label}）",
        plan_name=plan.name,
        plan_document=plan.document,
        org_unit=code_of_org,
        org_name=org_name,
        period=str(parsed_period),
        period_label=label,
        issuer=issuer,
        written_on=timezone.localdate(),
        summary=_summary(org_name, label, indicators, task_rows, overdue, completeness, goals),
        indicators=indicators,
        task_rows=task_rows,
        overdue=overdue,
        completeness=completeness,
        registries=registries,
        ranking=ranking,
        ranking_note=ranking_note,
        attention=_attention(indicators, overdue, stalled, plan_row, actor),
        demo=_has_demo_data(),
        notes=tuple(r for r in plan.remarks if "附件指标" in r),
        goals=goals,
        goals_note=goals_note,
        special_projects=special,
    )
    step("done")
    return document


def _goals(actor, plan_row, org_row, period: Period) -> tuple[tuple[GoalRow, ...], str]:
    """Every qualitative target of the plan with the verdict on ``org_row`` standing at the period's end (the latest
    published for a period ended by then), its reasoning and evidence: registry entries by name, tasks by code,
    documents. The province and the cities are judged; a county or a group is not, and the report says so."""
    from django.utils import translation

    from yangfan.goals.selectors import verdicts_standing, with_evidence
    from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
    from yangfan.registries.specs import SPECS

    targets = list(plan_row.qualitativetarget_set.order_by("position"))
    if not targets:
        return (), ""
    if not isinstance(org_row, OrgUnit) or org_row.level > OrgUnitLevel.CITY:
        name = org_row.name if org_row is not None else ""
        return (), f"定性目标在省和设区市两级评估，{name}不单独评估。"
    standing = {
        v.target_id: v
        for v in with_evidence(
            verdicts_standing(actor=actor, org_unit=org_row, period=period, plan_code=plan_row.code)
        )
    }
    rows = []
    with translation.override("zh-hans"):
        for target in targets:
            verdict = standing.get(target.pk)
            if verdict is None:
                rows.append(GoalRow(code=target.code, text=target.text, verdict="", verdict_label="尚未评估"))
                continue
            evidence = [
                f"{SPECS[e.registry].title if e.registry in SPECS else e.registry}：{e.label}"
                for e in verdict.entries.all()
            ]
            evidence += [f"任务 {t.code} {t.title}" for t in verdict.tasks.all()]
            evidence += [f"文件：{d}" for d in verdict.documents]
            rows.append(
                GoalRow(
                    code=target.code,
                    text=target.text,
                    verdict=verdict.verdict,
                    verdict_label=str(verdict.get_verdict_display()),
                    period=verdict.period,
                    reasoning=verdict.reasoning,
                    evidence=tuple(evidence),
                )
            )
    return tuple(rows), ""


def _registries(plan, org: str, period: Period) -> tuple[RegistryRow, ...]:
    """Each registry of the plan at ``org``: what stands at the period's end, what started and ended within it,
    by sector and by each unit counted directly in ``org``; a registry Yangfan does not keep says so."""
    from yangfan.registries.counts import registry_counter

    counter = registry_counter(plan)
    sectors = {s.code: s.name for s in plan.sectors}
    units = {u.code: u.name for u in plan.org_units}
    rows = []
    for registry in plan.registries:
        summary = counter.summary(registry.code, org, period)
        if summary is None:
            rows.append(RegistryRow(name=registry.name, count=None, note="登记簿尚未在扬帆中建立，暂无条目"))
            continue
        parts = []
        if summary.standing and any(code is not None for code, _n in summary.by_sector):
            parts.append(
                "按行业：" + _counts(summary.by_sector, lambda c: sectors.get(c, c) if c else "未注明行业")
            )
        if summary.by_unit:
            parts.append("按地区：" + _counts(summary.by_unit, lambda c: units.get(c, c)))
        rows.append(
            RegistryRow(
                name=registry.name,
                count=summary.standing,
                added=summary.added,
                ended=summary.ended,
                note="；".join(parts),
            )
        )
    return tuple(rows)


def _counts(counts, name, shown: int = 5) -> str:
    """``工业 12、医疗 5、…等 9 个`` : the first ``shown`` of ``counts`` (most first) by name."""
    text = "、".join(f"{name(code)} {n}" for code, n in counts[:shown])
    return text + (f" 等 {len(counts)} 个" if len(counts) > shown else "")


def figure_text(value, unit: str) -> str:
    """A value as the report prints it, with its unit: ``47.24 %``, ``18,732,856 户``; ``—`` when none."""
    from yangfan.core.figures import figure

    return f"{figure(value, unit)} {unit}".rstrip() if value is not None else "—"


def _target_text(row, unit: str) -> str:
    from yangfan.core.figures import row_target

    return f"{row_target(row)} {unit}".rstrip() if row.target is not None else "未设目标"


def _pace(row, unit: str) -> str:
    amount = row.pace_per_month
    if amount is None or row.status == Status.ACHIEVED:
        return ""
    if amount <= 0:
        return ""
    step = "个百分点" if unit == "%" else unit
    return f"至目标日期每月需增 {amount:,.2f} {step}"


def _indicators(actor, plan, org: str, period: Period, engine=None) -> tuple[IndicatorSection, ...]:
    from yangfan.datavalues.indicators import assessments, engine_for

    engine = engine or engine_for(plan)
    rows = assessments(plan, [org], period, engine=engine)
    children = [c.code for c in plan.org_tree.children(org)] if org in plan.org_tree.units else []
    if actor is not None and children:
        visible = set(
            org_units_in_scope(actor, "data.view").filter(code__in=children).values_list("code", flat=True)
        )
        children = [c for c in children if c in visible]
    annex = [i for i in plan.indicators if i.annex_number is not None]
    child_rows = defaultdict(list)
    if children:
        for r in assessments(plan, children, period, indicators=annex, engine=engine):
            child_rows[r.indicator].append(r)
    names = {u.code: u.name for u in plan.org_units}
    sections = []
    for indicator, row in zip(plan.indicators, rows, strict=True):
        units = child_rows.get(indicator.code, [])
        figures = sorted(
            (
                UnitFigure(
                    org_unit=r.org_unit,
                    name=names.get(r.org_unit, r.org_unit),
                    value=r.value,
                    value_text=figure_text(r.value, indicator.unit),
                    status=r.status.value,
                    status_label=r.status.label,
                )
                for r in units
            ),
            key=lambda f: (f.value is None, -(f.value or 0), f.org_unit),
        )
        status = row.status
        sections.append(
            IndicatorSection(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                annex=indicator.annex_number is not None,
                value=row.value,
                value_text=figure_text(row.value, indicator.unit),
                target=row.target,
                target_text=_target_text(row, indicator.unit),
                target_met=row.target_met,
                status=status.value,
                status_label=status.label,
                pace_text=_pace(row, indicator.unit),
                series=tuple((str(p), v) for p, v in row.series),
                ahead=tuple(f for f in figures if f.status in AHEAD),
                behind=tuple(f for f in figures if f.status in BEHIND),
                note=row.reason or "",
            )
        )
    return tuple(sections)


def task_cells(actor, plan_row, org: str, period: Period):
    """The supervision matrix's cells (``supervision.boards.matrix``) of the reporting period that ends with
    ``period`` (or before), only those of assignments of units inside ``org`` and readable by ``actor``, in the
    matrix's order; with that reporting period, the ids of the units inside ``org``, and ``role(assignment)``: the
    unit's part in the task (牵头 or 配合). The evaluation report counts them; the final evaluation lists them."""
    from yangfan.actionplans.choices import UnitRole
    from yangfan.actionplans.selectors import plan_unit_roles
    from yangfan.orgunits.models import OrgUnit
    from yangfan.orgunits.selectors import covered_unit_ids
    from yangfan.supervision.boards import matrix
    from yangfan.supervision.selectors import reporting_period_for

    quarter = reporting_period_for(plan_row, period)
    root = OrgUnit.objects.filter(code=org).first()
    inside = covered_unit_ids([root.pk]) if root else set()
    m = matrix(actor=actor, plan=plan_row, period=quarter, as_of=timezone.localdate())
    cells = [c for row in m.rows for c in row.cells.values() if c.assignment.org_unit_id in inside]
    roles = plan_unit_roles(plan_id=plan_row.pk)  # 牵头 or 配合 of every task's units, one query

    def role(assignment) -> str:
        return roles.get((assignment.task_id, assignment.responsible_unit_id), UnitRole.COOPERATING)

    return cells, quarter, inside, role


def _tasks(actor, plan_row, org: str, period: Period):
    """Task rows by responsible unit for the reporting period that ends with ``period`` (or before), the
    overdue items, and how many assignments are stalled. Only assignments of units inside ``org``."""
    from yangfan.actionplans.choices import UnitRole
    from yangfan.supervision.boards import alert_rows, column_of

    cells, quarter, inside, role = task_cells(actor, plan_row, org, period)
    as_of = timezone.localdate()
    by_unit: dict[str, list] = defaultdict(list)
    names = {}
    for cell in cells:
        column = column_of(cell.assignment)
        by_unit[column.key].append(cell)
        names[column.key] = column.name
    rows = []
    for key, unit_cells in by_unit.items():
        states = [c.state for c in unit_cells]
        rows.append(
            TaskUnitRow(
                unit=names[key],
                assignments=len(unit_cells),
                done=states.count("done"),
                in_progress=states.count("in_progress"),
                lagging=states.count("lagging"),
                not_started=states.count("not_started"),
                not_reported=states.count("missing") + states.count("overdue"),
                overdue=sum(len(c.alerts) for c in unit_cells),
                leading=sum(1 for c in unit_cells if role(c.assignment) == UnitRole.LEAD),
            )
        )
    rows.sort(key=lambda r: (-r.overdue, r.unit))
    alerts = [
        r
        for r in alert_rows(actor=actor, plan=plan_row, period=quarter, as_of=as_of)
        if r.assignment.org_unit_id in inside
    ]
    overdue = tuple(
        OverdueItem(
            task=r.assignment.work_code,
            task_title=r.assignment.work_title,
            unit=r.assignment.unit_name,
            kind_label=OVERDUE_KIND.get(str(r.alert.kind), str(r.alert.kind)),
            message=r.alert.message,
            role=ROLE_LABELS[role(r.assignment)],
        )
        for r in alerts
    )
    stalled = sum(1 for r in alerts if r.alert.kind == "stalled")
    return tuple(rows), overdue, stalled


def _completeness(actor) -> tuple[CompletenessRow, ...]:
    if actor is None:
        return ()
    from yangfan.collection.completeness import completeness_overview

    rows = []
    for item in completeness_overview(user=actor):
        totals = item["totals"]
        rows.append(
            CompletenessRow(
                data_set=item["data_set"].name,
                period=str(item["period"]),
                submitted=totals.submitted,
                expected=totals.expected,
                on_time_rate=totals.on_time_rate,
            )
        )
    return tuple(rows)


def _ranking(actor, plan_row, period: Period) -> tuple[tuple[RankingRow, ...], str]:
    from yangfan.supervision.evaluation import (
        default_as_of,
        evaluation_latest,
        evaluation_scores,
        ranking_rows,
    )
    from yangfan.supervision.selectors import reporting_period_for

    quarter = reporting_period_for(plan_row, period)
    labels = {"city": "设区市", "department": "省级部门"}
    run = evaluation_latest(plan=plan_row, period=quarter)
    if run is not None:
        rows, note = (
            run.rows,
            f"{quarter} 评估排名已于 {timezone.localtime(run.published_at):%Y-%m-%d} 发布（评分方案 {run.scheme_version}）。",
        )
    elif actor is None or may(actor, "supervision.manage"):
        rows = ranking_rows(
            evaluation_scores(plan=plan_row, period=quarter, as_of=default_as_of(plan_row, quarter))
        )
        note = f"{quarter} 评估排名尚未发布，以下为按报送截止日计算的当前结果，仅供参考。"
    else:
        return (), f"{quarter} 评估排名尚未发布。"
    return (
        tuple(
            RankingRow(
                rank=r["rank"],
                name=r["name"],
                kind_label=labels.get(r["kind"], r["kind"]),
                total=Decimal(r["total"]),
            )
            for r in rows
        ),
        note,
    )


def _summary(org_name, label, indicators, task_rows, overdue, completeness, goals=()) -> tuple[str, ...]:
    annex = [s for s in indicators if s.annex]
    count = defaultdict(int)
    for s in annex:
        count[s.status] += 1
    paragraphs = [
        f"截至{label}，{org_name}附件所列 {len(annex)} 项主要指标中，已达标 {count['achieved']} 项，"
        f"进度正常 {count['on_track']} 项，有风险 {count['at_risk']} 项，滞后于目标 {count['off_track']} 项，"
        f"到期未达标 {count['missed']} 项，暂无数据或未设目标 {count['unknown'] + count['no_target']} 项。"
    ]
    met = [s for s in annex if s.status == Status.ACHIEVED]
    if met:
        paragraphs.append(
            "已达标的指标："
            + "；".join(f"{s.name} {s.value_text}（目标 {s.target_text}）" for s in met)
            + "。"
        )
    judged = [g for g in goals if g.verdict]
    if judged:
        from yangfan.goals.choices import Verdict

        labels = {g.verdict: g.verdict_label for g in judged}
        counted = [(labels[v], sum(g.verdict == v for g in judged)) for v in Verdict.values if v in labels]
        paragraphs.append(
            f"计划的 {len(goals)} 项定性目标中，已评估 {len(judged)} 项："
            + "，".join(f"{name} {n} 项" for name, n in counted)
            + "。"
        )
    if task_rows:
        total = sum(r.assignments for r in task_rows)
        paragraphs.append(
            f"纳入督导的任务分工 {total} 个，本期报告已完成 {sum(r.done for r in task_rows)} 个、"
            f"推进中 {sum(r.in_progress for r in task_rows)} 个、滞后 {sum(r.lagging for r in task_rows)} 个、"
            f"未启动 {sum(r.not_started for r in task_rows)} 个，未报送 {sum(r.not_reported for r in task_rows)} 个；"
            f"逾期和滞后事项共 {len(overdue)} 项。"
        )
    if completeness:
        submitted = sum(r.submitted for r in completeness)
        expected = sum(r.expected for r in completeness)
        paragraphs.append(f"数据报送：各数据集最近一期应报 {expected} 份，已报送 {submitted} 份。")
    return tuple(paragraphs)


def _attention(indicators, overdue, stalled: int, plan_row, actor) -> tuple[str, ...]:
    from yangfan.supervision.models import SupervisionNotice
    from yangfan.supervision.selectors import assignment_list

    items = []
    for s in indicators:
        if s.status in BEHIND:
            behind = "、".join(f.name for f in s.behind[:5])
            where = f"；{behind}等地区落后" if behind else ""
            items.append(f"{s.name}本期为 {s.value_text}，目标 {s.target_text}，{s.status_label}{where}。")
    missing = sum(1 for o in overdue if o.kind_label == "逾期未报")
    if missing:
        items.append(f"有 {missing} 个任务分工逾期未报送进展报告。")
    if stalled:
        items.append(f"有 {stalled} 个任务分工连续两期报告滞后，建议督办。")
    notices = SupervisionNotice.objects.filter(plan=plan_row)
    if actor is not None:
        notices = notices.filter(assignment__in=assignment_list(actor=actor, plan=plan_row))
    escalated = notices.filter(status="escalated").count()
    if escalated:
        items.append(f"有 {escalated} 件督办单逾期未反馈，已升级督办。")
    return tuple(items)


def _has_demo_data() -> bool:
    from yangfan.datavalues.models import DataValue

    return DataValue.objects.filter(comment__contains=DEMO_MARK).exists()
