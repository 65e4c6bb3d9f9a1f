"""Background jobs of the collection pages (django-tasks on the database): a large filled template is imported
by the task worker while the page shows its progress.

Its progress is written as every job's is (``yangfan.jobs.progress_write``: a small file the web process reads,
since the import's one transaction hides its work until it commits); the outcome is the task's return value,
kept in the database. Where the web and the worker do not share a disk the page still shows whether the job
waits, runs or has finished.
"""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.collection.services import may_capture
from yangfan.collection.workbook import TemplateImport, report_of, template_import
from yangfan.core.errors import ImportInvalid
from yangfan.jobs import progress_clear, progress_write


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
    errors = [[e.row, e.column, e.message] for e in exc.errors]
    return {"ok": False, "errors": errors, "total": exc.total, "rest": exc.rest, "unchecked": exc.unchecked}


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
