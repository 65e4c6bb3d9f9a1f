"""数据填报 end to end, in the browser: the 西安 reporter fills 地市5G发展季报 2023Q4 for its 13 districts and
counties with the keyboard (Tab along a row, Enter down a column), pastes a 3 × 3 block copied from Excel,
saves and submits; the provincial office returns it with a reason; the reporter corrects and resubmits; the
office approves, and the grid is read-only from then on.

The figures typed are the demo set's own (the sum of the four operators' December figures for each county),
so the validation rules find them consistent with the operators' reports and with the quarter before.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ELEMENTS = ("base_stations_5g", "mobile_users_5g", "iot_terminals_5g")
COUNTIES = (
    "610102",
    "610103",
    "610104",
    "610111",
    "610112",
    "610113",
)  # 新城区 … 雁塔区: the grid's rows 0–5
NAMES = ("新城区", "碑林区", "莲湖区", "灞桥区", "未央区", "雁塔区", "阎良区")
COLUMNS = ("5G基站数", "5G移动电话用户数", "5G物联网终端用户数")
REASON = "碑林区物联网终端数与运营商月报核对后再报"


def demo_figures() -> dict[tuple[str, str], int]:
    from yangfan.datavalues.demo import demo_rows

    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in demo_rows():
        if row.period == "202312" and row.org_unit in COUNTIES and row.data_element in ELEMENTS:
            sums[(row.org_unit, row.data_element)] += int(row.value)
    return dict(sums)


def cell(page: Page, row: int, col: int):
    return page.get_by_label(f"{NAMES[row]} {COLUMNS[col]}", exact=True)


def open_report(page: Page) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据填报").click()
    expect(page.get_by_role("heading", name="数据填报", exact=True)).to_be_visible()
    page.locator("tr", has_text="地市5G发展季报").get_by_role("link", name="西安市 2023Q4").click()
    expect(page.get_by_role("heading", name="地市5G发展季报 · 西安市 · 2023Q4")).to_be_visible()


def status(page: Page):
    return page.locator(".workflow .wf-status")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def test_a_xian_reporter_fills_pastes_and_submits_the_province_returns_then_approves(
    server, page, login, shot
):
    figures = demo_figures()
    typed = {(r, c): str(figures[(COUNTIES[r], ELEMENTS[c])]) for r in range(6) for c in range(3)}

    login("demo-xian", "Changan#5G-2023")
    open_report(page)
    grid = page.locator("[data-entry-grid] input")
    expect(grid).to_have_count(13 * 3)
    expect(status(page)).to_have_text("未填报")

    # Row 0 along with Tab; Tab at the row's end goes on to the next row
    cell(page, 0, 0).click()
    for col in range(3):
        page.keyboard.type(typed[(0, col)])
        page.keyboard.press("Tab")
    expect(cell(page, 1, 0)).to_be_focused()
    # Column 0 down with Enter (as in Excel); Shift+Enter goes back up
    for row in (1, 2):
        page.keyboard.type(typed[(row, 0)])
        page.keyboard.press("Enter")
    expect(cell(page, 3, 0)).to_be_focused()
    page.keyboard.press("Shift+Enter")
    expect(cell(page, 2, 0)).to_be_focused()
    page.keyboard.press("ArrowRight")  # a cell just entered has its text selected: → moves on, as in Excel
    expect(cell(page, 2, 1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(cell(page, 1, 1)).to_be_focused()
    for row in (1, 2):
        cell(page, row, 1).click()
        page.keyboard.type(typed[(row, 1)])
        page.keyboard.press("Tab")
        page.keyboard.type(typed[(row, 2)])

    # A 3 × 3 block copied from Excel (tab-separated, Windows line ends, a trailing newline) pasted at 灞桥区
    block = "".join("\t".join(typed[(row, col)] for col in range(3)) + "\r\n" for row in (3, 4, 5))
    cell(page, 3, 0).focus()
    page.evaluate(
        """([label, text]) => {
            const target = document.querySelector(`input[aria-label="${label}"]`);
            const data = new DataTransfer();
            data.setData("text/plain", text);
            target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [f"{NAMES[3]} {COLUMNS[0]}", block],
    )
    for row in (3, 4, 5):
        for col in range(3):
            expect(cell(page, row, col)).to_have_value(typed[(row, col)])
    expect(cell(page, 6, 0)).to_have_value("")  # nothing below the block
    expect(page.locator("[data-entry-grid] input.changed")).to_have_count(18)
    expect(page.locator("[data-dirty-count]")).to_contain_text("已修改 18 个单元格")
    shot("entry")

    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存：新增 18 个数值")).to_be_visible()
    expect(cell(page, 4, 1)).to_have_value(typed[(4, 1)])
    expect(page.locator("[data-entry-grid] input.changed")).to_have_count(0)
    expect(status(page)).to_have_text("草稿")

    submit(page)
    expect(status(page)).to_have_text("已报送")
    expect(grid).to_have_count(0)  # submitted: read-only
    sign_out(page)

    login("demo-province", "Bangong#5G-2023")
    open_report(page)
    expect(status(page)).to_have_text("已报送")
    page.get_by_label("退回原因").fill(REASON)
    page.get_by_role("button", name="退回").click()
    expect(status(page)).to_have_text("已退回")
    sign_out(page)

    login("demo-xian", "Changan#5G-2023")
    open_report(page)
    expect(page.locator(".wf-reason")).to_contain_text(REASON)
    corrected = str(int(typed[(1, 2)]) + 120)
    cell(page, 1, 2).fill(corrected)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存：新增 0 个数值，修改 1 个，未变 17 个。")).to_be_visible()
    expect(cell(page, 1, 2)).to_have_value(corrected)
    submit(page)
    expect(status(page)).to_have_text("已报送")
    sign_out(page)

    login("demo-province", "Bangong#5G-2023")
    open_report(page)
    expect(
        page.get_by_role("region", name="对账")
    ).to_be_visible()  # the sources side by side, before approving
    page.get_by_role("button", name="审核通过").click()
    expect(status(page)).to_have_text("已审核")
    expect(grid).to_have_count(0)
    expect(page.locator("[data-entry-grid] td.cell").first).to_contain_text(typed[(0, 0)][:1])
    page.get_by_role("link", name="报送详情与处理记录").click()
    expect(page.locator("table.events tbody tr")).to_have_count(4)  # submit, return, submit, approve
    expect(page.get_by_text(REASON).first).to_be_visible()

    assert page.console_errors == [], "the browser reported errors"
    assert page.csp_violations == [], "a Content-Security-Policy violation"


def submit(page: Page) -> None:
    """报送, explaining any warning the checks raise (the demo figures should raise none)."""
    form = page.locator("form.wf-form-submit")
    for field in form.locator("input[name^='explain:']").all():
        field.fill("与运营商月报核对一致")
    form.get_by_role("button", name="报送").click()
