"""Who is told what in task supervision (``notifications``): a new or escalated notice and one nearing its deadline
go to the units that answer it, an answer to the office that supervises it; a progress report waiting for review
to its reviewers, a returned one to its reporters; a milestone turning yellow or red to the units it binds. Each
waiting thing is one subject (``notice:3``, ``progressreport:12``, ``milestone:5:40``), so that handling it closes
what it opened. Called inside the services' transactions; the daily job (:func:`lights_daily`) adds the reminders
before a deadline and the milestones' lights.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import may_report_share, may_supervise, users_who_may
from yangfan.collection.workflow import workflow_announce
from yangfan.core.supervision import Light
from yangfan.notifications.choices import NotificationKind as K
from yangfan.notifications.services import notifications_done, notify
from yangfan.supervision.choices import Light as LightLabel
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.lights import NOTICE_DONE, milestone_light, notice_light
from yangfan.supervision.models import Assignment, Milestone, ProgressReport, SupervisionNotice
from yangfan.supervision.selectors import binds


def reporters_of(assignment: Assignment) -> list:
    """Who reports on ``assignment`` and answers its notices (``permissions.may_report_share``)."""
    candidates = users_who_may("tasks.report").select_related("responsible_unit").order_by("username")
    return [u for u in candidates if may_report_share(u, assignment)]


def supervisors_of(assignment: Assignment) -> list:
    """Who supervises ``assignment`` (``permissions.may_supervise``): the province's office, a city's office for
    the parts of its city's share."""
    return [
        u for u in users_who_may("supervision.manage").order_by("username") if may_supervise(u, assignment)
    ]


def _notice(notice: SupervisionNotice, kind: K, title: str, users) -> None:
    notify(
        users=users,
        kind=kind,
        title=title,
        url=notice.get_absolute_url(),
        subject=f"notice:{notice.pk}",
        org_unit=notice.assignment.org_unit,
        detail=notice.required_action,
    )


def notice_issued(notice: SupervisionNotice) -> None:
    _notice(
        notice,
        K.NOTICE_NEW,
        _("新督办单：%(n)s %(t)s") % {"n": notice.number, "t": notice.title},
        reporters_of(notice.assignment),
    )


def notice_escalated(notice: SupervisionNotice) -> None:
    _notice(
        notice,
        K.NOTICE_ESCALATED,
        _("督办单逾期未反馈，已升级：%(n)s") % {"n": notice.number},
        reporters_of(notice.assignment),
    )


def notice_answered(notice: SupervisionNotice) -> None:
    subject = f"notice:{notice.pk}"
    notifications_done(subject=subject, kinds=[K.NOTICE_NEW, K.NOTICE_ESCALATED, K.NOTICE_DUE])
    _notice(
        notice,
        K.NOTICE_ANSWERED,
        _("督办单已反馈，待办结：%(n)s（%(u)s）") % {"n": notice.number, "u": notice.assignment.unit_name},
        supervisors_of(notice.assignment),
    )


def notice_closed(notice: SupervisionNotice) -> None:
    notifications_done(subject=f"notice:{notice.pk}")


def report_moved(report: ProgressReport, action: str, comment: str = "") -> None:
    """The notifications of one workflow step of a progress report (``collection.workflow.workflow_announce``):
    its reviewers are those who supervise the share, less whoever submitted it."""
    a = report.assignment
    name = f"{a.work_code} {a.unit_name} {report.period}"
    workflow_announce(
        action=action,
        subject=f"progressreport:{report.pk}",
        url=report.get_absolute_url(),
        org_unit=a.org_unit,
        reviewers=lambda: [u for u in supervisors_of(a) if u.pk != report.submitted_by_id],
        reporters=lambda: reporters_of(a),
        review_title=_("进展报告待审核：%(r)s") % {"r": name},
        returned_title=_("进展报告被退回：%(r)s") % {"r": name},
        comment=comment,
    )


def lights_daily(*, today: date | None = None) -> dict[str, int]:
    """The daily reminders: every open notice that is yellow (临近时限), and every milestone not met that is yellow
    or red for an assignment it binds, is announced to the units that answer it (once while it stays so)."""
    today = today or timezone.localdate()
    counts = {"notices_due": 0, "milestones_yellow": 0, "milestones_red": 0}
    notices = SupervisionNotice.objects.exclude(status__in=NOTICE_DONE).filter(deadline__gte=today)
    for notice in notices.select_related("plan", "assignment__org_unit", "assignment__responsible_unit"):
        if notice.status == NoticeStatus.ESCALATED or notice_light(notice, today) != Light.YELLOW:
            continue
        _notice(
            notice,
            K.NOTICE_DUE,
            _("督办单临近反馈时限（%(d)s）：%(n)s") % {"d": notice.deadline, "n": notice.number},
            reporters_of(notice.assignment),
        )
        counts["notices_due"] += 1
    milestones = list(
        Milestone.objects.filter(due__gte=today.replace(year=today.year - 1)).select_related("task__plan")
    )
    if not milestones:
        return counts
    assignments = list(
        Assignment.objects.filter(task_id__in={m.task_id for m in milestones}).select_related(
            "org_unit", "responsible_unit", "task", "subtask"
        )
    )
    met = set(
        ProgressReport.milestones_met.through.objects.filter(
            progressreport__status__in=("submitted", "approved"), milestone__in=milestones
        ).values_list("progressreport__assignment_id", "milestone_id")
    )
    for m in milestones:
        for a in assignments:
            if not binds(m, a):
                continue
            subject = f"milestone:{m.pk}:{a.pk}"
            state = milestone_light(m.task.plan, m.due, met=(a.pk, m.pk) in met, today=today)
            if state == Light.GREEN:
                if (a.pk, m.pk) in met:
                    notifications_done(subject=subject)
                continue
            kind = K.MILESTONE_RED if state == Light.RED else K.MILESTONE_YELLOW
            if state == Light.RED:
                notifications_done(subject=subject, kinds=[K.MILESTONE_YELLOW])
            title = _("阶段节点%(l)s：%(t)s（%(d)s，%(u)s）") % {
                "l": LightLabel(state.value).label,
                "t": m.title,
                "d": m.due,
                "u": a.unit_name,
            }
            made = notify(
                users=reporters_of(a),
                kind=kind,
                title=title,
                url=a.get_absolute_url(),
                subject=subject,
                org_unit=a.org_unit,
            )
            if made:
                counts["milestones_red" if state == Light.RED else "milestones_yellow"] += 1
    return counts
