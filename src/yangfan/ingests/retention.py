"""How long raw files are kept (issue 20): raw files and rejects go after a period, the lineage stays for ever.

A run's files are kept for ``retention_days()`` counted from the run (the office's ``IngestPolicy.retention_days``,
else the plan's period plus the year after it), then ``ingest_purge`` removes them: the files uploaded for it, its
rejects file and its preview figures, and its operators' inventories unless they are still current (the totals
are computed from them). The rows that describe them (``IngestFile``: name, size, SHA-256; every count on the
run) stay; ``removed_at`` and ``IngestRun.files_removed_at`` say when the file went, and one audit entry per run
says which.

What is never removed: a file that a run still inside the period (or still working) also uses (the same upload
is one file, however many runs read it; one written or sent again since the cutoff counts as used), a file outside
the data directory (the command line read it where the administrator keeps it), and an operator's current
inventory. A preview nobody confirmed within the period is discarded first.

The runs are read in batches, so the queries do not grow with the history (one batch: the runs, their files and
inventories, which of those paths other runs use, then the writes). A daily job (``ingest_purge_daily``) runs it
and enqueues its next run, as the other daily jobs do (``yangfan.jobs``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.actionplans.models import Plan
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record_many
from yangfan.config import data_dir
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.forms import upload_folder
from yangfan.ingests.models import IngestFile, IngestPolicy, IngestRun, InventoryPart
from yangfan.ingests.services import (
    NotPreviewed,
    _figures_path,
    current_parts,
    ingest_discard,
    inventory_folder,
)
from yangfan.jobs import next_run, schedule_daily

BATCH = 200  # runs read and cleared at a time
UNFINISHED = (IngestStatus.QUEUED, IngestStatus.RUNNING)  # still working: their files are left alone
NAMES_LISTED = 20  # file names an audit entry lists, the rest counted
LARGE = ("preview", "conflicts", "warnings")  # a run's fields a purge does not read


def retention_days() -> int | None:
    """Days a run's raw files are kept, from the run's creation: the office's setting, else the earliest plan's
    period plus the calendar year after it (the bundled plan, 2021-01-01 to 2023-12-31: 1,461 days, 2024 being a
    leap year); ``None`` when there is neither, and nothing is removed."""
    configured = IngestPolicy.objects.order_by("pk").values_list("retention_days", flat=True).first()
    if configured is not None:
        return configured
    plan = Plan.objects.order_by("start").only("start", "end").first()
    if plan is None:
        return None
    return (_year_after(plan.end) - plan.start).days + 1


def _year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove) and what it kept."""

    retention_days: int | None
    cutoff: datetime | None  # runs created before this are past the period
    dry_run: bool = False
    runs: int = 0  # runs whose raw files were cleared
    discarded: int = 0  # previews past the period nobody confirmed
    files_removed: int = 0  # uploads, rejects, previews and superseded inventories
    parts_removed: int = 0  # of which operators' inventories
    bytes_freed: int = 0
    kept_shared: int = 0  # files a run inside the period also uses
    kept_current: int = 0  # operators' current inventories
    kept_outside: int = 0  # command-line files outside the data directory: the administrator's
    failed: list[str] = field(default_factory=list)  # files that could not be removed: tried again next time

    def as_dict(self) -> dict[str, int]:
        return {
            "runs": self.runs,
            "discarded": self.discarded,
            "files_removed": self.files_removed,
            "parts_removed": self.parts_removed,
            "bytes_freed": self.bytes_freed,
            "kept_shared": self.kept_shared,
            "kept_current": self.kept_current,
            "kept_outside": self.kept_outside,
            "failed": len(self.failed),
        }

    def __str__(self) -> str:
        if self.retention_days is None:
            return _("尚未加载行动计划，也未设定原始文件保留天数：未清理任何文件。")
        values = {
            "days": self.retention_days,
            "date": timezone.localtime(self.cutoff).date().isoformat(),
            "runs": self.runs,
            "files": self.files_removed,
            "parts": self.parts_removed,
            "size": filesizeformat(self.bytes_freed).replace("\xa0", " "),
            "discarded": self.discarded,
        }
        if self.dry_run:
            text = _(
                "试运行，未删除任何文件。原始文件保留 %(days)s 天，%(date)s 之前发起的汇总批次已到期：将清理 %(runs)s 个汇总批次的原始文件，删除 %(files)s 个文件，释放 %(size)s"
            )
        else:
            text = _(
                "原始文件保留 %(days)s 天，%(date)s 之前发起的汇总批次已到期：已清理 %(runs)s 个汇总批次的原始文件，删除 %(files)s 个文件，释放 %(size)s"
            )
        if self.parts_removed:
            text += _("（其中运营商基站清单 %(parts)s 份）")
        if self.discarded:
            text += (
                _("；将放弃 %(discarded)s 个到期仍未确认的预览")
                if self.dry_run
                else _("；放弃了 %(discarded)s 个到期仍未确认的预览")
            )
        text %= values
        kept = [
            _("%(n)s 个仍被未到期批次使用的文件") % {"n": self.kept_shared} if self.kept_shared else "",
            _("%(n)s 份运营商现行基站清单") % {"n": self.kept_current} if self.kept_current else "",
            _("%(n)s 个数据目录之外的命令行文件（由管理员自行管理）") % {"n": self.kept_outside}
            if self.kept_outside
            else "",
        ]
        if any(kept):
            text += _("；保留 %(kept)s") % {"kept": "、".join(k for k in kept if k)}
        if self.failed:
            text += _("；%(n)s 个文件无法删除（%(names)s），下次清理时重试") % {
                "n": len(self.failed),
                "names": _names([Path(p).name for p in self.failed]),
            }
        return text + _("。文件名、大小、SHA-256 和各项计数永久保留。")


@dataclass
class _Work:
    """One run to clear: all its files (``whole``, a run past the period not cleared yet), or only its
    inventories superseded since it was cleared."""

    run: IngestRun
    whole: bool
    files: list[IngestFile]
    parts: list[InventoryPart]
    removed: list[str] = field(default_factory=list)  # what the audit entry names
    shared: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: bool = False


def ingest_purge(*, now: datetime | None = None, dry_run: bool = False, actor=None) -> PurgeReport:
    """Remove the raw files of every run past the retention period (see the module); ``dry_run``: remove
    nothing and report what would go. ``actor=None`` is the server (the daily job, the command line)."""
    now = now or timezone.now()
    days = retention_days()
    if days is None:
        return PurgeReport(retention_days=None, cutoff=None, dry_run=dry_run)
    cutoff = now - timedelta(days=days)
    report = PurgeReport(retention_days=days, cutoff=cutoff, dry_run=dry_run)
    current = {str(Path(part.path)) for part in current_parts()}
    clear = partial(_clear, report=report, now=now, cutoff=cutoff, actor=actor, current=current)
    # first the inventories of runs cleared before that have been superseded since
    superseded = (
        InventoryPart.objects.filter(
            run__created_at__lt=cutoff, run__files_removed_at__isnull=False, removed_at__isnull=True
        )
        .exclude(path__in=current)
        .select_related("run", "operator")
        .defer(*(f"run__{name}" for name in LARGE))
        .order_by("run", "pk")
    )
    by_run: dict[int, _Work] = {}
    for part in superseded:
        by_run.setdefault(part.run_id, _Work(part.run, False, [], [])).parts.append(part)
    works = list(by_run.values())
    for start in range(0, len(works), BATCH):
        clear(works[start : start + BATCH])
    # then the runs past the period not cleared yet
    pending = Prefetch(
        "parts", queryset=InventoryPart.objects.filter(removed_at__isnull=True).select_related("operator")
    )
    due = (
        IngestRun.objects.filter(created_at__lt=cutoff, files_removed_at__isnull=True)
        .exclude(status__in=UNFINISHED)
        .defer(*LARGE)
        .prefetch_related("files", pending)
        .order_by("pk")
    )
    last = 0
    while batch := list(due.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        clear([_Work(run, True, list(run.files.all()), list(run.parts.all())) for run in batch])
        if len(batch) < BATCH:
            break
    return report


def _clear(works: list[_Work], *, report: PurgeReport, now, cutoff, actor, current: set[str]) -> None:
    """Remove one batch's files, then record it: ``removed_at`` on what went, the runs cleared, the audit."""
    works = [work for work in works if _discarded(work, report)]
    data, uploads, inventories = data_dir(), upload_folder().resolve(), inventory_folder().resolve()
    candidates: dict[str, Path] = {}  # stored path: where it is, for each file a run past the period owns
    outside, kept = set(), set()
    for work in works:
        for stored in (f for f in work.files if f.removed_at is None):
            place = _inside(stored.path, data)
            if place is None:
                work.outside.append(stored.name)
                outside.add(stored.path)
            elif place.is_relative_to(uploads):
                candidates[stored.path] = place
            # else not an upload: another run's inventory, read as this run's sites, which goes with that run
        for part in work.parts:
            place = _inside(part.path, data)
            if str(Path(part.path)) in current:
                work.current.append(_part_name(part))
                kept.add(part.path)
            elif place is None:
                work.outside.append(_part_name(part))
                outside.add(part.path)
            else:
                candidates[part.path] = place
    shared = _used_elsewhere(list(candidates), cutoff)
    shared |= {
        s for s, place in candidates.items() if place.is_relative_to(uploads) and _sent_since(place, cutoff)
    }
    freed: dict[str, int | None] = {}  # stored path: bytes freed, None if it was gone already
    for stored, place in candidates.items():
        if stored in shared:
            continue
        try:
            prune = uploads if place.is_relative_to(uploads) else inventories
            freed[stored] = _remove(place, dry_run=report.dry_run, prune=prune)
        except OSError:
            report.failed.append(stored)
    gone_files, gone_parts = [], []
    for work in works:
        for row, name, gone in [
            *((f, f.name, gone_files) for f in work.files if f.path in candidates and f.removed_at is None),
            *((p, _part_name(p), gone_parts) for p in work.parts if p.path in candidates),
        ]:
            if row.path in shared:
                work.shared.append(name)
            elif row.path not in freed:  # could not be removed
                work.failed = True
            else:
                gone.append(row.pk)
                if freed[row.path] is not None:
                    work.removed.append(name)
        if work.whole:
            _clear_own(work, report)
    removed = {path: size for path, size in freed.items() if size is not None}
    report.files_removed += len(removed)
    report.parts_removed += len({p.path for work in works for p in work.parts if p.path in removed})
    report.bytes_freed += sum(removed.values())
    report.kept_shared += len(shared)
    report.kept_current += len(kept)
    report.kept_outside += len(outside)
    if report.dry_run:
        report.runs += sum(work.whole for work in works)
        return
    _record(works, report=report, now=now, actor=actor, gone_files=gone_files, gone_parts=gone_parts)


def _discarded(work: _Work, report: PurgeReport) -> bool:
    """A preview nobody confirmed within the period is discarded (its figures and inventories go with it);
    ``False`` when it was applied or discarded meanwhile (then it is left for the next purge)."""
    if not work.whole or work.run.status != IngestStatus.PREVIEWED:
        return True
    found = [_measure(_figures_path(work.run)), _measure(inventory_folder() / str(work.run.pk))]
    if not report.dry_run:
        try:
            ingest_discard(run=work.run, actor=None)
        except NotPreviewed:
            return False
    report.discarded += 1
    report.files_removed += sum(n for n, _size in found)
    report.bytes_freed += sum(size for _n, size in found)
    if found[0][0]:
        work.removed.append(_("预览结果"))
    if found[1][0]:
        work.removed.append(_("预览的基站清单"))
    return True


def _clear_own(work: _Work, report: PurgeReport) -> None:
    """The files only this run has: its rejects and its preview figures."""
    own = [(_("拒收行文件"), work.run.rejects_file)] if work.run.rejects_file else []
    if work.run.status != IngestStatus.PREVIEWED:  # a discarded preview's figures are counted already
        own.append((_("预览结果"), str(_figures_path(work.run))))
    for label, stored in own:
        place = _inside(stored, data_dir())
        if place is None:
            continue
        try:
            size = _remove(place, dry_run=report.dry_run)
        except OSError:
            report.failed.append(stored)
            work.failed = True
            continue
        if size is not None:
            report.files_removed += 1
            report.bytes_freed += size
            work.removed.append(label)


def _record(works: list[_Work], *, report: PurgeReport, now, actor, gone_files, gone_parts) -> None:
    """Write what went: ``removed_at``, the cleared runs and one audit entry per run, in one transaction."""
    with transaction.atomic():
        whole = [work.run.pk for work in works if work.whole and not work.failed]
        # another purge may have cleared a run meanwhile: its entry is written once
        claimed = set(
            IngestRun.objects.select_for_update()
            .filter(pk__in=whole, files_removed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        IngestFile.objects.filter(pk__in=gone_files, removed_at__isnull=True).update(removed_at=now)
        InventoryPart.objects.filter(pk__in=gone_parts, removed_at__isnull=True).update(removed_at=now)
        IngestRun.objects.filter(pk__in=claimed).update(files_removed_at=now)
        report.runs += len(claimed)
        entries = [
            {"action": AuditAction.DELETE, "obj": work.run, "detail": _detail(work, report.retention_days)}
            for work in works
            if work.run.pk in claimed or (work.removed and (not work.whole or work.failed))
        ]
        audit_record_many(entries, actor=actor)


def _detail(work: _Work, days: int | None) -> str:
    text = _("原始文件保留期限 %(days)s 天已满") % {"days": days}
    if work.removed:
        text += _("，已删除：%(names)s") % {"names": _names(work.removed)}
    elif work.whole:
        text += _("，已无文件可删除")
    if work.shared:
        text += _("；仍被未到期批次使用而保留：%(names)s") % {"names": _names(work.shared)}
    if work.current:
        text += _("；运营商现行基站清单保留：%(names)s") % {"names": _names(work.current)}
    if work.outside:
        text += _("；数据目录之外的文件未删除（由管理员自行管理）：%(names)s") % {
            "names": _names(work.outside)
        }
    if work.failed:
        text += _("；部分文件无法删除，下次清理时重试")
    return text + _("。文件名、大小和 SHA-256 仍保留。")


def _names(names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    listed = "、".join(unique[:NAMES_LISTED])
    return (
        listed
        if len(unique) <= NAMES_LISTED
        else _("%(listed)s 等 %(n)s 个") % {"listed": listed, "n": len(unique)}
    )


def _part_name(part: InventoryPart) -> str:
    return _("%(operator)s基站清单") % {"operator": part.operator.name}


def _inside(stored: str, folder: Path) -> Path | None:
    """Where ``stored`` really is, if that is inside ``folder`` (a link out of it is not)."""
    place = Path(stored).resolve()
    return place if place.is_relative_to(folder) else None


def _used_elsewhere(paths: list[str], cutoff: datetime) -> set[str]:
    """Which of ``paths`` a run still inside the period (or still working) also uses."""
    if not paths:
        return set()
    live = Q(run__created_at__gte=cutoff) | Q(run__status__in=UNFINISHED)
    files = IngestFile.objects.filter(live, path__in=paths).order_by().values_list("path", flat=True)
    parts = InventoryPart.objects.filter(live, path__in=paths).order_by().values_list("path", flat=True)
    return {*files, *parts}


def _sent_since(place: Path, cutoff: datetime) -> bool:
    """An upload written (or sent again) since ``cutoff``: a run inside the period may be about to read it though
    it has no lineage row yet (those are written when the pipeline has read the files)."""
    try:
        return place.stat().st_mtime >= cutoff.timestamp()
    except FileNotFoundError:
        return False


def _remove(place: Path, *, dry_run: bool, prune: Path | None = None) -> int | None:
    """Delete a file; its size, ``None`` if it was gone already. Its folder goes too once empty, up to ``prune``
    (``uploads/<sha256>/``, ``inventory/<run>/``)."""
    try:
        size = place.stat().st_size
    except FileNotFoundError:
        return None
    if not dry_run:
        place.unlink()
        if prune is not None and place.parent != prune and place.parent.is_relative_to(prune):
            with contextlib.suppress(OSError):  # not empty: another file of the same folder stays
                place.parent.rmdir()
    return size


def _measure(place: Path) -> tuple[int, int]:
    """Files and bytes at ``place``, a file or a folder."""
    if place.is_file():
        return 1, place.stat().st_size
    files = [p for p in place.rglob("*") if p.is_file()] if place.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


# --- the daily job ------------------------------------------------------------------------------------------


@task()
def ingest_purge_daily() -> dict[str, int]:
    """The background job: today's purge, then the next run tomorrow morning."""
    try:
        return ingest_purge().as_dict()
    finally:
        ingest_purge_schedule(run_after=next_run())


def ingest_purge_schedule(*, run_after: datetime | None = None) -> bool:
    """Enqueue a run of the daily purge unless one is already waiting (``jobs.schedule_daily``)."""
    return schedule_daily(ingest_purge_daily, run_after=run_after)
