"""A run's lineage as plain data: ``yangfan ingest show RUN --format json``, the run's page and the API."""

from __future__ import annotations

from yangfan.ingests.models import IngestRun
from yangfan.pipeline.definitions import REASONS


def run_lineage(run: IngestRun) -> dict:
    return {
        "run": run.pk,
        "kind": run.kind,
        "kind_name": run.get_kind_display(),
        "status": run.status,
        "status_name": run.get_status_display(),
        "dry_run": run.dry_run,
        "engine": f"{run.engine} {run.engine_version}".strip(),
        "actor": run.actor.username if run.actor_id else "命令行",
        "created_at": run.created_at.isoformat(timespec="seconds"),
        "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
        "seconds": run.seconds,
        "period": run.period,
        "files": [
            {"role": f.role, "name": f.name, "path": f.path, "size": f.size, "sha256": f.sha256}
            for f in run.files.all()
        ],
        "sites_run": run.sites_run_id,
        "rows_read": run.rows_read,
        "rows_rejected": run.rows_rejected,
        "rejected_by_reason": {REASONS.get(k, k): v for k, v in sorted(run.rejected_by_reason.items())},
        "rows_outside": run.rows_outside,
        "max_reject_rate": run.max_reject_rate,
        "rejects_file": run.rejects_file,
        "periods": run.periods,
        "incomplete": run.incomplete,
        "values": {"新增": run.values_added, "修改": run.values_changed, "未变": run.values_unchanged},
        "conflicts": run.conflicts,
        "by_sector": run.by_sector,
        "message": run.message,
    }
