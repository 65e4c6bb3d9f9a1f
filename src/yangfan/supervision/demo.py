"""Demo content of task supervision (``yangfan init --demo``), generated from a seed and labelled as demo:

- three milestones on every task, titled “（演示）…”, that the provincial office would set;
- links of three tasks to the indicators they move (T4.1.1 → A5, T3.1.1 → A1, T3.2.1 → A3);
- a quarterly progress report of every assignment from 2021Q1 to 2023Q4, each narrative beginning with
  “【演示数据】”: most units report on time and are approved; some report late, some lag two quarters running,
  some have not reported 2023Q4, some 2023Q4 reports wait for review or were returned. About one report in
  three carries an evidence file: one generated PDF that says it is demo material;
- one 督办单 to 省文旅厅 with its answer, so that the notice page has something to show;
- the cascade of one city: 西安's office splits 西安's share of T2.1.1 among 雁塔区, 长安区 and a city department,
  sets a milestone on 雁塔区's part, 雁塔区 reports 2023Q4, and the office issues a notice (in 西安's own series)
  to 长安区, due a few days from the day the demo is loaded, so that its light shows.

Nothing here is a real report of any department or city. The same seed gives the same set every time; a
second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from yangfan.actionplans.models import Indicator, Plan, Task
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record_many
from yangfan.collection.choices import SubmissionAction, SubmissionStatus
from yangfan.core.periods import Period
from yangfan.supervision.choices import NoticeStatus, Progress
from yangfan.supervision.evidence import evidence_store
from yangfan.supervision.models import (
    Assignment,
    Evidence,
    Milestone,
    NoticeAnswer,
    ProgressEvent,
    ProgressReport,
    SupervisionNotice,
    TaskIndicator,
)
from yangfan.supervision.selectors import reporting_periods, supervision_rules

SEED = 20230705
MILESTONES = (
    ("（演示）制定本单位落实方案", date(2021, 6, 30), "落实方案文件"),
    ("（演示）完成年度阶段任务", date(2022, 12, 31), "阶段工作总结及佐证材料"),
    ("（演示）完成计划期任务", date(2023, 12, 31), "任务完成情况报告"),
)
LINKS = (("T4.1.1", "A5"), ("T3.1.1", "A1"), ("T3.2.1", "A3"))
DEMO_PDF = (
    b"%PDF-1.4\n% Yangfan demo evidence\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 72 770 Td (DEMO MATERIAL) Tj ET\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@transaction.atomic
def demo_supervision_load(*, actor_by_role: dict) -> dict[str, int]:
    """Load the demo set unless it is there already (any progress report means it is)."""
    plan = Plan.objects.order_by("code").first()
    if plan is None or ProgressReport.objects.exists():
        return {}
    province = actor_by_role.get("province")
    counts = {"milestones": 0, "reports": 0, "evidence": 0}
    for task in Task.objects.filter(plan=plan):
        for title, due, evidence in MILESTONES:
            Milestone.objects.create(
                task=task, title=title, due=due, evidence_expected=evidence, created_by=province
            )
            counts["milestones"] += 1
    for task_code, indicator_code in LINKS:
        task = Task.objects.filter(plan=plan, code=task_code).first()
        indicator = Indicator.objects.filter(plan=plan, code=indicator_code).first()
        if task and indicator:
            TaskIndicator.objects.get_or_create(
                task=task, indicator=indicator, defaults={"created_by": province}
            )
    stored = evidence_store(SimpleUploadedFile("演示佐证材料.pdf", DEMO_PDF))
    rules = supervision_rules(plan)
    periods = reporting_periods(plan)
    milestones = {}
    for m in Milestone.objects.filter(task__plan=plan):
        milestones.setdefault(m.task_id, []).append(m)
    rng = random.Random(SEED)
    assignments = list(
        Assignment.objects.filter(task__plan=plan).select_related("responsible_unit", "org_unit", "task")
    )
    reports, events, claims, evidence = [], [], [], []
    for a in assignments:
        profile = rng.choices(["steady", "slow", "stalled", "silent", "late"], weights=[55, 15, 10, 10, 10])[
            0
        ]
        if a.responsible_unit.code == "wlt":
            profile = "silent"  # 省文旅厅 has not reported 2023Q4: the notice below is about that
        start = rng.randrange(0, 3)
        speed = {"steady": rng.uniform(9, 14), "slow": rng.uniform(4, 7), "stalled": rng.uniform(5, 8)}.get(
            profile, rng.uniform(7, 11)
        )
        percent = 0
        for index, period in enumerate(periods):
            if profile == "silent" and period == periods[-1]:
                continue
            due = Period.parse(period).end + timedelta(days=rules.report_deadline_days)
            if index >= start:
                stall = profile == "stalled" and index >= len(periods) - 2
                percent = min(100, percent + (rng.randint(0, 2) if stall else round(speed)))
            if percent >= 100:
                progress = Progress.DONE
            elif index < start or percent == 0:
                progress = Progress.NOT_STARTED
                percent = 0
            elif profile == "stalled" and index >= len(periods) - 2:
                progress = Progress.LAGGING
            else:
                progress = Progress.IN_PROGRESS
            late = profile == "late" and rng.random() < 0.5
            submitted = (
                due - timedelta(days=rng.randint(0, 10))
                if not late
                else due + timedelta(days=rng.randint(3, 40))
            )
            last = period == periods[-1]
            status = SubmissionStatus.APPROVED
            if last:
                status = rng.choices(
                    [SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED],
                    weights=[75, 20, 5],
                )[0]
            narrative = f"【演示数据】{period} {a.unit_name}推进“{a.task.title}”：{Progress(progress).label}，完成约 {percent}%。"
            if progress == Progress.LAGGING:
                narrative += "受项目审批和资金落实影响，进度滞后。"
            report = ProgressReport(
                assignment=a,
                period=period,
                status=status,
                progress=progress,
                percent=percent,
                narrative=narrative,
                submitted_at=_moment(submitted) if status != SubmissionStatus.DRAFT else None,
                reviewed_at=_moment(submitted + timedelta(days=3))
                if status != SubmissionStatus.SUBMITTED
                else None,
                reviewed_by=province if status != SubmissionStatus.SUBMITTED else None,
                reason="【演示数据】佐证材料不全，请补充后重新报送。"
                if status == SubmissionStatus.RETURNED
                else "",
            )
            reports.append(report)
            met = [
                m
                for m in milestones.get(a.task_id, [])
                if m.due <= Period.parse(period).end and percent >= _needed(m)
            ]
            claims.append((report, met))
            if rng.random() < 0.35:
                evidence.append(report)
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    claimed: set[tuple[int, int]] = set()
    through = ProgressReport.milestones_met.through
    rows = []
    for report, met in claims:
        for m in met:
            if (report.assignment_id, m.pk) not in claimed:
                claimed.add((report.assignment_id, m.pk))
                rows.append(through(progressreport_id=report.pk, milestone_id=m.pk))
    through.objects.bulk_create(rows, batch_size=1000)
    for report in reports:
        events.append(
            ProgressEvent(
                report=report,
                action=SubmissionAction.SUBMIT,
                status=SubmissionStatus.SUBMITTED,
                comment="【演示数据】",
            )
        )
        if report.status in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED):
            action = (
                SubmissionAction.APPROVE
                if report.status == SubmissionStatus.APPROVED
                else SubmissionAction.RETURN
            )
            events.append(
                ProgressEvent(
                    report=report, action=action, status=report.status, actor=province, comment=report.reason
                )
            )
    ProgressEvent.objects.bulk_create(events, batch_size=1000)
    Evidence.objects.bulk_create(
        [
            Evidence(report=r, name=stored.name, kind=stored.kind, size=stored.size, sha256=stored.sha256)
            for r in evidence
        ],
        batch_size=1000,
    )
    counts["reports"], counts["evidence"] = len(reports), len(evidence)
    audit_record_many(
        [{"action": AuditAction.CREATE, "obj": r, "detail": "演示数据：生成的进展报告"} for r in reports],
        actor=None,
    )
    _demo_notice(plan, province, actor_by_role.get("wlt"))
    _demo_cascade(plan, actor_by_role.get("xian-office"), actor_by_role.get("yanta"))
    return counts


def _demo_cascade(plan: Plan, office, yanta) -> None:
    """西安's office at work on its counties, through the services (so the audit trail reads as it would)."""
    from yangfan.orgunits.models import OrgUnit
    from yangfan.supervision import services
    from yangfan.supervision.texts import notice_title

    share = Assignment.objects.filter(
        task__plan=plan, task__code="T2.1.1", org_unit__code="610100", responsible_unit__code="cities"
    ).first()
    if share is None or office is None or yanta is None:
        return
    counties = list(OrgUnit.objects.filter(code__in=["610113", "610116"]).order_by("code"))
    parts = services.assignment_split(
        actor=office, assignment=share, counties=counties, departments=["（演示）西安市工业和信息化局"]
    )
    services.milestone_create(
        actor=office,
        task=share.task,
        assignment=parts[0],
        title="（演示）完成区级5G网络建设三年方案",
        due=date(2023, 9, 30),
        evidence_expected="区级方案印发文件",
    )
    report = services.progress_report_open(assignment=parts[0], period="2023Q4")
    services.progress_report_save(
        actor=yanta,
        report=report,
        progress=Progress.IN_PROGRESS,
        percent=60,
        narrative="【演示数据】区内重点园区5G覆盖完成六成，剩余点位已纳入年度计划。",
    )
    services.progress_report_act(actor=yanta, report=report, action=SubmissionAction.SUBMIT)
    services.notice_issue(
        actor=office,
        assignment=parts[1],
        title="（演示）" + notice_title(parts[1].work_title),
        issue="【演示数据】长安区尚未报送2023年第四季度进展情况。",
        required_action="请于反馈时限前报送进展情况并附佐证材料。",
        deadline=timezone.localdate() + timedelta(days=4),
    )


def _needed(milestone: Milestone) -> int:
    """How far along a demo assignment must be to claim a milestone: 10 %, 60 %, 100 % for the three."""
    return {date(2021, 6, 30): 10, date(2022, 12, 31): 60}.get(milestone.due, 100)


def _demo_notice(plan: Plan, province, wlt) -> None:
    assignment = Assignment.objects.filter(
        task__plan=plan, task__code="T3.3.3", responsible_unit__code="wlt"
    ).first()
    if assignment is None:
        return
    issued = date(2024, 1, 20)
    notice = SupervisionNotice.objects.create(
        plan=plan,
        year=issued.year,
        serial=1,
        assignment=assignment,
        title="（演示）关于推进“5G+文化旅游”应用任务的督办通知",
        issue="【演示数据】2023Q4 的进展报告应于2024年1月15日前报送，截至2024年1月20日仍未报送。",
        required_action="请于2024年2月5日前报送2023年第四季度进展情况，并附相关佐证材料。",
        deadline=date(2024, 2, 5),
        issued_by=province,
        issued_at=_moment(issued),
        status=NoticeStatus.ANSWERED,
    )
    answer = NoticeAnswer.objects.create(
        notice=notice,
        serial=1,
        text="【演示数据】已组织各景区梳理5G应用项目，2023年第四季度进展报告因统计口径调整延迟，将于2月初补报。",
        answered_by=wlt,
        answered_at=_moment(date(2024, 2, 1)),
    )
    audit_record_many(
        [
            {"action": AuditAction.CREATE, "obj": notice, "detail": "演示数据：督办单"},
            {"action": AuditAction.CREATE, "obj": answer, "detail": "演示数据：督办反馈"},
        ]
    )
