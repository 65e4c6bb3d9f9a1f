"""The ingest jobs: an uploaded file set runs through the pipeline (to its preview) in the task worker while the
run's page shows how far it is; a confirmed preview is applied likewise.

Progress is written as every job's is (``yangfan.jobs.progress_write``), under a key named after the run
(``ingest-<run>``), so the run's page finds it without knowing the job. The outcome is in the run's own row
(status, counts, message), which ``ingest_execute`` writes whatever happens; the job's return value only
repeats it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.ingests.services import IngestRequest, ingest_execute
from yangfan.jobs import progress_clear, progress_write
from yangfan.pipeline.errors import PipelineError

logger = logging.getLogger(__name__)

STAGES = ("hash", "aggregate", "preview", "apply", "write")


def progress_key(run_id: int) -> str:
    return f"ingest-{run_id}"


def request_kwargs(request: IngestRequest) -> dict:
    """An ingest request as the job's keyword arguments (JSON: paths as text)."""
    return {
        "kind": request.kind,
        "files": [str(p) for p in request.files],
        "engine": request.engine,
        "period": request.period,
        "sites": [str(p) for p in request.sites],
        "dry_run": request.dry_run,
        "max_reject_rate": request.max_reject_rate,
        "operator": request.operator,
    }


@task()
def ingest_job(*, run_id: int, actor_id: int | None, **request: object) -> dict:
    """Execute queued run ``run_id`` for user ``actor_id`` with the request the upload page made."""
    from yangfan.accounts.models import User
    from yangfan.ingests.choices import IngestStatus
    from yangfan.ingests.models import IngestRun

    run = IngestRun.objects.get(pk=run_id)
    if run.status != IngestStatus.QUEUED:  # run already (a job delivered twice): nothing to do again
        return {"run": run.pk, "status": run.status, "message": run.message}
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    if actor_id is not None and actor is None:  # the account is gone: the run must not stay queued for ever
        run.status, run.message = IngestStatus.FAILED, _("发起人的账号已不存在。")
        run.save(update_fields=["status", "message"])
        return {"run": run.pk, "status": run.status, "message": run.message}
    ingest_request = IngestRequest(
        kind=str(request["kind"]),
        files=[Path(p) for p in request["files"]],
        engine=str(request.get("engine") or "duckdb"),
        period=str(request.get("period") or ""),
        sites=[Path(p) for p in request.get("sites") or ()],
        dry_run=bool(request.get("dry_run")),
        max_reject_rate=float(request["max_reject_rate"]),
        operator=str(request.get("operator") or ""),
    )
    progress_write(progress_key(run_id), stage="hash")
    return _working(
        run, lambda progress: ingest_execute(run=run, request=ingest_request, actor=actor, progress=progress)
    )


def _working(run, work) -> dict:
    """``work(progress)`` on ``run`` with its progress where the run's page reads it; a refusal or a bad file is
    the run's own status and message (the page shows them), anything else is logged and raised."""
    key = progress_key(run.pk)

    def progress(stage: str, done: float, total: float) -> None:
        progress_write(key, stage=stage, done=done, total=total)

    try:
        work(progress)
    except (PipelineError, PermissionDenied):
        pass  # the run records its status and message (stale: discarded with the reason)
    except Exception:
        logger.exception("ingest run %s failed", run.pk)
        raise
    finally:
        progress_clear(key)
    run.refresh_from_db()
    return {"run": run.pk, "status": run.status, "message": run.message}


@task()
def ingest_apply_job(*, run_id: int, actor_id: int) -> dict:
    """Apply previewed run ``run_id`` for the user who confirmed it (``ingest_apply`` checks who may)."""
    from yangfan.accounts.models import User
    from yangfan.ingests.models import IngestRun
    from yangfan.ingests.services import ingest_apply

    run = IngestRun.objects.get(pk=run_id)
    actor = User.objects.filter(pk=actor_id).first()

    def apply(progress) -> None:
        if actor is None:  # the account is gone: nobody confirms
            raise PermissionDenied
        ingest_apply(run=run, actor=actor, progress=progress)

    return _working(run, apply)
