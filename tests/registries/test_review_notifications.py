"""An assigned review waits in the expert's inbox (「评审任务」) until it is submitted or the call is published; a
withdrawn score puts it there again."""

from __future__ import annotations

from datetime import date

import pytest

from yangfan.actionplans.models import Sector
from yangfan.notifications.models import Notification
from yangfan.orgunits.models import OrgUnit
from yangfan.registries import selection
from yangfan.registries.models import ApplicationCase
from yangfan.registries.services import entry_save

CRITERIA = [{"name": "创新性", "max": 50}, {"name": "应用成效", "max": 50}]
SCORES = {"创新性": 40, "应用成效": 45}


@pytest.fixture
def call(make_user):
    """A call of 智慧电力 under review, with 渭滨区's (宝鸡) case applying."""
    office = make_user("province")
    power = Sector.objects.get(code="smart-power")
    call = selection.call_create(
        actor=office,
        sector=power,
        year=2023,
        title="",
        criteria=CRITERIA,
        opens_on=date(2023, 3, 1),
        closes_on=date(2023, 4, 30),
    )
    selection.call_move(actor=office, call=call)
    case = entry_save(
        actor=office,
        entry=ApplicationCase(
            org_unit=OrgUnit.objects.get(code="610302"),
            name="配网差动保护",
            sector=power,
            enterprise="某电力公司",
            network_form="public",
            stage="production",
            started_on=date(2022, 3, 1),
        ),
    )
    application = selection.application_submit(actor=office, call=call, case=case)
    selection.call_move(actor=office, call=call)
    return {"office": office, "call": call, "application": application}


def open_tasks(user):
    return list(Notification.objects.filter(recipient=user, kind="review_assigned", done_at__isnull=True))


def test_an_assigned_review_waits_for_its_expert_until_submitted(make_user, call):
    expert, other = make_user("expert", username="expert-1"), make_user("expert", username="expert-2")
    review = selection.reviewer_assign(actor=call["office"], application=call["application"], reviewer=expert)
    [task] = open_tasks(expert)
    assert task.title == "评审任务：2023年度智慧电力5G应用标杆评选 · 配网差动保护"
    assert task.url == review.get_absolute_url() and task.org_unit.code == "610302"
    assert open_tasks(other) == []

    selection.review_submit(actor=expert, review=review, conflict=False, scores=SCORES)
    assert open_tasks(expert) == []
    selection.review_withdraw(actor=expert, review=review, reason="发现与申报单位存在合作关系")
    [again] = open_tasks(expert)  # pending again: to score anew or to declare the conflict
    assert again.title.startswith("重新评审：")
    selection.review_submit(actor=expert, review=review, conflict=True, conflict_note="曾参与该项目建设")
    assert open_tasks(expert) == []


def test_publishing_the_call_closes_the_reviews_left_pending(make_user, call):
    scorer, idle = make_user("expert", username="expert-1"), make_user("expert", username="expert-2")
    scored = selection.reviewer_assign(actor=call["office"], application=call["application"], reviewer=scorer)
    selection.reviewer_assign(actor=call["office"], application=call["application"], reviewer=idle)
    selection.review_submit(actor=scorer, review=scored, conflict=False, scores=SCORES)
    assert len(open_tasks(idle)) == 1
    selection.call_publish(
        actor=call["office"],
        call=call["call"],
        selected=[call["application"]],
        published_on=date(2023, 6, 15),
    )
    assert open_tasks(idle) == []
