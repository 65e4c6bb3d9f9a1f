"""Writing data values: all or nothing, idempotent, scoped and audited.

An import is written in bulk so that it scales to a province's county × operator × month figures (the demo
set alone is ~95,000 rows): one query reads what is stored for the file's periods and data elements, new
values go in with ``bulk_create`` and changed ones with ``bulk_update``, in batches, and every added or
changed value still gets its own audit entry with the old and new value, appended in one go by
``audit_record_many`` (the same hash chain as one ``audit_record`` per value, in the file's row order).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import may, writes_operator
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict
from yangfan.audit.services import audit_record, audit_record_many
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.datavalues.choices import ValueSource
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.limits import rows_refused
from yangfan.datavalues.models import DataValue, datavalue_label
from yangfan.datavalues.selectors import stored_values_readable
from yangfan.datavalues.totals import totals_refresh, touched_by

BATCH = 2000  # rows per bulk write (and per progress report)
# A write of this many rows or more gets a larger SQLite page cache while it runs (``_bulk_page_cache``).
BULK_ROWS = 20_000
BULK_CACHE_KIB = 256 * 1024
_LABEL = DataValue._meta.label_lower  # the audit entries' object type
UPDATED_FIELDS = ["value", "comment", "source", "ingest_run", "updated_by", "updated_at"]

# done, total: called after each batch of rows written (a terminal or a page can show progress)
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # row numbers
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    dry_run: bool = False

    def __str__(self) -> str:
        head = "（试运行，未写入）" if self.dry_run else ""
        return f"{head}新增 {len(self.added)} 行，修改 {len(self.changed)} 行，未变 {len(self.unchanged)} 行"


class _DryRun(Exception):
    pass


# What refuses rows that would change a locked value: a ``RowError`` for each such row. The app that locks values
# (collection: submitted and approved reports, ``collection.services.locked_row_errors``) builds on this one, so it
# registers its check when it is ready (``lock_check_register``) and the one write path asks it without knowing it.
LockCheck = Callable[[list[ParsedRow]], list[RowError]]
_lock_checks: list[LockCheck] = []


def lock_check_register(check: LockCheck) -> None:
    """Have every import ask ``check`` which of the rows it adds or changes are locked (once per check)."""
    if check not in _lock_checks:
        _lock_checks.append(check)


def _refuse_locked(rows: list[ParsedRow], report: ImportReport, file: str) -> None:
    """Roll back (by raising ``ImportInvalid``) when a row would add or change a value of a submitted or approved
    report; a row that leaves a locked value as it is passes, so re-importing the same file still works."""
    touched = set(report.added) | set(report.changed)
    written = [r for r in rows if r.row in touched]
    locked = [error for check in _lock_checks for error in check(written)]
    if locked:
        raise ImportInvalid(file, locked)


def datavalues_import(
    *,
    rows: list[ParsedRow],
    actor=None,
    file: str = "",
    source: str = ValueSource.IMPORT,
    dry_run: bool = False,
    request=None,
    progress: Progress | None = None,
    ingest_run=None,
) -> ImportReport:
    """Write ``rows`` in one transaction. ``actor=None`` is the server's own command line (no scope).

    A dry run writes everything and rolls it back, so that it fails where the real import would.
    ``progress(done, total)`` is called as the rows are written. ``ingest_run`` is the pipeline's run the
    values come from (their lineage); any other write clears it.
    """
    if actor is not None:
        allowed: dict[int, bool] = {}  # one answer per org unit, however many rows it has
        refused = [
            RowError(r.row, "地区", f"无权填报 {r.org_unit.name} 的数据")
            for r in rows
            if not allowed.setdefault(r.org_unit.pk, may(actor, "data.capture", r.org_unit))
        ]
        refused += [  # an operator's users write their own operator's figures only
            RowError(r.row, "运营商", "只能填报本运营商的数据")
            for r in rows
            if not writes_operator(actor, r.operator.pk if r.operator else None)
        ]
        if refused:
            raise ImportInvalid(file, refused)
    refused = rows_refused(rows)  # numbers the column or the data element cannot hold, periods out of range
    if refused:
        raise ImportInvalid(file, refused)
    report = ImportReport(dry_run=dry_run)
    try:
        with _bulk_page_cache(len(rows)), transaction.atomic():
            with stored_values_readable():  # a value stored before the limits, too large to read: named
                _write(rows, actor, source, report, request, progress, ingest_run)
            _refuse_locked(rows, report, file)
            if dry_run:
                raise _DryRun
            written = set(report.added) | set(report.changed)
            totals_refresh(touched=touched_by(r for r in rows if r.row in written))
            if written:  # the summary entry commits with the data, or neither does
                audit_record(
                    action=AuditAction.IMPORT,
                    actor=actor,
                    request=request,
                    object_type="datavalues.datavalue",
                    object_repr=file,
                    detail=str(report),
                )
    except _DryRun:
        pass
    return report


@contextmanager
def _bulk_page_cache(rows: int):
    """On SQLite, a page cache of ``BULK_CACHE_KIB`` for a write of ``BULK_ROWS`` rows or more, the connection's own
    size again afterwards. A new period's values go in all over the values' unique index (element, unit, period,
    operator) and the stored totals' (plan, unit, period, element): with SQLite's default 2 MiB cache, every
    insert into an index of a million rows reads its pages anew."""
    connection = connections[router.db_for_write(DataValue)]
    if connection.vendor != "sqlite" or rows < BULK_ROWS:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


def _text(value) -> str:
    return format(value.normalize(), "f")


def _write(
    rows: list[ParsedRow],
    actor,
    source: str,
    report: ImportReport,
    request,
    progress: Progress | None,
    ingest_run=None,
) -> None:
    existing = _stored(rows)
    total, done = len(rows), 0
    for start in range(0, total, BATCH):
        batch = rows[start : start + BATCH]
        for _attempt in range(INSERT_ATTEMPTS):
            try:
                with transaction.atomic():  # a savepoint: a lost race for a new key undoes this batch only
                    added, changed, unchanged = _write_batch(
                        batch, existing, actor, source, request, ingest_run
                    )
                break
            except IntegrityError:
                if not _inserted_meanwhile(batch, existing):
                    raise  # not a concurrent insert of the same keys: a fault, not a race
        else:
            raise Conflict(_("另一项导入正在同时写入相同的数据，本次导入未写入任何数据；请稍后重新导入。"))
        report.added += added
        report.changed += changed
        report.unchanged += unchanged
        done += len(batch)
        if progress is not None:
            progress(done, total)


# A batch whose new keys another import inserted first is written again, as changes to the values that import
# stored (``_inserted_meanwhile``); this many times, then the import is refused as a conflict.
INSERT_ATTEMPTS = 3


def _stored(rows: list[ParsedRow]) -> dict[tuple, tuple]:
    """What is stored under the keys of ``rows``: ``(pk, value, comment)`` by key, the rows locked until the
    import's transaction ends. A concurrent import of the same keys waits here for this one (on PostgreSQL; on
    SQLite the transaction's write lock, taken at BEGIN, already serialises them), then reads what this one
    wrote: the "old" of every audit entry is the value actually replaced, never one read before another import
    changed it. Only the file's units, data elements and periods are read (and locked)."""
    stored = (
        _around(rows)
        .order_by("pk")  # one lock order for every import: two never wait for each other in a cycle
        .select_for_update(of=("self",))
        .values_list("data_element_id", "org_unit_id", "period", "operator_id", "pk", "value", "comment")
    )
    keys = {r.key for r in rows}
    return {
        (de, org, period, op): (pk, value, comment)
        for de, org, period, op, pk, value, comment in stored
        if (de, org, period, op) in keys
    }


def _inserted_meanwhile(batch: list[ParsedRow], existing: dict[tuple, tuple]) -> bool:
    """After an INSERT of ``batch``'s new keys failed on the unique key: read those keys again (locked) into
    ``existing``, so that the batch is written again as changes to what the other import stored. False when none
    of them is stored: the failure was something else."""
    new = [r for r in batch if r.key not in existing]
    found = _stored(new) if new else {}
    existing.update(found)
    return bool(found)


def _write_batch(
    batch: list[ParsedRow], existing: dict[tuple, tuple], actor, source: str, request, ingest_run
) -> tuple[list[int], list[int], list[int]]:
    """Write one batch (new values inserted, changed ones updated, each with its audit entry in the file's row
    order); return the row numbers added, changed and unchanged."""
    actor_pk = actor.pk if actor is not None else None
    run_pk = ingest_run.pk if ingest_run is not None else None
    now = timezone.now()
    added: list[ParsedRow] = []
    changed: list[tuple[DataValue, dict]] = []
    rows_added: list[int] = []
    rows_changed: list[int] = []
    rows_unchanged: list[int] = []
    order: list[tuple[ParsedRow | DataValue, dict | None]] = []  # audit entries in the file's row order
    for row in batch:
        current = existing.get(row.key)
        if current is None:
            added.append(row)
            order.append((row, None))
            rows_added.append(row.row)
            continue
        pk, old_value, old_comment = current
        if old_value == row.value and old_comment == row.comment:
            rows_unchanged.append(row.row)
            continue
        changes = {"value": [_text(old_value), _text(row.value)]}
        if old_comment != row.comment:
            changes["comment"] = [old_comment, row.comment]
        value = _value(row, source, actor, pk=pk, updated_at=now, ingest_run=ingest_run)
        changed.append((value, changes))
        order.append((value, changes))
        rows_changed.append(row.row)
    keys = _insert(added, source, actor_pk, run_pk, now) if added else {}
    if changed:
        DataValue.objects.bulk_update([v for v, _changes in changed], UPDATED_FIELDS, batch_size=500)
    audit_record_many(
        [
            {"action": AuditAction.UPDATE, "obj": value, "changes": changes}
            if changes is not None
            else {
                "action": AuditAction.CREATE,
                "object_type": _LABEL,
                "object_id": keys[value.key],
                "object_repr": datavalue_label(
                    value.data_element.code, value.org_unit.code, value.period, value.key[3], value.value
                ),
                "changes": {"value": [None, _text(value.value)]},
            }
            for value, changes in order
        ],
        actor=actor,
        request=request,
    )
    return rows_added, rows_changed, rows_unchanged


def _value(row: ParsedRow, source: str, actor, **extra) -> DataValue:
    """The stored value for ``row``; its data element, org unit and operator are the row's own objects, so
    its text (the audit entry's object) needs no query."""
    return DataValue(
        data_element=row.data_element,
        org_unit=row.org_unit,
        period=row.period,
        operator=row.operator,
        value=row.value,
        comment=row.comment,
        source=source,
        updated_by=actor,
        **extra,
    )


def _insert(rows: list[ParsedRow], source: str, actor_pk, run_pk, now) -> dict[tuple, str]:
    """INSERT new values with ``executemany`` and return their primary keys (as text, by the rows' keys). A
    pipeline run or a province's import adds tens of thousands at once: neither model instances nor
    ``bulk_create``'s per-field preparation are built for them, the rows go in as the fields would prepare them
    (a decimal as the database adapts it, one timestamp for the batch; keys and text as they are)."""
    connection = connections[router.db_for_write(DataValue)]
    opts = DataValue._meta
    value_field = opts.get_field("value")
    stamp = opts.get_field("updated_at").get_db_prep_save(now, connection)
    columns = ["data_element_id", "org_unit_id", "period", "operator_id", "value", "source", "comment"]
    columns += ["updated_by_id", "updated_at", "ingest_run_id"]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(opts.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    adapt = connection.ops.adapt_decimalfield_value
    digits, places = value_field.max_digits, value_field.decimal_places
    # in key order: two imports inserting the same new keys meet on the first of them, never each holding one the
    # other waits for (the loser's batch is then read again and written as changes, ``_write``)
    ordered = sorted(rows, key=lambda r: (r.key[0], r.key[1], r.key[2], r.key[3] or 0))
    params = [
        (*r.key, adapt(r.value, digits, places), source, r.comment, actor_pk, stamp, run_pk) for r in ordered
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
    return _fetch_keys(rows)


def _around(rows: list[ParsedRow]):
    """The stored values of the rows' periods, data elements and units, a superset of their keys that one
    indexed query reads (the units too: a file holds a few, the table all of them)."""
    return DataValue.objects.filter(
        period__in={r.period for r in rows},
        data_element__in={r.data_element.pk for r in rows},
        org_unit__in={r.org_unit.pk for r in rows},
    )


def _fetch_keys(rows: list[ParsedRow]) -> dict[tuple, str]:
    keys = {r.key for r in rows}
    stored = _around(rows).values_list("data_element_id", "org_unit_id", "period", "operator_id", "pk")
    return {
        (de, org, period, op): str(pk) for de, org, period, op, pk in stored if (de, org, period, op) in keys
    }
