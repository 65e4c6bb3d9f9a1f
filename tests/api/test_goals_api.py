"""/api/v1/goal-verdicts/: the published verdicts the caller may read, filtered by unit and period; another unit's
refused (403, audited); the OpenAPI schema describes it."""

from __future__ import annotations

from django.urls import reverse
from tests.goals.conftest import case, judge, publish

from yangfan.audit.models import AuditEntry


def _verdicts(make_user):
    office, baoji = (
        make_user("province", username="office-2"),
        make_user("city-office", username="baoji-office"),
    )
    cited = case(office, "宝鸡智慧电网", "610300")
    publish(baoji, org="610300", code="Q01", period="2022", verdict="partly", reasoning="初评")
    publish(
        baoji,
        org="610300",
        code="Q01",
        period="2022",
        verdict="largely",
        reasoning="复评",
        entries=[f"cases:{cited.pk}"],
    )
    publish(baoji, org="610300", code="Q02", period="2023", verdict="achieved")
    publish(office, org="610000", code="Q01", period="2022", verdict="achieved")
    judge(office, org="610100", code="Q01", period="2022", verdict="achieved")  # a draft: never in the API
    return cited


def test_the_published_verdicts_of_the_callers_scope_with_their_evidence(db, make_user, api):
    cited = _verdicts(make_user)
    rows = api("city-reviewer").get("goal_verdicts").json()["results"]  # reads 宝鸡
    assert sorted((r["org_unit"], r["target"], r["period"], r["verdict"]) for r in rows) == [
        ("610300", "Q01", "2022", "largely"),  # the first publication is superseded
        ("610300", "Q02", "2023", "achieved"),
    ]
    q01 = next(r for r in rows if r["target"] == "Q01")
    assert q01["verdict_label"] == "基本实现" and q01["reasoning"] == "复评"
    assert q01["entries"] == [{"registry": "cases", "id": cited.pk, "name": "宝鸡智慧电网"}]
    province = api("province")
    rows = province.get("goal_verdicts", {"period": "2022"}).json()["results"]
    assert sorted((r["org_unit"], r["target"]) for r in rows) == [("610000", "Q01"), ("610300", "Q01")]
    assert province.get("goal_verdicts", {"org": "610100"}).json()["results"] == []  # a draft only


def test_another_units_verdicts_are_refused_and_the_refusal_audited(db, make_user, api):
    _verdicts(make_user)
    xian = api("city-reporter")
    before = AuditEntry.objects.filter(action="permission_denied").count()
    assert xian.get("goal_verdicts", {"org": "610300"}).status_code == 403
    assert xian.get("goal_verdicts", {"org": "陕西省"}).status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2
    assert xian.get("goal_verdicts").json()["results"] == []  # 西安 has none published
    assert api("expert").get("goal_verdicts").status_code == 403
    assert xian.get("goal_verdicts", {"org": "610100", "period": "2022Q9"}).status_code == 400


def test_the_schema_describes_the_endpoint(db, api):
    viewer = api("viewer")
    schema = viewer.client.get(reverse("api:schema") + "?format=json", **viewer.auth).json()
    operation = schema["paths"]["/api/v1/goal-verdicts/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"org", "period"}
