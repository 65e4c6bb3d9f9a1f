"""The API says which of a task's units leads (牵头) and which co-operate (配合): the task list gives the units in the
clause's order with their roles, each assignment its unit's role, read for the whole page in one query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yangfan.actionplans.models import TaskUnit
from yangfan.actionplans.services import task_lead_set

PLAN = "shaanxi-5g-2021-2023"


def test_task_list_gives_the_units_in_order_with_the_lead(api, plan):
    tasks = {t["code"]: t for t in api("viewer").get("tasks", plan=PLAN).json()["results"]}

    logistics = tasks["T3.2.8"]
    assert logistics["units"] == ["cities", "gxt", "txglj"]
    assert logistics["lead"] == "cities"
    assert [(r["unit"], r["role"], r["lead"]) for r in logistics["unit_roles"]] == [
        ("cities", "lead", True),
        ("gxt", "cooperating", False),
        ("txglj", "cooperating", False),
    ]
    assert tasks["T2.1.1"]["lead"] == "gxt"


def test_assignments_say_whether_their_unit_leads_the_task(api, plan, make_user):
    task = plan.task_set.get(code="T2.1.1")
    task_lead_set(
        actor=make_user("province"),
        task=task,
        unit=plan.responsibleunit_set.get(code="cities"),
        reason="会议决定",
    )
    client = api("city-reporter")  # 西安's reporter: its city government's shares

    with CaptureQueriesContext(connection) as queries:
        rows = client.get("assignments", {"plan": PLAN}).json()["results"]

    by_task = {r["task"]: r for r in rows}
    assert (by_task["T2.1.1"]["role"], by_task["T2.1.1"]["lead"]) == ("lead", True)
    assert (by_task["T3.2.8"]["role"], by_task["T3.2.8"]["lead"]) == ("lead", True)
    assert (by_task["T3.2.1"]["role"], by_task["T3.2.1"]["lead"]) == ("cooperating", False)
    led = TaskUnit.objects.filter(task__plan=plan, unit__code="cities", lead=True).count()
    assert sum(r["lead"] for r in rows) == led == 2
    assert len([q for q in queries.captured_queries if "actionplans_taskunit" in q["sql"]]) == 1
