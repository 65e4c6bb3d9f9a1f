"""The dashboard is computed once and then read while nothing it shows can have changed (``audit.fragments``):
every committed change (each through a service that writes its audit entry) shows on the very next request, a
kept dashboard is its own user's, a new day computes it again, and a refusal is refused (and audited) every time."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yangfan.actionplans.models import DataElement
from yangfan.audit.models import AuditEntry
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

PLAN = "shaanxi-5g-2021-2023"
URL = reverse("portal:home") + "?period=2023"


def _write(rows):
    datavalues_import(
        rows=[
            ParsedRow(
                n, DataElement.objects.get(code=e), OrgUnit.objects.get(code=o), p, None, Decimal(v), ""
            )
            for n, (e, o, p, v) in enumerate(rows, 2)
        ],
        file="test",
    )


def _get(client, url=URL) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _section(html: str) -> str:
    return html.split('<section class="dashboard">')[1].split("\n</section>")[0]


def _card(html: str, code: str) -> str:
    return re.search(
        rf'<article class="indicator-card [^"]*" data-indicator="{code}">(.*?)</article>', html, re.S
    ).group(1)


def _figure(html: str, code: str) -> str:
    return re.search(r'<p class="figure">([^<]*)<', _card(html, code)).group(1).strip()


@pytest.fixture
def figures(db):
    _write([("population", "610100", "2023", "10000000"), ("mobile_users_5g", "610100", "202312", "4000000")])


def test_the_second_request_reads_the_kept_dashboard(client_for, figures):
    client = client_for("province")
    first, computed = _get(client)
    again, read = _get(client)
    assert _section(again) == _section(first)  # the page around it is the request's own (its CSRF token)
    assert (
        read < computed - 8
    )  # the session, the user, the scope, the trail's head, the plan cards: no figures
    assert "西安市" in again and _figure(again, "A1") == _figure(first, "A1")


def test_a_value_imported_shows_on_the_next_request(client_for, figures):
    client = client_for("city-reporter")  # 西安
    before, _n = _get(client)
    assert _figure(before, "A1") == "40.00"
    _write([("mobile_users_5g", "610100", "202312", "4500000")])
    after, _n = _get(client)
    assert _figure(after, "A1") == "45.00"


def test_a_registry_entry_shows_on_the_next_request(client_for, make_user, figures):
    from tests.conftest import unsaved_vpn

    from yangfan.registries.services import entry_save

    client = client_for("city-reporter")
    before = _figure(_get(client)[0], "A6")
    entry_save(actor=make_user("province"), entry=unsaved_vpn())
    after = _figure(_get(client)[0], "A6")
    assert after != before and int(after) == int(before.replace("—", "0") or 0) + 1


def test_a_kept_dashboard_is_its_own_users(client_for, figures):
    province_client, city_client = client_for("province"), client_for("city-reporter")
    head = AuditEntry.objects.order_by("-seq").first()
    province, _n = _get(province_client)
    city, _n = _get(city_client)  # the same address, right after, under the same head of the trail
    assert AuditEntry.objects.order_by("-seq").first() == head
    assert "陕西省 · 2023" in province and "西安市 · 2023" in city
    assert "宝鸡市" not in city


def test_a_changed_scope_shows_on_the_next_request(make_user, figures):
    from django.test import Client
    from tests.conftest import login_as

    from yangfan.accounts.services import user_update

    user = make_user("city-reporter")  # 西安
    client = login_as(Client(), user)
    assert "西安市 · 2023" in _get(client)[0]
    user_update(actor=None, user=user, capture_org_units=[OrgUnit.objects.get(code="610300")])  # now 宝鸡's
    after, _n = _get(client)
    assert "宝鸡市 · 2023" in after and "西安市 · 2023" not in after
    assert client.get(reverse("portal:home") + "?org=610100&period=2023").status_code == 403


def test_a_new_day_computes_the_dashboard_again(client_for, figures, monkeypatch):
    from django.utils import timezone

    client = client_for("province")
    _html, computed = _get(client)
    _html, read = _get(client)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("yangfan.audit.fragments.timezone.localdate", lambda: tomorrow)
    _html, next_day = _get(client)
    assert read < computed and next_day > read


def test_a_refusal_is_refused_and_audited_every_time(client_for, figures):
    client = client_for("city-reporter")  # 西安
    url = reverse("portal:home") + "?org=610300&period=2023"  # 宝鸡
    denials = AuditEntry.objects.filter(action="permission_denied")
    before = denials.count()
    assert client.get(url).status_code == 403
    assert client.get(url).status_code == 403
    assert denials.count() == before + 2


# -- /api/indicators/: the same, for each caller ------------------------------------------------------------------


def _token(user) -> dict:
    from yangfan.accounts.services import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, user=user, days=1)[1]}"}


def _api(client, auth: dict, query="?org=610100&period=2023&children=1") -> tuple[list[dict], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:indicator_values") + query, **auth)
    assert response.status_code == 200
    return response.json(), len(queries)


def _a1(rows: list[dict], unit: str) -> str:
    return next(r["value"] for r in rows if r["indicator"] == "A1" and r["org_unit"] == unit)


def test_the_api_computes_once_and_shows_each_change_at_once(client, make_user, figures):
    auth = _token(make_user("viewer"))
    first, computed = _api(client, auth)
    again, read = _api(client, auth, "?children=1&period=2023&org=610100")  # the same parameters
    assert again == first and read < computed - 3
    assert _a1(first, "610100") == "40"
    _write([("mobile_users_5g", "610100", "202312", "4500000")])
    after, _n = _api(client, auth)
    assert _a1(after, "610100") == "45"


def test_a_kept_answer_is_never_served_past_a_refusal(client, make_user, figures):
    province, city = _token(make_user("province")), _token(make_user("city-reporter"))
    rows, _n = _api(client, province, "?org=610000&period=2023&children=1")
    assert {r["org_unit"] for r in rows} >= {"610000", "610100", "610300"}
    url = reverse("api:indicator_values") + "?org=610000&period=2023&children=1"
    assert client.get(url, **city).status_code == 403  # the same address, under the same head


# -- the entry grid's findings: kept until the stored values change -------------------------------------------


def test_the_grids_findings_show_each_change_at_once(client_for):
    entry = "/collection/entry/city-quarterly/610100/2023Q4/"  # 西安's quarterly report: its counties
    client = client_for("city-reporter")
    _write([("population", "610116", "2023", "1400000"), ("mobile_users_5g", "610116", "2023Q4", "650000")])
    before, computed = _get(client, entry)
    again, read = _get(client, entry)
    assert "常住人口 × 100" not in before + again and read < computed
    _write([("mobile_users_5g", "610116", "2023Q4", "1500000")])  # more 5G users than residents: V04
    after, _n = _get(client, entry)
    assert "5G移动电话用户数 / 常住人口 × 100 = 107.14 &gt; 100（长安区，2023Q4）" in after
