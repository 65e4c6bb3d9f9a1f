"""Supervision alerts: overdue milestones, missing reports and stalled assignments, judged as of a day.

Each alert is tested on the boundary days: on a due date or deadline there is no alert yet (the unit still
has that day), on the day after there is.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.supervision import (
    Alert,
    AlertKind,
    AssignmentState,
    MilestoneState,
    Progress,
    ReportState,
    SupervisionError,
    SupervisionRules,
    alerts,
    periods_between,
    report_due,
)

RULES = SupervisionRules()  # quarterly, due 15 days after the quarter, stalled after 2 lagging quarters
Q4_DEADLINE = date(2024, 1, 15)


def report(
    period: str,
    progress: Progress = Progress.IN_PROGRESS,
    *,
    percent: int = 50,
    submitted_on: date | None = date(2024, 1, 5),
    evidence: int = 1,
) -> ReportState:
    return ReportState(period, progress, percent, submitted_on, approved=False, evidence_count=evidence)


def assignment(*reports: ReportState, milestones=(), first: str = "2021Q1", key: str = "T2.1.1/gxt"):
    return AssignmentState(key=key, first_period=first, milestones=tuple(milestones), reports=reports)


def kinds(found: list[Alert]) -> list[AlertKind]:
    return [a.kind for a in found]


# -- labels and periods ---------------------------------------------------------------------------------
def test_progress_and_alert_kinds_have_chinese_labels():
    assert [p.label for p in Progress] == ["未启动", "推进中", "已完成", "滞后"]
    assert [k.label for k in AlertKind] == ["节点逾期", "逾期未报", "连续滞后"]


def test_periods_between_lists_quarters_across_a_year_end():
    assert periods_between("2022Q3", "2023Q2") == ["2022Q3", "2022Q4", "2023Q1", "2023Q2"]


def test_periods_between_works_for_months_and_years():
    assert periods_between("202211", "202302") == ["202211", "202212", "202301", "202302"]
    assert periods_between("2021", "2023") == ["2021", "2022", "2023"]


def test_periods_between_is_inclusive_and_empty_when_reversed():
    assert periods_between("2023Q4", "2023Q4") == ["2023Q4"]
    assert periods_between("2023Q4", "2023Q1") == []


def test_periods_between_refuses_periods_of_two_kinds():
    with pytest.raises(SupervisionError, match="不是同一种期间"):
        periods_between("2023Q1", "202306")


@pytest.mark.parametrize(
    ("period_type", "period", "due"),
    [
        ("quarterly", "2023Q4", date(2024, 1, 15)),
        ("quarterly", "2023Q1", date(2023, 4, 15)),
        ("monthly", "202402", date(2024, 3, 15)),  # a leap February ends on the 29th
        ("yearly", "2023", date(2024, 1, 15)),
    ],
)
def test_report_is_due_the_configured_days_after_the_period_ends(period_type, period, due):
    assert report_due(period, SupervisionRules(period_type=period_type)) == due


def test_report_due_counts_the_configured_days():
    assert report_due("2023Q2", SupervisionRules(report_deadline_days=0)) == date(2023, 6, 30)
    assert report_due("2023Q2", SupervisionRules(report_deadline_days=31)) == date(2023, 7, 31)


def test_period_of_another_kind_than_the_rules_is_refused_with_an_example():
    with pytest.raises(SupervisionError, match="2023Q4"):
        report_due("202312", RULES)
    with pytest.raises(SupervisionError, match="季"):
        alerts(assignment(), period="2023", as_of=date(2024, 2, 1), rules=RULES)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"period_type": "weekly"}, "报告周期"),
        ({"report_deadline_days": -1}, "报送期限"),
        ({"stalled_periods": 0}, "连续滞后期数"),
    ],
)
def test_rules_out_of_range_are_refused(changes, words):
    with pytest.raises(SupervisionError, match=words):
        SupervisionRules(**changes)


def test_report_percent_out_of_range_is_refused():
    with pytest.raises(SupervisionError, match="0 至 100"):
        report("2023Q4", percent=101)


# -- milestone overdue ----------------------------------------------------------------------------------
BUILD_SITES = MilestoneState("M1", "完成100个5G基站选址", date(2023, 6, 30), None)


def test_milestone_on_its_due_date_is_not_yet_overdue():
    found = alerts(
        assignment(milestones=[BUILD_SITES], first="2023Q3"),
        period="2023Q3",
        as_of=date(2023, 6, 30),
        rules=RULES,
    )
    assert found == []


def test_milestone_unmet_the_day_after_its_due_date_is_overdue_by_one_day():
    (alert,) = alerts(
        assignment(milestones=[BUILD_SITES], first="2023Q3"),
        period="2023Q3",
        as_of=date(2023, 7, 1),
        rules=RULES,
    )
    assert alert.kind == AlertKind.MILESTONE_OVERDUE
    assert alert.key == "T2.1.1/gxt"
    assert alert.period == "2023Q3"
    assert alert.since == date(2023, 7, 1)
    assert dict(alert.detail) == {
        "milestone": "M1",
        "title": "完成100个5G基站选址",
        "due": "2023-06-30",
        "days_overdue": 1,
    }
    assert "完成100个5G基站选址" in alert.message
    assert "2023年6月30日" in alert.message
    assert "已逾期 1 天" in alert.message


def test_milestone_overdue_counts_the_days_since_its_due_date():
    (alert,) = alerts(
        assignment(milestones=[BUILD_SITES], first="2023Q3"),
        period="2023Q3",
        as_of=date(2023, 8, 9),
        rules=RULES,
    )
    assert alert.detail["days_overdue"] == 40
    assert "2023年8月9日" in alert.message


@pytest.mark.parametrize("met_on", [date(2023, 6, 1), date(2023, 6, 30), date(2023, 7, 20)])
def test_milestone_met_on_time_or_late_is_not_an_alert(met_on):
    met = MilestoneState("M1", "完成100个5G基站选址", date(2023, 6, 30), met_on)
    assert (
        alerts(
            assignment(milestones=[met], first="2023Q3"), period="2023Q3", as_of=date(2023, 8, 1), rules=RULES
        )
        == []
    )


def test_milestone_met_only_after_the_day_looked_at_was_overdue_on_that_day():
    met_later = MilestoneState("M1", "完成100个5G基站选址", date(2023, 6, 30), date(2023, 9, 1))
    found = alerts(
        assignment(milestones=[met_later], first="2023Q3"),
        period="2023Q3",
        as_of=date(2023, 8, 1),
        rules=RULES,
    )
    assert kinds(found) == [AlertKind.MILESTONE_OVERDUE]


def test_overdue_milestones_are_listed_by_due_date():
    later = MilestoneState("M0", "开通行业虚拟专网", date(2023, 7, 31), None)
    found = alerts(
        assignment(milestones=[later, BUILD_SITES], first="2023Q4"),
        period="2023Q4",
        as_of=date(2023, 9, 1),
        rules=RULES,
    )
    assert [a.detail["milestone"] for a in found] == ["M1", "M0"]


# -- no report ------------------------------------------------------------------------------------------
def test_missing_report_on_its_deadline_is_not_yet_an_alert():
    assert alerts(assignment(), period="2023Q4", as_of=Q4_DEADLINE, rules=RULES) == []


def test_missing_report_the_day_after_its_deadline_is_an_alert():
    (alert,) = alerts(assignment(), period="2023Q4", as_of=Q4_DEADLINE + timedelta(days=1), rules=RULES)
    assert alert.kind == AlertKind.NO_REPORT
    assert alert.since == date(2024, 1, 16)
    assert dict(alert.detail) == {"deadline": "2024-01-15", "days_overdue": 1, "status": "missing"}
    assert "2023Q4" in alert.message
    assert "2024年1月15日" in alert.message
    assert "仍未报送" in alert.message


@pytest.mark.parametrize("submitted_on", [Q4_DEADLINE, Q4_DEADLINE + timedelta(days=1)])
def test_report_submitted_by_the_day_looked_at_is_no_alert_even_if_late(submitted_on):
    found = alerts(
        assignment(report("2023Q4", submitted_on=submitted_on)),
        period="2023Q4",
        as_of=Q4_DEADLINE + timedelta(days=1),
        rules=RULES,
    )
    assert found == []


def test_draft_or_returned_report_after_the_deadline_is_an_alert():
    # A draft and a report returned for correction both have no submission date.
    (alert,) = alerts(
        assignment(report("2023Q4", submitted_on=None)), period="2023Q4", as_of=date(2024, 2, 1), rules=RULES
    )
    assert alert.kind == AlertKind.NO_REPORT
    assert alert.detail["status"] == "not_submitted"
    assert alert.detail["days_overdue"] == 17
    assert "仍未提交" in alert.message


def test_report_submitted_after_the_day_looked_at_was_missing_on_that_day():
    found = alerts(
        assignment(report("2023Q4", submitted_on=date(2024, 3, 1))),
        period="2023Q4",
        as_of=date(2024, 2, 1),
        rules=RULES,
    )
    assert kinds(found) == [AlertKind.NO_REPORT]


def test_no_report_is_due_before_the_assignments_first_period():
    found = alerts(assignment(first="2024Q1"), period="2023Q4", as_of=date(2024, 3, 1), rules=RULES)
    assert found == []


def test_monthly_rules_expect_a_report_each_month():
    rules = SupervisionRules(period_type="monthly", report_deadline_days=10)
    assert alerts(assignment(first="202301"), period="202302", as_of=date(2023, 3, 10), rules=rules) == []
    (alert,) = alerts(assignment(first="202301"), period="202302", as_of=date(2023, 3, 11), rules=rules)
    assert alert.detail["deadline"] == "2023-03-10"


def test_yearly_rules_expect_a_report_each_year():
    rules = SupervisionRules(period_type="yearly", report_deadline_days=30)
    (alert,) = alerts(assignment(first="2021"), period="2022", as_of=date(2023, 1, 31), rules=rules)
    assert alert.kind == AlertKind.NO_REPORT
    assert alert.detail["deadline"] == "2023-01-30"


# -- stalled --------------------------------------------------------------------------------------------
def lagging(period: str, submitted_on: date, percent: int = 20) -> ReportState:
    return report(period, Progress.LAGGING, percent=percent, submitted_on=submitted_on)


def test_two_lagging_periods_running_are_stalled():
    work = assignment(lagging("2023Q3", date(2023, 10, 10), 20), lagging("2023Q4", date(2024, 1, 10), 25))
    (alert,) = alerts(work, period="2023Q4", as_of=date(2024, 1, 10), rules=RULES)
    assert alert.kind == AlertKind.STALLED
    assert alert.since == date(2024, 1, 10)
    assert dict(alert.detail) == {"periods": ("2023Q3", "2023Q4"), "percents": (20, 25)}
    assert "连续 2 期" in alert.message
    assert "2023Q3、2023Q4" in alert.message
    assert "滞后" in alert.message


def test_stall_is_not_known_before_the_second_lagging_report_is_submitted():
    work = assignment(lagging("2023Q3", date(2023, 10, 10)), lagging("2023Q4", date(2024, 1, 10)))
    assert alerts(work, period="2023Q4", as_of=date(2024, 1, 9), rules=RULES) == []


def test_stall_runs_across_a_year_end():
    work = assignment(lagging("2022Q4", date(2023, 1, 10)), lagging("2023Q1", date(2023, 4, 10)))
    assert kinds(alerts(work, period="2023Q1", as_of=date(2023, 4, 10), rules=RULES)) == [AlertKind.STALLED]


@pytest.mark.parametrize(
    "earlier",
    [
        report("2023Q3", Progress.IN_PROGRESS, submitted_on=date(2023, 10, 10)),
        report("2023Q3", Progress.LAGGING, submitted_on=None),  # lagging, but never submitted
        None,  # no report at all for the earlier quarter
    ],
)
def test_one_lagging_period_is_not_a_stall(earlier):
    reports = [lagging("2023Q4", date(2024, 1, 10))] + ([earlier] if earlier else [])
    found = alerts(assignment(*reports), period="2023Q4", as_of=date(2024, 1, 12), rules=RULES)
    assert AlertKind.STALLED not in kinds(found)


def test_lagging_before_the_first_period_does_not_count_towards_a_stall():
    work = assignment(
        lagging("2023Q3", date(2023, 10, 10)), lagging("2023Q4", date(2024, 1, 10)), first="2023Q4"
    )
    assert alerts(work, period="2023Q4", as_of=date(2024, 1, 12), rules=RULES) == []


def test_stalled_periods_is_configurable():
    work = assignment(lagging("2023Q3", date(2023, 10, 10)), lagging("2023Q4", date(2024, 1, 10)))
    three = SupervisionRules(stalled_periods=3)
    assert alerts(work, period="2023Q4", as_of=date(2024, 1, 12), rules=three) == []
    one = SupervisionRules(stalled_periods=1)
    (alert,) = alerts(work, period="2023Q4", as_of=date(2024, 1, 12), rules=one)
    assert alert.detail["periods"] == ("2023Q4",)


# -- together -------------------------------------------------------------------------------------------
def test_alerts_are_listed_in_the_order_of_their_kinds():
    work = assignment(
        lagging("2023Q2", date(2023, 7, 10)),
        lagging("2023Q3", date(2023, 10, 10)),
        milestones=[BUILD_SITES],
    )
    # Looking at 2023Q3 on 2023-11-01: the milestone is overdue, 2023Q3 is stalled; and looking at 2023Q4
    # after its deadline, the report is missing too.
    found = alerts(work, period="2023Q3", as_of=date(2023, 11, 1), rules=RULES)
    assert kinds(found) == [AlertKind.MILESTONE_OVERDUE, AlertKind.STALLED]
    found = alerts(work, period="2023Q4", as_of=date(2024, 2, 1), rules=RULES)
    assert kinds(found) == [AlertKind.MILESTONE_OVERDUE, AlertKind.NO_REPORT]


def test_alert_details_are_json_ready():
    work = assignment(
        lagging("2023Q3", date(2023, 10, 10)), lagging("2023Q4", date(2024, 1, 10)), milestones=[BUILD_SITES]
    )
    for alert in alerts(work, period="2023Q4", as_of=date(2024, 1, 20), rules=RULES):
        assert json.loads(json.dumps(dict(alert.detail), ensure_ascii=False))


def test_assignment_reports_are_keyed_by_period_whether_given_as_a_mapping_or_a_list():
    q3, q4 = report("2023Q3"), report("2023Q4")
    from_list = AssignmentState("k", "2023Q1", reports=[q4, q3])
    from_mapping = AssignmentState("k", "2023Q1", reports={"2023Q3": q3, "2023Q4": q4})
    assert from_list == from_mapping
    assert hash(from_list) == hash(from_mapping)
    assert list(from_list.reports) == ["2023Q3", "2023Q4"]
    assert from_list.report("2023Q4") is q4
    assert from_list.report("2023Q2") is None


def test_assignment_refuses_a_report_filed_under_another_period():
    with pytest.raises(ValueError, match="2023Q3"):
        AssignmentState("k", "2023Q1", reports={"2023Q4": report("2023Q3")})
    with pytest.raises(ValueError, match="two reports"):
        AssignmentState("k", "2023Q1", reports=[report("2023Q3"), report("2023Q3")])


def test_assignment_reports_cannot_be_changed_after_the_fact():
    work = AssignmentState("k", "2023Q1", reports=[report("2023Q3")])
    with pytest.raises(TypeError):
        work.reports["2023Q4"] = report("2023Q4")  # type: ignore[index]


@given(offset=st.integers(min_value=-40, max_value=40), submitted=st.none() | st.integers(-40, 40))
def test_no_report_alert_holds_exactly_after_the_deadline_without_a_submission_by_then(offset, submitted):
    as_of = Q4_DEADLINE + timedelta(days=offset)
    submitted_on = None if submitted is None else Q4_DEADLINE + timedelta(days=submitted)
    work = assignment(report("2023Q4", submitted_on=submitted_on))
    found = alerts(work, period="2023Q4", as_of=as_of, rules=RULES)
    expected = as_of > Q4_DEADLINE and (submitted_on is None or submitted_on > as_of)
    assert (AlertKind.NO_REPORT in kinds(found)) == expected
