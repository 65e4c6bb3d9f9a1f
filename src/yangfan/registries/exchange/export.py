"""The export: a registry's entries as an XLSX workbook or a CSV file, the same bytes for the same entries."""

from __future__ import annotations

from django.utils import translation

from yangfan.documents.tables import csv_bytes
from yangfan.documents.xlsx import display_width, table_workbook, workbook_bytes
from yangfan.registries.exchange.columns import JOIN, SCALAR, Column, registry_columns
from yangfan.registries.specs import REGISTRIES, spec_or_none

YES, NO = "是", "否"


def registry_export(slug: str, queryset, fmt: str) -> bytes:
    """The entries of ``queryset`` (of registry ``slug``) as an XLSX workbook or a CSV file (UTF-8 with BOM,
    so that Excel reads the Chinese). Same entries, same bytes: rows sorted by org unit code and then by their
    cells; several related names joined by “、” (sectors in the plan's order, suppliers by name); dates as
    2023-05-01 (date cells in XLSX)."""
    columns = registry_columns(slug)
    related = [c for c in columns if c.kind not in SCALAR]
    queryset = queryset.select_related(*[c.field for c in related if not c.many])
    queryset = queryset.prefetch_related(*[c.field for c in related if c.many])
    at = [c.field for c in columns].index("org_unit")
    rows = sorted(
        ([_export_cell(entry, c) for c in columns] for entry in queryset),
        key=lambda row: (str(row[at]), *map(str, row)),
    )
    if fmt == "csv":
        return _csv_bytes(columns, rows)
    if fmt == "xlsx":
        return _xlsx_bytes(slug, columns, rows)
    raise ValueError(f"unknown export format {fmt!r}")


def _export_cell(entry, column: Column):
    """A cell's value: text, or a date or a year as itself (an XLSX date cell, an ISO date in CSV)."""
    value = getattr(entry, column.field)
    if column.many:  # sectors in the plan's order, suppliers by name
        return JOIN.join(
            _name(v) for v in sorted(value.all(), key=lambda v: (getattr(v, "position", 0), _name(v)))
        )
    if value is None:
        return ""
    if column.kind == "choice":
        return dict(column.choices).get(value, value)
    if column.kind == "bool":
        return YES if value else NO
    if column.kind in SCALAR:
        return value
    return value.code if column.kind == "orgunit" else _name(value)


def _name(obj) -> str:
    """What a file names a related thing by: an org unit's, sector's or operator's name, another registry's entry by
    the last of its spec's ``named_by`` (a name; a standard's title), which the import reads back."""
    spec = spec_or_none(type(obj))
    return getattr(obj, spec.named_by[-1]) if spec else obj.name


def _csv_bytes(columns: list[Column], rows: list[list]) -> bytes:
    return csv_bytes([c.header for c in columns], rows)


def _xlsx_bytes(slug: str, columns: list[Column], rows: list[list]) -> bytes:
    with translation.override("zh-hans"):
        title = str(REGISTRIES[slug]._meta.verbose_name_plural)
    widths = [
        min(60, max([display_width(c.header), *(display_width(str(row[i])) for row in rows)]) + 2)
        for i, c in enumerate(columns)
    ]
    return workbook_bytes(table_workbook(title, [c.header for c in columns], rows, widths=widths))
