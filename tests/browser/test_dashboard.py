"""The dashboard in the browser: every card, sparkline and 走势 chart drawn, the Shaanxi map with its ten cities, a
click on a city opens that city's dashboard; a city reporter's dashboard shows nothing of another city; no
console error, no CSP violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PLAN = "shaanxi-5g-2021-2023"
CITIES = ("西安市", "铜川市", "宝鸡市", "咸阳市", "渭南市", "延安市", "汉中市", "榆林市", "安康市", "商洛市")


def _expect_every_chart_drawn(page: Page, cards: int) -> None:
    """A card per indicator, and for each a sparkline and a 走势 chart with its canvas of a real size."""
    expect(page.locator("article.indicator-card")).to_have_count(cards)
    for kind in ("spark", "line"):
        charts = page.locator(f'[data-chart="{kind}"]')
        expect(charts).to_have_count(cards)
        expect(page.locator(f'[data-chart="{kind}"] canvas')).to_have_count(cards)
        for i in range(cards):
            box = charts.nth(i).locator("canvas").bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, f"{kind} chart {i} on {page.url} is empty"
    box = page.locator('.trend [data-chart="line"]').first.bounding_box()
    assert 150 <= box["height"] <= 210  # a small multiple, sized by yangfan.css


def _drawn_pixels(page: Page, selector: str) -> int:
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


def test_the_province_dashboard_draws_cards_charts_and_the_map(server, page, login, shot):
    login("demo-province", "Bangong#5G-2023")
    _expect_every_chart_drawn(page, 11)  # A1–A7, B1–B4
    expect(page.locator('[data-chart="map"] canvas')).to_have_count(1)
    # the 走势 chart of A1 draws the province's line and its target (a markLine on the chart's own option)
    a1 = '.trend[data-indicator="A1"] [data-chart="line"]'
    assert _drawn_pixels(page, a1) > 1000
    target = page.evaluate(
        f"() => echarts.getInstanceByDom(document.querySelector('{a1}')).getOption()"
        ".series.map(s => s.markLine && s.markLine.data).filter(Boolean)"
    )
    assert target == [[{"yAxis": 40}]] or target[0][0]["yAxis"] == 40
    expect(page.locator(".trend[data-indicator='A1'] figcaption a")).to_have_attribute(
        "href", f"/plans/{PLAN}/indicators/A1/?period=2023&org=610000#chart"
    )

    cities = page.evaluate("() => echarts.getMap('陕西').geoJSON.features.map(f => f.properties.name)")
    assert len(cities) == 10 and set(cities) == set(CITIES)
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
    expect(page).to_have_url(f"{server}/?org=610800&period=2023&indicator=A1")  # the city's dashboard
    expect(page.get_by_role("heading", name="榆林市 · 2023")).to_be_visible()
    expect(page.locator("p.crumbs")).to_have_text("陕西省 › 榆林市")
    _expect_every_chart_drawn(page, 11)
    expect(page.locator('[data-chart="map"]')).to_have_count(0)  # the map is the province's
    expect(page.locator('article.indicator-card[data-indicator="A1"] .rank')).to_have_text(
        re.compile(r"第 \d+ / 11 名")  # among the ten cities and 杨凌示范区, all with demo figures
    )
    shot("dashboard-city")

    # the period picker and the drill-down keep each other: a quarter, then a county of 榆林
    page.locator(".period-picker").get_by_role("link", name="Q2").click()
    expect(page).to_have_url(f"{server}/?org=610800&period=2023Q2&indicator=A1")
    page.locator("table.ranking a[href^='/?org=']").first.click()
    expect(page).to_have_url(re.compile(r"/\?org=6108\d\d&period=2023Q2&indicator=A1$"))
    expect(page.locator("p.crumbs a")).to_have_text(["陕西省", "榆林市"])
    assert page.console_errors == [] and page.csp_violations == []


def test_a_city_reporters_dashboard_shows_nothing_outside_its_city(server, page, login):
    login("demo-xian", "Changan#5G-2023")
    expect(page.get_by_role("heading", name="西安市 · 2023")).to_be_visible()
    _expect_every_chart_drawn(page, 11)
    expect(page.locator('[data-chart="map"]')).to_have_count(0)
    text = page.locator("main").inner_text()
    for city in (*CITIES[1:], "杨凌示范区", "西咸新区"):
        assert city not in text, f"{city} on 西安's dashboard"
    names = page.evaluate(  # nor in any chart's data
        "() => [...document.querySelectorAll('script[type=\"application/json\"]')].map(s => s.textContent).join()"
    )
    assert not any(city in names for city in CITIES[1:])
    assert page.locator("article.indicator-card .rank").count() == 0  # no rank among cities it cannot see

    # a 走势 chart opens the indicator's page for 西安
    page.locator('.trend[data-indicator="A1"] [data-chart="line"]').click()
    expect(page).to_have_url(f"{server}/plans/{PLAN}/indicators/A1/?period=2023&org=610100#chart")
    assert page.console_errors == [] and page.csp_violations == []

    response = page.goto(f"{server}/?org=610300&period=2023")  # 宝鸡
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    assert "宝鸡" not in page.locator("main").inner_text()
