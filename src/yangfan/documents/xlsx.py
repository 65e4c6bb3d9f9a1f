"""Workbooks as bytes: the same workbook gives the same bytes, and no cell is a live formula."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime

EPOCH = datetime(2000, 1, 1)  # the document dates and archive timestamps of every workbook written


def workbook_bytes(workbook) -> bytes:
    """An openpyxl workbook's bytes with fixed document dates and archive timestamps (``Workbook.save`` stamps
    the time itself, so the writer is called directly). Every cell openpyxl would write as a formula (text
    starting with ``=``: a name, a comment, anyone's input) is written as the text it is: no export of ours
    holds a formula, so none can run one."""
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.writer.excel import ExcelWriter

    for sheet in workbook.worksheets:
        if isinstance(sheet, Worksheet):
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    workbook.properties.created = workbook.properties.modified = EPOCH
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=EPOCH.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


def table_workbook(title: str, header, rows, *, widths=None):
    """A workbook of one sheet ``title``: ``header`` (bold) on a frozen first row, then ``rows``; dates shown as
    ``yyyy-mm-dd``, empty text as an empty cell; ``widths`` in characters, by column, where given."""
    from datetime import date

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths or (), start=1):
        if width:
            sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return workbook


def table_bytes(title: str, header, rows, *, widths=None) -> bytes:
    """:func:`table_workbook` as bytes."""
    return workbook_bytes(table_workbook(title, header, rows, widths=widths))


def sheet_title(name: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(name)).strip()
    return (cleaned or "Sheet")[:31]


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a sheet: a Chinese character two, a Latin one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
