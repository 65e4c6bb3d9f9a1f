"""The indicator page shows the province and each city against the target, within the viewer's scope."""

from __future__ import annotations

import re

from django.urls import reverse

from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.services import datavalues_import

CSV = """数据项,期间,地区,值
population,2023,610100,"10,000,000"
mobile_users_5g,202312,610100,"4,500,000"
population,2023,610300,"2,000,000"
mobile_users_5g,202312,610300,"600,000"
"""
URL = reverse("actionplans:indicator", kwargs={"plan": "shaanxi-5g-2021-2023", "code": "A1"})


def _load(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def _rows(html: str) -> list[str]:
    body = html.split('<table class="grid values">')[1].split("</table>")[0]
    return re.findall(r'<tr class="status-[a-z_]+"><td>([^<]+)</td>', body)


def test_a_viewer_sees_the_province_and_every_city(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("viewer").get(URL + "?period=2023&sort=value").content.decode()
    rows = _rows(html)
    assert rows[:3] == ["西安市", "陕西省", "宝鸡市"]  # 45 %, 42.5 % (pooled, not averaged), 30 %
    assert len(rows) == 12 and "杨凌示范区" in rows
    assert "42.50" in html and "已达标" in html


def test_a_xian_reporter_sees_only_xian(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("city-reporter").get(URL + "?period=2023").content.decode()
    assert _rows(html) == ["西安市"]
    assert "45.00" in html


def test_the_administrator_sees_the_definition_but_no_figures(client_for, tmp_path):
    _load(tmp_path)
    html = client_for("admin").get(URL).content.decode()
    assert "mobile_users_5g / population * 100" in html and "grid values" not in html


def test_a_bad_period_is_explained(client_for):
    html = client_for("viewer").get(URL + "?period=2023Q7").content.decode()
    assert "不是有效的期间" in html
