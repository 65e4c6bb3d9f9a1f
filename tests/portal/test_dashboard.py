"""总览 as a dashboard: a card per indicator for the viewer's top unit, the units in it ranked, reporting."""

from __future__ import annotations

import re

from django.urls import reverse

from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.services import datavalues_import

CSV = """数据项,期间,地区,值
population,2023,610100,"10,000,000"
mobile_users_5g,202312,610100,"4,500,000"
population,2023,610300,"2,000,000"
mobile_users_5g,202312,610300,"600,000"
"""


def _load(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def _card(html: str, code: str) -> str:
    return re.search(
        rf'<article class="indicator-card [^"]*" data-indicator="{code}">(.*?)</article>', html, re.S
    ).group(1)


def test_the_province_sees_a_card_per_indicator_and_the_cities_ranked(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("province").get(reverse("portal:home") + "?period=2023").content.decode()
    cards = re.findall(r'data-indicator="([A-Z]\d)"', html)
    assert cards == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2", "B3", "B4"]
    a1 = _card(html, "A1")
    assert "42.50" in a1 and "&gt; 40 %" in a1 and "已达目标的 106%" in a1 and "已达标" in a1  # 5.1M / 12M
    assert 'data-chart="spark"' in a1
    ranking = html.split('<table class="grid values ranking">')[1].split("</table>")[0]
    names = re.findall(r'<a href="/orgunits/\d+/\?period=2023">([^<]+)</a>', ranking)
    assert names[:2] == ["西安市", "宝鸡市"]  # 45 % then 30 %; the cities without figures follow unranked
    assert "报送情况" in html


def test_a_city_user_sees_its_city_and_nothing_outside_it(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("city-reporter").get(reverse("portal:home") + "?period=2023").content.decode()  # 西安
    assert "西安市</a> · 2023" in html
    assert "45.00" in _card(html, "A1")
    assert "宝鸡市" not in html and "42.50" not in html  # neither 宝鸡 nor the province


def test_roles_without_data_see_the_plan_only(client_for):
    for role in ("admin", "auditor"):
        html = client_for(role).get(reverse("portal:home")).content.decode()
        assert "indicator-card" not in html and "主要指标" in html


def test_a_bad_period_is_said(client_for):
    html = client_for("viewer").get(reverse("portal:home") + "?period=2023Q7").content.decode()
    assert "不是有效的期间" in html


def test_the_province_map_colours_each_city_by_its_status(client_for, tmp_path):
    import json

    _load(tmp_path)
    html = client_for("viewer").get(reverse("portal:home") + "?period=2023").content.decode()
    data = json.loads(
        re.search(r'<script id="dashboard-map" type="application/json">(.*?)</script>', html).group(1)
    )
    regions = {r["name"]: r for r in data["regions"]}
    assert (
        data["map"] == "陕西"
        and regions["西安市"]["status"] == "achieved"
        and regions["西安市"]["value"] == 45.0
    )
    assert (
        regions["宝鸡市"]["status"] == "off_track"
        and regions["宝鸡市"]["url"] == "/orgunits/610300/?period=2023"
    )
    assert "vendor/echarts-china-provinces/shanxi1.js" in html
    city = client_for("city-reporter").get(reverse("portal:home") + "?period=2023").content.decode()
    assert "dashboard-map" not in city  # a city's dashboard has no province map


def test_the_dashboard_summarises_the_viewers_tasks(client_for, make_user):
    from yangfan.supervision import services
    from yangfan.supervision.models import Assignment

    gxt = make_user("department", username="gxt-reporter")
    share = Assignment.objects.get(task__code="T2.1.1", responsible_unit__code="gxt", subtask__isnull=True)
    report = services.progress_report_open(assignment=share, period="2023Q4")
    services.progress_report_save(actor=gxt, report=report, progress="done", percent=100, narrative="完成")
    services.progress_report_act(actor=gxt, report=report, action="submit")
    province = client_for("province").get(reverse("portal:home") + "?period=2023").content.decode()
    summary = province.split('<section class="card task-summary"')[1].split("</section>")[0]
    assert "2023Q4" in summary and "<strong>33</strong>" in summary
    assert re.search(r"334 个分工", summary) and re.search(r"<strong>1</strong>已完成", summary)
    city = client_for("city-reporter").get(reverse("portal:home") + "?period=2023").content.decode()  # 西安
    mine = city.split('<section class="card task-summary"')[1].split("</section>")[0]
    assert "<strong>0</strong>已完成" in mine  # 省工信厅's report is not 西安's
    assert "220 个分工" not in mine and re.search(r"<strong>22</strong>项任务，22 个分工", mine)
    assert "task-summary" not in client_for("operator").get(reverse("portal:home")).content.decode()
