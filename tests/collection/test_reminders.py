"""催报 and 待办: the daily job records in-app reminders for the responsible users, e-mails one message per due
report when SMTP is configured, schedules its next run; the inbox shows each user what waits for them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yangfan.actionplans.models import DataSet, Operator
from yangfan.collection import reminders
from yangfan.collection.models import Reminder
from yangfan.collection.reminders import (
    due_rows,
    next_run,
    open_reminders,
    reminders_daily,
    reminders_run,
    reminders_schedule,
)
from yangfan.collection.services import submission_act, submission_open
from yangfan.notifications import mail as mail_helpers
from yangfan.orgunits.models import OrgUnit

# With a 30-day look-back, on 2024-01-08 these are due: 地市季报 2023Q4 (due 2024-01-10, in 2 days) for the
# 11 cities, 运营商月报 202311 (due 2023-12-15) for 11 cities × 4 operators, 通信业月报 202311 (due 2023-12-20).
TODAY = date(2024, 1, 8)
SMTP = {"EMAIL_HOST": "smtp.example.org"}
NO_SMTP = {"EMAIL_HOST": ""}


@pytest.fixture(autouse=True)
def short_lookback(monkeypatch):
    monkeypatch.setattr(reminders, "LOOKBACK_DAYS", 30)


def unit(code):
    return OrgUnit.objects.get(code=code)


def data_set(code):
    return DataSet.objects.get(code=code)


@pytest.fixture
def people(make_user):
    """西安's reporter and 中国移动's reporter have e-mail addresses; 宝鸡's reviewer has none."""
    return {
        "xian": with_email(make_user("city-reporter"), "xian@example.org"),
        "cmcc": with_email(make_user("operator"), "cmcc@example.org"),
        "baoji": make_user("city-reviewer"),
        "province": with_email(make_user("province"), "office@example.org"),
    }


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_due_reports_are_those_due_within_three_days_or_overdue(db):
    rows = due_rows(today=TODAY)
    assert {(r.data_set.code, r.period) for r in rows} == {
        ("city-quarterly", "2023Q4"),
        ("operator-monthly", "202311"),
        ("txglj-monthly", "202311"),
    }
    assert len(rows) == 11 + 44 + 1
    assert not {r.period for r in due_rows(today=date(2024, 1, 6))} & {"2023Q4"}  # 4 days ahead: not yet


@override_settings(**SMTP)
def test_one_reminder_per_responsible_user_and_one_email_per_due_report(people):
    report = reminders_run(today=TODAY)
    assert report.reports == 56
    mine = lambda who: Reminder.objects.filter(user=people[who])  # noqa: E731
    assert [(r.data_set.code, r.org_unit.code, r.period) for r in mine("xian")] == [
        ("city-quarterly", "610100", "2023Q4")
    ]
    assert mine("cmcc").count() == 11 and {r.operator.code for r in mine("cmcc")} == {"cmcc"}
    assert mine("baoji").count() == 1  # in the app, though without an address
    assert not mine("province").exists()  # the office chases; it is not reminded
    # an e-mail for each due report with a responsible address: 西安's quarterly and 中国移动's 11 cities
    assert len(mail.outbox) == 12
    xian = next(m for m in mail.outbox if m.to == ["xian@example.org"])
    assert "地市5G发展季报" in xian.subject and "西安市" in xian.subject and "2 天后截止" in xian.subject
    assert "2024-01-10" in xian.body
    overdue = next(m for m in mail.outbox if m.to == ["cmcc@example.org"])
    assert "已逾期 24 天" in overdue.subject

    again = reminders_run(today=TODAY)  # a second run the same day sends nothing twice
    assert len(mail.outbox) == 12 and again.emails == 0
    assert Reminder.objects.count() == report.reminders
    reminders_run(today=TODAY + timedelta(days=1))  # the next morning: the reminders come again
    assert len(mail.outbox) == 24


@override_settings(**SMTP)
def test_a_failing_mail_server_leaves_the_reminders_in_the_app(people, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp.example.org:25")

    monkeypatch.setattr(mail_helpers.EmailMessage, "send", refuse)
    report = reminders_run(today=TODAY)
    assert (report.emails, report.email_failures) == (0, 12)
    assert Reminder.objects.filter(user=people["cmcc"], emailed_on__isnull=True).count() == 11


@override_settings(**NO_SMTP)
def test_without_smtp_reminders_stay_in_the_app(people):
    report = reminders_run(today=TODAY)
    assert report.emails == 0 and mail.outbox == []
    assert Reminder.objects.filter(user=people["xian"]).count() == 1


@override_settings(**SMTP)
def test_a_submitted_report_is_not_reminded_and_its_reminder_resolves(people):
    reminders_run(today=TODAY)
    xian_q4 = submission_open(data_set=data_set("city-quarterly"), org_unit=unit("610100"), period="2023Q4")
    assert len(open_reminders(people["xian"])) == 1
    submission_act(actor=people["xian"], submission=xian_q4, action="submit")
    assert open_reminders(people["xian"]) == []  # at once, before the next run
    mail.outbox.clear()
    report = reminders_run(today=TODAY + timedelta(days=1))
    assert report.resolved == 1 and len(mail.outbox) == 11  # 中国移动's only
    assert Reminder.objects.get(user=people["xian"]).resolved_at is not None


def test_the_navigation_counts_open_reminders(people, client):
    reminders_run(today=TODAY)
    client.force_login(people["cmcc"])
    response = client.get(reverse("portal:home"))
    assert response.context["inbox_count"] == 11
    assert "11 项待办" in response.content.decode()  # the badge in the top bar, linking to the inbox
    inbox = client.get(reverse("collection:inbox")).content.decode()
    assert "催报提醒（11）" in inbox and "运营商5G发展月报" in inbox
    assert len(client.get(reverse("notifications:inbox")).context["items"]) == 11  # the one inbox lists them


# --- the job and its schedule ----------------------------------------------------------------------------------


def pending():
    return DBTaskResult.objects.filter(task_path=reminders_daily.module_path, status=TaskResultStatus.READY)


def test_serve_enqueues_a_first_run_once(db):
    assert reminders_schedule() is True
    assert reminders_schedule() is False  # one is waiting already: serving again adds none
    assert pending().count() == 1


def test_each_run_schedules_the_next_for_tomorrow_morning(people):
    result = reminders_daily.call(today=TODAY.isoformat())
    assert result["reports"] == 56 and result["reminders"] == Reminder.objects.count()
    [job] = pending()
    assert job.run_after == next_run()
    assert timezone.localtime(job.run_after).time() == time(8)
    assert timezone.localtime(job.run_after).date() == timezone.localdate() + timedelta(days=1)
    reminders_daily.call(today=TODAY.isoformat())
    assert pending().count() == 1


def test_next_run_is_tomorrow_at_eight_local_time():
    late_evening = timezone.make_aware(datetime(2024, 1, 8, 23, 30))
    assert timezone.localtime(next_run(late_evening)) == timezone.make_aware(datetime(2024, 1, 9, 8))


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_the_job_runs_synchronously_on_the_immediate_backend(people):
    result = reminders_daily.enqueue(today=TODAY.isoformat())
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert Reminder.objects.filter(user=people["cmcc"]).count() == 11
    assert reminders_schedule() is False  # nothing to defer to: no endless chain of runs


# --- the inbox -------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(people, make_user):
    """西安's quarterly report and 渭滨区's (a county of 宝鸡) yearly population report, both submitted."""
    xian = submission_open(data_set=data_set("city-quarterly"), org_unit=unit("610100"), period="2023Q4")
    submission_act(actor=people["xian"], submission=xian, action="submit")
    weibin_reviewer = make_user("city-reviewer", username="weibin", capture_org_units=[unit("610302")])
    weibin = submission_open(data_set=data_set("population-yearly"), org_unit=unit("610302"), period="2023")
    submission_act(actor=weibin_reviewer, submission=weibin, action="submit")
    cmcc = submission_open(
        data_set=data_set("operator-monthly"),
        org_unit=unit("610100"),
        period="202312",
        operator=Operator.objects.get(code="cmcc"),
    )
    submission_act(actor=people["cmcc"], submission=cmcc, action="submit")
    return {"xian": xian, "weibin": weibin, "cmcc": cmcc, "weibin_reviewer": weibin_reviewer}


def inbox(client, user):
    client.force_login(user)
    response = client.get(reverse("collection:inbox"))
    assert response.status_code == 200
    return response


def waiting(response):
    return [s.pk for s in response.context["to_review"]]


def test_the_inbox_shows_only_what_the_user_may_review(people, submitted, client):
    s = submitted
    assert waiting(inbox(client, people["province"])) == [s["xian"].pk, s["weibin"].pk, s["cmcc"].pk]
    assert waiting(inbox(client, people["baoji"])) == [s["weibin"].pk]  # its county, one level down
    assert waiting(inbox(client, people["xian"])) == []
    assert waiting(inbox(client, people["cmcc"])) == []
    assert waiting(inbox(client, s["weibin_reviewer"])) == []  # never its own report


def test_the_inbox_lists_the_oldest_submission_first(people, submitted, client):
    from yangfan.collection.models import Submission

    Submission.objects.filter(pk=submitted["cmcc"].pk).update(submitted_at=timezone.now() - timedelta(days=3))
    assert waiting(inbox(client, people["province"]))[0] == submitted["cmcc"].pk


def test_a_returned_report_waits_for_its_reporter(people, submitted, client):
    submission_act(
        actor=people["province"], submission=submitted["xian"], action="return", comment="长安区基站数有误"
    )
    response = inbox(client, people["xian"])
    assert [s.pk for s in response.context["returned"]] == [submitted["xian"].pk]
    assert "长安区基站数有误" in response.content.decode()
    assert submitted["xian"].pk not in waiting(inbox(client, people["province"]))
    assert [s.pk for s in inbox(client, people["baoji"]).context["returned"]] == []


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_roles_without_data_have_no_inbox(client_for, role):
    assert client_for(role).get(reverse("collection:inbox")).status_code == 403
