"""A request that takes more than a second says so on the page (portal/busy.js), under the site's CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_slow_check_shows_that_it_is_working(server, page, login):
    login("demo-province", "Bangong#5G-2023")
    page.goto(f"{server}/collection/checks/")

    held = []  # the request is held here until the note has been seen: the server itself answers at once
    page.route("**/collection/checks/?*", lambda route: held.append(route))
    page.get_by_label("数据集").select_option("operator-monthly")
    page.get_by_label("填报单位").select_option("610100")
    page.get_by_label("期间").fill("202312")
    # the answer goes to a frame, so that the page itself stays while the request is held
    page.evaluate(
        "() => { const frame = document.createElement('iframe'); frame.name = 'answer';"
        " document.body.appendChild(frame); document.querySelector('form.pick-form').target = 'answer'; }"
    )
    page.get_by_role("button", name="检查").click()
    note = page.locator(".busy-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("正在检查…")
    expect(page.get_by_role("button", name="检查")).to_be_disabled()
    assert len(held) == 1
    held[0].fulfill(status=204)  # nothing to show (a page of ours may not be framed: frame-ancestors 'none')
    assert page.console_errors == [] and page.csp_violations == []
