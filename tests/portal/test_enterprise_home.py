"""本企业, where an enterprise user lands: its own counts and the risks it must remedy, read from the database, at the
same cost whatever the number of risks."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import login_as
from tests.security.test_risks import baoji_risk, xian_risk

from yangfan.security import services


@pytest.fixture
def office(make_user):
    return make_user("province", username="office-2")


def _risks(page: str) -> list[str]:
    section = re.search(r'<section class="card" id="enterprise">.*?</section>', page, re.S).group(0)
    return re.findall(r'href="/security/risks/(\d+)/"', section)


@pytest.mark.django_db
def test_the_enterprise_sees_its_own_open_risks_and_which_are_overdue(client, make_user, office):
    enterprise = make_user("enterprise")
    late = xian_risk(office, deadline=date(2020, 1, 1))
    due = xian_risk(office)
    accepted = xian_risk(office)
    services.risk_accept(actor=office, risk=accepted, reason="接受")
    baoji_risk(office)  # another enterprise's
    page = login_as(client, enterprise).get(reverse("portal:home")).content.decode()
    assert _risks(page) == [str(late.pk), str(due.pk)]  # its open ones, by deadline
    assert page.count("已逾期") == 1
    section = re.search(r'<section class="card" id="enterprise">.*?</section>', page, re.S).group(0)
    assert re.search(rf"risks/{late.pk}/.*?已逾期", section, re.S)


@pytest.mark.django_db
def test_the_enterprise_home_costs_the_same_whatever_the_number_of_risks(client, make_user, office):
    login_as(client, make_user("enterprise"))
    xian_risk(office)
    client.get(reverse("portal:home"))  # the first request of a session notes what later ones read
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:home"))
    for _ in range(5):
        xian_risk(office)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("portal:home")).content.decode()
    assert len(_risks(page)) == 6
    assert len(many.captured_queries) == len(few.captured_queries)
