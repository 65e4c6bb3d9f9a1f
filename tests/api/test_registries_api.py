"""The registries API: entries listed within the caller's view scope and filtered as the pages filter them,
written through the registries' services (capture scope, checks, duplicates, audit) with foreign keys given by
code, and the counts the indicator engine reads (A6 counts the VPNs in use at a period's end)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from tests.api.conftest import Api

from yangfan.actionplans.models import Operator, Sector
from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.models import ApplicationCase, IndustryVpn, Supplier
from yangfan.registries.services import entry_save

# valid 统一社会信用代码 (published examples; see tests/core/test_uscc.py)
CREDIT_CODE = "91110000600037341L"
OTHER_CREDIT_CODE = "9144030071526726XG"


def denied() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def vpn_body(**changes) -> dict:
    return {
        "org_unit": "610100",
        "name": "西电集团5G行业虚拟专网",
        "enterprise": "中国西电集团有限公司",
        "operator": "cmcc",
        "sector": "industrial-internet",
        "vpn_type": "slice",
        "commissioned_on": "2023-01-15",
    } | changes


def case_body(**changes) -> dict:
    return {
        "org_unit": "610100",
        "name": "5G智慧工厂",
        "sector": "industrial-internet",
        "scenario": "机器视觉质检",
        "enterprise": "陕西汽车控股集团有限公司",
        "network_form": "public",
        "stage": "production",
        "started_on": "2022-06-01",
    } | changes


def counts(client: Api, org: str, period: str) -> dict:
    response = client.get("registry_counts", {"org": org, "period": period})
    assert response.status_code == 200, response.content
    return {row["code"]: row["count"] for row in response.json()["registries"]}


@pytest.fixture
def seeded(make_user):
    """A few entries of the repository of cases and of the supplier directory, written by the province."""
    actor = make_user("province", username="seeder")
    sector = {s.code: s for s in Sector.objects.all()}
    supplier = entry_save(
        actor=actor,
        entry=Supplier(
            org_unit=unit("610100"), name="陕西移动", credit_code=CREDIT_CODE, listed_on=date(2022, 1, 1)
        ),
    )
    rows = [
        ("智慧矿山无人驾驶", "smart-mining", "610800", "矿卡编组无人驾驶"),  # 榆林
        ("智慧工厂机器视觉", "industrial-internet", "610100", "机器视觉质检"),
        ("远程超声诊断", "smart-healthcare", "610300", "远程医疗"),  # 宝鸡
    ]
    cases = {}
    for name, code, org, scenario in rows:
        cases[name] = entry_save(
            actor=actor,
            entry=ApplicationCase(
                org_unit=unit(org),
                name=name,
                sector=sector[code],
                scenario=scenario,
                enterprise="某企业",
                network_form="public",
                stage="pilot",
                started_on=date(2022, 3, 1),
            ),
            m2m={"suppliers": [supplier]},
        )
    return {"supplier": supplier, "cases": cases}


# --- writing and counting ----------------------------------------------------------------------------------------


def test_a_vpn_the_province_registers_counts_for_a6_until_the_day_it_is_retired(api, db):
    province = api("province")
    assert counts(province, "610000", "2023Q4")["industry_vpn"] == 0

    response = province.post("registry_entries", vpn_body(), slug="vpns")
    assert response.status_code == 201, response.content
    vpn = response.json()
    assert (vpn["org_unit"], vpn["org_unit_name"], vpn["operator"], vpn["sector"]) == (
        "610100",
        "西安市",
        "cmcc",
        "industrial-internet",
    )
    assert (vpn["vpn_type_label"], vpn["created_by"], vpn["retired_on"]) == ("网络切片", "u-province", None)
    stored = IndustryVpn.objects.get(pk=vpn["id"])
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="registries.industryvpn", object_id=str(stored.pk)
        ).count()
        == 1
    )

    assert counts(province, "610000", "2023Q4")["industry_vpn"] == 1  # counted in the province
    assert counts(province, "610100", "2023Q4")["industry_vpn"] == 1
    assert counts(province, "610300", "2023Q4")["industry_vpn"] == 0  # 宝鸡
    assert counts(province, "610000", "2022Q4")["industry_vpn"] == 0  # not yet commissioned
    [a6] = [
        row
        for row in province.get("indicator_values", {"org": "610000", "period": "2023Q4"}).json()
        if row["indicator"] == "A6"
    ]
    assert a6["value"] == "1"  # what the indicator engine reads: the same count

    response = province.put("registry_entry", vpn_body(retired_on="2023-06-30"), slug="vpns", pk=vpn["id"])
    assert response.status_code == 200, response.content
    assert response.json()["retired_on"] == "2023-06-30"
    assert counts(province, "610000", "2023Q4")["industry_vpn"] == 0
    assert counts(province, "610000", "2023Q1")["industry_vpn"] == 1
    assert counts(province, "610000", "2023Q2")["industry_vpn"] == 0  # retired on the quarter's last day
    update = AuditEntry.objects.get(
        action="update", object_type="registries.industryvpn", object_id=str(stored.pk)
    )
    assert update.changes["retired_on"] == [None, "2023-06-30"]


def test_the_counts_name_every_registry_of_the_plan_and_none_for_those_not_kept(api, db):
    body = api("viewer").get("registry_counts", {"org": "610000", "period": "2023"}).json()
    assert (body["org_unit"], body["period"], body["as_of"]) == ("610000", "2023", "2023-12-31")
    rows = {row["code"]: row for row in body["registries"]}
    assert rows["industry_vpn"] == {
        "code": "industry_vpn",
        "name": "5G行业虚拟专网",
        "registry": "vpns",
        "count": 0,
    }
    assert rows["iiot_platform"]["registry"] == "carriers"
    # every registry the plan names is kept now: 创新引领区 and 绽放杯 are lists of their own, 双千兆城市 and
    # 共性技术平台 are carriers the plan file declares (so Q20 「全面建成双千兆城市」 has a figure)
    assert (rows["bloom_cup"]["registry"], rows["innovation_lead_zone"]["registry"]) == (
        "bloom-cup",
        "lead-zones",
    )
    assert rows["gigabit_city"]["registry"] == rows["common_tech_platform"]["registry"] == "carriers"
    assert [code for code, row in rows.items() if row["count"] is None] == []


def test_the_four_registries_count_what_the_database_holds(api, make_user):
    from yangfan.actionplans.models import Sector
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.choices import BloomCupAward, CarrierKind
    from yangfan.registries.models import BloomCupEntry, Carrier, LeadZone
    from yangfan.registries.services import entry_save

    province = make_user("province", username="registrar")
    xian, baoji = OrgUnit.objects.get(code="610100"), OrgUnit.objects.get(code="610300")
    mining = Sector.objects.get(code="smart-mining")
    entry_save(
        actor=province,
        entry=LeadZone(org_unit=xian, name="高新区引领区", sector=mining, recognised_on=date(2022, 5, 1)),
    )
    entry_save(  # retired before the end of 2023: not counted then
        actor=province,
        entry=LeadZone(
            org_unit=xian, name="旧引领区", recognised_on=date(2022, 1, 1), retired_on=date(2023, 3, 1)
        ),
    )
    for year, name in ((2022, "项目甲"), (2023, "项目乙")):
        entry_save(
            actor=province,
            entry=BloomCupEntry(
                org_unit=xian,
                round_year=year,
                name=name,
                enterprise="测试企业",
                entered_on=date(year, 5, 1),
                award=BloomCupAward.ENTERED,
            ),
        )
    entry_save(
        actor=province,
        entry=Carrier(
            org_unit=baoji,
            kind=CarrierKind.GIGABIT_CITY,
            name="宝鸡双千兆城市",
            recognised_on=date(2023, 2, 1),
        ),
    )
    viewer = api("viewer")

    def counts(org, period):
        body = viewer.get("registry_counts", {"org": org, "period": period}).json()
        return {row["code"]: row["count"] for row in body["registries"]}

    assert (
        counts("610100", "2023")["innovation_lead_zone"],
        counts("610100", "2022")["innovation_lead_zone"],
    ) == (
        1,
        2,
    )
    assert (counts("610100", "2022")["bloom_cup"], counts("610100", "2023")["bloom_cup"]) == (1, 2)
    assert counts("610000", "2023")["gigabit_city"] == 1 and counts("610100", "2023")["gigabit_city"] == 0
    assert counts("610000", "2022")["gigabit_city"] == 0


def test_counts_are_refused_outside_the_view_scope_and_need_a_unit_and_a_valid_period(api, db):
    reviewer = api("city-reviewer")  # 宝鸡
    before = denied()
    assert reviewer.get("registry_counts", {"org": "610100"}).status_code == 403
    assert denied() == before + 1
    assert reviewer.get("registry_counts", {"org": "610300"}).status_code == 200
    missing = reviewer.get("registry_counts")
    assert missing.status_code == 400 and "org" in missing.json()["detail"]
    assert reviewer.get("registry_counts", {"org": "999999"}).status_code == 400
    bad = reviewer.get("registry_counts", {"org": "610300", "period": "2023Q9"})
    assert bad.status_code == 400 and bad.json()["detail"]


def test_a_city_reporter_registers_cases_in_its_city_and_is_refused_in_another(api, seeded):
    reporter = api("city-reporter")  # 西安
    supplier = seeded["supplier"]
    response = reporter.post("registry_entries", case_body(suppliers=[supplier.pk]), slug="cases")
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["org_unit"], case["sector"], case["suppliers"], case["stage_label"]) == (
        "610100",
        "industrial-internet",
        [supplier.pk],
        "商用部署",
    )
    assert ApplicationCase.objects.get(pk=case["id"]).search_text  # indexed for the search by the service

    before, stored = denied(), ApplicationCase.objects.count()
    response = reporter.post("registry_entries", case_body(org_unit="610300"), slug="cases")  # 宝鸡
    assert response.status_code == 403
    assert "detail" in response.json()
    assert denied() == before + 1
    assert ApplicationCase.objects.count() == stored

    # nor may it move its own case to another city
    response = reporter.put("registry_entry", case_body(org_unit="610300"), slug="cases", pk=case["id"])
    assert response.status_code == 403 and denied() == before + 2
    assert ApplicationCase.objects.get(pk=case["id"]).org_unit.code == "610100"


def test_foreign_keys_are_given_by_code_and_refused_in_chinese(api, db):
    province = api("province")
    response = province.post("registry_entries", case_body(sector="no-such-sector"), slug="cases")
    assert response.status_code == 400
    assert "未知行业代码“no-such-sector”" in response.json()["detail"]
    response = province.post("registry_entries", vpn_body(operator="nokia", org_unit="123"), slug="vpns")
    detail = response.json()["detail"]
    assert response.status_code == 400 and "未知运营商代码" in detail and "未知地区代码" in detail
    response = province.post("registry_entries", case_body(suppliers=[999999]), slug="cases")
    assert response.status_code == 400 and "不存在" in response.json()["detail"]
    response = province.post("registry_entries", case_body(network_form="vpn"), slug="cases")
    assert response.status_code == 400 and "请选择所用的专网" in response.json()["detail"]
    assert not ApplicationCase.objects.exists()


def test_a_supplier_credit_code_is_checked_and_registered_once(api, db):
    province = api("province")
    body = {
        "org_unit": "610000",
        "name": "陕西某科技有限公司",
        "credit_code": "9111 0000 6000 3734 1l",  # as pasted: spaces, lower case
        "sectors": ["industrial-internet", "smart-mining"],
        "listed_on": "2023-03-01",
        "published": True,
    }
    response = province.post("registry_entries", body, slug="suppliers")
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == CREDIT_CODE
    assert sorted(response.json()["sectors"]) == ["industrial-internet", "smart-mining"]

    again = province.post("registry_entries", body | {"name": "另一家公司"}, slug="suppliers")
    assert again.status_code == 400
    assert "统一社会信用代码" in again.json()["detail"]
    assert Supplier.objects.count() == 1

    wrong = province.post(
        "registry_entries", body | {"credit_code": OTHER_CREDIT_CODE[:-1] + "Y"}, slug="suppliers"
    )
    assert wrong.status_code == 400 and "校验码" in wrong.json()["detail"]


# --- reading -----------------------------------------------------------------------------------------------------


def test_the_viewer_lists_cases_by_sector_and_by_search(api, seeded):
    viewer = api("viewer")
    everything = viewer.get("registry_entries", slug="cases").json()
    assert everything["count"] == 3
    by_sector = viewer.get("registry_entries", {"sector": "smart-mining"}, slug="cases").json()
    assert [c["name"] for c in by_sector["results"]] == ["智慧矿山无人驾驶"]
    for query in ("矿山", "zhks", "kuangshan", "无人驾驶 矿"):
        found = viewer.get("registry_entries", {"q": query}, slug="cases").json()
        assert [c["name"] for c in found["results"]] == ["智慧矿山无人驾驶"], query
    assert viewer.get("registry_entries", {"q": "不存在的词"}, slug="cases").json()["count"] == 0
    by_org = viewer.get("registry_entries", {"org": "610100"}, slug="cases").json()
    assert [c["name"] for c in by_org["results"]] == ["智慧工厂机器视觉"]
    supplier = seeded["supplier"].pk
    assert viewer.get("registry_entries", {"supplier": supplier}, slug="cases").json()["count"] == 3
    paged = viewer.get("registry_entries", {"limit": 2}, slug="cases").json()
    assert len(paged["results"]) == 2 and paged["next"]


def test_a_city_user_lists_only_the_entries_of_its_city(api, seeded):
    reviewer = api("city-reviewer")  # 宝鸡
    rows = reviewer.get("registry_entries", slug="cases").json()["results"]
    assert [c["name"] for c in rows] == ["远程超声诊断"]
    before = denied()
    assert reviewer.get("registry_entries", {"org": "610100"}, slug="cases").status_code == 403
    assert denied() == before + 1
    xian = seeded["cases"]["智慧工厂机器视觉"]
    assert reviewer.get("registry_entry", slug="cases", pk=xian.pk).status_code == 403
    assert denied() == before + 2
    baoji = seeded["cases"]["远程超声诊断"]
    assert reviewer.get("registry_entry", slug="cases", pk=baoji.pk).json()["name"] == "远程超声诊断"


def test_vpns_are_filtered_by_operator_and_by_the_day_they_are_in_use(api, make_user):
    actor = make_user("province", username="seeder")
    operators = {o.code: o for o in Operator.objects.all()}
    for name, operator, start, end in (
        ("专网甲", "cmcc", date(2022, 1, 1), None),
        ("专网乙", "ctcc", date(2022, 1, 1), date(2023, 3, 1)),
        ("专网丙", "cmcc", date(2023, 6, 1), None),
    ):
        entry_save(
            actor=actor,
            entry=IndustryVpn(
                org_unit=unit("610100"),
                name=name,
                enterprise="某企业",
                operator=operators[operator],
                commissioned_on=start,
                retired_on=end,
            ),
        )
    operator = api("operator")

    def names(query):
        return sorted(
            v["name"] for v in operator.get("registry_entries", query, slug="vpns").json()["results"]
        )

    assert names({"operator": "cmcc"}) == ["专网丙", "专网甲"]
    assert names({"active_on": "2023-03-01"}) == ["专网甲"]
    assert names({"active_on": "2023-02-28"}) == ["专网乙", "专网甲"]
    bad = operator.get("registry_entries", {"active_on": "2023-02-30"}, slug="vpns")
    assert bad.status_code == 400 and "日期" in bad.json()["detail"]


def test_an_operator_reads_every_registry_and_the_administrator_none(api, db):
    operator = api("operator")
    for slug in ("cases", "vpns", "suppliers", "benchmarks", "carriers"):
        response = operator.get("registry_entries", slug=slug)
        assert response.status_code == 200, slug
        assert response.json()["count"] == 0
    assert operator.get("registry_entries", slug="nothing").status_code == 404
    before = denied()
    refused = operator.post("registry_entries", vpn_body(), slug="vpns")  # operators read, never write
    assert refused.status_code == 403 and denied() == before + 1

    admin = api("admin")
    response = admin.get("registry_entries", slug="cases")
    assert response.status_code == 403 and "detail" in response.json()
    assert denied() == before + 2
    assert admin.get("registry_counts", {"org": "610000"}).status_code == 403


# --- changing and removing -----------------------------------------------------------------------------------------


def test_an_entry_is_removed_unless_something_still_uses_it(api, db):
    province = api("province")
    vpn = province.post("registry_entries", vpn_body(), slug="vpns").json()
    case = province.post(
        "registry_entries", case_body(network_form="vpn", vpn=vpn["id"]), slug="cases"
    ).json()
    assert case["vpn"] == vpn["id"]

    refused = province.delete("registry_entry", slug="vpns", pk=vpn["id"])
    assert refused.status_code == 400 and "停用" in refused.json()["detail"]

    viewer = api("viewer")
    before = denied()
    assert viewer.delete("registry_entry", slug="cases", pk=case["id"]).status_code == 403
    assert denied() == before + 1

    assert province.delete("registry_entry", slug="cases", pk=case["id"]).status_code == 204
    assert province.delete("registry_entry", slug="vpns", pk=vpn["id"]).status_code == 204
    assert not IndustryVpn.objects.exists()
    assert AuditEntry.objects.filter(action="delete").count() == 2
    assert province.get("registry_entry", slug="vpns", pk=vpn["id"]).status_code == 404


def test_a_benchmark_takes_its_case_by_id_and_the_case_sector(api, seeded):
    province = api("province")
    case = seeded["cases"]["智慧矿山无人驾驶"]
    body = {
        "org_unit": "610000",
        "case": case.pk,
        "sector": "smart-power",
        "year": 2023,
        "published_on": "2023-09-01",
    }
    wrong = province.post("registry_entries", body, slug="benchmarks")
    assert wrong.status_code == 400 and "智慧采矿" in wrong.json()["detail"]
    response = province.post("registry_entries", body | {"sector": "smart-mining"}, slug="benchmarks")
    assert response.status_code == 201, response.content
    assert response.json()["case_name"] == "智慧矿山无人驾驶"
    assert counts(province, "610000", "2023")["benchmark"] == 1
    twice = province.post("registry_entries", body | {"sector": "smart-mining"}, slug="benchmarks")
    assert twice.status_code == 400 and twice.json()["detail"]


# --- the security registries and enterprise users --------------------------------------------------------------


@pytest.fixture
def security(make_user):
    """A case in 长安区 (西安) and one in 渭滨区 (宝鸡), a body that does 密评, and a 密评 of each case (西安's expired
    at the end of 2023), written by the province."""
    from yangfan.registries.models import CryptoAssessment, EvaluationBody

    actor = make_user("province", username="security-seeder")
    power = Sector.objects.get(code="smart-power")
    cases = {}
    for org, name in (("610116", "长安智慧电网"), ("610302", "渭滨远程医疗")):
        cases[org] = entry_save(
            actor=actor,
            entry=ApplicationCase(
                org_unit=unit(org),
                name=name,
                sector=power,
                enterprise="某电力公司",
                network_form="public",
                stage="production",
                started_on=date(2022, 3, 1),
            ),
        )
    body = entry_save(
        actor=actor,
        entry=EvaluationBody(
            org_unit=unit("610100"), name="秦岭密码测评中心", does_crypto=True, recognised_on=date(2021, 1, 1)
        ),
    )
    crypto = {}
    for org, valid in (("610116", date(2023, 11, 30)), ("610302", date(2025, 5, 9))):
        crypto[org] = entry_save(
            actor=actor,
            entry=CryptoAssessment(
                org_unit=cases[org].org_unit,
                case=cases[org],
                system=f"{cases[org].name}系统",
                level="3",
                body=body,
                report_number=f"MP-{org}",
                assessed_on=date(2023, 1, 1),
                result="compliant",
                valid_until=valid,
            ),
        )
    return {"cases": cases, "body": body, "crypto": crypto}


def crypto_body(security, org: str, **changes) -> dict:
    return {
        "org_unit": org,
        "case": security["cases"][org].pk,
        "system": "新系统",
        "level": "2",
        "body": security["body"].pk,
        "report_number": "MP-NEW",
        "assessed_on": "2024-01-10",
        "result": "basically",
        "score": "80",
        "valid_until": "2026-01-09",
    } | changes


def test_a_city_office_files_its_citys_crypto_assessments_and_reads_no_other_citys(api, security):
    from yangfan.registries.models import CryptoAssessment

    office = api("city-office")  # 宝鸡
    listed = office.get("registry_entries", slug="crypto-assessments").json()["results"]
    assert [row["id"] for row in listed] == [security["crypto"]["610302"].pk]
    assert (listed[0]["level_label"], listed[0]["case_name"], listed[0]["body_name"]) == (
        "第三级",
        "渭滨远程医疗",
        "秦岭密码测评中心",
    )
    before = denied()
    xian = security["crypto"]["610116"]
    assert office.get("registry_entry", slug="crypto-assessments", pk=xian.pk).status_code == 403
    assert office.get("registry_entries", {"org": "610100"}, slug="crypto-assessments").status_code == 403
    assert denied() == before + 2
    created = office.post("registry_entries", crypto_body(security, "610302"), slug="crypto-assessments")
    assert created.status_code == 201, created.content
    stored = CryptoAssessment.objects.get(pk=created.json()["id"])
    assert (stored.org_unit.code, stored.case, stored.created_by) == (
        "610302",
        security["cases"]["610302"],
        office.user,
    )
    assert AuditEntry.objects.filter(
        action="create", object_type="registries.cryptoassessment", object_id=str(stored.pk)
    ).exists()
    # 西安's case is not its to name (it does not exist for it); placed away from its case: refused, naming why
    refused = office.post(
        "registry_entries", crypto_body(security, "610116", report_number="MP-X"), slug="crypto-assessments"
    )
    assert refused.status_code == 400 and "不存在" in refused.json()["detail"]
    elsewhere = office.post(
        "registry_entries",
        crypto_body(security, "610302", org_unit="610300", report_number="MP-Y"),
        slug="crypto-assessments",
    )
    assert elsewhere.status_code == 400 and "渭滨区" in elsewhere.json()["detail"]
    early = office.post(
        "registry_entries",
        crypto_body(security, "610302", report_number="MP-Z", valid_until="2024-01-10"),
        slug="crypto-assessments",
    )
    assert early.status_code == 400 and "有效期应晚于评估日期" in early.json()["detail"]
    assert not CryptoAssessment.objects.filter(report_number__in=["MP-X", "MP-Y", "MP-Z"]).exists()


def test_crypto_assessments_are_filtered_by_the_day_they_expired_or_stand(api, security):
    province = api("province")

    def ids(query):
        response = province.get("registry_entries", query, slug="crypto-assessments")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    xian, baoji = security["crypto"]["610116"].pk, security["crypto"]["610302"].pk
    assert ids({"expired_on": "2023-12-31"}) == {xian}
    assert ids({"current_on": "2023-12-31"}) == {baoji}
    assert ids({"current_on": "2023-06-30"}) == {xian, baoji}
    assert ids({"case": security["cases"]["610302"].pk}) == {baoji}
    assert ids({"q": "长安"}) == {xian}
    assert (
        province.get("registry_entries", {"expired_on": "去年"}, slug="crypto-assessments").status_code == 400
    )


def test_who_reads_no_security_record_is_refused_the_security_registries(api, security):
    reporter = api("city-reporter")  # reads the cases of 西安, not their security records
    before = denied()
    for slug in ("crypto-assessments", "inspections", "threats"):
        assert reporter.get("registry_entries", slug=slug).status_code == 403
    assert (
        reporter.get(
            "registry_entry", slug="crypto-assessments", pk=security["crypto"]["610116"].pk
        ).status_code
        == 403
    )
    assert denied() == before + 4
    assert [row["name"] for row in reporter.get("registry_entries", slug="cases").json()["results"]] == [
        "长安智慧电网"
    ]
    auditor = api("auditor")  # the security records, not the repository
    assert len(auditor.get("registry_entries", slug="crypto-assessments").json()["results"]) == 2
    assert auditor.get("registry_entries", slug="cases").status_code == 403
    assert (
        auditor.post(
            "registry_entries", crypto_body(security, "610116"), slug="crypto-assessments"
        ).status_code
        == 403
    )


def test_the_counts_leave_out_the_registries_the_plan_does_not_count(api, security):
    rows = api("viewer").get("registry_counts", {"org": "610000", "period": "2023"}).json()["registries"]
    registries = {row["registry"] for row in rows}
    assert registries.isdisjoint(
        {"security-bodies", "certifications", "crypto-assessments", "inspections", "threats"}
    )
    assert {"cases", "vpns"} <= registries


def test_an_enterprise_reaches_its_own_entries_only(api, make_user):
    from tests.conftest import ENTERPRISE

    actor = make_user("province", username="registrar")
    power = Sector.objects.get(code="smart-power")
    own, other = (
        entry_save(
            actor=actor,
            entry=ApplicationCase(
                org_unit=unit("610116"),
                name=name,
                sector=power,
                enterprise=owner,
                network_form="public",
                stage="pilot",
                started_on=date(2022, 3, 1),
            ),
        )
        for name, owner in (("秦川智慧工厂", ENTERPRISE), ("渭河智慧矿山", "渭河能源集团"))
    )
    enterprise = api("enterprise")
    assert [row["id"] for row in enterprise.get("registry_entries", slug="cases").json()["results"]] == [
        own.pk
    ]
    assert enterprise.get("registry_entries", {"q": "渭河"}, slug="cases").json()["results"] == []
    before = denied()
    assert enterprise.get("registry_entry", slug="cases", pk=other.pk).status_code == 403
    assert (
        enterprise.put(
            "registry_entry", case_body(enterprise=ENTERPRISE), slug="cases", pk=other.pk
        ).status_code
        == 403
    )
    assert enterprise.delete("registry_entry", slug="cases", pk=other.pk).status_code == 403
    assert (
        enterprise.post("registry_entries", vpn_body(enterprise=ENTERPRISE), slug="vpns").status_code == 403
    )
    assert enterprise.get("registry_counts", {"org": "610100", "period": "2023"}).status_code == 403
    assert denied() == before + 5
    assert ApplicationCase.objects.filter(pk=other.pk, enterprise="渭河能源集团").exists()
    assert not IndustryVpn.objects.exists()
    refused = enterprise.post("registry_entries", case_body(name="替别家登记"), slug="cases")
    assert refused.status_code == 400 and "应用企业" in refused.json()["detail"]
    created = enterprise.post(
        "registry_entries", case_body(name="秦川远程运维", enterprise=ENTERPRISE), slug="cases"
    )
    assert (
        created.status_code == 201
        and ApplicationCase.objects.get(pk=created.json()["id"]).enterprise == ENTERPRISE
    )
    assert not ApplicationCase.objects.filter(name="替别家登记").exists()


# --- the schema -----------------------------------------------------------------------------------------------


def test_the_schema_documents_the_registries_api_without_warnings(api, tmp_path):
    paths = api("viewer").get("schema", {"format": "json"}).json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/registries/{slug}/"])
    assert {"get", "put", "delete"} <= set(paths["/api/v1/registries/{slug}/{id}/"])
    assert "get" in paths["/api/v1/registries/counts/"]
    [slug] = [p for p in paths["/api/v1/registries/{slug}/"]["get"]["parameters"] if p["name"] == "slug"]
    assert set(slug["schema"]["enum"]) == {
        "cases",
        "vpns",
        "suppliers",
        "benchmarks",
        "carriers",
        "lead-zones",
        "bloom-cup",
        "standards",
        "products",
        "security-bodies",
        "certifications",
        "crypto-assessments",
        "inspections",
        "threats",
    }
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
