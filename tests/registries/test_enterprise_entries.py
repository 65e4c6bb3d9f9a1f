"""An enterprise's user (企业用户) and the registries: it keeps its own cases, products and “绽放杯” entries (and files
its own 密评), reads its own directory entry, VPNs and certificates, and sees nothing of any other enterprise — on
the list, in a search, an export, the API or an entry's page. Every check passes the entry, so ownership decides."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from tests.conftest import ENTERPRISE, login_as

from yangfan.actionplans.models import Operator, Sector
from yangfan.audit.models import AuditEntry
from yangfan.core.errors import ImportInvalid
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.exchange import registry_import
from yangfan.registries.models import (
    ApplicationCase,
    BloomCupEntry,
    Certification,
    CryptoAssessment,
    EvaluationBody,
    IndustryProduct,
    IndustryVpn,
    Supplier,
)
from yangfan.registries.services import entry_save

pytestmark = pytest.mark.django_db

OTHER = "渭河能源集团有限公司"


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def denied() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


@pytest.fixture
def enterprise(make_user):
    """The test enterprise's user (西安; its supplier entry is registered with it)."""
    return make_user("enterprise")


@pytest.fixture
def entries(enterprise, make_user):
    """Its own entries and another enterprise's of every kind it reads, entered by the provincial office."""
    province = make_user("province", username="office")
    power = Sector.objects.get(code="smart-power")
    cmcc = Operator.objects.get(code="cmcc")

    def save(entry, **m2m):
        return entry_save(actor=province, entry=entry, m2m=m2m or None)

    def case(org, name, owner):
        return save(
            ApplicationCase(
                org_unit=unit(org),
                name=name,
                sector=power,
                enterprise=owner,
                network_form="public",
                stage="pilot",
                started_on=date(2022, 3, 1),
            )
        )

    def vpn(name, owner):
        return save(
            IndustryVpn(
                org_unit=unit("610116"),
                name=name,
                enterprise=owner,
                operator=cmcc,
                sector=power,
                commissioned_on=date(2022, 1, 1),
            )
        )

    e = SimpleNamespace()
    e.supplier = Supplier.objects.get(name=ENTERPRISE)
    e.other_supplier = save(
        Supplier(
            org_unit=unit("610100"), name=OTHER, credit_code="91110000600037341L", listed_on=date(2021, 1, 1)
        )
    )
    e.own_case = case("610116", "秦川智慧工厂", ENTERPRISE)
    e.own_baoji = case("610302", "秦川宝鸡智慧车间", ENTERPRISE)  # its own, in another city: still its own
    e.other_case = case("610116", "渭河智慧矿山", OTHER)
    e.own_vpn = vpn("秦川工厂专网", ENTERPRISE)
    e.other_vpn = vpn("渭河矿区专网", OTHER)

    def product(name, supplier):
        return save(
            IndustryProduct(
                org_unit=unit("610100"),
                kind="terminal",
                name=name,
                supplier=supplier,
                stage="commercial",
                started_on=date(2021, 3, 1),
                commercial_on=date(2022, 1, 1),
            )
        )

    e.own_product = product("秦川5G工业网关", e.supplier)
    e.other_product = product("渭河防爆终端", e.other_supplier)

    def bloom(name, owner, case):
        return save(
            BloomCupEntry(
                org_unit=unit("610116"),
                round_year=2023,
                name=name,
                enterprise=owner,
                case=case,
                entered_on=date(2023, 5, 1),
            )
        )

    e.own_bloom = bloom("秦川智慧工厂参赛", ENTERPRISE, e.own_case)
    e.other_bloom = bloom("渭河智慧矿山参赛", OTHER, e.other_case)
    e.body = save(  # a body registered in 宝鸡: the directory is the province's, read by every enterprise
        EvaluationBody(
            org_unit=unit("610300"), name="宝鸡密码测评中心", does_crypto=True, recognised_on=date(2021, 1, 1)
        )
    )
    lab = save(
        EvaluationBody(
            org_unit=unit("610100"),
            name="关中认证中心",
            does_certification=True,
            recognised_on=date(2021, 1, 1),
        )
    )

    def certificate(number, product):
        return save(
            Certification(
                org_unit=unit("610100"),
                body=lab,
                kind="certification",
                number=number,
                product=product,
                result="passed",
                issued_on=date(2022, 2, 1),
            )
        )

    e.own_cert = certificate("CERT-QC-1", e.own_product)
    e.other_cert = certificate("CERT-WH-1", e.other_product)

    def crypto(number, case):
        return save(
            CryptoAssessment(
                org_unit=case.org_unit,
                case=case,
                system=f"{case.name}系统",
                level="2",
                body=e.body,
                report_number=number,
                assessed_on=date(2023, 1, 1),
                result="compliant",
                valid_until=date(2025, 1, 1),
            )
        )

    e.own_crypto = crypto("MP-QC-1", e.own_case)
    e.other_crypto = crypto("MP-WH-1", e.other_case)
    return e


def _api(user) -> Client:
    from yangfan.accounts.services import token_create

    return Client(HTTP_AUTHORIZATION="Bearer " + token_create(actor=None, user=user, days=1)[1])


def _page_ids(client, slug: str, query: dict | None = None) -> set[int]:
    response = client.get(reverse("registries:list", kwargs={"slug": slug}), query or {})
    assert response.status_code == 200
    return {row["entry"].pk for row in response.context["rows"]}


def _api_ids(client, slug: str, query: dict | None = None) -> set[int]:
    response = client.get(reverse("api:registry_entries", kwargs={"slug": slug}), query or {})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _export(client, slug: str, query: dict | None = None) -> str:
    response = client.get(reverse("registries:export", kwargs={"slug": slug, "fmt": "csv"}), query or {})
    assert response.status_code == 200
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )


def test_it_reads_only_its_own_entries_in_lists_exports_the_api_and_searches(enterprise, entries):
    client, api = login_as(Client(), enterprise), _api(enterprise)
    own = {
        "cases": {entries.own_case, entries.own_baoji},
        "products": {entries.own_product},
        "bloom-cup": {entries.own_bloom},
        "suppliers": {entries.supplier},
        "vpns": {entries.own_vpn},
        "certifications": {entries.own_cert},
        "crypto-assessments": {entries.own_crypto},
    }
    for slug, mine in own.items():
        ids = {e.pk for e in mine}
        model = type(next(iter(mine)))
        assert model.objects.count() > len(mine), "another enterprise's entries are there too"
        assert _page_ids(client, slug) == ids, slug
        assert _api_ids(api, slug) == ids, slug
        text = _export(client, slug)
        assert all(str(e).split("（")[0].split(" ")[-1] in text for e in mine), slug
    # its own and nobody else's, whatever is searched for
    assert _page_ids(client, "cases", {"q": "智慧"}) == {entries.own_case.pk, entries.own_baoji.pk}
    assert _page_ids(client, "cases", {"q": "渭河"}) == set() == _api_ids(api, "cases", {"q": "矿山"})
    assert _api_ids(api, "products", {"q": "防爆"}) == set()
    assert _page_ids(client, "bloom-cup", {"q": "渭河"}) == set()
    assert _page_ids(client, "crypto-assessments", {"q": "渭河"}) == set()
    for slug in ("cases", "products", "bloom-cup", "vpns", "certifications", "crypto-assessments"):
        text = _export(client, slug)
        assert "渭河" not in text, slug
    # the directory of evaluation bodies is the province's: it reads every body, wherever registered
    assert _page_ids(client, "security-bodies") == set(EvaluationBody.objects.values_list("pk", flat=True))
    # the index counts what it reads
    index = {r["slug"]: r["count"] for r in client.get(reverse("registries:index")).context["registries"]}
    assert index["cases"] == 2 and index["products"] == 1 and index["vpns"] == 1 and index["threats"] == 0


def test_another_enterprises_entry_is_refused_on_its_page_its_edit_and_the_api(enterprise, entries):
    client, api = login_as(Client(), enterprise), _api(enterprise)
    before = denied()
    for slug, entry in (
        ("cases", entries.other_case),
        ("products", entries.other_product),
        ("bloom-cup", entries.other_bloom),
        ("crypto-assessments", entries.other_crypto),
        ("certifications", entries.other_cert),
    ):
        kwargs = {"slug": slug, "pk": entry.pk}
        assert client.get(reverse("registries:entry", kwargs=kwargs)).status_code == 403, slug
        assert client.get(reverse("registries:edit", kwargs=kwargs)).status_code == 403, slug
        assert api.get(reverse("api:registry_entry", kwargs=kwargs)).status_code == 403, slug
    kwargs = {"slug": "cases", "pk": entries.other_case.pk}
    put = api.put(
        reverse("api:registry_entry", kwargs=kwargs), {"name": "改名"}, content_type="application/json"
    )
    assert put.status_code == 403
    assert api.delete(reverse("api:registry_entry", kwargs=kwargs)).status_code == 403
    posted = client.post(reverse("registries:edit", kwargs=kwargs), {"delete": "confirmed"})
    assert posted.status_code == 403
    assert denied() == before + 18
    assert ApplicationCase.objects.get(pk=entries.other_case.pk).name == "渭河智慧矿山"
    # its own: readable, and its case editable; its VPN and certificate only readable
    own = reverse("registries:entry", kwargs={"slug": "cases", "pk": entries.own_case.pk})
    page = client.get(own)
    assert page.status_code == 200 and page.context["may_edit"]
    # a related entry of another enterprise is not linked from its own (none here) and its own VPN page has no edit
    vpn = client.get(reverse("registries:entry", kwargs={"slug": "vpns", "pk": entries.own_vpn.pk}))
    assert vpn.status_code == 200 and not vpn.context["may_edit"]
    assert (
        client.get(reverse("registries:edit", kwargs={"slug": "vpns", "pk": entries.own_vpn.pk})).status_code
        == 403
    )


def test_it_keeps_its_own_case_through_the_form_and_the_api(enterprise, entries):
    client, api = login_as(Client(), enterprise), _api(enterprise)
    form = client.get(reverse("registries:new", kwargs={"slug": "cases"}))
    assert form.status_code == 200
    fields = form.context["form"].fields
    assert set(fields["vpn"].queryset) == {entries.own_vpn}  # what it may name: its own
    assert set(fields["suppliers"].queryset) == {entries.supplier}
    assert {u.code for u in fields["org_unit"].queryset} >= {"610100", "610116"}
    assert "610300" not in {u.code for u in fields["org_unit"].queryset}
    response = client.post(
        reverse("registries:new", kwargs={"slug": "cases"}),
        {
            "name": "秦川数字孪生车间",
            "sector": Sector.objects.get(code="smart-power").pk,
            "enterprise": ENTERPRISE,
            "org_unit": unit("610116").pk,
            "network_form": "vpn",
            "vpn": entries.own_vpn.pk,
            "stage": "pilot",
            "started_on": "2023-04-01",
        },
    )
    saved = ApplicationCase.objects.get(name="秦川数字孪生车间")
    assert response.status_code == 302 and saved.created_by == enterprise and saved.vpn == entries.own_vpn
    body = {
        "org_unit": "610100",
        "name": "秦川远程运维",
        "sector": "smart-power",
        "enterprise": ENTERPRISE,
        "network_form": "public",
        "stage": "pilot",
        "started_on": "2023-05-01",
    }
    created = api.post(
        reverse("api:registry_entries", kwargs={"slug": "cases"}), body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert ApplicationCase.objects.get(pk=created.json()["id"]).enterprise == ENTERPRISE
    changed = api.put(
        reverse("api:registry_entry", kwargs={"slug": "cases", "pk": created.json()["id"]}),
        body | {"stage": "production"},
        content_type="application/json",
    )
    assert (
        changed.status_code == 200
        and ApplicationCase.objects.get(pk=created.json()["id"]).stage == "production"
    )


def test_a_case_of_another_enterprise_is_refused_naming_the_field_and_nothing_is_written(enterprise, entries):
    client, api = login_as(Client(), enterprise), _api(enterprise)
    count = ApplicationCase.objects.count()
    sector = Sector.objects.get(code="smart-power")
    response = client.post(
        reverse("registries:new", kwargs={"slug": "cases"}),
        {
            "name": "替别家登记",
            "sector": sector.pk,
            "enterprise": OTHER,
            "org_unit": unit("610116").pk,
            "network_form": "public",
            "stage": "pilot",
            "started_on": "2023-04-01",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["enterprise"] == [
        f"企业用户只能登记本企业（{ENTERPRISE}）的条目，请检查“应用企业”。"
    ]
    answer = api.post(
        reverse("api:registry_entries", kwargs={"slug": "cases"}),
        {
            "org_unit": "610100",
            "name": "替别家登记",
            "sector": "smart-power",
            "enterprise": OTHER,
            "network_form": "public",
            "stage": "pilot",
            "started_on": "2023-05-01",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400 and "应用企业" in answer.json()["detail"]
    content = (
        "案例名称,行业,应用企业,地区,网络形态,阶段,启动日期\n"
        f"秦川新应用,智慧电力,{ENTERPRISE},610116,5G公网,试点,2023-06-01\n"
        f"替别家登记,智慧电力,{OTHER},610116,5G公网,试点,2023-06-01\n"
    )
    with pytest.raises(ImportInvalid) as refused:
        registry_import(slug="cases", content=content.encode(), file="cases.csv", actor=enterprise)
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, "应用企业") and ENTERPRISE in error.message
    # its own case made another's: refused the same way
    mine = ApplicationCase.objects.get(pk=entries.own_case.pk)
    mine.enterprise = OTHER
    with pytest.raises(ValidationError) as moved:
        entry_save(actor=enterprise, entry=mine)
    assert list(moved.value.message_dict) == ["enterprise"]
    # a product of another supplier: named under 供应商
    product = IndustryProduct(
        org_unit=unit("610100"),
        kind="module",
        name="别家模组",
        supplier=entries.other_supplier,
        stage="development",
        started_on=date(2023, 1, 1),
    )
    with pytest.raises(ValidationError) as other_product:
        entry_save(actor=enterprise, entry=product)
    assert "供应商" in other_product.value.message_dict["supplier"][0]
    # its own case, but outside the units it places entries at (宝鸡): refused as any writer outside its scope
    outside = ApplicationCase(
        org_unit=unit("610300"),
        name="秦川宝鸡新应用",
        sector=sector,
        enterprise=ENTERPRISE,
        network_form="public",
        stage="pilot",
        started_on=date(2023, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        entry_save(actor=enterprise, entry=outside)
    assert ApplicationCase.objects.count() == count
    assert ApplicationCase.objects.get(pk=entries.own_case.pk).enterprise == ENTERPRISE


def test_what_its_enterprise_does_not_keep_offers_it_no_new_entry_no_import_and_no_edit(enterprise, entries):
    client, api = login_as(Client(), enterprise), _api(enterprise)
    before = denied()
    for slug in ("vpns", "suppliers", "certifications", "security-bodies", "standards"):
        assert client.get(reverse("registries:new", kwargs={"slug": slug})).status_code == 403, slug
        assert client.get(reverse("registries:import", kwargs={"slug": slug})).status_code == 403, slug
    assert denied() == before + 10
    vpns = IndustryVpn.objects.count()
    posted = client.post(
        reverse("registries:new", kwargs={"slug": "vpns"}),
        {
            "name": "秦川新专网",
            "enterprise": ENTERPRISE,
            "operator": Operator.objects.get(code="cmcc").pk,
            "org_unit": unit("610116").pk,
            "vpn_type": "slice",
            "commissioned_on": "2023-02-01",
        },
    )
    assert posted.status_code == 403
    upload = client.post(
        reverse("registries:import", kwargs={"slug": "vpns"}),
        {
            "file": _file(
                "vpns.csv", "专网名称,服务企业,运营商,地区,开通日期\n秦川新专网,秦川,cmcc,610116,2023-02-01\n"
            )
        },
    )
    assert upload.status_code == 403
    answer = api.post(
        reverse("api:registry_entries", kwargs={"slug": "vpns"}),
        {
            "org_unit": "610116",
            "name": "秦川新专网",
            "enterprise": ENTERPRISE,
            "operator": "cmcc",
            "commissioned_on": "2023-02-01",
        },
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert denied() == before + 13
    assert IndustryVpn.objects.count() == vpns
    # what it keeps: new entries and imports are offered
    listed = client.get(reverse("registries:list", kwargs={"slug": "cases"}))
    assert (
        listed.context["manages"]
        and not client.get(reverse("registries:list", kwargs={"slug": "vpns"})).context["manages"]
    )
    assert client.get(reverse("registries:import", kwargs={"slug": "cases"})).status_code == 200


def _file(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_it_files_a_crypto_assessment_of_its_own_application_with_any_registered_body(enterprise, entries):
    api = _api(enterprise)
    url = reverse("api:registry_entries", kwargs={"slug": "crypto-assessments"})
    body = {
        "org_unit": "610116",
        "case": entries.own_case.pk,
        "system": "秦川工厂生产系统",
        "level": "3",
        "body": entries.body.pk,  # registered in 宝鸡
        "report_number": "MP-QC-2",
        "assessed_on": "2024-01-10",
        "result": "basically",
        "score": "78.5",
        "valid_until": "2025-01-09",
    }
    created = api.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    stored = CryptoAssessment.objects.get(report_number="MP-QC-2")
    assert (
        stored.case == entries.own_case and stored.created_by == enterprise and str(stored.score) == "78.50"
    )
    assert created.json()["body_name"] == "宝鸡密码测评中心"
    # another enterprise's case is one it cannot name: it does not exist for it
    other = api.post(
        url,
        body | {"case": entries.other_case.pk, "report_number": "MP-QC-3"},
        content_type="application/json",
    )
    assert other.status_code == 400 and "不存在" in other.json()["detail"]
    # a validity ending before the assessment: refused, saying why
    early = api.post(
        url, body | {"report_number": "MP-QC-4", "valid_until": "2024-01-01"}, content_type="application/json"
    )
    assert early.status_code == 400 and "有效期应晚于评估日期" in early.json()["detail"]
    assert not CryptoAssessment.objects.filter(report_number__in=["MP-QC-3", "MP-QC-4"]).exists()


def test_the_registry_counts_are_figures_an_enterprise_does_not_read(enterprise, entries):
    before = denied()
    answer = _api(enterprise).get(reverse("api:registry_counts"), {"org": "610100", "period": "2023"})
    assert answer.status_code == 403 and denied() == before + 1
