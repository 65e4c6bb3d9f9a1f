"""A reference from one registry's entry to another's (a case's VPN and suppliers, a benchmark's case) names only
entries its writer may read: the form offers only those, the API answers another unit's entry as one that does
not exist, an import does not find it, and the service refuses it (audited) whoever calls it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from tests.conftest import login_as

from yangfan.accounts.models import User
from yangfan.actionplans.models import Sector
from yangfan.audit.models import AuditEntry
from yangfan.core.uscc import check_character
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.exchange import registry_import
from yangfan.registries.models import ApplicationCase, Benchmark, IndustryVpn, Supplier
from yangfan.registries.services import entry_save, references


def vpn(org: str, name: str) -> IndustryVpn:
    from tests.conftest import unsaved_vpn

    entry = unsaved_vpn(org)
    entry.name = name
    return entry


def supplier(org: str, name: str) -> Supplier:
    code = f"91{org}DEMA00021"  # a valid organisation code (its check digit is the 17th character)
    return Supplier(
        org_unit=OrgUnit.objects.get(code=org),
        name=name,
        credit_code=code + check_character(code),
        listed_on=date(2022, 1, 1),
    )


def case(org: str, name: str, **fields) -> ApplicationCase:
    return ApplicationCase(
        org_unit=OrgUnit.objects.get(code=org),
        name=name,
        sector=Sector.objects.filter(key_industry=True).first(),
        enterprise="某企业",
        started_on=date(2022, 3, 1),
        network_form=fields.pop("network_form", "public"),
        stage=fields.pop("stage", "pilot"),
        **fields,
    )


@pytest.fixture
def world(db, make_user):
    """西安's and 宝鸡's entries of each kind, written by the province; 西安's reporter."""
    province = make_user("province")
    made = {
        "xian_vpn": entry_save(actor=province, entry=vpn("610116", "西安专网")),
        "baoji_vpn": entry_save(actor=province, entry=vpn("610302", "宝鸡专网")),
        "xian_supplier": entry_save(actor=province, entry=supplier("610100", "西安供应商")),
        "baoji_supplier": entry_save(actor=province, entry=supplier("610300", "宝鸡供应商")),
        "xian_case": entry_save(actor=province, entry=case("610100", "西安案例")),
        "baoji_case": entry_save(actor=province, entry=case("610300", "宝鸡案例")),
    }
    made["xian"] = make_user("city-reporter")
    return made


def test_the_registries_that_point_at_others_are_known():
    assert set(references(ApplicationCase)) == {"suppliers", "vpn"}
    assert references(Benchmark) == ["case"]
    assert references(IndustryVpn) == [] and references(Supplier) == []


def test_the_form_offers_only_entries_in_scope(world):
    client = login_as(Client(), world["xian"])
    form = client.get(reverse("registries:new", kwargs={"slug": "cases"})).context["form"]
    assert set(form.fields["vpn"].queryset) == {world["xian_vpn"]}
    assert set(form.fields["suppliers"].queryset) == {world["xian_supplier"]}
    page = client.get(reverse("registries:new", kwargs={"slug": "benchmarks"}))
    assert set(page.context["form"].fields["case"].queryset) == {world["xian_case"]}
    assert "宝鸡专网" not in client.get(reverse("registries:new", kwargs={"slug": "cases"})).content.decode()

    posted = client.post(
        reverse("registries:edit", kwargs={"slug": "cases", "pk": world["xian_case"].pk}),
        {
            "name": "西安案例",
            "sector": world["xian_case"].sector_id,
            "enterprise": "某企业",
            "org_unit": world["xian_case"].org_unit_id,
            "network_form": "vpn",
            "vpn": world["baoji_vpn"].pk,
            "stage": "pilot",
            "started_on": "2022-03-01",
        },
    )
    assert posted.status_code == 400 and posted.context["form"].errors["vpn"]
    assert ApplicationCase.objects.get(pk=world["xian_case"].pk).vpn_id is None


def test_the_api_answers_another_units_entry_as_missing(world):
    api = APIClient()
    api.force_authenticate(world["xian"])
    url = reverse("api:registry_entry", kwargs={"slug": "cases", "pk": world["xian_case"].pk})
    body = api.get(url).json()
    body.update(network_form="vpn", vpn=world["baoji_vpn"].pk)
    refused = api.put(url, body, format="json")
    assert refused.status_code == 400 and "不存在" in str(refused.json()["vpn"])
    body.update(vpn=None, suppliers=[world["baoji_supplier"].pk], network_form="public")
    assert api.put(url, body, format="json").status_code == 400
    body.update(vpn=world["xian_vpn"].pk, suppliers=[world["xian_supplier"].pk], network_form="vpn")
    assert api.put(url, body, format="json").status_code == 200
    stored = ApplicationCase.objects.get(pk=world["xian_case"].pk)
    assert stored.vpn == world["xian_vpn"] and list(stored.suppliers.all()) == [world["xian_supplier"]]
    benchmark = {"org_unit": "610100", "case": world["baoji_case"].pk, "sector": stored.sector.code}
    benchmark.update(year=2023, published_on="2023-06-01")
    answer = api.post(
        reverse("api:registry_entries", kwargs={"slug": "benchmarks"}), benchmark, format="json"
    )
    assert answer.status_code == 400 and "case" in answer.json()


def test_an_import_does_not_find_another_units_entry(world):
    content = "案例名称,行业,应用场景,应用企业,地区,网络形态,所用行业虚拟专网,阶段,启动日期\n"
    content += f"西安新案例,{world['xian_case'].sector.name},巡检,某企业,610100,行业虚拟专网,宝鸡专网,试点,2023-01-01\n"
    from yangfan.core.errors import ImportInvalid

    with pytest.raises(ImportInvalid, match="未找到行业虚拟专网“宝鸡专网”"):
        registry_import(slug="cases", content=content.encode(), file="c.csv", actor=world["xian"])


def test_the_service_refuses_a_foreign_reference_and_audits_it(world):
    before = AuditEntry.objects.filter(action="permission_denied").count()
    mine = world["xian_case"]
    mine.vpn, mine.network_form = world["baoji_vpn"], "vpn"
    with pytest.raises(PermissionDenied):
        entry_save(actor=world["xian"], entry=mine)
    with pytest.raises(PermissionDenied):
        entry_save(
            actor=world["xian"],
            entry=case("610100", "又一案例"),
            m2m={"suppliers": [world["baoji_supplier"]]},
        )
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2
    assert ApplicationCase.objects.get(pk=mine.pk).vpn_id is None
    assert not ApplicationCase.objects.filter(name="又一案例").exists()


def test_a_reference_made_before_stays_when_other_fields_change(world, make_user):
    """An entry that already points outside the writer's scope (set by the province) keeps it on an edit."""
    mine = world["xian_case"]
    mine.vpn, mine.network_form = world["baoji_vpn"], "vpn"
    entry_save(actor=make_user("province", username="another-province"), entry=mine)
    mine = ApplicationCase.objects.get(pk=mine.pk)
    mine.scenario = "远程巡检"
    entry_save(actor=world["xian"], entry=mine)
    assert ApplicationCase.objects.get(pk=mine.pk).scenario == "远程巡检"


def test_an_entry_page_links_what_the_reader_may_open_and_names_the_rest(world):
    """A reference made before the reader's scope was narrowed stays on the entry (ADR 0011): its name is shown,
    its page is not linked; what the reader may open is linked."""
    mine = world["xian_case"]
    mine.vpn, mine.network_form = world["xian_vpn"], "vpn"
    mine.save()
    mine.suppliers.set([world["xian_supplier"], world["baoji_supplier"]])  # 宝鸡's, named before
    html = login_as(Client(), world["xian"]).get(mine.get_absolute_url()).content.decode()
    assert f'<a href="{world["xian_vpn"].get_absolute_url()}">西安专网</a>' in html
    assert f'<a href="{world["xian_supplier"].get_absolute_url()}">西安供应商</a>' in html
    assert "宝鸡供应商" in html and world["baoji_supplier"].get_absolute_url() not in html


def test_a_supplier_cases_use_is_not_deleted(world, make_user):
    from django.core.exceptions import ValidationError

    from yangfan.registries.services import entry_delete

    world["xian_case"].suppliers.set([world["xian_supplier"]])
    with pytest.raises(ValidationError, match="出库日期"):
        entry_delete(actor=User.objects.get(username="u-province"), entry=world["xian_supplier"])
    assert Supplier.objects.filter(pk=world["xian_supplier"].pk).exists()


def test_a_case_on_the_public_network_names_no_vpn(world):
    from django.core.exceptions import ValidationError

    mine = world["xian_case"]
    mine.vpn = world["xian_vpn"]  # network_form stays "public"
    with pytest.raises(ValidationError, match="清空专网"):
        entry_save(actor=User.objects.get(username="u-province"), entry=mine)


def test_an_unknown_place_in_the_filter_is_said_not_ignored(world):
    client = login_as(Client(), world["xian"])
    page = client.get(reverse("registries:list", kwargs={"slug": "cases"}), {"org": "西安"})
    assert "未知地区“西安”" in page.content.decode()


def test_an_english_list_and_entry_name_sectors_in_english(world):
    client = login_as(Client(), world["xian"])
    client.cookies["django_language"] = "en"
    sector = world["xian_case"].sector
    listed = client.get(reverse("registries:list", kwargs={"slug": "cases"})).content.decode()
    entry = client.get(world["xian_case"].get_absolute_url()).content.decode()
    assert sector.name_en and f"<td>{sector.name_en}</td>" in listed and sector.name_en in entry
    assert f"<td>{sector.name}</td>" not in listed
