"""The import: a file's rows checked cell by cell, matched to the entries they describe and written through
``entry_save`` in one transaction, or every bad row reported and nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.core.errors import ImportInvalid, RowError, RowErrors
from yangfan.registries.exchange.cells import Candidates, Row, cell_value
from yangfan.registries.exchange.columns import registry_columns
from yangfan.registries.exchange.lookups import Lookups
from yangfan.registries.exchange.reading import blank, file_read, header_read
from yangfan.registries.services import duplicate_of, entry_save, may_manage, may_read
from yangfan.registries.specs import CITY, REGISTRIES, SPECS

DENIED = "无权登记该地区的条目"


@dataclass
class ImportOutcome:
    """How many rows of an import created, changed or left as they were an entry."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


class _DryRun(Exception):
    pass


def registry_import(
    *, slug: str, content: bytes, file: str, actor, dry_run: bool = False, request=None
) -> ImportOutcome:
    """Import the rows of an XLSX or CSV file (UTF-8, or GB18030 as Chinese Excel saves CSV) into registry
    ``slug``, as ``actor``, in one transaction: raises ``ImportInvalid`` with every bad row and writes nothing
    when any row is bad. A dry run checks everything the real import would, then rolls it back.

    A file may leave out optional columns: an entry it updates keeps those values."""
    if slug not in REGISTRIES:
        raise ImportInvalid(file, [RowError(1, "", f"未知的登记簿“{slug}”")])
    columns = registry_columns(slug)
    table = file_read(content, file)
    if len(table) < 2:
        raise ImportInvalid(file, [RowError(1, "", "文件没有数据行")])
    header = table[0][1]
    mapping = header_read(header, columns, file)
    width = max(i for i, cell in enumerate(header) if not blank(cell)) + 1
    lookups = Lookups(actor)
    errors = RowErrors()  # past ERRORS_LISTED the checking (lookups, then writes) stops: only counted
    rows: list[Row] = []
    seen: dict = {}
    for index, (number, cells) in enumerate(table[1:], start=2):
        row, problems = _parse(number, cells, mapping, width, lookups)
        if not problems:
            key = _identity(slug, row, lookups)
            if key in seen:
                what = SPECS[slug].same_text
                problems.append(
                    RowError(number, "", f"与第 {seen[key]} 行是同一条目（{what}），请合并为一行")
                )
            else:
                seen[key] = number
        errors.extend(problems)
        if errors.full:
            raise errors.refusal(file, unchecked=len(table) - index)
        if not problems:
            rows.append(row)
    outcome = ImportOutcome()
    try:
        with transaction.atomic():
            for applied, row in enumerate(rows, start=1):
                errors.extend(_apply(slug, row, actor, request, outcome))
                if errors.full:
                    raise errors.refusal(file, unchecked=len(rows) - applied)
            if errors:
                raise errors.refusal(file)
            if dry_run:
                raise _DryRun
            if outcome.created or outcome.updated:
                audit_record(
                    action=AuditAction.IMPORT,
                    actor=actor,
                    request=request,
                    object_type=f"registries.{REGISTRIES[slug]._meta.model_name}",
                    object_repr=file,
                    detail=str(outcome),
                )
    except _DryRun:
        pass
    return outcome


def _parse(
    number: int, cells: list, mapping: dict, width: int, lookups: Lookups
) -> tuple[Row, list[RowError]]:
    """One row checked cell by cell: every problem of the row, not only the first. References to other
    entries (a benchmark's case, a case's VPN) are looked for in the row's city first."""
    row = Row(number)
    problems: list[RowError] = []
    beyond = [v for v in cells[width:] if not blank(v)]
    if beyond:
        problems.append(RowError(number, "", f"比表头多出 {len(beyond)} 个单元格"))
    placed = {column.field: (index, column, header) for index, (column, header) in mapping.items()}
    # the org unit first: references to other entries are looked for in its city
    order = sorted(placed.values(), key=lambda p: p[1].field != "org_unit")
    for index, column, header in order:
        raw = cells[index] if index < len(cells) else None
        row.cells[column.field] = header
        try:
            value = cell_value(raw, column, header, lookups, row)
        except ValueError as exc:
            problems.append(RowError(number, header, str(exc)))
            continue
        if column.many:
            row.many[column.field] = value
        else:
            row.values[column.field] = value
    position = {header: index for index, (_, header) in mapping.items()}
    return row, sorted(problems, key=lambda e: position.get(e.column, -1))


def _pick_among(value, current: set):
    """One of several candidates for a many-to-many value: the one already set, if any."""
    if not isinstance(value, Candidates):
        return value
    return value.pick(next((c.pk for c in value if c.pk in current), None))


def _first(value):
    return value.pick() if isinstance(value, Candidates) else value


def _identity(slug: str, row: Row, lookups: Lookups) -> tuple:
    """What ``services.duplicate_of`` compares (the spec's ``same_as``), as a key: two rows of a file with the same
    key are one entry."""
    key = []
    for name in SPECS[slug].same_as:
        if name == CITY:
            city = lookups.city(row.values["org_unit"])
            key.append(city.pk if city else None)
        else:
            value = _first(row.values[name])
            key.append(value.pk if isinstance(value, models.Model) else value)
    return tuple(key)


def _apply(slug: str, row: Row, actor, request, outcome: ImportOutcome) -> list[RowError]:
    """Create, update or leave the entry ``row`` describes; the row's errors, if any. The existing entry is checked
    as it is (read, to leave it; written, to change it), the entry as the row makes it by ``entry_save``."""
    model = REGISTRIES[slug]
    unit_header = row.cells["org_unit"]
    probe = model(**{name: _first(value) for name, value in row.values.items()})
    existing = duplicate_of(probe)
    many = {name: [_first(v) for v in values] for name, values in row.many.items()}
    if existing is None:
        entry = probe
    else:
        entry, kept = existing, may_manage(actor, existing)  # before the row changes it
        changed = False
        for name, value in row.values.items():
            f = model._meta.get_field(name)
            if isinstance(value, Candidates):
                value = value.pick(getattr(existing, f.attname))
            if not _same(existing, f, value):
                setattr(entry, name, value)
                changed = True
        for name, values in row.many.items():
            current = set(getattr(existing, name).values_list("pk", flat=True))
            many[name] = [_pick_among(v, current) for v in values]
            changed |= current != {v.pk for v in many[name]}
        if not changed:
            if not may_read(actor, existing):
                return [RowError(row.number, unit_header, DENIED)]
            outcome.unchanged += 1
            return []
        if not kept:
            return [RowError(row.number, unit_header, DENIED)]
    try:
        entry_save(actor=actor, entry=entry, m2m=many or None, request=request)
    except PermissionDenied:
        return [RowError(row.number, unit_header, DENIED)]
    except ValidationError as exc:
        return _validation_errors(row, exc, model)
    if existing is None:
        outcome.created += 1
    else:
        outcome.updated += 1
    return []


def _same(entry, model_field, value) -> bool:
    """Does ``entry`` already hold ``value`` (an object, for a reference) in ``model_field``?"""
    stored = getattr(entry, model_field.attname)
    return stored == (value.pk if model_field.is_relation and value is not None else value)


def _validation_errors(row: Row, exc: ValidationError, model) -> list[RowError]:
    """The model's own checks (``full_clean`` in ``entry_save``), each under the column of its field."""
    if not hasattr(exc, "error_dict"):
        return [RowError(row.number, "", message) for message in exc.messages]
    errors = []
    for name, problems in exc.message_dict.items():
        if name == NON_FIELD_ERRORS:
            column = ""
        else:
            column = row.cells.get(name)
            if column is None:
                with translation.override("zh-hans"):
                    column = str(model._meta.get_field(name).verbose_name)
        errors += [RowError(row.number, column, message) for message in problems]
    return errors
