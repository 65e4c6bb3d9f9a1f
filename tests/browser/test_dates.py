"""A date a form is prefilled with reaches Chromium's date picker: the picker takes only ``YYYY-MM-DD`` and stays
blank for ``2023/12/31`` (how a Chinese page writes a date), and 签发 then waited for the clerk to type the
deadline again (issue 18)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PLAN = "shaanxi-5g-2021-2023"


def test_a_notice_is_issued_with_the_deadline_it_was_prefilled_with(server, page, login):
    login("demo-province", "Bangong#5G-2023")
    page.goto(f"{server}/supervision/{PLAN}/alerts/?period=2023Q4")
    # another unit than test_supervision's 省文旅厅, so that neither test sees the other's notice
    row = page.locator("table.alerts tbody tr").filter(has_not_text="省文旅厅").first
    row.get_by_role("link", name="下发督办单").click()
    expect(page.get_by_role("heading", name="下发督办单")).to_be_visible()

    deadline = page.get_by_label("反馈时限")
    value = deadline.input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    assert date.fromisoformat(value) >= date.today() + timedelta(days=14)  # 15 days on, the server's day
    assert "推进推进" not in page.get_by_label("标题").input_value()

    page.get_by_role("button", name="签发").click()  # the deadline untouched
    expect(page.locator(".messages")).to_contain_text("已下发督办单 陕5G督〔")
    expect(page.locator("dl.pairs")).to_contain_text(value)  # 反馈时限 as it was offered
