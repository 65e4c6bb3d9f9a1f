"""Raw files past the retention period are removed with an audit entry; the lineage, what is still in use and
the administrator's own files stay."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yangfan.actionplans.models import Operator
from yangfan.audit.models import AuditEntry
from yangfan.config import data_dir
from yangfan.ingests.choices import FileRole, IngestStatus
from yangfan.ingests.forms import upload_folder
from yangfan.ingests.models import IngestFile, IngestPolicy, IngestRun, InventoryPart
from yangfan.ingests.retention import (
    ingest_purge,
    ingest_purge_daily,
    ingest_purge_schedule,
    retention_days,
)
from yangfan.ingests.services import _figures_path, current_parts, inventory_folder
from yangfan.jobs import next_run

pytestmark = pytest.mark.django_db
OLD, RECENT = 1500, 30  # days ago; the bundled plan keeps raw files 1,461 days


@pytest.fixture(autouse=True)
def data(settings, tmp_path, monkeypatch) -> Path:
    """A data directory of the test's own: the runs' files are written there."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings.DATA_DIR = folder
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(folder))
    return data_dir()


def make_run(days_ago: int, *, status: str = IngestStatus.DONE, rejects: bool = False) -> IngestRun:
    run = IngestRun.objects.create(kind="base-stations", engine="duckdb", status=status, rows_read=10)
    IngestRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    if rejects:
        path = data_dir() / "ingest" / "rejects" / f"{run.pk}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("row,reason\n3,county\n")
        IngestRun.objects.filter(pk=run.pk).update(rejects_file=str(path), rows_rejected=1)
    run.refresh_from_db()
    return run


def uploaded(content: str, name: str = "jizhan.csv", *, days_ago: int = OLD) -> Path:
    """A file stored as the upload handler stores it (``uploads/<sha256>/<name>``), ``days_ago``."""
    path = upload_folder() / hashlib.sha256(content.encode()).hexdigest() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    then = (timezone.now() - timedelta(days=days_ago)).timestamp()
    os.utime(path, (then, then))
    return path


def read(run: IngestRun, path: Path, role: str = FileRole.DATA) -> IngestFile:
    """The lineage row of ``run`` having read ``path``."""
    data = path.read_bytes()
    return IngestFile.objects.create(
        run=run,
        role=role,
        name=path.name,
        path=str(path),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def part(run: IngestRun, operator: str) -> InventoryPart:
    path = inventory_folder() / str(run.pk) / f"{operator}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PAR1" + operator.encode())
    return InventoryPart.objects.create(
        run=run, operator=Operator.objects.get(code=operator), path=str(path), size=8, sha256="0" * 64
    )


def test_the_default_period_is_the_plans_period_plus_the_year_after_it():
    assert retention_days() == 1461  # 2021-01-01 to 2023-12-31, then 2024 (a leap year)


def test_the_offices_setting_overrides_the_default():
    IngestPolicy.objects.create(retention_days=10)
    assert retention_days() == 10
    recent = make_run(RECENT, rejects=True)
    report = ingest_purge()
    assert report.retention_days == 10 and report.runs == 1
    assert not Path(recent.rejects_file).exists()


def test_an_old_runs_upload_and_rejects_go_and_its_lineage_stays(data):
    run = make_run(OLD, rejects=True)
    upload = uploaded("S1,ctcc\n")
    row = read(run, upload)
    figures = _figures_path(run)
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_bytes(gzip.compress(b"[]"))
    report = ingest_purge()
    assert (report.runs, report.files_removed) == (1, 3)  # the upload, the rejects, the preview figures
    assert report.bytes_freed > 0
    assert not upload.exists() and not upload.parent.exists()  # its uploads/<sha256>/ folder too
    assert not Path(run.rejects_file).exists() and not figures.exists()
    row.refresh_from_db()
    run.refresh_from_db()
    assert row.removed_at is not None and run.files_removed_at is not None
    assert (row.name, row.size, len(row.sha256)) == ("jizhan.csv", 8, 64)  # the lineage
    assert (run.rows_read, run.rows_rejected) == (10, 1) and run.rejects_file
    assert ingest_purge().runs == 0  # once


def test_a_recent_runs_files_stay():
    run = make_run(RECENT, rejects=True)
    upload = uploaded("S1,ctcc\n")
    read(run, upload)
    report = ingest_purge()
    assert report.runs == 0 and report.files_removed == 0
    assert upload.exists() and Path(run.rejects_file).exists()
    run.refresh_from_db()
    assert run.files_removed_at is None


def test_an_upload_a_recent_run_also_read_stays():
    old, recent = make_run(OLD), make_run(RECENT)
    upload = uploaded("S1,ctcc\n")
    old_row = read(old, upload)
    read(recent, upload)
    report = ingest_purge()
    assert report.runs == 1 and report.kept_shared == 1 and report.files_removed == 0
    assert upload.exists()
    old_row.refresh_from_db()
    old.refresh_from_db()
    assert old_row.removed_at is None and old.files_removed_at is not None
    assert "仍被未到期批次使用而保留：jizhan.csv" in AuditEntry.objects.get(action="delete").detail


def test_an_old_upload_sent_again_today_stays_for_the_run_about_to_read_it():
    run = make_run(OLD)
    upload = uploaded("S1,ctcc\n", days_ago=0)  # the handler keeps the stored file and touches it
    read(run, upload)
    assert ingest_purge().kept_shared == 1 and upload.exists()


def test_a_command_line_file_outside_the_data_directory_is_never_removed(tmp_path):
    run = make_run(OLD)
    own = tmp_path / "admin" / "jizhan.csv"
    own.parent.mkdir()
    own.write_text("S1,ctcc\n")
    row = read(run, own)
    report = ingest_purge()
    assert own.exists() and report.kept_outside == 1 and report.files_removed == 0
    row.refresh_from_db()
    assert row.removed_at is None
    assert "保留 1 个数据目录之外的命令行文件（由管理员自行管理）" in str(report)
    detail = AuditEntry.objects.get(action="delete", object_id=str(run.pk)).detail
    assert "数据目录之外的文件未删除（由管理员自行管理）：jizhan.csv" in detail


def test_a_current_inventory_stays_and_a_superseded_one_goes():
    superseded, current_only = make_run(OLD), make_run(OLD)
    old_ctcc, cmcc = part(superseded, "ctcc"), part(current_only, "cmcc")
    new_ctcc = part(make_run(RECENT), "ctcc")
    report = ingest_purge()
    assert (report.parts_removed, report.kept_current) == (1, 1)
    assert not Path(old_ctcc.path).exists() and Path(cmcc.path).exists() and Path(new_ctcc.path).exists()
    old_ctcc.refresh_from_db()
    cmcc.refresh_from_db()
    assert old_ctcc.removed_at is not None and cmcc.removed_at is None
    assert {p.operator for p in current_parts()} == {"ctcc", "cmcc"}
    detail = AuditEntry.objects.get(action="delete", object_id=str(current_only.pk)).detail
    assert "运营商现行基站清单保留：中国移动基站清单" in detail


def test_an_old_inventory_a_recent_run_read_as_its_sites_stays():
    superseded = part(make_run(OLD), "ctcc")
    part(make_run(RECENT), "ctcc")
    read(make_run(RECENT), Path(superseded.path), role=FileRole.SITES)
    report = ingest_purge()
    assert report.kept_shared == 1 and report.parts_removed == 0 and Path(superseded.path).exists()


def test_an_inventory_that_stayed_current_goes_once_it_is_superseded():
    old = make_run(OLD)
    cmcc = part(old, "cmcc")
    assert ingest_purge().kept_current == 1
    part(make_run(RECENT), "cmcc")  # a newer inventory of the same operator
    report = ingest_purge()
    assert (report.runs, report.parts_removed) == (0, 1) and not Path(cmcc.path).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(old.pk)).count() == 2


def test_an_old_preview_nobody_confirmed_is_discarded():
    run = make_run(OLD, status=IngestStatus.PREVIEWED)
    figures = _figures_path(run)
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_bytes(gzip.compress(b"[]"))
    report = ingest_purge()
    run.refresh_from_db()
    assert report.discarded == 1 and run.status == IngestStatus.DISCARDED and not figures.exists()
    assert run.files_removed_at is not None
    assert AuditEntry.objects.filter(action="ingest", object_id=str(run.pk)).exists()


def test_the_audit_entry_names_the_files_and_the_period():
    run = make_run(OLD, rejects=True)
    read(run, uploaded("S1,ctcc\n"))
    ingest_purge()
    entry = AuditEntry.objects.get(action="delete", object_id=str(run.pk))
    assert entry.object_type == "ingests.ingestrun" and entry.actor_id is None
    assert entry.detail.startswith("原始文件保留期限 1461 天已满，已删除：jizhan.csv、拒收行文件")


def test_a_dry_run_removes_nothing_and_says_what_would_go():
    run = make_run(OLD, rejects=True, status=IngestStatus.PREVIEWED)
    upload = uploaded("S1,ctcc\n")
    row = read(run, upload)
    report = ingest_purge(dry_run=True)
    assert (report.runs, report.files_removed, report.discarded) == (1, 2, 1)
    assert upload.exists() and Path(run.rejects_file).exists()
    row.refresh_from_db()
    run.refresh_from_db()
    assert row.removed_at is None and run.files_removed_at is None and run.status == IngestStatus.PREVIEWED
    assert not AuditEntry.objects.filter(action="delete").exists()
    assert str(report).startswith("试运行，未删除任何文件。原始文件保留 1461 天")


def test_unfinished_runs_are_left_alone():
    run = make_run(OLD, status=IngestStatus.RUNNING)
    upload = uploaded("S1,ctcc\n")
    read(run, upload)
    read(make_run(OLD), upload)  # an old finished run shares it: the running one still reads it
    assert ingest_purge().runs == 1 and upload.exists()


def test_the_queries_do_not_grow_with_the_runs():
    def purge_after(runs: int) -> int:
        for n in range(runs):
            read(make_run(OLD, rejects=True), uploaded(f"S{n},ctcc\n{runs}\n"))
        with CaptureQueriesContext(connection) as queries:
            assert ingest_purge().runs == runs
        return len(queries)

    assert purge_after(30) == purge_after(3)


def test_the_report_reads_as_one_paragraph():
    read(make_run(OLD), uploaded("S1,ctcc\n"))
    text = str(ingest_purge())
    assert (
        text.startswith("原始文件保留 1461 天，") and "已清理 1 个汇总批次的原始文件，删除 1 个文件" in text
    )
    assert text.endswith("文件名、大小、SHA-256 和各项计数永久保留。") and "\n" not in text


def test_the_daily_job_purges_and_schedules_its_next_run():
    read(make_run(OLD), uploaded("S1,ctcc\n"))
    result = ingest_purge_daily.call()
    assert result["runs"] == 1 and result["files_removed"] == 1
    [job] = DBTaskResult.objects.filter(
        task_path=ingest_purge_daily.module_path, status=TaskResultStatus.READY
    )
    assert job.run_after == next_run()
    assert ingest_purge_schedule() is False  # one is waiting already
