"""Several plans on the pages: the active plan by default and a picker for the others, and an indicator's series
carried across the plan it continues (the national 2024–2027 successor beside the Shaanxi 2021–2023 plan)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.urls import reverse
from tests.conftest import PLANS_DIR

from yangfan.actionplans.selectors import plan_active
from yangfan.actionplans.services import plan_load_file
from yangfan.core.periods import Period, PeriodKind
from yangfan.core.planfile import bundled_plan_files
from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.indicators import assessments, core_plans, engine_for
from yangfan.datavalues.services import datavalues_import

pytestmark = pytest.mark.django_db
SHAANXI, UPGRADE = "shaanxi-5g-2021-2023", "miit-5g-upgrade-2024-2027"

# two cities, three years: the province's A1 (and the successor's U2) is their sum, year by year
CSV = """数据项,期间,地区,值
population,2021,610100,"10,000,000"
population,2022,610100,"10,100,000"
population,2023,610100,"10,200,000"
mobile_users_5g,202112,610100,"2,000,000"
mobile_users_5g,202212,610100,"3,300,000"
mobile_users_5g,202312,610100,"4,600,000"
population,2021,610300,"2,000,000"
population,2022,610300,"2,000,000"
population,2023,610300,"2,000,000"
mobile_users_5g,202112,610300,"300,000"
mobile_users_5g,202212,610300,"500,000"
mobile_users_5g,202312,610300,"700,000"
"""


def _values(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


@pytest.fixture
def both(tmp_path):
    """The demo figures above and the successor loaded beside the Shaanxi plan."""
    _values(tmp_path)
    plan_load_file(path=bundled_plan_files()[UPGRADE])


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="indicator-card [^"]*" data-indicator="([A-Z]\d)"', html)


def _picker(html: str) -> tuple[list[str], list[str]]:
    nav = re.search(r'<nav class="plan-picker[^"]*".*?</nav>', html, re.S).group(0)
    return (
        re.findall(r'data-plan="([^"]+)"', nav),
        re.findall(r'data-plan="([^"]+)" class="current"', nav),
    )


def test_the_dashboard_shows_the_active_plan_and_the_picker_switches(both, client_for):
    client = client_for("province")
    html = client.get(reverse("portal:home")).content.decode()
    listed, current = _picker(html)
    assert sorted(listed) == sorted([SHAANXI, UPGRADE])
    # each plan named with its years once: the Shaanxi plan's name gives them, the successor's does not
    nav = re.search(r'<nav class="plan-picker[^"]*".*?</nav>', html, re.S).group(0)
    labels = dict(re.findall(r'data-plan="([^"]+)"[^>]*>([^<]+)</a>', nav))
    assert labels == {
        SHAANXI: "陕西省5G应用“扬帆”行动计划（2021-2023年）",
        UPGRADE: "5G规模化应用“扬帆”行动升级方案（2024–2027年）",
    }
    active = plan_active().code
    assert current == [active]
    assert _cards(html) == [i.code for i in core_plans()[active].indicators]
    for code in (SHAANXI, UPGRADE):
        chosen = client.get(reverse("portal:home") + f"?plan={code}").content.decode()
        assert _picker(chosen)[1] == [code]
        assert _cards(chosen) == [i.code for i in core_plans()[code].indicators]
        # the chosen plan stays chosen as the reader drills down
        assert f"plan={code}" in chosen.split('<table class="grid values ranking">')[1]


def test_the_active_plan_is_the_one_running_today_else_the_last_started():
    from datetime import date

    plan_load_file(path=bundled_plan_files()[UPGRADE])
    assert plan_active(today=date(2022, 6, 1)).code == SHAANXI
    assert plan_active(today=date(2025, 6, 1)).code == UPGRADE
    assert plan_active(today=date(2030, 1, 1)).code == UPGRADE  # none running: the last started
    assert plan_active(today=date(2000, 1, 1)).code == sorted([SHAANXI, UPGRADE])[0]  # none started


def test_an_unknown_plan_is_not_found(both, client_for):
    response = client_for("province").get(reverse("portal:home") + "?plan=no-such-plan")
    assert response.status_code == 404


def test_a_city_user_asking_another_city_in_another_plan_is_refused(both, client_for):
    client = client_for("city-reporter")  # 西安
    response = client.get(reverse("portal:home") + f"?plan={UPGRADE}&org=610300")  # 宝鸡
    assert response.status_code == 403
    own = client.get(reverse("portal:home") + f"?plan={UPGRADE}&period=2024").content.decode()
    assert "西安市 · 2024" in own and "宝鸡市" not in own


def test_the_successor_indicator_page_draws_the_earlier_years_and_both_targets(
    both, client_for, django_assert_max_num_queries
):
    client = client_for("province")
    url = reverse("actionplans:indicator", args=[UPGRADE, "U2"])
    html = client.get(url + "?org=610000&period=2025").content.decode()
    chart = json.loads(
        re.search(r'<script id="succession-chart" type="application/json">(.*?)</script>', html).group(1)
    )
    plans = core_plans()
    shaanxi = plans[SHAANXI]
    engine = engine_for(shaanxi)
    earlier = chart["series"][0]["values"]
    for year in (2021, 2022, 2023):
        expected = engine.evaluate(shaanxi.indicator("A1"), "610000", Period(PeriodKind.YEAR, year)).value
        assert expected is not None
        assert earlier[chart["periods"].index(str(year))] == pytest.approx(float(expected))
    upgrade = plans[UPGRADE]
    later = engine_for(upgrade).evaluate(upgrade.indicator("U2"), "610000", Period(PeriodKind.YEAR, 2023))
    assert chart["series"][1]["values"][chart["periods"].index("2023")] == pytest.approx(float(later.value))
    marks = {m["period"]: m["value"] for m in chart["milestones"]}
    assert marks == {
        "2023": float(shaanxi.indicator("A1").target.value),
        "2027": float(upgrade.indicator("U2").target.value),
    }
    assert set(marks.values()) == {40.0, 85.0}
    # the note and the link to the earlier indicator; the earlier page links back
    a1_url = reverse("actionplans:indicator", args=[SHAANXI, "A1"])
    assert f'href="{a1_url}"' in html
    a1 = client.get(a1_url).content.decode()
    assert f'href="{url}"' in a1 and "continued-by" in a1
    u5 = client.get(reverse("actionplans:indicator", args=[UPGRADE, "U5"])).content.decode()
    assert "大中型" in u5  # its continues_note
    # the cost does not grow with the years drawn
    with django_assert_max_num_queries(25) as short:
        client.get(url + "?org=610000&period=2024")
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(url + "?org=610000&period=2027")


def test_a_city_user_sees_its_own_city_on_the_successors_indicator_page(both, client_for):
    """The national plan lists the country and its provinces; 西安's reporter is given 西安 (its row, its chart
    across both plans), and asking for 宝鸡 gives 西安 again, nothing of 宝鸡."""
    client = client_for("city-reporter")  # 西安
    url = reverse("actionplans:indicator", args=[UPGRADE, "U2"])
    for asked in ("", "&org=610300"):
        html = client.get(url + f"?period=2023{asked}").content.decode()
        chart = json.loads(
            re.search(r'<script id="succession-chart" type="application/json">(.*?)</script>', html).group(1)
        )
        assert "西安市：跨计划逐年走势" in html and "宝鸡" not in html
        shaanxi = core_plans()[SHAANXI]
        a1 = (
            engine_for(shaanxi)
            .evaluate(shaanxi.indicator("A1"), "610100", Period(PeriodKind.YEAR, 2023))
            .value
        )
        assert a1 is not None
        assert chart["series"][0]["values"][chart["periods"].index("2023")] == pytest.approx(float(a1))


def test_the_successor_dashboard_says_where_each_continued_indicator_ended(both, client_for):
    html = client_for("province").get(reverse("portal:home") + f"?plan={UPGRADE}&org=610000&period=2024")
    html = html.content.decode()
    shaanxi = core_plans()[SHAANXI]
    ended = {
        r.indicator: r
        for r in assessments(shaanxi, ["610000"], Period(PeriodKind.YEAR, 2023), list(shaanxi.indicators))
    }
    upgrade = core_plans()[UPGRADE]
    continuing = [i for i in upgrade.indicators if i.continues]
    assert continuing
    for indicator in continuing:
        card = re.search(rf'data-indicator="{indicator.code}">(.*?)</article>', html, re.S).group(1)
        old = ended[indicator.continues.code]
        assert f'data-earlier="{old.indicator}"' in card
        if old.target_met is None:
            assert "无法判断" in card
        else:
            assert ("已达标" if old.target_met else "未达标") in card.split('class="small earlier"')[1]
    a1 = ended["A1"]
    assert a1.value is not None and f"{a1.value:.2f}" in html


def test_the_shaanxi_pages_are_unchanged_with_one_plan(client_for, tmp_path):
    _values(tmp_path)
    client = client_for("province")
    home = client.get(reverse("portal:home") + "?period=2023").content.decode()
    assert "plan-picker" not in home and "data-earlier" not in home
    assert _cards(home)[0] == "A1"
    page = client.get(
        reverse("actionplans:indicator", args=[SHAANXI, "A1"]) + "?period=2023"
    ).content.decode()
    assert "plan-picker" not in page and "succession-chart" not in page and "continued-by" not in page
    assert 'id="indicator-chart"' in page


def test_the_plan_pages_offer_the_other_plan(both, client_for):
    html = client_for("viewer").get(reverse("actionplans:indicators", args=[SHAANXI])).content.decode()
    assert _picker(html) == (
        [p for p in (UPGRADE, SHAANXI)],  # the one that started last first
        [SHAANXI],
    )
    assert f'href="{reverse("actionplans:indicators", args=[UPGRADE])}"' in html


def test_the_task_page_links_the_task_it_continues_and_back(tmp_path, client_for):
    """A small successor written here: the bundled one's task clauses are not published."""
    shutil.copytree(PLANS_DIR / "sources", tmp_path / "sources")
    text = (PLANS_DIR / f"{UPGRADE}.yaml").read_text(encoding="utf-8")
    task = """tasks:
  - code: U-T1
    section: "二"
    title: "完善5G融合应用标准体系"
    text: "完善5G融合应用标准体系"
    responsibility: "工业和信息化部"
    responsible_units: [工业和信息化部]
    continues: {plan: shaanxi-5g-2021-2023, task: T2.1.1, note: 由省级推进改为全国统筹}
"""
    assert "tasks: []\n" in text
    path = tmp_path / f"{UPGRADE}.yaml"
    path.write_text(text.replace("tasks: []\n", task), encoding="utf-8")
    plan_load_file(path=path)
    client = client_for("viewer")
    later = reverse("actionplans:task", args=[UPGRADE, "U-T1"])
    earlier = reverse("actionplans:task", args=[SHAANXI, "T2.1.1"])
    html = client.get(later).content.decode()
    assert f'href="{earlier}"' in html and "由省级推进改为全国统筹" in html
    back = client.get(earlier).content.decode()
    assert f'href="{later}"' in back and "continued-by" in back
    plain = client.get(reverse("actionplans:task", args=[SHAANXI, "T2.1.2"])).content.decode()
    assert "continued-by" not in plain and 'class="continues"' not in plain
