"""Charts in the browser: the vendored ECharts and portal/charts.js draw every chart element, under the site's
Content-Security-Policy (scripts from 'self' only, no inline script or style), without a console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PLAN = "shaanxi-5g-2021-2023"


def _drawn_pixels(page: Page, selector: str) -> int:
    """How many pixels of the first canvas under ``selector`` are not transparent (0: nothing drawn)."""
    return (
        page.locator(selector)
        .locator("canvas")
        .first.evaluate(
            """canvas => {
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
            return drawn;
        }"""
        )
    )


def _expect_every_chart_drawn(page: Page, kind: str) -> int:
    charts = page.locator(f'[data-chart="{kind}"]')
    count = charts.count()
    assert count > 0, f"no {kind} chart on {page.url}"
    expect(page.locator(f'[data-chart="{kind}"] canvas')).to_have_count(count)
    for i in range(count):
        box = charts.nth(i).locator("canvas").bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"{kind} chart {i} on {page.url} is empty"
    return count


def test_the_org_unit_pages_draw_a_sparkline_per_indicator_without_a_csp_violation(server, page, login, shot):
    login("demo-viewer", "Chayue#5G-2023")
    for code, name in (("610000", "陕西省"), ("610100", "西安市")):
        response = page.goto(f"{server}/orgunits/{code}/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.get_by_role("heading", name="指标一览")).to_be_visible()
        expect(page.get_by_role("heading", name=f"{name} {code}")).to_be_visible()
        rows = page.locator("table.glance-table tbody tr")
        assert _expect_every_chart_drawn(page, "spark") == rows.count() == 11  # A1–A7, B1–B4
        box = page.locator('[data-chart="spark"]').first.bounding_box()
        assert 100 <= box["width"] <= 140 and 24 <= box["height"] <= 40  # a sparkline, ~120 × 32
        # the demo data has A1 for the province and every city: its line is really drawn
        assert _drawn_pixels(page, 'tr[data-indicator="A1"] [data-chart="spark"]') > 50
        link = page.locator('tr[data-indicator="A1"]').get_by_role("link", name="A1")
        expect(link).to_have_attribute("href", f"/plans/{PLAN}/indicators/A1/?period=2023")
        if code == "610100":
            page.get_by_role("heading", name="指标一览").scroll_into_view_if_needed()
            shot("glance")

    page.get_by_label("期间").fill("2023Q9")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("alert")).to_contain_text("不是有效的期间")

    assert page.console_errors == [], "the browser reported errors"
    assert page.csp_violations == [], "the Content-Security-Policy refused something"


def test_the_indicator_page_draws_its_line_chart(server, page, login, shot):
    login("demo-viewer", "Chayue#5G-2023")
    page.goto(f"{server}/plans/{PLAN}/indicators/A1/?period=202312&org=610100")
    _expect_every_chart_drawn(page, "line")
    chart = page.locator('[data-chart="line"]')
    chart.scroll_into_view_if_needed()
    assert _drawn_pixels(page, '[data-chart="line"]') > 1000
    # the tooltip is drawn on the canvas (an HTML tooltip would need inline styles the CSP refuses)
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5, steps=5)
    shot("indicator-chart")
    page.set_viewport_size({"width": 900, "height": 900})  # charts follow the window
    page.wait_for_function(
        "width => document.querySelector('[data-chart=\"line\"] canvas').getBoundingClientRect().width < width",
        arg=box["width"] - 100,
    )
    assert page.console_errors == [], "the browser reported errors"
    assert page.csp_violations == [], "the Content-Security-Policy refused something"
