"""The dashboard in the browser: every card and chart drawn, the Shaanxi map with its ten cities, a click on a
city opens its page; no console error, no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_province_dashboard_draws_cards_charts_and_the_map(server, page, login, shot):
    login("demo-province", "Bangong#5G-2023")
    cards = page.locator("article.indicator-card")
    expect(cards).to_have_count(11)  # A1–A7, B1–B4
    expect(page.locator('[data-chart="spark"] canvas')).to_have_count(
        page.locator('[data-chart="spark"]').count()
    )
    expect(page.locator('[data-chart="map"] canvas')).to_have_count(1)

    cities = page.evaluate("() => echarts.getMap('陕西').geoJSON.features.map(f => f.properties.name)")
    assert len(cities) == 10 and "西安市" in cities and "商洛市" in cities
    coloured = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart=map]'))"
        ".getOption().series[0].data.filter(d => d.value !== null).map(d => d.name)"
    )
    assert set(cities) <= set(coloured)  # every city on the map has its value (the demo has them all)

    page.locator('[data-chart="map"]').scroll_into_view_if_needed()
    shot("dashboard-map")
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart=map]'))"
        ".convertToPixel({seriesIndex: 0}, [109.74, 38.29])"  # 榆林's centre, well inside the largest city
    )
    box = page.locator('[data-chart="map"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(f"{server}/orgunits/610800/?period=2023")
    expect(page.get_by_role("heading", name="榆林市 610800")).to_be_visible()
    assert page.console_errors == [] and page.csp_violations == []
