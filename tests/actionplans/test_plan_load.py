"""plan_load keeps the database in step with the plan file: idempotent, in place, all or nothing."""

from __future__ import annotations

import pytest

from yangfan.actionplans.models import Indicator, Plan, QualitativeTarget, ResponsibleUnit, Sector, Task
from yangfan.actionplans.services import plan_load_file
from yangfan.core.errors import PlanInvalid
from yangfan.orgunits.models import OrgGroup, OrgUnit


def _counts() -> dict[str, int]:
    models = (Plan, Task, ResponsibleUnit, Sector, Indicator, QualitativeTarget, OrgUnit, OrgGroup)
    return {m.__name__: m.objects.count() for m in models}


def test_bundled_plan_is_stored_with_every_task_and_unit(plan):
    assert plan.task_set.count() == 33
    assert plan.indicator_set.filter(annex_number__isnull=False).count() == 7
    assert OrgUnit.objects.filter(level=2, code__regex=r"^[0-9]{6}$").count() == 10
    transport = plan.responsibleunit_set.get(name="省交通运输厅")
    assert transport.aliases == ["省交通厅"]
    assert set(transport.tasks.values_list("code", flat=True)) == {"T3.2.2", "T4.1.1", "T4.3.9"}
    assert Task.objects.filter(units__isnull=True).count() == 0


def test_loading_the_same_file_twice_changes_nothing(plan_copy, plan):
    before = _counts()
    task_ids = dict(Task.objects.values_list("code", "pk"))
    _, stats = plan_load_file(path=plan_copy)
    assert not stats.changed
    assert stats["unchanged"] > 250
    assert _counts() == before
    assert dict(Task.objects.values_list("code", "pk")) == task_ids


def test_changed_file_updates_rows_in_place(plan_copy, plan):
    sector = Sector.objects.get(plan=plan, code="smart-education")
    assert sector.key_industry is False
    text = plan_copy.read_text(encoding="utf-8")
    edited = text.replace(
        "{code: smart-education, name: 智慧教育, name_en: Smart education, key_industry: false,",
        "{code: smart-education, name: 智慧教育, name_en: Smart education, key_industry: true,",
    )
    assert edited != text
    plan_copy.write_text(edited, encoding="utf-8")

    _, stats = plan_load_file(path=plan_copy)

    assert stats["updated"] == 2  # the sector, and the plan row (its file digest)
    assert stats["created"] == stats["deleted"] == 0
    refreshed = Sector.objects.get(plan=plan, code="smart-education")
    assert refreshed.pk == sector.pk
    assert refreshed.key_industry is True


def test_element_dropped_from_the_file_is_removed(plan_copy, plan):
    text = plan_copy.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("- {code: Q27,"))
    plan_copy.write_text(text.replace(line + "\n", ""), encoding="utf-8")

    _, stats = plan_load_file(path=plan_copy)

    assert stats["deleted"] == 1
    assert not QualitativeTarget.objects.filter(plan=plan, code="Q27").exists()
    assert QualitativeTarget.objects.filter(plan=plan).count() == 36


def test_invalid_file_writes_nothing(plan_copy, plan):
    before = _counts()
    text = plan_copy.read_text(encoding="utf-8")
    plan_copy.write_text(
        text.replace("name: 5G个人用户普及率\n", "name: 已改名\n").replace(
            "formula: mobile_users_5g / population * 100", "formula: mobile_users_6g / population * 100"
        ),
        encoding="utf-8",
    )

    with pytest.raises(PlanInvalid) as caught:
        plan_load_file(path=plan_copy)

    assert "mobile_users_6g" in str(caught.value)
    assert _counts() == before
    assert Indicator.objects.get(plan=plan, code="A1").name == "5G个人用户普及率"


def test_statistical_tree_is_stored_with_yangling_beside_the_cities(plan):
    yangling_district = OrgUnit.objects.get(code="610403")
    assert yangling_district.parent.code == "610400"
    assert yangling_district.counted_in.code == "YANGLING"
    assert OrgUnit.objects.get(code="YANGLING").parent.code == "610000"
    xixian = OrgGroup.objects.get(code="XIXIAN")
    assert set(xixian.overlaps.values_list("code", flat=True)) == {"610100", "610400"}
    assert not xixian.members.exists()
    assert list(OrgGroup.objects.get(code="HANCHENG").members.values_list("code", flat=True)) == ["610581"]


def test_every_row_a_load_writes_is_audited_with_old_and_new_values(plan_copy, plan):
    from yangfan.audit.models import AuditEntry

    text = plan_copy.read_text(encoding="utf-8")
    edited = text.replace(
        "{code: smart-education, name: 智慧教育, name_en: Smart education, key_industry: false,",
        "{code: smart-education, name: 智慧教育, name_en: Smart education, key_industry: true,",
    )
    line = next(x for x in edited.splitlines() if x.strip().startswith("- {code: Q27,"))
    plan_copy.write_text(edited.replace(line + "\n", ""), encoding="utf-8")
    before = AuditEntry.objects.count()

    plan_load_file(path=plan_copy)

    entries = list(AuditEntry.objects.order_by("seq")[before:])
    sector = next(e for e in entries if e.object_type == "actionplans.sector")
    assert sector.action == "update" and sector.changes == {"key_industry": [False, True]}
    removed = next(e for e in entries if e.action == "delete")
    assert removed.object_type == "actionplans.qualitativetarget" and "Q27" in removed.object_repr
    assert {e.object_type for e in entries} == {
        "actionplans.sector",
        "actionplans.qualitativetarget",
        "actionplans.plan",
    }


def test_a_judged_target_dropped_from_the_file_is_refused_with_a_message_and_nothing_changes(
    plan_copy, plan, make_user
):
    from django.core.exceptions import ValidationError

    from yangfan.goals.services import goal_verdict_save
    from yangfan.orgunits.models import OrgUnit

    goal_verdict_save(
        actor=make_user("province"),
        target=QualitativeTarget.objects.get(plan=plan, code="Q27"),
        org_unit=OrgUnit.objects.get(code="610000"),
        period="2022",
        verdict="partly",
        reasoning="已部分实现",
    )
    before = _counts()
    text = plan_copy.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("- {code: Q27,"))
    plan_copy.write_text(text.replace(line + "\n", ""), encoding="utf-8")

    with pytest.raises(ValidationError, match="计划文件删去了 Q27，但已有记录引用它们"):
        plan_load_file(path=plan_copy)

    assert _counts() == before
    assert QualitativeTarget.objects.filter(plan=plan, code="Q27").exists()
