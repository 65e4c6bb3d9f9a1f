"""The successor plan in the browser (issue 22): on the demo site with the national 升级方案 loaded beside the
Shaanxi plan, the successor's indicator page draws one chart across both plans' years, with each plan's target,
from the figures the database holds; the dashboard offers the plans and says where the earlier one ended."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHAANXI, UPGRADE = "shaanxi-5g-2021-2023", "miit-5g-upgrade-2024-2027"


@pytest.fixture(scope="module")
def server(successor_server):
    """This module's site is the one with the successor loaded: the ``login`` fixture signs in there."""
    return successor_server


def _indicator(env: dict[str, str], plan: str, code: str, org: str, period: str) -> dict:
    """What ``yangfan indicators`` computes from the site's database for one indicator."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "yangfan",
            "indicators",
            "--plan",
            plan,
            "--org",
            org,
            "--period",
            period,
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return next(row for row in json.loads(done.stdout) if row["indicator"] == code)


def test_the_successor_chart_runs_across_both_plans_with_both_targets(
    successor_server, successor_env, page, login, shot
):
    login("demo-province", "Bangong#5G-2023")
    page.goto(f"{successor_server}/plans/{UPGRADE}/indicators/U2/?org=610000&period=2025")
    section = page.locator("#succession")
    expect(section.get_by_role("heading", name="陕西省：跨计划逐年走势")).to_be_visible()
    chart = section.locator('[data-chart="line"]')
    expect(chart.locator("canvas")).to_have_count(1)
    drawn = chart.evaluate(
        """element => {
        const option = echarts.getInstanceByDom(element).getOption();
        const marks = option.series.flatMap(s => (s.markPoint && s.markPoint.data) || []);
        return {
            periods: option.xAxis[0].data,
            series: option.series.filter(s => s.name).map(s => ({name: s.name, values: s.data})),
            marks: marks.map(m => ({at: m.coord[0], value: m.value})),
        };
    }"""
    )
    assert drawn["periods"] == [str(year) for year in range(2020, 2028)]
    # each plan's target at its own date: the Shaanxi plan's 40 % at 2023, the successor's 85 % at 2027
    a1 = _indicator(successor_env, SHAANXI, "A1", "610000", "2023")
    u2 = _indicator(successor_env, UPGRADE, "U2", "610000", "2027")
    assert (
        {(m["at"], m["value"]) for m in drawn["marks"]}
        == {
            ("2023", float(a1["target"])),
            ("2027", float(u2["target"])),
        }
        == {("2023", 40.0), ("2027", 85.0)}
    )
    # the earlier plan's line is A1 of the database, year by year
    earlier = drawn["series"][0]["values"]
    for year in (2021, 2022, 2023):
        value = _indicator(successor_env, SHAANXI, "A1", "610000", str(year))["value"]
        assert value is not None
        assert earlier[drawn["periods"].index(str(year))] == pytest.approx(float(value))
    later = _indicator(successor_env, UPGRADE, "U2", "610000", "2023")["value"]
    assert drawn["series"][1]["values"][drawn["periods"].index("2023")] == pytest.approx(float(later))
    # the note on the changed definition and the link to the indicator it continues
    expect(page.get_by_role("link", name="A1", exact=False).first).to_be_visible()
    assert not page.console_errors and not page.csp_violations
    section.scroll_into_view_if_needed()
    shot("succession-chart")

    # the dashboard of the successor, chosen in the plan picker, says where the earlier plan ended and how
    page.goto(f"{successor_server}/?plan={UPGRADE}&org=610000&period=2025")
    picker = page.get_by_role("navigation", name="行动计划")
    expect(picker.locator('[aria-current="page"]')).to_have_attribute("data-plan", UPGRADE)
    ended = page.locator('[data-earlier="A1"]')
    expect(ended).to_contain_text("接续前一计划（2021–2023年）的 A1，2023年收官")
    expect(ended).to_contain_text("已达标" if a1["target_met"] else "未达标")
    expect(ended.get_by_role("link")).to_have_attribute("href", f"/plans/{SHAANXI}/indicators/A1/")
    picker.locator(f'[data-plan="{SHAANXI}"]').click()
    expect(picker.locator('[aria-current="page"]')).to_have_attribute("data-plan", SHAANXI)
    assert not page.console_errors


def test_a_city_user_asking_another_city_gets_only_its_own_across_the_plans(successor_server, page, login):
    """西安's reporter asking for 宝鸡 (610300) is given 西安's chart: the page draws only units in the user's scope
    (the permission module's), and nothing of 宝鸡's reaches the page."""
    login("demo-xian", "Changan#5G-2023")
    response = page.goto(f"{successor_server}/plans/{UPGRADE}/indicators/U2/?org=610300&period=2025")
    assert response.status == 200
    section = page.locator("#succession")
    expect(section.get_by_role("heading", name="西安市：跨计划逐年走势")).to_be_visible()
    assert "宝鸡" not in page.content()
    assert "610300" not in page.locator("#succession-chart").text_content()
