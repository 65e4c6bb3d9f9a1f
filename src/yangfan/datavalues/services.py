"""Writing data values: all or nothing, idempotent, scoped and audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from yangfan.accounts.permissions import may
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.datavalues.choices import ValueSource
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue


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


def datavalues_import(
    *,
    rows: list[ParsedRow],
    actor=None,
    file: str = "",
    source: str = ValueSource.IMPORT,
    dry_run: bool = False,
    request=None,
) -> ImportReport:
    """Write ``rows`` in one transaction. ``actor=None`` is the server's own command line (no scope)."""
    if actor is not None:
        refused = [
            RowError(r.row, "地区", f"无权填报 {r.org_unit.name} 的数据")
            for r in rows
            if not may(actor, "data.capture", r.org_unit)
        ]
        if refused:
            raise ImportInvalid(file, refused)
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(rows, actor, source, report, request)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if not dry_run and (report.added or report.changed):
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor,
            request=request,
            object_type="datavalues.datavalue",
            object_repr=file,
            detail=str(report),
        )
    return report


def _write(rows: list[ParsedRow], actor, source: str, report: ImportReport, request) -> None:
    existing = {
        (v.data_element_id, v.org_unit_id, v.period, v.operator_id): v
        for v in DataValue.objects.filter(period__in={r.period for r in rows})
    }
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            value = DataValue.objects.create(
                data_element=row.data_element,
                org_unit=row.org_unit,
                period=row.period,
                operator=row.operator,
                value=row.value,
                comment=row.comment,
                source=source,
                updated_by=actor,
            )
            report.added.append(row.row)
            audit_record(
                action=AuditAction.CREATE,
                actor=actor,
                obj=value,
                request=request,
                changes={"value": [None, format(row.value.normalize(), "f")]},
            )
        elif current.value != row.value or current.comment != row.comment:
            changes = {"value": [format(current.value.normalize(), "f"), format(row.value.normalize(), "f")]}
            if current.comment != row.comment:
                changes["comment"] = [current.comment, row.comment]
            current.value, current.comment, current.source, current.updated_by = (
                row.value,
                row.comment,
                source,
                actor,
            )
            current.save()
            report.changed.append(row.row)
            audit_record(
                action=AuditAction.UPDATE, actor=actor, obj=current, request=request, changes=changes
            )
        else:
            report.unchanged.append(row.row)
