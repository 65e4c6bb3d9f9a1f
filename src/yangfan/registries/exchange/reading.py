"""Reading an imported file: its rows (XLSX, or CSV in UTF-8 or GB18030) and its header, mapped to the
registry's columns; text compared the way headers and cells are matched (``folded``)."""

from __future__ import annotations

import csv
import io
import unicodedata

from django.conf import settings

from yangfan.core.errors import ImportInvalid, RowError
from yangfan.documents.limits import LimitExceeded, size_checked, zip_checked
from yangfan.documents.tables import csv_decoded
from yangfan.registries.exchange.columns import JOIN, Column


def file_read(content: bytes, file: str) -> list[tuple[int, list]]:
    """The file's non-empty rows with their row numbers; cells as the file holds them (XLSX: typed). A file over
    ``YANGFAN_IMPORT_MAX_MB``, or a workbook that unpacks to more, is refused before it is parsed."""
    name = file.lower()
    if name.endswith(".xls") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportInvalid(file, [RowError(1, "", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV")])
    workbook = name.endswith(".xlsx") or content.startswith(b"PK\x03\x04")
    limit = settings.YANGFAN_IMPORT_MAX_BYTES
    try:
        size_checked(len(content), file=file, limit=limit)
        if workbook:
            zip_checked(content, file=file, limit=limit)
    except LimitExceeded as exc:
        raise ImportInvalid(file, [RowError(1, "", str(exc))]) from None
    rows = _read_xlsx(content, file) if workbook else _read_csv(content, file)
    return [(n, row) for n, row in enumerate(rows, start=1) if not all(blank(v) for v in row)]


def blank(value) -> bool:
    """Is a cell empty (nothing, or only whitespace)?"""
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(content: bytes, file: str) -> list[list[str]]:
    text = csv_decoded(content)
    if text is None:  # gb18030 decodes nearly any bytes: what it does not is read with replacements
        text = content.decode("gb18030", errors="replace")
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # a cell over the csv module's size limit
        raise ImportInvalid(file, [RowError(len(rows) + 1, "", f"无法按 CSV 读取：{exc}")]) from None
    return rows


def _read_xlsx(content: bytes, file: str) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportInvalid(file, [RowError(1, "", f"不是有效的 XLSX 文件：{exc}")]) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def folded(text) -> str:
    """``text`` as headers, choices and names are compared: NFKC (full-width to half-width), without
    whitespace, in lower case."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).lower()


def header_read(cells: list, columns: list[Column], file: str) -> dict[int, tuple[Column, str]]:
    """The file's columns by position: a header is a field's Chinese name or its field name."""
    known = {}
    for column in columns:
        known[folded(column.header)] = column
        known[folded(column.field)] = column
    mapping: dict[int, tuple[Column, str]] = {}
    problems = []
    placed: dict[str, str] = {}
    for index, cell in enumerate(cells):
        header = "" if cell is None else str(cell).strip()
        if not header or folded(header) == "序号":  # a row number column, as many sheets have
            continue
        column = known.get(folded(header))
        if column is None:
            problems.append(f"未知的列“{header}”")
        elif column.field in placed:
            problems.append(f"列“{header}”与“{placed[column.field]}”重复")
        else:
            placed[column.field] = header
            mapping[index] = (column, header)
    missing = [c.header for c in columns if c.required and c.field not in placed]
    if missing:
        problems.append("缺少列：" + JOIN.join(missing))
    if problems:
        expected = JOIN.join(c.header for c in columns)
        raise ImportInvalid(file, [RowError(1, "", f"{p}（本登记簿的列：{expected}）") for p in problems])
    return mapping
