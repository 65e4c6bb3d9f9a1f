"""The collection API: data values read within the view scope and written in batches through the one import
path (all or nothing, capture scope, locks, audit, source ``api``); reports and their workflow; completeness."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from yangfan.accounts.services import token_create
from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.models import Submission
from yangfan.collection.services import submission_act, submission_open
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit


class Api:
    """A token-authenticated client of one user (no session: the token alone identifies the caller)."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=None, user=user, days=1)[1]}

    def get(self, name, query=None, **kwargs):
        return self.client.get(reverse(f"api:{name}", kwargs=kwargs or None), query or {}, **self.auth)

    def post(self, name, body=None, query="", **kwargs):
        return self.client.post(
            reverse(f"api:{name}", kwargs=kwargs or None) + query,
            body if body is not None else {},
            content_type="application/json",
            **self.auth,
        )


@pytest.fixture
def api(client, make_user):
    def make(role, **user):
        return Api(client, make_user(role, **user))

    return make


def unit(code):
    return OrgUnit.objects.get(code=code)


def stored(element, org, period, operator=None):
    value = DataValue.objects.filter(
        data_element__code=element, org_unit__code=org, period=period, operator__code=operator
    ).first()
    return value.value if value else None


@pytest.fixture
def values(db):
    """长安区 (西安) and 渭滨区 (宝鸡) base stations in 2023Q4, written by the server itself."""
    element = DataElement.objects.get(code="base_stations_5g")
    rows = [
        ParsedRow(2, element, unit("610116"), "2023Q4", None, Decimal(1200)),
        ParsedRow(3, element, unit("610302"), "2023Q4", None, Decimal(800)),
    ]
    datavalues_import(rows=rows, file="seed.csv")


def test_values_are_read_within_the_view_scope(api, values):
    xian = api("city-reporter")
    page = xian.get("datavalues", {"data_element": "base_stations_5g", "period": "2023Q4"}).json()
    assert "count" not in page and page["next"] is None  # a cursor page: the table is never counted
    [value] = page["results"]
    assert value | {"id": None, "updated_at": None} == {
        "id": None,
        "data_element": "base_stations_5g",
        "period": "2023Q4",
        "org_unit": "610116",
        "operator": None,
        "value": "1200",
        "comment": "",
        "source": "import",
        "updated_by": None,
        "updated_at": None,
        "ingest_run": None,
    }
    assert xian.get("datavalues", {"org": "610300"}).status_code == 403  # 宝鸡
    assert xian.get("datavalues", {"period": "2023Q9"}).status_code == 400
    province = api("province").get("datavalues", {"period": "2023Q4", "data_element": "base_stations_5g"})
    assert {v["org_unit"] for v in province.json()["results"]} == {"610116", "610302"}


def test_a_batch_is_written_through_the_import_path_and_audited_as_api(api, db):
    xian = api("city-reporter")
    batch = [
        {"data_element": "base_stations_5g", "period": "2023Q4", "org_unit": "610116", "value": 1300},
        {
            "data_element": "5G移动电话用户数",
            "period": "2023Q4",
            "org_unit": "长安区",
            "value": "120万",
            "comment": "季末",
        },
    ]
    dry = xian.post("datavalues", batch, query="?dry_run=1")
    assert dry.json() == {"added": 2, "changed": 0, "unchanged": 0, "dry_run": True, "findings": []}
    assert stored("base_stations_5g", "610116", "2023Q4") is None
    response = xian.post("datavalues", batch)
    assert response.status_code == 200, response.content
    assert response.json() == {"added": 2, "changed": 0, "unchanged": 0, "dry_run": False, "findings": []}
    assert stored("mobile_users_5g", "610116", "2023Q4") == Decimal(1_200_000)
    assert set(DataValue.objects.filter(period="2023Q4").values_list("source", flat=True)) == {"api"}
    assert AuditEntry.objects.filter(action="create", object_type="datavalues.datavalue").count() == 2
    assert AuditEntry.objects.filter(action="import", actor_id=xian.user.pk, object_repr="API").exists()
    assert xian.post("datavalues", batch).json()["unchanged"] == 2  # the same batch again changes nothing


def test_a_bad_batch_writes_nothing_and_lists_every_bad_entry(api, db):
    response = api("city-reporter").post(
        "datavalues",
        [
            {"data_element": "base_stations_5g", "period": "2023Q4", "org_unit": "610116", "value": 5},
            {"data_element": "nonsense", "period": "2023Q4", "org_unit": "610116", "value": 1},
            {"data_element": "base_stations_5g", "period": "2023Q5", "org_unit": "610116", "value": "x"},
        ],
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "data_element"), (2, "period"), (2, "value")}
    assert not DataValue.objects.exists()
    for body in ([], {"data_element": "x"}, [{"value": 1, "colour": "red"}]):
        assert api("province", username=f"p{len(str(body))}").post("datavalues", body).status_code == 400


def test_a_locked_value_is_refused_with_400(api, make_user, values):
    report = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )
    submission_act(
        actor=make_user("city-reviewer", username="xian-reviewer", capture_org_units=[unit("610100")]),
        submission=report,
        action="submit",
    )
    response = api("city-reporter").post(
        "datavalues",
        [{"data_element": "base_stations_5g", "period": "2023Q4", "org_unit": "610116", "value": 1250}],
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["index"] == 0 and error["field"] == "value" and "已锁定" in error["message"]
    assert stored("base_stations_5g", "610116", "2023Q4") == Decimal(1200)


def test_a_write_outside_the_capture_scope_is_refused_and_audited(api, values):
    xian = api("city-reporter")
    before = AuditEntry.objects.filter(action="permission_denied").count()
    response = xian.post(
        "datavalues",
        [
            {"data_element": "base_stations_5g", "period": "2023Q4", "org_unit": "610116", "value": 1},
            {"data_element": "base_stations_5g", "period": "2023Q4", "org_unit": "610302", "value": 1},
        ],
    )
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {"index": 1, "field": "org_unit", "message": "无权填报 渭滨区 的数据"}
    ]
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
    assert stored("base_stations_5g", "610116", "2023Q4") == Decimal(1200)  # all or nothing
    # an operator writes its own figures, not another operator's
    cmcc = api("operator")
    own = {"data_element": "base_stations_5g", "period": "202312", "org_unit": "610116", "value": 300}
    assert cmcc.post("datavalues", [own | {"operator": "cmcc"}]).status_code == 200
    assert cmcc.post("datavalues", [own | {"operator": "ctcc"}]).status_code == 403
    # a reviewer approves; it does not enter figures
    assert api("city-reviewer").post("datavalues", [own]).status_code == 403


# --- reports and the workflow ---------------------------------------------------------------------------------


def test_reports_are_listed_within_the_view_scope(api, make_user, db):
    city_quarterly = DataSet.objects.get(code="city-quarterly")
    xian = submission_open(data_set=city_quarterly, org_unit=unit("610100"), period="2023Q4")
    baoji = submission_open(data_set=city_quarterly, org_unit=unit("610300"), period="2023Q4")
    reporter = api("city-reporter")
    assert [s["id"] for s in reporter.get("submissions").json()["results"]] == [xian.pk]
    assert reporter.get("submission", pk=baoji.pk).status_code == 403
    detail = reporter.get("submission", pk=xian.pk).json()
    assert (detail["data_set"], detail["org_unit"], detail["status"], detail["events"]) == (
        "city-quarterly",
        "610100",
        "draft",
        [],
    )
    province = api("province")
    listed = province.get(
        "submissions", {"data_set": "city-quarterly", "period": "2023Q4", "status": "draft"}
    )
    assert [s["org_unit"] for s in listed.json()["results"]] == ["610100", "610300"]
    assert province.get("submissions", {"status": "approved"}).json()["count"] == 0
    assert province.get("submission", pk=999999).status_code == 404


def test_submit_return_resubmit_approve_through_the_api(api, db):
    reporter, officer = api("city-reporter"), api("province")
    opened = reporter.post(
        "submissions", {"data_set": "city-quarterly", "org_unit": "610100", "period": "2023Q4"}
    )
    assert opened.status_code == 201 and opened.json()["status"] == "draft"
    pk = opened.json()["id"]
    again = reporter.post(
        "submissions", {"data_set": "city-quarterly", "org_unit": "610100", "period": "2023Q4"}
    )
    assert again.status_code == 200 and again.json()["id"] == pk

    assert reporter.post("submission_action", pk=pk, action="submit").json()["status"] == "submitted"
    no_reason = officer.post("submission_action", pk=pk, action="return")
    assert no_reason.status_code == 400 and "原因" in no_reason.json()["detail"]
    returned = officer.post("submission_action", {"comment": "长安区基站数偏低"}, pk=pk, action="return")
    assert returned.json()["status"] == "returned" and returned.json()["reason"] == "长安区基站数偏低"
    reporter.post("submission_action", pk=pk, action="submit")
    approved = officer.post("submission_action", pk=pk, action="approve").json()
    assert approved["status"] == "approved" and approved["reviewed_by"] == officer.user.username
    assert [e["action"] for e in approved["events"]] == ["submit", "return", "submit", "approve"]
    assert Submission.objects.get(pk=pk).status == "approved"
    twice = officer.post("submission_action", pk=pk, action="approve")
    assert twice.status_code == 400 and "不能" in twice.json()["detail"]


def test_refused_workflow_steps_answer_403_and_are_audited(api, make_user, db):
    report = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )
    reporter = api("city-reporter")
    reporter.post("submission_action", pk=report.pk, action="submit")
    before = AuditEntry.objects.filter(action="permission_denied").count()
    assert (
        reporter.post("submission_action", pk=report.pk, action="approve").status_code == 403
    )  # not one level up
    assert api("viewer").post("submission_action", pk=report.pk, action="withdraw").status_code == 403
    assert (
        api("city-reviewer").post("submission_action", pk=report.pk, action="approve").status_code == 403
    )  # 宝鸡
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 3
    assert Submission.objects.get(pk=report.pk).status == "submitted"
    assert reporter.post("submission_action", pk=report.pk, action="frobnicate").status_code == 404
    # opening a report of another city, or of another operator, is refused too
    other = {"data_set": "city-quarterly", "org_unit": "610300", "period": "2023Q4"}
    assert reporter.post("submissions", other).status_code == 403
    monthly = {"data_set": "operator-monthly", "org_unit": "610100", "period": "202312"}
    assert api("operator").post("submissions", monthly | {"operator": "ctcc"}).status_code == 403
    assert (
        api("operator", username="cmcc2").post("submissions", monthly | {"operator": "cmcc"}).status_code
        == 201
    )
    assert reporter.post("submissions", monthly).status_code == 400  # by operator: which one?
    wrong_period = reporter.post("submissions", {**other, "org_unit": "610100", "period": "202312"})
    assert wrong_period.status_code == 400 and "period" in wrong_period.json()


# --- completeness and the schema ------------------------------------------------------------------------------


def test_completeness_through_the_api(api, make_user, db):
    report = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )
    submission_act(actor=make_user("city-reporter", username="xian-r"), submission=report, action="submit")
    province = api("province").get("completeness", {"data_set": "city-quarterly", "period": "2023Q4"}).json()
    assert (province["data_set"], province["period"], province["deadline"]) == (
        "city-quarterly",
        "2023Q4",
        "2024-01-10",
    )
    assert province["totals"]["expected"] == 11 and province["totals"]["submitted"] == 1
    assert len(province["rows"]) == 11
    xian = next(r for r in province["rows"] if r["org_unit"] == "610100")
    assert (xian["status"], xian["submission"], xian["timeliness"]) == ("submitted", report.pk, "late")
    assert next(r for r in province["rows"] if r["org_unit"] == "610300")["status"] == "missing"
    city = api("city-reporter").get("completeness", {"data_set": "city-quarterly", "period": "2023Q4"}).json()
    assert [r["org_unit"] for r in city["rows"]] == ["610100"]
    operators = api("viewer").get("completeness", {"data_set": "operator-monthly", "period": "202312"}).json()
    assert len(operators["rows"]) == 44 and {r["operator"] for r in operators["rows"]} == set(
        Operator.objects.values_list("code", flat=True)
    )
    assert (
        api("viewer", username="v2")
        .get("completeness", {"data_set": "city-quarterly", "period": "2023"})
        .status_code
        == 400
    )
    assert api("viewer", username="v3").get("completeness", {"data_set": "nope"}).status_code == 400


def test_the_schema_documents_the_collection_api(api, db):
    schema = api("viewer").get("schema", {"format": "json"}).json()
    for path in (
        "/api/v1/datavalues/",
        "/api/v1/submissions/",
        "/api/v1/submissions/{id}/",
        "/api/v1/submissions/{id}/{action}/",
        "/api/v1/completeness/",
    ):
        assert path in schema["paths"], path
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/datavalues/"])
    action = schema["paths"]["/api/v1/submissions/{id}/{action}/"]["post"]
    [parameter] = [p for p in action["parameters"] if p["name"] == "action"]
    assert set(parameter["schema"]["enum"]) == {"submit", "withdraw", "approve", "return", "unlock"}


def test_an_operator_reads_its_own_figures_and_the_totals_only(api, values):
    element = DataElement.objects.get(code="base_stations_5g")
    operators = {o.code: o for o in Operator.objects.all()}
    datavalues_import(
        rows=[
            ParsedRow(2, element, unit("610116"), "202312", operators["cmcc"], Decimal(700)),
            ParsedRow(3, element, unit("610116"), "202312", operators["ctcc"], Decimal(500)),
        ],
        file="seed.csv",
    )
    cmcc = api("operator").get("datavalues", {"org": "610116"}).json()["results"]
    assert {(v["period"], v["operator"]) for v in cmcc} == {("2023Q4", None), ("202312", "cmcc")}


def test_a_batch_answers_with_what_the_validation_rules_find(api, db):
    batch = [
        {"data_element": "mobile_users_5g", "period": "202312", "org_unit": "610116", "value": 1200},
        {"data_element": "mobile_users_total", "period": "202312", "org_unit": "610116", "value": 1000},
    ]
    response = api("city-reporter").post("datavalues", batch)
    assert response.status_code == 200, response.content
    [finding] = response.json()["findings"]
    assert (finding["rule"], finding["importance"], finding["org_unit"]) == ("V01", "error", "610116")


def test_a_listed_value_reads_as_the_value_itself_does(api, values):
    """The list reads plain rows (``DataValueRowSerializer``); each reads exactly as the stored value's own
    representation (``DataValueSerializer``, the lineage's)."""
    from yangfan.api.serializers import DataValueSerializer

    page = api("province").get("datavalues", {"period": "2023Q4"}).json()
    assert len(page["results"]) == 2
    for row in page["results"]:
        assert row == json.loads(json.dumps(DataValueSerializer(DataValue.objects.get(pk=row["id"])).data))


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(api, values):
    province = api("province")
    seen, page = [], province.get("datavalues", {"limit": 1}).json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = province.client.get(page["next"], **province.auth).json()
    assert seen == sorted(DataValue.objects.values_list("pk", flat=True))


def test_an_operator_reads_its_own_reports_and_the_totals_never_a_competitors(make_user):
    """The list and the detail of ``/api/v1/submissions/`` follow the report page's rule (``may_read``)."""
    from rest_framework.test import APIClient

    from yangfan.actionplans.models import DataSet, Operator
    from yangfan.collection.models import Submission
    from yangfan.orgunits.models import OrgUnit

    monthly, baoji = DataSet.objects.get(code="operator-monthly"), OrgUnit.objects.get(code="610300")
    reports = {
        code: Submission.objects.create(
            data_set=monthly, org_unit=baoji, period="202312", operator=Operator.objects.get(code=code)
        )
        for code in ("cmcc", "ctcc")
    }
    api = APIClient()
    api.force_authenticate(make_user("operator"))  # 中国移动's
    listed = api.get("/api/v1/submissions/", {"data_set": "operator-monthly"}).json()["results"]
    assert {r["operator"] for r in listed} == {"cmcc"}
    assert api.get(f"/api/v1/submissions/{reports['cmcc'].pk}/").status_code == 200
    assert api.get(f"/api/v1/submissions/{reports['ctcc'].pk}/").status_code == 403
