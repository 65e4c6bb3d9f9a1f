"""The workflow tells who must act next: a submitted report waits for everyone who may review it, a returned one for
everyone who may submit it; approving, withdrawing or submitting again closes what no longer waits."""

from __future__ import annotations

import pytest

from yangfan.actionplans.models import DataSet
from yangfan.collection.services import submission_act, submission_open
from yangfan.notifications.models import Notification
from yangfan.orgunits.models import OrgUnit


def unit(code):
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def people(make_user):
    """宝鸡's reviewer and office (ROLE_USERS), 渭滨区's reviewer, two provincial officers, 西安's reporter."""
    return {
        "baoji": make_user("city-reviewer"),
        "baoji_office": make_user("city-office"),
        "weibin": make_user("city-reviewer", username="weibin", capture_org_units=[unit("610302")]),
        "office": make_user("province"),
        "office2": make_user("province", username="office-2"),
        "xian": make_user("city-reporter"),
    }


def waiting(kind, subject):
    return sorted(
        Notification.objects.filter(kind=kind, subject=subject, done_at__isnull=True).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.fixture
def weibin_report(people):
    """渭滨区's (a county of 宝鸡) yearly population report: reviewed by 宝鸡 and by the province."""
    return submission_open(
        data_set=DataSet.objects.get(code="population-yearly"), org_unit=unit("610302"), period="2023"
    )


def test_a_submitted_report_waits_for_everyone_who_may_review_it(people, weibin_report):
    submission_act(actor=people["weibin"], submission=weibin_report, action="submit")
    subject = f"submission:{weibin_report.pk}"
    # one level up: 宝鸡's reviewer and office, and the provincial office; never 渭滨区 itself nor 西安
    assert waiting("review_pending", subject) == [
        "office-2",
        "u-city-office",
        "u-city-reviewer",
        "u-province",
    ]
    notification = Notification.objects.filter(subject=subject).first()
    assert (
        notification.org_unit.code == "610302"
        and notification.url == f"/collection/submissions/{weibin_report.pk}/"
    )
    assert "人口" in notification.title and "渭滨区" in notification.title

    submission_act(actor=people["baoji"], submission=weibin_report, action="approve")
    assert waiting("review_pending", subject) == []  # closed for every reviewer, not only for who approved


def test_a_returned_report_waits_for_its_reporters_with_the_reason(people, weibin_report):
    subject = f"submission:{weibin_report.pk}"
    submission_act(actor=people["weibin"], submission=weibin_report, action="submit")
    submission_act(
        actor=people["office"], submission=weibin_report, action="return", comment="常住人口与公报不符"
    )
    assert waiting("review_pending", subject) == []
    # who may submit it: 渭滨区's reviewer, and 宝鸡's, whose capture scope covers its counties
    assert waiting("report_returned", subject) == ["u-city-reviewer", "weibin"]
    returned = Notification.objects.get(kind="report_returned", subject=subject, recipient=people["weibin"])
    assert returned.title.startswith("报送被退回：") and returned.detail == "常住人口与公报不符"

    # corrected and sent again
    submission_act(actor=people["weibin"], submission=weibin_report, action="submit")
    assert waiting("report_returned", subject) == []
    assert len(waiting("review_pending", subject)) == 4


def test_a_withdrawn_report_no_longer_waits_for_review(people, weibin_report):
    submission_act(actor=people["weibin"], submission=weibin_report, action="submit")
    submission_act(actor=people["weibin"], submission=weibin_report, action="withdraw")
    assert waiting("review_pending", f"submission:{weibin_report.pk}") == []


def test_an_unlocked_report_waits_for_its_reporters_again(people, weibin_report):
    submission_act(actor=people["weibin"], submission=weibin_report, action="submit")
    submission_act(actor=people["baoji"], submission=weibin_report, action="approve")
    submission_act(actor=people["office"], submission=weibin_report, action="unlock", comment="统计局更正")
    unlocked = Notification.objects.filter(kind="report_returned", done_at__isnull=True)
    assert {n.recipient.username for n in unlocked} == {"u-city-reviewer", "weibin"}
    assert all(n.title.startswith("报送被解锁退回：") and n.detail == "统计局更正" for n in unlocked)
