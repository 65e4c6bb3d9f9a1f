"""The evaluation report (评估报告) as a Word file, laid out the way a provincial office writes one.

The page, the fonts, the building blocks and the bytes are those of the office's 公文 (GB/T 9704-2012,
:mod:`yangfan.documents.word`): A4 with the standard's 版心, 正文 in 3号仿宋 on 22 exact lines (a grid of
lines, not of characters, since tables and charts set other sizes), level-1 headings "一、" in 黑体 and level-2
headings "（一）" in 楷体, the title in 2号小标宋 (bold here, so the machines that substitute another font for
小标宋 still print a heavy title) and "— 1 —" page numbers; numbered tables and figures in 5号 and 小4号.
Headings carry outline levels, so Word's navigation pane lists them.

The order of the report: title; issuer and date; the demo notice when the figures include demo data; an
opening sentence citing the plan; 一、总体进展; 二、主要指标完成情况 (a table of every indicator, then one
sub-section per annex indicator with its figures, trend chart and the units ahead and behind; further targets
of the text only in the table); 三、定性目标评估情况 (a table of every qualitative target with its standing
conclusion, then each judged one with its reasoning and evidence); 四、任务推进情况 (by responsible unit, then the
overdue items, at most :data:`OVERDUE_ROWS` of them); 五、数据报送情况; 六、登记簿情况; then, when the document
holds the special projects (every report built from the database does), 七、专项工程推进情况 with a sub-section per
project (its figures, tables, and how they were read; the security one says so where the reader may not see it);
评估排名; 需领导小组关注的问题; 说明.

The final evaluation of a finished plan (终期评估, :func:`final_docx_bytes`) is laid out on the same page with the
same parts where it has them (定性目标, 登记簿, 评估排名, the charts), and its own: every target at its date, the
annex indicators year by year, each task share's final state, the units and groups compared, and the office's
conclusions, headed and left empty to be written in Word.

Every figure printed is a text or value of the :class:`~yangfan.reports.document.ReportDocument`; the few
this module formats itself (rates, counts, totals) are plain formatting. The same document always gives the
same bytes: the core properties and the zip take the report's date
(:func:`~yangfan.documents.word.package.docx_bytes`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from docx.document import Document as DocxDocument

from yangfan.documents.word.gbt9704 import BODY_PT, HEITI, KAITI, TITLE_PT, chinese_date
from yangfan.documents.word.package import docx_bytes, set_core_properties
from yangfan.documents.word.page import new_document, set_page_numbers
from yangfan.documents.word.writer import Column, WordWriter, border, title_lines
from yangfan.reports.charts import ChineseFontMissing, indicator_chart_png
from yangfan.reports.document import (
    CONCLUSIONS_HEADING,
    CONCLUSIONS_NOTE,
    DEMO_NOTICE,
    CountTable,
    FinalDocument,
    IndicatorSection,
    ReportDocument,
    SpecialSection,
    UnitFigure,
)

logger = logging.getLogger(__name__)

OVERDUE_ROWS = 30  # overdue items listed in the Word file; the XLSX lists them all
TITLE_LINE = TITLE_PT * 20 * 3 // 2  # twips: the title's lines one and a half 2号 apart
DEMO_RED = "C00000"

SECTIONS = (
    "总体进展",
    "主要指标完成情况",
    "定性目标评估情况",
    "任务推进情况",
    "数据报送情况",
    "登记簿情况",
    "评估排名",
    "需领导小组关注的问题",
)
SPECIAL = "专项工程推进情况"  # after 登记簿情况, when the document holds the special projects


def report_docx_bytes(doc: ReportDocument, *, charts: bool = True) -> bytes:
    """The ``.docx`` file of ``doc``; ``charts=False`` leaves the trend charts out (quicker, for tests)."""
    document = new_document(character_grid=False)
    writer = _ReportWriter(document, doc, charts=charts)
    writer.front()
    writer.overview()
    writer.indicators()
    writer.goals()
    writer.tasks()
    writer.completeness()
    writer.registries()
    writer.special_projects()
    writer.ranking()
    writer.attention()
    writer.notes()
    set_page_numbers(document)
    set_core_properties(
        document,
        author=doc.issuer,
        title=doc.title,
        subject=f"{doc.org_name} {doc.period_label}",
        category="评估报告",
    )
    return docx_bytes(document, day=doc.written_on)


class _ReportWriter(WordWriter):
    """The layout primitives, plus the report's parts in order."""

    outline_levels = True

    def __init__(self, document: DocxDocument, doc: ReportDocument, *, charts: bool):
        super().__init__(document)
        self.doc = doc
        self.charts = charts

    def chart(self, section: IndicatorSection) -> None:
        """The section's trend chart as wide as the 版心, its caption below.

        A chart that cannot be drawn (no Chinese font installed, matplotlib failing) leaves a note where it would
        be, and the report is still written: its figures and texts do not depend on one image (ADR 0018)."""
        try:
            png = indicator_chart_png(section, org_name=self.doc.org_name)
        except Exception as error:  # whatever the drawing raised, the report is worth more than its chart
            logger.warning("report chart %s not drawn", section.code, exc_info=True)
            reason = "未安装中文字体 fonts-noto-cjk" if isinstance(error, ChineseFontMissing) else "绘图出错"
            self.caption(f"（{section.code} {section.name}走势图未能生成：{reason}）", keep_next=False)
            return
        self.picture(png, caption=f"{section.code} {section.name}走势")

    # the report's parts -------------------------------------------------------------------------------

    def front(self) -> None:
        """Title, issuer and date, the demo notice, and the opening sentence."""
        doc = self.doc
        self.blank()
        for line in title_lines(doc.title):
            self.title(line, line=TITLE_LINE, bold=True)
        self.blank()
        self.text(doc.issuer.strip(), east_asia=KAITI, align="center")
        self.text(chinese_date(doc.written_on), east_asia=KAITI, align="center")
        if doc.demo:
            self.demo_notice()
        self.blank()
        plan = doc.plan_name.strip().strip("《》")
        number = f"（{doc.plan_document.strip()}）" if doc.plan_document.strip() else ""
        self.body(
            f"根据《{plan}》{number}关于定期组织评估的要求，现将{doc.org_name}{doc.period_label}"
            "行动计划实施情况评估如下。"
        )

    def demo_notice(self) -> None:
        """The red-bordered notice that the figures include generated demo data."""
        self.blank()
        red = tuple(
            border(side, eighths=8, space=4, color=DEMO_RED) for side in ("top", "left", "bottom", "right")
        )
        paragraph = self.paragraph(align="both", borders=red)
        self.run(paragraph, f"演示数据：{DEMO_NOTICE}", size=BODY_PT - 2, east_asia=HEITI, color=DEMO_RED)

    def overview(self) -> None:
        self.heading(SECTIONS[0], level=1)
        paragraphs = [text for text in self.doc.summary if text.strip()]
        for text in paragraphs or ["本期暂无总体进展情况。"]:
            self.body(text)

    def indicators(self) -> None:
        self.heading(SECTIONS[1], level=1)
        sections = self.doc.indicators
        if not sections:
            self.body("本期暂无指标数据。")
            return
        annex = [section for section in sections if section.annex]
        further = len(sections) - len(annex)
        lead = f"行动计划附件所列{len(annex)}项主要指标"
        if further:
            lead += f"及正文提出的{further}项其他目标"
        self.body(f"{lead}本期完成情况见表{self.tables + 1}。")
        self.table(
            "主要指标完成情况",
            (
                Column("指标", 5.2, "left"),
                Column("本期值", 2.2),
                Column("目标", 2.2),
                Column("达标", 1.1),
                Column("状态", 1.8),
            ),
            [
                (
                    f"{section.code} {section.name}",
                    section.value_text,
                    section.target_text,
                    _met(section.target_met),
                    section.status_label,
                )
                for section in sections
            ],
        )
        for section in annex:
            self.heading(f"{section.code} {section.name}", level=2)
            self.body(_indicator_sentence(section, self.doc.org_name))
            if self.charts:
                self.chart(section)
            self.labelled("达标或进度正常的：", _units(section.ahead))
            self.labelled("存在风险或进度滞后的：", _units(section.behind))

    def goals(self) -> None:
        """定性目标评估情况: a table of every qualitative target with its standing conclusion, then each judged
        target with its conclusion, reasoning and evidence."""
        self.heading(SECTIONS[2], level=1)
        doc = self.doc
        if doc.goals_note.strip():
            self.body(doc.goals_note)
            return
        rows = doc.goals
        if not rows:
            self.body("行动计划没有定性目标。")
            return
        judged = [row for row in rows if row.verdict]
        if judged:
            self.body(
                f"行动计划提出的{len(rows)}项定性目标，截至{doc.period_label}已评估{len(judged)}项，"
                f"评估结论见表{self.tables + 1}。"
            )
        else:
            self.body(
                f"行动计划提出的{len(rows)}项定性目标，截至{doc.period_label}尚未发布评估结论，见表{self.tables + 1}。"
            )
        self.table(
            "定性目标评估情况",
            (
                Column("代码", 1.1),
                Column("定性目标", 7.0, "left"),
                Column("评估结论", 1.8),
                Column("评估期间", 1.6),
            ),
            [(row.code, row.text, row.verdict_label, row.period or "—") for row in rows],
        )
        for row in judged:
            self.heading(f"{row.code} {row.text}", level=2)
            self.labelled("评估结论：", f"{row.verdict_label}（{row.period}）")
            self.labelled("判断理由：", row.reasoning)
            self.labelled("佐证材料：", "；".join(row.evidence) if row.evidence else "未列佐证材料。")

    def tasks(self) -> None:
        self.heading(SECTIONS[3], level=1)
        rows = self.doc.task_rows
        if rows:
            self.body(f"各责任单位承担的任务推进情况见表{self.tables + 1}。")
            counts = [
                (
                    row.assignments,
                    row.leading,
                    row.done,
                    row.in_progress,
                    row.lagging,
                    row.not_started,
                    row.not_reported,
                    row.overdue,
                )
                for row in rows
            ]
            table_rows = [(row.unit, *map(str, numbers)) for row, numbers in zip(rows, counts, strict=True)]
            if len(rows) > 1:
                table_rows.append(("合计", *(str(sum(column)) for column in zip(*counts, strict=True))))
            self.table(
                "任务推进情况（按责任单位）",
                (
                    Column("责任单位", 3.6, "left"),
                    *(
                        Column(header, 1.3)
                        for header in ("任务数", "其中牵头", "已完成", "推进中", "滞后", "未启动")
                    ),
                    Column("未报送", 1.3),
                    Column("逾期提醒", 1.5),
                ),
                table_rows,
            )
        else:
            self.body("本期暂无任务推进情况。")
        overdue = self.doc.overdue
        if not overdue:
            self.body("本期无逾期事项。")
            return
        listed = overdue[:OVERDUE_ROWS]
        self.body(f"本期逾期及滞后事项共{len(overdue)}项，见表{self.tables + 1}。")
        self.table(
            "逾期及滞后事项",
            (
                Column("序号", 0.9),
                Column("任务", 4.0, "left"),
                Column("责任单位", 2.3, "left"),
                Column("类型", 1.6),
                Column("情况", 4.2, "left"),
            ),
            [
                (
                    str(number),
                    f"{item.task} {item.task_title}",
                    f"{item.unit}（{item.role}）" if item.role else item.unit,
                    item.kind_label,
                    item.message,
                )
                for number, item in enumerate(listed, start=1)
            ],
        )
        if len(overdue) > len(listed):
            self.body(
                f"另有 {len(overdue) - len(listed)} 项未列出，详见同期评估报告数据表（XLSX）“逾期事项”工作表。"
            )

    def completeness(self) -> None:
        self.heading(SECTIONS[4], level=1)
        rows = self.doc.completeness
        if not rows:
            self.body("本期暂无数据报送要求。")
            return
        self.body(f"各数据集报送情况见表{self.tables + 1}。")
        self.table(
            "数据报送情况",
            (
                Column("数据集", 4.6, "left"),
                Column("期间", 1.8),
                Column("已报送", 1.5),
                Column("应报送", 1.5),
                Column("按时报送率", 2.0),
            ),
            [
                (row.data_set, row.period, str(row.submitted), str(row.expected), _percent(row.on_time_rate))
                for row in rows
            ],
        )

    def registries(self) -> None:
        self.heading(SECTIONS[5], level=1)
        rows = self.doc.registries
        if not rows:
            self.body("暂无登记簿。")
            return
        self.body(f"各登记簿登记情况见表{self.tables + 1}。")
        self.table(
            "登记簿情况",
            (Column("登记簿", 4.0, "left"), Column("登记数量", 1.8), Column("说明", 5.6, "left")),
            [
                (row.name, "尚未启用" if row.count is None else str(row.count), row.description)
                for row in rows
            ],
        )

    def special_projects(self) -> None:
        """专项工程推进情况: per project its basis, its figures one a line, and its tables; nothing for a document
        without special projects."""
        sections = self.doc.special_projects
        if not sections:
            return
        self.heading(SPECIAL, level=1)
        for section in sections:
            self.special_project(section)

    def special_project(self, section: SpecialSection) -> None:
        self.heading(section.title, level=2)
        if section.withheld.strip():
            self.body(section.withheld)
            return
        if section.basis.strip():
            self.body(section.basis)
        for figure in section.figures:
            note = f"（{figure.note}）" if figure.note.strip() else ""
            self.labelled(f"{figure.label}：", f"{figure.text}{note}。")
        for table in section.tables:
            self.count_table(table)

    def count_table(self, table: CountTable) -> None:
        """A table of figures: the label column wider and left-aligned, the figures centred."""
        first, *others = table.header
        self.table(
            table.title,
            (Column(first, 3.2, "left"), *(Column(header, _width(header)) for header in others)),
            [tuple(_cell(cell) for cell in row) for row in table.rows],
        )

    def ranking(self) -> None:
        self.heading(SECTIONS[6], level=1)
        note = self.doc.ranking_note.strip()
        rows = self.doc.ranking
        if not rows:
            self.body(f"本期评估排名{note}，暂无排名结果。" if note else "本期暂无评估排名结果。")
            return
        self.body(
            f"本期评估排名{note}，见表{self.tables + 1}。" if note else f"本期评估排名见表{self.tables + 1}。"
        )
        self.table(
            "评估排名",
            (Column("名次", 1.2), Column("单位", 4.4, "left"), Column("类别", 2.4), Column("总分", 2.0)),
            [(str(row.rank), row.name, row.kind_label, format(row.total, "f")) for row in rows],
        )

    def attention(self) -> None:
        self.heading(SECTIONS[7], level=1)
        issues = [text.strip() for text in self.doc.attention if text.strip()]
        if not issues:
            self.body("本期暂无需提请领导小组关注的问题。")
        for number, text in enumerate(issues, start=1):
            self.body(f"{number}.{text}")

    def notes(self) -> None:
        notes = [text.strip() for text in self.doc.notes if text.strip()]
        if not notes:
            return
        self.blank()
        self.text("说明：", east_asia=HEITI, first=200, keep_next=True)
        for number, text in enumerate(notes, start=1):
            self.body(f"{number}.{text}")


# --- the final evaluation (终期评估) ---------------------------------------------------------------------

FINAL_SECTIONS = ("总体情况", "量化目标完成情况", "主要指标逐年走势", "任务完成情况", "各地区和统计分组比较")


def final_docx_bytes(doc: FinalDocument, *, charts: bool = True) -> bytes:
    """The ``.docx`` file of the final evaluation: the report's page and parts, in this order: title; 一、总体情况;
    二、量化目标完成情况 (every target at its date); 三、主要指标逐年走势 (a table of the years with the trajectory, then a
    sub-section and chart per annex indicator); 四、任务完成情况 (every share's final state); then the evaluation
    report's 定性目标评估情况 and 登记簿情况; 各地区和统计分组比较; 评估排名; and the office's own section,
    headed and empty, to be written in Word (:data:`~yangfan.reports.document.CONCLUSIONS_HEADING`)."""
    document = new_document(character_grid=False)
    writer = _FinalWriter(document, doc, charts=charts)
    writer.final_front()
    writer.final_overview()
    writer.targets()
    writer.trajectories()
    writer.final_tasks()
    writer.goals()
    writer.registries()
    writer.comparison()
    writer.ranking()
    writer.conclusions()
    writer.notes()
    set_page_numbers(document)
    set_core_properties(
        document,
        author=doc.issuer,
        title=doc.title,
        subject=f"{doc.org_name} 终期评估",
        category="终期评估报告",
    )
    return docx_bytes(document, day=doc.written_on)


class _FinalWriter(_ReportWriter):
    """The final evaluation's parts; the evaluation report's (goals, registries, ranking, notes, charts) on its
    ``report``."""

    def __init__(self, document: DocxDocument, final: FinalDocument, *, charts: bool):
        super().__init__(document, final.report, charts=charts)
        self.final = final

    def final_front(self) -> None:
        final = self.final
        self.blank()
        for line in title_lines(final.title):
            self.title(line, line=TITLE_LINE, bold=True)
        self.blank()
        self.text(final.issuer.strip(), east_asia=KAITI, align="center")
        self.text(chinese_date(final.written_on), east_asia=KAITI, align="center")
        if final.demo:
            self.demo_notice()
        self.blank()
        report = final.report
        plan = report.plan_name.strip().strip("《》")
        number = f"（{report.plan_document.strip()}）" if report.plan_document.strip() else ""
        self.body(
            f"《{plan}》{number}实施期已于{chinese_date(final.plan_end)}结束。根据计划关于定期组织评估的要求，"
            f"现将{final.org_name}计划实施情况终期评估如下。"
        )

    def final_overview(self) -> None:
        self.heading(FINAL_SECTIONS[0], level=1)
        for text in [t for t in self.final.summary if t.strip()] or ["暂无总体情况。"]:
            self.body(text)

    def targets(self) -> None:
        """Every quantified target judged at its own date."""
        self.heading(FINAL_SECTIONS[1], level=1)
        rows = self.final.targets
        if not rows:
            self.body("计划没有适用于本地区的量化目标。")
            return
        self.body(
            f"各项量化目标按各自的目标日期评判，取目标日期所在期间的数值，见表{self.tables + 1}。"
            "“首次达到”为序列中首次满足目标的期间。"
        )
        self.table(
            "量化目标完成情况",
            (
                Column("指标", 3.0, "left"),
                Column("地区", 1.5),
                Column("目标类型", 1.6),
                Column("目标", 1.7),
                Column("评判期", 1.1),
                Column("到期值", 1.7),
                Column("结论", 1.2),
                Column("差距", 1.8),
                Column("首次达到", 1.2),
            ),
            [
                (
                    f"{t.indicator} {t.name}",
                    t.org_name,
                    f"{t.kind_label}（{t.source_label}）",
                    t.target_text,
                    t.period,
                    t.value_text,
                    t.verdict_label,
                    t.gap_text or "—",
                    t.first_reached or "未达到",
                )
                for t in rows
            ],
        )

    def trajectories(self) -> None:
        """The annex indicators year by year with the trajectory, then each with its sentence and chart."""
        self.heading(FINAL_SECTIONS[2], level=1)
        found = self.final.trajectories
        if not found:
            self.body("暂无主要指标数据。")
            return
        years = [p.period for p in found[0].points]
        self.body(
            f"附件所列{len(found)}项主要指标计划期内逐年情况见表{self.tables + 1}，括号内为按基期值、阶段目标和最终目标"
            "推算的轨迹值。"
        )
        self.table(
            "主要指标逐年走势",
            (
                Column("指标", 3.4, "left"),
                *(Column(f"{year}年", 2.0) for year in years),
                Column("目标", 1.6),
            ),
            [
                (
                    f"{t.section.code} {t.section.name}",
                    *(
                        p.value_text + (f"（{p.expected_text}）" if p.expected is not None else "")
                        for p in t.points
                    ),
                    t.section.target_text,
                )
                for t in found
            ],
        )
        for trajectory in found:
            section = trajectory.section
            self.heading(f"{section.code} {section.name}", level=2)
            self.body(_indicator_sentence(section, self.final.org_name).replace("本期值", "计划期末值", 1))
            if self.charts:
                self.chart(section)

    def final_tasks(self) -> None:
        self.heading(FINAL_SECTIONS[3], level=1)
        rows = self.final.tasks
        if not rows:
            self.body("本地区没有纳入督导的任务分工。")
            return
        self.body(
            f"各任务分工在最后一个报送期（{self.final.task_period}）的状态、最近一次报送、节点完成、佐证材料和督办单"
            f"见表{self.tables + 1}。"
        )
        self.table(
            "任务完成情况",
            (
                Column("任务", 3.6, "left"),
                Column("责任单位", 2.2, "left"),
                Column("最终状态", 1.3),
                Column("最近报送", 1.9),
                Column("节点", 1.0),
                Column("佐证材料", 1.1),
                Column("督办单", 2.4, "left"),
            ),
            [
                (
                    f"{t.task} {t.task_title}",
                    f"{t.unit}（{t.role}）",
                    t.state_label,
                    f"{t.last_period} {t.last_progress} {t.last_percent}%" if t.last_period else "未报送",
                    f"{t.milestones_met}/{t.milestones}",
                    f"{len(t.evidence)} 份",
                    "；".join(t.notices) or "—",
                )
                for t in rows
            ],
        )

    def comparison(self) -> None:
        self.heading(FINAL_SECTIONS[4], level=1)
        rows = self.final.comparison
        if not rows:
            self.body("本地区没有下级地区或统计分组可比较。")
            return
        columns = self.final.comparison_indicators
        self.body(
            f"下级地区和统计分组计划期末的主要指标见表{self.tables + 1}（“√”为达到最终目标，“×”为未达到）。"
        )
        self.table(
            "各地区和统计分组主要指标比较",
            (
                Column("地区", 2.2, "left"),
                *(Column(code, 1.6) for code, _name in columns),
                Column("达标项数", 1.3),
            ),
            [
                (
                    row.name + ("（分组）" if row.kind_label == "统计分组" else ""),
                    *(f"{f.value_text}{_mark(f.met)}" for f in row.figures),
                    str(row.met_count),
                )
                for row in rows
            ],
        )
        self.body("；".join(f"{code}为{name}" for code, name in columns) + "。")

    def conclusions(self) -> None:
        """The office's own section: headed and empty, written in Word."""
        self.heading(CONCLUSIONS_HEADING, level=1)
        self.body(CONCLUSIONS_NOTE)
        self.blank(3)


def _mark(met: bool | None) -> str:
    return "" if met is None else (" √" if met else " ×")


# --- texts ----------------------------------------------------------------------------------------------


def _indicator_sentence(section: IndicatorSection, org_name: str) -> str:
    """The sentence "西安市本期值45.20 %，目标≥ 40 %，状态为“已达标”，每月需增…。" of the section's own texts."""
    parts = [f"{org_name}本期值{section.value_text}"]
    parts.append(f"目标{section.target_text}" if section.target is not None else section.target_text)
    parts.append(f"状态为“{section.status_label}”")
    if section.pace_text.strip():
        parts.append(section.pace_text.strip())
    sentence = "，".join(parts) + "。"
    if section.note.strip():
        sentence += section.note.strip().rstrip("。") + "。"
    return sentence


def _units(units: Sequence[UnitFigure]) -> str:
    if not units:
        return "无。"
    return "、".join(f"{unit.name}（{unit.value_text}，{unit.status_label}）" for unit in units) + "。"


def _met(met: bool | None) -> str:
    return "—" if met is None else ("是" if met else "否")


def _cell(value) -> str:
    """A cell of a table of figures: a count with thousands separators, a decimal as it is, ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _width(header: str) -> float:
    """A figure column's weight: enough for its header (a Chinese character is about a third of a weight)."""
    return max(1.2, min(3.0, len(header) * 0.35))


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


__all__ = ["FINAL_SECTIONS", "OVERDUE_ROWS", "final_docx_bytes", "report_docx_bytes"]
