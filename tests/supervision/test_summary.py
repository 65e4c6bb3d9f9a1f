"""The dashboard's task summary reads only the period it shows, and counts exactly what the matrix of that period
counts, for the province and for a city, before and after the reports' deadline."""

from __future__ import annotations

from datetime import date

import pytest

from yangfan.actionplans.models import Plan
from yangfan.core.periods import Period
from yangfan.supervision.boards import matrix, summary
from yangfan.supervision.demo import demo_supervision_load
from yangfan.supervision.models import ProgressReport

PLAN = "shaanxi-5g-2021-2023"


@pytest.fixture
def reports(db, make_user):
    province, wlt = make_user("province"), make_user("department", username="wlt")
    demo_supervision_load(actor_by_role={"province": province, "wlt": wlt})
    assert ProgressReport.objects.values("status").distinct().count() >= 2  # submitted, drafts, approved …
    return province


def test_the_summary_counts_what_the_matrix_counts(reports, make_user):
    city = make_user("city-reporter")
    # before and after 2023Q3's deadline, and a quarter long past
    for quarter, as_of in (
        ("2023Q3", date(2023, 10, 20)),
        ("2023Q3", date(2024, 3, 1)),
        ("2022Q1", date(2024, 3, 1)),
    ):
        plan, period = Plan.objects.get(code=PLAN), Period.parse(quarter)
        for actor in (reports, city):
            full = matrix(actor=actor, plan=plan, period=period, as_of=as_of)
            found = summary(actor=actor, plan=plan, period=period, as_of=as_of)
            assert found.counts == full.counts and found.tasks == len(full.rows)
            assert sum(found.counts.values()) > 0
        xian = summary(actor=reports, plan=plan, period=period, as_of=as_of, city="610100")
        cells = [
            c.state
            for row in matrix(actor=reports, plan=plan, period=period, as_of=as_of).rows
            for key, c in row.cells.items()
            if key == "city:610100"
        ]
        assert sum(xian.counts.values()) == len(cells) > 0


def test_the_summary_reads_its_period_in_three_queries(reports, django_assert_max_num_queries):
    plan = Plan.objects.get(code=PLAN)
    with django_assert_max_num_queries(3):
        summary(actor=None, plan=plan, period=Period.parse("2023Q4"))
