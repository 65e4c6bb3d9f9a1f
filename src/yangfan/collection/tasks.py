"""Background jobs of the collection pages (django-tasks on the database): a large filled template is imported
by the task worker while the page shows its progress.

The progress cannot live in the database: the import writes in one transaction, which hides what it has done
from every other connection until it commits (and on SQLite holds the only write lock). So the job writes its
progress to a small JSON file in the data directory (``jobs/<job id>.json``) that the web process reads, and
removes it at the end; the outcome is the task's return value, kept in the database. Where the web and the
worker do not share a disk the page still shows whether the job waits, runs or has finished.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.collection.services import may_capture
from yangfan.collection.workbook import TemplateImport, report_of, template_import
from yangfan.core.errors import ImportInvalid

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


def outcome_done(result: TemplateImport) -> dict:
    """An upload's outcome as plain data (a task's return value is JSON): counts and the cells kept."""
    report = result.report
    return {
        "ok": True,
        "added": len(report.added),
        "changed": len(report.changed),
        "unchanged": len(report.unchanged),
        "kept": result.kept,
    }


def outcome_refused(exc: ImportInvalid) -> dict:
    return {"ok": False, "errors": [[e.row, e.column, e.message] for e in exc.errors]}


@task(takes_context=True)
def template_import_job(context, *, actor_id: int, file: str, content: str, **report: str) -> dict:
    """Import a filled template (``content``: its bytes in base64) for user ``actor_id`` as the upload page
    would; ``report`` holds the codes of the report the page was for (the template's own ``_yangfan`` keys)."""
    from yangfan.accounts.models import User

    job = str(context.task_result.id)
    progress_write(job, stage="read")
    try:
        actor = User.objects.get(pk=actor_id)
        expected = report_of(report, file)
        if not may_capture(actor, expected):  # the scope may have changed since the upload
            return {"ok": False, "errors": [[1, "", _("您无权填报该报表。")]]}

        def progress(done: int, total: int) -> None:
            progress_write(job, stage="write", done=done, total=total)

        result = template_import(
            source=base64.b64decode(content), file=file, actor=actor, expected=expected, progress=progress
        )
    except ImportInvalid as exc:
        return outcome_refused(exc)
    finally:
        progress_clear(job)
    return outcome_done(result)
