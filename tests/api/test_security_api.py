"""The read-only API of 5G应用安全: the 扬帆监测口径 measures, the risk register and the assessments, each in the
caller's scope (宝鸡's office 宝鸡's, the enterprise its own), refusing a unit outside it (403, audited) and a filter
it cannot read (400), at a fixed cost whatever the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.security.test_measures import OTHER, TODAY, World, build, expected


@pytest.fixture
def world(db):
    """The test enterprise's applications in 西安, another enterprise's in 宝鸡 and in 西安."""
    return {
        "mine": build(World(), org="610116"),
        "baoji": build(World(), org="610302", enterprise=OTHER),
        "xian": build(World(), org="610113", enterprise=OTHER),
    }


def _denied() -> int:
    from yangfan.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="permission_denied").count()


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_the_measures_of_a_unit_are_the_rows_it_holds(api, world):
    province = api("province")
    found = province.get("security_measures", {"org": "610300"}).json()
    want = expected(world["baoji"], TODAY())
    assert found["basis"] == "扬帆监测口径" and found["org_unit"] == "610300"
    assert found["key_applications"] == want["whole"]
    assert found["assessed"] == {
        "part": want["assessed"],
        "whole": want["whole"],
        "percent": str(round(want["assessed"] * 100 / want["whole"], 1)),
    }
    assert found["crypto_passed"]["part"] == want["crypto"]
    assert found["open_high_risks"] == want["high"]
    assert found["median_remediation_days"] == str(want["median"])
    assert found["remediated"] == want["remediated"]
    assert found["assessment_current_days"] == 365
    whole = province.get("security_measures").json()
    assert whole["org_unit"] is None and whole["key_applications"] == 3 * want["whole"]
    past = province.get(
        "security_measures", {"org": "宝鸡市", "date": (TODAY() - timedelta(days=130)).isoformat()}
    )
    assert past.json()["date"] == (TODAY() - timedelta(days=130)).isoformat()


def test_the_measures_follow_the_scope_and_refuse_outside_it(api, world):
    office = api("city-office")  # 宝鸡's
    assert (
        office.get("security_measures").json()["key_applications"]
        == expected(world["baoji"], TODAY())["whole"]
    )
    before = _denied()
    assert office.get("security_measures", {"org": "610100"}).status_code == 403
    assert _denied() == before + 1
    enterprise = api("enterprise").get("security_measures").json()
    assert enterprise["open_high_risks"] == expected(world["mine"], TODAY())["high"]
    province = api("province", username="office-2")
    assert province.get("security_measures", {"org": "火星"}).status_code == 400
    assert province.get("security_measures", {"date": "昨天"}).status_code == 400


@pytest.mark.parametrize("role", ["city-reporter", "viewer", "department", "operator"])
def test_roles_without_security_view_are_refused(api, role):
    for name in ("security_measures", "security_risks", "security_assessments"):
        assert api(role, username=f"{role}-{name}").get(name).status_code == 403


def test_the_risk_list_is_filtered_and_scoped(api, world):
    everyone = {r.pk for w in world.values() for r in w.risks}
    province = api("province")
    assert _ids(province.get("security_risks", {"limit": 500})) == everyone
    high = _ids(province.get("security_risks", {"level": "high", "org": "610300"}))
    assert high == {r.pk for r in world["baoji"].risks if r.level == "high"}
    overdue = province.get("security_risks", {"overdue": "1"}).json()["results"]
    assert {r["id"] for r in overdue} == {
        r.pk for w in world.values() for r in w.risks if r.status == "open" and r.deadline < TODAY()
    }
    assert all(r["days_overdue"] > 0 for r in overdue)
    first = overdue[0]
    assert first["level_label"] in ("高", "中") and first["application"] and first["sector"]
    assert (
        _ids(province.get("security_risks", {"sector": "smart-power"})) == set()
    )  # none on 智慧电力's cases
    assert province.get("security_risks", {"level": "extreme"}).status_code == 400
    assert _ids(api("city-office").get("security_risks")) == {r.pk for r in world["baoji"].risks}
    assert _ids(api("enterprise").get("security_risks")) == {r.pk for r in world["mine"].risks}
    auditor = api("auditor")
    assert _ids(auditor.get("security_risks", {"limit": 500})) == everyone
    assert api("city-office", username="office-3").get("security_risks", {"org": "610100"}).status_code == 403


def test_the_risk_list_is_paginated(api, world):
    page = api("province").get("security_risks", {"limit": 5}).json()
    assert len(page["results"]) == 5 and page["count"] == sum(len(w.risks) for w in world.values())
    assert page["next"]


def test_the_assessment_list_is_scoped(api, world):
    from yangfan.security.models import Assessment

    province = api("province")
    assert _ids(province.get("security_assessments", {"limit": 500})) == set(
        Assessment.objects.values_list("pk", flat=True)
    )
    mine = _ids(api("enterprise").get("security_assessments", {"limit": 500}))
    assert mine == set(
        Assessment.objects.filter(case__enterprise=world["mine"].cases[0][0].enterprise).values_list(
            "pk", flat=True
        )
    )
    baoji = province.get("security_assessments", {"org": "610300", "status": "draft"}).json()["results"]
    assert {row["org_unit"] for row in baoji} == {"610302"} and {row["status"] for row in baoji} == {"draft"}
    assert baoji[0]["questionnaire"] >= 1 and baoji[0]["kind_label"] == "自评估"
    assert province.get("security_assessments", {"stage": "launch"}).status_code == 400


def _cost(api_client, name: str, query: dict) -> int:
    api_client.get(name, query)
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(name, query).status_code == 200
    return len(queries.captured_queries)


def test_the_api_costs_the_same_whatever_the_history(api, world):
    province = api("province")
    calls = [
        ("security_measures", {"org": "610100"}),
        ("security_risks", {"limit": 20}),
        ("security_assessments", {"limit": 20, "org": "610300"}),
    ]
    once = [_cost(province, name, query) for name, query in calls]
    build(world["mine"], org="610116", copies=9)
    build(world["baoji"], org="610302", enterprise=OTHER, copies=9)
    assert [_cost(province, name, query) for name, query in calls] == once


def test_the_schema_describes_the_endpoints(api):
    from django.urls import reverse

    province = api("province")
    schema = province.client.get(reverse("api:schema") + "?format=json", **province.auth).json()
    measures = schema["paths"]["/api/v1/security/measures/"]["get"]
    assert measures["operationId"] == "v1_security_measures" and "扬帆监测口径" in measures["description"]
    risks = schema["paths"]["/api/v1/security/risks/"]["get"]
    assert {p["name"] for p in risks["parameters"]} >= {
        "level",
        "status",
        "overdue",
        "org",
        "sector",
        "limit",
    }
    assert "/api/v1/security/assessments/" in schema["paths"]
