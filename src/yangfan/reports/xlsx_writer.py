"""The evaluation report (评估报告) as an XLSX workbook: the Word report's content, one sheet per section.

The workbook is for the offices that check, sort and re-use the figures, so every number is a number cell
(a ``Decimal`` written as a float), never the printed text; the printed texts (``value_text``,
``target_text``) sit beside them where the report prints them. Lists the Word file shortens (the overdue
items) are complete here. Each sheet has one header row, frozen, with a filter; the sheets come in the
report's order. The special projects (when the document holds them) follow 登记簿: 专项工程, every figure of every
project one a row (a project withheld from the reader says so in one row), then a sheet per table of figures. The same document always gives the same bytes (:func:`yangfan.documents.xlsx.workbook_bytes`).

The final evaluation (:func:`final_xlsx_bytes`) has its own sheets (:data:`FINAL_SHEETS`), in the Word file's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yangfan.documents.word.gbt9704 import chinese_date, half_widths
from yangfan.documents.xlsx import workbook_bytes
from yangfan.reports.document import (
    CONCLUSIONS_HEADING,
    CONCLUSIONS_NOTE,
    DEMO_NOTICE,
    FinalDocument,
    ReportDocument,
    SpecialSection,
)

SHEETS = (
    "概况",
    "指标",
    "指标走势",
    "领先与落后",
    "定性目标",
    "任务推进",
    "逾期事项",
    "数据报送",
    "登记簿",
    "评估排名",
    "关注问题",
)
SPECIAL = "专项工程"  # after 登记簿, then a sheet per table of the special projects
AHEAD, BEHIND = "达标或进度正常", "存在风险或进度滞后"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 60

Cell = str | int | float | None


def report_xlsx_bytes(doc: ReportDocument) -> bytes:
    """The ``.xlsx`` file of ``doc``: sheets 概况 … 关注问题; same document, same bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = doc.issuer
    workbook.properties.lastModifiedBy = doc.issuer
    workbook.properties.title = doc.title
    workbook.properties.subject = f"{doc.org_name} {doc.period_label}"
    workbook.properties.language = "zh-CN"

    _overview(workbook.create_sheet("概况"), doc)
    _sheet(
        workbook.create_sheet("指标"),
        (
            *("指标代码", "指标名称", "单位", "附件指标"),
            *("本期值", "本期值（文字）", "目标", "目标（文字）", "达标", "状态", "所需进度", "备注"),
        ),
        (
            (
                section.code,
                section.name,
                section.unit,
                _yes_no(section.annex),
                _number(section.value),
                section.value_text,
                _number(section.target),
                section.target_text,
                "—" if section.target_met is None else _yes_no(section.target_met),
                section.status_label,
                section.pace_text,
                section.note,
            )
            for section in doc.indicators
        ),
    )
    _trends(workbook.create_sheet("指标走势"), doc)
    _sheet(
        workbook.create_sheet("领先与落后"),
        ("指标代码", "指标名称", "类别", "地区代码", "地区", "本期值", "本期值（文字）", "状态"),
        (
            (
                section.code,
                section.name,
                group,
                unit.org_unit,
                unit.name,
                _number(unit.value),
                unit.value_text,
                unit.status_label,
            )
            for section in doc.indicators
            for group, units in ((AHEAD, section.ahead), (BEHIND, section.behind))
            for unit in units
        ),
    )
    _sheet(
        workbook.create_sheet("定性目标"),
        ("代码", "定性目标", "评估结论", "评估期间", "判断理由", "佐证材料"),
        (
            (row.code, row.text, row.verdict_label, row.period, row.reasoning, "；".join(row.evidence))
            for row in doc.goals
        ),
    )
    _sheet(
        workbook.create_sheet("任务推进"),
        ("责任单位", "任务数", "其中牵头", "已完成", "推进中", "滞后", "未启动", "未报送", "逾期提醒"),
        (
            (
                row.unit,
                row.assignments,
                row.leading,
                row.done,
                row.in_progress,
                row.lagging,
                row.not_started,
                row.not_reported,
                row.overdue,
            )
            for row in doc.task_rows
        ),
    )
    _sheet(
        workbook.create_sheet("逾期事项"),
        ("序号", "任务编号", "任务", "责任单位", "牵头/配合", "类型", "情况"),
        (
            (number, item.task, item.task_title, item.unit, item.role, item.kind_label, item.message)
            for number, item in enumerate(doc.overdue, start=1)
        ),
    )
    _sheet(
        workbook.create_sheet("数据报送"),
        ("数据集", "期间", "已报送", "应报送", "按时报送率（%）"),
        (
            (row.data_set, row.period, row.submitted, row.expected, _number(row.on_time_rate))
            for row in doc.completeness
        ),
    )
    _sheet(
        workbook.create_sheet("登记簿"),
        ("登记簿", "登记数量", "说明"),
        (
            (row.name, "尚未启用" if row.count is None else row.count, row.description)
            for row in doc.registries
        ),
    )
    _special_projects(workbook, doc.special_projects)
    _sheet(
        workbook.create_sheet("评估排名"),
        ("名次", "单位", "类别", "总分"),
        ((row.rank, row.name, row.kind_label, _number(row.total)) for row in doc.ranking),
    )
    _sheet(
        workbook.create_sheet("关注问题"),
        ("序号", "问题"),
        ((number, text) for number, text in enumerate(doc.attention, start=1)),
    )
    return workbook_bytes(workbook)


FINAL_SHEETS = (
    "概况",
    "量化目标",
    "指标走势",
    "任务完成情况",
    "定性目标",
    "登记簿",
    "地区比较",
    "评估排名",
    "评估结论",
)


def final_xlsx_bytes(doc: FinalDocument) -> bytes:
    """The ``.xlsx`` file of the final evaluation: sheets :data:`FINAL_SHEETS`, every figure a number cell with its
    printed text beside it, every list complete; same document, same bytes."""
    report = doc.report
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = doc.issuer
    workbook.properties.lastModifiedBy = doc.issuer
    workbook.properties.title = doc.title
    workbook.properties.subject = f"{doc.org_name} 终期评估"
    workbook.properties.language = "zh-CN"

    overview: list[tuple[Cell, Cell]] = [
        ("标题", doc.title),
        ("行动计划", report.plan_name),
        ("计划代码", doc.plan_code),
        ("文件编号", report.plan_document),
        ("实施期", f"{doc.plan_start.isoformat()} 至 {doc.plan_end.isoformat()}"),
        ("地区", doc.org_name),
        ("地区代码", doc.org_unit),
        ("发布单位", doc.issuer),
        ("成文日期", chinese_date(doc.written_on)),
        ("最后报送期", doc.task_period),
        ("评估排名", report.ranking_note),
    ]
    if doc.demo:
        overview.insert(0, ("演示数据", DEMO_NOTICE))
    overview += [("总体情况", text) for text in doc.summary]
    overview += [("说明", text) for text in report.notes]
    sheet = workbook.create_sheet("概况")
    _sheet(sheet, ("项目", "内容"), overview, filters=False)
    if doc.demo:
        sheet["B2"].font = Font(bold=True, color="C00000")
    _sheet(
        workbook.create_sheet("量化目标"),
        (
            *("指标代码", "指标名称", "单位", "地区代码", "地区", "目标类型", "来源", "目标日期"),
            *("目标值", "目标（文字）", "评判期", "到期值", "到期值（文字）", "结论", "差距", "首次达到"),
        ),
        (
            (
                t.indicator,
                t.name,
                t.unit,
                t.org_unit,
                t.org_name,
                t.kind_label,
                t.source_label,
                t.date.isoformat(),
                _number(t.target),
                t.target_text,
                t.period,
                _number(t.value),
                t.value_text,
                t.verdict_label,
                _number(t.gap),
                t.first_reached,
            )
            for t in doc.targets
        ),
    )
    _sheet(
        workbook.create_sheet("指标走势"),
        ("指标代码", "指标名称", "单位", "期间", "数值", "推算轨迹值", "目标（文字）"),
        (
            (
                t.section.code,
                t.section.name,
                t.section.unit,
                p.period,
                _number(p.value),
                _number(p.expected),
                t.section.target_text,
            )
            for t in doc.trajectories
            for p in t.points
        ),
    )
    _sheet(
        workbook.create_sheet("任务完成情况"),
        (
            *(
                "任务编号",
                "任务",
                "责任单位",
                "牵头/配合",
                "最终状态",
                "最近报送期",
                "最近进展",
                "完成比例（%）",
            ),
            *("节点完成", "节点总数", "佐证材料份数", "佐证材料", "督办单"),
        ),
        (
            (
                t.task,
                t.task_title,
                t.unit,
                t.role,
                t.state_label,
                t.last_period,
                t.last_progress,
                t.last_percent,
                t.milestones_met,
                t.milestones,
                len(t.evidence),
                "；".join(t.evidence),
                "；".join(t.notices),
            )
            for t in doc.tasks
        ),
    )
    _sheet(
        workbook.create_sheet("定性目标"),
        ("代码", "定性目标", "评估结论", "评估期间", "判断理由", "佐证材料"),
        (
            (row.code, row.text, row.verdict_label, row.period, row.reasoning, "；".join(row.evidence))
            for row in report.goals
        ),
    )
    _sheet(
        workbook.create_sheet("登记簿"),
        ("登记簿", "登记数量", "说明"),
        (
            (row.name, "尚未启用" if row.count is None else row.count, row.description)
            for row in report.registries
        ),
    )
    _sheet(
        workbook.create_sheet("地区比较"),
        (
            "地区代码",
            "地区",
            "类别",
            *(f"{code} {name}" for code, name in doc.comparison_indicators),
            *(f"{code} 是否达标" for code, _name in doc.comparison_indicators),
            "达标项数",
        ),
        (
            (
                row.org_unit,
                row.name,
                row.kind_label,
                *(_number(f.value) for f in row.figures),
                *("—" if f.met is None else _yes_no(f.met) for f in row.figures),
                row.met_count,
            )
            for row in doc.comparison
        ),
    )
    _sheet(
        workbook.create_sheet("评估排名"),
        ("名次", "单位", "类别", "总分"),
        ((row.rank, row.name, row.kind_label, _number(row.total)) for row in report.ranking),
    )
    _sheet(workbook.create_sheet("评估结论"), (CONCLUSIONS_HEADING,), [(CONCLUSIONS_NOTE,)], filters=False)
    return workbook_bytes(workbook)


def _overview(sheet: Worksheet, doc: ReportDocument) -> None:
    """概况: the report's identity, then the summary paragraphs and the remarks, one row each."""
    rows: list[tuple[Cell, Cell]] = [
        ("标题", doc.title),
        ("行动计划", doc.plan_name),
        ("文件编号", doc.plan_document),
        ("地区", doc.org_name),
        ("地区代码", doc.org_unit),
        ("评估期间", doc.period_label),
        ("期间代码", doc.period),
        ("发布单位", doc.issuer),
        ("成文日期", chinese_date(doc.written_on)),
        ("评估排名", doc.ranking_note),
    ]
    if doc.demo:
        rows.insert(0, ("演示数据", DEMO_NOTICE))
    if doc.goals_note:
        rows.append(("定性目标", doc.goals_note))
    rows += [("总体进展", text) for text in doc.summary]
    rows += [("说明", text) for text in doc.notes]
    _sheet(sheet, ("项目", "内容"), rows, filters=False)
    if doc.demo:
        sheet["B2"].font = Font(bold=True, color="C00000")


def _special_projects(workbook: Workbook, sections: Sequence[SpecialSection]) -> None:
    """专项工程: each figure a row (the number a number cell, its printed text beside); then each table its sheet."""
    if not sections:
        return
    rows: list[tuple[Cell, ...]] = []
    for section in sections:
        if section.withheld:
            rows.append((section.title, "未显示", None, "", section.withheld))
            continue
        rows += [
            (section.title, figure.label, _figure(figure.value), figure.unit, figure.note)
            for figure in section.figures
        ]
    _sheet(workbook.create_sheet(SPECIAL), ("专项", "项目", "数值", "单位", "说明"), rows)
    for section in sections:
        for table in section.tables:
            _sheet(
                workbook.create_sheet(table.sheet),
                table.header,
                (tuple(_figure(cell) for cell in row) for row in table.rows),
            )


def _figure(value) -> Cell:
    """A figure as a cell: a count as an integer, a decimal as a number, text as it is."""
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _trends(sheet: Worksheet, doc: ReportDocument) -> None:
    """指标走势: one row per period, one column per indicator; empty where a period has no value."""
    sections = [section for section in doc.indicators if section.series]
    periods = sorted({period for section in sections for period, _ in section.series})
    values = {section.code: dict(section.series) for section in sections}
    header = ("期间", *(_column_title(section.code, section.name, section.unit) for section in sections))
    _sheet(
        sheet,
        header,
        (
            (period, *(_number(values[section.code].get(period)) for section in sections))
            for period in periods
        ),
    )


def _sheet(
    sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, filters: bool = True
) -> None:
    """Header row (bold, grey, frozen, filtered), the rows, and columns as wide as their longest text."""
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    count = 1
    for row in rows:
        sheet.append(list(row))
        count += 1
    sheet.freeze_panes = "A2"
    if filters and count > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count}"
    for column in sheet.iter_cols(min_row=1, max_row=count):
        width = max(_display_width(cell.value) for cell in column)
        letter = get_column_letter(column[0].column)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, width + 2)
        if width > MAX_WIDTH:
            for cell in column[1:]:
                cell.alignment = WRAP


def _column_title(code: str, name: str, unit: str) -> str:
    return f"{code} {name}（{unit}）" if unit else f"{code} {name}"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _display_width(value: Cell) -> int:
    """Width in Excel's character units: a Chinese character counts two."""
    return 0 if value is None else half_widths(str(value))


__all__ = ["FINAL_SHEETS", "SHEETS", "final_xlsx_bytes", "report_xlsx_bytes"]
