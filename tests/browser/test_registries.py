"""The registries in the browser: the repository searched in Chinese and by pinyin initials; an expert sees the
reviews assigned to them and nothing of the registries."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_repository_is_browsed_and_searched(server, page, login, shot):
    login("demo-province", "Bangong#5G-2023")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="应用仓库").click()
    expect(page.get_by_role("heading", name="登记簿")).to_be_visible()
    page.get_by_role("link", name="5G应用仓库").click()
    rows = page.locator("table.registry tbody tr")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    page.get_by_label("检索").fill("zhwl")  # 智慧物流 by its pinyin initials
    page.get_by_role("button", name="查找").click()
    found = page.locator("table.registry tbody tr")
    expect(found.first).to_be_visible()
    assert 0 < found.count() < everything
    assert all("智慧物流" in text for text in found.locator("td:nth-child(2)").all_inner_texts())
    shot("registries-cases")
    page.get_by_label("检索").fill("")
    page.locator("select[name=sector]").select_option("smart-mining")
    page.get_by_role("button", name="查找").click()
    assert set(page.locator("table.registry tbody td:nth-child(2)").all_inner_texts()) == {"智慧采矿"}
    assert page.console_errors == [] and page.csp_violations == []


def test_an_expert_sees_only_their_reviews(server, page, login):
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill("demo-expert2")
    page.get_by_label("密码").fill("Zhuanjia#5G-2023")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="标杆评审").click()
    expect(page.locator("table.reviews tbody tr")).to_have_count(3)
    response = page.goto(server + "/registries/cases/")
    assert response.status == 403
