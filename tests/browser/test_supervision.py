"""Task supervision in the browser, as the issue's “done when” reads: for 2023Q4 the provincial officer sees
which of the 33 task clauses each unit reported on and which are late, issues a 督办单 to 省文旅厅, sees its
answer and publishes the ranking; a unit reporter sees only its own assignments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PLAN = "shaanxi-5g-2021-2023"


def test_the_office_supervises_a_unit_that_answers(server, page, login, shot):
    login("demo-province", "Bangong#5G-2023")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="任务督导").click()
    expect(page.get_by_role("heading", name="任务督导")).to_be_visible()
    page.get_by_label("报告期").select_option("2023Q4")
    page.get_by_role("button", name="查看").click()
    matrix = page.locator("table.matrix")
    expect(matrix.locator("tbody tr")).to_have_count(33)  # every 责任单位 clause of the plan
    expect(matrix.locator("thead th.unit-col")).to_have_count(26)  # 16 departments and the 10 cities
    assert matrix.locator("td[data-state=overdue]").count() > 0  # the demo has late units
    assert matrix.locator("td[data-state=done]").count() > 0
    shot("supervision-matrix")

    # the supervision list: 省文旅厅 has not reported 2023Q4
    page.get_by_role("link", name="督导清单").click()
    page.get_by_label("责任单位").fill("省文旅厅")
    page.get_by_role("button", name="查看").click()
    rows = page.locator("table.alerts tbody tr[data-kind=no_report]")
    expect(rows.first).to_be_visible()
    rows.filter(has_text="T3.3.3").get_by_role("link", name="下发督办单").click()

    expect(page.get_by_role("heading", name="下发督办单")).to_be_visible()
    assert "2023Q4 的进展报告应于2024年1月15日前报送" in page.get_by_label("存在问题").input_value()
    page.get_by_label("标题").fill("关于报送“5G+文化旅游”任务进展的督办通知")
    page.get_by_label("反馈时限").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="签发").click()
    expect(page.locator(".messages")).to_contain_text("已下发督办单 陕5G督〔")
    notice_url = page.url
    number = page.locator("dd.code").inner_text()

    # 省文旅厅 sees it on its own board and answers with a file
    page.context.clear_cookies()
    login("demo-wlt", "Wenlv#5G-2023")
    page.goto(f"{server}/supervision/{PLAN}/mine/?period=2023Q4")
    board = page.locator("section.notice-alert")
    expect(board).to_contain_text(number)
    expect(page.locator("tr[data-assignment]")).to_have_count(3)  # 省文旅厅 answers for three clauses
    assert "西安市人民政府" not in page.content()
    board.get_by_role("link", name=number).click()
    page.get_by_label("反馈内容").fill("已组织补报2023年第四季度进展，详见附件。")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "补报说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%demo\n%%EOF\n"}]
    )
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator(".messages")).to_contain_text("已提交反馈")

    # the office reads the answer, exports the notice and closes it
    page.context.clear_cookies()
    login("demo-province", "Bangong#5G-2023")
    page.goto(notice_url)
    expect(page.locator("article.answer")).to_contain_text("已组织补报")
    expect(page.locator("article.answer")).to_contain_text("补报说明.pdf")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出督办单（Word）").click()
    assert download.value.suggested_filename == f"{number}.docx"
    shot("supervision-notice")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("[data-status=closed]")).to_be_visible()

    # and publishes the ranking of the period
    page.goto(f"{server}/supervision/{PLAN}/evaluation/?period=2023Q4")
    expect(page.locator("section.live table.ranking tbody tr")).to_have_count(26)
    page.get_by_role("button", name="发布排名").click()
    expect(page.locator(".messages")).to_contain_text("已发布 2023Q4 评估排名")
    expect(page.locator("section.published table.ranking tbody tr")).to_have_count(26)
    assert page.console_errors == [] and page.csp_violations == []


def test_a_city_reporter_sees_only_its_citys_assignments(server, page, login):
    login("demo-xian", "Changan#5G-2023")
    page.goto(f"{server}/supervision/{PLAN}/matrix/?period=2023Q4")
    # 西安's cascade: the city government's column first, then the districts and departments it split tasks among
    columns = page.locator("table.matrix thead th.unit-col")
    expect(columns.first).to_have_attribute("title", "西安市人民政府")
    titles = [columns.nth(i).get_attribute("title") for i in range(columns.count())]
    assert "长安区人民政府" in titles and not any(t.startswith(("宝鸡", "省")) for t in titles)
    page.goto(f"{server}/supervision/{PLAN}/mine/?period=2023Q4")
    units = set(page.locator("tr[data-assignment] td:nth-child(2)").all_inner_texts())
    assert "西安市人民政府" in units and not any(u.startswith(("宝鸡", "省")) for u in units)
    assert page.console_errors == []
