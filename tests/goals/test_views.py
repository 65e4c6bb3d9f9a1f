"""The pages of 定性目标评估: the board, a target's page with its form, experts asked and publication, a recorded
verdict, and the expert's review form; drafts are their judges' only, each unit's verdicts its readers'."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from tests.conftest import login_as
from tests.goals.conftest import PLAN, case, judge, publish

from yangfan.goals.models import GoalReview, GoalVerdict


def _page(user, name, **kwargs):
    return login_as(Client(), user).get(reverse(name, kwargs=kwargs))


def _verdict_url(org="610300", code="Q01", period="2022"):
    return reverse("goals:verdict", kwargs={"plan": PLAN, "code": code, "org": org, "period": period})


def test_a_reader_outside_the_scope_reads_neither_a_draft_nor_another_citys_verdict(db, people):
    draft = judge(people["baoji"], org="610300", code="Q02", reasoning="宝鸡草稿理由")
    published = publish(people["baoji"], org="610300", code="Q01", reasoning="宝鸡已发布理由")
    # 宝鸡's reviewer reads 宝鸡's figures: the published verdict, not the draft
    reviewer = login_as(Client(), people["baoji_reviewer"])
    assert reviewer.get(reverse("goals:detail", kwargs={"pk": draft.pk})).status_code == 403
    assert reviewer.get(reverse("goals:detail", kwargs={"pk": published.pk})).status_code == 200
    board = reviewer.get(reverse("goals:board", kwargs={"plan": PLAN}) + "?org=610300&period=2022")
    html = board.content.decode()
    assert "部分实现" in html.split('<tr data-target="Q01"')[1].split("</tr>")[0]
    assert "本期草稿" not in html  # the drafts' column is the office's
    page = reviewer.get(_verdict_url(code="Q02")).content.decode()
    assert "宝鸡草稿理由" not in page and "尚未发布评估结论" in page
    # 西安's reporter reads neither
    xian = login_as(Client(), people["xian"])
    assert xian.get(reverse("goals:detail", kwargs={"pk": published.pk})).status_code == 403
    assert xian.get(_verdict_url()).status_code == 403
    assert xian.get(reverse("goals:board", kwargs={"plan": PLAN}) + "?org=610300").status_code == 403
    # 宝鸡's office sees its draft on the board and the page
    office = login_as(Client(), people["baoji"])
    assert "宝鸡草稿理由" in office.get(_verdict_url(code="Q02")).content.decode()


def test_the_board_shows_each_target_with_its_standing_conclusion(db, people):
    from yangfan.actionplans.models import QualitativeTarget

    publish(people["province"], org="610000", code="Q01", verdict="achieved", period="2022")
    html = (
        login_as(Client(), people["province"])
        .get(reverse("goals:board", kwargs={"plan": PLAN}) + "?period=2023")
        .content.decode()
    )
    assert html.count('<tr data-target="') == QualitativeTarget.objects.filter(plan__code=PLAN).count()
    row = html.split('<tr data-target="Q01"')[1].split("</tr>")[0]
    assert "已实现" in row and "2022 的结论" in row  # standing in 2023 until 2023 is judged


def test_the_form_offers_only_the_entries_the_office_may_read_and_refuses_a_verdict_without_reasoning(
    db, people
):
    baoji_case = case(people["province"], "宝鸡智慧电网", "610300")
    xian_case = case(people["province"], "西安智慧电厂", "610100")
    office = login_as(Client(), people["baoji"])
    page = office.get(_verdict_url()).content.decode()
    assert f'value="cases:{baoji_case.pk}"' in page and f'value="cases:{xian_case.pk}"' not in page

    refused = office.post(_verdict_url(), {"verdict": "achieved", "reasoning": "  "})
    assert refused.status_code == 200 and "请填写判断理由" in refused.content.decode()
    assert not GoalVerdict.objects.exists()
    foreign = office.post(
        _verdict_url(), {"verdict": "achieved", "reasoning": "理由", "entries": [f"cases:{xian_case.pk}"]}
    )
    assert foreign.status_code == 200 and not GoalVerdict.objects.exists()


def test_the_office_drafts_asks_an_expert_and_publishes_with_the_opinion_shown(db, people):
    baoji_case = case(people["province"], "宝鸡智慧电网", "610300")
    office = login_as(Client(), people["baoji"])
    saved = office.post(
        _verdict_url(),
        {
            "verdict": "largely",
            "reasoning": "县城以上5G覆盖率达到100%",
            "entries": [f"cases:{baoji_case.pk}"],
            "documents": "宝鸡市5G发展报告（2022）",
        },
    )
    assert saved.status_code == 302
    draft = GoalVerdict.objects.get()
    assert draft.status == "draft" and [e.label for e in draft.entries.all()] == ["宝鸡智慧电网"]

    office.post(_verdict_url(), {"action": "assign", "reviewer": people["expert1"].pk})
    review = GoalReview.objects.get()
    expert = login_as(Client(), people["expert1"])
    assert "县城以上5G覆盖率达到100%" in expert.get(review.get_absolute_url()).content.decode()
    assert login_as(Client(), people["expert2"]).get(review.get_absolute_url()).status_code == 403
    expert.post(
        review.get_absolute_url(), {"conflict": "no", "opinion": "achieved", "comment": "可评为已实现"}
    )
    assert "可评为已实现" in office.get(_verdict_url()).content.decode()  # the office sees the opinion

    office.post(_verdict_url(), {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "published"
    reader = login_as(Client(), people["baoji_reviewer"]).get(_verdict_url()).content.decode()
    assert "县城以上5G覆盖率达到100%" in reader and "宝鸡智慧电网" in reader
