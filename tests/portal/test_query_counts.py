"""What a page costs does not depend on how much is stored: each page runs at most 25 SQL queries, and the same
number after years of earlier history were added (ADR 0009)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yangfan.actionplans.models import DataElement, Operator
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

LIMIT = 25
COUNTIES = ["610102", "610103", "610116", "610302", "610581", "610403"]
PAGES = [
    ("province", "/?period=2023"),
    ("province", "/?period=202312&org=610100"),
    ("province", "/?period=2023Q4&org=610102"),
    ("province", "/?period=2023&org=HANCHENG"),
    ("province", "/?period=2023&org=XIXIAN"),
    ("city-reporter", "/?period=2023"),
    ("viewer", "/?period=2023"),
    ("operator", "/?period=2023"),
    ("province", "/plans/shaanxi-5g-2021-2023/"),
    ("province", "/plans/shaanxi-5g-2021-2023/indicators/A1/?period=2023&org=610100"),
    ("province", "/plans/shaanxi-5g-2021-2023/indicators/A4/?period=202312"),
    ("province", "/orgunits/610100/?period=2023"),
    ("city-reporter", "/collection/entry/city-quarterly/610100/2023Q4/"),
    ("operator", "/collection/entry/operator-monthly/610100/202312/"),
    ("province", "/api/indicators/?org=610000&period=2023&children=1"),
    ("city-reporter", "/api/indicators/?org=610100&period=2023Q4&children=1"),
    ("province", "/api/v1/datavalues/"),
    ("city-reporter", "/api/v1/datavalues/?period=2023"),
]


def history(years) -> None:
    """Monthly operator figures and yearly population for some counties in ``years``, through the import."""
    elements = {e.code: e for e in DataElement.objects.all()}
    operators = list(Operator.objects.all())
    units = [OrgUnit.objects.get(code=c) for c in COUNTIES]
    rows = []
    for year in years:
        for unit in units:
            rows.append((elements["population"], unit, str(year), None, 500_000))
            for month in range(1, 13):
                for op in operators:
                    for code in ("mobile_users_5g", "base_stations_5g", "traffic_5g", "traffic_mobile_total"):
                        rows.append((elements[code], unit, f"{year}{month:02d}", op, 1000 + month))
    parsed = [ParsedRow(n, *row[:4], Decimal(row[4]), "") for n, row in enumerate(rows, start=2)]
    datavalues_import(rows=parsed, file="history.csv")


def cost(client, url: str) -> int:
    client.get(url)  # the first request of a session may do its one-off work (a session refresh)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


@pytest.fixture
def clients(client_for):
    return {role: client_for(role) for role in {role for role, _url in PAGES}}


def test_every_page_runs_a_bounded_number_of_queries_whatever_the_history(db, clients, settings):
    settings.YANGFAN_BASELINE_YEARS = 11  # the store allows the earlier years written below (from 2010)
    history([2022, 2023])
    before = {(role, url): cost(clients[role], url) for role, url in PAGES}
    over = {page: n for page, n in before.items() if n > LIMIT}
    assert not over, over
    history(range(2010, 2020))  # ten earlier years: five times the values
    after = {(role, url): cost(clients[role], url) for role, url in PAGES}
    assert after == before
