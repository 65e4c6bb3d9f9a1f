"""Running an ingest: raw files through the pipeline, a preview of what would change, then the values.

Every run is first a preview (``ingest_execute``): the figures the files yield are kept beside the run, compared
with the database (values added, changed, unchanged, the conflicts with locked values) and with the annex
indicators of the province and its cities before and after (computed on the values written inside a transaction
that is then rolled back). Nothing is written until someone confirms (``ingest_apply``): the uploader, or the
province when the change is beyond the office's threshold (``IngestPolicy``). Applying checks first that the files
and the database are as the preview saw them (``fingerprint``); otherwise it refuses and writes nothing.

The values are written by the same service as any import (``datavalues_import``): all or nothing, idempotent
(the same files again add and change nothing), audited value by value. What the pipeline computes for a value
that is locked (its report submitted or approved) is not written: it goes into the run's conflict report, and
the rest is written. A run that fails (a file it cannot read) or is refused (too many rows break the contract)
writes no value; its rejects file says which rows and why.

Base-station inventories come per operator (ADR 0016): a run's files replace the inventory of the operators
they hold (``InventoryPart``), and the counts are computed from every operator's current inventory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, may, may_apply_run, require, speaks_for_operator
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
from yangfan.ingests.models import IngestFile, IngestPolicy, IngestRun, InventoryPart
from yangfan.ingests.preview import indicator_effects, largest_changes, largest_effect
from yangfan.jobs import heartbeat, process_identity
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import base_units
from yangfan.pipeline.aggregate import Figure, KeptPart, Outcome, Reference, aggregate, fingerprint
from yangfan.pipeline.errors import PipelineError, RawFileInvalid, TooManyRejects

# stage ("hash", "aggregate", "write"), done, total
Progress = Callable[[str, float, float], None]


WARNINGS_KEPT = 200  # shared sites one operator lists and another does not, listed on the run at most


class SitesMissing(PipelineError):
    """Cell traffic with no inventory to place its cells by."""


class PreviewStale(PipelineError):
    """A preview applied after its files or the database changed: nothing is written; preview again."""


class NotPreviewed(PipelineError):
    """Applying or discarding a run that is not waiting for confirmation."""


def ingest_reference(*, today: date | None = None) -> Reference:
    """The counties, sectors and months the plan knows, for checking and placing raw rows."""
    plan = Plan.objects.order_by("start").first()
    today = today or timezone.localdate()
    if plan is None:
        raise RawFileInvalid("", _("尚未加载行动计划：请先运行 yangfan init"))
    base = Period(PeriodKind.MONTH, plan.base_year, 12) if plan.base_year else None
    first = base or Period.containing(plan.start, PeriodKind.MONTH).previous()
    return Reference(
        counties=frozenset(base_units().values_list("code", flat=True)),
        sectors=tuple(Sector.objects.filter(plan=plan).order_by("position").values_list("name", flat=True)),
        first_month=first,
        last_month=Period.containing(today, PeriodKind.MONTH),
    )


def ingest_create(*, request: IngestRequest, actor=None) -> IngestRun:
    """A queued run (``actor=None``: the server's own command line). Checks the actor's permission."""
    operator = None
    if actor is not None:
        require(actor, "ingest.run")
        if speaks_for_operator(actor):  # an operator's user sends its own operator's files only
            if actor.operator_id is None:
                raise RawFileInvalid("", _("您的账号未关联运营商，不能上传原始数据；请联系管理员。"))
            operator = actor.operator
    if operator is None and request.operator:
        operator = Operator.objects.filter(code=request.operator).first()
        if operator is None:
            raise RawFileInvalid("", _("未知的运营商“%(o)s”") % {"o": request.operator})
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
        operator=operator,
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
    """Run the pipeline for ``run`` and preview what it would change; unless the request is a dry run, apply it
    (the command line; an upload is always a dry run until confirmed). The run records the outcome, whatever
    it is; the error (unreadable file, too many rejects) is raised again for the caller to show. ``ahead`` is the
    aggregation the command line started before the database was up: its outcome is taken if it was computed
    with the arguments the run has (``ahead.py``). While it works, the run records which process it is in and
    beats a heartbeat (``yangfan.jobs``), so that a run whose process was killed is found (``ingests.stale``)."""
    with heartbeat(partial(_heartbeat, run.pk)):
        return _execute(run=run, request=request, actor=actor, progress=progress, ahead=ahead)


def _heartbeat(run_id: int) -> None:
    IngestRun.objects.filter(pk=run_id, status=IngestStatus.RUNNING).update(heartbeat_at=timezone.now())


def _execute(
    *, run: IngestRun, request: IngestRequest, actor, progress: Progress | None, ahead: Ahead | None
) -> IngestRun:
    started = timezone.now() if ahead is None else min(timezone.now(), ahead.started_at)
    if actor is not None and not may(actor, "ingest.run", run):  # the role may have changed since the upload
        _finish(run, IngestStatus.FAILED, _("发起人已无权汇总原始数据。"), started, actor)
        raise PermissionDenied
    run.status = IngestStatus.RUNNING
    run.worker, run.heartbeat_at = process_identity(), timezone.now()
    run.save(update_fields=["status", "worker", "heartbeat_at"])
    parts_folder = inventory_folder() / str(run.pk)
    try:
        sites, run.sites_run = _sites_for(request)
        reference = ingest_reference()
        reference_remember(reference)
        arguments = aggregate_arguments(
            request,
            reference=reference,
            sites=sites,
            operator=run.operator.code if run.operator_id else "",
            kept=current_parts() if run.kind == IngestKind.BASE_STATIONS else (),
        )
        rejects_path = ingest_folder() / "rejects" / f"{run.pk}.csv"
        outcome = ahead.outcome(arguments, rejects_path, parts_folder) if ahead is not None else None
        if outcome is None:
            outcome = aggregate(
                **arguments,
                rejects_path=rejects_path,
                progress=progress,
                parts_folder=parts_folder if run.kind == IngestKind.BASE_STATIONS else None,
            )
    except TooManyRejects as exc:
        _record(run, exc.outcome, request)
        _drop_parts(parts_folder)
        _finish(run, IngestStatus.REFUSED, _refusal(run, exc), started, actor)
        raise
    except PipelineError as exc:
        _drop_parts(parts_folder)
        _finish(run, IngestStatus.FAILED, str(exc), started, actor)
        raise
    except Exception as exc:
        _drop_parts(parts_folder)
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
    # applied at once (the command line without --dry-run): nobody decides on the indicator effects, and the files
    # were hashed a moment ago; the comparison with the database is made all the same
    _preview(run, outcome, progress=progress, effects=request.dry_run)
    _finish(run, IngestStatus.PREVIEWED, "", started, actor)
    if not request.dry_run:
        ingest_apply(run=run, actor=actor, progress=progress, _files_checked=True)
    return run


def _refusal(run: IngestRun, exc: TooManyRejects) -> str:
    """Why a run was refused; an operator's file that holds another operator's rows says so first."""
    foreign = exc.outcome.rejected_by_reason.get("foreign", 0)
    if foreign and run.operator_id:
        return _("文件中有 %(n)s 行不属于%(operator)s，运营商只能上传本运营商的数据。%(rest)s") % {
            "n": foreign,
            "operator": run.operator.name,
            "rest": exc,
        }
    return str(exc)


def ingest(*, request: IngestRequest, actor=None, progress: Progress | None = None) -> IngestRun:
    """Create and execute a run in one go (the command line)."""
    run = ingest_create(request=request, actor=actor)
    return ingest_execute(run=run, request=request, actor=actor, progress=progress)


def _sites_for(request: IngestRequest) -> tuple[list[Path], IngestRun | None]:
    """The inventory cell traffic is placed by: the files given, else every operator's current inventory, else
    (a database from before per-operator inventories) the files of the last applied base-stations run, if they
    are still where it read them, unchanged."""
    if request.kind != IngestKind.CELL_TRAFFIC:
        return [], None
    if request.sites:
        return list(request.sites), None
    parts = _current_inventory()
    if parts:
        latest = max(parts, key=lambda p: p.run_id)
        return [Path(p.path) for p in parts], latest.run
    last = (
        IngestRun.objects.filter(kind=IngestKind.BASE_STATIONS, status=IngestStatus.DONE)
        .prefetch_related("files")
        .first()
    )
    if last is not None:
        files = [f for f in last.files.all() if f.role == FileRole.DATA]
        if files and all(_unchanged(f.path, f.size, f.sha256) for f in files):
            return [Path(f.path) for f in files], last
    raise SitesMissing(
        _(
            "小区流量须按基站清单确定所在区县：请用 --sites 指定基站清单文件，或先汇总并确认一次基站清单（其文件须仍在原处且未改动）"
        )
    )


def inventory_folder() -> Path:
    return ingest_folder() / "inventory"


def current_parts() -> list[KeptPart]:
    """Every operator's current base-station inventory: its part of the latest applied run (two queries)."""
    return [KeptPart(p.operator.code, Path(p.path)) for p in _current_inventory()]


def _current_inventory() -> list[InventoryPart]:
    """The rows of ``current_parts``, by operator code, with their operator and run."""
    latest = (
        InventoryPart.objects.filter(run__status=IngestStatus.DONE, removed_at__isnull=True)
        .values("operator")
        .annotate(last=Max("run"))
    )
    wanted = {(row["operator"], row["last"]) for row in latest}
    parts = InventoryPart.objects.filter(run__in={last for _, last in wanted}).select_related(
        "operator", "run"
    )
    return sorted((p for p in parts if (p.operator_id, p.run_id) in wanted), key=lambda p: p.operator.code)


def _drop_parts(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _unchanged(stored: str, size: int, sha256: str) -> bool:
    """Is the file at ``stored`` still there, of ``size`` bytes and digest ``sha256``?"""
    path = Path(stored)
    return path.is_file() and path.stat().st_size == size and fingerprint(path).sha256 == sha256


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
    run.period_first, run.period_last = (run.periods[0], run.periods[-1]) if run.periods else ("", "")
    run.operators = list(outcome.operators)
    run.warnings = {
        "count": outcome.warnings_count,
        "sites": outcome.warnings[:WARNINGS_KEPT],
        "missing_operators": list(outcome.missing_operators),
    }
    run.seconds = {k: round(v, 3) for k, v in outcome.seconds.items()}
    IngestFile.objects.bulk_create(
        IngestFile(run=run, role=f.role, name=f.path.name, path=str(f.path), size=f.size, sha256=f.sha256)
        for f in outcome.files
    )


def _finish(run: IngestRun, status: str, message: str, started, actor, *, stage: str = "run") -> None:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.seconds = {**run.seconds, stage: round((run.finished_at - started).total_seconds(), 3)}
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


def ingest_policy() -> IngestPolicy:
    """The office's rules for raw data (one row, made with the defaults on first use)."""
    policy = IngestPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = IngestPolicy.objects.create()
        policy.refresh_from_db()  # the defaults as the database holds them (a Decimal, not the int declared)
    return policy


def _preview(run: IngestRun, outcome: Outcome, *, progress: Progress | None, effects: bool = True) -> None:
    """Compare the figures with the database (and, with ``effects``, the annex indicators before and after) and
    keep them beside the run, for ``ingest_apply``."""
    if progress is not None:
        progress("preview", 0, 0)
    figures = [*outcome.figures, *_withdrawn(run, outcome)]
    rows = _rows(figures)
    stored = _stored(rows)
    conflicts, writable = _conflicts(rows, stored)
    added = [r for r in writable if r.key not in stored]
    changed = [r for r in writable if r.key in stored and stored[r.key] != r.value]
    run.conflicts = conflicts
    run.values_added, run.values_changed = len(added), len(changed)
    run.values_unchanged = len(writable) - len(added) - len(changed)
    moved = [*added, *changed]

    def write() -> None:
        datavalues_import(rows=moved, file=str(run), source=ValueSource.PIPELINE)

    moves = indicator_effects(moved, write) if moved and effects else []
    policy = ingest_policy()
    largest = largest_effect(moves)
    run.needs_province = (
        run.values_changed > policy.confirm_values_changed or largest > policy.confirm_indicator_change
    )
    run.preview = {
        "largest": largest_changes(changed, stored),
        "by_operator": _by_operator(added, changed),
        "effects": moves,
        "largest_effect": format(largest.normalize(), "f"),
        "thresholds": {
            "values_changed": policy.confirm_values_changed,
            "indicator_change": format(policy.confirm_indicator_change.normalize(), "f"),
        },
        "parts": [_part_record(part) for part in outcome.parts],
    }
    run.fingerprint = _fingerprint(run, rows, stored, conflicts)
    _figures_save(run, figures)


def _by_operator(added: Sequence[ParsedRow], changed: Sequence[ParsedRow]) -> dict[str, dict[str, int]]:
    """How many values of each operator ('' : the totals) applying would add and change: an operator's upload may
    write another's figures (a site it names as shared), and its uploader sees that it does."""
    counts: dict[str, dict[str, int]] = {}
    for kind, rows in (("added", added), ("changed", changed)):
        for row in rows:
            code = row.operator.code if row.operator else ""
            counts.setdefault(code, {"added": 0, "changed": 0})[kind] += 1
    return dict(sorted(counts.items()))


def _withdrawn(run: IngestRun, outcome: Outcome) -> list[Figure]:
    """A county's 5G stations that the inventories no longer hold: 0 where a stored figure of an operator whose
    inventory the run read (its files' or a kept one) is no longer produced, and where a stored total is not (the
    totals are the inventories' by design: a station withdrawn from an operator's inventory leaves its county at
    0, not at its old count). A figure entered by hand for an operator without an inventory here is left alone."""
    if run.kind != IngestKind.BASE_STATIONS or not outcome.figures:
        return []
    read = set(outcome.operators) | {Path(f.path).stem for f in outcome.files if f.role == FileRole.KEPT}
    produced = {(f.org_unit, f.period, f.operator) for f in outcome.figures}
    stored = DataValue.objects.filter(
        data_element__code="base_stations_5g",
        period__in={f.period for f in outcome.figures},
        org_unit__in=base_units(),
    ).filter(Q(operator__code__in=read) | Q(operator__isnull=True))
    return [
        Figure("base_stations_5g", unit, period, operator, Decimal(0))
        for unit, period, operator in stored.values_list("org_unit__code", "period", "operator__code")
        if (unit, period, operator) not in produced
    ]


def _part_record(part: KeptPart) -> dict:
    found = fingerprint(part.path)
    return {"operator": part.operator, "path": str(part.path), "size": found.size, "sha256": found.sha256}


def ingest_apply(
    *,
    run: IngestRun,
    actor=None,
    request=None,
    progress: Progress | None = None,
    _files_checked: bool = False,
) -> IngestRun:
    """Write a previewed run's values, if its files and the database are as the preview saw them. Who may: the
    uploader, or the province (only the province beyond the office's threshold); ``actor=None`` is the server's
    own command line."""
    if actor is not None and not may_apply_run(actor, run):
        deny(actor, "ingest.run", run, request=request)
    if run.status != IngestStatus.PREVIEWED:
        raise NotPreviewed(_not_awaiting(run))
    started = timezone.now()
    try:
        if not _files_checked:
            _files_unchanged(run)
        return _apply(run, actor, started, progress)
    except PreviewStale as exc:  # it can never be applied now: said on the run, its preview dropped
        run.refresh_from_db()
        if run.status != IngestStatus.PREVIEWED:
            raise NotPreviewed(_not_awaiting(run)) from None
        _finish(run, IngestStatus.DISCARDED, str(exc), started, actor, stage="apply")
        _preview_drop(run)
        raise


def _apply(run: IngestRun, actor, started, progress: Progress | None) -> IngestRun:
    if progress is not None:
        progress("apply", 0, 0)
    rows = _rows(_figures_load(run))
    with transaction.atomic():
        # one confirmation: a second confirmer waits here, then finds the run applied
        locked = IngestRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != IngestStatus.PREVIEWED:
            raise NotPreviewed(_not_awaiting(locked))
        stored = _stored(rows)
        conflicts, writable = _conflicts(rows, stored)
        if _fingerprint(run, rows, stored, conflicts) != run.fingerprint:
            raise PreviewStale(
                _("自预览以来，相关数据值、锁定状态或运营商基站清单已改变，未写入任何数据；请重新预览。")
            )

        def written(done: int, total: int) -> None:
            if progress is not None:
                progress("write", done, total)

        report = datavalues_import(
            rows=writable,
            actor=None
            if speaks_for_operator(actor)
            else actor,  # an operator's run writes the totals it recomputes
            file=str(run),
            source=ValueSource.PIPELINE,
            progress=written,
            ingest_run=run,
        )
        run.values_added = len(report.added)
        run.values_changed = len(report.changed)
        run.values_unchanged = len(report.unchanged)
        run.conflicts = conflicts
        _parts_adopt(run)
        run.confirmed_by = actor
        run.confirmed_at = timezone.now()
        _finish(run, IngestStatus.DONE, "", started, actor, stage="apply")
    _figures_path(run).unlink(missing_ok=True)
    if run.kind == IngestKind.BASE_STATIONS:
        reference_remember(sites=[p.path for p in current_parts()])
    return run


def ingest_discard(*, run: IngestRun, actor=None, request=None) -> IngestRun:
    """Drop a preview nobody will apply: nothing was written, its figures and inventory parts go."""
    if actor is not None and not may_apply_run(actor, run, discard=True):
        deny(actor, "ingest.run", run, request=request)
    with transaction.atomic():
        locked = IngestRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != IngestStatus.PREVIEWED:
            raise NotPreviewed(_not_awaiting(locked))
        _finish(
            run,
            IngestStatus.DISCARDED,
            _("预览未被采用，未写入任何数据。"),
            timezone.now(),
            actor,
            stage="discard",
        )
    _preview_drop(run)
    return run


def _preview_drop(run: IngestRun) -> None:
    """A preview nobody will apply: its figures and the inventory parts it wrote go."""
    _figures_path(run).unlink(missing_ok=True)
    _drop_parts(inventory_folder() / str(run.pk))


def _not_awaiting(run: IngestRun) -> str:
    return _("汇总批次 #%(n)s 不在待确认状态（%(s)s），未写入任何数据。") % {
        "n": run.pk,
        "s": run.get_status_display(),
    }


def _parts_adopt(run: IngestRun) -> None:
    """The run's inventory parts become their operators' current inventories."""
    records = run.preview.get("parts") or []
    if not records:
        return
    operators = {o.code: o for o in Operator.objects.filter(code__in=[r["operator"] for r in records])}
    InventoryPart.objects.bulk_create(
        InventoryPart(
            run=run, operator=operators[r["operator"]], path=r["path"], size=r["size"], sha256=r["sha256"]
        )
        for r in records
    )


def _files_unchanged(run: IngestRun) -> None:
    """Every file the preview read is where it was, with the same content; else ``PreviewStale``."""
    parts = [(r["path"], r["sha256"], r["size"]) for r in run.preview.get("parts") or []]
    files = [(f.path, f.sha256, f.size) for f in run.files.all()]
    for path, sha256, size in [*files, *parts]:
        if not _unchanged(path, size, sha256):
            raise PreviewStale(
                _("文件 %(name)s 自预览以来已改变或已不在原处，未写入任何数据；请重新上传并预览。")
                % {"name": Path(path).name}
            )
    if not _figures_path(run).is_file():
        raise PreviewStale(_("预览结果已不存在（可能已被清理），未写入任何数据；请重新预览。"))


def _fingerprint(run: IngestRun, rows: Sequence[ParsedRow], stored: dict, conflicts: list[dict]) -> str:
    """What applying depends on, as a digest: the stored values of the keys the run writes, which of them are
    locked, and (for inventories and the traffic placed by them) every operator's current inventory."""
    digest = hashlib.sha256()
    for key in sorted({r.key for r in rows}, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        value = stored.get(key)
        digest.update(repr((key, None if value is None else format(value.normalize(), "f"))).encode())
    for conflict in conflicts:
        digest.update(repr(sorted(conflict.items())).encode())
    if run.kind == IngestKind.BASE_STATIONS or (run.kind == IngestKind.CELL_TRAFFIC and run.sites_run_id):
        for part in current_parts():
            digest.update(f"{part.operator}\0{part.path}\0".encode())
    return digest.hexdigest()


def _figures_path(run: IngestRun) -> Path:
    return ingest_folder() / "previews" / f"{run.pk}.json.gz"


def _figures_save(run: IngestRun, figures: Sequence[Figure]) -> None:
    path = _figures_path(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [[f.data_element, f.org_unit, f.period, f.operator or "", str(f.value)] for f in figures]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(rows, handle, separators=(",", ":"))


def _figures_load(run: IngestRun) -> list[Figure]:
    with gzip.open(_figures_path(run), "rt", encoding="utf-8") as handle:
        rows = json.load(handle)
    return [
        Figure(de, org, period, operator or None, Decimal(value)) for de, org, period, operator, value in rows
    ]


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


def _stored(rows: list[ParsedRow]) -> dict[tuple, Decimal]:
    """The stored values of the data elements and periods ``rows`` write, by key."""
    if not rows:
        return {}
    return {
        (de, org, period, op): value
        for de, org, period, op, value in DataValue.objects.filter(
            period__in={r.period for r in rows}, data_element__in={r.data_element.pk for r in rows}
        ).values_list("data_element_id", "org_unit_id", "period", "operator_id", "value")
    }


def _conflicts(rows: list[ParsedRow], stored: dict[tuple, Decimal]) -> tuple[list[dict], list[ParsedRow]]:
    """Rows that would change a locked value: listed (stored and computed value, why it is locked) and left
    out; a row that leaves a locked value as it is passes."""
    if not rows:
        return [], rows
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
