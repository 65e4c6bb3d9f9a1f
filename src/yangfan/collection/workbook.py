"""The Excel round-trip of one report (填报模板): the data set as a workbook for an org unit, a period (and an
operator), filled offline and read back into the one import path (``datavalues_import``), all or nothing.

The first sheet is named after the data set:

| row          | A (hidden)       | B        | C, D, …                                                  |
|--------------|------------------|----------|----------------------------------------------------------|
| 1            |                  | title: data set · org unit · period (· operator)                    |
| 2 (hidden)   | ``org_unit``     |          | the data element codes                                   |
| 3            | 地区代码          | 地区      | each data element's name and unit, in the reader's language |
| 4, 5, …      | the row's code   | its name | the values: the only unlocked cells, decimal ≥ 0         |

A very hidden sheet (``_yangfan``) says which report the workbook is for; a protected sheet 上期数据 holds the
previous period's values for reference. Sheet protection guards against accidents, not against intent (an
Excel sheet password is no secret), so the reader checks the structure itself and refuses a workbook that is
not exactly the template it expects. Empty cells are not written: a template never deletes a stored value.

Errors name the sheet's cells (``RowError(row=5, column="C")``: the cell C5), whether the reader found them
or the import service did (a lock, the scope): the service numbers the rows it is given, and those numbers
are translated back to cells here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from yangfan.actionplans.display import localized_name, unit_label
from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.collection.selectors import data_set_rows, period_kind
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.core.numbers import NumberError, parse_number
from yangfan.core.periods import Period, PeriodError
from yangfan.datavalues.choices import ValueSource
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import ImportReport, Progress, datavalues_import
from yangfan.documents.limits import LimitExceeded, path_checked, size_checked, zip_checked
from yangfan.documents.xlsx import sheet_title, workbook_bytes
from yangfan.orgunits.models import OrgUnit

MARK = "yangfan-report-template"
VERSION = "1"
META_SHEET = "_yangfan"
TITLE_ROW, CODE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
CODE_COLUMN, NAME_COLUMN, FIRST_VALUE_COLUMN = 1, 2, 3
PLACES = Decimal("0.000001")  # what the database keeps (decimal_places=6)
INTEGER_DIGITS = 22  # max_digits=28 less the six places


@dataclass(frozen=True)
class Report:
    """What a template is for: ``data_set``'s report of ``org_unit`` at ``period``, for ``operator`` when the
    data set is reported by operator. It names its org unit and operator, so ``may`` can place it."""

    data_set: DataSet
    org_unit: OrgUnit
    period: str
    operator: Operator | None = None

    @property
    def operator_id(self) -> int | None:
        return self.operator.pk if self.operator else None

    @cached_property
    def rows(self) -> list[OrgUnit]:
        return data_set_rows(data_set=self.data_set, org_unit=self.org_unit)

    @cached_property
    def elements(self) -> list[DataElement]:
        found = DataElement.objects.in_bulk(self.data_set.data_elements, field_name="code")
        return [found[code] for code in self.data_set.data_elements if code in found]

    @property
    def title(self) -> str:
        parts = [localized_name(self.data_set), self.org_unit.name, self.period]
        if self.operator is not None:
            parts.append(localized_name(self.operator))
        return " · ".join(parts)

    @property
    def file_name(self) -> str:
        return self.title.replace(" · ", "-") + ".xlsx"

    def same_as(self, other: Report) -> bool:
        return (self.data_set.pk, self.org_unit.pk, self.period, self.operator_id) == (
            other.data_set.pk,
            other.org_unit.pk,
            other.period,
            other.operator_id,
        )

    def cell_of(self, row: int, column: str) -> tuple[OrgUnit | None, DataElement | None]:
        """The grid row and data element a cell of the first sheet holds (``None`` outside the grid)."""
        from openpyxl.utils import column_index_from_string

        unit = element = None
        if FIRST_ROW <= row < FIRST_ROW + len(self.rows):
            unit = self.rows[row - FIRST_ROW]
        try:
            index = column_index_from_string(column) - FIRST_VALUE_COLUMN
        except ValueError:
            index = -1
        if 0 <= index < len(self.elements):
            element = self.elements[index]
        return unit, element


def stored_values(report: Report, period: str | None = None) -> dict[tuple[int, str], DataValue]:
    """The report's stored values (or those of ``period``), by (org unit pk, data element code)."""
    values = DataValue.objects.filter(
        period=period or report.period,
        org_unit__in=[u.pk for u in report.rows],
        data_element__code__in=report.data_set.data_elements,
        operator=report.operator,
    ).select_related("data_element")
    return {(v.org_unit_id, v.data_element.code): v for v in values}


def _number(value: Decimal):
    """A stored value as the sheet should hold it: an integer when it is one, else the exact decimal; text
    beyond the 15 significant digits a spreadsheet keeps in a number (read back exactly by ``parse_number``)."""
    value = value.normalize()
    if len(value.as_tuple().digits) > 15:
        return format(value, "f")
    return int(value) if value == value.to_integral_value() else Decimal(format(value, "f"))


def template_bytes(report: Report) -> bytes:
    """The template of ``report`` filled with its stored values, as XLSX bytes (deterministic)."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(localized_name(report.data_set))
    _fill_values_sheet(sheet, report)
    previous = Period.parse(report.period).previous()
    _fill_previous_sheet(workbook.create_sheet(_("上期数据")), report, str(previous))
    meta = workbook.create_sheet(META_SHEET)
    for key, value in _meta(report, sheet.title).items():
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet renamed, added, removed or unhidden
    return workbook_bytes(workbook)


def report_codes(report: Report) -> dict[str, str]:
    """What the template's hidden sheet says about its report (and what :func:`report_of` reads back)."""
    return {
        "template": MARK,
        "version": VERSION,
        "plan": report.data_set.plan.code,
        "data_set": report.data_set.code,
        "org_unit": report.org_unit.code,
        "period": report.period,
        "operator": report.operator.code if report.operator else "",
    }


def _meta(report: Report, sheet: str) -> dict[str, str]:
    return {**report_codes(report), "sheet": sheet}


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="BFBFBF")
    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "muted": Font(color="595959", size=9),
        "grey": PatternFill("solid", fgColor="EDEDED"),
        "input": PatternFill("solid", fgColor="FFFFFF"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center", horizontal="center"),
    }


def _grid(sheet, report: Report, values: dict[tuple[int, str], DataValue], *, title: str, editable: bool):
    """Title, hidden code row and column, headers, one row per grid row: both sheets share it."""
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter

    style = _styles()
    last = FIRST_VALUE_COLUMN + len(report.elements) - 1
    sheet.cell(TITLE_ROW, NAME_COLUMN, title).font = style["title"]
    sheet.merge_cells(
        start_row=TITLE_ROW, start_column=NAME_COLUMN, end_row=TITLE_ROW, end_column=max(last, 2)
    )
    sheet.cell(CODE_ROW, CODE_COLUMN, "org_unit")
    headers = [_("地区代码"), _("地区")] + [
        _("%(name)s（%(unit)s）") % {"name": localized_name(e), "unit": unit_label(e.unit)}
        for e in report.elements
    ]
    for column, header in enumerate(headers, start=CODE_COLUMN):
        cell = sheet.cell(HEADER_ROW, column, header)
        cell.font, cell.fill = style["bold"], style["grey"]
        cell.border, cell.alignment = style["border"], style["wrap"]
    for offset, element in enumerate(report.elements):
        sheet.cell(CODE_ROW, FIRST_VALUE_COLUMN + offset, element.code)
    for index, unit in enumerate(report.rows):
        row = FIRST_ROW + index
        sheet.cell(row, CODE_COLUMN, unit.code)
        name = sheet.cell(row, NAME_COLUMN, unit.name)
        name.fill, name.border = style["grey"], style["border"]
        for offset, element in enumerate(report.elements):
            stored = values.get((unit.pk, element.code))
            cell = sheet.cell(row, FIRST_VALUE_COLUMN + offset, _number(stored.value) if stored else None)
            cell.border = style["border"]
            cell.fill = style["input"] if editable else style["grey"]
            if editable:
                cell.protection = Protection(locked=False)
    sheet.column_dimensions[get_column_letter(CODE_COLUMN)].hidden = True
    sheet.row_dimensions[CODE_ROW].hidden = True
    sheet.row_dimensions[HEADER_ROW].height = 36
    sheet.column_dimensions[get_column_letter(NAME_COLUMN)].width = 18
    for column in range(FIRST_VALUE_COLUMN, last + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 20
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIRST_VALUE_COLUMN)
    sheet.protection.sheet = True
    return FIRST_ROW + len(report.rows)  # the first row below the grid


def _fill_values_sheet(sheet, report: Report) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from yangfan.collection.selectors import deadline

    below = _grid(sheet, report, stored_values(report), title=report.title, editable=True)
    if report.rows and report.elements:
        first = f"{get_column_letter(FIRST_VALUE_COLUMN)}{FIRST_ROW}"
        last = f"{get_column_letter(FIRST_VALUE_COLUMN + len(report.elements) - 1)}{below - 1}"
        rule = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=_("数值无效"),
            error=_("请填写大于或等于 0 的数字，可带小数；不知道的留空。"),
        )
        rule.add(f"{first}:{last}")
        sheet.add_data_validation(rule)
    due = deadline(data_set=report.data_set, period=Period.parse(report.period))
    notes = [
        _("填写说明：只填写白色单元格；留空的单元格不写入，已有的数值保持不变。"),
        _("报送截止日期：%(date)s。上期数值见“上期数据”工作表。") % {"date": due.isoformat()},
        _("填好后在扬帆的“上传填报模板”页面上传；请勿改动表格结构，否则无法导入。"),
    ]
    for offset, note in enumerate(notes, start=1):
        sheet.cell(below + offset, NAME_COLUMN, note).font = _styles()["muted"]


def _fill_previous_sheet(sheet, report: Report, previous: str) -> None:
    title = _("上期数据（%(period)s），仅供参考，不会导入") % {"period": previous}
    _grid(sheet, report, stored_values(report, previous), title=title, editable=False)


# --- reading a filled template back ---------------------------------------------------------------------


@dataclass
class TemplateRows:
    """A filled template read back: the rows to import, the cell of each row (by its number), and the empty
    cells whose stored value stays as it is."""

    report: Report
    rows: list[ParsedRow]
    cells: dict[int, tuple[int, str]] = field(default_factory=dict)  # row number → (sheet row, column)
    kept: list[str] = field(default_factory=list)  # "C5", …


@dataclass
class TemplateImport:
    """What an upload did: the import service's report and the empty cells left as they were."""

    report: ImportReport
    kept: list[str]


class _BadCell(Exception):
    pass


def _open(source: bytes | Path, file: str):
    """The workbook, read-only; refused before it is parsed when it is over ``YANGFAN_IMPORT_MAX_MB`` or unpacks
    to more (``documents.limits``)."""
    from openpyxl import load_workbook

    limit = settings.YANGFAN_IMPORT_MAX_BYTES
    try:
        if isinstance(source, bytes):
            size_checked(len(source), file=file, limit=limit)
        else:
            path_checked(source, limit=limit)
        zip_checked(source, file=file, limit=limit)
    except LimitExceeded as exc:
        raise ImportInvalid(file, [RowError(1, "", str(exc))]) from None
    try:
        data = io.BytesIO(source) if isinstance(source, bytes) else source
        return load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportInvalid(file, [RowError(1, "", _("不是有效的 XLSX 文件：%(e)s") % {"e": exc})]) from None


def is_template(source: bytes | Path) -> bool:
    """Is ``source`` an XLSX file made by :func:`template_bytes` (filled or not)?"""
    if isinstance(source, Path) and source.suffix.lower() != ".xlsx":
        return False
    try:
        workbook = _open(source, "")
    except ImportInvalid:
        return False
    try:
        return META_SHEET in workbook.sheetnames and _read_meta(workbook).get("template") == MARK
    finally:
        workbook.close()


def _read_meta(workbook) -> dict[str, str]:
    meta = {}
    for row in workbook[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
        if row and row[0] is not None:
            meta[str(row[0])] = "" if len(row) < 2 or row[1] is None else str(row[1])
    return meta


def report_of(meta: dict[str, str], file: str) -> Report:
    """The report named by :func:`report_codes`, or ``ImportInvalid`` saying why there is none."""

    def refuse(message: str):
        return ImportInvalid(file, [RowError(1, "", message)])

    if meta.get("template") != MARK or meta.get("version") != VERSION:
        raise refuse(_("模板版本不符，请重新下载模板。"))
    data_set = DataSet.objects.filter(plan__code=meta.get("plan"), code=meta.get("data_set")).first()
    org_unit = OrgUnit.objects.filter(code=meta.get("org_unit")).first()
    operator = Operator.objects.filter(code=meta["operator"]).first() if meta.get("operator") else None
    if data_set is None or org_unit is None or (meta.get("operator") and operator is None):
        raise refuse(_("模板所属的数据集、地区或运营商在系统中不存在，请重新下载模板。"))
    try:
        period = Period.parse(meta.get("period", ""))
    except PeriodError:
        raise refuse(_("模板的期间无效，请重新下载模板。")) from None
    if period.kind != period_kind(data_set) or bool(operator) != data_set.by_operator:
        raise refuse(_("模板信息与数据集不符，请重新下载模板。"))
    return Report(data_set, org_unit, str(period), operator)


def read_template(source: bytes | Path, *, file: str, expected: Report | None = None) -> TemplateRows:
    """The rows a filled template asks to write, checked cell by cell; ``ImportInvalid`` with every bad cell
    (or one message when the workbook is not a template, or not the ``expected`` report's)."""
    from openpyxl.utils import get_column_letter

    workbook = _open(source, file)
    try:
        if META_SHEET not in workbook.sheetnames:
            raise ImportInvalid(
                file,
                [RowError(1, "", _("这不是扬帆的填报模板：请先在数据填报页面下载模板，填好后再上传。"))],
            )
        meta = _read_meta(workbook)
        report = report_of(meta, file)
        if expected is not None and not report.same_as(expected):
            message = _("这份模板属于“%(found)s”，不是本页的“%(expected)s”：请下载本页的模板填写。") % {
                "found": report.title,
                "expected": expected.title,
            }
            raise ImportInvalid(file, [RowError(1, "", message)])
        if meta.get("sheet") not in workbook.sheetnames:
            raise ImportInvalid(file, [RowError(1, "", _("找不到填报工作表，请重新下载模板。"))])
        width = FIRST_VALUE_COLUMN + len(report.elements) - 1
        grid = list(
            workbook[meta["sheet"]].iter_rows(
                min_row=1, max_row=FIRST_ROW + len(report.rows) - 1, max_col=width, values_only=True
            )
        )
    finally:
        workbook.close()
    grid += [()] * (FIRST_ROW - 1 + len(report.rows) - len(grid))

    def at(row: int, column: int):
        values = grid[row - 1]
        return values[column - 1] if column <= len(values) else None

    codes = [at(CODE_ROW, FIRST_VALUE_COLUMN + i) for i in range(len(report.elements))]
    units = [at(FIRST_ROW + i, CODE_COLUMN) for i in range(len(report.rows))]
    if codes != [e.code for e in report.elements] or [str(u or "") for u in units] != [
        u.code for u in report.rows
    ]:
        raise ImportInvalid(
            file, [RowError(1, "", _("模板的地区行或数据项列已被改动，与数据集不符：请重新下载模板。"))]
        )
    stored = stored_values(report)
    result = TemplateRows(report, [])
    errors: list[RowError] = []
    for index, unit in enumerate(report.rows):
        row = FIRST_ROW + index
        for offset, element in enumerate(report.elements):
            column = get_column_letter(FIRST_VALUE_COLUMN + offset)
            try:
                value = cell_value(at(row, FIRST_VALUE_COLUMN + offset))
            except _BadCell as exc:
                errors.append(RowError(row, column, str(exc)))
                continue
            current = stored.get((unit.pk, element.code))
            if value is None:
                if current is not None:
                    result.kept.append(f"{column}{row}")
                continue
            number = len(result.rows) + 1
            result.cells[number] = (row, column)
            # the template has no comment column: a stored comment stays with its value
            comment = current.comment if current is not None else ""
            result.rows.append(
                ParsedRow(number, element, unit, report.period, report.operator, value, comment)
            )
    if errors:
        raise ImportInvalid(file, errors)
    return result


def cell_value(raw) -> Decimal | None:
    """A value cell as the database keeps it (six decimal places), ``None`` when empty; ``_BadCell`` with the
    reason in Chinese for anything that is not a number of at least 0. Text goes through ``parse_number``
    (``1,234``, full-width digits, ``1.6万``), so a pasted or imported text cell reads like a typed one."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _BadCell(_("应填写数值，不是逻辑值"))
    if isinstance(raw, datetime | date | time | timedelta):
        raise _BadCell(_("应填写数值，不是日期或时间"))
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise _BadCell(_("应填写数值"))
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip()
        if not text:
            return None
        try:
            value = parse_number(text)
        except NumberError as exc:
            raise _BadCell(str(exc)) from None
    if value < 0:
        raise _BadCell(_("数值不能为负数"))
    if value and value.adjusted() >= INTEGER_DIGITS:
        raise _BadCell(_("数值过大"))
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def template_import(
    *,
    source: bytes | Path,
    file: str,
    actor=None,
    expected: Report | None = None,
    dry_run: bool = False,
    request=None,
    progress: Progress | None = None,
) -> TemplateImport:
    """Read a filled template and write its values through ``datavalues_import`` (``source=import``): all or
    nothing, audited, locks and scope as for any import. ``ImportInvalid`` names the sheet's cells."""
    read = read_template(source, file=file, expected=expected)
    try:
        report = datavalues_import(
            rows=read.rows,
            actor=actor,
            file=file,
            source=ValueSource.IMPORT,
            dry_run=dry_run,
            request=request,
            progress=progress,
        )
    except ImportInvalid as exc:
        cells = [_at_cell(e, read.cells) for e in exc.errors]
        raise ImportInvalid(file, cells, total=exc.total, unchecked=exc.unchecked) from None
    return TemplateImport(report, read.kept)


def _at_cell(error: RowError, cells: dict[int, tuple[int, str]]) -> RowError:
    """An error of the import service (numbered by row given) as an error of the sheet's cell."""
    if error.row not in cells:
        return error
    row, column = cells[error.row]
    return RowError(row, column, error.message)


def cell_reference(error: RowError) -> str:
    """``C5`` for an error of a cell, ``""`` for one about the whole file."""
    column = error.column or ""
    return f"{column}{error.row}" if column.isascii() and column.isalpha() else ""
