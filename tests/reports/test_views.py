"""The report page: a background job builds the report for its requester, scoped to what they see; the file
downloads only for them; ``yangfan report`` writes the same report from the command line."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as
from tests.test_cli import assert_one_line_error, yangfan

from yangfan.audit.models import AuditEntry


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def run_worker() -> None:
    """What ``yangfan serve``'s worker does, once: run the jobs waiting in the database queue. In this process
    the worker must not close the test's database connection (it does between jobs, as a worker should)."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_report_is_built_in_the_background_and_downloaded_by_its_requester(db, data_dir, make_user):
    province = login_as(Client(), make_user("province"))
    response = province.post(reverse("reports:index"), {"org": "610000", "period": "2023Q4", "fmt": "docx"})
    assert response.status_code == 302
    waiting = province.get(response["Location"]).content.decode()
    assert "正在后台生成" in waiting and 'data-poll="' in waiting
    assert "陕西省 · 2023Q4 · Word" in waiting  # the unit by its name, not its code
    run_worker()
    job_page = province.get(response["Location"]).content.decode()
    assert "报告已生成" in job_page
    download = re.search(r'href="(/reports/jobs/[^"]+/download/)"', job_page).group(1)
    content = b"".join(province.get(download).streaming_content)
    text = _docx_text(content)
    assert "陕西省" in text and "2023年第四季度" in text and "主要指标完成情况" in text
    assert AuditEntry.objects.filter(action="export", object_type="reports.report").count() == 1
    # the job and its file are the requester's: another user of the same role is told it does not exist
    other = login_as(Client(), make_user("province", username="province-2"))
    assert other.get(response["Location"]).status_code == 404
    assert other.get(download).status_code == 404


def test_the_form_offers_only_units_in_scope_and_refuses_others(db, data_dir, make_user):
    from yangfan.orgunits.models import OrgUnit

    leader = make_user("viewer", username="xian-leader", view_org_units=[OrgUnit.objects.get(code="610100")])
    client = login_as(Client(), leader)
    page = client.get(reverse("reports:index")).content.decode()
    assert 'value="610100"' in page and 'value="610300"' not in page and 'value="610000"' not in page
    refused = client.post(reverse("reports:index"), {"org": "610300", "period": "2023", "fmt": "docx"})
    assert refused.status_code == 400 and "610300" in refused.content.decode()  # not a valid choice for them
    bad = client.post(reverse("reports:index"), {"org": "610100", "period": "2023Q9", "fmt": "docx"})
    assert bad.status_code == 400


def test_yangfan_report_writes_the_file_whole(initialised_env, tmp_path):
    cli_env = initialised_env
    target = tmp_path / "report.xlsx"
    result = yangfan(
        "report", "--org", "610000", "--period", "2023Q4", "--format", "xlsx", "-o", str(target), env=cli_env
    )
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert "指标" in book.sheetnames and "任务推进" in book.sheetnames
    assert not list(tmp_path.glob(".*.part"))
    wrong = assert_one_line_error(
        yangfan(
            "report",
            "--org",
            "610000",
            "--period",
            "2023Q4",
            "--format",
            "docx",
            "-o",
            str(tmp_path / "r.xlsx"),
            env=cli_env,
        )
    )
    assert ".docx" in wrong
    assert "火星" in assert_one_line_error(
        yangfan("report", "--org", "火星", "--period", "2023", "-o", str(tmp_path / "r.docx"), env=cli_env)
    )
