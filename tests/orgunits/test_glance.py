"""The org unit page shows every indicator of the plan for the unit at a chosen period (指标一览)."""

from __future__ import annotations

import html as markup
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.services import datavalues_import

# Hand-chosen figures: 西安 4,123,456 5G users of 9,000,000 residents, 宝鸡 600,000 of 3,000,000.
CSV = """数据项,期间,地区,值
population,2022,610100,"9,000,000"
population,2023,610100,"9,000,000"
mobile_users_5g,202212,610100,"2,700,000"
mobile_users_5g,202312,610100,"4,123,456"
population,2023,610300,"3,000,000"
mobile_users_5g,202312,610300,"600,000"
"""
PLAN = "shaanxi-5g-2021-2023"


def _url(code: str, period: str | None = None) -> str:
    url = reverse("orgunits:detail", kwargs={"code": code})
    return url if period is None else f"{url}?period={period}"


@pytest.fixture
def values(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def _row(html: str, indicator: str) -> str:
    match = re.search(rf'<tr class="status-[a-z_]+" data-indicator="{indicator}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {indicator}"
    return match.group(1)


def _cells(row: str) -> list[str]:
    """The text of each cell, split on white space (tags dropped, entities decoded)."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [markup.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in cells]


def test_a_city_shows_a1_as_the_ratio_of_its_figures_rounded_for_display(client_for, values):
    html = client_for("viewer").get(_url("610100", "2023")).content.decode()
    assert "指标一览" in html
    expected = (Decimal(4_123_456) / Decimal(9_000_000) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert str(expected) == "45.82"  # 45.8161…
    code, name, value, unit, target, status, *_ = _cells(_row(html, "A1"))
    assert code == ["A1"] and name == ["5G个人用户普及率"]
    assert value == ["45.82"] and unit == ["%"]
    assert target[:3] == [">", "40", "%"] and status == ["已达标"]


def test_every_indicator_of_the_plan_has_a_row_linking_to_its_page_at_the_same_period(client_for, values):
    html = client_for("viewer").get(_url("610100", "2023Q4")).content.decode()
    for code in ("A1", "A2", "A3", "A4", "A5", "A6", "A7"):
        link = reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": code}) + "?period=2023Q4"
        assert f'href="{link}"' in _row(html, code)


def test_each_row_carries_its_series_for_the_sparkline(client_for, values):
    html = client_for("viewer").get(_url("610100", "2023")).content.decode()
    assert 'data-chart="spark" data-source="glance-shaanxi-5g-2021-2023-A1"' in html
    script = re.search(
        r'<script id="glance-shaanxi-5g-2021-2023-A1" type="application/json">(.*?)</script>', html
    )
    chart = json.loads(script.group(1))
    by_period = dict(zip(chart["periods"], chart["series"][0]["values"], strict=True))
    assert by_period["2021"] is None  # no figure: a gap, never 0
    assert by_period["2022"] == pytest.approx(30.0) and by_period["2023"] == pytest.approx(45.8161, abs=1e-4)
    assert chart["unit"] == "%" and chart["target"]["value"] == 40
    assert chart["series"][0]["name"] == "西安市"
    # the charts are drawn by static scripts only (the CSP forbids inline script)
    assert "vendor/echarts/echarts.min.js" in html and "portal/charts.js" in html


def test_an_indicator_without_a_target_for_the_unit_shows_a_dash_and_its_status(client_for, values):
    html = client_for("viewer").get(_url("610100", "2023")).content.decode()
    cells = _cells(_row(html, "A6"))  # 5G行业虚拟专网数: a count of the whole province
    assert cells[4] == ["—"]
    assert cells[5] in (["未设目标"], ["no_target"], ["数据不足"])


def test_a_missing_value_shows_why(client_for, values):
    html = client_for("viewer").get(_url("610102", "2023")).content.decode()  # 新城区: nothing reported
    row = _row(html, "A1")
    assert _cells(row)[2] == ["—"]
    assert "缺少数据" in row


def test_the_default_period_is_the_plans_end_year(client_for, values):
    html = client_for("viewer").get(_url("610100")).content.decode()
    assert 'name="period" value="2023"' in html
    assert _cells(_row(html, "A1"))[2] == ["45.82"]


@pytest.mark.parametrize("period", ["2023Q7", "abc", "20231", "9999"])
def test_a_bad_period_is_explained_in_chinese(client_for, period):
    response = client_for("viewer").get(_url("610100", period))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error" role="alert"' in html
    assert "不是有效的期间" in html or "超出可查看的范围" in html
    assert "glance-table" not in html


def test_the_province_and_a_county_have_the_section_too(client_for, values):
    client = client_for("viewer")
    for code in ("610000", "610116", "610581"):  # the province, 长安区, 韩城市 (a group's member)
        html = client.get(_url(code, "2023")).content.decode()
        assert html.count('data-chart="spark"') == 11, code  # A1–A7 and B1–B4


def test_a_user_whose_view_scope_is_another_city_is_refused(make_user, client, values):
    from yangfan.orgunits.models import OrgUnit

    baoji = OrgUnit.objects.get(code="610300")
    client.force_login(make_user("viewer", view_org_units=[baoji]))  # a viewer needs no second factor
    assert client.get(_url("610300", "2023")).status_code == 200
    response = client.get(_url("610100", "2023"))
    assert response.status_code == 403
    assert "45.82" not in response.content.decode()
