"""The supervision API: assignments read within the caller's scope (a department its own, a city its city
government's), progress reports saved, evidenced and taken through the workflow by the same services as the web
pages (checks, locks, audit), notices issued, answered and closed, and the supervision list."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from tests.api.conftest import Api

from yangfan.actionplans.models import ResponsibleUnit, Task
from yangfan.audit.models import AuditEntry
from yangfan.supervision import services
from yangfan.supervision.models import Assignment, Evidence, ProgressReport, SupervisionNotice

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 200
)
PERIOD = "2023Q4"


@pytest.fixture
def evidence_dir(settings, tmp_path):
    """Evidence stored under a fresh data directory, to see exactly what an upload left behind."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "evidence"


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def share(unit_code: str, org: str = "610000", task: str | None = None) -> Assignment:
    """An assignment of the plan's tasks: a department's (its unit code) or a city government's share."""
    rows = Assignment.objects.filter(
        responsible_unit__code=unit_code, org_unit__code=org, subtask__isnull=True
    )
    if task:
        rows = rows.filter(task__code=task)
    return rows.order_by("task__position").first()


def gxt() -> Assignment:
    return share("gxt")


def xian() -> Assignment:
    return share("cities", "610100")


def pdf(name="会议纪要.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def denied() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


def draft(**changes) -> dict:
    return {"progress": "in_progress", "percent": 40, "narrative": "已完成方案编制，正在组织试点。"} | changes


# --- reading within the scope --------------------------------------------------------------------------------


def test_a_department_lists_only_its_own_assignments_and_a_city_reporter_only_its_city(api, db):
    department = api("department").get("assignments").json()
    own = Assignment.objects.filter(responsible_unit__code="gxt")
    assert department["count"] == own.count() > 0
    assert {(a["responsible_unit"], a["unit"], a["org_unit"]) for a in department["results"]} == {
        ("gxt", "省工信厅", "610000")
    }
    city = api("city-reporter").get("assignments").json()
    assert (
        city["count"]
        == Assignment.objects.filter(responsible_unit__code="cities", org_unit__code="610100").count()
    )
    assert city["count"] > 0
    assert {(a["unit"], a["org_unit"]) for a in city["results"]} == {("西安市人民政府", "610100")}
    first = city["results"][0]
    task = Task.objects.get(code=first["task"])
    assert (first["task_title"], first["report"]) == (task.title, None)

    province = api("province")
    assert province.get("assignments").json()["count"] == Assignment.objects.count()
    by_city = province.get("assignments", {"unit": "西安市"}).json()
    assert [a["id"] for a in by_city["results"]] == [a["id"] for a in city["results"]]
    by_code = province.get("assignments", {"unit": "gxt"}).json()
    assert by_code["count"] == own.count()
    one = province.get("assignments", {"task": task.code}).json()["results"]
    assert {a["task"] for a in one} == {task.code} and len(one) == task.assignments.count()


def test_an_assignment_outside_the_scope_is_refused_and_audited(api, db):
    department = api("department")
    assert department.get("assignment", pk=gxt().pk).status_code == 200
    before = denied()
    assert department.get("assignment", pk=xian().pk).status_code == 403
    assert api("city-reporter").get("assignment", pk=gxt().pk).status_code == 403
    assert api("city-reviewer").get("assignment", pk=xian().pk).status_code == 403  # 宝鸡's reviewer
    assert denied() == before + 3
    assert department.get("assignment", pk=999999).status_code == 404
    assert api("operator").get("assignments").status_code == 403  # operators have no tasks


def test_the_period_filter_adds_each_assignments_report_of_that_period(api, make_user, db):
    reporter = make_user("department", username="gxt-reporter")
    report = services.progress_report_open(assignment=gxt(), period=PERIOD)
    services.progress_report_save(
        actor=reporter, report=report, progress="lagging", percent=10, narrative="资金未到位"
    )
    rows = api("department").get("assignments", {"period": PERIOD}).json()["results"]
    summary = next(r for r in rows if r["id"] == gxt().pk)["report"]
    assert summary | {"id": None} == {
        "id": None,
        "period": PERIOD,
        "status": "draft",
        "status_label": "草稿",
        "progress": "lagging",
        "progress_label": "滞后",
        "percent": 10,
        "evidence_count": 0,
    }
    assert all(r["report"] is None for r in rows if r["id"] != gxt().pk)
    bad = api("department", username="d2").get("assignments", {"period": "2023"})
    assert bad.status_code == 400 and "2023" in bad.json()["detail"]


# --- progress reports: save, evidence, workflow -------------------------------------------------------------


def test_save_upload_submit_then_the_province_approves(api, make_user, evidence_dir):
    officer = api("province")
    milestone = services.milestone_create(
        actor=officer.user, task=gxt().task, title="完成试点方案", due=date(2023, 12, 31)
    )
    department = api("department")
    pk = gxt().pk
    assert department.get("progress_report", pk=pk, period=PERIOD).status_code == 404  # nothing saved yet

    saved = department.put("progress_report", draft(milestones_met=[milestone.pk]), pk=pk, period=PERIOD)
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["status"], body["progress"], body["percent"], body["milestones_met"]) == (
        "draft",
        "in_progress",
        40,
        [milestone.pk],
    )
    assert (body["task"], body["unit"], body["org_unit"]) == (gxt().task.code, "省工信厅", "610000")

    uploaded = department.upload("progress_report_evidence", {"files": [pdf()]}, pk=pk, period=PERIOD)
    assert uploaded.status_code == 201, uploaded.content
    [evidence] = uploaded.json()
    row = Evidence.objects.get()
    assert evidence | {"uploaded_at": None} == {
        "id": row.pk,
        "name": "会议纪要.pdf",
        "kind": "pdf",
        "size": len(PDF),
        "sha256": row.sha256,
        "url": row.get_absolute_url(),
        "uploaded_at": None,
    }
    assert row.path.read_bytes() == PDF and row.path.is_relative_to(evidence_dir)
    kept = department.get("progress_report", pk=pk, period=PERIOD).json()
    assert (kept["narrative"], kept["milestones_met"], len(kept["evidence"])) == (
        draft()["narrative"],
        [milestone.pk],
        1,
    )

    submitted = department.post("progress_report_action", pk=pk, period=PERIOD, action="submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    locked = department.put("progress_report", draft(percent=50), pk=pk, period=PERIOD)
    assert locked.status_code == 400 and "锁定" in locked.json()["detail"]
    more = department.upload("progress_report_evidence", {"files": [pdf("b.pdf")]}, pk=pk, period=PERIOD)
    assert more.status_code == 400 and Evidence.objects.count() == 1

    before = denied()
    assert (
        department.post("progress_report_action", pk=pk, period=PERIOD, action="approve").status_code == 403
    )
    assert denied() == before + 1
    approved = officer.post(
        "progress_report_action", {"comment": "同意"}, pk=pk, period=PERIOD, action="approve"
    )
    assert approved.status_code == 200, approved.content
    result = approved.json()
    assert (result["status"], result["reviewed_by"], result["submitted_by"]) == (
        "approved",
        officer.user.username,
        department.user.username,
    )
    assert [e["action"] for e in result["events"]] == ["submit", "approve"]
    again = officer.post("progress_report_action", pk=pk, period=PERIOD, action="approve")
    assert again.status_code == 400 and "不能" in again.json()["detail"]
    assert (
        officer.post("progress_report_action", pk=pk, period=PERIOD, action="unlock").status_code == 400
    )  # reason

    detail = department.get("assignment", pk=pk).json()
    assert [m["id"] for m in detail["milestones"]] == [milestone.pk]
    assert [(r["period"], r["status"], r["percent"], r["evidence_count"]) for r in detail["reports"]] == [
        (PERIOD, "approved", 40, 1)
    ]
    listed = department.get("progress_reports", {"period": PERIOD, "status": "approved"}).json()
    assert [r["id"] for r in listed["results"]] == [result["id"]]
    assert api("city-reporter").get("progress_reports").json()["count"] == 0


def test_bad_input_is_refused_with_a_chinese_detail(api, db):
    department = api("department")
    pk = gxt().pk
    for body, words in (
        (draft(percent=120), "完成比例"),
        (draft(progress="finished"), "进展状态"),
        (draft(milestones_met=[999999]), "节点"),
    ):
        response = department.put("progress_report", body, pk=pk, period=PERIOD)
        assert response.status_code == 400 and words in response.json()["detail"], response.content
    wrong = department.put("progress_report", draft(), pk=pk, period="202312")
    assert wrong.status_code == 400 and "报告期" in wrong.json()["detail"]
    outside = department.put("progress_report", draft(), pk=pk, period="2030Q1")
    assert outside.status_code == 400 and "计划期" in outside.json()["detail"]
    unfinished = department.put("progress_report", draft(narrative=""), pk=pk, period=PERIOD)
    assert unfinished.status_code == 200
    refused = department.post("progress_report_action", pk=pk, period=PERIOD, action="submit")
    assert refused.status_code == 400 and "进展情况" in refused.json()["detail"]
    assert (
        department.post("progress_report_action", pk=pk, period=PERIOD, action="frobnicate").status_code
        == 404
    )
    assert department.upload("progress_report_evidence", {}, pk=pk, period=PERIOD).status_code == 400
    assert not ProgressReport.objects.exclude(period=PERIOD).exists()


def test_a_disguised_executable_is_refused_and_nothing_is_kept(api, evidence_dir):
    department = api("department")
    pk = gxt().pk
    department.put("progress_report", draft(), pk=pk, period=PERIOD)
    response = department.upload(
        "progress_report_evidence", {"files": [pdf(), pdf("报告.pdf", EXE)]}, pk=pk, period=PERIOD
    )
    assert response.status_code == 400
    assert "报告.pdf" in response.json()["detail"]
    assert not Evidence.objects.exists()
    # every file of a batch is checked before any is kept: the good one is not stored either
    assert stored_files(evidence_dir) == []


def test_an_executable_alone_leaves_no_file_at_all(api, evidence_dir):
    department = api("department")
    pk = gxt().pk
    response = department.upload(
        "progress_report_evidence", {"files": [pdf("报告.pdf", EXE)]}, pk=pk, period=PERIOD
    )
    assert response.status_code == 400 and "不在允许范围内" in response.json()["detail"]
    assert not Evidence.objects.exists() and stored_files(evidence_dir) == []
    assert not ProgressReport.objects.exists()  # nothing was written, not even the draft


def test_a_file_over_the_size_limit_is_refused(api, settings, evidence_dir):
    settings.YANGFAN_EVIDENCE_MAX_BYTES = 64
    department = api("department")
    big = PDF + b"%" * 100
    response = department.upload(
        "progress_report_evidence", {"files": [pdf("大文件.pdf", big)]}, pk=gxt().pk, period=PERIOD
    )
    assert response.status_code == 400 and "超过大小限制" in response.json()["detail"]
    assert not Evidence.objects.exists() and stored_files(evidence_dir) == []


def test_a_report_on_an_assignment_outside_the_scope_is_refused_and_audited(api, client, make_user, db):
    before = denied()
    wlt = make_user("department", username="wlt", responsible_unit=ResponsibleUnit.objects.get(code="wlt"))
    other = Api(client, wlt)
    assert other.put("progress_report", draft(), pk=gxt().pk, period=PERIOD).status_code == 403
    city = api("city-reporter")
    assert city.put("progress_report", draft(), pk=gxt().pk, period=PERIOD).status_code == 403
    assert (
        city.upload("progress_report_evidence", {"files": [pdf()]}, pk=gxt().pk, period=PERIOD).status_code
        == 403
    )
    # the province reads every report but writes none
    assert api("province").put("progress_report", draft(), pk=gxt().pk, period=PERIOD).status_code == 403
    entries = AuditEntry.objects.filter(action="permission_denied").order_by("seq")
    assert entries.count() == before + 4
    assert {e.detail for e in entries[before:]} == {"tasks.view", "tasks.report"}
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    # a city reporter writes its own city government's share
    assert city.put("progress_report", draft(), pk=xian().pk, period=PERIOD).status_code == 200


# --- notices ----------------------------------------------------------------------------------------------------


def notice_body(assignment, **changes) -> dict:
    return {
        "assignment": assignment.pk,
        "title": "关于加快推进任务的督办通知",
        "issue": "2023Q4 进展报告逾期未报。",
        "required_action": "请于反馈时限前报送整改措施和进展情况，并附佐证材料。",
        "deadline": (timezone.localdate() + timedelta(days=15)).isoformat(),
    } | changes


def test_the_province_issues_a_notice_the_department_answers_and_the_province_closes(api, db):
    officer, department = api("province"), api("department")
    before = denied()
    assert department.post("notices", notice_body(gxt())).status_code == 403
    assert denied() == before + 1
    assert not SupervisionNotice.objects.exists()

    figures = [
        {"indicator": "A1", "org_unit": "610000", "period": "2023", "value": "3.1", "status": "at_risk"}
    ]
    issued = officer.post("notices", notice_body(gxt(), figures=figures))
    assert issued.status_code == 201, issued.content
    notice = issued.json()
    year = timezone.localdate().year
    assert notice["number"] == f"陕5G督〔{year}〕1号"
    assert re.fullmatch(r"陕5G督〔\d{4}〕\d+号", notice["number"])
    assert (notice["status"], notice["unit"], notice["figures"], notice["answers"]) == (
        "issued",
        "省工信厅",
        figures,
        [],
    )
    second = officer.post("notices", notice_body(xian()))
    assert second.json()["number"] == f"陕5G督〔{year}〕2号"
    late = officer.post("notices", notice_body(gxt(), deadline=timezone.localdate().isoformat()))
    assert late.status_code == 400 and "反馈时限" in late.json()["detail"]
    assert officer.post("notices", notice_body(gxt(), title="")).status_code == 400

    # the department sees its own notice only
    assert [n["id"] for n in department.get("notices").json()["results"]] == [notice["id"]]
    assert department.get("notice", pk=second.json()["id"]).status_code == 403
    assert officer.get("notices", {"status": "issued"}).json()["count"] == 2

    early = officer.post("notice_close", {"comment": "同意"}, pk=notice["id"])
    assert early.status_code == 400 and "已反馈" in early.json()["detail"]
    answered = department.post("notice_answers", {"text": "已召开专题会议，制定整改方案。"}, pk=notice["id"])
    assert answered.status_code == 201, answered.content
    assert (answered.json()["serial"], answered.json()["answered_by"]) == (1, department.user.username)
    assert department.post("notice_answers", {"text": " "}, pk=notice["id"]).status_code == 400
    assert api("city-reporter").post("notice_answers", {"text": "x"}, pk=notice["id"]).status_code == 403
    assert (
        officer.post("notice_answers", {"text": "x"}, pk=notice["id"]).status_code == 403
    )  # the office asks

    assert department.post("notice_close", {"comment": "x"}, pk=notice["id"]).status_code == 403
    closed = officer.post("notice_close", {"comment": "整改措施可行，予以办结。"}, pk=notice["id"])
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["status"], body["closed_by"], body["closing_comment"]) == (
        "closed",
        officer.user.username,
        "整改措施可行，予以办结。",
    )
    assert [(a["serial"], a["text"]) for a in body["answers"]] == [(1, "已召开专题会议，制定整改方案。")]
    assert department.post("notice_answers", {"text": "补充"}, pk=notice["id"]).status_code == 400


def test_an_answer_may_carry_evidence_files(api, evidence_dir):
    officer, department = api("province"), api("department")
    notice = officer.post("notices", notice_body(gxt())).json()
    url = department.url("notice_answers", pk=notice["id"])
    response = department.client.post(
        url, {"text": "整改方案见附件。", "files": [pdf("整改方案.pdf")]}, **department.auth
    )
    assert response.status_code == 201, response.content
    [evidence] = response.json()["evidence"]
    assert (evidence["name"], evidence["kind"]) == ("整改方案.pdf", "pdf")
    refused = department.client.post(
        url, {"text": "再补充。", "files": [pdf("x.pdf", EXE)]}, **department.auth
    )
    assert refused.status_code == 400
    assert SupervisionNotice.objects.get().answers.count() == 1


# --- the supervision list ------------------------------------------------------------------------------------------


def test_the_overdue_list_follows_the_scope(api, db):
    query = {"period": PERIOD, "as_of": "2024-02-01"}
    province = api("province").get("tasks_overdue", query)
    assert province.status_code == 200, province.content
    rows = province.json()
    assert rows and {r["kind"] for r in rows} >= {"no_report"}
    missing = [r for r in rows if r["kind"] == "no_report"]
    assert len(missing) == Assignment.objects.count()  # nobody has reported
    row = next(r for r in missing if r["org_unit"] == "610100")
    assert set(row) == {
        "kind",
        "kind_label",
        "task",
        "task_title",
        "responsible_unit",
        "unit",
        "org_unit",
        "period",
        "since",
        "message",
        "detail",
        "notices",
    }
    assert (row["kind_label"], row["unit"], row["period"], row["notices"]) == (
        "逾期未报",
        "西安市人民政府",
        PERIOD,
        [],
    )

    department = api("department").get("tasks_overdue", query).json()
    assert department and {r["unit"] for r in department} == {"省工信厅"}
    city = api("city-reporter").get("tasks_overdue", query).json()
    assert city and {r["unit"] for r in city} == {"西安市人民政府"}
    assert api("province", username="p2").get("tasks_overdue", query | {"unit": "西安市"}).json() == city
    # before the deadline nothing is overdue yet
    assert (
        api("province", username="p3").get("tasks_overdue", {"period": PERIOD, "as_of": "2024-01-10"}).json()
        == []
    )


def test_the_overdue_list_names_its_open_notices_and_refuses_bad_parameters(api, db):
    officer = api("province")
    notice = officer.post("notices", notice_body(gxt())).json()
    rows = officer.get("tasks_overdue", {"period": PERIOD, "as_of": "2024-02-01", "unit": "gxt"}).json()
    mine = [r for r in rows if r["task"] == gxt().task.code]
    assert mine and all(r["notices"] == [notice["number"]] for r in mine)
    for query, words in (
        ({"period": "2023"}, "报告期"),
        ({"as_of": "2024-13-01"}, "日期"),
        ({"unit": "火星"}, "未知责任单位"),
    ):
        response = officer.get("tasks_overdue", query)
        assert response.status_code == 400 and words in response.json()["detail"]
    assert officer.get("tasks_overdue", {"plan": "nope"}).status_code == 404
    assert officer.get("tasks_overdue").status_code == 200  # the latest ended period, today
    assert api("operator").get("tasks_overdue").status_code == 403


# --- the schema --------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_supervision_api_without_warnings(api, tmp_path):
    schema = api("viewer").get("schema", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/assignments/",
        "/api/v1/assignments/{id}/",
        "/api/v1/assignments/{id}/reports/{period}/",
        "/api/v1/assignments/{id}/reports/{period}/evidence/",
        "/api/v1/assignments/{id}/reports/{period}/{action}/",
        "/api/v1/progress-reports/",
        "/api/v1/notices/",
        "/api/v1/notices/{id}/",
        "/api/v1/notices/{id}/answers/",
        "/api/v1/notices/{id}/close/",
        "/api/v1/tasks/overdue/",
    ):
        assert path in paths, path
    assert {"get", "put"} <= set(paths["/api/v1/assignments/{id}/reports/{period}/"])
    assert (
        "multipart/form-data"
        in paths["/api/v1/assignments/{id}/reports/{period}/evidence/"]["post"]["requestBody"]["content"]
    )
    # the generator's own check: any warning fails
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_a_city_office_issues_a_notice_on_a_county_part_that_the_county_signs_for(client, make_user):
    from datetime import timedelta

    from django.utils import timezone
    from tests.api.conftest import Api

    from yangfan.orgunits.models import OrgUnit
    from yangfan.supervision import services as supervision
    from yangfan.supervision.models import Assignment

    office = make_user("city-office")  # 宝鸡's office
    county = make_user(
        "city-reporter", username="weibin", capture_org_units=[OrgUnit.objects.get(code="610302")]
    )
    share = Assignment.objects.get(
        task__code="T2.1.1", responsible_unit__code="cities", org_unit__code="610300", parent__isnull=True
    )
    part = supervision.assignment_split(
        actor=office, assignment=share, counties=[OrgUnit.objects.get(code="610302")]
    )[0]
    body = {
        "title": "关于加快推进工作的督办通知",
        "issue": "区级方案未印发",
        "required_action": "请报送整改措施",
        "deadline": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    refused = Api(client, office).post("notices", {**body, "assignment": share.pk})  # its own city's share
    assert refused.status_code == 403
    made = Api(client, office).post("notices", {**body, "assignment": part.pk})
    assert made.status_code == 201, made.content
    notice = made.json()
    assert notice["number"].startswith("宝鸡5G督〔") and notice["issuer"] == "宝鸡市5G应用推广领导小组办公室"
    assert notice["issuer_unit"] == "610300" and notice["light"] == "yellow" and notice["signed_by"] is None
    listed = Api(client, county).get("assignments", {"plan": "shaanxi-5g-2021-2023"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["id"], r["parent"], r["unit"]) for r in rows] == [(part.pk, share.pk, "渭滨区人民政府")]
    signed = Api(client, county).post("notice_sign", pk=notice["id"])
    assert signed.status_code == 200 and signed.json()["signed_by"] == "weibin"
    assert signed.json()["status"] == "signed"
    again = Api(client, county).post("notice_sign", pk=notice["id"])
    assert again.status_code == 400 and "不能重复签收" in again.content.decode()
