"""Daily background jobs on the database queue (django-tasks-db). The worker has no scheduler: each run of a
daily job enqueues its next run (``run_after`` tomorrow morning), and ``yangfan serve`` starts the chain with
``schedule_daily`` unless a run is already waiting."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus

RUN_AT_HOUR = 8  # local time


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
