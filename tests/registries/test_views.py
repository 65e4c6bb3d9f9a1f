"""The registries' pages and services: entries saved within the writer's scope, deduplicated and audited, read
within the reader's scope, searched (also by pinyin initials), and counted by the indicators as of a date."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as

from yangfan.actionplans.models import Operator, Sector
from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.models import ApplicationCase, IndustryVpn, Supplier
from yangfan.registries.services import entry_delete, entry_save


def unit(code):
    return OrgUnit.objects.get(code=code)


def vpn(org="610100", name="西安某工厂5G专网", commissioned=date(2022, 5, 1), retired=None):
    return IndustryVpn(
        org_unit=unit(org),
        name=name,
        enterprise="某工厂",
        operator=Operator.objects.get(code="cmcc"),
        sector=Sector.objects.get(code="industrial-internet"),
        commissioned_on=commissioned,
        retired_on=retired,
    )


def a6(org: str, period: str):
    from yangfan.datavalues.indicators import assessments, core_plans, plan_period

    plan = next(iter(core_plans().values()))
    row = assessments(plan, [org], plan_period([plan], period), [plan.indicator("A6")])[0]
    return row.as_dict()["value"]


def test_a6_counts_the_vpns_standing_at_the_periods_end(db, make_user):
    province = make_user("province")
    entry_save(actor=province, entry=vpn())
    entry_save(actor=province, entry=vpn(org="610116", name="长安区专网"))  # a county of 西安
    entry_save(actor=province, entry=vpn(org="610300", name="宝鸡专网", retired=date(2023, 6, 1)))
    assert a6("610000", "2022") == "3" and a6("610000", "2023Q2") == "2" and a6("610000", "2023Q1") == "3"
    assert a6("610100", "2023") == "2" and a6("610300", "2023") == "0"
    assert a6("610000", "202204") == "0"  # nothing commissioned yet


def test_writers_are_kept_to_their_units_and_refusals_are_audited(db, make_user):
    xian = make_user("city-reporter")  # capture 西安
    entry_save(actor=xian, entry=vpn(org="610116"))
    before = AuditEntry.objects.filter(action="permission_denied").count()
    with pytest.raises(PermissionDenied):
        entry_save(actor=xian, entry=vpn(org="610300", name="宝鸡专网"))
    with pytest.raises(PermissionDenied):
        entry_save(actor=make_user("viewer"), entry=vpn(name="查看者不能登记"))
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2
    assert IndustryVpn.objects.count() == 1
    assert AuditEntry.objects.filter(action="create", object_type="registries.industryvpn").count() == 1


def test_the_same_entry_twice_is_refused(db, make_user):
    province = make_user("province")
    entry_save(actor=province, entry=vpn(org="610102"))
    with pytest.raises(ValidationError, match="重复"):
        entry_save(actor=province, entry=vpn(org="610116"))  # the same name in the same city
    entry_save(actor=province, entry=vpn(org="610300"))  # another city: another network
    code = "91610100DEMA00013"
    from yangfan.core.uscc import check_character

    first = Supplier(
        org_unit=unit("610100"),
        name="甲公司",
        credit_code=code + check_character(code),
        listed_on=date(2022, 1, 1),
    )
    entry_save(actor=province, entry=first)
    again = Supplier(
        org_unit=unit("610300"), name="乙公司", credit_code=first.credit_code, listed_on=date(2022, 1, 1)
    )
    with pytest.raises(ValidationError):
        entry_save(actor=province, entry=again)


def test_a_city_reader_sees_its_citys_entries_only(db, make_user):
    province = make_user("province")
    mine = entry_save(actor=province, entry=vpn(org="610116"))
    other = entry_save(actor=province, entry=vpn(org="610300", name="宝鸡专网"))
    client = login_as(Client(), make_user("city-reporter"))
    page = client.get(reverse("registries:list", kwargs={"slug": "vpns"})).content.decode()
    assert "西安某工厂5G专网" in page and "宝鸡专网" not in page
    assert client.get(reverse("registries:entry", kwargs={"slug": "vpns", "pk": mine.pk})).status_code == 200
    assert client.get(reverse("registries:entry", kwargs={"slug": "vpns", "pk": other.pk})).status_code == 403
    assert client.get(reverse("registries:edit", kwargs={"slug": "vpns", "pk": other.pk})).status_code == 403
    csv = client.get(reverse("registries:export", kwargs={"slug": "vpns", "fmt": "csv"})).content.decode(
        "utf-8-sig"
    )
    assert "西安某工厂5G专网" in csv and "宝鸡专网" not in csv


def test_an_entry_is_created_through_its_form(db, make_user):
    client = login_as(Client(), make_user("province"))
    response = client.post(
        reverse("registries:new", kwargs={"slug": "vpns"}),
        {
            "name": "咸阳5G专网",
            "enterprise": "咸阳某厂",
            "operator": Operator.objects.get(code="ctcc").pk,
            "org_unit": unit("610400").pk,
            "vpn_type": "slice",
            "commissioned_on": "2023-02-01",
        },
    )
    saved = IndustryVpn.objects.get(name="咸阳5G专网")
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    bad = client.post(
        reverse("registries:new", kwargs={"slug": "suppliers"}),
        {
            "name": "丙公司",
            "credit_code": "91610100MA6TXXXX1X",
            "org_unit": unit("610100").pk,
            "listed_on": "2023-01-01",
        },
    )
    assert bad.status_code == 400 and "校验码应为 8" in bad.content.decode()
    edit = saved.get_absolute_url().replace(f"/{saved.pk}/", f"/{saved.pk}/edit/")
    asked = client.post(edit, {"delete": "1"})  # the button asks first: nothing is deleted yet
    assert asked.status_code == 200 and "确认删除" in asked.content.decode()
    assert IndustryVpn.objects.filter(pk=saved.pk).exists()
    client.post(edit, {"delete": "confirmed"})
    assert not IndustryVpn.objects.filter(pk=saved.pk).exists()


def test_the_repository_is_searched_in_chinese_and_by_pinyin_initials(db, make_user):
    province = make_user("province")
    entry_save(
        actor=province,
        entry=ApplicationCase(
            org_unit=unit("610800"),
            name="榆林智慧矿山无人巡检",
            sector=Sector.objects.get(code="smart-mining"),
            enterprise="某煤矿",
            network_form="public",
            stage="pilot",
            started_on=date(2022, 8, 1),
        ),
    )
    client = login_as(Client(), make_user("viewer"))
    url = reverse("registries:list", kwargs={"slug": "cases"})
    for query in ("矿山", "zhks", "kuangshan"):
        assert "榆林智慧矿山无人巡检" in client.get(url, {"q": query}).content.decode(), query
    assert "榆林智慧矿山无人巡检" not in client.get(url, {"q": "医疗"}).content.decode()
    assert (
        "榆林智慧矿山无人巡检"
        in client.get(url, {"sector": "smart-mining", "stage": "pilot"}).content.decode()
    )


def test_a_case_on_a_benchmark_is_not_deleted(db, make_user):
    from yangfan.registries.models import Benchmark

    province = make_user("province")
    case = entry_save(
        actor=province,
        entry=ApplicationCase(
            org_unit=unit("610100"),
            name="标杆案例",
            sector=Sector.objects.get(code="smart-power"),
            enterprise="电力公司",
            network_form="public",
            stage="production",
            started_on=date(2022, 1, 1),
        ),
    )
    entry_save(
        actor=province,
        entry=Benchmark(
            org_unit=unit("610100"), case=case, sector=case.sector, year=2023, published_on=date(2023, 6, 1)
        ),
    )
    with pytest.raises(ValidationError, match="标杆"):
        entry_delete(actor=province, entry=case)


def test_the_dashboard_shows_a6_and_a7_change_for_the_right_periods(db, make_user):
    import re

    from yangfan.registries.models import Benchmark

    province = make_user("province")
    network = entry_save(actor=province, entry=vpn())
    client = login_as(Client(), province)

    def card(code: str, period: str) -> str:
        html = client.get(reverse("portal:home") + f"?period={period}").content.decode()
        block = re.search(rf'data-indicator="{code}">(.*?)</article>', html, re.S).group(1)
        return re.search(r'<p class="figure">\s*([^<\s]+)', block).group(1)

    assert card("A6", "2023") == "1" and card("A6", "2022") == "1"
    network.retired_on = date(2023, 6, 1)
    entry_save(actor=province, entry=network)
    assert card("A6", "2023") == "0" and card("A6", "2022") == "1" and card("A6", "2023Q1") == "1"
    assert card("A7", "2023") == "0"
    for key in Sector.objects.filter(key_industry=True):
        shown = entry_save(
            actor=province,
            entry=ApplicationCase(
                org_unit=unit("610100"),
                name=f"{key.name}标杆",
                sector=key,
                enterprise="某企业",
                network_form="public",
                stage="production",
                started_on=date(2022, 1, 1),
            ),
        )
        entry_save(
            actor=province,
            entry=Benchmark(
                org_unit=unit("610100"), case=shown, sector=key, year=2023, published_on=date(2023, 9, 1)
            ),
        )
    assert (
        card("A7", "2023") == "1" and card("A7", "2023Q2") == "0"
    )  # every key industry has one from September
