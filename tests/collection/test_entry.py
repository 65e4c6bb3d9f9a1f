"""数据填报 in the browser's terms: the grid saves through the one import path (typed, audited, all or nothing),
bad and locked cells come back in place, scopes are kept for reading and writing, and the workflow steps
are taken from the report's pages."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest
from django.urls import reverse

from yangfan.actionplans.models import DataElement, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.models import Submission
from yangfan.collection.services import submission_act
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

S = SubmissionStatus
XIAN_Q4 = {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}


def entry(**kwargs) -> str:
    return reverse("collection:entry", kwargs={**XIAN_Q4, **kwargs})


def cell(org: str, element: str) -> str:
    return f"v:{org}:{element}"


def value(org: str, element: str, period: str = "2023Q4", operator=None):
    found = DataValue.objects.filter(
        org_unit__code=org, data_element__code=element, period=period, operator__code=operator
    ).first()
    return found.value if found else None


def store(org: str, element: str, period: str, amount, operator=None) -> None:
    datavalues_import(
        rows=[
            ParsedRow(
                2,
                DataElement.objects.get(code=element),
                OrgUnit.objects.get(code=org),
                period,
                Operator.objects.get(code=operator) if operator else None,
                Decimal(amount),
                "",
            )
        ],
        file="seed.csv",
    )


def xian_report() -> Submission:
    return Submission.objects.get(data_set__code="city-quarterly", org_unit__code="610100", period="2023Q4")


@pytest.fixture
def reporter(make_user):
    return make_user("city-reporter")


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def test_the_grid_has_the_units_rows_and_the_data_sets_columns_with_last_periods_values(reporter_client):
    store("610116", "base_stations_5g", "2023Q3", 1200)
    # the grid shows what the store holds, places too (another plan's element may have them; this one's has none)
    DataElement.objects.filter(code="base_stations_5g").update(decimals=None)
    store("610116", "base_stations_5g", "2023Q4", "1250.5")
    page = reporter_client.get(entry()).content.decode()
    assert page.count('name="v:') == 13 * 3  # 西安's 13 districts and counties × 3 elements
    assert "长安区" in page and "5G基站数" in page
    assert 'name="v:610116:base_stations_5g" value="1250.5"' in page  # as typed, no trailing zeros
    assert "上期 1,200" in page
    assert "entry.js" in page and "collection.css" in page


def test_saving_the_grid_stores_typed_values_from_the_form_and_audits_them(reporter_client, reporter):
    store("610102", "mobile_users_5g", "2023Q4", 5)
    response = reporter_client.post(
        entry(),
        {
            cell("610116", "base_stations_5g"): "1,234",
            cell("610102", "mobile_users_5g"): "１.６万",
            cell("610103", "iot_terminals_5g"): "",  # empty: left alone
        },
    )
    assert response.status_code == 302 and response["Location"] == entry()
    assert value("610116", "base_stations_5g") == 1234
    assert value("610102", "mobile_users_5g") == 16000
    stored = DataValue.objects.get(org_unit__code="610116", period="2023Q4")
    assert stored.source == "form" and stored.updated_by == reporter
    trail = AuditEntry.objects.filter(actor_username=reporter.username)
    assert trail.filter(action="create").count() == 1 and trail.filter(action="update").count() == 1
    assert trail.filter(action="import", object_repr="网页填报").exists()
    assert xian_report().status == S.DRAFT  # the first save opens the report


def test_an_empty_cell_never_deletes_a_stored_value(reporter_client):
    store("610116", "base_stations_5g", "2023Q4", 900)
    reporter_client.post(
        entry(), {cell("610116", "base_stations_5g"): "", cell("610102", "mobile_users_5g"): "7"}
    )
    assert value("610116", "base_stations_5g") == 900


def test_a_bad_cell_comes_back_in_place_and_nothing_is_written(reporter_client):
    response = reporter_client.post(
        entry(),
        {
            cell("610116", "base_stations_5g"): "1200",
            cell("610102", "mobile_users_5g"): "abc",
            cell("610103", "iot_terminals_5g"): "-5",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“abc”不是有效的数值" in page and "数值不能为负数" in page
    assert 'name="v:610102:mobile_users_5g" value="abc"' in page  # what was typed stays to be corrected
    assert 'name="v:610116:base_stations_5g" value="1200"' in page
    assert DataValue.objects.filter(period="2023Q4").count() == 0
    assert not Submission.objects.exists()


def test_a_submitted_report_is_read_only_and_a_forced_post_is_refused_with_the_lock_message(
    reporter_client, reporter
):
    reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1200"})
    submission_act(actor=reporter, submission=xian_report(), action="submit")

    page = reporter_client.get(entry()).content.decode()
    assert 'name="v:' not in page and "entry.js" not in page and "数值已锁定" in page
    response = reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1300"})
    assert response.status_code == 200
    assert "已锁定" in response.content.decode()
    assert value("610116", "base_stations_5g") == 1200
    # the same value again changes nothing, so it is no write and passes
    assert reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1200"}).status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_out_of_scope_is_refused_and_the_refusal_audited(client_for, method):
    client = client_for("city-reviewer")  # 宝鸡's reviewer, on 西安's report
    response = getattr(client, method)(entry(), {cell("610116", "base_stations_5g"): "1"})
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert AuditEntry.objects.filter(action="permission_denied").count() == 1
    assert not DataValue.objects.exists()


def test_a_reporter_cannot_open_another_citys_report(client_for):
    assert client_for("city-reporter").get(entry(org="610300")).status_code == 403  # 宝鸡


def test_a_viewer_reads_the_grid_without_inputs_and_cannot_write(client_for):
    store("610116", "base_stations_5g", "2023Q4", 1200)
    client = client_for("viewer")
    page = client.get(entry()).content.decode()
    assert 'name="v:' not in page and "1,200" in page and "您只能查看本报表" in page
    assert client.post(entry(), {cell("610116", "base_stations_5g"): "1"}).status_code == 403
    assert value("610116", "base_stations_5g") == 1200


def test_a_department_reads_but_does_not_report_the_cities_data_set(client_for):
    client = client_for("department")
    assert 'name="v:' not in client.get(entry()).content.decode()
    assert client.post(entry(), {cell("610116", "base_stations_5g"): "1"}).status_code == 403


def test_an_operator_opens_its_own_operators_grid_only(client_for):
    client = client_for("operator")  # 中国移动
    url = reverse(
        "collection:entry", kwargs={"data_set": "operator-monthly", "org": "610100", "period": "202312"}
    )
    assert client.get(url + "?operator=ctcc").status_code == 403
    assert client.post(url + "?operator=ctcc", {cell("610116", "base_stations_5g"): "1"}).status_code == 403
    own = client.get(url).content.decode()  # the operator is implied
    assert "中国移动" in own and 'name="v:610116:base_stations_5g"' in own
    response = client.post(url, {cell("610116", "base_stations_5g"): "321"})
    assert response.status_code == 302 and response["Location"] == url + "?operator=cmcc"
    assert value("610116", "base_stations_5g", "202312", "cmcc") == 321
    assert value("610116", "base_stations_5g", "202312", "ctcc") is None


def test_a_report_by_operator_asks_which_operator_first(client_for):
    url = reverse(
        "collection:entry", kwargs={"data_set": "operator-monthly", "org": "610100", "period": "202312"}
    )
    page = client_for("province").get(url).content.decode()
    assert 'name="v:' not in page and url + "?operator=ctcc" in page and "中国广电" in page


def test_a_period_of_another_kind_or_an_unknown_data_set_is_not_found(reporter_client):
    assert reporter_client.get(entry(period="202312")).status_code == 404
    assert reporter_client.get(entry(period="2023Q5")).status_code == 404
    assert reporter_client.get(entry(data_set="no-such-set")).status_code == 404


def test_reporter_submits_province_returns_with_reason_then_approves(reporter_client, client_for):
    reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1200"})
    report = xian_report()
    page = reporter_client.get(entry()).content.decode()
    submit = reverse("collection:act", kwargs={"pk": report.pk, "action": "submit"})
    assert submit in page
    assert reverse("collection:act", kwargs={"pk": report.pk, "action": "approve"}) not in page

    response = reporter_client.post(submit, {"next": entry()})
    assert response.status_code == 302 and response["Location"] == entry()
    assert xian_report().status == S.SUBMITTED

    province = client_for("province")
    assert 'aria-label="对账"' in province.get(entry()).content.decode()  # the reviewer compares sources
    assert 'aria-label="对账"' not in reporter_client.get(entry()).content.decode()
    ret = reverse("collection:act", kwargs={"pk": report.pk, "action": "return"})
    assert ret in province.get(reverse("collection:submission", kwargs={"pk": report.pk})).content.decode()
    refused = province.post(ret, {"comment": "  "})
    assert refused.status_code == 200 and "请填写退回的原因" in refused.content.decode()
    assert xian_report().status == S.SUBMITTED
    province.post(ret, {"comment": "长安区基站数与运营商月报不符"})
    assert xian_report().status == S.RETURNED

    page = reporter_client.get(entry()).content.decode()
    assert "长安区基站数与运营商月报不符" in page and 'name="v:610116:base_stations_5g"' in page
    reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1210"})
    reporter_client.post(submit)
    approve = reverse("collection:act", kwargs={"pk": report.pk, "action": "approve"})
    response = province.post(approve)
    assert response.status_code == 302
    assert response["Location"] == reverse("collection:submission", kwargs={"pk": report.pk})
    assert xian_report().status == S.APPROVED

    detail = province.get(response["Location"]).content.decode()
    for text in ("已审核", "长安区基站数与运营商月报不符", "u-city-reporter", "u-province"):
        assert text in detail
    assert 'name="v:' not in reporter_client.get(entry()).content.decode()
    assert [e.action for e in xian_report().events.all()] == ["submit", "return", "submit", "approve"]


def test_only_the_steps_a_user_may_take_are_offered_and_others_are_refused(reporter_client, client_for):
    reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1200"})
    report = xian_report()
    approve = reverse("collection:act", kwargs={"pk": report.pk, "action": "approve"})
    assert reporter_client.post(approve).status_code == 403  # a reporter does not review
    assert client_for("viewer").post(approve).status_code == 403
    assert reporter_client.get(approve).status_code == 405
    assert (
        reporter_client.post(reverse("collection:act", kwargs={"pk": report.pk, "action": "x"})).status_code
        == 404
    )
    baoji = client_for("city-reviewer")
    assert baoji.get(reverse("collection:submission", kwargs={"pk": report.pk})).status_code == 403
    assert xian_report().status == S.DRAFT


def test_a_next_address_elsewhere_is_not_followed(reporter_client):
    reporter_client.post(entry(), {cell("610116", "base_stations_5g"): "1200"})
    report = xian_report()
    submit = reverse("collection:act", kwargs={"pk": report.pk, "action": "submit"})
    response = reporter_client.post(submit, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("collection:submission", kwargs={"pk": report.pk})


def test_values_that_came_another_way_make_a_report_that_can_be_submitted(reporter_client):
    store("610116", "base_stations_5g", "2023Q4", 1200)  # e.g. `yangfan values import`
    page = reporter_client.get(entry()).content.decode()
    report = xian_report()
    assert reverse("collection:act", kwargs={"pk": report.pk, "action": "submit"}) in page


def test_findings_are_shown_beside_their_cell_and_warnings_are_explained_on_submit(reporter_client):
    store("610116", "base_stations_5g", "2023Q3", 1000)
    store("610102", "population", "2023", 100)  # another report's figure (yearly), read by rule V04
    reporter_client.post(
        entry(), {cell("610116", "base_stations_5g"): "1500", cell("610102", "mobile_users_5g"): "200"}
    )
    page = reporter_client.get(entry()).content.decode()
    assert "发现 1 个错误、1 个警告" in page
    assert page.count('class="finding warning"') == 3  # in the list, beside the cell, in the submit form
    assert page.count('class="finding error"') == 2  # in the list, beside the cell
    assert 'name="explain:V07|610116|2023Q4|"' in page
    submit = reverse("collection:act", kwargs={"pk": xian_report().pk, "action": "submit"})
    refused = reporter_client.post(submit, {"explain:V07|610116|2023Q4|": "新建高铁站配套基站"})
    assert refused.status_code == 200 and "V04" in refused.content.decode()
    assert xian_report().status == S.DRAFT

    reporter_client.post(entry(), {cell("610102", "mobile_users_5g"): "90"})
    unexplained = reporter_client.post(submit, {"next": entry()})
    assert unexplained.status_code == 200 and xian_report().status == S.DRAFT
    reporter_client.post(submit, {"explain:V07|610116|2023Q4|": "新建高铁站配套基站", "next": entry()})
    report = xian_report()
    assert report.status == S.SUBMITTED
    assert report.explanations == {"V07|610116|2023Q4|": "新建高铁站配套基站"}
    detail = reporter_client.get(reverse("collection:submission", kwargs={"pk": report.pk})).content.decode()
    assert "新建高铁站配套基站" in detail


def test_without_the_checks_module_the_grid_still_works(reporter_client, monkeypatch):
    monkeypatch.setitem(sys.modules, "yangfan.collection.checks", None)  # importing it raises ImportError
    page = reporter_client.get(entry()).content.decode()
    assert page.count('name="v:') == 39 and "发现" not in page


def test_the_index_lists_the_data_sets_and_opens_the_report_picked(reporter_client):
    url = reverse("collection:index")
    page = reporter_client.get(url).content.decode()
    assert "地市5G发展季报" in page and "本岗位报送" in page and entry() in page
    response = reporter_client.get(
        url, {"data_set": "city-quarterly", "org_unit": "610100", "period": "2023Q4"}
    )
    assert response.status_code == 302 and response["Location"] == entry()
    wrong = reporter_client.get(url, {"data_set": "city-quarterly", "org_unit": "610100", "period": "202312"})
    assert wrong.status_code == 200 and "2023Q4 这样的形式" in wrong.content.decode()


def test_the_navigation_links_data_entry_for_roles_that_see_data(client_for):
    assert reverse("collection:index") in client_for("viewer").get(reverse("portal:home")).content.decode()
    auditor = client_for("auditor")
    assert reverse("collection:index") not in auditor.get(reverse("portal:home")).content.decode()
    assert auditor.get(reverse("collection:index")).status_code == 403
