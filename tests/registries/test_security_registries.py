"""The security registries (四.(三) 8–11, 专栏4): evaluation bodies, 测试评估认证, 密评, inspections and threat
reports, declared as specs like every registry. Listed, searched and filtered alike on the page and through the
API, imported all or nothing, exported and read back, read with their own permissions (the security ones within
the application's unit), shown on the pages of what they are about, never counted by the plan."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.conftest import login_as

from yangfan.actionplans.models import Operator, Sector
from yangfan.audit.models import AuditEntry
from yangfan.core.errors import ImportInvalid
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.exchange import registry_export, registry_import
from yangfan.registries.models import (
    ApplicationCase,
    Certification,
    CryptoAssessment,
    EvaluationBody,
    IndustryProduct,
    IndustryVpn,
    Inspection,
    Standard,
    Supplier,
    ThreatReport,
)
from yangfan.registries.services import entry_delete, entry_save
from yangfan.registries.specs import SPECS

pytestmark = pytest.mark.django_db

SECURITY = ("security-bodies", "certifications", "crypto-assessments", "inspections", "threats")


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def denied() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


@pytest.fixture
def province(make_user):
    return make_user("province")


@pytest.fixture
def world(province):
    """长安区 (西安) and 渭滨区 (宝鸡): a case each and one with no security record, a VPN, a standard and a product;
    two bodies; certificates of the product and of 宝鸡's case; 密评 (西安's current, 西安's VPN's expired in
    2023, 宝鸡's); an open inspection in 西安 and a closed one in 宝鸡; a threat report in each city."""
    power = Sector.objects.get(code="smart-power")
    cmcc = Operator.objects.get(code="cmcc")

    def save(entry, **m2m):
        return entry_save(actor=province, entry=entry, m2m=m2m or None)

    def case(org, name, enterprise):
        return save(
            ApplicationCase(
                org_unit=unit(org),
                name=name,
                sector=power,
                enterprise=enterprise,
                network_form="public",
                stage="production",
                started_on=date(2022, 3, 1),
            )
        )

    w = SimpleNamespace()
    w.xian_case = case("610116", "长安智慧电网", "渭河电力有限公司")
    w.baoji_case = case("610302", "渭滨远程医疗", "宝鸡某医院")
    w.bare_case = case("610116", "长安无密评应用", "渭河电力有限公司")
    w.vpn = save(
        IndustryVpn(
            org_unit=unit("610116"),
            name="长安电力专网",
            enterprise="渭河电力有限公司",
            operator=cmcc,
            sector=power,
            commissioned_on=date(2021, 5, 1),
        )
    )
    w.standard = save(
        Standard(
            org_unit=unit("610100"),
            code="YD/T 3615-2022",
            title="5G电力通信技术要求",
            level="industry",
            sector=power,
            stage="published",
            proposed_on=date(2021, 3, 1),
            published_on=date(2022, 3, 1),
        )
    )
    supplier = save(
        Supplier(
            org_unit=unit("610100"),
            name="测试通信设备公司",
            credit_code="91110000600037341L",
            listed_on=date(2021, 1, 1),
        )
    )
    w.product = save(
        IndustryProduct(
            org_unit=unit("610100"),
            kind="base_station",
            name="防爆5G基站",
            supplier=supplier,
            stage="commercial",
            started_on=date(2021, 2, 1),
            commercial_on=date(2022, 1, 1),
        )
    )
    w.crypto_body = save(
        EvaluationBody(
            org_unit=unit("610100"), name="秦岭密码测评中心", does_crypto=True, recognised_on=date(2021, 1, 1)
        )
    )
    w.lab = save(
        EvaluationBody(
            org_unit=unit("610400"),
            name="关中检测认证中心",
            does_testing=True,
            does_certification=True,
            recognised_on=date(2021, 1, 1),
        )
    )
    w.cert_product = save(
        Certification(
            org_unit=unit("610100"),
            body=w.lab,
            kind="certification",
            number="CERT-001",
            standard=w.standard,
            product=w.product,
            result="passed",
            issued_on=date(2022, 5, 1),
            valid_until=date(2025, 4, 30),
        )
    )
    w.cert_case = save(
        Certification(
            org_unit=unit("610302"),
            body=w.lab,
            kind="evaluation",
            number="EVAL-002",
            case=w.baoji_case,
            result="failed",
            issued_on=date(2023, 1, 10),
            valid_until=date(2023, 12, 31),
        )
    )

    def crypto(application, system, level, number, assessed, valid, result, score=None):
        kind = "vpn" if isinstance(application, IndustryVpn) else "case"
        return save(
            CryptoAssessment(
                org_unit=application.org_unit,
                **{kind: application},
                system=system,
                level=level,
                body=w.crypto_body,
                report_number=number,
                assessed_on=assessed,
                result=result,
                score=score,
                valid_until=valid,
            )
        )

    w.crypto_xian = crypto(
        w.xian_case,
        "长安电网调度系统",
        "3",
        "MP-2023-001",
        date(2023, 3, 1),
        date(2024, 2, 29),
        "compliant",
        90,
    )
    w.crypto_expired = crypto(
        w.vpn, "专网管理系统", "2", "MP-2021-002", date(2021, 6, 1), date(2023, 5, 31), "basically"
    )
    w.crypto_baoji = crypto(
        w.baoji_case, "远程医疗平台", "2", "MP-2023-003", date(2023, 5, 10), date(2025, 5, 9), "non_compliant"
    )
    w.insp_xian = save(
        Inspection(
            org_unit=unit("610116"),
            target="application",
            subject="长安电网调度系统检查",
            case=w.xian_case,
            inspected_on=date(2023, 4, 1),
            inspector="西安市检查组",
            findings="日志留存不足",
            follow_up="完善日志留存",
            follow_up_due=date(2023, 6, 30),
        )
    )
    w.insp_baoji = save(
        Inspection(
            org_unit=unit("610302"),
            target="application",
            subject="渭滨远程医疗检查",
            case=w.baoji_case,
            inspected_on=date(2023, 2, 1),
            inspector="宝鸡市检查组",
            follow_up="补充访问控制",
            follow_up_due=date(2023, 3, 31),
            closed_on=date(2023, 3, 1),
        )
    )
    w.threat_xian = save(
        ThreatReport(
            org_unit=unit("610100"),
            title="CPE默认口令漏洞",
            source="国家平台",
            severity="high",
            received_on=date(2023, 3, 1),
        )
    )
    w.threat_baoji = save(
        ThreatReport(
            org_unit=unit("610300"),
            title="针对专网的钓鱼邮件",
            source="省通信管理局",
            severity="medium",
            received_on=date(2023, 4, 1),
            handling="已通报并拦截",
            closed_on=date(2023, 4, 10),
        )
    )
    return w


def _page_ids(client, slug: str, query: dict) -> set[int]:
    response = client.get(reverse("registries:list", kwargs={"slug": slug}), query)
    assert response.status_code == 200
    return {row["entry"].pk for row in response.context["rows"]}


def _api_ids(client, slug: str, query: dict) -> set[int]:
    response = client.get(reverse("api:registry_entries", kwargs={"slug": slug}), query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _api_client(user) -> Client:
    from yangfan.accounts.services import token_create

    return Client(HTTP_AUTHORIZATION="Bearer " + token_create(actor=None, user=user, days=1)[1])


# (registry, query, the entries it finds): "@name" in a query is the id of the world's entry of that name
FOUND = [
    ("security-bodies", {}, {"crypto_body", "lab"}),
    ("security-bodies", {"does_crypto": "1"}, {"crypto_body"}),
    ("security-bodies", {"does_testing": "0"}, {"crypto_body"}),
    ("security-bodies", {"does_certification": "1"}, {"lab"}),
    ("security-bodies", {"q": "关中"}, {"lab"}),
    ("security-bodies", {"standing": "2020-06-01"}, set()),
    ("certifications", {"kind": "evaluation"}, {"cert_case"}),
    ("certifications", {"result": "passed"}, {"cert_product"}),
    ("certifications", {"valid_on": "2024-06-01"}, {"cert_product"}),
    ("certifications", {"product": "@product"}, {"cert_product"}),
    ("certifications", {"standard": "@standard"}, {"cert_product"}),
    ("certifications", {"case": "@baoji_case"}, {"cert_case"}),
    ("certifications", {"body": "@lab"}, {"cert_product", "cert_case"}),
    ("certifications", {"q": "防爆"}, {"cert_product"}),  # by the product's name
    ("crypto-assessments", {"level": "3"}, {"crypto_xian"}),
    ("crypto-assessments", {"result": "non_compliant"}, {"crypto_baoji"}),
    ("crypto-assessments", {"expired_on": "2023-12-31"}, {"crypto_expired"}),
    ("crypto-assessments", {"current_on": "2023-12-31"}, {"crypto_xian", "crypto_baoji"}),
    ("crypto-assessments", {"current_on": "2022-01-01"}, {"crypto_expired"}),
    ("crypto-assessments", {"case": "@xian_case"}, {"crypto_xian"}),
    ("crypto-assessments", {"vpn": "@vpn"}, {"crypto_expired"}),
    ("crypto-assessments", {"body": "@crypto_body"}, {"crypto_xian", "crypto_expired", "crypto_baoji"}),
    ("crypto-assessments", {"q": "调度"}, {"crypto_xian"}),
    ("crypto-assessments", {"q": "长安电力"}, {"crypto_expired"}),  # by the VPN's name
    ("crypto-assessments", {"org": "610300"}, {"crypto_baoji"}),
    ("inspections", {"state": "open"}, {"insp_xian"}),
    ("inspections", {"state": "closed"}, {"insp_baoji"}),
    ("inspections", {"target": "cii"}, set()),
    ("inspections", {"case": "@baoji_case"}, {"insp_baoji"}),
    ("inspections", {"q": "西安市检查组"}, {"insp_xian"}),
    ("threats", {"severity": "high"}, {"threat_xian"}),
    ("threats", {"state": "closed"}, {"threat_baoji"}),
    ("threats", {"q": "钓鱼"}, {"threat_baoji"}),
    ("threats", {"org": "610100"}, {"threat_xian"}),
]


def test_each_security_registry_is_listed_searched_and_filtered_alike_on_the_page_and_the_api(
    world, province
):
    client = login_as(Client(), province)
    api = _api_client(province)
    for slug, query, names in FOUND:
        query = {k: str(getattr(world, v[1:]).pk) if v.startswith("@") else v for k, v in query.items()}
        expected = {getattr(world, name).pk for name in names}
        model = SPECS[slug].model
        assert set(model.objects.filter(pk__in=expected).values_list("pk", flat=True)) == expected
        assert _page_ids(client, slug, query) == expected, (slug, query)
        assert _api_ids(api, slug, query) == expected, (slug, query)


def test_a_date_filter_that_cannot_be_read_is_a_message_on_the_page_and_400_through_the_api(world, province):
    client = login_as(Client(), province)
    response = client.get(
        reverse("registries:list", kwargs={"slug": "crypto-assessments"}), {"expired_on": "昨天"}
    )
    assert response.status_code == 200 and "应写作 2023-12-31" in response.content.decode()
    answer = _api_client(province).get(
        reverse("api:registry_entries", kwargs={"slug": "crypto-assessments"}), {"current_on": "2023-13-01"}
    )
    assert answer.status_code == 400 and "2023-12-31" in answer.json()["detail"]


def test_a_validity_ending_before_its_date_is_refused_and_nothing_is_written(world, province):
    count = CryptoAssessment.objects.count()
    bad = CryptoAssessment(
        org_unit=world.bare_case.org_unit,
        case=world.bare_case,
        system="新系统",
        level="2",
        body=world.crypto_body,
        report_number="MP-2023-900",
        assessed_on=date(2023, 6, 1),
        result="compliant",
        valid_until=date(2023, 6, 1),
    )
    with pytest.raises(ValidationError) as refused:
        entry_save(actor=province, entry=bad)
    assert refused.value.message_dict == {"valid_until": ["有效期应晚于评估日期。"]}
    assert CryptoAssessment.objects.count() == count


def test_a_record_about_an_application_is_placed_where_the_application_is(world, province):
    elsewhere = CryptoAssessment(
        org_unit=unit("610300"),  # 宝鸡, while the case is in 长安区
        case=world.bare_case,
        system="新系统",
        level="2",
        body=world.crypto_body,
        report_number="MP-2023-901",
        assessed_on=date(2023, 6, 1),
        result="compliant",
        valid_until=date(2025, 5, 31),
    )
    with pytest.raises(ValidationError) as refused:
        entry_save(actor=province, entry=elsewhere)
    assert refused.value.message_dict["org_unit"] == ["地区应与“长安无密评应用”所在地区（长安区）一致。"]
    inspection = Inspection(
        org_unit=unit("610100"),
        target="application",
        subject="专网检查",
        vpn=world.vpn,
        inspected_on=date(2023, 6, 1),
        inspector="西安市检查组",
    )
    with pytest.raises(ValidationError, match="长安区"):
        entry_save(actor=province, entry=inspection)
    assert not CryptoAssessment.objects.filter(report_number="MP-2023-901").exists()
    assert not Inspection.objects.filter(subject="专网检查").exists()


def test_a_body_without_the_capability_is_refused_for_a_crypto_assessment(world, province):
    not_crypto = CryptoAssessment(
        org_unit=world.bare_case.org_unit,
        case=world.bare_case,
        system="新系统",
        level="2",
        body=world.lab,
        report_number="MP-2023-902",
        assessed_on=date(2023, 6, 1),
        result="compliant",
        valid_until=date(2025, 5, 31),
    )
    with pytest.raises(ValidationError) as refused:
        entry_save(actor=province, entry=not_crypto)
    assert "未登记商用密码应用安全性评估能力" in refused.value.message_dict["body"][0]
    with pytest.raises(ValidationError, match="至少选择"):
        entry_save(
            actor=province,
            entry=EvaluationBody(org_unit=unit("610100"), name="无能力机构", recognised_on=date(2022, 1, 1)),
        )
    with pytest.raises(ValidationError, match="重复"):
        entry_save(
            actor=province,
            entry=EvaluationBody(
                org_unit=unit("610300"),
                name="秦岭密码测评中心",
                does_testing=True,
                recognised_on=date(2022, 1, 1),
            ),
        )
    assert EvaluationBody.objects.count() == 2


# --- import and export ----------------------------------------------------------------------------------------

GOOD = {
    "security-bodies": (
        "机构名称,统一社会信用代码,地区,5G应用安全评估,商用密码应用安全性评估,安全检测,安全认证,资质,登记日期\n"
        "渭南安全评估中心,,610500,是,否,否,否,网络安全服务认证,2022-01-05\n"
        "延河密码测评有限公司, 91110000 600037341l ,610600,否,是,否,否,,2022/3/1\n"
    ),
    "certifications": (
        "评测认证机构,类别,证书或报告编号,依据标准,产品,应用案例,其他对象,结论,出具日期,有效期至,地区\n"
        "关中检测认证中心,认证,CERT-100,YD/T 3615-2022,防爆5G基站,,,通过,2023-01-05,2026-01-04,610100\n"
        "关中检测认证中心,测试,CERT-101,5G电力通信技术要求,,长安智慧电网,,通过,2023-02-01,,610116\n"
    ),
    "crypto-assessments": (
        "应用案例,行业虚拟专网,被测信息系统,密码应用等级,密评机构,报告编号,评估日期,评估结论,得分,有效期至,地区\n"
        "长安无密评应用,,无密评应用系统,第三级,秦岭密码测评中心,MP-2023-100,2023-06-01,符合,88.5,2024-05-31,610116\n"
        ",长安电力专网,专网系统,第二级,秦岭密码测评中心,MP-2023-101,2023-07-01,基本符合,,2025-06-30,长安区\n"
    ),
    "inspections": (
        "检查对象类别,检查对象,应用案例,行业虚拟专网,检查日期,检查单位,发现的问题,整改要求,整改时限,整改完成日期,地区\n"
        "5G应用,长安无密评应用检查,长安无密评应用,,2023-08-01,西安市检查组,未发现问题,,,,610116\n"
        "关键信息基础设施,西安边缘节点,,,2023-09-01,省通信管理局,门禁记录不全,补齐记录,2023-10-31,,610100\n"
    ),
    "threats": (
        "威胁信息,来源,危害程度,接收日期,内容,共享对象,共享日期,处置情况,处置完成日期,地区\n"
        "工业网关漏洞,国家平台,高,2023-05-01,,各市办公室,2023-05-02,,,610100\n"
        "MEC未授权访问,省通信管理局,低,2023-06-01,,,,已修补,2023-06-20,宝鸡市\n"
    ),
}
# (a good row, then the bad row as row 3 of the file): the bad row's column and what its message says
BAD = {
    "security-bodies": ("宝鸡评测中心,,610300,否,否,否,否,,2022-01-05", "5G应用安全评估", "至少选择"),
    "certifications": (
        "不存在的机构,测试,CERT-102,,防爆5G基站,,,通过,2023-01-05,,610100",
        "评测认证机构",
        "未找到",
    ),
    "crypto-assessments": (
        "长安智慧电网,,调度系统,第三级,秦岭密码测评中心,MP-2023-102,2023-06-01,符合,,2023-05-31,610116",
        "有效期至",
        "有效期应晚于评估日期",
    ),
    "inspections": ("5G应用,调度检查,,,2023-08-01,西安市检查组,,补充审计,,,610100", "整改时限", "整改时限"),
    "threats": ("勒索软件,国家平台,中,2023-05-01,,,,,2023-05-20,610100", "处置情况", "处置情况"),
}


def _counts() -> dict[str, int]:
    return {slug: SPECS[slug].model.objects.count() for slug in SECURITY} | {
        "audit": AuditEntry.objects.count()
    }


@pytest.mark.parametrize("slug", SECURITY)
def test_a_good_file_is_imported_and_importing_it_again_changes_nothing(world, province, slug):
    before = _counts()
    content = GOOD[slug].encode()
    outcome = registry_import(slug=slug, content=content, file=f"{slug}.csv", actor=province)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    assert SPECS[slug].model.objects.count() == before[slug] + 2
    again = registry_import(slug=slug, content=content, file=f"{slug}.csv", actor=province)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert SPECS[slug].model.objects.count() == before[slug] + 2


def test_imported_rows_hold_what_their_cells_say(world, province):
    for slug in SECURITY:
        registry_import(slug=slug, content=GOOD[slug].encode(), file=f"{slug}.csv", actor=province)
    second = EvaluationBody.objects.get(name="延河密码测评有限公司")
    assert second.credit_code == "91110000600037341L" and second.does_crypto and not second.does_assessment
    assert second.recognised_on == date(2022, 3, 1) and second.org_unit.code == "610600"
    by_code, by_title = (
        Certification.objects.get(number="CERT-100"),
        Certification.objects.get(number="CERT-101"),
    )
    assert (
        by_code.standard == world.standard and by_code.product == world.product and by_code.body == world.lab
    )
    assert by_title.standard == world.standard and by_title.case == world.xian_case
    assert by_title.kind == "test" and by_title.valid_until is None
    of_case = CryptoAssessment.objects.get(report_number="MP-2023-100")
    assert (of_case.case, of_case.level, of_case.result, of_case.score) == (
        world.bare_case,
        "3",
        "compliant",
        88.5,
    )
    assert of_case.score == Decimal("88.50") and of_case.valid_until == date(2024, 5, 31)
    of_vpn = CryptoAssessment.objects.get(report_number="MP-2023-101")
    assert of_vpn.vpn == world.vpn and of_vpn.case is None and of_vpn.org_unit.code == "610116"
    cii = Inspection.objects.get(subject="西安边缘节点")
    assert cii.target == "cii" and cii.follow_up_due == date(2023, 10, 31) and cii.closed_on is None
    handled = ThreatReport.objects.get(title="MEC未授权访问")
    assert (
        handled.severity == "low"
        and handled.closed_on == date(2023, 6, 20)
        and handled.org_unit.code == "610300"
    )


@pytest.mark.parametrize("slug", SECURITY)
def test_a_bad_row_is_named_with_its_row_and_column_and_nothing_is_written(world, province, slug):
    header, first, *_rest = GOOD[slug].splitlines()
    row, column, message = BAD[slug]
    before = _counts()
    with pytest.raises(ImportInvalid) as refused:
        registry_import(
            slug=slug, content=f"{header}\n{first}\n{row}\n".encode(), file=f"{slug}.csv", actor=province
        )
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, column) and message in error.message
    assert _counts() == before


def test_a_crypto_row_placed_away_from_its_application_names_the_region(world, province):
    content = (
        "应用案例,被测信息系统,密码应用等级,密评机构,报告编号,评估日期,评估结论,有效期至,地区\n"
        "长安无密评应用,无密评应用系统,第三级,秦岭密码测评中心,MP-2023-110,2023-06-01,符合,2024-05-31,610300\n"
    )
    with pytest.raises(ImportInvalid) as refused:
        registry_import(slug="crypto-assessments", content=content.encode(), file="m.csv", actor=province)
    [error] = refused.value.errors
    assert (error.row, error.column) == (2, "地区") and "长安区" in error.message
    assert not CryptoAssessment.objects.filter(report_number="MP-2023-110").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_of_crypto_assessments_brought_into_an_empty_registry_recreates_them(world, province, fmt):
    fields = (
        "report_number",
        "case_id",
        "vpn_id",
        "system",
        "level",
        "body_id",
        "assessed_on",
        "result",
        "score",
    )
    kept = sorted(CryptoAssessment.objects.values_list(*fields, "valid_until", "org_unit_id"))
    content = registry_export("crypto-assessments", CryptoAssessment.objects.all(), fmt)
    assert registry_export("crypto-assessments", CryptoAssessment.objects.all(), fmt) == content
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        scores = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert 90 in scores  # a number, not text
    else:
        text = content.decode("utf-8-sig")
        assert (
            "长安智慧电网" in text
            and "长安电力专网" in text
            and "秦岭密码测评中心" in text
            and "第三级" in text
        )
    CryptoAssessment.objects.all().delete()
    outcome = registry_import(slug="crypto-assessments", content=content, file=f"m.{fmt}", actor=province)
    assert outcome.created == 3
    assert sorted(CryptoAssessment.objects.values_list(*fields, "valid_until", "org_unit_id")) == kept


def test_a_certificate_names_its_standard_by_title_and_the_export_writes_the_title(world):
    text = registry_export("certifications", Certification.objects.all(), "csv").decode("utf-8-sig")
    assert (
        "5G电力通信技术要求" in text
        and "防爆5G基站" in text
        and "渭滨远程医疗" in text
        and "关中检测认证中心" in text
    )


# --- who reads and writes them ----------------------------------------------------------------------------------


def test_a_baoji_office_reads_baojis_security_records_and_not_xians(world, make_user):
    office = make_user("city-office")  # 宝鸡's
    client = login_as(Client(), office)
    api = _api_client(office)
    assert _page_ids(client, "crypto-assessments", {}) == {world.crypto_baoji.pk}
    assert _page_ids(client, "inspections", {}) == {world.insp_baoji.pk}
    assert _page_ids(client, "threats", {}) == {world.threat_baoji.pk}
    assert _api_ids(api, "crypto-assessments", {}) == {world.crypto_baoji.pk}
    assert _api_ids(api, "inspections", {}) == {world.insp_baoji.pk}
    before = denied()
    for slug, entry in (("crypto-assessments", world.crypto_xian), ("inspections", world.insp_xian)):
        page = client.get(reverse("registries:entry", kwargs={"slug": slug, "pk": entry.pk}))
        assert page.status_code == 403
        answer = api.get(reverse("api:registry_entry", kwargs={"slug": slug, "pk": entry.pk}))
        assert answer.status_code == 403
    assert denied() == before + 4
    csv = client.get(reverse("registries:export", kwargs={"slug": "crypto-assessments", "fmt": "csv"}))
    text = csv.content.decode("utf-8-sig")
    assert "远程医疗平台" in text and "长安电网调度系统" not in text
    own = client.get(
        reverse("registries:entry", kwargs={"slug": "crypto-assessments", "pk": world.crypto_baoji.pk})
    )
    assert own.status_code == 200


def test_a_baoji_office_files_a_crypto_assessment_for_baoji_and_not_for_xian(world, make_user):
    office = make_user("city-office")
    new = CryptoAssessment(
        org_unit=world.baoji_case.org_unit,
        case=world.baoji_case,
        system="远程医疗平台",
        level="2",
        body=world.crypto_body,
        report_number="MP-2024-001",
        assessed_on=date(2024, 5, 1),
        result="compliant",
        valid_until=date(2026, 4, 30),
    )
    entry_save(actor=office, entry=new)
    assert CryptoAssessment.objects.get(report_number="MP-2024-001").created_by == office
    xian = CryptoAssessment(
        org_unit=world.bare_case.org_unit,
        case=world.bare_case,
        system="某系统",
        level="2",
        body=world.crypto_body,
        report_number="MP-2024-002",
        assessed_on=date(2024, 5, 1),
        result="compliant",
        valid_until=date(2026, 4, 30),
    )
    with pytest.raises(PermissionDenied):
        entry_save(actor=office, entry=xian)
    assert not CryptoAssessment.objects.filter(report_number="MP-2024-002").exists()


def test_a_city_reporter_reads_no_security_record(world, province, make_user):
    reporter = make_user("city-reporter")  # 西安, registries.view without security.view
    client = login_as(Client(), reporter)
    before = denied()
    for slug in ("crypto-assessments", "inspections", "threats"):
        assert client.get(reverse("registries:list", kwargs={"slug": slug})).status_code == 403
        assert (
            client.get(reverse("registries:export", kwargs={"slug": slug, "fmt": "csv"})).status_code == 403
        )
    assert denied() == before + 6
    # the case page it reads lists no 密评 or inspection; the province's shows both
    url = reverse("registries:entry", kwargs={"slug": "cases", "pk": world.xian_case.pk})
    page = client.get(url).content.decode()
    assert "长安电网调度系统" not in page and "长安电网调度系统检查" not in page
    shown = login_as(Client(), province).get(url).content.decode()
    assert "商用密码应用安全性评估（密评）" in shown and "长安电网调度系统检查" in shown
    # the index offers the registries it reads, and no security record
    index = client.get(reverse("registries:index"))
    assert {r["slug"] for r in index.context["registries"]} == {
        slug for slug, spec in SPECS.items() if spec.read == "registries.view"
    }


def test_the_auditor_reads_the_security_records_and_nothing_else_of_the_registries(world, make_user):
    client = login_as(Client(), make_user("auditor"))
    index = client.get(reverse("registries:index"))
    assert index.status_code == 200
    assert [r["slug"] for r in index.context["registries"]] == [
        "crypto-assessments",
        "inspections",
        "threats",
    ]
    assert [r["count"] for r in index.context["registries"]] == [3, 2, 2]
    assert "标杆评选" not in index.content.decode()
    assert _page_ids(client, "crypto-assessments", {}) == {
        world.crypto_xian.pk,
        world.crypto_expired.pk,
        world.crypto_baoji.pk,
    }
    assert client.get(reverse("registries:list", kwargs={"slug": "cases"})).status_code == 403
    assert client.get(reverse("registries:new", kwargs={"slug": "crypto-assessments"})).status_code == 403
    page = client.get(
        reverse("registries:entry", kwargs={"slug": "crypto-assessments", "pk": world.crypto_xian.pk})
    )
    text = page.content.decode()
    # the case it is about is named, not linked: the auditor does not read the repository
    assert "长安智慧电网" in text and world.xian_case.get_absolute_url() not in text
    assert reverse("registries:index") in {item["url"] for item in page.context["nav_items"]}


def test_what_an_entry_is_about_lists_its_records_as_far_as_the_reader_may_read_them(
    world, province, make_user, monkeypatch
):
    from yangfan.security.models import Assessment, Questionnaire

    assessor = entry_save(
        actor=province,
        entry=EvaluationBody(
            org_unit=unit("610100"),
            name="汉水安全评估有限公司",
            does_assessment=True,
            recognised_on=date(2021, 1, 1),
        ),
    )
    Assessment.objects.create(
        org_unit=world.xian_case.org_unit,
        case=world.xian_case,
        stage="operation",
        kind="third_party",
        body=assessor,
        questionnaire=Questionnaire.objects.filter(published_at__isnull=False).order_by("version").first(),
        assessed_on=date(2023, 7, 1),
    )
    client = login_as(Client(), province)
    monkeypatch.setattr("yangfan.registries.selectors.timezone.localdate", lambda: date(2024, 1, 1))

    def page(entry):
        slug = next(s for s, spec in SPECS.items() if isinstance(entry, spec.model))
        return client.get(reverse("registries:entry", kwargs={"slug": slug, "pk": entry.pk})).content.decode()

    body = page(world.crypto_body)
    assert "开展的密评" in body and "长安电网调度系统" in body and "专网管理系统" in body
    assert "2023-05-31 已结束" in body  # the one expired by the day says so; the current ones do not
    assert "2024-02-29 已结束" not in body
    assert "出具的测试评估认证" in page(world.lab) and "CERT-001" in page(world.lab)
    assert "CERT-001" in page(world.product) and "CERT-001" in page(world.standard)
    assert "开展的第三方安全评估" in page(assessor) and "长安智慧电网" in page(assessor)
    # a reader of the directory without security.view sees the body, not the assessments made by it
    reporter = login_as(Client(), make_user("city-reporter"))
    seen = reporter.get(reverse("registries:entry", kwargs={"slug": "security-bodies", "pk": assessor.pk}))
    assert seen.status_code == 200 and "开展的第三方安全评估" not in seen.content.decode()


def test_what_a_record_points_at_cannot_be_deleted_from_under_it(world, province):
    from yangfan.security.models import Assessment, Questionnaire

    with pytest.raises(ValidationError, match="开展过密评"):
        entry_delete(actor=province, entry=world.crypto_body)
    with pytest.raises(ValidationError, match="出具过测试评估认证"):
        entry_delete(actor=province, entry=world.lab)
    with pytest.raises(ValidationError, match="密评"):
        entry_delete(actor=province, entry=world.xian_case)
    with pytest.raises(ValidationError, match="测试评估认证"):
        entry_delete(actor=province, entry=world.product)
    with pytest.raises(ValidationError, match="测试评估认证"):
        entry_delete(actor=province, entry=world.standard)
    with pytest.raises(ValidationError, match="密评"):
        entry_delete(actor=province, entry=world.vpn)
    Assessment.objects.create(
        org_unit=world.bare_case.org_unit,
        case=world.bare_case,
        stage="planning",
        kind="self",
        questionnaire=Questionnaire.objects.filter(published_at__isnull=False).order_by("version").first(),
        assessed_on=date(2023, 7, 1),
    )
    with pytest.raises(ValidationError, match="安全评估"):
        entry_delete(actor=province, entry=world.bare_case)
    assert ApplicationCase.objects.filter(pk=world.bare_case.pk).exists()
    assert EvaluationBody.objects.count() == 2
    entry_delete(actor=province, entry=world.threat_xian)  # nothing points at a threat report
    assert not ThreatReport.objects.filter(pk=world.threat_xian.pk).exists()


def test_the_security_records_are_not_counted_by_the_plan(world, make_user):
    from yangfan.registries.counts import KEPT, registry_entries
    from yangfan.registries.specs import slug_of_code

    assert all(SPECS[slug].counted is None for slug in SECURITY)
    assert all(slug_of_code(code) not in SECURITY for code in KEPT)
    counted_models = {SPECS[slug_of_code(code)].model for code in KEPT}
    assert not counted_models & {SPECS[slug].model for slug in SECURITY}
    assert len(registry_entries()) == 7  # 3 cases, a VPN, a supplier, a product, a standard: nothing else
    api = _api_client(make_user("viewer"))
    rows = api.get(reverse("api:registry_counts"), {"org": "610000", "period": "2023"}).json()["registries"]
    assert {row["registry"] for row in rows} <= {slug for slug, spec in SPECS.items() if spec.counted}


# --- the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_has_security_records_that_pass_their_checks(province):
    from yangfan.registries.demo import DEMO, REMARK, demo_registries_load

    demo_registries_load(actor=province)
    bodies = list(EvaluationBody.objects.all())
    assert 3 <= len(bodies) <= 4
    capabilities = {(b.does_assessment, b.does_crypto, b.does_testing, b.does_certification) for b in bodies}
    assert len(capabilities) == len(bodies)
    for slug in SECURITY:
        rows = list(SPECS[slug].model.objects.all())
        assert rows, slug
        for row in rows:
            row.full_clean(exclude=["created_by"], validate_unique=False)
            assert row.remark == REMARK
        labelled = [getattr(row, SPECS[slug].named_by[0]) for row in rows]
        assert slug in ("certifications", "crypto-assessments") or all(DEMO in str(n) for n in labelled)
    today = timezone.localdate()  # the demo's 密评 are dated back from the day it is loaded
    expired = CryptoAssessment.objects.filter(valid_until__lt=today)
    current = CryptoAssessment.objects.filter(valid_until__gte=today)
    assert expired.exists() and current.exists()
    assert all(DEMO in c.system for c in CryptoAssessment.objects.all())
    assert ApplicationCase.objects.filter(crypto_assessments__isnull=True).exists()
    assert Inspection.objects.filter(closed_on__isnull=True).exists()
    assert Inspection.objects.filter(closed_on__isnull=False).exists()
    for record in (*CryptoAssessment.objects.all(), *Inspection.objects.exclude(case=None)):
        assert record.org_unit_id == (record.case or record.vpn).org_unit_id
    # generated from a seed: a second site gets the same records
    first = sorted(CryptoAssessment.objects.values_list("report_number", "system", "valid_until"))
    for model in (Certification, CryptoAssessment, Inspection, ThreatReport):
        model.objects.all().delete()
    IndustryProduct.objects.all().delete()
    EvaluationBody.objects.all().delete()
    from yangfan.registries.models import Benchmark, BloomCupEntry, Carrier, LeadZone

    for model in (
        Benchmark,
        BloomCupEntry,
        Standard,
        ApplicationCase,
        IndustryVpn,
        Carrier,
        LeadZone,
        Supplier,
    ):
        model.objects.all().delete()
    demo_registries_load(actor=province)
    assert sorted(CryptoAssessment.objects.values_list("report_number", "system", "valid_until")) == first


def test_every_page_of_the_security_registries_opens_for_who_keeps_them(world, province):
    client = login_as(Client(), province)
    for slug, entry in (
        ("security-bodies", world.crypto_body),
        ("certifications", world.cert_product),
        ("crypto-assessments", world.crypto_xian),
        ("inspections", world.insp_xian),
        ("threats", world.threat_xian),
    ):
        for name, kwargs in (
            ("registries:list", {"slug": slug}),
            ("registries:new", {"slug": slug}),
            ("registries:import", {"slug": slug}),
            ("registries:entry", {"slug": slug, "pk": entry.pk}),
            ("registries:edit", {"slug": slug, "pk": entry.pk}),
        ):
            response = client.get(reverse(name, kwargs=kwargs))
            assert response.status_code == 200, (name, slug)
        listed = client.get(reverse("registries:list", kwargs={"slug": slug})).content.decode()
        # it may add entries: the link is there
        assert reverse("registries:new", kwargs={"slug": slug}) in listed


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("1" + "0" * 22, "总共不超过 5 个数字"),  # what the column holds (5 digits, 2 after the point)
        ("88.555", "小数不超过 2 位"),
        ("120", "得分应在 0 到 100 之间"),  # a 密评 score is out of 100
        ("-1", "得分应在 0 到 100 之间"),
    ],
)
def test_a_score_beyond_its_column_or_its_scale_is_refused_with_its_row(world, province, score, message):
    header, first, *_rest = GOOD["crypto-assessments"].splitlines()
    before = _counts()
    with pytest.raises(ImportInvalid) as refused:
        registry_import(
            slug="crypto-assessments",
            content=f"{header}\n{first.replace(',88.5,', f',{score},')}\n".encode(),
            file="m.csv",
            actor=province,
        )
    errors = refused.value.errors
    assert {(e.row, e.column) for e in errors} == {(2, "得分")}
    assert any(message in e.message for e in errors), errors
    assert _counts() == before
