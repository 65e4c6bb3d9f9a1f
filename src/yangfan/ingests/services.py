"""Running an ingest: raw files through the pipeline into data values, with the run's lineage.

The values are written by the same service as any import (``datavalues_import``): all or nothing, idempotent
(the same files again add and change nothing), audited value by value. What the pipeline computes for a value
that is locked (its report submitted or approved) is not written: it goes into the run's conflict report, and
the rest is written. A run that fails (a file it cannot read) or is refused (too many rows break the contract)
writes no value; its rejects file says which rows and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import may, require
from yangfan.actionplans.models import DataElement, Operator, Plan, Sector
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.collection.services import locked_row_errors
from yangfan.core.periods import Period, PeriodKind
from yangfan.datavalues.choices import ValueSource
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.ingests.ahead import (
    Ahead,
    IngestRequest,
    aggregate_arguments,
    ingest_folder,
    reference_remember,
)
from yangfan.ingests.choices import FileRole, IngestKind, IngestStatus
from yangfan.ingests.models import IngestFile, IngestRun
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.pipeline.aggregate import Figure, Outcome, Reference, aggregate, fingerprint
from yangfan.pipeline.errors import PipelineError, RawFileInvalid, TooManyRejects

# stage ("hash", "aggregate", "write"), done, total
Progress = Callable[[str, float, float], None]


class SitesMissing(PipelineError):
    """Cell traffic with no inventory to place its cells by."""


def ingest_reference(*, today: date | None = None) -> Reference:
    """The counties, sectors and months the plan knows, for checking and placing raw rows."""
    plan = Plan.objects.order_by("start").first()
    today = today or timezone.localdate()
    if plan is None:
        raise RawFileInvalid("", _("尚未加载行动计划：请先运行 yangfan init"))
    base = Period(PeriodKind.MONTH, plan.base_year, 12) if plan.base_year else None
    first = base or Period.containing(plan.start, PeriodKind.MONTH).previous()
    return Reference(
        counties=frozenset(OrgUnit.objects.filter(level=OrgUnitLevel.COUNTY).values_list("code", flat=True)),
        sectors=tuple(Sector.objects.filter(plan=plan).order_by("position").values_list("name", flat=True)),
        first_month=first,
        last_month=Period.containing(today, PeriodKind.MONTH),
    )


def ingest_create(*, request: IngestRequest, actor=None) -> IngestRun:
    """A queued run (``actor=None``: the server's own command line). Checks the actor's permission."""
    if actor is not None:
        require(actor, "ingest.run")
    if request.kind not in IngestKind.values:
        raise RawFileInvalid(
            "",
            _("未知的原始数据类型“%(k)s”；可选：%(all)s")
            % {"k": request.kind, "all": "、".join(IngestKind.values)},
        )
    if request.period:
        Period.parse(request.period)  # a bad period is refused before anything runs
    return IngestRun.objects.create(
        kind=request.kind,
        engine=request.engine,
        dry_run=request.dry_run,
        period=request.period,
        actor=actor,
        max_reject_rate=request.max_reject_rate,
    )


def ingest_execute(
    *,
    run: IngestRun,
    request: IngestRequest,
    actor=None,
    progress: Progress | None = None,
    ahead: Ahead | None = None,
) -> IngestRun:
    """Run the pipeline for ``run`` and write its values. The run records the outcome, whatever it is; the
    error (unreadable file, too many rejects) is raised again for the caller to show. ``ahead`` is the
    aggregation the command line started before the database was up: its outcome is taken if it was computed
    with the arguments the run has (``ahead.py``)."""
    started = timezone.now() if ahead is None else min(timezone.now(), ahead.started_at)
    if actor is not None and not may(actor, "ingest.run"):  # the role may have changed since the upload
        _finish(run, IngestStatus.FAILED, _("发起人已无权汇总原始数据。"), started, actor)
        raise PermissionDenied
    run.status = IngestStatus.RUNNING
    run.save(update_fields=["status"])
    try:
        sites, run.sites_run = _sites_for(request)
        reference = ingest_reference()
        reference_remember(reference)
        arguments = aggregate_arguments(request, reference=reference, sites=sites)
        rejects_path = ingest_folder() / "rejects" / f"{run.pk}.csv"
        outcome = ahead.outcome(arguments, rejects_path) if ahead is not None else None
        if outcome is None:
            outcome = aggregate(**arguments, rejects_path=rejects_path, progress=progress)
    except TooManyRejects as exc:
        _record(run, exc.outcome, request)
        _finish(run, IngestStatus.REFUSED, str(exc), started, actor)
        raise
    except PipelineError as exc:
        _finish(run, IngestStatus.FAILED, str(exc), started, actor)
        raise
    except Exception as exc:
        _finish(
            run,
            IngestStatus.FAILED,
            _("内部错误：%(e)s") % {"e": f"{type(exc).__name__}: {exc}"},
            started,
            actor,
        )
        raise
    finally:
        if ahead is not None:
            ahead.settle()
    _record(run, outcome, request)
    _write(run, outcome, actor=actor, dry_run=request.dry_run, progress=progress)
    _finish(run, IngestStatus.DONE, "", started, actor)
    if run.kind == IngestKind.BASE_STATIONS and not run.dry_run:
        reference_remember(sites=[f.path for f in outcome.files if f.role == FileRole.DATA])
    return run


def ingest(*, request: IngestRequest, actor=None, progress: Progress | None = None) -> IngestRun:
    """Create and execute a run in one go (the command line)."""
    run = ingest_create(request=request, actor=actor)
    return ingest_execute(run=run, request=request, actor=actor, progress=progress)


def _sites_for(request: IngestRequest) -> tuple[list[Path], IngestRun | None]:
    """The inventory cell traffic is placed by: the files given, else those of the last base-stations run
    that wrote values, if they are still where it read them, unchanged."""
    if request.kind != IngestKind.CELL_TRAFFIC:
        return [], None
    if request.sites:
        return list(request.sites), None
    last = (
        IngestRun.objects.filter(kind=IngestKind.BASE_STATIONS, status=IngestStatus.DONE, dry_run=False)
        .prefetch_related("files")
        .first()
    )
    if last is not None:
        files = [f for f in last.files.all() if f.role == FileRole.DATA]
        if files and all(_unchanged(f) for f in files):
            return [Path(f.path) for f in files], last
    raise SitesMissing(
        _(
            "小区流量须按基站清单确定所在区县：请用 --sites 指定基站清单文件，或先汇总一次基站清单（其文件须仍在原处且未改动）"
        )
    )


def _unchanged(stored: IngestFile) -> bool:
    path = Path(stored.path)
    return path.is_file() and path.stat().st_size == stored.size and fingerprint(path).sha256 == stored.sha256


def _record(run: IngestRun, outcome: Outcome, request: IngestRequest) -> None:
    run.engine_version = outcome.engine_version
    run.rows_read = outcome.rows_read
    run.rows_rejected = outcome.rows_rejected
    run.rejected_by_reason = outcome.rejected_by_reason
    run.rows_outside = outcome.rows_outside
    run.rejects_file = str(outcome.rejects_file or "")
    run.incomplete = outcome.incomplete
    run.by_sector = outcome.by_sector
    run.periods = outcome.periods
    run.seconds = {k: round(v, 3) for k, v in outcome.seconds.items()}
    IngestFile.objects.bulk_create(
        IngestFile(run=run, role=f.role, name=f.path.name, path=str(f.path), size=f.size, sha256=f.sha256)
        for f in outcome.files
    )


def _finish(run: IngestRun, status: str, message: str, started, actor) -> None:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.seconds = {**run.seconds, "run": round((run.finished_at - started).total_seconds(), 3)}
    run.save()
    audit_record(
        action=AuditAction.INGEST,
        actor=actor,
        obj=run,
        detail=_(
            "%(run)s：%(status)s；读取 %(read)s 行，拒收 %(rejected)s 行；新增 %(added)s、修改 %(changed)s、未变 %(same)s 个数据值，冲突 %(conflicts)s 个"
        )
        % {
            "run": run,
            "status": run.get_status_display(),
            "read": run.rows_read,
            "rejected": run.rows_rejected,
            "added": run.values_added,
            "changed": run.values_changed,
            "same": run.values_unchanged,
            "conflicts": len(run.conflicts),
        }
        + (f"；{message}" if message else ""),
    )


def _write(run: IngestRun, outcome: Outcome, *, actor, dry_run: bool, progress: Progress | None) -> None:
    """The figures as data values (source ``pipeline``), less those a locked report holds at another value."""
    rows = _rows(outcome.figures)
    conflicts, writable = _conflicts(rows)
    run.conflicts = conflicts

    def written(done: int, total: int) -> None:
        if progress is not None:
            progress("write", done, total)

    report = datavalues_import(
        rows=writable,
        actor=actor,
        file=str(run),
        source=ValueSource.PIPELINE,
        dry_run=dry_run,
        progress=written,
        ingest_run=None if dry_run else run,
    )
    run.values_added = len(report.added)
    run.values_changed = len(report.changed)
    run.values_unchanged = len(report.unchanged)


def _rows(figures: Sequence[Figure]) -> list[ParsedRow]:
    elements = {e.code: e for e in DataElement.objects.filter(code__in={f.data_element for f in figures})}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={f.org_unit for f in figures})}
    operators = {o.code: o for o in Operator.objects.all()}
    missing = {f.data_element for f in figures} - set(elements)
    if missing:
        raise RawFileInvalid("", _("计划中没有数据项：%(codes)s") % {"codes": "、".join(sorted(missing))})
    return [
        ParsedRow(
            number,
            elements[f.data_element],
            units[f.org_unit],
            f.period,
            operators[f.operator] if f.operator else None,
            f.value,
        )
        for number, f in enumerate(figures, start=1)
    ]


def _conflicts(rows: list[ParsedRow]) -> tuple[list[dict], list[ParsedRow]]:
    """Rows that would change a locked value: listed (stored and computed value, why it is locked) and left
    out; a row that leaves a locked value as it is passes."""
    if not rows:
        return [], rows
    stored = {
        (de, org, period, op): value
        for de, org, period, op, value in DataValue.objects.filter(
            period__in={r.period for r in rows}, data_element__in={r.data_element.pk for r in rows}
        ).values_list("data_element_id", "org_unit_id", "period", "operator_id", "value")
    }
    touched = [r for r in rows if stored.get(r.key) != r.value]
    locked = {e.row: e.message for e in locked_row_errors(touched)}
    conflicts = [
        {
            "data_element": r.data_element.code,
            "org_unit": r.org_unit.code,
            "org_unit_name": r.org_unit.name,
            "period": r.period,
            "operator": r.operator.code if r.operator else "",
            "stored": None if stored.get(r.key) is None else format(stored[r.key].normalize(), "f"),
            "computed": format(r.value.normalize(), "f"),
            "reason": locked[r.row],
        }
        for r in touched
        if r.row in locked
    ]
    return conflicts, [r for r in rows if r.row not in locked]
