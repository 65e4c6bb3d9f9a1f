"""The supervision pages: each reader sees its own part, a report is written with its evidence through the
page, files are served only in scope, notices are issued, answered and exported, the ranking published."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from tests.conftest import login_as

from yangfan.actionplans.models import DataElement, Indicator, Task
from yangfan.audit.models import AuditEntry
from yangfan.supervision import services
from yangfan.supervision.models import Assignment, EvaluationRun, Evidence, SupervisionNotice, TaskIndicator

PLAN = "shaanxi-5g-2021-2023"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assignment(unit="gxt", task="T2.1.1", org=None) -> Assignment:
    rows = Assignment.objects.filter(task__code=task, responsible_unit__code=unit, subtask__isnull=True)
    return rows.get(org_unit__code=org) if org else rows.get()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def people(make_user):
    from django.test import Client

    made = {
        "province": make_user("province"),
        "gxt": make_user("department"),
        "xian": make_user("city-reporter"),
        "baoji": make_user("city-reviewer"),
    }
    clients = {name: login_as(Client(), user) for name, user in made.items()}
    return made, clients


def test_a_city_reporter_sees_only_its_citys_column(db, people):
    _users, c = people
    page = (
        c["xian"]
        .get(reverse("supervision:matrix", kwargs={"plan": PLAN}) + "?period=2023Q4")
        .content.decode()
    )
    assert "西安人民政府" not in page and 'title="西安市人民政府"' in page
    assert "宝鸡市人民政府" not in page and "省工信厅" not in page.split("<tbody>")[0]
    province = (
        c["province"]
        .get(reverse("supervision:matrix", kwargs={"plan": PLAN}) + "?period=2023Q4")
        .content.decode()
    )
    assert 'title="宝鸡市人民政府"' in province and 'title="省工信厅"' in province
    assert province.count('class="cell p-') > 300  # 334 assignments, each a cell


def test_a_department_board_lists_its_own_assignments_only(db, people):
    _users, c = people
    page = (
        c["gxt"].get(reverse("supervision:mine", kwargs={"plan": PLAN}) + "?period=2023Q4").content.decode()
    )
    shown = page.count('data-assignment="')
    assert shown == Assignment.objects.filter(responsible_unit__code="gxt").count()
    assert "西安市人民政府" not in page


def test_a_report_is_written_with_evidence_on_its_page(db, people):
    _users, c = people
    a = assignment("cities", org="610100")
    url = reverse("supervision:report", kwargs={"pk": a.pk, "period": "2023Q4"})
    response = c["xian"].post(
        url,
        {
            "progress": "in_progress",
            "percent": "40",
            "narrative": "已建成示范项目 2 个",
            "files": [SimpleUploadedFile("示范项目.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    report = a.reports.get(period="2023Q4")
    assert report.percent == 40 and report.evidence.get().name == "示范项目.pdf"
    # a disguised file: refused with the reason, the report unchanged, nothing stored
    response = c["xian"].post(
        url,
        {
            "progress": "done",
            "percent": "100",
            "narrative": "x",
            "files": [SimpleUploadedFile("照片.png", PDF)],
        },
    )
    assert response.status_code == 400 and "扩展名与内容不符" in response.content.decode()
    report.refresh_from_db()
    assert report.percent == 40 and Evidence.objects.count() == 1
    # submitted through the workflow panel, then approved by the office
    c["xian"].post(reverse("supervision:act", kwargs={"pk": report.pk, "action": "submit"}))
    c["province"].post(reverse("supervision:act", kwargs={"pk": report.pk, "action": "approve"}))
    report.refresh_from_db()
    assert report.status == "approved"


def test_evidence_is_served_only_in_scope_and_never_inline_and_each_download_is_audited(db, people):
    users, c = people
    a = assignment("cities", org="610100")
    report = services.progress_report_open(assignment=a, period="2023Q4")
    services.progress_report_save(
        actor=users["xian"],
        report=report,
        progress="in_progress",
        percent=5,
        narrative="x",
        files=[SimpleUploadedFile("证明.pdf", PDF)],
    )
    url = reverse("supervision:evidence", kwargs={"pk": report.evidence.get().pk})
    own = c["xian"].get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf" and own["X-Content-Type-Options"] == "nosniff"
    assert own["Content-Disposition"].startswith("attachment")
    evidence = report.evidence.get()

    def taken():
        entries = AuditEntry.objects.filter(action="export", object_type="supervision.evidence")
        return [(e.actor_username, e.object_id) for e in entries.order_by("seq")]

    assert taken() == [(users["xian"].username, str(evidence.pk))]
    assert c["province"].get(url).status_code == 200
    assert taken()[1:] == [(users["province"].username, str(evidence.pk))]
    before = AuditEntry.objects.filter(action="permission_denied").count()
    for outsider in ("baoji", "gxt"):
        assert c[outsider].get(url).status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2


def test_a_report_on_another_units_assignment_is_refused_and_audited(db, people):
    _users, c = people
    baoji_share = assignment("cities", org="610300")
    url = reverse("supervision:report", kwargs={"pk": baoji_share.pk, "period": "2023Q4"})
    before = AuditEntry.objects.filter(action="permission_denied").count()
    response = c["xian"].post(url, {"progress": "done", "percent": "100", "narrative": "x"})
    assert response.status_code == 403
    assert not baoji_share.reports.exists()
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1


def test_a_notice_is_issued_answered_exported_and_closed(db, people):
    from docx import Document

    _users, c = people
    a = assignment("gxt")
    deadline = date.today() + timedelta(days=14)
    form = c["province"].get(
        reverse("supervision:notice_new") + f"?assignment={a.pk}&alert=no_report&period=2023Q4"
    )
    assert form.status_code == 200 and "下发督办单" in form.content.decode()
    response = c["province"].post(
        reverse("supervision:notice_new"),
        {
            "assignment": a.pk,
            "title": "关于加快标准工作的督办通知",
            "issue": "2023Q4 未报送",
            "required_action": "限期报送",
            "deadline": deadline.isoformat(),
        },
    )
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.number == f"陕5G督〔{date.today().year}〕1号"
    c["gxt"].post(
        notice.get_absolute_url(),
        {"form": "answer", "text": "已于本周补报", "files": [SimpleUploadedFile("补报.pdf", PDF)]},
    )
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.answers.get().evidence.count() == 1
    page = c["province"].get(notice.get_absolute_url()).content.decode()
    assert "已于本周补报" in page and "办结" in page
    docx = c["province"].get(reverse("supervision:notice_docx", kwargs={"pk": notice.pk}))
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert notice.number in text and "关于加快标准工作的督办通知" in text and "省工信厅" in text
    assert "陕西省5G应用推广领导小组办公室" in text and "2023Q4 未报送" in text
    answer = c["gxt"].get(reverse("supervision:answer_docx", kwargs={"pk": notice.pk, "answer": 1}))
    answer_text = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert "已于本周补报" in answer_text and "补报.pdf".removesuffix(".pdf") in answer_text
    assert c["xian"].get(notice.get_absolute_url()).status_code == 403
    c["province"].post(notice.get_absolute_url(), {"form": "close", "comment": "同意"})
    notice.refresh_from_db()
    assert notice.status == "closed"


def test_the_notice_form_is_prefilled_with_a_plain_title_and_an_iso_deadline(db, people):
    """The deadline goes to the browser's date picker as YYYY-MM-DD (it leaves 2023/12/31 blank, and 签发 would
    wait for it to be typed); the title quotes the task as the plan writes it."""
    _users, c = people
    page = (
        c["province"]
        .get(reverse("supervision:notice_new") + f"?assignment={assignment('gxt', 'T3.1.1').pk}")
        .content.decode()
    )
    assert 'value="关于推进“5G+信息消费”融合任务的督办通知"' in page
    assert f'value="{(timezone.localdate() + timedelta(days=15)).isoformat()}"' in page


def _values(rows):
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.datavalues.services import datavalues_import
    from yangfan.orgunits.models import OrgUnit

    parsed = [
        ParsedRow(
            i + 2, DataElement.objects.get(code=e), OrgUnit.objects.get(code=o), p, None, Decimal(v), ""
        )
        for i, (e, o, p, v) in enumerate(rows)
    ]
    datavalues_import(rows=parsed, actor=None)


def test_an_indicator_behind_its_target_proposes_a_notice_with_its_figures(db, people):
    _users, c = people
    TaskIndicator.objects.create(
        task=Task.objects.get(code="T3.3.5"), indicator=Indicator.objects.get(code="A5")
    )
    rows = []
    for year, stations in ((2020, 2000), (2021, 3000), (2022, 4000), (2023, 5000)):
        rows += [
            ("population", "610100", str(year), "13000000"),
            ("base_stations_5g", "610100", f"{year}12", str(stations)),
        ]
    _values(rows)  # 西安: about 4 stations per 10,000 people at the end of 2023, the target is more than 18
    page = (
        c["province"]
        .get(reverse("supervision:alerts", kwargs={"plan": PLAN}) + "?period=2023Q4")
        .content.decode()
    )
    assert "指标预警" in page and "每万人拥有5G基站数" in page and "西安市人民政府" in page
    xian_share = assignment("cities", task="T3.3.5", org="610100")
    assert f"assignment={xian_share.pk}&amp;indicator=A5&amp;org=610100" in page
    form = c["province"].get(
        reverse("supervision:notice_new")
        + f"?assignment={xian_share.pk}&indicator=A5&org=610100&period=2023Q4"
    )
    assert "3.846" in form.content.decode()  # 5,000 / 13,000,000 × 10,000, in the issue text


def test_the_ranking_is_published_and_exported_as_it_was(db, people):
    from openpyxl import load_workbook

    users, c = people
    report = services.progress_report_open(assignment=assignment("gxt"), period="2023Q4")
    services.progress_report_save(
        actor=users["gxt"], report=report, progress="done", percent=100, narrative="完成"
    )
    services.progress_report_act(actor=users["gxt"], report=report, action="submit")
    url = reverse("supervision:evaluation_publish", kwargs={"plan": PLAN}) + "?period=2023Q4"
    assert c["gxt"].post(url).status_code == 403
    assert c["province"].post(url).status_code == 302
    run = EvaluationRun.objects.get()
    assert run.period == "2023Q4" and run.as_of == date(2024, 1, 15) and run.scheme_version == "1"
    names = [r["name"] for r in run.rows]
    assert len(names) == 26 and "西安市" in names and "省工信厅" in names  # 16 departments, 10 cities
    gxt = next(r for r in run.rows if r["key"] == "gxt")
    assert Decimal(gxt["total"]) == sum(Decimal(comp["points"]) for comp in gxt["components"])
    book = load_workbook(
        io.BytesIO(
            c["xian"]
            .get(reverse("supervision:evaluation_xlsx", kwargs={"plan": PLAN, "run": run.pk}))
            .content
        )
    )
    sheet = book["排名"]
    table = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert float(table["省工信厅"][3]) == float(gxt["total"]) and table["省工信厅"][0] == gxt["rank"]
    # the unpublished live ranking of the province is not a city user's (its own city's is: ?city= defaults to
    # it, tests/supervision/test_cascade.py)
    live = reverse("supervision:evaluation_xlsx", kwargs={"plan": PLAN, "run": 0}) + "?period=2023Q4&city="
    assert c["xian"].get(live).status_code == 403


def test_a_notice_is_issued_from_the_notice_list_the_task_and_the_share(db, people):
    """「下发督办单」 on the notice list (choosing the share first), on each task's shares and on a share's page:
    for the office only."""
    _made, clients = people
    office, gxt = clients["province"], clients["gxt"]
    share = assignment()
    new = reverse("supervision:notice_new")
    listed = office.get(reverse("supervision:notices")).content.decode()
    assert (
        f'href="{new}"' in listed
        and f'href="{new}"' not in gxt.get(reverse("supervision:notices")).content.decode()
    )
    picker = office.get(new)
    assert picker.status_code == 200
    offered = {a.pk for a in picker.context["shares"]}
    assert share.pk in offered and offered == set(Assignment.objects.values_list("pk", flat=True))
    link = f"{new}?assignment={share.pk}"
    task_page = office.get(
        reverse("supervision:task", kwargs={"plan": PLAN, "code": "T2.1.1"})
    ).content.decode()
    assert link in task_page
    share_page = office.get(share.get_absolute_url()).content.decode()
    assert link in share_page and link not in gxt.get(share.get_absolute_url()).content.decode()
    form = office.get(link)
    assert form.status_code == 200 and form.context["assignment"] == share
