"""Reading data value files into checked rows. Every bad row is reported at once, with its row number as a
spreadsheet shows it (the header is row 1), its column and the reason; nothing is returned half-checked."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from yangfan.actionplans.models import DataElement, Operator
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.core.numbers import NumberError, parse_number
from yangfan.core.periods import Period, PeriodError
from yangfan.documents.cells import restored
from yangfan.documents.tables import csv_decoded
from yangfan.orgunits.models import OrgUnit

COLUMNS = {
    "data_element": ("data_element", "数据项"),
    "period": ("period", "期间"),
    "org_unit": ("org_unit", "地区"),
    "value": ("value", "值"),
    "operator": ("operator", "运营商"),
    "comment": ("comment", "备注"),
}
REQUIRED = ("data_element", "period", "org_unit", "value")


@dataclass(frozen=True)
class ParsedRow:
    row: int
    data_element: DataElement
    org_unit: OrgUnit
    period: str
    operator: Operator | None
    value: Decimal
    comment: str = ""
    # (data element, org unit, period, operator) as stored: computed once, a large import asks for it often
    key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        operator = self.operator.pk if self.operator is not None else None
        object.__setattr__(self, "key", (self.data_element.pk, self.org_unit.pk, self.period, operator))


# DHIS2 dataValueSets keys; the operator travels as the attribute option combo.
DHIS2_KEYS = {
    "dataElement": "data_element",
    "period": "period",
    "orgUnit": "org_unit",
    "value": "value",
    "attributeOptionCombo": "operator",
    "comment": "comment",
}


def read_table(path: Path) -> list[dict[str, str]]:
    """A CSV file (UTF-8 with or without BOM, or GB18030/GBK), or DHIS2 ``dataValueSets`` JSON, as dicts
    keyed by column names. JSON entries count as rows from 2, as if the file had a header row."""
    if path.suffix.lower() == ".json":
        return _read_dhis2(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    text = csv_decoded(path.read_bytes())
    if text is None:
        raise ImportInvalid(str(path), [RowError(1, "", "无法识别文件编码（应为 UTF-8 或 GB18030）")])
    return list(csv.DictReader(io.StringIO(text)))


def _read_dhis2(path: Path) -> list[dict[str, str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportInvalid(str(path), [RowError(1, "", f"不是有效的 JSON：{exc}")]) from None
    entries = document.get("dataValues") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ImportInvalid(
            str(path), [RowError(1, "", '应为 DHIS2 dataValueSets 格式：{"dataValues": [...]}')]
        )
    records = [
        {DHIS2_KEYS.get(k, k): "" if v is None else str(v) for k, v in entry.items()} for entry in entries
    ]
    columns = {key for record in records for key in record}  # an entry may leave out what another has
    return [{key: record.get(key, "") for key in sorted(columns)} for record in records]


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    """The first sheet; row 1 is the header. Numbers are read as the cell holds them."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportInvalid(str(path), [RowError(1, "", f"不是有效的 XLSX 文件：{exc}")]) from None
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return [
        dict(zip(header, map(text, row), strict=False)) for row in rows[1:] if any(v is not None for v in row)
    ]


def _lookup(model, *, by_name: bool = True) -> dict[str, object]:
    found: dict[str, object] = {}
    names: dict[str, list] = {}
    for obj in model.objects.all():
        found[obj.code] = obj
        if by_name:
            names.setdefault(obj.name, []).append(obj)
    for name, objs in names.items():
        found.setdefault(name, objs[0] if len(objs) == 1 else None)  # None: the name is ambiguous
    return found


def parse_rows(records: list[dict[str, str]], file: str) -> list[ParsedRow]:
    if not records:
        raise ImportInvalid(file, [RowError(1, "", "文件没有数据行")])
    header = {key.strip() if key else "": key for key in records[0]}
    columns: dict[str, str] = {}
    for column, names in COLUMNS.items():
        for name in names:
            if name in header:
                columns[column] = header[name]
    missing = [COLUMNS[f][1] + "/" + f for f in REQUIRED if f not in columns]
    if missing:
        raise ImportInvalid(file, [RowError(1, "", "缺少列：" + "、".join(missing))])
    tables = {
        "data_element": _lookup(DataElement),
        "org_unit": _lookup(OrgUnit),
        "operator": _lookup(Operator),
    }
    rows, errors, seen = [], [], {}
    for number, record in enumerate(records, start=2):
        parsed, problems = _parse_record(number, record, columns, tables)
        if problems:
            errors.extend(problems)
            continue
        if parsed.key in seen:
            errors.append(
                RowError(number, "", f"与第 {seen[parsed.key]} 行重复（同一数据项、地区、期间和运营商）")
            )
            continue
        seen[parsed.key] = number
        rows.append(parsed)
    if errors:
        raise ImportInvalid(file, errors)
    return rows


WHAT = {"data_element": "数据项", "org_unit": "地区", "operator": "运营商"}


def _parse_record(
    number: int, record: dict, columns: dict, tables: dict
) -> tuple[ParsedRow | None, list[RowError]]:
    """One row checked cell by cell: every problem of the row, not only the first."""
    problems: list[RowError] = []

    def cell(field: str) -> str:
        return (record.get(columns[field]) or "").strip() if field in columns else ""

    def resolve(field: str):
        text, what = cell(field), WHAT[field]
        if not text:
            problems.append(RowError(number, columns[field], f"缺少{what}"))
        elif text not in tables[field]:
            problems.append(RowError(number, columns[field], f"未知{what}“{text}”"))
        elif tables[field][text] is None:
            problems.append(RowError(number, columns[field], f"{what}名称“{text}”不唯一，请改用代码"))
        else:
            return tables[field][text]
        return None

    if record.get(None):  # csv.DictReader puts cells beyond the header under the key None
        problems.append(RowError(number, "", f"比表头多出 {len(record[None])} 个单元格"))
    element = resolve("data_element")
    unit = resolve("org_unit")
    operator = resolve("operator") if cell("operator") else None
    period = value = None
    try:
        period = str(Period.parse(cell("period")))
    except PeriodError as exc:
        problems.append(RowError(number, columns["period"], str(exc)))
    try:
        value = parse_number(cell("value"))
    except NumberError as exc:
        problems.append(RowError(number, columns["value"], str(exc)))
    if operator is not None and element is not None and not element.by_operator:
        problems.append(RowError(number, columns["operator"], f"数据项 {element.code} 不按运营商分列"))
    if problems:
        return None, problems
    comment = restored(cell("comment"))  # as it was before an export defused it
    return ParsedRow(number, element, unit, period, operator, value, comment), []
