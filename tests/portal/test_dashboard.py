"""总览 as a dashboard: a card per indicator for the viewer's top unit, or for the city, county or group ``?org=``
drills down to (within the viewer's scope), the units in it ranked, tasks and reporting."""

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
    cards = re.findall(r'<article class="indicator-card [^"]*" data-indicator="([A-Z]\d)"', html)
    assert cards == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2", "B3", "B4"]
    trends = re.findall(r'<figure class="trend" data-indicator="([A-Z]\d)"', html)  # 走势: a chart per card
    assert trends == cards
    a1 = _card(html, "A1")
    assert "42.50" in a1 and "&gt; 40 %" in a1 and "已达目标的 106%" in a1 and "已达标" in a1  # 5.1M / 12M
    assert 'data-chart="spark"' in a1
    ranking = html.split('<table class="grid values ranking">')[1].split("</table>")[0]
    names = re.findall(r'<a href="/\?org=\d+&amp;period=2023&amp;indicator=A1">([^<]+)</a>', ranking)
    assert names[:2] == ["西安市", "宝鸡市"]  # 45 % then 30 %; the cities without figures follow unranked
    # each unit drills down to its dashboard; its own page is a click away
    assert '<a class="small muted" href="/orgunits/610100/?period=2023">详细</a>' in ranking
    assert "报送情况" in html


def test_a_city_user_sees_its_city_and_nothing_outside_it(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("city-reporter").get(reverse("portal:home") + "?period=2023").content.decode()  # 西安
    assert "西安市 · 2023" in html
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
        regions["宝鸡市"]["status"] == "missed"  # short of the target at its date (2023-12-31)
        and regions["宝鸡市"]["url"] == "/?org=610300&period=2023&indicator=A1"  # the city's dashboard
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


MORE = """数据项,期间,地区,值
population,2023,610102,"600,000"
mobile_users_5g,202312,610102,"300,000"
population,2023,610103,"700,000"
mobile_users_5g,202312,610103,"210,000"
population,2023,610581,"400,000"
mobile_users_5g,202312,610581,"100,000"
population,2023,610881,"500,000"
mobile_users_5g,202312,610881,"250,000"
"""  # 新城区 50 %, 碑林区 30 % (both in 西安); 韩城市 25 %, 神木市 50 % (the groups HANCHENG and SHENMU)


def _load_more(tmp_path):
    _load(tmp_path)
    path = tmp_path / "more.csv"
    path.write_text(MORE, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def _home(client, query: str):
    return client.get(reverse("portal:home") + query)


def test_a_city_drilled_down_to_shows_its_rank_among_the_cities_and_its_gaps(client_for, tmp_path):
    _load(tmp_path)
    province = client_for("province")
    html = _home(province, "?org=610300&period=2023").content.decode()  # 宝鸡
    assert "宝鸡市 · 2023" in html and "名次为在陕西省所辖 11 个地区中的排名。" in html
    a1 = _card(html, "A1")
    assert "30.00" in a1 and "第 2 / 2 名" in a1  # 30 % behind 西安's 45 %; the other cities have no figures
    assert "距目标差 10.00 %" in a1  # 40 − 30
    assert "第 2 / 2 名" in _card(html, "B1")  # 600,000 users behind 西安's 4,500,000
    assert "第" not in _card(html, "A2")  # no value, no rank
    trend = html.split('<figure class="trend" data-indicator="A1">')[1].split("</figure>")[0]  # 走势 of A1
    assert 'data-chart="line"' in trend and 'data-source="glance-shaanxi-5g-2021-2023-A1"' in trend
    assert 'data-href="/plans/shaanxi-5g-2021-2023/indicators/A1/?period=2023&amp;org=610300#chart"' in trend
    xian = _card(_home(province, "?org=西安市&period=2023").content.decode(), "A1")  # by name
    assert "第 1 / 2 名" in xian and "已达标" in xian and "距目标差" not in xian
    crumbs = html.split('<p class="crumbs">')[1].split("</p>")[0]
    assert '<a href="/?org=610000&amp;period=2023&amp;indicator=A1">陕西省</a>' in crumbs
    assert 'href="/orgunits/610300/?period=2023">详细</a>' in html  # the unit's own page
    assert "dashboard-map" not in html  # the map is the province's


def test_drill_down_keeps_the_period_and_the_indicator(client_for, tmp_path):
    _load_more(tmp_path)
    html = _home(client_for("province"), "?org=610100&period=202312&indicator=B1").content.decode()
    ranking = html.split('<table class="grid values ranking">')[1].split("</table>")[0]
    counties = re.findall(r'<a href="/\?org=(\d+)&amp;period=202312&amp;indicator=B1">([^<]+)</a>', ranking)
    assert counties[:2] == [("610102", "新城区"), ("610103", "碑林区")]  # 300,000 then 210,000 users
    assert '<a href="/?org=610100&amp;period=2023Q4&amp;indicator=B1" data-period="2023Q4">Q4</a>' in html
    assert 'data-period="202312" class="current" aria-current="page"' in html
    assert '<input type="hidden" name="org" value="610100">' in html


def test_a_county_is_ranked_among_its_citys_counties(client_for, tmp_path):
    _load_more(tmp_path)
    for role in ("province", "city-reporter"):  # 西安's own reporter may drill into its counties
        response = _home(client_for(role), "?org=610103&period=2023")
        assert response.status_code == 200
        html = response.content.decode()
        assert "碑林区 · 2023" in html and "名次为在西安市所辖 13 个地区中的排名。" in html
        a1 = _card(html, "A1")
        assert "30.00" in a1 and "第 2 / 2 名" in a1 and "距目标差 10.00 %" in a1
        assert "本地区没有单独的报送任务。" in html  # counties report with their city
        assert "task-summary" not in html  # no assignment is a county's
    crumbs = html.split('<p class="crumbs">')[1].split("</p>")[0]
    # the reporter cannot open the province's dashboard: named, not linked
    assert "陕西省 › " in crumbs and 'href="/?org=610000' not in crumbs
    assert '<a href="/?org=610100&amp;period=2023&amp;indicator=A1">西安市</a>' in crumbs


def test_a_group_is_ranked_among_the_groups_of_its_kind(client_for, tmp_path):
    _load_more(tmp_path)
    province = client_for("province")
    html = _home(province, "?org=HANCHENG&period=2023").content.decode()
    assert "韩城市 · 2023" in html and "名次为在 3 个同类分组中的排名。" in html
    assert "25.00" in _card(html, "A1") and "第 2 / 2 名" in _card(html, "A1")  # 神木 50 % ahead, 府谷 none
    assert 'href="/orgunits/HANCHENG/' not in html  # a group has no unit page
    xixian = _home(province, "?org=西咸新区&period=2023").content.decode()
    assert "西咸新区 · 2023" in xixian and "没有同类分组可比，不排名。" in xixian
    groups = _home(province, "?period=2023").content.decode().split("<h2>统计分组</h2>")[1].split("</ul>")[0]
    assert re.findall(r'data-org="(\w+)"', groups) == ["HANCHENG", "SHENMU", "FUGU", "XIXIAN"]


def test_a_unit_outside_the_scope_is_refused_and_the_refusal_audited(client_for, tmp_path):
    from yangfan.audit.choices import AuditAction
    from yangfan.audit.models import AuditEntry

    _load(tmp_path)
    reporter = client_for("city-reporter")  # 西安
    for org in ("610300", "宝鸡市", "610000", "XIXIAN"):  # 西咸新区 lies partly in 咸阳
        response = _home(reporter, f"?org={org}&period=2023")
        assert response.status_code == 403
        assert "宝鸡市" not in response.content.decode() and "30.00" not in response.content.decode()
    refusals = AuditEntry.objects.filter(
        action=AuditAction.PERMISSION_DENIED, actor_username="u-city-reporter"
    )
    assert [(r.detail, r.object_repr) for r in refusals.order_by("seq")] == [
        ("data.view", "宝鸡市（610300）"),
        ("data.view", "宝鸡市（610300）"),
        ("data.view", "陕西省（610000）"),
        ("data.view", "西咸新区"),
    ]
    assert _home(reporter, "?org=610999&period=2023").status_code == 404


def test_a_city_drilled_down_to_counts_its_governments_tasks_only(client_for, make_user):
    from yangfan.supervision import services
    from yangfan.supervision.models import Assignment

    reporter = make_user("city-reporter", username="xa-reporter")  # 西安
    share = Assignment.objects.filter(
        org_unit__code="610100", responsible_unit__kind="city_governments", subtask__isnull=True
    ).first()
    report = services.progress_report_open(assignment=share, period="2023Q4")
    services.progress_report_save(
        actor=reporter, report=report, progress="done", percent=100, narrative="完成"
    )
    services.progress_report_act(actor=reporter, report=report, action="submit")
    province = client_for("province")
    xian = _home(province, "?org=610100&period=2023").content.decode()
    summary = xian.split('<section class="card task-summary"')[1].split("</section>")[0]
    assert re.search(r"<strong>22</strong>项任务，22 个分工", summary)  # not the province's 334
    assert re.search(r"<strong>1</strong>已完成", summary) and "unit=610100" in summary
    baoji = _home(province, "?org=610300&period=2023").content.decode()
    assert re.search(r"<strong>0</strong>已完成", baoji.split("task-summary")[1].split("</section>")[0])
