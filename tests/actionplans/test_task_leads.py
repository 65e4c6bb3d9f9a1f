"""A task's units in the order its clause names them: the first leads (牵头), the others co-operate (配合); the
provincial office may make another the lead, with a reason, and a reload of the plan keeps that choice while the
unit is still named."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yangfan.actionplans.models import ResponsibleUnit, Task, TaskUnit
from yangfan.actionplans.selectors import unit_roles
from yangfan.actionplans.services import plan_load, plan_load_file, task_lead_set
from yangfan.audit.models import AuditEntry
from yangfan.core.planfile import bundled_plan_paths, load_plan

PLAN = "shaanxi-5g-2021-2023"
LOGISTICS = "T3.2.8"  # 智慧物流: “各设区市政府、省工信厅、省通信管理局”


def plan_copy_path():
    """The bundled plan file (read, never written)."""
    return next(p for p in bundled_plan_paths() if p.name == f"{PLAN}.yaml")


def _units(code: str) -> list[tuple[str, bool]]:
    return [
        (link.unit.code, link.lead)
        for link in TaskUnit.objects.filter(task__code=code).select_related("unit").order_by("position")
    ]


def _unit(plan, code: str) -> ResponsibleUnit:
    return plan.responsibleunit_set.get(code=code)


def _task(plan, code: str = LOGISTICS) -> Task:
    return plan.task_set.get(code=code)


def _lead_entries(task: Task):
    return AuditEntry.objects.filter(object_id=str(task.pk), changes__has_key="lead")


# -- the order of the plan file ------------------------------------------------------------------------------


def test_each_task_keeps_its_units_in_the_clause_order_and_the_first_leads(plan):
    parsed = load_plan(plan_copy_path())

    for task in parsed.tasks:
        units = _units(task.code)
        assert [code for code, _lead in units] == list(task.responsible_units), task.code
        assert [code for code, lead in units if lead] == [task.responsible_units[0]], task.code
    assert _units(LOGISTICS) == [("cities", True), ("gxt", False), ("txglj", False)]
    assert TaskUnit.objects.filter(task__plan=plan, lead=True).count() == 33


def test_task_units_stay_usable_as_a_many_to_many(plan):
    task = _task(plan)

    assert set(task.units.values_list("code", flat=True)) == {"cities", "gxt", "txglj"}
    assert set(_unit(plan, "jtt").tasks.values_list("code", flat=True)) == {"T3.2.2", "T4.1.1", "T4.3.9"}


def test_unit_roles_are_read_for_many_tasks_in_one_query(plan):
    tasks = list(plan.task_set.all())

    with CaptureQueriesContext(connection) as queries:
        roles = unit_roles(tasks)

    assert len(queries) == 1
    assert len(roles) == TaskUnit.objects.filter(task__plan=plan).count()
    logistics = _task(plan)
    assert roles[(logistics.pk, _unit(plan, "cities").pk)] == "lead"
    assert roles[(logistics.pk, _unit(plan, "gxt").pk)] == "cooperating"


# -- the office changes the lead ----------------------------------------------------------------------------


def test_office_makes_another_unit_the_lead_with_a_reason_audited(plan, make_user):
    office = make_user("province")
    task = _task(plan)

    link = task_lead_set(
        actor=office, task=task, unit=_unit(plan, "gxt"), reason="  领导小组会议决定由省工信厅牵头  "
    )

    assert _units(LOGISTICS) == [("cities", False), ("gxt", True), ("txglj", False)]
    assert link.lead_reason == "领导小组会议决定由省工信厅牵头"
    assert link.lead_set_by == office and link.lead_set_at is not None
    (entry,) = _lead_entries(task)
    assert entry.action == "update"
    assert entry.changes == {"lead": ["各设区市政府", "省工信厅"]}
    assert entry.detail == "领导小组会议决定由省工信厅牵头"
    assert entry.actor_id == office.pk


@pytest.mark.parametrize("reason", ["", "   "])
def test_lead_change_without_a_reason_is_refused_and_changes_nothing(plan, make_user, reason):
    task = _task(plan)

    with pytest.raises(ValidationError) as info:
        task_lead_set(actor=make_user("province"), task=task, unit=_unit(plan, "gxt"), reason=reason)

    assert info.value.message_dict == {"reason": ["请填写改定牵头单位的理由。"]}
    assert _units(LOGISTICS) == [("cities", True), ("gxt", False), ("txglj", False)]
    assert not _lead_entries(task).exists()


def test_unit_not_among_the_tasks_units_cannot_lead_it(plan, make_user):
    task = _task(plan)

    with pytest.raises(ValidationError) as info:
        task_lead_set(actor=make_user("province"), task=task, unit=_unit(plan, "jtt"), reason="试一下")

    (message,) = info.value.message_dict["unit"]
    assert "省交通运输厅 不是任务 T3.2.8 的责任单位" in message
    assert "各设区市政府、省工信厅、省通信管理局" in message
    assert _units(LOGISTICS) == [("cities", True), ("gxt", False), ("txglj", False)]
    assert not _lead_entries(task).exists()


@pytest.mark.parametrize("role", ["department", "city-office", "viewer", "admin"])
def test_only_the_provincial_office_changes_a_lead_and_a_refusal_is_audited(plan, make_user, role):
    task = _task(plan)
    denied = AuditEntry.objects.filter(action="permission_denied", detail="tasks.lead")

    with pytest.raises(PermissionDenied):
        task_lead_set(actor=make_user(role), task=task, unit=_unit(plan, "gxt"), reason="我们来牵头")

    assert denied.count() == 1
    assert _units(LOGISTICS)[0] == ("cities", True)


# -- reloading the plan -------------------------------------------------------------------------------------


def test_reloading_the_plan_keeps_the_offices_lead(plan, plan_copy, make_user):
    task = _task(plan)
    task_lead_set(actor=make_user("province"), task=task, unit=_unit(plan, "txglj"), reason="通信管理局统筹")

    _, stats = plan_load_file(path=plan_copy)

    assert not stats.changed
    assert _units(LOGISTICS) == [("cities", False), ("gxt", False), ("txglj", True)]
    assert TaskUnit.objects.get(task=task, lead=True).lead_reason == "通信管理局统筹"


def test_lead_goes_back_to_the_first_named_unit_when_the_plan_no_longer_names_the_offices(plan, make_user):
    task = _task(plan)
    task_lead_set(actor=make_user("province"), task=task, unit=_unit(plan, "txglj"), reason="通信管理局统筹")
    parsed = load_plan(plan_copy_path())
    without = tuple(
        replace(t, responsible_units=("gxt", "cities")) if t.code == LOGISTICS else t for t in parsed.tasks
    )

    plan_load(plan=replace(parsed, tasks=without))

    assert _units(LOGISTICS) == [("gxt", True), ("cities", False)]
    entry = _lead_entries(task).order_by("-pk").first()
    assert entry.changes == {
        "units": [["cities", "gxt", "txglj"], ["gxt", "cities"]],
        "lead": ["txglj", "gxt"],
    }
    assert entry.detail == "加载计划文件"


def test_reordered_units_in_the_plan_move_the_lead_to_the_new_first(plan):
    task = _task(plan)
    parsed = load_plan(plan_copy_path())
    reordered = tuple(
        replace(t, responsible_units=("txglj", "gxt", "cities")) if t.code == LOGISTICS else t
        for t in parsed.tasks
    )

    plan_load(plan=replace(parsed, tasks=reordered))

    assert _units(LOGISTICS) == [("txglj", True), ("gxt", False), ("cities", False)]
    assert _lead_entries(task).get().changes["lead"] == ["cities", "txglj"]


# -- the task page --------------------------------------------------------------------------------------------


def _task_url(code: str = LOGISTICS) -> str:
    return reverse("actionplans:task", kwargs={"plan": PLAN, "code": code})


def test_task_page_marks_the_lead_and_the_cooperating_units(plan, client_for):
    page = client_for("viewer").get(_task_url()).content.decode()

    assert '各设区市政府<small class="role">（牵头）</small>' in page
    assert '省工信厅<small class="role">（配合）</small>' in page
    assert "lead-form" not in page  # the form is the office's


def test_office_changes_the_lead_on_the_task_page(plan, client_for):
    client = client_for("province")
    assert "lead-form" in client.get(_task_url()).content.decode()

    response = client.post(_task_url(), {"unit": "gxt", "reason": "会议决定"})

    assert response.status_code == 302
    assert _units(LOGISTICS)[1] == ("gxt", True)
    page = client.get(_task_url()).content.decode()
    assert '省工信厅<small class="role">（牵头）</small>' in page
    assert "改定 省工信厅 为牵头单位，理由：会议决定" in page


def test_task_page_without_a_reason_says_so_and_changes_nothing(plan, client_for):
    response = client_for("province").post(_task_url(), {"unit": "gxt", "reason": ""})

    assert response.status_code == 200
    assert "请填写改定牵头单位的理由。" in response.content.decode()
    assert _units(LOGISTICS)[0] == ("cities", True)


def test_unit_page_counts_the_tasks_it_leads(plan, client_for):
    page = client_for("viewer").get(reverse("actionplans:unit", kwargs={"plan": PLAN, "code": "cities"}))

    led = TaskUnit.objects.filter(task__plan=plan, unit__code="cities", lead=True).count()
    named = TaskUnit.objects.filter(task__plan=plan, unit__code="cities").count()
    assert led == 1
    assert f"（牵头 {led} 项，配合 {named - led} 项）" in page.content.decode()


def _taskunit_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "actionplans_taskunit" in q["sql"]]


def test_plan_page_reads_every_tasks_units_and_roles_in_one_query(plan, client_for):
    client = client_for("viewer")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("actionplans:plan", kwargs={"plan": PLAN})).content.decode()

    assert page.count('<small class="role">（牵头）</small>') == 33
    assert len(_taskunit_queries(queries)) == 1


def test_supervision_matrix_reads_the_roles_once_whatever_its_rows(plan, client_for):
    client = client_for("province")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("supervision:matrix", kwargs={"plan": PLAN}) + "?period=2023Q4")

    content = page.content.decode()
    leads = TaskUnit.objects.filter(task__plan=plan, lead=True).select_related("unit")
    # a department leading a task is one cell; 各设区市政府 leading one is a cell for each of the 10 cities
    expected = sum(10 if link.unit.kind == "city_governments" else 1 for link in leads)
    assert content.count('data-role="lead"') == expected
    assert len(_taskunit_queries(queries)) == 1
