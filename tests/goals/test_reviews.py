"""Experts' opinions on a draft verdict, through the review rules 标杆评选 uses (``registries.reviews``): a declared
conflict means no opinion, and an opinion given is withdrawn, with the reason, before a conflict is declared."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.goals.conftest import judge

from yangfan.audit.models import AuditEntry
from yangfan.goals.services import (
    goal_review_assign,
    goal_review_submit,
    goal_review_withdraw,
    goal_verdict_publish,
)


@pytest.fixture
def draft(people):
    return judge(people["baoji"], org="610300", reasoning="宝鸡市5G基站覆盖全部县城")


def test_an_expert_who_declared_a_conflict_cannot_give_an_opinion(db, people, draft):
    review = goal_review_assign(actor=people["baoji"], verdict=draft, reviewer=people["expert1"])
    with pytest.raises(ValidationError, match="请说明利益冲突"):
        goal_review_submit(actor=people["expert1"], review=review, conflict=True)
    goal_review_submit(
        actor=people["expert1"], review=review, conflict=True, conflict_note="曾参与该市规划编制"
    )
    with pytest.raises(ValidationError, match="不能再给出意见"):
        goal_review_submit(
            actor=people["expert1"], review=review, conflict=False, opinion="achieved", comment="好"
        )
    review.refresh_from_db()
    assert review.conflict and review.opinion == "" and review.conflict_note == "曾参与该市规划编制"


def test_an_expert_who_gave_an_opinion_declares_a_conflict_only_after_withdrawing_it_with_a_reason(
    db, people, draft
):
    expert = people["expert1"]
    review = goal_review_assign(actor=people["baoji"], verdict=draft, reviewer=expert)
    with pytest.raises(ValidationError, match="请选择您的评估意见"):
        goal_review_submit(actor=expert, review=review, conflict=False)
    goal_review_submit(actor=expert, review=review, conflict=False, opinion="largely", comment="覆盖较好")
    with pytest.raises(ValidationError, match="请先撤回意见"):
        goal_review_submit(actor=expert, review=review, conflict=True, conflict_note="发现系该市顾问")
    review.refresh_from_db()
    assert review.scored and review.opinion == "largely"  # the refused declaration changed nothing
    with pytest.raises(ValidationError, match="撤回意见的原因"):
        goal_review_withdraw(actor=expert, review=review, reason=" ")

    goal_review_withdraw(actor=expert, review=review, reason="提出意见后发现系该市顾问")
    review.refresh_from_db()
    assert not review.scored and review.submitted_at is None and review.opinion == ""
    trail = AuditEntry.objects.filter(action="withdraw").latest("seq")
    assert trail.detail == "提出意见后发现系该市顾问" and trail.changes["opinion"] == ["largely", None]

    goal_review_submit(actor=expert, review=review, conflict=True, conflict_note="系该市顾问")
    review.refresh_from_db()
    assert review.conflict and review.submitted_at
    with pytest.raises(ValidationError, match="没有可撤回的意见"):
        goal_review_withdraw(actor=expert, review=review, reason="再撤一次")


def test_only_the_assigned_expert_reviews_and_only_while_the_verdict_is_a_draft(db, people, draft):
    office, expert = people["baoji"], people["expert1"]
    with pytest.raises(ValidationError, match="不是评审专家"):
        goal_review_assign(actor=office, verdict=draft, reviewer=people["xian"])
    with pytest.raises(PermissionDenied):
        goal_review_assign(actor=people["xian"], verdict=draft, reviewer=expert)  # not the unit's office
    review = goal_review_assign(actor=office, verdict=draft, reviewer=expert)
    with pytest.raises(ValidationError, match="已分配"):
        goal_review_assign(actor=office, verdict=draft, reviewer=expert)
    before = AuditEntry.objects.filter(action="permission_denied").count()
    for someone in (people["expert2"], office):
        with pytest.raises(PermissionDenied):
            goal_review_submit(actor=someone, review=review, conflict=False, opinion="achieved")
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2
    goal_verdict_publish(actor=office, verdict=draft)
    with pytest.raises(ValidationError, match="不再征求意见"):
        goal_review_submit(actor=expert, review=review, conflict=False, opinion="achieved")
    with pytest.raises(ValidationError, match="不能再征求专家意见"):
        goal_review_assign(actor=office, verdict=draft, reviewer=people["expert2"])


def test_an_assigned_review_waits_in_the_expert_inbox_until_given(db, people, draft):
    from yangfan.notifications.models import Notification

    def waiting(user):
        return list(
            Notification.objects.filter(recipient=user, done_at__isnull=True).values_list("kind", flat=True)
        )

    review = goal_review_assign(actor=people["baoji"], verdict=draft, reviewer=people["expert1"])
    assert waiting(people["expert1"]) == ["review_assigned"]
    assert waiting(people["expert2"]) == []
    goal_review_submit(
        actor=people["expert1"], review=review, conflict=False, opinion="largely", comment="较好"
    )
    assert waiting(people["expert1"]) == []
