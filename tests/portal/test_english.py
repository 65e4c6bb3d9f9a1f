"""An English page says in English everything the interface itself says: status badges, units of measure, data-set
and indicator names the plan file gives in English, score explanations. What readers wrote or the plan names only
in Chinese (org units, tasks, notices) stays as written, so each check reads chosen elements, not the whole page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.services import datavalues_import

PLAN = "shaanxi-5g-2021-2023"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CSV = """数据项,期间,地区,值
population,2023,610100,"10,000,000"
mobile_users_5g,202312,610100,"4,500,000"
base_stations_5g,202312,610100,"30,000"
population,2023,610300,"2,000,000"
mobile_users_5g,202312,610300,"600,000"
"""
DATA_SETS_ZH = {
    "运营商5G发展月报",
    "通信业主要指标月报",
    "大型工业企业5G应用情况年报",
    "地市5G发展季报",
    "常住人口年报",
}
DATA_SETS_EN = {
    "Operators' monthly 5G report",
    "Telecommunications monthly statistics",
    "Large industrial enterprises applying 5G, yearly",
    "Cities' quarterly 5G report",
    "Resident population, yearly",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Select(HTMLParser):
    """The texts of the elements a simple selector matches: ``tag.class`` parts (either may be left out),
    each inside the one before it (``article.indicator-card span.status``)."""

    def __init__(self, selector: str):
        super().__init__(convert_charrefs=True)
        self.parts = [
            (tag or None, cls or None) for tag, cls in (p.partition(".")[::2] for p in selector.split())
        ]
        self.stack: list[tuple[str, set[str]]] = []
        self.open: list[int] = []  # stack depths of the matched elements being read
        self.found: list[list[str]] = []

    @staticmethod
    def _fits(element, part) -> bool:
        tag, classes = element
        return (part[0] is None or part[0] == tag) and (part[1] is None or part[1] in classes)

    def _matches(self) -> bool:
        if not self._fits(self.stack[-1], self.parts[-1]):
            return False
        wanted = len(self.parts) - 2
        for element in reversed(self.stack[:-1]):
            if wanted < 0:
                break
            if self._fits(element, self.parts[wanted]):
                wanted -= 1
        return wanted < 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if tag == "br":
                self.handle_data(" ")
            return
        self.stack.append((tag, set((dict(attrs).get("class") or "").split())))
        if self._matches():
            self.open.append(len(self.stack))
            self.found.append([])

    def handle_endtag(self, tag):
        while self.stack:
            if self.open and self.open[-1] == len(self.stack):
                self.open.pop()
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for index in range(len(self.open)):
            self.found[len(self.found) - len(self.open) + index].append(data)


def texts(html: str, selector: str) -> list[str]:
    parser = _Select(selector)
    parser.feed(html)
    return [" ".join("".join(parts).split()) for parts in parser.found]


def chinese(found: list[str]) -> list[str]:
    return [text for text in found if CJK.search(text)]


def english(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en">' in html
    return html


@pytest.fixture
def values(db, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def test_the_selector_reads_the_elements_it_names():
    html = (
        '<div class="a"><p class="b">one <b>two</b></p><span class="b">x</span></div><p class="b">three</p>'
    )
    assert texts(html, "div.a .b") == ["one two", "x"]
    assert texts(html, "p.b") == ["one two", "three"]


@pytest.mark.parametrize("role", ["province", "city-reporter", "viewer"])
def test_the_dashboard_labels_statuses_and_units_in_english(client_for, values, role):
    html = page(english(client_for(role)), reverse("portal:home") + "?period=2023")
    badges = texts(html, "article.indicator-card span.status")
    assert len(badges) == 11 and chinese(badges) == []
    assert "Target met" in badges and "Insufficient data" in badges
    units = texts(html, "article.indicator-card p.figure small")
    assert chinese(units) == [] and "subscribers" in units and "units" in units
    for selector in ("article.indicator-card p.target", "article.indicator-card p.gap", "figure.trend small"):
        assert chinese(texts(html, selector)) == [], selector
    # the sparklines' and the trends' data: the unit and the target line's label
    for chart in re.findall(r'<script id="glance-[^"]+" type="application/json">(.*?)</script>', html):
        data = json.loads(chart)
        assert not CJK.search(data["unit"]) and not CJK.search((data["target"] or {}).get("label", ""))
    if role != "city-reporter":  # the province's dashboard ranks the cities and reports on every data set
        assert chinese(texts(html, "table.ranking span.status")) == []
        data_sets = texts(html, "section.reporting td a")
        assert "Operators' monthly 5G report" in data_sets and chinese(data_sets) == []
        map_data = json.loads(
            re.search(r'id="dashboard-map" type="application/json">(.*?)</script>', html)[1]
        )
        assert not CJK.search(map_data["unit"] + map_data["title"])
        assert not [r["label"] for r in map_data["regions"] if CJK.search(r["label"])]


def test_the_dashboard_stays_chinese_by_default(client_for, values):
    html = client_for("province").get(reverse("portal:home") + "?period=2023").content.decode()
    assert "已达标" in texts(html, "article.indicator-card span.status")
    assert "户" in texts(html, "article.indicator-card p.figure small")
    assert "运营商5G发展月报" in texts(html, "section.reporting td a")


def test_the_indicator_pages_name_indicators_units_and_statuses_in_english(client_for, values):
    client = english(client_for("province"))
    listed = page(client, reverse("actionplans:indicators", kwargs={"plan": PLAN}))
    assert "5G personal user penetration rate" in texts(listed, "td a")
    cells = texts(listed, "table td")  # every indicator and data element the plan file names in English too
    assert chinese(cells) == []
    assert "subscribers" in cells and "people" in cells and "> 16,000,000 subscribers" in cells
    detail = page(
        client, reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": "A1"}) + "?period=2023"
    )
    assert chinese(texts(detail, "h1")) == []
    statuses = texts(detail, "td span.status")
    assert statuses and chinese(statuses) == []
    b1 = page(client, reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": "B1"}))
    assert texts(b1, "h1") == ["B1 5G mobile phone users (subscribers)"]


@pytest.mark.parametrize("role", ["province", "operator", "city-reporter", "department"])
def test_data_entry_names_data_sets_and_operators_in_english(client_for, role):
    html = page(english(client_for(role)), reverse("collection:index"))
    cells = " | ".join(texts(html, "table td"))
    assert any(name in cells for name in DATA_SETS_EN)
    assert [name for name in DATA_SETS_ZH if name in cells] == []
    assert chinese(texts(html, "select#id_data_set option")) == []
    assert chinese(texts(html, "select#id_operator option")) == []


def test_the_entry_grid_heads_its_columns_in_english(client_for, values):
    client = english(client_for("operator"))
    url = reverse(
        "collection:entry", kwargs={"data_set": "operator-monthly", "org": "610100", "period": "202312"}
    )
    html = page(client, url + "?operator=cmcc")
    headings = texts(html, "thead th")
    assert "5G base stations units · base_stations_5g" in headings  # name, unit, code
    assert chinese(headings) == []
    assert chinese(texts(html, "h1")) == ["Operators' monthly 5G report · 西安市 · 202312 · China Mobile"]


def test_the_completeness_page_names_data_sets_and_statuses_in_english(client_for):
    html = page(english(client_for("province")), reverse("collection:completeness"))
    assert chinese(texts(html, "select option")) == []
    assert chinese(texts(html, "h2")) == []
    assert chinese(texts(html, "span.wf-status")) == []


def test_the_evaluation_explains_scores_in_english(client_for):
    client = english(client_for("province"))
    html = page(client, reverse("supervision:evaluation", kwargs={"plan": PLAN}) + "?period=2023Q4")
    heads = texts(html, "table.ranking thead th")
    assert "Task completion" in " ".join(heads) and chinese(heads) == []
    explanations = texts(html, "td.score small")
    assert explanations and chinese(explanations) == []
    assert any(e.startswith("Not applicable: ") for e in explanations)


def test_why_a_card_has_no_value_is_said_in_english(client_for, values):
    """The engine keeps a reason's wording apart from its values (the data element and unit names, plan content,
    stay as the plan writes them), so the card says the wording in the reader's language."""
    client = client_for("province")
    chinese_html = client.get(reverse("portal:home") + "?period=2023").content.decode()
    assert any(r.startswith("缺少数据：") for r in texts(chinese_html, "article.indicator-card p.small"))
    html = page(english(client), reverse("portal:home") + "?period=2023")
    reasons = texts(html, "article.indicator-card p.small")
    assert reasons, "the province has indicators without a value in 2023"
    wordings = (
        "Missing data: ",
        "Registry ",
        "The denominator is 0",
        "No base year",
        "Period ",
        "The base value",
    )
    assert [r for r in reasons if not r.startswith(wordings)] == []
