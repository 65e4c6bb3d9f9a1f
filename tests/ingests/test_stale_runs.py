"""Runs whose process died are marked failed with the reason (issue 21): a killed ingest does not stay 「运行中」."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.conftest import query
from tests.test_cli import yangfan

from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_verify
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.models import IngestRun
from yangfan.ingests.stale import SILENT_AFTER, ingest_runs_interrupt
from yangfan.jobs import WORKER_GONE, identity_gone, jobs_interrupted, process_identity
from yangfan.pipeline.contracts import KINDS

COUNTIES = ("610102", "610103", "610104", "610111", "610112", "610113", "610114", "610115", "610116")


def dead_identity() -> str:
    """The identity of a process of this host that has ended (and been reaped)."""
    process = subprocess.Popen(["sleep", "30"])
    identity = process_identity(process.pid)
    process.kill()
    process.wait()
    return identity


def large_inventory(path: Path, rows: int = 200_000) -> Path:
    """A base-stations file big enough that aggregating it takes a while."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KINDS["base-stations"].columns)
        for i in range(rows):
            writer.writerow(
                [f"S{i}", "cmcc", "5G", COUNTIES[i % len(COUNTIES)], "108.9", "34.2", "2021-01-10", "", ""]
            )
    return path


def kill_when_running(process: subprocess.Popen, env: dict, timeout: float = 120) -> int:
    """Wait until the newest run is running, then kill ``process`` outright (no chance to record anything); the
    run's id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = query(env, "SELECT id, status FROM ingests_ingestrun ORDER BY id DESC LIMIT 1")
        if rows and rows[0][1] == "running":
            process.send_signal(signal.SIGKILL)
            process.wait()
            return rows[0][0]
        assert process.poll() is None, "the ingest ended before it was seen running"
        time.sleep(0.02)
    process.kill()
    raise AssertionError("the ingest was never seen running")


# --- the process identity -------------------------------------------------------------------------------------


def test_a_living_process_is_not_gone():
    assert not identity_gone(process_identity())


def test_an_ended_process_of_this_host_is_gone():
    assert identity_gone(dead_identity())


def test_a_reused_pid_is_told_by_its_start_time():
    pid, rest = process_identity().split(".", 1)
    start, tail = rest.split(".", 1)
    assert identity_gone(f"{pid}.{int(start) + 1}.{tail}")


def test_a_process_of_another_host_or_of_unknown_form_cannot_be_declared_gone():
    head = dead_identity().split("@")[0]
    assert not identity_gone(f"{head}@not-{socket.gethostname()}")
    assert not identity_gone("a-random-worker-id")
    assert not identity_gone("")


# --- the start-up check ---------------------------------------------------------------------------------------


def make_run(**fields) -> IngestRun:
    return IngestRun.objects.create(kind="base-stations", engine="duckdb", **fields)


@pytest.mark.django_db
def test_a_run_whose_process_died_is_marked_failed_with_the_reason_and_audited():
    worker = dead_identity()
    run = make_run(status=IngestStatus.RUNNING, worker=worker, heartbeat_at=timezone.now())

    marked = ingest_runs_interrupt()

    run.refresh_from_db()
    assert [r.pk for r in marked] == [run.pk]
    assert run.status == IngestStatus.FAILED and run.finished_at is not None
    pid = worker.split(".")[0]
    assert run.message == f"处理进程已中断（进程 {pid} 已不在 {socket.gethostname()} 上运行）"
    entry = AuditEntry.objects.filter(object_type="ingests.ingestrun", object_id=str(run.pk)).last()
    assert entry is not None and "处理进程已中断" in entry.detail and audit_verify().ok
    assert ingest_runs_interrupt() == []  # once


@pytest.mark.django_db
def test_a_run_whose_process_lives_is_left_alone_however_long_it_is_silent():
    old = timezone.now() - SILENT_AFTER * 3
    run = make_run(status=IngestStatus.RUNNING, worker=process_identity(), heartbeat_at=old)

    assert ingest_runs_interrupt() == []
    run.refresh_from_db()
    assert run.status == IngestStatus.RUNNING and run.message == ""


@pytest.mark.django_db
def test_a_run_on_another_host_is_judged_by_its_heartbeat():
    elsewhere = dead_identity().split("@")[0] + "@another-host"
    now = timezone.now()
    silent = make_run(
        status=IngestStatus.RUNNING, worker=elsewhere, heartbeat_at=now - SILENT_AFTER - timedelta(minutes=1)
    )
    beating = make_run(status=IngestStatus.RUNNING, worker=elsewhere, heartbeat_at=now - timedelta(minutes=2))

    assert [r.pk for r in ingest_runs_interrupt(now=now)] == [silent.pk]
    silent.refresh_from_db()
    beating.refresh_from_db()
    assert (
        silent.status == IngestStatus.FAILED
        and silent.message == "处理进程已中断（超过 60 分钟没有报告进展）"
    )
    assert beating.status == IngestStatus.RUNNING


@pytest.mark.django_db
def test_a_run_from_before_runs_recorded_their_process_fails_only_when_old():
    now = timezone.now()
    old = make_run(status=IngestStatus.RUNNING)
    IngestRun.objects.filter(pk=old.pk).update(created_at=now - SILENT_AFTER * 2)
    recent = make_run(status=IngestStatus.RUNNING)

    assert [r.pk for r in ingest_runs_interrupt(now=now)] == [old.pk]
    recent.refresh_from_db()
    assert recent.status == IngestStatus.RUNNING


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_fails_and_so_does_its_queued_run():
    from yangfan.ingests.tasks import ingest_job

    run = make_run(status=IngestStatus.QUEUED)
    job = ingest_job.enqueue(
        run_id=run.pk, actor_id=None, kind="base-stations", files=[], max_reject_rate=0.001
    )
    worker = dead_identity()
    DBTaskResult.objects.filter(pk=job.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker], started_at=timezone.now()
    )
    alive = ingest_job.enqueue(run_id=0, actor_id=None, kind="base-stations", files=[], max_reject_rate=0.001)
    DBTaskResult.objects.filter(pk=alive.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[process_identity()]
    )

    marked = ingest_runs_interrupt()

    assert [r.pk for r in marked] == [run.pk]
    failed = DBTaskResult.objects.get(pk=job.id)
    assert failed.status == TaskResultStatus.FAILED and failed.exception_class_path == WORKER_GONE
    assert failed.traceback.startswith("处理进程已中断（进程 ")
    assert DBTaskResult.objects.get(pk=alive.id).status == TaskResultStatus.RUNNING
    assert jobs_interrupted() == []


# --- a real process killed ------------------------------------------------------------------------------------


def test_a_killed_ingest_is_marked_failed_by_the_next_start(initialised_env, tmp_path):
    stations = large_inventory(tmp_path / "stations.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "yangfan", "ingest", "base-stations", str(stations)],
        env=initialised_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_id = kill_when_running(process, initialised_env)
    [(status, worker)] = query(
        initialised_env, f"SELECT status, worker FROM ingests_ingestrun WHERE id = {run_id}"
    )
    assert status == "running" and worker.startswith(f"{process.pid}.")  # what a killed ingest used to leave

    started = yangfan("init", env=initialised_env)

    assert started.returncode == 0, started.stderr
    reason = f"处理进程已中断（进程 {process.pid} 已不在 {socket.gethostname()} 上运行）"
    assert f"汇总批次 #{run_id} 已标记为失败：{reason}" in started.stdout
    [(status, message)] = query(
        initialised_env, f"SELECT status, message FROM ingests_ingestrun WHERE id = {run_id}"
    )
    assert (status, message) == ("failed", reason)
    assert not (Path(initialised_env["YANGFAN_DATA_DIR"]) / "ingest" / "inventory" / str(run_id)).exists()
    assert yangfan("audit", "verify", env=initialised_env).returncode == 0


def test_a_killed_task_worker_leaves_its_job_and_run_failed(initialised_env, tmp_path):
    """The worker ``yangfan serve`` starts (``jobs.worker_main``) runs an uploaded ingest and is killed."""
    stations = large_inventory(tmp_path / "stations.csv")
    enqueue = (
        "import django; django.setup()\n"
        "from pathlib import Path\n"
        "from yangfan.ingests.ahead import IngestRequest\n"
        "from yangfan.ingests.services import ingest_create\n"
        "from yangfan.ingests.tasks import ingest_job, request_kwargs\n"
        f"request = IngestRequest(kind='base-stations', files=[Path({str(stations)!r})], dry_run=True)\n"
        "run = ingest_create(request=request)\n"
        "ingest_job.enqueue(run_id=run.pk, actor_id=None, **request_kwargs(request))\n"
    )
    env = {**initialised_env, "DJANGO_SETTINGS_MODULE": "yangfan.settings"}
    done = subprocess.run(
        [sys.executable, "-c", enqueue], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    worker = subprocess.Popen(
        [sys.executable, "-c", "from yangfan.jobs import worker_main; worker_main()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_id = kill_when_running(worker, env)
    [(status, workers)] = query(env, "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
    assert status == "RUNNING" and f"{worker.pid}." in str(workers)

    started = yangfan("init", env=initialised_env)

    assert started.returncode == 0, started.stderr
    assert f"汇总批次 #{run_id} 已标记为失败：处理进程已中断（进程 {worker.pid} " in started.stdout
    [(status, path, trace)] = query(
        env, "SELECT status, exception_class_path, traceback FROM django_tasks_database_dbtaskresult"
    )
    assert (status, path) == ("FAILED", WORKER_GONE) and f"进程 {worker.pid} 已不在" in trace
    assert query(env, f"SELECT status FROM ingests_ingestrun WHERE id = {run_id}") == [("failed",)]


def test_the_check_does_not_mark_a_run_whose_ingest_still_runs(initialised_env, tmp_path):
    stations = large_inventory(tmp_path / "stations.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "yangfan", "ingest", "base-stations", str(stations)],
        env=initialised_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not query(initialised_env, "SELECT id FROM ingests_ingestrun WHERE status = 'running'"):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGSTOP)  # held still while the check runs
        started = yangfan("init", env=initialised_env)
        assert started.returncode == 0 and "已标记为失败" not in started.stdout
        assert query(initialised_env, "SELECT status FROM ingests_ingestrun") == [("running",)]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
