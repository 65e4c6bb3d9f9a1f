"""End to end, as a person uses Yangfan: `yangfan init --demo`, `yangfan serve`, then headless Chromium
(Debian's, driven by Playwright) logs in and reads the plan pages.

Set YANGFAN_SCREENSHOTS=DIR to keep screenshots (the README's come from here; see the ``shot`` fixture).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_demo_user_logs_in_and_reads_the_plan(server, page, shot):
    page.goto(server + "/")
    expect(page).to_have_url(server + "/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="登录扬帆")).to_be_visible()
    shot("login")

    page.get_by_label("用户名").fill("demo-viewer")
    page.get_by_label("密码").fill("Chayue#5G-2023")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    expect(page.get_by_text("陕西省5G应用“扬帆”行动计划（2021-2023年）").first).to_be_visible()
    shot("home")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="行动计划").click()
    expect(page.get_by_role("heading", name="二、突破5G应用关键环节")).to_be_visible()
    expect(page.locator("table.tasks tbody tr")).to_have_count(33)
    shot("plan")

    page.get_by_role("link", name="加强5G应用安全风险评估").click()
    expect(page.get_by_role("heading", name="T4.3.8 加强5G应用安全风险评估")).to_be_visible()
    expect(
        page.get_by_text("省委网信办、省通信管理局、省工信厅、省公安厅等部门按职责分工负责")
    ).to_be_visible()
    page.locator(".chips").get_by_role("link", name="省公安厅").click()
    expect(page.get_by_role("heading", name="省公安厅")).to_be_visible()
    expect(page.locator("table.tasks tbody tr")).to_have_count(5)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="指标监测").click()
    page.get_by_role("link", name="5G个人用户普及率").click()
    expect(page.locator("code.formula")).to_have_text("mobile_users_5g / population * 100")
    expect(page.locator(".target-box").get_by_text("> 40 %")).to_be_visible()
    expect(page.locator("table.values tbody tr")).to_have_count(12)  # the province, 10 cities, 杨凌
    shot("indicator")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织机构").click()
    expect(page.get_by_role("link", name="杨凌示范区")).to_be_visible()
    expect(page.locator(".tree").get_by_role("link", name="杨陵区")).to_be_visible()
    shot("orgunits")

    page.get_by_role("button", name="English").click()
    expect(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Indicators")
    ).to_be_visible()

    assert page.console_errors == [], "the browser reported errors (e.g. a Content-Security-Policy violation)"


def test_a_wrong_password_is_refused(server, page):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill("demo-viewer")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名")
    expect(page).to_have_url(server + "/accounts/login/")


def _login(page: Page, server: str, username: str, password: str) -> None:
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible()


def test_a_xian_reporter_cannot_open_baoji_and_the_auditor_sees_the_attempt(server, page, shot):
    _login(page, server, "demo-xian", "Changan#5G-2023")
    page.goto(server + "/orgunits/610100/")
    expect(page.get_by_role("heading", name="西安市 610100")).to_be_visible()

    response = page.goto(server + "/orgunits/610300/")  # 宝鸡, guessed from the URL pattern
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_text("宝鸡市")).to_have_count(0)
    shot("refused")
    page.get_by_role("button", name="退出").click()

    _login(page, server, "demo-auditor", "Shenji#5G-2023")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    page.locator("select[name=action]").select_option("permission_denied")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.grid tbody tr").first
    expect(row).to_contain_text("demo-xian")
    expect(row).to_contain_text("宝鸡市")
    shot("audit")
