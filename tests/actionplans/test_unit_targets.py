"""Targets the provincial office sets per unit and milestones on the way: stored, audited, refused to others,
and used by every computation (page, chart, CLI, API)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yangfan.actionplans.models import Indicator, UnitTarget
from yangfan.actionplans.services import unit_target_delete, unit_target_set
from yangfan.audit.models import AuditEntry
from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.indicators import as_json, assessments, core_plans
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

PLAN = "shaanxi-5g-2021-2023"
D = Decimal


def targets_url(code):
    return reverse("actionplans:targets", kwargs={"plan": PLAN, "code": code})


def indicator(code):
    return Indicator.objects.get(plan__code=PLAN, code=code)


def unit(code):
    return OrgUnit.objects.get(code=code)


def load_csv(tmp_path, text):
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def test_the_province_sets_a_city_target_which_is_audited_and_changed_in_place(make_user):
    officer = make_user("province")
    first = unit_target_set(
        actor=officer,
        indicator=indicator("B1"),
        org_unit=unit("610100"),
        on=date(2023, 12, 31),
        value=D("6000000"),
        comparison="gt",
        note="领导小组第3次会议分解",
    )
    created = AuditEntry.objects.filter(action="create", object_type="actionplans.unittarget").get()
    assert created.changes["value"] == [None, "6000000.0000"] and created.actor_username == officer.username

    again = unit_target_set(
        actor=officer,
        indicator=indicator("B1"),
        org_unit=unit("610100"),
        on=date(2023, 12, 31),
        value=D("6000000"),
        comparison="gt",
        note="领导小组第3次会议分解",
    )
    assert again.pk == first.pk
    assert not AuditEntry.objects.filter(action="update", object_type="actionplans.unittarget").exists()

    unit_target_set(
        actor=officer,
        indicator=indicator("B1"),
        org_unit=unit("610100"),
        on=date(2023, 12, 31),
        value=D("6500000"),
        comparison="gt",
        note="调整",
    )
    updated = AuditEntry.objects.filter(action="update", object_type="actionplans.unittarget").get()
    assert updated.changes["value"] == ["6000000.0000", "6500000.0000"]
    assert UnitTarget.objects.count() == 1

    unit_target_delete(actor=officer, target=UnitTarget.objects.get())
    assert not UnitTarget.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_type="actionplans.unittarget").exists()


@pytest.mark.parametrize(
    "role", ["admin", "auditor", "department", "city-reporter", "city-reviewer", "operator", "viewer"]
)
def test_no_one_but_the_provincial_office_sets_targets(make_user, role):
    with pytest.raises(PermissionDenied):
        unit_target_set(
            actor=make_user(role),
            indicator=indicator("A1"),
            org_unit=unit("610100"),
            on=date(2022, 12, 31),
            value=D(25),
            comparison="gte",
        )
    assert not UnitTarget.objects.exists()
    assert AuditEntry.objects.filter(action="permission_denied", detail="targets.set").exists()


def test_the_plans_own_province_target_and_dates_outside_the_plan_are_refused(make_user):
    officer = make_user("province")
    with pytest.raises(ValidationError) as refused:
        unit_target_set(
            actor=officer,
            indicator=indicator("A1"),
            org_unit=unit("610000"),
            on=date(2023, 12, 31),
            value=D(45),
            comparison="gt",
        )
    assert "计划文件规定" in str(refused.value.message_dict["org_unit"])
    for day in (date(2020, 12, 31), date(2024, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            unit_target_set(
                actor=officer,
                indicator=indicator("A1"),
                org_unit=unit("610100"),
                on=day,
                value=D(45),
                comparison="gt",
            )
        assert "目标日期应在" in str(refused.value.message_dict["date"])
    # a milestone for the province is the office's to set
    unit_target_set(
        actor=officer,
        indicator=indicator("A1"),
        org_unit=unit("610000"),
        on=date(2022, 12, 31),
        value=D(28),
        comparison="gte",
    )
    assert UnitTarget.objects.count() == 1


def test_a_city_target_set_through_the_page_binds_the_citys_assessment(client_for, tmp_path):
    load_csv(
        tmp_path,
        "数据项,期间,地区,值\nmobile_users_5g,202312,610100,6100000\nmobile_users_5g,202312,610300,1000000\n",
    )
    plan = core_plans()[PLAN]
    before = {
        r["org_unit"]: r
        for r in as_json(assessments(plan, ["610100", "610300"], _period("2023"), [plan.indicator("B1")]))
    }
    assert before["610100"]["status"] == "no_target" and before["610100"]["target"] is None

    officer = client_for("province")
    response = officer.post(
        targets_url("B1"),
        {"org_unit": "610100", "date": "2023-12-31", "comparison": "gt", "value": "6000000", "note": "分解"},
    )
    assert response.status_code == 302
    after = {
        r["org_unit"]: r
        for r in as_json(assessments(plan, ["610100", "610300"], _period("2023"), [plan.indicator("B1")]))
    }
    assert (after["610100"]["target"], after["610100"]["target_source"]) == ("6000000", "province")
    assert after["610100"]["target_met"] is True and after["610100"]["status"] == "achieved"
    assert after["610300"]["status"] == "no_target"  # 宝鸡 still has none

    page = client_for("viewer").get(targets_url("B1")).content.decode()
    assert "西安市" in page and "6,000,000" in page and "最终目标" in page
    assert 'name="value"' not in page  # a viewer reads, and has no form


def test_a_bad_value_comes_back_on_the_form_and_writes_nothing(client_for):
    officer = client_for("province")
    response = officer.post(
        targets_url("A1"), {"org_unit": "610100", "date": "2026-12-31", "comparison": "gt", "value": "abc"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "目标日期应在" not in html  # the value is wrong first
    assert "输入一个数字" in html
    response = officer.post(
        targets_url("A1"), {"org_unit": "610100", "date": "2026-12-31", "comparison": "gt", "value": "45"}
    )
    assert "目标日期应在" in response.content.decode()
    assert not UnitTarget.objects.exists()


def test_the_indicator_page_charts_the_chosen_city_against_its_milestones(client_for, make_user, tmp_path):
    load_csv(
        tmp_path,
        "数据项,期间,地区,值\n"
        "population,2020,610300,1000000\npopulation,2021,610300,1000000\npopulation,2022,610300,1000000\n"
        "mobile_users_5g,202012,610300,50000\nmobile_users_5g,202112,610300,150000\n"
        "mobile_users_5g,202212,610300,300000\n",
    )
    unit_target_set(
        actor=make_user("province"),
        indicator=indicator("A1"),
        org_unit=unit("610000"),
        on=date(2022, 12, 31),
        value=D(28),
        comparison="gte",
    )
    url = reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": "A1"})
    html = client_for("viewer").get(url + "?period=2022&org=610300").content.decode()
    chart = json.loads(
        re.search(r'<script id="indicator-chart" type="application/json">(.*?)</script>', html).group(1)
    )
    assert (
        chart["periods"][0] == "202012" and chart["periods"][-1] == "202212" and len(chart["periods"]) == 25
    )
    baoji = chart["series"][0]
    assert baoji["name"] == "宝鸡市" and baoji["values"][0] == 5.0 and baoji["values"][12] == 15.0
    assert baoji["values"][24] == 30.0 and baoji["values"][1] is None  # no figure for 202101: a gap, not 0
    assert chart["target"]["value"] == 40.0
    assert chart["milestones"] == [
        {"period": "202212", "value": 28.0, "label": "阶段目标 ≥28%（2022-12-31）"}
    ]
    # the trajectory runs straight from the 2020 baseline (5 %) to the 2022 milestone (28 %)
    assert chart["trajectory"]["values"][0] == 5.0 and chart["trajectory"]["values"][24] == 28.0
    assert "2022-12-31：已达成" in html  # 30 % ≥ 28 %


def test_a_city_user_cannot_chart_a_city_outside_the_scope(client_for, tmp_path):
    load_csv(
        tmp_path,
        "数据项,期间,地区,值\npopulation,2023,610300,1000000\nmobile_users_5g,202312,610300,300000\n",
    )
    url = reverse("actionplans:indicator", kwargs={"plan": PLAN, "code": "A1"})
    html = client_for("city-reporter").get(url + "?period=2023&org=610300").content.decode()  # a 西安 user
    chart = json.loads(
        re.search(r'<script id="indicator-chart" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [s["name"] for s in chart["series"]] == ["西安市"]
    assert "宝鸡市" not in html


def _period(text):
    from yangfan.core.periods import Period

    return Period.parse(text)


def test_the_api_gives_the_unit_target_and_the_indicator_lists_the_targets_set(make_user, client, tmp_path):
    from yangfan.accounts.services import token_create

    load_csv(tmp_path, "数据项,期间,地区,值\nmobile_users_5g,202312,610100,5900000\n")
    unit_target_set(
        actor=make_user("province"),
        indicator=indicator("B1"),
        org_unit=unit("610100"),
        on=date(2023, 12, 31),
        value=D("6000000"),
        comparison="gt",
        note="分解",
    )
    _token, raw = token_create(actor=None, user=make_user("viewer"), days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    rows = client.get(reverse("api:indicator_values") + "?org=610100&period=2023", **auth).json()
    b1 = next(r for r in rows if r["indicator"] == "B1")
    assert (b1["value"], b1["target"], b1["target_source"], b1["target_met"]) == (
        "5900000",
        "6000000",
        "province",
        False,
    )
    assert b1["series"][-1] == ["2023", "5900000"]

    detail = client.get(reverse("api:indicator", kwargs={"plan": PLAN, "code": "B1"}), **auth).json()
    assert detail["target_scope"] == "plan_area"
    assert detail["unit_targets"] == [
        {
            "org_unit": "610100",
            "date": "2023-12-31",
            "value": "6000000",
            "comparison": "gt",
            "final": True,
            "note": "分解",
        }
    ]
