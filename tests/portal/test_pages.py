"""The web shell: every page needs a login, speaks Chinese by default, and shows the plan's own words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

PLAN = "shaanxi-5g-2021-2023"
PAGES = [
    ("portal:home", {}),
    ("actionplans:plan", {"plan": PLAN}),
    ("actionplans:goals", {"plan": PLAN}),
    ("actionplans:source", {"plan": PLAN}),
    ("actionplans:task", {"plan": PLAN, "code": "T2.1.1"}),
    ("actionplans:units", {"plan": PLAN}),
    ("actionplans:unit", {"plan": PLAN, "code": "jtt"}),
    ("actionplans:indicators", {"plan": PLAN}),
    ("actionplans:indicator", {"plan": PLAN, "code": "A1"}),
    ("orgunits:tree", {}),
    ("orgunits:detail", {"code": "YANGLING"}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_user_is_sent_to_the_login_page(client, plan, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_page_renders_in_chinese_with_local_assets_only(viewer_client, name, kwargs):
    response = viewer_client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "指标监测" in html and "任务督导" in html  # the navigation
    assert not re.search(r'(src|href)="(https?:)?//', html), "pages must not load anything from another host"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_plan_structure_shows_sections_tasks_units_and_special_projects(viewer_client):
    html = viewer_client.get(reverse("actionplans:plan", kwargs={"plan": PLAN})).content.decode()
    for text in (
        "突破5G应用关键环节",
        "加快打通跨行业协议标准",
        "省市场监督管理局",
        "专栏1",
        "5G应用标准体系构建及推广工程",
        "强化统筹联动",
        "原文第11条",
        "编码说明",
    ):
        assert text in html
    assert html.count('class="code">T') == 33


def test_task_page_quotes_the_full_clause(viewer_client):
    html = viewer_client.get(
        reverse("actionplans:task", kwargs={"plan": PLAN, "code": "T4.3.9"})
    ).content.decode()
    assert "开展5G应用安全示范推广" in html
    assert "在5G应用中推广使用商用密码，做好密码应用安全性评估。" in html
    assert (
        "省委网信办、省工信厅、省通信管理局、省公安厅、省发改委、省卫健委、省交通厅等部门按职责分工负责"
        in html
    )
    assert "省交通运输厅" in html  # the alias resolved to its unit


def test_responsible_unit_page_lists_its_tasks(viewer_client):
    html = viewer_client.get(
        reverse("actionplans:unit", kwargs={"plan": PLAN, "code": "jtt"})
    ).content.decode()
    assert "原文中也写作：省交通厅" in html
    for code in ("T3.2.2", "T4.1.1", "T4.3.9"):
        assert code in html
    assert "T2.1.1" not in html


def test_indicator_page_shows_formula_target_and_annex_definition(viewer_client):
    html = viewer_client.get(
        reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": "A1"})
    ).content.decode()
    assert "mobile_users_5g / population * 100" in html
    assert "&gt; 40 %" in html
    assert "5G个人用户普及率=5G移动电话用户数/全省人口数" in html
    assert "常住人口" in html


def test_large_targets_are_written_without_exponent(viewer_client):
    html = viewer_client.get(reverse("actionplans:goals", kwargs={"plan": PLAN})).content.decode()
    assert "&gt; 16,000,000 户" in html
    assert "用户数超过1600万" in html
    assert "全面建成双千兆城市" in html


def test_org_tree_counts_yangling_district_in_the_demonstration_zone(viewer_client):
    html = viewer_client.get(reverse("orgunits:detail", kwargs={"code": "610403"})).content.decode()
    assert "统计上计入" in html and "杨凌示范区" in html
    assert "咸阳市" in html  # still shown as its administrative parent
    tree = viewer_client.get(reverse("orgunits:tree")).content.decode()
    assert "西咸新区" in tree and "韩城市" in tree


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("actionplans:task", {"plan": PLAN, "code": "T9.9.9"}),
        ("actionplans:unit", {"plan": PLAN, "code": "nobody"}),
        ("actionplans:indicator", {"plan": PLAN, "code": "A99"}),
        ("actionplans:plan", {"plan": "no-such-plan"}),
        ("orgunits:detail", {"code": "999999"}),
    ],
)
def test_unknown_object_is_not_found(viewer_client, name, kwargs):
    assert viewer_client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_english_is_available(viewer_client):
    viewer_client.cookies["django_language"] = "en"
    html = viewer_client.get(reverse("actionplans:plan", kwargs={"plan": PLAN})).content.decode()
    assert '<html lang="en">' in html
    assert "Indicators" in html and "Task supervision" in html
    assert "加快打通跨行业协议标准" in html  # the plan's own text stays as written


def test_login_with_a_wrong_password_is_refused_in_chinese(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "密码" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_home_shows_the_plan(client, viewer):
    response = client.post(
        reverse("login"), {"username": "viewer", "password": "Viewer-pass-2023"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "陕西省5G应用“扬帆”行动计划（2021-2023年）" in html
    assert "5G个人用户普及率" in html


def test_admin_is_for_administrators_only(client, viewer_client, django_user_model):
    assert viewer_client.get("/admin/").status_code == 302
    admin = django_user_model.objects.create_superuser("root-admin", password="Admin-pass-2023!")
    client.force_login(admin)
    response = client.get("/admin/actionplans/task/")
    assert response.status_code == 200
    assert "加快打通跨行业协议标准" in response.content.decode()


def test_figures_show_whole_counts_without_decimals_and_rates_with_two():
    from yangfan.core.figures import figure

    assert figure("18732856", "户") == "18,732,856"
    assert figure("18.5", "个") == "18.50"  # a ratio in 个 (per 10,000 people) keeps its decimals
    assert figure("45", "%") == "45.00"
    assert figure(None, "户") == "—"
