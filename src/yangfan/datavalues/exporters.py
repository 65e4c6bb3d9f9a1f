"""Exporting data values: deterministic (same data, same bytes), sorted by data element, period, org unit
and operator."""

from __future__ import annotations

import csv
import io
import json

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
