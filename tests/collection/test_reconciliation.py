"""Reconciliation from the stored values: a city's official total, the sum of its counties' report and the
operators' sum, hand-computed; what the reviewer sees of a submission; the page within the view scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.checks import reconciliation_for, reconciliation_rows
from yangfan.collection.services import submission_open
from yangfan.core.periods import Period
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

D = Decimal


def unit(code):
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def xian_figures(db):
    """西安, 2023Q4. Base stations: the 通信管理局's December figure for the city 10,000; the city's quarterly
    report 长安区 6,000 + 未央区 3,900 = 9,900; the operators' December parts 长安区 5,000 + 1,000 and 未央区
    3,000 + 800 = 9,800. 5G users: 通信管理局 505,000; 长安区 500,000; operators 300,000 + 200,000."""
    figures = [
        ("base_stations_5g", "610100", "202312", 10_000, None),
        ("base_stations_5g", "610116", "2023Q4", 6_000, None),
        ("base_stations_5g", "610112", "2023Q4", 3_900, None),
        ("base_stations_5g", "610116", "202312", 5_000, "cmcc"),
        ("base_stations_5g", "610116", "202312", 1_000, "ctcc"),
        ("base_stations_5g", "610112", "202312", 3_000, "cmcc"),
        ("base_stations_5g", "610112", "202312", 800, "ctcc"),
        ("mobile_users_5g", "610100", "202312", 505_000, None),
        ("mobile_users_5g", "610116", "2023Q4", 500_000, None),
        ("mobile_users_5g", "610116", "202312", 300_000, "cmcc"),
        ("mobile_users_5g", "610116", "202312", 200_000, "ctcc"),
    ]
    rows = [
        ParsedRow(
            n + 2,
            DataElement.objects.get(code=element),
            unit(org),
            period,
            Operator.objects.get(code=operator) if operator else None,
            D(value),
            "",
        )
        for n, (element, org, period, value, operator) in enumerate(figures)
    ]
    datavalues_import(rows=rows, file="figures.csv")


def by_key(rows):
    return {(r["org_unit"], r["data_element"]): r for r in rows}


def test_a_city_total_its_counties_and_the_operators(xian_figures):
    report = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )
    rows = by_key(reconciliation_for(report))
    # the report's elements only (population is no element of it), units with a figure only
    assert set(rows) == {
        ("610100", "base_stations_5g"),
        ("610100", "mobile_users_5g"),
        ("610116", "base_stations_5g"),
        ("610116", "mobile_users_5g"),
        ("610112", "base_stations_5g"),
    }
    city = rows[("610100", "base_stations_5g")]
    assert (city["official"], city["own"], city["children"], city["operators"]) == (
        D(10_000),
        None,
        D(9_900),
        D(9_800),
    )
    assert city["labels"]["official"] == "省通信管理局（官方数）"
    assert [(v["label"], v["difference"], v["percent"], v["flagged"]) for v in city["variances"]] == [
        ("下级合计 − 省通信管理局（官方数）", D(-100), D("-1.00"), False),  # exactly 1 %: not over it
        ("运营商合计 − 省通信管理局（官方数）", D(-200), D("-2.00"), True),
        ("运营商合计 − 下级合计", D(-100), D("-1.01"), True),
    ]
    assert city["flagged"] and city["depth"] == 0
    users = rows[("610100", "mobile_users_5g")]
    assert (users["official"], users["children"], users["operators"]) == (D(505_000), D(500_000), D(500_000))
    assert [v["percent"] for v in users["variances"]] == [D("-0.99"), D("-0.99"), D("0.00")]
    assert not users["flagged"]
    weiyang = rows[("610112", "base_stations_5g")]
    assert (weiyang["depth"], weiyang["own"], weiyang["operators"], weiyang["official"]) == (
        1,
        D(3_900),
        D(3_800),
        None,  # a county is not of the official figures' level
    )
    assert weiyang["variances"][0]["percent"] == D("-2.56") and weiyang["flagged"]


def test_the_province_reconciles_its_cities(xian_figures):
    rows = by_key(
        reconciliation_rows(
            org_unit=unit("610000"), period=Period.parse("2023Q4"), data_elements=["base_stations_5g"]
        )
    )
    province = rows[("610000", "base_stations_5g")]
    # the province's children are the cities: 西安 counts with its own (official) figure, never twice
    assert (province["own"], province["children"], province["operators"], province["official"]) == (
        None,
        D(10_000),
        D(9_800),
        None,
    )
    assert rows[("610100", "base_stations_5g")]["depth"] == 1


def test_the_reconciliation_page_highlights_variances_over_one_percent(client_for, xian_figures):
    url = reverse("collection:reconciliation") + "?org=610100&period=2023Q4&data_element=base_stations_5g"
    response = client_for("city-reporter").get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert {r["data_element"] for r in response.context["rows"]} == {"base_stations_5g"}
    assert "<mark>运营商合计 − 省通信管理局（官方数）：-200（-2.00%）</mark>" in page
    assert "下级合计 − 省通信管理局（官方数）：-100（-1.00%）" in page
    assert "<mark>下级合计 − 省通信管理局（官方数）" not in page
    assert "10,000" in page and "9,900" in page and "9,800" in page


def test_the_reconciliation_page_refuses_a_unit_out_of_scope_and_names_a_bad_period(client_for, db):
    response = client_for("city-reviewer").get(reverse("collection:reconciliation") + "?org=610100")  # 宝鸡's
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied", detail="data.view").exists()
    response = client_for("province").get(reverse("collection:reconciliation") + "?org=610100&period=2023Q5")
    assert response.status_code == 200 and "不是有效的期间" in response.context["period_error"]
    response = client_for("viewer").get(reverse("collection:reconciliation") + "?org=610100&period=2023Q4")
    assert "本期没有可对账的数值" in response.content.decode()
