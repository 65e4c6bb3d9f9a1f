"""The report job: the evaluation report is built by the task worker while its page shows how far it is
(``yangfan.jobs.progress_write``); the file is kept under the data directory (``reports/<job id>.<format>``)
and served only to the user who asked for it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.core.errors import YangfanError
from yangfan.jobs import progress_clear, progress_write

logger = logging.getLogger(__name__)

STAGES = ("indicators", "tasks", "reporting", "ranking", "layout")
# the final evaluation (终期评估): the report's stages, then its own
FINAL_STAGES = (
    "indicators",
    "tasks",
    "reporting",
    "ranking",
    "targets",
    "comparison",
    "final_tasks",
    "layout",
)


def report_path(job_id: str, fmt: str) -> Path:
    return Path(settings.DATA_DIR) / "reports" / f"{job_id}.{fmt}"


@task(takes_context=True)
def report_job(
    context,
    *,
    actor_id: int,
    org: str,
    period: str,
    fmt: str,
    plan_code: str | None = None,
    final: bool = False,
) -> dict:
    """Build the report for user ``actor_id`` (scoped to what that user may see at the time it runs); with
    ``final``, the final evaluation (终期评估) of the finished plan ``plan_code`` (``period`` is not used)."""
    from yangfan.accounts.models import User
    from yangfan.reports.content import report_document
    from yangfan.reports.final import final_document
    from yangfan.reports.writers import final_bytes, report_bytes

    job = str(context.task_result.id)
    stages = FINAL_STAGES if final else STAGES

    def step(stage: str) -> None:
        if stage in stages:
            progress_write(job, stage=stage, done=stages.index(stage), total=len(stages))

    try:
        actor = User.objects.get(pk=actor_id)
        if final:
            document = final_document(actor=actor, org=org, plan_code=plan_code, progress=step)
        else:
            document = report_document(
                actor=actor, org=org, period=period, plan_code=plan_code, progress=step
            )
        step("layout")
        content = (final_bytes if final else report_bytes)(document, fmt)
        path = report_path(job, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, path)  # a download sees the whole file or none
    except PermissionDenied:
        return {"ok": False, "error": _("您无权查看该地区的数据，未生成报告。")}
    except (YangfanError, LookupError) as exc:
        return {"ok": False, "error": str(exc)}
    except Exception:
        logger.exception("report job %s (org %s, period %s, %s) failed", job, org, period, fmt)
        raise
    finally:
        progress_clear(job)
    return {
        "ok": True,
        "title": document.title,
        "name": f"{document.title}.{fmt}",
        "size": len(content),
        "format": fmt,
    }
