"""The approval workflow: every transition allowed and refused, the order counties → city → province, and
locks on every value of a submitted or approved report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.selectors import data_set_rows
from yangfan.collection.services import submission_act, submission_open
from yangfan.collection.workflow import TRANSITIONS
from yangfan.core.errors import ImportInvalid
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

S = SubmissionStatus


def unit(code):
    return OrgUnit.objects.get(code=code)


def data_set(code):
    return DataSet.objects.get(code=code)


def row(element, org, period, value, operator=None, n=2):
    return ParsedRow(
        n,
        DataElement.objects.get(code=element),
        unit(org),
        period,
        Operator.objects.get(code=operator) if operator else None,
        Decimal(value),
        "",
    )


def test_the_rows_of_a_report_follow_the_data_sets_level(db):
    xian, province = unit("610100"), unit("610000")
    counties = data_set_rows(data_set=data_set("population-yearly"), org_unit=xian)
    assert len(counties) == 13 and counties[0].code == "610102" and "610116" in {u.code for u in counties}
    cities = data_set_rows(data_set=data_set("gxt-yearly"), org_unit=province)
    assert len(cities) == 11 and "YANGLING" in {u.code for u in cities}  # 杨凌 beside the cities
    assert [u.code for u in data_set_rows(data_set=data_set("gxt-yearly"), org_unit=xian)] == ["610100"]
    yangling = data_set_rows(data_set=data_set("population-yearly"), org_unit=unit("YANGLING"))
    assert [u.code for u in yangling] == ["610403"]  # 杨陵区 is counted in the demonstration zone
    assert "610403" not in {
        u.code for u in data_set_rows(data_set=data_set("population-yearly"), org_unit=unit("610400"))
    }


@pytest.fixture
def baoji_report(make_user):
    """宝鸡's yearly population report for 2023: the reviewer's city (ROLE_USERS: city-reviewer → 宝鸡)."""
    return submission_open(data_set=data_set("population-yearly"), org_unit=unit("610300"), period="2023")


def test_submit_return_resubmit_approve_unlock(make_user, baoji_report):
    reviewer, officer = make_user("city-reviewer"), make_user("province")
    submission_act(actor=reviewer, submission=baoji_report, action="submit")
    assert baoji_report.status == S.SUBMITTED and baoji_report.submitted_by == reviewer
    with pytest.raises(ValidationError, match="原因"):
        submission_act(actor=officer, submission=baoji_report, action="return")
    submission_act(actor=officer, submission=baoji_report, action="return", comment="渭滨区人口与公报不符")
    assert baoji_report.status == S.RETURNED and baoji_report.reason == "渭滨区人口与公报不符"
    submission_act(actor=reviewer, submission=baoji_report, action="submit")
    submission_act(actor=officer, submission=baoji_report, action="approve")
    assert baoji_report.status == S.APPROVED
    submission_act(actor=officer, submission=baoji_report, action="unlock", comment="统计局更正")
    assert baoji_report.status == S.RETURNED
    assert [e.action for e in baoji_report.events.all()] == [
        "submit",
        "return",
        "submit",
        "approve",
        "unlock",
    ]
    trail = (
        AuditEntry.objects.filter(object_type="collection.submission")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert list(trail) == ["submit", "reject", "submit", "approve", "unlock"]


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for a, (sources, _) in TRANSITIONS.items() for s in S.values if s not in sources],
)
def test_every_transition_from_a_wrong_state_is_refused(make_user, baoji_report, status, action):
    baoji_report.status = status
    baoji_report.save()
    actor = make_user("city-reviewer") if action in ("submit", "withdraw") else make_user("province")
    with pytest.raises(ValidationError, match="不能"):
        submission_act(actor=actor, submission=baoji_report, action=action, comment="原因")
    baoji_report.refresh_from_db()
    assert baoji_report.status == status


@pytest.mark.parametrize("role", ["admin", "auditor", "department", "city-reporter", "operator", "viewer"])
def test_only_the_units_own_reporters_submit(make_user, baoji_report, role):
    with pytest.raises(PermissionDenied):
        submission_act(actor=make_user(role), submission=baoji_report, action="submit")
    assert AuditEntry.objects.filter(action="permission_denied", detail="data.submit").exists()


@pytest.mark.parametrize(
    "role", ["admin", "auditor", "department", "city-reporter", "city-reviewer", "operator", "viewer"]
)
def test_only_one_level_up_approves(make_user, baoji_report, role):
    baoji_report.status = S.SUBMITTED
    baoji_report.save()
    with pytest.raises(PermissionDenied):  # 宝鸡's own reviewer cannot approve 宝鸡's report
        submission_act(actor=make_user(role), submission=baoji_report, action="approve")
    assert baoji_report.status == S.SUBMITTED


def test_a_city_reviewer_approves_its_counties_and_the_province_waits_for_them(make_user):
    reviewer, officer = make_user("city-reviewer"), make_user("province")
    county_reviewer = make_user("city-reviewer", username="weibin", capture_org_units=[unit("610302")])
    county = submission_open(data_set=data_set("population-yearly"), org_unit=unit("610302"), period="2023")
    city = submission_open(data_set=data_set("population-yearly"), org_unit=unit("610300"), period="2023")
    submission_act(actor=county_reviewer, submission=county, action="submit")
    submission_act(actor=reviewer, submission=city, action="submit")
    with pytest.raises(ValidationError, match="渭滨区"):
        submission_act(actor=officer, submission=city, action="approve")
    with pytest.raises(PermissionDenied):  # a county's reviewer cannot approve itself
        submission_act(actor=county_reviewer, submission=county, action="approve")
    submission_act(actor=reviewer, submission=county, action="approve")  # 宝鸡 approves 渭滨区
    submission_act(actor=officer, submission=city, action="approve")
    assert (county.status, city.status) == (S.APPROVED, S.APPROVED)


def test_nobody_approves_their_own_submission(make_user):
    officer = make_user("province")
    report = submission_open(data_set=data_set("gxt-yearly"), org_unit=unit("610000"), period="2023")
    report.status, report.submitted_by = S.SUBMITTED, officer
    report.save()
    with pytest.raises(PermissionDenied):
        submission_act(actor=officer, submission=report, action="approve")


def test_an_operator_submits_its_own_figures_only(make_user):
    cmcc = make_user("operator")
    own = submission_open(
        data_set=data_set("operator-monthly"),
        org_unit=unit("610100"),
        period="202312",
        operator=Operator.objects.get(code="cmcc"),
    )
    other = submission_open(
        data_set=data_set("operator-monthly"),
        org_unit=unit("610100"),
        period="202312",
        operator=Operator.objects.get(code="ctcc"),
    )
    submission_act(actor=cmcc, submission=own, action="submit")
    with pytest.raises(PermissionDenied):
        submission_act(actor=cmcc, submission=other, action="submit")


def test_submitted_and_approved_values_are_locked_until_returned_or_unlocked(make_user, baoji_report):
    reviewer, officer = make_user("city-reviewer"), make_user("province")
    datavalues_import(rows=[row("population", "610302", "2023", 700_000)], file="a.csv")
    submission_act(actor=reviewer, submission=baoji_report, action="submit")

    with pytest.raises(ImportInvalid) as refused:
        datavalues_import(rows=[row("population", "610302", "2023", 710_000)], file="b.csv")
    assert "已锁定" in str(refused.value)
    # the same figure again changes nothing, so it passes (re-importing a file stays idempotent)
    assert datavalues_import(rows=[row("population", "610302", "2023", 700_000)], file="a.csv").unchanged == [
        2
    ]
    # another element, or another period, is not this report's
    datavalues_import(rows=[row("population", "610302", "2022", 690_000)], file="c.csv")

    submission_act(actor=officer, submission=baoji_report, action="approve")
    with pytest.raises(ImportInvalid):
        datavalues_import(rows=[row("population", "610303", "2023", 1)], file="d.csv", dry_run=True)
    submission_act(actor=officer, submission=baoji_report, action="unlock", comment="更正")
    datavalues_import(rows=[row("population", "610302", "2023", 710_000)], file="b.csv")
    assert DataValue.objects.get(org_unit__code="610302", period="2023").value == 710_000


def test_an_operators_lock_holds_its_own_figures_only(make_user):
    cmcc = make_user("operator")
    report = submission_open(
        data_set=data_set("operator-monthly"),
        org_unit=unit("610100"),
        period="202312",
        operator=Operator.objects.get(code="cmcc"),
    )
    submission_act(actor=cmcc, submission=report, action="submit")
    with pytest.raises(ImportInvalid):
        datavalues_import(rows=[row("base_stations_5g", "610116", "202312", 900, "cmcc")], file="x.csv")
    datavalues_import(rows=[row("base_stations_5g", "610116", "202312", 400, "ctcc")], file="y.csv")
    # the city's own total is another data set's (通信管理局), not locked by the operator's report
    datavalues_import(rows=[row("base_stations_5g", "610100", "202312", 5000)], file="z.csv")


def test_an_operators_user_writes_its_own_operators_figures_only(make_user):
    cmcc = make_user("operator")
    datavalues_import(
        rows=[row("base_stations_5g", "610116", "202311", 900, "cmcc")], actor=cmcc, file="own.csv"
    )
    for other in (
        row("base_stations_5g", "610116", "202311", 400, "ctcc"),
        row("base_stations_5g", "610116", "202311", 1300),
    ):
        with pytest.raises(ImportInvalid, match="本运营商"):
            datavalues_import(rows=[other], actor=cmcc, file="other.csv")
    assert DataValue.objects.filter(period="202311").count() == 1


def test_values_import_on_the_command_line_is_refused_for_a_locked_report(
    make_user, baoji_report, tmp_path, capsys
):
    from yangfan.cli import main

    datavalues_import(rows=[row("population", "610302", "2023", 700_000)], file="a.csv")
    submission_act(actor=make_user("city-reviewer"), submission=baoji_report, action="submit")
    changed = tmp_path / "changed.csv"
    changed.write_text("数据项,期间,地区,值\npopulation,2023,610302,710000\n", encoding="utf-8")

    assert main(["values", "import", str(changed)]) == 1
    assert "已锁定" in capsys.readouterr().err
    assert DataValue.objects.get(org_unit__code="610302", period="2023").value == 700_000


def test_an_import_lists_what_the_validation_rules_find_without_refusing_it(tmp_path, capsys, db):
    from yangfan.cli import main

    path = tmp_path / "users.csv"
    path.write_text(
        "数据项,期间,地区,运营商,值\n"
        "mobile_users_5g,202312,610116,cmcc,1200\nmobile_users_total,202312,610116,cmcc,1000\n",
        encoding="utf-8",
    )
    assert (
        main(["values", "import", str(path)]) == 0
    )  # stored: the error blocks the report's submission later
    printed = capsys.readouterr().out
    assert "错误 V01" in printed and "1,200 > 移动电话用户总数 1,000" in printed
    assert "校验：错误 1 条，警告 0 条" in printed
    assert DataValue.objects.filter(period="202312", org_unit__code="610116").count() == 2
