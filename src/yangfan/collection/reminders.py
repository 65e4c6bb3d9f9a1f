"""催报: reminders about reports that are due within days or overdue, in the app and by e-mail.

A background job (django-tasks on the application database, run by the worker ``yangfan serve`` starts)
runs once a day: for each data set it looks at the periods whose deadline falls between ``LOOKBACK_DAYS``
ago and ``DUE_WITHIN_DAYS`` ahead, finds the expected reports not yet submitted
(``completeness.reminder_rows``), and for each records an in-app reminder per responsible user (those who
may submit it: ``services.may_submit``); when an SMTP server is configured (``YANGFAN_SMTP_HOST``) it also
sends one e-mail per report to those of them with an address, at most once a day (``notifications.mail``).
Older gaps stay on the completeness page and its reminder list; the job does not nag about them every morning.
The open reminders are rows of the one inbox (待办) and of its count in the top bar (registered by the app's
``ready``: ``reminder_inbox_items``, ``open_reminder_count``).

The worker has no scheduler: each run enqueues the next one (``run_after`` tomorrow at ``RUN_AT_HOUR``), and
``yangfan serve`` enqueues a first run when none is pending (``reminders_schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.accounts.models import User
from yangfan.accounts.permissions import users_who_may
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.completeness import (
    CompletenessRow,
    completeness_rows,
    data_set_list,
    plan_periods,
)
from yangfan.collection.models import Reminder, Submission
from yangfan.collection.services import may_submit
from yangfan.jobs import next_run, schedule_daily
from yangfan.notifications.mail import email_enabled, email_send
from yangfan.notifications.selectors import InboxItem

DUE_WITHIN_DAYS = 3
LOOKBACK_DAYS = 366  # overdue reports older than this are on the completeness page, not in daily reminders


@dataclass
class ReminderReport:
    reports: int = 0  # due or overdue reports not submitted
    reminders: int = 0  # in-app reminders recorded or refreshed
    emails: int = 0
    email_failures: int = 0
    resolved: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "reports": self.reports,
            "reminders": self.reminders,
            "emails": self.emails,
            "email_failures": self.email_failures,
            "resolved": self.resolved,
        }


def due_rows(*, today: date) -> list[CompletenessRow]:
    """Expected reports not submitted whose deadline is at most ``DUE_WITHIN_DAYS`` ahead and at most
    ``LOOKBACK_DAYS`` behind (only periods that have ended: nobody reports a month before it is over)."""
    rows = []
    for data_set in data_set_list():
        for period in plan_periods(data_set):
            if period.end >= today:
                continue
            due = period.end + timedelta(days=data_set.deadline_days)
            if (due - today).days > DUE_WITHIN_DAYS:
                continue
            if (today - due).days > LOOKBACK_DAYS:
                break  # newest first: every earlier period is older still
            rows.extend(
                row
                for row in completeness_rows(data_set=data_set, period=period, today=today)
                if row.outstanding
            )
    return rows


def responsible_users(row: CompletenessRow, candidates: list[User] | None = None) -> list[User]:
    """Who is reminded about ``row``: every active user who may submit that report."""
    if candidates is None:
        candidates = reminder_candidates()
    probe = Submission(data_set=row.data_set, org_unit=row.org_unit, period=row.period, operator=row.operator)
    return [user for user in candidates if may_submit(user, probe)]


def reminder_candidates() -> list[User]:
    """Users whose role submits reports (the scope decides which reports are theirs)."""
    return list(
        users_who_may("data.submit").select_related("responsible_unit", "operator").order_by("username")
    )


def reminders_run(*, today: date | None = None) -> ReminderReport:
    """Record (or refresh) the reminders of ``today``, send the e-mails, and resolve reminders whose report has
    been submitted since."""
    today = today or timezone.localdate()
    report = ReminderReport()
    candidates = reminder_candidates()
    open_keys: set[int] = set()
    for row in due_rows(today=today):
        report.reports += 1
        users = responsible_users(row, candidates)
        recipients = []
        with transaction.atomic():
            for user in users:
                reminder, _created = Reminder.objects.update_or_create(
                    user=user,
                    data_set=row.data_set,
                    org_unit=row.org_unit,
                    period=row.period,
                    operator=row.operator,
                    defaults={"deadline": row.deadline, "reminded_on": today, "resolved_at": None},
                )
                open_keys.add(reminder.pk)
                report.reminders += 1
                if user.email and reminder.emailed_on != today:
                    recipients.append((reminder, user.email))
        if recipients and email_enabled():
            if not _email(row, [address for _r, address in recipients], today):
                # the in-app reminders stand; try again tomorrow (the failure is logged by email_send)
                report.email_failures += 1
                continue
            Reminder.objects.filter(pk__in=[r.pk for r, _a in recipients]).update(emailed_on=today)
            report.emails += 1
    report.resolved = _resolve(exclude=open_keys)
    return report


def _email(row: CompletenessRow, addresses: list[str], today: date) -> bool:
    what = f"{row.data_set.name} · {row.org_unit.name}" + (f" · {row.operator.name}" if row.operator else "")
    if row.deadline < today:
        state = _("已逾期 %(days)d 天") % {"days": (today - row.deadline).days}
    else:
        state = _("将于 %(days)d 天后截止") % {"days": (row.deadline - today).days}
    subject = _("【扬帆】催报：%(what)s %(period)s（%(state)s）") % {
        "what": what,
        "period": row.period,
        "state": state,
    }
    body = _(
        "您好：\n\n%(what)s %(period)s 的报送截止日期为 %(deadline)s，目前状态为“%(status)s”，%(state)s。\n"
        "请登录扬帆平台（数据报送）完成填报并报送。\n\n此邮件由系统自动发送，请勿回复。"
    ) % {
        "what": what,
        "period": row.period,
        "deadline": row.deadline.isoformat(),
        "status": row.status_label,
        "state": state,
    }
    return email_send(subject=subject, body=body, to=addresses)


def _resolve(*, exclude: set[int]) -> int:
    """Mark open reminders whose report is now submitted (or approved) as resolved."""
    resolved = [
        r.pk for r in Reminder.objects.filter(resolved_at__isnull=True).exclude(pk__in=exclude) if _done(r)
    ]
    return Reminder.objects.filter(pk__in=resolved).update(resolved_at=timezone.now())


def _done(reminder: Reminder) -> bool:
    return Submission.objects.filter(
        data_set_id=reminder.data_set_id,
        org_unit_id=reminder.org_unit_id,
        period=reminder.period,
        operator_id=reminder.operator_id,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    ).exists()


def open_reminders(user) -> list[Reminder]:
    """The user's reminders whose report is still not submitted (checked now, not at the last run)."""
    if not getattr(user, "is_authenticated", False):
        return []
    reminders = list(
        Reminder.objects.filter(user=user, resolved_at__isnull=True).select_related(
            "data_set", "org_unit", "operator"
        )
    )
    if not reminders:
        return []
    done = set(
        Submission.objects.filter(
            data_set__in={r.data_set_id for r in reminders},
            period__in={r.period for r in reminders},
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("data_set_id", "org_unit_id", "period", "operator_id")
    )
    return [r for r in reminders if (r.data_set_id, r.org_unit_id, r.period, r.operator_id) not in done]


# --- in the inbox (待办) -----------------------------------------------------------------------------------------


def open_reminder_count(user) -> int:
    """How many of :func:`open_reminders` there are, in one query (the count in the top bar)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    submitted = Submission.objects.annotate(operator_key=Coalesce("operator_id", Value(0))).filter(
        data_set_id=OuterRef("data_set_id"),
        org_unit_id=OuterRef("org_unit_id"),
        period=OuterRef("period"),
        operator_key=Coalesce(OuterRef("operator_id"), Value(0)),
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    )
    return Reminder.objects.filter(user=user, resolved_at__isnull=True).exclude(Exists(submitted)).count()


def reminder_inbox_items(user) -> list[InboxItem]:
    """The open reminders as rows of the inbox, by deadline, each linking to its report's entry grid."""
    today = timezone.localdate()
    items = []
    for r in open_reminders(user):
        what = f"{r.data_set.name} · {r.period}" + (f" · {r.operator.name}" if r.operator_id else "")
        kwargs = {"data_set": r.data_set.code, "org": r.org_unit.code, "period": r.period}
        url = reverse("collection:entry", kwargs=kwargs)
        if r.operator_id:
            url += "?" + urlencode({"operator": r.operator.code})
        items.append(
            InboxItem(
                kind=_("催报"),
                title=what,
                url=url,
                org_unit=r.org_unit.name,
                at=r.reminded_on,
                deadline=r.deadline,
                overdue=r.deadline < today,
            )
        )
    return items


# --- the daily job ------------------------------------------------------------------------------------------


@task()
def reminders_daily(today: str | None = None) -> dict[str, int]:
    """The background job: today's reminders, then the next run tomorrow morning."""
    try:
        return reminders_run(today=date.fromisoformat(today) if today else None).as_dict()
    finally:
        reminders_schedule(run_after=next_run())


def reminders_schedule(*, run_after: datetime | None = None) -> bool:
    """Enqueue a run of the daily reminders unless one is already waiting (``jobs.schedule_daily``)."""
    return schedule_daily(reminders_daily, run_after=run_after)
