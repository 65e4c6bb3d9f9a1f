"""Reading data value files into checked rows. Every bad row is reported at once, with its row number as a
spreadsheet shows it (the header is row 1), its column and the reason; nothing is returned half-checked."""

from __future__ import annotations

import codecs
import contextlib
import csv
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from yangfan.actionplans.models import DataElement, Operator
from yangfan.core.errors import ImportInvalid, RowError, RowErrors
from yangfan.core.numbers import NumberError, parse_number
from yangfan.core.periods import Period, PeriodError
from yangfan.documents.cells import restored
from yangfan.documents.limits import LimitExceeded, path_checked, zip_checked
from yangfan.documents.tables import csv_encoding
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


@dataclass(frozen=True, slots=True)  # no __dict__: less memory on each of the rows an import keeps
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


def read_table(path: Path) -> Iterator[dict[str, str]]:
    """A CSV file (UTF-8 with or without BOM, or GB18030/GBK), DHIS2 ``dataValueSets`` JSON or the first sheet of
    an XLSX workbook, as dicts keyed by column names, read as they are used: neither the file's text nor its rows
    are held whole, so reading a file of any size under the limit takes the memory of the rows that are kept.
    A file over ``YANGFAN_IMPORT_MAX_MB``, or a workbook that unpacks to more, is refused before it is read; a
    file that is not what its suffix says is refused here, a bad row later, where it is read. JSON entries count
    as rows from 2, as if the file had a header row."""
    file = str(path)
    suffix = path.suffix.lower()
    limit = settings.YANGFAN_IMPORT_MAX_BYTES
    try:
        path_checked(path, limit=limit)
        if suffix == ".xlsx":
            zip_checked(path, file=file, limit=limit)
    except LimitExceeded as exc:
        raise ImportInvalid(file, [RowError(1, "", str(exc))]) from None
    if suffix == ".json":
        return _primed(_read_dhis2(path))
    if suffix == ".xlsx":
        return _primed(_read_xlsx(path))
    encoding = csv_encoding(path)
    if encoding is None:
        raise ImportInvalid(file, [RowError(1, "", "无法识别文件编码（应为 UTF-8 或 GB18030）")])
    return _CsvRecords(path, encoding)


def _primed(records: Iterator[dict[str, str]]) -> Iterator[dict[str, str]]:
    """``records`` with the first read already: a file that is not what it claims is refused when it is opened."""
    first = next(records, None)
    return records if first is None else itertools.chain([first], records)


class _CsvRecords:
    """A CSV file's records as ``csv.DictReader`` makes them, a line at a time. Lines may end in CRLF, LF or a lone
    CR (as Excel for Mac saved CSV); what the csv module cannot read (a cell over its size limit) is refused at its
    row. ``rest`` counts the rows left without making records of them (a refused file's unchecked rows)."""

    def __init__(self, path: Path, encoding: str):
        self.file = str(path)
        self.handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 -- closed when read to the end
        self.records = csv.DictReader(self.handle)
        self.number = 1  # the row last read; the header is row 1
        self._read(lambda: self.records.fieldnames, row=1)

    def __iter__(self):
        return self

    def __next__(self) -> dict[str, str]:
        try:
            record = self._read(lambda: next(self.records), row=self.number + 1)
        except StopIteration:
            self.handle.close()
            raise
        self.number += 1
        return record

    def rest(self) -> int:
        count = 0
        with contextlib.suppress(csv.Error), self.handle:
            for cells in self.records.reader:
                count += bool(cells)  # a blank line is no row, as DictReader skips it
        return count

    def _read(self, read, *, row: int):
        try:
            return read()
        except csv.Error as exc:
            self.handle.close()
            raise ImportInvalid(self.file, [RowError(row, "", f"无法按 CSV 读取：{exc}")]) from None


MAX_DEPTH = 32  # a dataValueSet is two levels deep and its entries flat; nesting deeper than this is refused
OPENS, CLOSES = ("start_map", "start_array"), ("end_map", "end_array")
DHIS2_COLUMNS = sorted(set(DHIS2_KEYS.values()))


def _read_dhis2(path: Path) -> Iterator[dict[str, str]]:
    """The entries of ``dataValues`` one at a time, from the parser's events (``ijson``), never the whole document
    in memory; each entry has every column of the format, an entry may leave out what another has. Nesting is
    counted as it is read, so a file of 100,000 nested lists is refused at its 33rd level, not parsed."""
    import ijson
    from ijson.common import ObjectBuilder

    file = str(path)
    shape = RowError(1, "", '应为 DHIS2 dataValueSets 格式：{"dataValues": [...]}')
    number, depth, started, values_next, inside, found, entry = 1, 0, False, False, False, False, None
    with open(path, "rb") as handle:
        if handle.read(3) != codecs.BOM_UTF8:
            handle.seek(0)
        try:
            for event, value in ijson.basic_parse(handle, use_float=False):
                if event in OPENS:
                    depth += 1
                    if depth > MAX_DEPTH:
                        where = number if entry is not None else 1
                        raise ImportInvalid(
                            file, [RowError(where, "", f"JSON 嵌套超过 {MAX_DEPTH} 层，无法读取")]
                        )
                elif event in CLOSES:
                    depth -= 1
                if entry is not None:  # inside an entry: built up until it closes
                    entry.event(event, value)
                    if depth == 2:
                        yield _dhis2_record(entry.value)
                        entry = None
                elif not started:
                    if event != "start_map":
                        raise ImportInvalid(file, [shape])
                    started = True
                elif inside:
                    if event == "start_map" and depth == 3:
                        number += 1
                        entry = ObjectBuilder()
                        entry.event(event, value)
                    elif event == "end_array" and depth == 1:
                        inside = False
                    else:  # an entry that is not an object
                        raise ImportInvalid(file, [shape])
                elif depth == 1 and event == "map_key":
                    values_next = value == "dataValues"
                elif values_next:
                    values_next = False
                    if event != "start_array":
                        raise ImportInvalid(file, [shape])
                    inside = found = True
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise ImportInvalid(file, [RowError(number, "", f"不是有效的 JSON：{exc}")]) from None
    if not found:
        raise ImportInvalid(file, [shape])


def _dhis2_record(entry: dict) -> dict[str, str]:
    record = dict.fromkeys(DHIS2_COLUMNS, "")
    record.update({DHIS2_KEYS.get(k, k): "" if v is None else str(v) for k, v in entry.items()})
    return record


def _read_xlsx(path: Path) -> Iterator[dict[str, str]]:
    """The first sheet, a row at a time (openpyxl's read-only mode); row 1 is the header. Numbers are read as the
    cell holds them."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportInvalid(str(path), [RowError(1, "", f"不是有效的 XLSX 文件：{exc}")]) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            return
        header = [str(h).strip() if h is not None else "" for h in first]
        for row in rows:
            if any(v is not None for v in row):
                yield dict(zip(header, map(_cell_text, row), strict=False))
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


def parse_rows(records: Iterable[dict[str, str]], file: str) -> list[ParsedRow]:
    """The rows of ``records`` (a list, or ``read_table`` reading the file as it goes), checked one at a time;
    only the rows to be written are kept. Past ``ERRORS_LISTED`` errors the checking stops and the rest is only
    counted, so that a file of a million bad rows is refused in seconds (``ImportInvalid.unchecked``)."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise ImportInvalid(file, [RowError(1, "", "文件没有数据行")])
    header = {key.strip() if key else "": key for key in first}
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
    rows, errors, seen = [], RowErrors(), {}
    for number, record in enumerate(itertools.chain([first], records), start=2):
        parsed, problems = _parse_record(number, record, columns, tables)
        if not problems and parsed.key in seen:
            duplicate = f"与第 {seen[parsed.key]} 行重复（同一数据项、地区、期间和运营商）"
            problems = [RowError(number, "", duplicate)]
        if problems:
            errors.extend(problems)
            if errors.full:
                raise errors.refusal(file, unchecked=_count(records))
            continue
        seen[parsed.key] = number
        rows.append(parsed)
    if errors:
        raise errors.refusal(file)
    return rows


def _count(records: Iterator) -> int:
    """How many records are left, read without being checked (up to a row the reader cannot read)."""
    if isinstance(records, _CsvRecords):
        return records.rest()  # counted from the csv module's lists, a third of the time of its dicts
    count = 0
    with contextlib.suppress(ImportInvalid):
        for _record in records:
            count += 1
    return count


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
