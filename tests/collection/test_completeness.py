"""报送情况: who is expected to report, who did, on time or late, within each user's scope; the reminder list and
its export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from yangfan.actionplans.models import DataSet
from yangfan.audit.models import AuditEntry
from yangfan.collection.completeness import (
    MISSING,
    Timeliness,
    completeness_rows,
    completeness_totals,
    current_period,
    expected_reports,
    reminder_rows,
)
from yangfan.collection.models import Submission, SubmissionEvent
from yangfan.collection.services import submission_act, submission_open
from yangfan.core.periods import Period
from yangfan.orgunits.models import OrgUnit

Q4 = Period.parse("2023Q4")  # city-quarterly: due 2024-01-10 (10 days after the quarter)
TODAY = date(2024, 1, 20)


def unit(code):
    return OrgUnit.objects.get(code=code)


def data_set(code):
    return DataSet.objects.get(code=code)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def submit_on(submission: Submission, actor, day: date, hour: int = 10) -> Submission:
    """Submit through the service, then move the recorded time to ``day`` (the workflow stamps "now")."""
    submission_act(actor=actor, submission=submission, action="submit")
    Submission.objects.filter(pk=submission.pk).update(submitted_at=at(day, hour))
    SubmissionEvent.objects.filter(submission=submission, action="submit").update(at=at(day, hour))
    submission.refresh_from_db()
    return submission


@pytest.fixture
def q4(make_user):
    """西安 submitted on time, 宝鸡 late, 咸阳 has a draft, the rest nothing."""
    xian = submit_on(
        submission_open(data_set=data_set("city-quarterly"), org_unit=unit("610100"), period="2023Q4"),
        make_user("city-reporter", username="xian-reporter"),
        date(2024, 1, 10),
        hour=23,  # the last hour of the deadline day is still on time
    )
    baoji = submit_on(
        submission_open(data_set=data_set("city-quarterly"), org_unit=unit("610300"), period="2023Q4"),
        make_user("city-reviewer", username="baoji-reviewer"),
        date(2024, 1, 15),
    )
    submission_open(data_set=data_set("city-quarterly"), org_unit=unit("610400"), period="2023Q4")
    return xian, baoji


def by_org(rows):
    return {row.org_unit.code: row for row in rows}


def test_who_is_expected_follows_the_reporter_of_the_data_set(db):
    cities = expected_reports(data_set("city-quarterly"))
    assert len(cities) == 11 and {u.code for u, _op, _r in cities} >= {"610100", "611000", "YANGLING"}
    assert all(op is None for _u, op, _r in cities)
    operators = expected_reports(data_set("operator-monthly"))
    assert len(operators) == 11 * 4
    assert {(u.code, op.code) for u, op, _r in operators} >= {("610100", "cmcc"), ("YANGLING", "cbn")}
    department = expected_reports(data_set("txglj-monthly"))
    assert [(u.code, op, r) for u, op, r in department] == [("610000", None, "省通信管理局")]
    assert [u.code for u, _op, _r in expected_reports(data_set("gxt-yearly"))] == ["610000"]


def test_two_submitted_one_late_one_draft_the_rest_missing(q4):
    rows = by_org(completeness_rows(data_set=data_set("city-quarterly"), period=Q4, today=TODAY))
    xian, baoji, xianyang, hanzhong = rows["610100"], rows["610300"], rows["610400"], rows["610700"]
    assert (xian.status, xian.timeliness, xian.days_overdue) == ("submitted", Timeliness.ON_TIME, 0)
    assert xian.deadline == date(2024, 1, 10)
    assert (baoji.status, baoji.timeliness, baoji.days_overdue) == ("submitted", Timeliness.LATE, 5)
    assert (xianyang.status, xianyang.timeliness, xianyang.days_overdue) == ("draft", Timeliness.LATE, 10)
    assert (hanzhong.status, hanzhong.timeliness, hanzhong.status_label) == (MISSING, Timeliness.LATE, "未报")

    totals = completeness_totals(list(rows.values()))
    assert (totals.expected, totals.submitted, totals.on_time, totals.late) == (11, 2, 1, 10)
    assert (totals.draft, totals.missing, totals.approved) == (1, 8, 0)
    assert totals.on_time_rate == Decimal("9.1") and totals.submitted_rate == Decimal("18.2")


def test_nothing_is_late_before_the_deadline(q4):
    rows = by_org(completeness_rows(data_set=data_set("city-quarterly"), period=Q4, today=date(2024, 1, 10)))
    assert rows["610700"].timeliness == Timeliness.NOT_DUE and rows["610700"].days_overdue == 0
    assert rows["610300"].timeliness == Timeliness.LATE  # submitted after the deadline: late whenever asked


def test_a_return_and_resubmission_keeps_the_first_submission_on_time(q4, make_user):
    xian, _baoji = q4
    submission_act(actor=make_user("province"), submission=xian, action="return", comment="长安区数据有误")
    row = by_org(completeness_rows(data_set=data_set("city-quarterly"), period=Q4, today=TODAY))["610100"]
    assert (row.status, row.timeliness, row.submitted) == ("returned", Timeliness.ON_TIME, False)
    submission_act(actor=make_user("city-reporter", username="again"), submission=xian, action="submit")
    row = by_org(completeness_rows(data_set=data_set("city-quarterly"), period=Q4, today=TODAY))["610100"]
    assert row.submitted_at.date() > date(2024, 1, 10)  # resubmitted today, first submitted on time
    assert (row.status, row.timeliness) == ("submitted", Timeliness.ON_TIME)


def test_a_city_user_sees_its_own_city_the_province_sees_all(q4, make_user):
    city = make_user("city-reporter", username="xian2")
    rows = completeness_rows(data_set=data_set("city-quarterly"), period=Q4, user=city, today=TODAY)
    assert [r.org_unit.code for r in rows] == ["610100"]
    # the departments' reports are the province's: not a city user's to see
    assert (
        completeness_rows(data_set=data_set("txglj-monthly"), period=Period.parse("202312"), user=city) == []
    )
    cmcc = completeness_rows(
        data_set=data_set("operator-monthly"), period=Period.parse("202312"), user=city, today=TODAY
    )
    assert {(r.org_unit.code, r.operator.code) for r in cmcc} == {
        ("610100", op) for op in ("cmcc", "cucc", "ctcc", "cbn")
    }
    province = make_user("province")
    assert len(completeness_rows(data_set=data_set("city-quarterly"), period=Q4, user=province)) == 11


def test_the_current_period_is_the_latest_ended_within_the_plan(db):
    quarterly = data_set("city-quarterly")
    assert str(current_period(quarterly, date(2023, 5, 3))) == "2023Q1"
    assert str(current_period(quarterly, date(2026, 11, 23))) == "2023Q4"  # the plan ended with 2023
    assert str(current_period(data_set("operator-monthly"), date(2023, 7, 1))) == "202306"
    assert str(current_period(data_set("gxt-yearly"), date(2021, 3, 1))) == "2021"  # nothing ended yet


def test_the_reminder_list_holds_what_is_not_submitted_most_overdue_first(q4):
    rows = reminder_rows(data_set=data_set("city-quarterly"), period=Q4, today=TODAY)
    assert len(rows) == 9 and "610100" not in {r.org_unit.code for r in rows}
    assert "610300" not in {r.org_unit.code for r in rows}  # late, but submitted
    assert {r.days_overdue for r in rows} == {10}
    everything = reminder_rows(today=TODAY)
    assert {r.data_set.code for r in everything} == {
        "operator-monthly",
        "txglj-monthly",
        "gxt-yearly",
        "city-quarterly",
        "population-yearly",
    }
    assert [r.days_overdue for r in everything] == sorted((r.days_overdue for r in everything), reverse=True)


# --- the pages -----------------------------------------------------------------------------------------------


def page(client, **query):
    return client.get(reverse("collection:completeness"), query)


def test_the_province_sees_2023q4_for_every_city(client_for, q4):
    response = page(client_for("province"), data_set="city-quarterly", period="2023Q4")
    html = response.content.decode()
    assert response.status_code == 200
    for code in ("610100", "610300", "610400", "611000", "YANGLING"):
        assert f'data-org="{code}"' in html
    assert 'data-total="submitted">2 / 11<' in html
    assert "报送截止日期：2024-01-10" in html
    assert 'data-org="610100" data-status="submitted" data-timeliness="on_time"' in html
    assert 'data-org="610300" data-status="submitted" data-timeliness="late"' in html


def test_a_city_reporter_sees_its_own_row_only(client_for, q4):
    html = page(client_for("city-reporter"), data_set="city-quarterly", period="2023Q4").content.decode()
    assert 'data-org="610100"' in html and 'data-org="610300"' not in html
    assert 'data-total="submitted">1 / 1<' in html


def test_a_period_of_another_kind_is_explained_and_the_latest_shown(client_for, db):
    html = page(client_for("viewer"), data_set="city-quarterly", period="202312").content.decode()
    assert "不是地市5G发展季报的报送期间" in html and "已显示 2023Q4" in html


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_roles_without_data_are_refused(client_for, role, db):
    assert page(client_for(role)).status_code == 403


def export(client, fmt, **query):
    return client.get(reverse("collection:reminders_export"), {"format": fmt, **query})


def test_the_reminder_list_exports_as_csv_and_xlsx_and_is_audited(client_for, q4):
    officer = client_for("province")
    response = export(officer, "csv", data_set="city-quarterly", period="2023Q4")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["数据集", "数据集代码", "期间"] and "逾期天数" in table[0]
    assert len(table) == 1 + 9
    xianyang = next(r for r in table if r[4] == "610400")
    assert xianyang[7:10] == ["草稿", "2024-01-10", str((timezone.localdate() - date(2024, 1, 10)).days)]
    assert "baoji-reviewer" not in text  # 宝鸡 has submitted: not on the list

    from openpyxl import load_workbook

    workbook = export(officer, "xlsx", data_set="city-quarterly", period="2023Q4")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "数据集" and len(rows) == 10
    exports = AuditEntry.objects.filter(action="export", object_repr="催报清单")
    assert exports.count() == 2 and "地市5G发展季报 2023Q4" in exports.last().detail


def test_a_city_reporter_exports_its_own_reports_only(client_for, make_user, db):
    text = export(client_for("city-reporter"), "csv").content.decode("utf-8-sig")
    orgs = {row[4] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert orgs == {"610100"}
    assert "u-city-reporter" in text  # the responsible account of 西安's own reports


def test_the_reminders_page_lists_every_data_set_by_default(client_for, db):
    response = client_for("province").get(reverse("collection:reminders"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "运营商5G发展月报" in html and "地市5G发展季报" in html and "导出 Excel" in html
