"""The evaluation weighs each unit's assignments by its role in the task (牵头 lead, 配合 co-operating), as the
database says it: the plan's order, or the lead the provincial office set."""

from __future__ import annotations

from yangfan.actionplans.models import TaskUnit
from yangfan.actionplans.services import task_lead_set
from yangfan.core.periods import Period
from yangfan.supervision.evaluation import evaluation_scores


def _completion(plan, key: str):
    ranked = evaluation_scores(plan=plan, period=Period.parse("2023Q4"))
    return next(r.score for r in ranked if r.score.key == key).component("completion")


def test_the_units_lead_assignments_are_weighed_as_leads(plan, make_user):
    leads = TaskUnit.objects.filter(task__plan=plan, unit__code="gxt", lead=True).count()
    assert _completion(plan, "gxt").facts["weighted"] == {"leads": leads, "lead": "2", "cooperating": "1"}

    task = plan.task_set.get(code="T3.2.8")  # 智慧物流, led by 各设区市政府
    task_lead_set(actor=make_user("province"), task=task, unit=task.units.get(code="gxt"), reason="会议决定")

    assert _completion(plan, "gxt").facts["weighted"]["leads"] == leads + 1
    xian = _completion(
        plan, "610100"
    )  # 西安 led only T3.2.8 as one of 各设区市政府: now it co-operates on all
    assert "weighted" not in xian.facts
