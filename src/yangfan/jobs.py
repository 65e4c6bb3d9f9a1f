"""Background jobs on the database queue (django-tasks-db).

- Progress: a job writes how far it is to a small JSON file in the data directory (``jobs/<job id>.json``),
  which the web process reads; a database row could not show it, since a job writes in one transaction that
  hides its work from every other connection until it commits. The file is removed at the end; the outcome is
  the task's return value, kept in the database.
- Daily jobs: the worker has no scheduler: each run of a daily job enqueues its next run (``run_after``
  tomorrow morning), and ``yangfan serve`` starts the chain with ``schedule_daily`` unless a run is waiting.
- Interrupted work: a process that is killed (the OOM killer, a reboot, ``kill -9``) cannot say it stopped. So
  whatever works on something records who it is (``process_identity``: pid, start time, boot and host) and, when
  it runs long, beats a heartbeat (``heartbeat``); ``identity_gone`` says for sure when such a process no longer
  exists on this host, and ``jobs_interrupted`` marks failed the jobs a dead worker left running. The worker
  ``yangfan serve`` starts runs under its identity as its worker id (``worker_main``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

RUN_AT_HOUR = 8  # local time
HEARTBEAT_SECONDS = 60  # how often long work says it is alive

logger = logging.getLogger(__name__)

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


# --- interrupted work -----------------------------------------------------------------------------------------

WORKER_GONE = "yangfan.jobs.WorkerGone"  # the exception class path of a job whose worker died


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """``(state, start time in clock ticks since boot)`` of process ``pid`` from ``/proc``; ``None`` without it."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()  # the name, in parentheses, may hold spaces
    return (fields[0], fields[19]) if len(fields) > 19 else None


def _boot_id() -> str:
    try:
        return (
            Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip().replace("-", "")[:8]
        )
    except OSError:
        return "-"


def process_identity(pid: int | None = None) -> str:
    """Who this process is, in a form that names no other process ever: ``pid.start.boot@host`` (the start time
    tells a reused pid, the boot id a reboot; ``-`` where the system does not say). At most 64 characters, the
    longest worker id ``db_worker`` takes."""
    pid = pid or os.getpid()
    stat = _proc_stat(pid)
    head = f"{pid}.{stat[1] if stat else '-'}.{_boot_id()}@"
    return head + socket.gethostname()[: 64 - len(head)]


def identity_gone(identity: str) -> bool:
    """Whether the process ``identity`` names certainly no longer runs: it ran on this host and its pid is free,
    a zombie, or another process's (started at another time, or before a reboot). ``False`` when it still runs,
    when it ran on another host, or when ``identity`` is not one of ours (it cannot be told from here)."""
    match = re.fullmatch(r"(\d+)\.([\d-]+)\.([0-9a-f-]+)@(.*)", identity or "")
    if match is None:
        return False
    pid, start, boot, host = int(match[1]), match[2], match[3], match[4]
    here = process_identity()
    if host != here.split("@", 1)[1]:
        return False
    if "-" not in (boot, _boot_id()) and boot != _boot_id():
        return True  # the machine restarted since: every process of before is gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process holds the pid: it exists
    stat = _proc_stat(pid)
    if stat is None:
        return False
    return stat[0] in ("Z", "X") or (start != "-" and stat[1] != start)


def gone_reason(identity: str) -> str:
    """The words a failed run or job gets when its process died."""
    pid, host = identity.partition(".")[0], identity.partition("@")[2]
    return _("处理进程已中断（进程 %(pid)s 已不在 %(host)s 上运行）") % {"pid": pid, "host": host}


@contextmanager
def heartbeat(beat: Callable[[], None], *, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Call ``beat()`` every ``every`` seconds, in a thread, while the block runs: long work says it is alive even
    while its own thread is inside a transaction (the thread has its own database connection, closed at the end).
    A beat that fails (the database busy) is skipped; the next one tries again."""
    stop = threading.Event()

    def loop() -> None:
        from django.db import connections

        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:
                    logger.warning("heartbeat skipped", exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, name="yangfan-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def jobs_interrupted(*, now: datetime | None = None) -> list:
    """Mark failed every job left running by a worker that died on this host (``identity_gone``), with the
    reason as its error; the jobs so marked (``DBTaskResult`` rows as they were). A job whose worker is alive,
    or on another host, is left alone."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    marked = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "task_path", "worker_ids", "args_kwargs", "started_at"
    )
    for result in running:
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if not identity_gone(worker):
            continue
        claimed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=WORKER_GONE,
            traceback=gone_reason(worker),
        )
        if claimed:  # another start-up check may have marked it meanwhile
            marked.append(result)
    return marked


def worker_main() -> None:
    """The task worker (django-tasks-db's ``db_worker``) under this process's identity as its worker id, so that
    a job it leaves running when it is killed is known for one (``jobs_interrupted``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangfan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(
        ["django-admin", "db_worker", "--no-reload", f"--worker-id={process_identity()}"]
    )
