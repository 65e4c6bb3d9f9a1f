"""Background jobs on the database queue (django-tasks-db).

- Progress: a job writes how far it is to a small JSON file in the data directory (``jobs/<job id>.json``),
  which the web process reads; a database row could not show it, since a job writes in one transaction that
  hides its work from every other connection until it commits. The file is removed at the end; the outcome is
  the task's return value, kept in the database.
- Daily jobs: the worker has no scheduler: each run of a daily job enqueues its next run (``run_after``
  tomorrow morning), and ``yangfan serve`` starts the chain with ``schedule_daily`` unless a run is waiting.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus

RUN_AT_HOUR = 8  # local time

_JOB_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def _progress_path(job_id: str) -> Path | None:
    if not _JOB_ID.match(str(job_id)):
        return None
    return Path(settings.DATA_DIR) / "jobs" / f"{job_id}.json"


def progress_write(job_id: str, *, stage: str, done: int = 0, total: int = 0) -> None:
    """Record how far job ``job_id`` is (``stage`` read or write, ``done`` of ``total`` values)."""
    path = _progress_path(job_id)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps({"stage": stage, "done": done, "total": total}), encoding="utf-8")
    os.replace(partial, path)  # a reader sees the old or the new progress, never half of it


def progress_read(job_id: str) -> dict:
    path = _progress_path(job_id)
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def progress_clear(job_id: str) -> None:
    path = _progress_path(job_id)
    if path is not None:
        path.unlink(missing_ok=True)


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at ``RUN_AT_HOUR`` local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(RUN_AT_HOUR)))


def schedule_daily(job, *, run_after: datetime | None = None) -> bool:
    """Enqueue a run of ``job`` (now, or at ``run_after``) unless one is already waiting; ``True`` when one was
    enqueued. Only on a backend that defers (the database queue); with the immediate backend of some tests a run
    would start the next at once, for ever."""
    backend = job.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(
        task_path=job.module_path, status=TaskResultStatus.READY, backend_name=job.backend
    )
    if pending.exists():
        return False
    (job.using(run_after=run_after) if run_after else job).enqueue()
    return True
