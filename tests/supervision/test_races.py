"""Supervision's steps lock the row they decide on (ADR 0017): a step taken on a progress report or a notice as it
was read, after another user's step changed it, is refused with ``Conflict`` and changes nothing. (The concurrent
race itself, with threads, is ``bench/races.py``'s, on the workflow these reports share with data reports.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.supervision.test_services import assignment

from yangfan.audit.conflicts import Conflict
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus as S
from yangfan.supervision import services
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.models import ProgressEvent, ProgressReport, SupervisionNotice


@pytest.fixture
def people(make_user):
    return {
        "gxt": make_user("department"),  # 省工信厅
        "first": make_user("province", username="first"),
        "second": make_user("province", username="second"),
    }


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def submitted_report(gxt) -> ProgressReport:
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    services.progress_report_save(
        actor=gxt, report=report, progress="in_progress", percent=50, narrative="推进中"
    )
    services.progress_report_act(actor=gxt, report=report, action="submit")
    return report


def test_a_review_of_a_progress_report_reviewed_meanwhile_is_refused(db, people):
    report = submitted_report(people["gxt"])
    seen = ProgressReport.objects.get(pk=report.pk)
    services.progress_report_act(
        actor=people["first"], report=ProgressReport.objects.get(pk=report.pk), action="approve"
    )
    with pytest.raises(Conflict) as refused:
        services.progress_report_act(actor=people["second"], report=seen, action="return", comment="请补充")
    assert refused.value.status == S.APPROVED
    assert ProgressReport.objects.get(pk=report.pk).status == S.APPROVED
    assert list(ProgressEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit",
        "approve",
    ]


def test_a_draft_saved_after_it_was_submitted_elsewhere_is_refused(db, people):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    services.progress_report_save(
        actor=people["gxt"], report=report, progress="in_progress", percent=50, narrative="推进中"
    )
    seen = ProgressReport.objects.get(pk=report.pk)  # the edit page, still open
    services.progress_report_act(actor=people["gxt"], report=report, action="submit")
    with pytest.raises(Conflict, match="已报送"):
        services.progress_report_save(
            actor=people["gxt"], report=seen, progress="done", percent=100, narrative="完成"
        )
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.status, stored.percent, stored.narrative) == (S.SUBMITTED, 50, "推进中")


@pytest.fixture
def answered(db, people, make_user):
    notice = services.notice_issue(
        actor=people["first"],
        assignment=assignment(),
        title="督办",
        issue="滞后",
        required_action="整改",
        deadline=date.today() + timedelta(days=10),
    )
    services.notice_answer(actor=people["gxt"], notice=notice, text="已整改")
    return SupervisionNotice.objects.get(pk=notice.pk)


def test_a_notice_closed_by_two_officers_at_once_is_closed_once(db, people, answered):
    seen = SupervisionNotice.objects.get(pk=answered.pk)
    services.notice_close(actor=people["first"], notice=answered, comment="同意办结")
    with pytest.raises(Conflict) as refused:
        services.notice_close(actor=people["second"], notice=seen, comment="也同意")
    assert refused.value.status == NoticeStatus.CLOSED
    stored = SupervisionNotice.objects.get(pk=answered.pk)
    assert (stored.closed_by.username, stored.closing_comment) == ("first", "同意办结")
    closes = AuditEntry.objects.filter(
        object_type="supervision.supervisionnotice", changes__status__1="closed"
    )
    assert closes.count() == 1


def test_an_answer_to_a_notice_closed_meanwhile_does_not_reopen_it(db, people, answered):
    seen = SupervisionNotice.objects.get(pk=answered.pk)
    services.notice_close(actor=people["first"], notice=answered)
    with pytest.raises(Conflict, match="已办结"):
        services.notice_answer(actor=people["gxt"], notice=seen, text="补充反馈")
    stored = SupervisionNotice.objects.get(pk=answered.pk)
    assert stored.status == NoticeStatus.CLOSED and stored.answers.count() == 1
