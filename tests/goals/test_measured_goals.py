"""Beside a qualitative target a registry measures (the plan file's ``measured_by``), the goals pages show that
registry's count at the period's end: for Q20 全面建成双千兆城市 the standing 双千兆城市 of the unit, with its 设区市, as
the database holds them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as
from tests.goals.conftest import PLAN, unit

from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.orgunits.selectors import covered_unit_ids
from yangfan.registries.models import Carrier
from yangfan.registries.services import entry_save


@pytest.fixture
def carriers(make_user):
    office = make_user("province")
    for name, org, kind, recognised, retired in (
        ("西安市双千兆城市", "610100", "gigabit_city", date(2022, 1, 10), None),
        ("宝鸡市双千兆城市", "610300", "gigabit_city", date(2023, 3, 1), None),
        ("咸阳市双千兆城市", "610400", "gigabit_city", date(2024, 2, 1), None),  # after 2023
        ("渭南市双千兆城市", "610500", "gigabit_city", date(2021, 5, 1), date(2023, 9, 1)),  # revoked in 2023
        ("西安工业互联网平台", "610100", "iiot_platform", date(2022, 1, 10), None),  # another kind
    ):
        entry_save(
            actor=office,
            entry=Carrier(
                org_unit=unit(org), kind=kind, name=name, recognised_on=recognised, retired_on=retired
            ),
        )
    return office


def standing(org: str, day: date) -> int:
    """The 双千兆城市 standing in ``org`` (and the units counted in it) on ``day``, read plainly."""
    return sum(
        1
        for c in Carrier.objects.filter(kind="gigabit_city", org_unit__in=covered_unit_ids([unit(org).pk]))
        if c.recognised_on <= day and (c.retired_on is None or c.retired_on > day)
    )


def cities(org: str) -> int:
    inside = covered_unit_ids([unit(org).pk])
    return sum(1 for u in OrgUnit.objects.filter(pk__in=inside, level=OrgUnitLevel.CITY) if not u.kind)


def shown(html: str, target: str) -> tuple[int, int | None]:
    """The count (and the cities) shown in ``target``'s row of the board."""
    row = re.search(rf'<tr data-target="{target}".*?</tr>', html, re.S).group(0)
    count = re.search(r'class="measured-count">(\d+)<', row)
    cities = re.search(r'class="measured-cities">(\d+)<', row)
    assert count, f"no figure beside {target}"
    return int(count.group(1)), int(cities.group(1)) if cities else None


@pytest.mark.parametrize(("org", "period"), [("610100", "2023"), ("610000", "2023"), ("610000", "2022")])
def test_the_board_shows_the_gigabit_cities_standing_beside_q20(db, carriers, org, period):
    day = date(int(period), 12, 31)
    client = login_as(Client(), carriers)
    html = client.get(reverse("goals:board", kwargs={"plan": PLAN}) + f"?org={org}&period={period}").content
    assert shown(html.decode(), "Q20") == (standing(org, day), cities(org))
    assert 'class="measured' not in re.search(r'<tr data-target="Q19".*?</tr>', html.decode(), re.S).group(0)


def test_the_counts_are_what_the_test_meant(db, carriers):
    assert (standing("610100", date(2023, 12, 31)), cities("610100")) == (1, 1)
    assert (standing("610000", date(2023, 12, 31)), cities("610000")) == (2, 10)  # not 杨凌示范区
    assert standing("610000", date(2022, 12, 31)) == 2  # 渭南 still, 宝鸡 not yet


def test_the_verdict_page_shows_the_figure_too(db, carriers):
    client = login_as(Client(), carriers)
    url = reverse("goals:verdict", kwargs={"plan": PLAN, "code": "Q20", "org": "610000", "period": "2023"})
    html = client.get(url).content.decode()
    assert f'class="measured-count">{standing("610000", date(2023, 12, 31))}<' in html
    assert "?kind=gigabit_city" in html
