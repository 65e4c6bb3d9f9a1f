"""Task supervision's writes: assignments from the plan, milestones, progress reports through the data workflow,
evidence checked by content, notices numbered, answered, closed and escalated, and who may do each."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yangfan.actionplans.models import Task
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.supervision import services
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.evidence import evidence_root
from yangfan.supervision.models import Assignment, Evidence, ProgressEvent
from yangfan.supervision.selectors import assignment_list

S = SubmissionStatus
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assignment(unit="gxt", task="T2.1.1", org=None) -> Assignment:
    rows = Assignment.objects.filter(task__code=task, responsible_unit__code=unit, subtask__isnull=True)
    return rows.get(org_unit__code=org) if org else rows.get()


def stored_files() -> list:
    root = evidence_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def users(make_user):
    return {
        "province": make_user("province"),
        "gxt": make_user("department"),  # 省工信厅
        "xian": make_user("city-reporter"),  # 西安
        "baoji": make_user("city-reviewer"),  # 宝鸡
        "viewer": make_user("viewer"),
    }


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_a_task_for_the_city_governments_is_one_assignment_per_city(db):
    task = Task.objects.get(code="T2.1.1")  # 省工信厅、省通信管理局、省市场监督管理局、各设区市政府
    shares = Assignment.objects.filter(task=task, subtask__isnull=True)
    cities = sorted(a.org_unit.code for a in shares if a.responsible_unit.code == "cities")
    assert cities == [
        "610100",
        "610200",
        "610300",
        "610400",
        "610500",
        "610600",
        "610700",
        "610800",
        "610900",
        "611000",
    ]
    departments = sorted(a.responsible_unit.code for a in shares if a.responsible_unit.code != "cities")
    assert departments == ["gxt", "scjgj", "txglj"]
    assert {a.org_unit.code for a in shares if a.responsible_unit.code != "cities"} == {"610000"}
    assert Assignment.objects.filter(subtask__isnull=True).values("task").distinct().count() == 33


def test_assignments_sync_is_idempotent_and_keeps_what_was_reported(db, plan, users):
    assert services.assignments_sync(plan=plan) == {"created": 0, "deleted": 0, "kept": 0}
    a = assignment()
    report = services.progress_report_open(assignment=a, period="2023Q4")
    services.progress_report_save(
        actor=users["gxt"], report=report, progress="in_progress", percent=20, narrative="x"
    )
    a.task.units.remove(a.responsible_unit)  # the plan no longer names 省工信厅 on T2.1.1
    assert services.assignments_sync(plan=plan)["kept"] == 1
    assert Assignment.objects.filter(pk=a.pk).exists()


def test_each_reporter_sees_only_its_own_assignments(db, users):
    gxt = assignment_list(actor=users["gxt"])
    assert gxt.exists() and set(gxt.values_list("responsible_unit__code", flat=True)) == {"gxt"}
    xian = assignment_list(actor=users["xian"])
    assert set(xian.values_list("org_unit__code", "responsible_unit__code").distinct()) == {
        ("610100", "cities")
    }
    assert assignment_list(actor=users["province"]).count() == Assignment.objects.count()
    assert assignment_list(actor=users["viewer"]).count() == Assignment.objects.count()


def test_a_report_goes_through_the_data_workflow(db, users):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    assert report.pk is None  # opening a report writes nothing
    services.progress_report_save(
        actor=users["gxt"],
        report=report,
        progress="in_progress",
        percent=60,
        narrative="完成标准立项",
        files=[SimpleUploadedFile("立项.pdf", PDF)],
    )
    assert report.evidence.count() == 1
    services.progress_report_act(actor=users["gxt"], report=report, action="submit")
    assert report.status == S.SUBMITTED
    with pytest.raises(ValidationError, match="已锁定"):
        services.progress_report_save(
            actor=users["gxt"], report=report, progress="done", percent=100, narrative=""
        )
    with pytest.raises(ValidationError, match="原因"):
        services.progress_report_act(actor=users["province"], report=report, action="return")
    services.progress_report_act(
        actor=users["province"], report=report, action="return", comment="请补充材料"
    )
    assert report.status == S.RETURNED and report.reason == "请补充材料"
    services.progress_report_act(actor=users["gxt"], report=report, action="submit")
    services.progress_report_act(actor=users["province"], report=report, action="approve")
    assert report.status == S.APPROVED
    actions = list(ProgressEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve"]
    assert AuditEntry.objects.filter(object_type="supervision.progressreport", action="approve").count() == 1


def test_only_the_office_approves_and_nobody_reports_for_another_unit(db, users):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    services.progress_report_save(
        actor=users["gxt"], report=report, progress="in_progress", percent=10, narrative="x"
    )
    services.progress_report_act(actor=users["gxt"], report=report, action="submit")
    for who in ("gxt", "xian", "viewer"):
        with pytest.raises(PermissionDenied):
            services.progress_report_act(actor=users[who], report=report, action="approve")
    baoji_share = services.progress_report_open(
        assignment=assignment("cities", org="610300"), period="2023Q4"
    )
    before = AuditEntry.objects.filter(action="permission_denied").count()
    with pytest.raises(PermissionDenied):
        services.progress_report_save(
            actor=users["xian"], report=baoji_share, progress="in_progress", percent=5, narrative="x"
        )
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
    assert baoji_share.pk is None  # nothing was written
    own = services.progress_report_open(assignment=assignment("cities", org="610300"), period="2023Q4")
    services.progress_report_save(
        actor=users["baoji"], report=own, progress="in_progress", percent=5, narrative="宝鸡"
    )
    assert own.pk is not None


def test_submitting_checks_the_report_says_something_consistent(db, users):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    services.progress_report_save(
        actor=users["gxt"], report=report, progress="done", percent=80, narrative=""
    )
    with pytest.raises(ValidationError) as caught:
        services.progress_report_act(actor=users["gxt"], report=report, action="submit")
    assert "请填写进展情况" in str(caught.value) and "100%" in str(caught.value)
    assert report.status == S.DRAFT


def _docx(main_part="word/document.xml") -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main_part, "<w:document/>")
    return raw.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\0" * 300, "不在允许范围内"),  # a program named .pdf
        ("photo.png", PDF, "扩展名与内容不符"),  # a PDF named .png
        ("notes.txt", b"just text", "不在允许范围内"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_disguised_or_unknown_files_are_refused_and_nothing_is_kept(db, users, name, content, message):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    with pytest.raises(ValidationError, match=message):
        services.progress_report_save(
            actor=users["gxt"],
            report=report,
            progress="in_progress",
            percent=10,
            narrative="x",
            files=[SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile(name, content)],
        )
    assert report.pk is None and not Evidence.objects.exists()
    assert stored_files() == []  # not even the good file of the batch


def test_office_files_are_recognised_by_content(db, users):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    services.progress_report_save(
        actor=users["gxt"],
        report=report,
        progress="in_progress",
        percent=10,
        narrative="x",
        files=[SimpleUploadedFile("方案.docx", _docx())],
    )
    assert report.evidence.get().kind == "docx"
    with pytest.raises(ValidationError, match="扩展名与内容不符"):
        services.progress_report_save(
            actor=users["gxt"],
            report=report,
            progress="in_progress",
            percent=10,
            narrative="x",
            files=[SimpleUploadedFile("表格.xlsx", _docx())],
        )


def test_an_oversized_file_is_refused(db, users, settings):
    settings.YANGFAN_EVIDENCE_MAX_BYTES = 1024
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    with pytest.raises(ValidationError, match="超过大小限制"):
        services.progress_report_save(
            actor=users["gxt"], report=report, progress="in_progress", percent=1, narrative="x", files=[big]
        )
    assert stored_files() == []


def test_the_same_file_twice_is_stored_once(db, users):
    report = services.progress_report_open(assignment=assignment(), period="2023Q4")
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]
    services.progress_report_save(
        actor=users["gxt"], report=report, progress="in_progress", percent=1, narrative="x", files=files
    )
    assert report.evidence.count() == 2 and len(stored_files()) == 1
    stored = report.evidence.first()
    assert stored.path.read_bytes() == PDF and stored.path.is_relative_to(evidence_root())


def test_milestones_are_the_offices_and_a_claimed_one_stays(db, users):
    task = Task.objects.get(code="T2.1.1")
    with pytest.raises(PermissionDenied):
        services.milestone_create(actor=users["gxt"], task=task, title="方案", due=date(2022, 6, 30))
    m = services.milestone_create(
        actor=users["province"],
        task=task,
        title="印发方案",
        due=date(2022, 6, 30),
        evidence_expected="方案文件",
    )
    with pytest.raises(ValidationError, match="计划期"):
        services.milestone_create(actor=users["province"], task=task, title="太早", due=date(2019, 1, 1))
    report = services.progress_report_open(assignment=assignment(), period="2022Q2")
    services.progress_report_save(
        actor=users["gxt"],
        report=report,
        progress="in_progress",
        percent=30,
        narrative="x",
        milestones_met=[m],
    )
    with pytest.raises(ValidationError, match="不能删除"):
        services.milestone_delete(actor=users["province"], milestone=m)


def test_a_subtask_goes_to_some_of_the_tasks_units(db, users):
    task = Task.objects.get(code="T2.1.1")
    gxt, cities = task.units.get(code="gxt"), task.units.get(code="cities")
    sub = services.subtask_create(
        actor=users["province"], task=task, title="制定地方标准", units=[gxt, cities]
    )
    assert sub.code == "T2.1.1-1"
    assert sub.assignments.count() == 11  # 省工信厅 and the ten city governments
    stranger = Task.objects.get(code="T2.2.4").units.get(code="kjt")
    with pytest.raises(ValidationError, match="省科技厅"):
        services.subtask_create(actor=users["province"], task=task, title="x", units=[stranger])


def test_notices_are_numbered_answered_closed_and_escalated(db, users):
    a = assignment()
    today = date.today()
    first = services.notice_issue(
        actor=users["province"],
        assignment=a,
        title="督办一",
        issue="未报送",
        required_action="报送",
        deadline=today + timedelta(days=10),
    )
    second = services.notice_issue(
        actor=users["province"],
        assignment=a,
        title="督办二",
        issue="滞后",
        required_action="整改",
        deadline=today + timedelta(days=10),
    )
    assert first.number.endswith(f"〔{today.year}〕1号") and second.number.endswith(f"〔{today.year}〕2号")
    with pytest.raises(PermissionDenied):
        services.notice_issue(
            actor=users["gxt"],
            assignment=a,
            title="x",
            issue="x",
            required_action="x",
            deadline=today + timedelta(days=3),
        )
    with pytest.raises(ValidationError, match="反馈时限"):
        services.notice_issue(
            actor=users["province"], assignment=a, title="x", issue="x", required_action="x", deadline=today
        )
    with pytest.raises(PermissionDenied):
        services.notice_answer(actor=users["xian"], notice=first, text="不是我的")
    answer = services.notice_answer(
        actor=users["gxt"], notice=first, text="已整改", files=[SimpleUploadedFile("整改.pdf", PDF)]
    )
    assert answer.serial == 1 and answer.evidence.count() == 1
    first.refresh_from_db()
    assert first.status == NoticeStatus.ANSWERED
    services.notice_close(actor=users["province"], notice=first, comment="同意办结")
    assert first.status == NoticeStatus.CLOSED
    # the second is not answered: the day after its deadline the daily job escalates it, once
    assert services.notices_escalate(today=today + timedelta(days=10)) == []
    assert [n.pk for n in services.notices_escalate(today=today + timedelta(days=11))] == [second.pk]
    assert services.notices_escalate(today=today + timedelta(days=12)) == []
    second.refresh_from_db()
    assert second.status == NoticeStatus.ESCALATED and second.escalation_level == 1
    late = services.notice_answer(actor=users["gxt"], notice=second, text="迟到的反馈")
    second.refresh_from_db()
    assert late.serial == 1 and second.status == NoticeStatus.ANSWERED and second.escalated_at is not None


def test_a_refused_write_stays_in_the_audit_trail(db, users):
    """Each supervision write checks its permission before its transaction opens: the rollback of a refused write
    must not take the refusal's audit entry with it."""
    from yangfan.core.periods import Period
    from yangfan.supervision.evaluation import evaluation_publish

    task = Task.objects.get(code="T2.1.1")
    viewer = users["viewer"]
    writes = [
        lambda: services.subtask_create(actor=viewer, task=task, title="x", units=list(task.units.all())),
        lambda: services.milestone_create(actor=viewer, task=task, title="x", due=date(2023, 6, 30)),
        lambda: services.task_indicator_set(actor=viewer, task=task, indicators=[]),
        lambda: evaluation_publish(actor=viewer, plan=task.plan, period=Period.parse("2023")),
    ]
    for write in writes:
        before = AuditEntry.objects.filter(action="permission_denied").count()
        with pytest.raises(PermissionDenied):
            write()
        assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
