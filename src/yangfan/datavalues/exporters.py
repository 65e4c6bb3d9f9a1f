"""Exporting data values: deterministic (same data, same bytes), sorted by data element, period, org unit
and operator."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

from django.db.models import QuerySet

from yangfan.datavalues.importers import DHIS2_KEYS
from yangfan.datavalues.models import DataValue

FIELDS = ("data_element", "period", "org_unit", "value", "operator", "comment")


def export_rows(queryset: QuerySet[DataValue]) -> list[dict[str, str]]:
    rows = queryset.values_list(
        "data_element__code", "period", "org_unit__code", "value", "operator__code", "comment"
    )
    out = [
        dict(zip(FIELDS, (de, period, org, format(value.normalize(), "f"), op or "", comment), strict=True))
        for de, period, org, value, op, comment in rows
    ]
    return sorted(out, key=lambda r: (r["data_element"], r["period"], r["org_unit"], r["operator"]))


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_dhis2(rows: list[dict[str, str]]) -> str:
    keys = {ours: theirs for theirs, ours in DHIS2_KEYS.items()}
    values = [{keys[k]: v for k, v in row.items() if v != ""} for row in rows]
    return json.dumps({"dataValues": values}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    """An XLSX workbook with the same columns, deterministic (:func:`xlsx_bytes`)."""
    from decimal import Decimal

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据值"
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append([Decimal(row[f]) if f == "value" else row[f] for f in FIELDS])
    return xlsx_bytes(workbook)


XLSX_EPOCH = datetime(2000, 1, 1)


def xlsx_bytes(workbook) -> bytes:
    """An openpyxl workbook's bytes with fixed document dates and archive timestamps: same data, same bytes.
    (``Workbook.save`` stamps the modification time itself, so the writer is called directly.)"""
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.created = workbook.properties.modified = XLSX_EPOCH
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_EPOCH.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()
