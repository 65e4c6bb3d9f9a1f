"""A run's lineage as plain data: ``yangfan ingest show RUN --format json``, the run's page and the API."""

from __future__ import annotations

from collections.abc import Callable

from yangfan.accounts.permissions import sees_operator, speaks_for_operator
from yangfan.actionplans.models import Operator
from yangfan.ingests.models import IngestRun
from yangfan.pipeline.definitions import REASONS


def figures_readable(reader) -> Callable[[list[dict]], list[dict]]:
    """A cut of a run's figure rows (dicts naming an ``operator`` by code, '' for a total) to those ``reader`` may
    read (``sees_operator``; ``None``: the command line reads every one). One query, for an operator's user only,
    however many rows it cuts."""
    if reader is None or not speaks_for_operator(reader):
        return list
    ids = dict(Operator.objects.values_list("code", "pk"))
    return lambda rows: [
        r for r in rows if not r["operator"] or sees_operator(reader, ids.get(r["operator"]))
    ]


def run_lineage(run: IngestRun, *, reader=None) -> dict:
    """What ``run`` read, found and wrote. For ``reader`` (``None``: the command line), the figures of other
    operators are left out of its conflicts and preview (operators compete: each reads its own and the totals)."""
    readable = figures_readable(reader)
    preview = {k: v for k, v in (run.preview or {}).items() if k != "parts"}
    if "largest" in preview:
        preview["largest"] = readable(preview["largest"])
    return {
        "run": run.pk,
        "kind": run.kind,
        "kind_name": run.get_kind_display(),
        "status": run.status,
        "status_name": run.get_status_display(),
        "dry_run": run.dry_run,
        "engine": f"{run.engine} {run.engine_version}".strip(),
        "actor": run.actor.username if run.actor_id else "命令行",
        "operator": run.operator.code if run.operator_id else None,
        "operators": run.operators,
        "confirmed_by": (run.confirmed_by.username if run.confirmed_by_id else "命令行")
        if run.confirmed_at
        else None,
        "confirmed_at": run.confirmed_at.isoformat(timespec="seconds") if run.confirmed_at else None,
        "files_removed_at": run.files_removed_at.isoformat(timespec="seconds")
        if run.files_removed_at
        else None,
        "created_at": run.created_at.isoformat(timespec="seconds"),
        "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
        "seconds": run.seconds,
        "period": run.period,
        "files": [
            {
                "role": f.role,
                "name": f.name,
                "path": f.path,
                "size": f.size,
                "sha256": f.sha256,
                "removed": f.removed_at is not None,
            }
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
        "conflicts": readable(run.conflicts),
        "warnings": run.warnings,
        "preview": preview,
        "by_sector": run.by_sector,
        "message": run.message,
    }
