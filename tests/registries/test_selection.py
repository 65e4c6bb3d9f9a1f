"""标杆评选 from call to published benchmarks with two reviewers: each reviewer sees only what is assigned to
them, a declared conflict means no score, and what is published counts in A7 from its date."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as

from yangfan.actionplans.models import Sector
from yangfan.orgunits.models import OrgUnit
from yangfan.registries import selection
from yangfan.registries.models import ApplicationCase, Benchmark
from yangfan.registries.services import entry_save

CRITERIA = [
    {"name": "创新性", "max": 30},
    {"name": "应用成效", "max": 40},
    {"name": "可复制推广性", "max": 30},
]


def case(actor, name, org="610100", sector="smart-power"):
    return entry_save(
        actor=actor,
        entry=ApplicationCase(
            org_unit=OrgUnit.objects.get(code=org),
            name=name,
            sector=Sector.objects.get(code=sector),
            enterprise="某电力公司",
            network_form="public",
            stage="production",
            started_on=date(2022, 3, 1),
        ),
    )


def a7_power(period: str):
    """Benchmarks of 智慧电力 as the engine counts them (A7 takes the smallest key industry)."""
    from yangfan.core.periods import Period
    from yangfan.datavalues.indicators import core_plans
    from yangfan.registries.counts import registry_counter

    plan = next(iter(core_plans().values()))
    return registry_counter(plan)("benchmark", "610000", Period.parse(period), "smart-power")


@pytest.fixture
def people(make_user):
    return {
        "province": make_user("province"),
        "xian": make_user("city-reporter"),
        "expert1": make_user("expert", username="expert-1"),
        "expert2": make_user("expert", username="expert-2"),
        "viewer": make_user("viewer"),
    }


def test_a_call_runs_from_applications_to_published_benchmarks(db, people):
    p, xian, e1, e2 = people["province"], people["xian"], people["expert1"], people["expert2"]
    power = Sector.objects.get(code="smart-power")
    call = selection.call_create(
        actor=p,
        sector=power,
        year=2023,
        title="",
        criteria=CRITERIA,
        opens_on=date(2023, 3, 1),
        closes_on=date(2023, 4, 30),
    )
    assert call.title == "2023年度智慧电力5G应用标杆评选" and call.full_marks == 100
    first, second = case(p, "配网差动保护"), case(p, "变电站巡检")
    with pytest.raises(ValidationError, match="不接受申报"):
        selection.application_submit(actor=xian, call=call, case=first)
    selection.call_move(actor=p, call=call)
    a = selection.application_submit(actor=xian, call=call, case=first, statement="效果显著")
    b = selection.application_submit(actor=p, call=call, case=second)
    with pytest.raises(ValidationError, match="智慧电力"):
        selection.application_submit(actor=p, call=call, case=case(p, "智慧矿山", sector="smart-mining"))
    selection.call_move(actor=p, call=call)  # closed: under review
    r1a = selection.reviewer_assign(actor=p, application=a, reviewer=e1)
    r2a = selection.reviewer_assign(actor=p, application=a, reviewer=e2)
    r1b = selection.reviewer_assign(actor=p, application=b, reviewer=e1)
    r2b = selection.reviewer_assign(actor=p, application=b, reviewer=e2)
    with pytest.raises(ValidationError, match="不是评审专家"):
        selection.reviewer_assign(actor=p, application=a, reviewer=people["viewer"])
    score = {"创新性": 25, "应用成效": 35, "可复制推广性": 20}
    selection.review_submit(actor=e1, review=r1a, conflict=False, scores=score)
    selection.review_submit(
        actor=e2, review=r2a, conflict=False, scores={"创新性": 27, "应用成效": 38, "可复制推广性": 25}
    )
    selection.review_submit(
        actor=e1, review=r1b, conflict=False, scores={"创新性": 10, "应用成效": 20, "可复制推广性": 10}
    )
    with pytest.raises(ValidationError, match="说明"):
        selection.review_submit(actor=e2, review=r2b, conflict=True)
    selection.review_submit(actor=e2, review=r2b, conflict=True, conflict_note="曾参与该项目建设")
    with pytest.raises(PermissionDenied):
        selection.review_submit(actor=e2, review=r1a, conflict=False, scores=score)  # not theirs
    with pytest.raises(ValidationError, match="0 到 40"):
        selection.review_submit(actor=e1, review=r1b, conflict=False, scores={**score, "应用成效": 41})
    results = selection.call_results(call)
    assert [(r.application.case.name, r.mean, r.reviews, r.recused) for r in results] == [
        ("配网差动保护", 85, 2, 0),  # (80 + 90) / 2
        ("变电站巡检", 40, 1, 1),  # expert 2 recused
    ]
    assert a7_power("2023Q4") == 0
    selection.call_publish(
        actor=p, call=call, selected=[a], published_on=date(2023, 6, 15), document="演示公布文件"
    )
    assert call.status == "published"
    assert Benchmark.objects.get().case == first
    assert a7_power("2023Q2") == 1 and a7_power("2023Q1") == 0  # counts from its publication
    with pytest.raises(ValidationError):
        selection.review_submit(actor=e1, review=r1b, conflict=False, scores=score)  # published: closed


def test_an_expert_sees_only_the_applications_assigned_to_them(db, people):
    p, e1, e2 = people["province"], people["expert1"], people["expert2"]
    call = selection.call_create(
        actor=p,
        sector=Sector.objects.get(code="smart-power"),
        year=2022,
        title="",
        criteria=CRITERIA,
        opens_on=date(2022, 3, 1),
        closes_on=date(2022, 4, 30),
    )
    selection.call_move(actor=p, call=call)
    application = selection.application_submit(actor=p, call=call, case=case(p, "配网差动保护"))
    selection.call_move(actor=p, call=call)
    mine = selection.reviewer_assign(actor=p, application=application, reviewer=e1)
    one, two = login_as(Client(), e1), login_as(Client(), e2)
    assert "配网差动保护" in one.get(reverse("registries:reviews")).content.decode()
    assert "配网差动保护" not in two.get(reverse("registries:reviews")).content.decode()
    assert one.get(mine.get_absolute_url()).status_code == 200
    assert two.get(mine.get_absolute_url()).status_code == 403
    assert (
        two.get(reverse("registries:list", kwargs={"slug": "cases"})).status_code == 403
    )  # no registry access
    response = one.post(
        mine.get_absolute_url(),
        {
            "conflict": "no",
            "score:创新性": "20",
            "score:应用成效": "30",
            "score:可复制推广性": "20",
            "comment": "好",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.total == 70 and mine.comment == "好"


def test_only_the_office_runs_a_call(db, people):
    with pytest.raises(PermissionDenied):
        selection.call_create(
            actor=people["xian"],
            sector=Sector.objects.get(code="smart-power"),
            year=2023,
            title="",
            criteria=CRITERIA,
            opens_on=date(2023, 1, 1),
            closes_on=date(2023, 2, 1),
        )
    client = login_as(Client(), people["province"])
    response = client.post(
        reverse("registries:calls"),
        {
            "sector": "smart-power",
            "year": "2023",
            "criteria": "创新性 50\n应用成效 50",
            "opens_on": "2023-03-01",
            "closes_on": "2023-04-01",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2023年度智慧电力5G应用标杆评选" in page and "满分 100" in page


SCORES = {"创新性": 25, "应用成效": 35, "可复制推广性": 20}


@pytest.fixture
def under_review(people):
    """A call under review with one application, assigned to both experts: ``(call, review of expert 1, review of
    expert 2)``."""
    p = people["province"]
    call = selection.call_create(
        actor=p,
        sector=Sector.objects.get(code="smart-power"),
        year=2023,
        title="",
        criteria=CRITERIA,
        opens_on=date(2023, 3, 1),
        closes_on=date(2023, 4, 30),
    )
    selection.call_move(actor=p, call=call)
    application = selection.application_submit(actor=p, call=call, case=case(p, "配网差动保护"))
    selection.call_move(actor=p, call=call)
    return (
        call,
        selection.reviewer_assign(actor=p, application=application, reviewer=people["expert1"]),
        selection.reviewer_assign(actor=p, application=application, reviewer=people["expert2"]),
    )


def test_an_expert_who_scored_declares_a_conflict_only_after_withdrawing_the_score_with_a_reason(
    db, people, under_review
):
    from yangfan.audit.models import AuditEntry

    call, review, _other = under_review
    e1 = people["expert1"]
    selection.review_submit(actor=e1, review=review, conflict=False, scores=SCORES)
    with pytest.raises(ValidationError, match="请先撤回评分"):
        selection.review_submit(actor=e1, review=review, conflict=True, conflict_note="系该企业顾问")
    review.refresh_from_db()
    assert review.scored and review.total == 80  # the refused declaration changed nothing
    with pytest.raises(ValidationError, match="撤回评分的原因"):
        selection.review_withdraw(actor=e1, review=review, reason="  ")

    selection.review_withdraw(actor=e1, review=review, reason="评分后发现曾为该企业提供咨询")
    review.refresh_from_db()
    assert not review.scored and review.submitted_at is None and review.scores == {}
    entry = AuditEntry.objects.filter(action="withdraw").latest("seq")
    assert entry.detail == "评分后发现曾为该企业提供咨询"
    assert entry.changes["scores"][0] == {"创新性": "25", "应用成效": "35", "可复制推广性": "20"}
    assert [(r.reviews, r.pending) for r in selection.call_results(call)] == [(0, 2)]  # pending again

    selection.review_submit(actor=e1, review=review, conflict=True, conflict_note="系该企业顾问")
    assert [(r.reviews, r.recused) for r in selection.call_results(call)] == [(0, 1)]
    with pytest.raises(ValidationError, match="没有可撤回的评分"):
        selection.review_withdraw(actor=e1, review=review, reason="再撤一次")


def test_an_expert_may_still_correct_a_score_without_withdrawing_it(db, people, under_review):
    _call, review, _other = under_review
    e1 = people["expert1"]
    selection.review_submit(actor=e1, review=review, conflict=False, scores=SCORES)
    selection.review_submit(actor=e1, review=review, conflict=False, scores={**SCORES, "创新性": 28})
    review.refresh_from_db()
    assert review.total == 83


def test_only_the_assigned_expert_withdraws_a_score_while_the_call_is_under_review(db, people, under_review):
    from yangfan.audit.models import AuditEntry

    call, review, _other = under_review
    e1, e2, p = people["expert1"], people["expert2"], people["province"]
    with pytest.raises(ValidationError, match="没有可撤回的评分"):
        selection.review_withdraw(actor=e1, review=review, reason="误操作")  # nothing scored yet
    selection.review_submit(actor=e1, review=review, conflict=False, scores=SCORES)
    for someone in (e2, p):
        with pytest.raises(PermissionDenied):
            selection.review_withdraw(actor=someone, review=review, reason="代为撤回")
    assert AuditEntry.objects.filter(action="permission_denied", actor_username=p.username).exists()
    selection.call_publish(actor=p, call=call, selected=[review.application], published_on=date(2023, 6, 15))
    with pytest.raises(ValidationError, match="不在评审阶段"):
        selection.review_withdraw(actor=e1, review=review, reason="评选已公布")
    review.refresh_from_db()
    assert review.scored


def test_the_review_page_offers_to_withdraw_a_score_and_refuses_a_conflict_over_it(db, people, under_review):
    _call, review, _other = under_review
    client = login_as(Client(), people["expert1"])
    assert "撤回原因" not in client.get(review.get_absolute_url()).content.decode()  # nothing to withdraw
    scores = {f"score:{name}": str(value) for name, value in SCORES.items()}
    client.post(review.get_absolute_url(), {"conflict": "no", **scores})
    assert "撤回原因" in client.get(review.get_absolute_url()).content.decode()

    refused = client.post(
        review.get_absolute_url(), {"conflict": "yes", "conflict_note": "系该企业顾问"}, follow=True
    )
    assert "请先撤回评分" in refused.content.decode()
    withdrawn = client.post(
        review.get_absolute_url(), {"action": "withdraw", "reason": "发现利益冲突"}, follow=True
    )
    assert "评分已撤回" in withdrawn.content.decode()
    client.post(review.get_absolute_url(), {"conflict": "yes", "conflict_note": "系该企业顾问"})
    review.refresh_from_db()
    assert review.conflict and review.submitted_at and review.scores == {}


def test_an_expert_who_declared_a_conflict_gives_no_score_afterwards(db, people, under_review):
    """The review rules shared with 定性目标评估 (``registries.reviews``): a declared conflict stands."""
    _call, review, _other = under_review
    e1 = people["expert1"]
    selection.review_submit(actor=e1, review=review, conflict=True, conflict_note="系该企业顾问")
    with pytest.raises(ValidationError, match="不能再给出评分"):
        selection.review_submit(actor=e1, review=review, conflict=False, scores=SCORES)
    review.refresh_from_db()
    assert review.conflict and review.scores == {}
