"""总览's 定性目标评估 block: how many of the plan's qualitative targets stand at each conclusion for the unit and
period shown, read in a number of queries that does not grow with the verdicts or periods stored."""

from __future__ import annotations

import re

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.goals.conftest import publish

from yangfan.actionplans.models import QualitativeTarget


def _block(html: str) -> str:
    return html.split('<section class="card goal-summary"')[1].split("</section>")[0]


def _counts(html: str) -> dict[str, int]:
    return {
        verdict: int(n)
        for verdict, n in re.findall(
            r'data-verdict="(\w+)">(?:<a [^>]*>)?<strong>(\d+)</strong>', _block(html)
        )
    }


def _cost(client, url: str) -> int:
    client.get(url)
    caches["fragments"].clear()  # measure the dashboard computed, not the kept copy
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_block_counts_the_verdicts_standing_for_the_unit_and_period_shown(db, make_user, client_for):
    office, baoji = (
        make_user("province", username="office-2"),
        make_user("city-office", username="baoji-office"),
    )
    publish(office, org="610000", code="Q01", period="2022", verdict="achieved")
    publish(office, org="610000", code="Q02", period="2023", verdict="partly")
    publish(baoji, org="610300", code="Q01", period="2023", verdict="not_achieved")
    total = QualitativeTarget.objects.filter(plan__code="shaanxi-5g-2021-2023").count()
    client = client_for("province")
    home = reverse("portal:home")

    assert _counts(client.get(home + "?period=2022").content.decode()) == {
        "achieved": 1,
        "largely": 0,
        "partly": 0,
        "not_achieved": 0,
        "undetermined": 0,
        "none": total - 1,
    }
    province_2023 = client.get(home + "?period=2023").content.decode()
    assert _counts(province_2023)["partly"] == 1 and _counts(province_2023)["none"] == total - 2
    assert "/goals/shaanxi-5g-2021-2023/?org=610000&amp;period=2023" in _block(province_2023)
    baoji_2023 = _counts(client.get(home + "?period=2023&org=610300").content.decode())
    assert baoji_2023["not_achieved"] == 1 and baoji_2023["achieved"] == 0  # 宝鸡's own, not the province's
    assert 'class="card goal-summary"' not in client.get(home + "?period=2023&org=610302").content.decode()


def test_the_blocks_queries_do_not_grow_with_the_verdicts_and_periods_stored(db, make_user, client_for):
    office = make_user("province", username="office-2")
    client = client_for("province")
    url = reverse("portal:home") + "?period=2023"
    publish(office, org="610000", code="Q01", period="2023", verdict="achieved")
    before = _cost(client, url)
    codes = list(
        QualitativeTarget.objects.filter(plan__code="shaanxi-5g-2021-2023").values_list("code", flat=True)
    )
    for period in ("2021", "2022", "2023Q1", "2023Q2", "2023"):
        for code in codes[:12]:
            publish(office, org="610000", code=code, period=period, verdict="partly")
            publish(office, org="610300", code=code, period=period, verdict="largely")
    after = _cost(client, url)
    assert _counts(client.get(url).content.decode())["partly"] == 12
    assert after == before
