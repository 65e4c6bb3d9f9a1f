"""Exporting data values: deterministic (same data, same bytes), sorted by data element, period, org unit
and operator. A comment that a spreadsheet program would run as a formula is written as text
(``yangfan.documents``); the import reads it back as it was."""

from __future__ import annotations

import json

from django.db.models import QuerySet

from yangfan.datavalues.importers import DHIS2_KEYS
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.selectors import stored_values_readable
from yangfan.documents.tables import csv_bytes
from yangfan.documents.xlsx import workbook_bytes

FIELDS = ("data_element", "period", "org_unit", "value", "operator", "comment")


def export_rows(queryset: QuerySet[DataValue]) -> list[dict[str, str]]:
    rows = queryset.values_list(
        "data_element__code", "period", "org_unit__code", "value", "operator__code", "comment"
    )
    with stored_values_readable():
        out = [
            dict(
                zip(FIELDS, (de, period, org, format(value.normalize(), "f"), op or "", comment), strict=True)
            )
            for de, period, org, value, op, comment in rows
        ]
    return sorted(out, key=lambda r: (r["data_element"], r["period"], r["org_unit"], r["operator"]))


def to_csv(rows: list[dict[str, str]]) -> str:
    """The exchange format of DESIGN.md: UTF-8 without a byte-order mark, a line per value."""
    table = ([row[f] for f in FIELDS] for row in rows)
    return csv_bytes(FIELDS, table, bom=False, newline="\n").decode("utf-8")


def to_dhis2(rows: list[dict[str, str]]) -> str:
    keys = {ours: theirs for theirs, ours in DHIS2_KEYS.items()}
    values = [{keys[k]: v for k, v in row.items() if v != ""} for row in rows]
    return json.dumps({"dataValues": values}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    """An XLSX workbook with the same columns, deterministic (``documents.xlsx.workbook_bytes``)."""
    from decimal import Decimal

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据值"
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append([Decimal(row[f]) if f == "value" else row[f] for f in FIELDS])
    return workbook_bytes(workbook)
