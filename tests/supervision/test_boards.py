"""The supervision list's proposals from indicators: a target missed at its date is proposed, and first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.supervision.test_views import _values

from yangfan.actionplans.models import Indicator, Plan, Task
from yangfan.core.periods import Period
from yangfan.supervision.boards import notice_proposals
from yangfan.supervision.models import TaskIndicator

PLAN = "shaanxi-5g-2021-2023"
XIAN, BAOJI = "610100", "610300"


def test_a_missed_milestone_is_proposed_ahead_of_a_target_at_risk(db, make_user):
    from yangfan.actionplans.services import unit_target_set
    from yangfan.orgunits.models import OrgUnit

    province = make_user("province")
    a5 = Indicator.objects.get(plan__code=PLAN, code="A5")
    TaskIndicator.objects.create(task=Task.objects.get(plan__code=PLAN, code="T3.3.5"), indicator=a5)
    _values(
        [
            # 西安: 16.2 then 17.1 stations per 10,000 people, 18.0 by the end of 2023 on that line: at risk
            ("population", XIAN, "2023", "10000000"),
            ("base_stations_5g", XIAN, "202306", "16200"),
            ("base_stations_5g", XIAN, "202309", "17100"),
            # 宝鸡: 15 at the end of September, its milestone ≥ 16 by that day: missed, though within 10 %
            ("population", BAOJI, "2023", "1000000"),
            ("base_stations_5g", BAOJI, "202306", "1400"),
            ("base_stations_5g", BAOJI, "202309", "1500"),
        ]
    )
    unit_target_set(
        actor=province,
        indicator=a5,
        org_unit=OrgUnit.objects.get(code=BAOJI),
        on=date(2023, 9, 30),
        value=Decimal(16),
        comparison="gte",
    )

    proposals = notice_proposals(
        actor=province, plan=Plan.objects.get(code=PLAN), period=Period.parse("2023Q3")
    )

    # the province, the two cities' sum, is at risk as well (for the departments that answer for the task)
    found = [(p.org_unit, p.status) for p in proposals]
    assert found[0] == (BAOJI, "missed") and sorted(found[1:]) == [("610000", "at_risk"), (XIAN, "at_risk")]
    assert proposals[0].figures["target"] == "16"
    assert {p.figures["target"] for p in proposals[1:]} == {"18"}
