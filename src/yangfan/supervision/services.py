"""Writes of task supervision. Each checks who may do it (refusals are audited), writes in one transaction and
leaves an audit entry, whether it comes from the web, the API, the command line or the daily job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, require
from yangfan.actionplans.models import Indicator, Plan, ResponsibleUnit, Task
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record, model_changes, snapshot
from yangfan.collection.choices import WRITABLE, SubmissionAction
from yangfan.collection.workflow import REPORTER_ACTIONS, workflow_apply, workflow_check
from yangfan.core.plan import UnitKind
from yangfan.supervision.choices import NoticeStatus, Progress
from yangfan.supervision.evidence import StoredFile, evidence_store_all
from yangfan.supervision.models import (
    Assignment,
    Evidence,
    Milestone,
    NoticeAnswer,
    ProgressEvent,
    ProgressReport,
    SubTask,
    SupervisionNotice,
    TaskIndicator,
)
from yangfan.supervision.selectors import (
    city_governments,
    may_read_assignment,
    may_report,
    may_review_report,
    milestones_of,
    province_unit,
    reporting_kind,
)

A = SubmissionAction
MILESTONE_FIELDS = ("title", "due", "evidence_expected")


# --- assignments -----------------------------------------------------------------------------------------


def _shares(units: Iterable[ResponsibleUnit]) -> list[tuple[ResponsibleUnit, object]]:
    """(responsible unit, org unit) of each assignment a task given to ``units`` has."""
    cities = list(city_governments())
    province = province_unit()
    shares = []
    for unit in units:
        if unit.kind == UnitKind.CITY_GOVERNMENTS:
            shares.extend((unit, city) for city in cities)
        elif province is not None:
            shares.append((unit, province))
    return shares


@transaction.atomic
def assignments_sync(*, plan: Plan, actor=None) -> dict[str, int]:
    """Give every task of ``plan`` its assignments: one per responsible unit, one per city government for
    各设区市政府. Idempotent. An assignment whose unit the plan no longer names is removed when nothing was
    reported on it, and kept (and counted as ``kept``) when it has reports or notices: nothing reported is lost."""
    counts = {"created": 0, "deleted": 0, "kept": 0}
    existing = {
        (a.task_id, a.responsible_unit_id, a.org_unit_id): a
        for a in Assignment.objects.filter(task__plan=plan, subtask__isnull=True)
    }
    wanted = set()
    for task in Task.objects.filter(plan=plan).prefetch_related("units"):
        for unit, org in _shares(task.units.all()):
            key = (task.pk, unit.pk, org.pk)
            wanted.add(key)
            if key not in existing:
                row = Assignment.objects.create(task=task, responsible_unit=unit, org_unit=org)
                counts["created"] += 1
                audit_record(action=AuditAction.CREATE, actor=actor, obj=row, detail="按计划文件分派任务")
    for key, row in existing.items():
        if key in wanted:
            continue
        if row.reports.exists() or row.notices.exists():
            counts["kept"] += 1
            continue
        audit_record(action=AuditAction.DELETE, actor=actor, obj=row, detail="计划文件不再列出该责任单位")
        row.delete()
        counts["deleted"] += 1
    return counts


def assignments_sync_on_load(sender, *, plan, stats, **kwargs) -> None:
    """``plan_loaded`` receiver: a plan load brings its assignments in step, in the same transaction."""
    assignments_sync(plan=plan, actor=stats.actor)


def subtask_create(
    *, actor, task: Task, title: str, text: str = "", units: Sequence[ResponsibleUnit], request=None
) -> SubTask:
    """Split ``task``: a sub-task for some of its units, each of which gets an assignment for it."""
    require(actor, "supervision.manage", request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        title = title.strip()
        if not title:
            raise ValidationError(_("请填写子任务标题。"))
        allowed = set(task.units.values_list("pk", flat=True))
        units = list(units)
        if not units:
            raise ValidationError(_("请至少选择一个责任单位。"))
        strangers = [u.name for u in units if u.pk not in allowed]
        if strangers:
            raise ValidationError(
                _("子任务的责任单位须是原任务的责任单位：%(names)s 不是。") % {"names": "、".join(strangers)}
            )
        number = SubTask.objects.filter(task=task).count() + 1
        while SubTask.objects.filter(task=task, code=f"{task.code}-{number}").exists():
            number += 1
        subtask = SubTask.objects.create(
            task=task, code=f"{task.code}-{number}", title=title, text=text.strip(), created_by=actor
        )
        subtask.units.set(units)
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=subtask,
            changes={"units": [None, [u.name for u in units]]},
            request=request,
        )
        for unit, org in _shares(units):
            row = Assignment.objects.create(task=task, subtask=subtask, responsible_unit=unit, org_unit=org)
            audit_record(
                action=AuditAction.CREATE, actor=actor, obj=row, detail="分派子任务", request=request
            )
        return subtask


# --- milestones and indicator links ------------------------------------------------------------------------


def _milestone_check(title: str, due, plan: Plan) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写节点内容。"))
    if due is None:
        raise ValidationError(_("请填写完成时限。"))
    if not (plan.start <= due <= plan.end.replace(year=plan.end.year + 2)):
        raise ValidationError(
            _("完成时限 %(due)s 不在计划期（%(start)s 至 %(end)s，及其后两年）内。")
            % {"due": due, "start": plan.start, "end": plan.end}
        )
    return title


def milestone_create(
    *,
    actor,
    task: Task,
    title: str,
    due: date,
    evidence_expected: str = "",
    subtask: SubTask | None = None,
    request=None,
) -> Milestone:
    """A milestone on ``task`` (or one of its sub-tasks) binding every assignment of it."""
    require(actor, "supervision.manage", request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        title = _milestone_check(title, due, task.plan)
        if subtask is not None and subtask.task_id != task.pk:
            raise ValidationError(_("子任务不属于该任务。"))
        milestone = Milestone.objects.create(
            task=task,
            subtask=subtask,
            title=title,
            due=due,
            evidence_expected=evidence_expected.strip(),
            created_by=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=milestone,
            changes=model_changes({}, snapshot(milestone, MILESTONE_FIELDS)),
            request=request,
        )
        return milestone


def milestone_update(
    *, actor, milestone: Milestone, title: str, due: date, evidence_expected: str = "", request=None
) -> Milestone:
    require(actor, "supervision.manage", request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        before = snapshot(milestone, MILESTONE_FIELDS)
        milestone.title = _milestone_check(title, due, milestone.task.plan)
        milestone.due, milestone.evidence_expected = due, evidence_expected.strip()
        milestone.save()
        changes = model_changes(before, snapshot(milestone, MILESTONE_FIELDS))
        if changes:
            audit_record(
                action=AuditAction.UPDATE, actor=actor, obj=milestone, changes=changes, request=request
            )
        return milestone


def milestone_delete(*, actor, milestone: Milestone, request=None) -> None:
    """Remove a milestone no report has claimed yet (a claimed one is history: change its date instead)."""
    require(actor, "supervision.manage", request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        if milestone.reports.exists():
            raise ValidationError(_("已有进展报告标记完成该节点，不能删除；如需调整，请修改其内容或时限。"))
        audit_record(
            action=AuditAction.DELETE,
            actor=actor,
            obj=milestone,
            changes=model_changes(snapshot(milestone, MILESTONE_FIELDS), {}),
            request=request,
        )
        milestone.delete()


def task_indicator_set(*, actor, task: Task, indicators: Iterable[Indicator], request=None) -> None:
    """Link ``task`` to exactly ``indicators`` (the indicators it moves)."""
    require(actor, "supervision.manage", request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        wanted = {i.pk: i for i in indicators if i.plan_id == task.plan_id}
        current = {link.indicator_id: link for link in TaskIndicator.objects.filter(task=task)}
        for pk, link in current.items():
            if pk not in wanted:
                audit_record(action=AuditAction.DELETE, actor=actor, obj=link, request=request)
                link.delete()
        for pk, indicator in wanted.items():
            if pk not in current:
                link = TaskIndicator.objects.create(task=task, indicator=indicator, created_by=actor)
                audit_record(action=AuditAction.CREATE, actor=actor, obj=link, request=request)


# --- progress reports ---------------------------------------------------------------------------------------


def progress_report_open(*, assignment: Assignment, period: str) -> ProgressReport:
    """The report of ``assignment`` for ``period``; a new, unsaved draft when there is none yet (saving it
    creates it). Raises ``PeriodError`` or ``ValidationError`` for a period that is not a reporting period of
    the plan."""
    from yangfan.core.periods import Period, PeriodError

    parsed = Period.parse(period)
    plan = assignment.task.plan
    if parsed.kind != reporting_kind(plan):
        raise PeriodError(period)
    if parsed.end < plan.start or parsed.start > plan.end.replace(year=plan.end.year + 2):
        raise ValidationError(_("期间 %(p)s 不在计划期内。") % {"p": period})
    found = ProgressReport.objects.filter(assignment=assignment, period=str(parsed)).first()
    return found or ProgressReport(assignment=assignment, period=str(parsed))


def _report_guard(actor, report: ProgressReport, request=None) -> None:
    if not may_report(actor, report.assignment):
        deny(actor, "tasks.report", report.assignment, request=request)
    if report.status not in WRITABLE:
        raise ValidationError(
            _("该进展报告为“%(status)s”，已锁定；须撤回或退回后才能修改。")
            % {"status": report.get_status_display()}
        )


def progress_report_save(
    *,
    actor,
    report: ProgressReport,
    progress: str,
    percent: int,
    narrative: str,
    milestones_met: Iterable[Milestone] = (),
    files: Sequence = (),
    request=None,
) -> ProgressReport:
    """Save a draft (or returned) report with its new evidence files. Every file is checked and stored before
    anything is written, so a refused file or a failed upload leaves the report as it was."""
    _report_guard(actor, report, request)
    if progress not in Progress.values:
        raise ValidationError(_("进展状态无效：%(v)s。") % {"v": progress})
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("完成比例须在 0 到 100 之间。"))
    allowed = {m.pk for m in milestones_of(report.assignment)}
    chosen = list(milestones_met)
    if any(m.pk not in allowed for m in chosen):
        raise ValidationError(_("所选节点不属于该任务。"))
    stored = evidence_store_all(files)  # raises before any write: all files or none
    fields = ("progress", "percent", "narrative")
    with transaction.atomic():
        created = report.pk is None
        before = {} if created else snapshot(report, fields)
        before_met = [] if created else sorted(report.milestones_met.values_list("pk", flat=True))
        report.progress, report.percent, report.narrative = progress, int(percent), narrative.strip()
        report.save()
        report.milestones_met.set(chosen)
        changes = model_changes(before, snapshot(report, fields))
        after_met = sorted(m.pk for m in chosen)
        if after_met != before_met:
            changes["milestones_met"] = [before_met, after_met]
        if changes:
            action = AuditAction.CREATE if created else AuditAction.UPDATE
            audit_record(action=action, actor=actor, obj=report, changes=changes, request=request)
        _evidence_add(actor=actor, stored=stored, request=request, report=report)
    return report


def _evidence_add(*, actor, stored: Sequence[StoredFile], request=None, **owner) -> list[Evidence]:
    rows = []
    for f in stored:
        row = Evidence.objects.create(
            name=f.name, kind=f.kind, size=f.size, sha256=f.sha256, uploaded_by=actor, **owner
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=row,
            changes={"sha256": [None, f.sha256], "size": [None, f.size]},
            request=request,
        )
        rows.append(row)
    return rows


def evidence_delete(*, actor, evidence: Evidence, request=None) -> None:
    """Remove an attachment from a report that is still a draft (the stored file stays: others may share it)."""
    if evidence.report_id is None:
        raise ValidationError(_("督办反馈的材料随反馈存档，不能删除。"))
    _report_guard(actor, evidence.report, request)  # outside the transaction: a refusal stays in the trail
    with transaction.atomic():
        audit_record(action=AuditAction.DELETE, actor=actor, obj=evidence, request=request)
        evidence.delete()


def progress_report_act(*, actor, report: ProgressReport, action: str, comment: str = "", request=None):
    """Move a progress report along the data workflow (``collection.workflow``): the unit submits or withdraws,
    the provincial office approves, returns or unlocks."""
    reporter = action in REPORTER_ACTIONS
    if reporter and not may_report(actor, report.assignment):
        deny(actor, "tasks.report", report.assignment, request=request)
    if not reporter and not may_review_report(actor, report):
        deny(actor, "supervision.manage", report.assignment, request=request)
    comment = comment.strip()
    workflow_check(report=report, action=action, comment=comment)
    if action == A.SUBMIT:
        _submit_check(report)
    with transaction.atomic():
        workflow_apply(
            report=report,
            action=action,
            actor=actor,
            comment=comment,
            event_model=ProgressEvent,
            request=request,
            event_fields={"report": report},
        )
    return report


def _submit_check(report: ProgressReport) -> None:
    problems = []
    if not report.narrative.strip():
        problems.append(_("请填写进展情况"))
    if report.progress == Progress.DONE and report.percent != 100:
        problems.append(_("状态为“已完成”时完成比例应为 100%"))
    if report.progress == Progress.NOT_STARTED and report.percent != 0:
        problems.append(_("状态为“未启动”时完成比例应为 0%"))
    if problems:
        raise ValidationError(_("不能报送：%(list)s。") % {"list": "；".join(problems)})


# --- notices --------------------------------------------------------------------------------------------------


def notice_issue(
    *,
    actor,
    assignment: Assignment,
    title: str,
    issue: str,
    required_action: str,
    deadline: date,
    figures: list | None = None,
    request=None,
    today: date | None = None,
) -> SupervisionNotice:
    """Issue a 督办单 to the unit of ``assignment``, numbered in sequence for the plan and the year."""
    require(actor, "supervision.manage", request=request)
    today = today or timezone.localdate()
    title, issue, required_action = title.strip(), issue.strip(), required_action.strip()
    missing = [
        label
        for label, value in ((_("标题"), title), (_("存在问题"), issue), (_("督办要求"), required_action))
        if not value
    ]
    if missing:
        raise ValidationError(_("请填写：%(list)s。") % {"list": "、".join(missing)})
    if deadline is None or deadline <= today:
        raise ValidationError(_("反馈时限须晚于今天（%(today)s）。") % {"today": today})
    plan = assignment.task.plan
    for _attempt in range(5):  # two officers issuing at once: the unique number decides, the loser retries
        try:
            with transaction.atomic():
                serial = (
                    SupervisionNotice.objects.filter(plan=plan, year=today.year).aggregate(n=Max("serial"))[
                        "n"
                    ]
                    or 0
                ) + 1
                notice = SupervisionNotice.objects.create(
                    plan=plan,
                    year=today.year,
                    serial=serial,
                    assignment=assignment,
                    title=title,
                    issue=issue,
                    required_action=required_action,
                    deadline=deadline,
                    figures=list(figures or []),
                    issued_by=actor,
                    issued_at=timezone.now(),
                )
                audit_record(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=notice,
                    changes={"deadline": [None, str(deadline)], "assignment": [None, str(assignment)]},
                    request=request,
                )
                return notice
        except IntegrityError:
            continue
    raise ValidationError(_("督办单编号冲突，请重试。"))


def notice_answer(
    *, actor, notice: SupervisionNotice, text: str, files: Sequence = (), request=None
) -> NoticeAnswer:
    """The unit's 反馈 to a notice. An escalated notice may still be answered (the escalation stays on record)."""
    if not may_report(actor, notice.assignment):
        deny(actor, "tasks.report", notice, request=request)
    if notice.status == NoticeStatus.CLOSED:
        raise ValidationError(_("该督办单已办结，不能再反馈。"))
    text = text.strip()
    if not text:
        raise ValidationError(_("请填写反馈内容。"))
    stored = evidence_store_all(files)
    with transaction.atomic():
        serial = (notice.answers.aggregate(n=Max("serial"))["n"] or 0) + 1
        answer = NoticeAnswer.objects.create(
            notice=notice, serial=serial, text=text, answered_by=actor, answered_at=timezone.now()
        )
        before = notice.status
        notice.status = NoticeStatus.ANSWERED
        notice.save(update_fields=["status"])
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=answer,
            changes={"notice_status": [before, notice.status]},
            request=request,
        )
        _evidence_add(actor=actor, stored=stored, request=request, answer=answer)
    return answer


def notice_close(*, actor, notice: SupervisionNotice, comment: str = "", request=None) -> SupervisionNotice:
    """办结: the office accepts the answer."""
    # outside the transaction: a refusal stays in the trail
    require(actor, "supervision.manage", request=request)
    if notice.status != NoticeStatus.ANSWERED:
        raise ValidationError(
            _("只有已反馈的督办单才能办结（当前为“%(s)s”）。") % {"s": notice.get_status_display()}
        )
    with transaction.atomic():
        before = notice.status
        notice.status, notice.closed_by, notice.closed_at = NoticeStatus.CLOSED, actor, timezone.now()
        notice.closing_comment = comment.strip()
        notice.save()
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=notice,
            changes={"status": [before, notice.status]},
            detail=notice.closing_comment,
            request=request,
        )
    return notice


@transaction.atomic
def notices_escalate(*, today: date | None = None) -> list[SupervisionNotice]:
    """The daily job: every notice still waiting for an answer after its deadline is escalated (逾期未反馈，
    升级督办), once per notice; it then stands out on the supervision list and the unit's board."""
    today = today or timezone.localdate()
    due = SupervisionNotice.objects.select_for_update().filter(status=NoticeStatus.ISSUED, deadline__lt=today)
    escalated = []
    for notice in due:
        notice.status = NoticeStatus.ESCALATED
        notice.escalation_level += 1
        notice.escalated_at = timezone.now()
        notice.save(update_fields=["status", "escalation_level", "escalated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=notice,
            changes={"status": [NoticeStatus.ISSUED, NoticeStatus.ESCALATED]},
            detail=f"反馈时限 {notice.deadline} 已过，未反馈，自动升级督办",
        )
        escalated.append(notice)
    return escalated


def may_read_notice(user, notice: SupervisionNotice) -> bool:
    return may_read_assignment(user, notice.assignment)
