"""Runs whose process died (issue 21): a killed ingest must not stay 「运行中」 for ever.

A run records the process working on it and beats a heartbeat while it works (``IngestRun.worker`` and
``heartbeat_at``, see ``yangfan.jobs``). It is *interrupted*, and marked failed with the reason, when:

- its process ran on this host and is certainly gone (``jobs.identity_gone``: the pid is free, a zombie, another
  process's, or the machine restarted since);
- its job was left running by a dead task worker (``jobs.jobs_interrupted``), which also covers a run the job
  had not yet started;
- nothing can check its process (it ran on another host, or before runs recorded their process) and it has not
  beaten for ``SILENT_AFTER``: a living run beats every minute, even inside a long transaction.

A run whose process is alive is never touched, however long it takes. ``yangfan init`` and ``yangfan serve`` check
at start (``ingest_runs_interrupt``), and a daily job checks again while the server runs.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.models import IngestRun
from yangfan.ingests.services import inventory_folder
from yangfan.jobs import (
    gone_reason,
    identity_gone,
    jobs_interrupted,
    next_run,
    process_identity,
    schedule_daily,
)

SILENT_AFTER = timedelta(hours=1)  # sixty missed heartbeats
UNFINISHED = (IngestStatus.QUEUED, IngestStatus.RUNNING)
INGEST_JOBS = ("yangfan.ingests.tasks.ingest_job",)  # jobs whose keyword ``run_id`` is a run they work on


def ingest_runs_interrupt(*, now: datetime | None = None) -> list[IngestRun]:
    """Mark failed every run (and job) whose process died, as the module says; the runs so marked."""
    now = now or timezone.now()
    reasons: dict[int, str] = {}
    for job in jobs_interrupted(now=now):
        run_id = (job.args_kwargs or {}).get("kwargs", {}).get("run_id")
        if job.task_path in INGEST_JOBS and isinstance(run_id, int):
            reasons[run_id] = gone_reason(job.worker_ids[-1])
    silent = now - SILENT_AFTER
    candidates = IngestRun.objects.filter(
        Q(pk__in=reasons, status__in=UNFINISHED) | Q(status=IngestStatus.RUNNING)
    ).only("pk", "status", "worker", "heartbeat_at", "created_at")
    for run in candidates:
        if run.pk in reasons:
            continue
        if run.worker and identity_gone(run.worker):
            reasons[run.pk] = gone_reason(run.worker)
        elif not (run.worker and _on_this_host(run.worker)) and (run.heartbeat_at or run.created_at) < silent:
            reasons[run.pk] = _("处理进程已中断（超过 %(minutes)s 分钟没有报告进展）") % {
                "minutes": int(SILENT_AFTER.total_seconds() // 60)
            }
    return [run for run_id, reason in sorted(reasons.items()) if (run := _fail(run_id, reason, now))]


def _on_this_host(worker: str) -> bool:
    """A process of this host is checked by its pid, never by its silence (``identity_gone`` said it lives)."""
    return worker.partition("@")[2] == process_identity().partition("@")[2]


@transaction.atomic
def _fail(run_id: int, reason: str, now: datetime) -> IngestRun | None:
    """One run failed with ``reason``, once (another check may have marked it, or it finished, meanwhile); the
    inventory parts its process was writing are dropped, as a failed run's are."""
    run = IngestRun.objects.select_for_update().filter(pk=run_id, status__in=UNFINISHED).first()
    if run is None:
        return None
    run.status, run.message, run.finished_at = IngestStatus.FAILED, reason, now
    run.save(update_fields=["status", "message", "finished_at"])
    audit_record(
        action=AuditAction.INGEST,
        obj=run,
        detail=_("%(run)s：%(status)s；%(reason)s")
        % {"run": run, "status": run.get_status_display(), "reason": reason},
    )
    shutil.rmtree(inventory_folder() / str(run.pk), ignore_errors=True)
    return run


# --- the daily job ------------------------------------------------------------------------------------------


@task()
def ingest_runs_interrupt_daily() -> list[int]:
    """The background job: today's check, then the next one tomorrow morning."""
    try:
        return [run.pk for run in ingest_runs_interrupt()]
    finally:
        ingest_runs_interrupt_schedule(run_after=next_run())


def ingest_runs_interrupt_schedule(*, run_after: datetime | None = None) -> bool:
    """Enqueue a run of the daily check unless one is already waiting (``jobs.schedule_daily``)."""
    return schedule_daily(ingest_runs_interrupt_daily, run_after=run_after)
