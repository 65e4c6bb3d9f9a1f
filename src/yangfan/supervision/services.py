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

from yangfan.accounts.permissions import deny, may, may_split, may_supervise, supervises_plan
from yangfan.actionplans.models import Indicator, Plan, ResponsibleUnit, Task
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict
from yangfan.audit.services import audit_record, model_changes, snapshot
from yangfan.collection.choices import WRITABLE, SubmissionAction
from yangfan.collection.workflow import REPORTER_ACTIONS, workflow_apply, workflow_check, workflow_lock
from yangfan.core.plan import UnitKind
from yangfan.supervision import announce
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
    parts_under,
    province_unit,
    reporting_kind,
    rolled_up,
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
    _require_plan(actor, request)
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


def _require_plan(actor, request=None) -> None:
    """Decisions on the plan's tasks themselves are the provincial office's (``permissions.supervises_plan``)."""
    unit = province_unit()
    if not supervises_plan(actor, unit):
        deny(actor, "supervision.manage", unit, request=request)


def _require_milestone(actor, milestone: Milestone, request=None) -> None:
    if milestone.assignment_id is None:
        _require_plan(actor, request)
    elif not may_supervise(actor, milestone.assignment):
        deny(actor, "supervision.manage", milestone.assignment, request=request)


# --- the cascade: a city's share split among its districts, counties and departments ------------------------


def assignment_split(
    *,
    actor,
    assignment: Assignment,
    counties: Sequence = (),
    departments: Sequence[str] = (),
    request=None,
) -> list[Assignment]:
    """Split a city government's share (the cascade): a part for each of ``counties`` (units counted in the city)
    and each of ``departments`` (the city's departments, by name). Parts already given are refused by name, so a
    second click changes nothing; the city still reports on its share, rolled up from the parts."""
    if not may_split(actor, assignment):
        deny(actor, "supervision.manage", assignment, request=request)
    departments = [d.strip() for d in departments if d.strip()]
    counties = list(counties)
    if not counties and not departments:
        raise ValidationError(_("请至少选择一个区县或填写一个市级部门。"))
    allowed = {u.pk for u in parts_under(assignment)}
    strangers = [u.name for u in counties if u.pk not in allowed]
    if strangers:
        raise ValidationError(
            _("%(names)s 不是%(city)s所辖的区县，不能分派。")
            % {"names": "、".join(strangers), "city": assignment.org_unit.name}
        )
    long_names = [d for d in departments if len(d) > 100]
    if long_names:
        raise ValidationError(_("部门名称过长（至多100字）：%(n)s。") % {"n": long_names[0][:20]})
    existing = {(a.org_unit_id, a.assignee) for a in assignment.children.all()}
    wanted = [(u, "") for u in counties] + [(assignment.org_unit, d) for d in departments]
    twice = [d or u.name for u, d in wanted if (u.pk, d) in existing]
    if twice or len({(u.pk, d) for u, d in wanted}) != len(wanted):
        raise ValidationError(
            _("已分派过，不能重复：%(names)s。") % {"names": "、".join(twice) or _("同一单位填写了两次")}
        )
    with transaction.atomic():
        parts = []
        for unit, department in wanted:
            part = Assignment.objects.create(
                task=assignment.task,
                subtask=assignment.subtask,
                responsible_unit=assignment.responsible_unit,
                org_unit=unit,
                parent=assignment,
                assignee=department,
            )
            audit_record(
                action=AuditAction.CREATE,
                actor=actor,
                obj=part,
                changes={"parent": [None, str(assignment)], "unit": [None, part.unit_name]},
                detail="市级分解任务",
                request=request,
            )
            parts.append(part)
        return parts


def assignment_part_delete(*, actor, part: Assignment, request=None) -> None:
    """Take back a part nothing was reported on and no notice was issued on (otherwise it is history)."""
    if part.parent_id is None or not may_split(actor, part.parent):
        deny(actor, "supervision.manage", part, request=request)
    with transaction.atomic():
        if part.reports.exists() or part.notices.exists():
            raise ValidationError(_("该分工已有进展报告或督办单，不能撤销。"))
        audit_record(action=AuditAction.DELETE, actor=actor, obj=part, detail="撤销市级分解", request=request)
        part.delete()


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
    assignment: Assignment | None = None,
    request=None,
) -> Milestone:
    """A milestone on ``task`` (or one of its sub-tasks) binding every assignment of it; with ``assignment``, a
    city's office's milestone on one part of its city's share, binding that part only."""
    if assignment is None:
        _require_plan(actor, request)
    elif assignment.parent_id is None or not may_supervise(actor, assignment):
        deny(actor, "supervision.manage", assignment, request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        title = _milestone_check(title, due, task.plan)
        if subtask is not None and subtask.task_id != task.pk:
            raise ValidationError(_("子任务不属于该任务。"))
        if assignment is not None and assignment.task_id != task.pk:
            raise ValidationError(_("任务分工不属于该任务。"))
        milestone = Milestone.objects.create(
            task=task,
            subtask=subtask,
            assignment=assignment,
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
    _require_milestone(actor, milestone, request)
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
    _require_milestone(actor, milestone, request)
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
    _require_plan(actor, request)
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
    override_reason: str = "",
    request=None,
) -> ProgressReport:
    """Save a draft (or returned) report with its new evidence files. Every file is checked and stored before
    anything is written, so a refused file or a failed upload leaves the report as it was. A share split into
    parts reports what its parts roll up to, or says why it reports otherwise (``override_reason``)."""
    _report_guard(actor, report, request)
    if progress not in Progress.values:
        raise ValidationError(_("进展状态无效：%(v)s。") % {"v": progress})
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("完成比例须在 0 到 100 之间。"))
    override_reason = override_reason.strip()
    rolled = rolled_up(report.assignment, report.period)
    if rolled is None or (progress, int(percent)) == (rolled[0].value, rolled[1]):
        override_reason = ""
    elif not override_reason:
        raise ValidationError(
            _("所报进展（%(p)s %(n)s%%）与区县、部门报告的汇总（%(rp)s %(rn)s%%）不一致，请说明理由。")
            % {
                "p": Progress(progress).label,
                "n": int(percent),
                "rp": Progress(rolled[0].value).label,
                "rn": rolled[1],
            }
        )
    allowed = {m.pk for m in milestones_of(report.assignment)}
    chosen = list(milestones_met)
    if any(m.pk not in allowed for m in chosen):
        raise ValidationError(_("所选节点不属于该任务。"))
    stored = evidence_store_all(files)  # raises before any write: all files or none
    fields = ("progress", "percent", "narrative", "override_reason")
    with transaction.atomic():
        created = report.pk is None
        if (
            not created
        ):  # the stored report, locked: a step taken meanwhile (submitted, approved) refuses the save
            report.refresh_from_db(from_queryset=ProgressReport.objects.select_for_update())
            if report.status not in WRITABLE:
                raise Conflict(
                    _("该进展报告刚被提交或审核，当前为“%(status)s”，您的保存未执行。")
                    % {"status": report.get_status_display()},
                    status=report.status,
                )
        before = {} if created else snapshot(report, fields)
        before_met = [] if created else sorted(report.milestones_met.values_list("pk", flat=True))
        report.progress, report.percent, report.narrative = progress, int(percent), narrative.strip()
        report.override_reason = override_reason
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
        workflow_lock(report=report, action=action)  # a concurrent step that came first refuses this one
        workflow_apply(
            report=report,
            action=action,
            actor=actor,
            comment=comment,
            event_model=ProgressEvent,
            request=request,
            event_fields={"report": report},
        )
        announce.report_moved(report, action, comment)
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
    risk=None,
    request=None,
    today: date | None = None,
) -> SupervisionNotice:
    """Issue a 督办单 to the unit of ``assignment``, numbered in sequence for the plan and the year: the
    province's series, or the city's own when a city's office issues it on a part of its city's share. ``risk``:
    the 5G application security risk (``security.Risk``) the notice was turned from, which the issuer must be
    one who keeps the risk register for it (``security.manage``)."""
    if not may_supervise(actor, assignment):
        deny(actor, "supervision.manage", assignment, request=request)
    if risk is not None and not may(actor, "security.manage", risk):
        deny(actor, "security.manage", risk, request=request)
    issuer_unit = None if supervises_plan(actor, province_unit()) else assignment.parent.org_unit
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
                    SupervisionNotice.objects.filter(
                        plan=plan, year=today.year, issuer_unit=issuer_unit
                    ).aggregate(n=Max("serial"))["n"]
                    or 0
                ) + 1
                notice = SupervisionNotice.objects.create(
                    plan=plan,
                    issuer_unit=issuer_unit,
                    year=today.year,
                    serial=serial,
                    assignment=assignment,
                    title=title,
                    issue=issue,
                    required_action=required_action,
                    deadline=deadline,
                    figures=list(figures or []),
                    risk=risk,
                    issued_by=actor,
                    issued_at=timezone.now(),
                )
                changes = {"deadline": [None, str(deadline)], "assignment": [None, str(assignment)]}
                if risk is not None:
                    changes["risk"] = [None, f"{risk.pk} {risk}"]
                audit_record(
                    action=AuditAction.CREATE, actor=actor, obj=notice, changes=changes, request=request
                )
                announce.notice_issued(notice)
                return notice
        except IntegrityError:
            continue
    raise ValidationError(_("督办单编号冲突，请重试。"))


def notice_sign(*, actor, notice: SupervisionNotice, request=None) -> SupervisionNotice:
    """签收: the receiving unit acknowledges the notice (who and when). Once only; an escalated notice may still be
    signed for (the escalation stays on record)."""
    if not may_report(actor, notice.assignment):
        deny(actor, "tasks.report", notice, request=request)
    with transaction.atomic():
        notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == NoticeStatus.CLOSED:
            raise ValidationError(_("该督办单已办结，无需签收。"))
        if notice.signed_at is not None:
            raise ValidationError(
                _("该督办单已于 %(at)s 由 %(who)s 签收，不能重复签收。")
                % {
                    "at": timezone.localtime(notice.signed_at).strftime("%Y-%m-%d %H:%M"),
                    "who": notice.signed_by or "—",
                }
            )
        _sign(notice, actor)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=notice,
            changes={"signed_at": [None, notice.signed_at.isoformat()]},
            detail="签收督办单",
            request=request,
        )
        return notice


def _sign(notice: SupervisionNotice, actor) -> None:
    """Record the signature; an issued notice becomes 已签收 (an escalated or answered one keeps its status)."""
    notice.signed_by, notice.signed_at = actor, timezone.now()
    if notice.status == NoticeStatus.ISSUED:
        notice.status = NoticeStatus.SIGNED
    notice.save(update_fields=["signed_by", "signed_at", "status"])


def notice_answer(
    *, actor, notice: SupervisionNotice, text: str, files: Sequence = (), request=None
) -> NoticeAnswer:
    """The unit's 反馈 to a notice. An escalated notice may still be answered (the escalation stays on record);
    answering one not yet signed for signs for it at the same moment."""
    if not may_report(actor, notice.assignment):
        deny(actor, "tasks.report", notice, request=request)
    if notice.status == NoticeStatus.CLOSED:
        raise ValidationError(_("该督办单已办结，不能再反馈。"))
    text = text.strip()
    if not text:
        raise ValidationError(_("请填写反馈内容。"))
    stored = evidence_store_all(files)
    with transaction.atomic():
        _notice_lock(notice)
        if notice.status == NoticeStatus.CLOSED:  # closed meanwhile: an answer would reopen it
            raise Conflict(_("该督办单刚已办结，不能再反馈。"), status=notice.status)
        if notice.signed_at is None:
            _sign(notice, actor)
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
        announce.notice_answered(notice)
    return answer


def _notice_lock(notice: SupervisionNotice) -> None:
    """Read ``notice`` again with its row locked until the transaction ends, so that what a step checks is what
    it changes (two officers closing at once, an answer arriving as the notice is closed). On SQLite the
    transaction's write lock serialises the steps already."""
    notice.refresh_from_db(from_queryset=SupervisionNotice.objects.select_for_update())


def notice_close(*, actor, notice: SupervisionNotice, comment: str = "", request=None) -> SupervisionNotice:
    """办结: the office accepts the answer."""
    # outside the transaction: a refusal stays in the trail
    if not may_supervise(actor, notice.assignment):
        deny(actor, "supervision.manage", notice, request=request)
    if notice.status != NoticeStatus.ANSWERED:
        raise ValidationError(
            _("只有已反馈的督办单才能办结（当前为“%(s)s”）。") % {"s": notice.get_status_display()}
        )
    with transaction.atomic():
        _notice_lock(notice)
        if notice.status != NoticeStatus.ANSWERED:  # closed by another officer meanwhile
            raise Conflict(
                _("该督办单刚被他人处理，当前为“%(s)s”，您的办结未执行。")
                % {"s": notice.get_status_display()},
                status=notice.status,
            )
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
        announce.notice_closed(notice)
    return notice


@transaction.atomic
def notices_escalate(*, today: date | None = None) -> list[SupervisionNotice]:
    """The daily job: every notice still waiting for an answer after its deadline is escalated (逾期未反馈，
    升级督办), once per notice; it then stands out on the supervision list and the unit's board."""
    today = today or timezone.localdate()
    due = SupervisionNotice.objects.select_for_update().filter(
        status__in=(NoticeStatus.ISSUED, NoticeStatus.SIGNED), deadline__lt=today
    )
    escalated = []
    for notice in due:
        before = notice.status
        notice.status = NoticeStatus.ESCALATED
        notice.escalation_level += 1
        notice.escalated_at = timezone.now()
        notice.save(update_fields=["status", "escalation_level", "escalated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=notice,
            changes={"status": [before, NoticeStatus.ESCALATED]},
            detail=f"反馈时限 {notice.deadline} 已过，未反馈，自动升级督办",
        )
        announce.notice_escalated(notice)
        escalated.append(notice)
    return escalated


def may_read_notice(user, notice: SupervisionNotice) -> bool:
    return may_read_assignment(user, notice.assignment)
