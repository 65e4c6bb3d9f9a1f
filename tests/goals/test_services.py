"""Verdicts on the plan's qualitative targets: written by the unit's office with reasoning and evidence, published,
superseded by the next publication (kept), and read as they stand at a period."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.goals.conftest import case, judge, publish, target, unit

from yangfan.audit.models import AuditEntry
from yangfan.core.periods import Period
from yangfan.goals.models import GoalVerdict
from yangfan.goals.selectors import verdict_counts, verdicts_standing
from yangfan.goals.services import goal_verdict_publish


def test_a_verdict_without_reasoning_is_refused_with_a_clear_message_and_changes_nothing(db, people):
    office = people["province"]
    before = AuditEntry.objects.count()
    for blank in ("", "   \n "):
        with pytest.raises(ValidationError, match="请填写判断理由"):
            judge(office, reasoning=blank)
    assert not GoalVerdict.objects.exists()
    assert AuditEntry.objects.count() == before

    saved = judge(office, reasoning="全省5G基站数居西部第三")
    with pytest.raises(ValidationError, match="请填写判断理由"):
        judge(
            office, verdict="achieved", reasoning=""
        )  # a revision without reasoning: the draft stays as it was
    saved.refresh_from_db()
    assert (saved.verdict, saved.reasoning) == ("partly", "全省5G基站数居西部第三")


def test_a_verdict_keeps_its_evidence_entries_tasks_and_documents_and_is_audited(db, people):
    from yangfan.actionplans.models import Task

    office = people["province"]
    cited = case(office, "配网差动保护", "610300")
    task = Task.objects.get(plan__code="shaanxi-5g-2021-2023", code="T2.1.1")
    verdict = judge(
        office,
        entries=[f"cases:{cited.pk}"],
        tasks=[task],
        documents=["陕工信发〔2023〕12号", " ", "https://example.org/report.pdf"],
    )
    assert [(e.registry, e.entry_id, e.label) for e in verdict.entries.all()] == [
        ("cases", cited.pk, "配网差动保护")
    ]
    assert list(verdict.tasks.values_list("code", flat=True)) == ["T2.1.1"]
    assert verdict.documents == ["陕工信发〔2023〕12号", "https://example.org/report.pdf"]
    entry = AuditEntry.objects.filter(object_type="goals.goalverdict", object_id=str(verdict.pk)).get()
    assert entry.action == "create" and entry.changes["entries"] == [None, [f"cases:{cited.pk}"]]

    again = judge(office, verdict="largely", reasoning="复核后上调", entries=[])
    assert again.pk == verdict.pk and not again.entries.exists()  # one draft per target, unit and period


def test_a_city_office_judges_its_own_city_and_is_refused_another_city_with_the_refusal_audited(db, people):
    baoji = people["baoji"]
    assert judge(baoji, org="610300").org_unit.code == "610300"  # its own city: own_level_ids does not apply
    for other in ("610100", "610000"):  # 西安, the province
        before = AuditEntry.objects.filter(action="permission_denied").count()
        with pytest.raises(PermissionDenied):
            judge(baoji, org=other)
        assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
    with pytest.raises(PermissionDenied):
        judge(people["baoji_reviewer"], org="610300")  # reads 宝鸡, judges nothing
    assert list(GoalVerdict.objects.values_list("org_unit__code", flat=True)) == ["610300"]


def test_only_the_province_and_cities_are_judged_for_periods_of_the_plan(db, people):
    office = people["province"]
    with pytest.raises(ValidationError, match="不单独评估"):
        judge(office, org="610302")  # 渭滨区, a county
    for bad in ("2030", "2023Q5", "去年"):
        with pytest.raises(ValidationError):
            judge(office, period=bad)
    assert judge(office, period="2023Q4").period_end.isoformat() == "2023-12-31"


def test_evidence_the_judge_may_not_read_is_refused_and_nothing_is_saved(db, people):
    xian_case = case(people["province"], "西安智慧电厂", "610100")
    with pytest.raises(ValidationError, match="不在您的查看范围内"):
        judge(people["baoji"], org="610300", entries=[f"cases:{xian_case.pk}"])
    with pytest.raises(ValidationError, match="无法识别"):
        judge(people["baoji"], org="610300", entries=["nonsense:1"])
    assert not GoalVerdict.objects.exists()


def test_a_publication_supersedes_the_one_before_and_both_are_kept(db, people):
    office = people["province"]
    first = publish(office, verdict="partly", reasoning="初评")
    second = publish(office, verdict="largely", reasoning="复评：新增两个标杆")
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    standing = verdicts_standing(actor=office, org_unit=unit("610000"), period=Period.parse("2022"))
    assert [(v.pk, v.verdict) for v in standing] == [(second.pk, "largely")]
    with pytest.raises(ValidationError, match="只有草稿可以发布"):
        goal_verdict_publish(actor=office, verdict=second)
    assert GoalVerdict.objects.filter(target=target("Q01")).count() == 2


def test_the_verdicts_standing_at_a_period_are_the_latest_published_for_a_period_ended_by_then(db, people):
    office = people["province"]
    publish(office, code="Q01", period="2022", verdict="partly")
    publish(office, code="Q01", period="2023", verdict="achieved")
    publish(office, code="Q02", period="2022", verdict="not_achieved")
    judge(office, code="Q03", period="2022", verdict="achieved")  # a draft counts nowhere
    province = unit("610000")

    def standing(period):
        rows = verdicts_standing(actor=office, org_unit=province, period=Period.parse(period))
        return sorted((v.target.code, v.verdict) for v in rows)

    assert standing("2021") == []
    assert standing("2022") == [("Q01", "partly"), ("Q02", "not_achieved")]
    assert standing("2023Q2") == [("Q01", "partly"), ("Q02", "not_achieved")]  # 2023 is judged at its end
    assert standing("2023") == [("Q01", "achieved"), ("Q02", "not_achieved")]
    assert verdict_counts(actor=office, org_unit=province, period=Period.parse("2023")) == {
        "achieved": 1,
        "not_achieved": 1,
    }
    # a reader of 西安 reads none of the province's
    assert not verdicts_standing(
        actor=people["xian"], org_unit=province, period=Period.parse("2023")
    ).exists()
