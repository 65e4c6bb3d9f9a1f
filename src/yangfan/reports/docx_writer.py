"""The evaluation report (评估报告) as a Word file, laid out the way a provincial office writes one.

The page, the fonts and the page numbers are those of the office's 公文 (GB/T 9704-2012, implemented in
:mod:`yangfan.supervision.documents`, whose helpers this module uses): A4 with the standard's 版心, 正文 in
3号仿宋 on 22 exact lines (a grid of lines, not of characters: :func:`_set_line_grid`), level-1 headings
"一、" in 黑体 and level-2 headings "（一）" in 楷体, the title in 2号小标宋 (bold here, so the machines that
substitute another font for 小标宋 still print a heavy title) and "— 1 —" page numbers. Tables and captions
are smaller (5号宋体, 黑体 header on a grey ground, single borders, the header repeated on every page, rows
never split). Headings carry outline levels, so Word's navigation pane lists them.

The order of the report: title; issuer and date; the demo notice when the figures include demo data; an
opening sentence citing the plan; 一、总体进展; 二、主要指标完成情况 (a table of every indicator, then one
sub-section per annex indicator with its figures, trend chart and the units ahead and behind; further targets
of the text only in the table); 三、任务推进情况 (by responsible unit, then the overdue items, at most
:data:`OVERDUE_ROWS` of them); 四、数据报送情况; 五、登记簿情况; 六、评估排名; 七、需领导小组关注的问题; 说明.

Every figure printed is a text or value of the :class:`~yangfan.reports.document.ReportDocument`; the few
this module formats itself (rates, counts, totals) are plain formatting. The same document always gives the
same bytes: the core properties take the report's date and the zip is rewritten as the 公文 writer does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from yangfan.reports.charts import indicator_chart_png
from yangfan.reports.document import DEMO_NOTICE, IndicatorSection, ReportDocument, UnitFigure
from yangfan.supervision.documents import (
    BODY_PT,
    HEITI,
    KAITI,
    LINE,
    SONGTI,
    TEXT_WIDTH,
    TITLE_PT,
    XIAOBIAOSONG,
    OfficialWriter,
    border,
    chinese_date,
    chinese_number,
    element,
    half_widths,
    normalised_zip,
    set_core_properties,
    set_defaults,
    set_page,
    set_page_numbers,
)

OVERDUE_ROWS = 30  # overdue items listed in the Word file; the XLSX lists them all
TABLE_PT = 10.5  # 5号
TABLE_LINE = 300  # twips: 15 pt lines in tables
CAPTION_PT = 12  # 小4号
CHART_WIDTH = TEXT_WIDTH * 635  # EMU (635 a twip): the chart as wide as the 版心
HEADER_FILL = "D9D9D9"
DEMO_RED = "C00000"

SECTIONS = (
    "总体进展",
    "主要指标完成情况",
    "任务推进情况",
    "数据报送情况",
    "登记簿情况",
    "评估排名",
    "需领导小组关注的问题",
)


@dataclass(frozen=True)
class Column:
    """A table column: its header, its share of the table's width, and how its cells align."""

    header: str
    weight: float
    align: str = "center"


def report_docx_bytes(doc: ReportDocument, *, charts: bool = True) -> bytes:
    """The ``.docx`` file of ``doc``; ``charts=False`` leaves the trend charts out (quicker, for tests)."""
    document = Document()
    set_defaults(document)
    set_page(document)
    _set_line_grid(document)
    writer = _ReportWriter(document, doc, charts=charts)
    writer.front()
    writer.overview()
    writer.indicators()
    writer.tasks()
    writer.completeness()
    writer.registries()
    writer.ranking()
    writer.attention()
    writer.notes()
    set_page_numbers(document)
    _set_properties(document, doc)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), doc.written_on)


class _ReportWriter(OfficialWriter):
    """The 公文 writer's paragraphs and runs, plus the report's headings, tables and charts."""

    def __init__(self, document: DocxDocument, doc: ReportDocument, *, charts: bool):
        super().__init__(document)
        self.doc = doc
        self.charts = charts
        self.level_1 = self.level_2 = 0
        self.tables = self.figures = 0

    # building blocks ----------------------------------------------------------------------------------

    def heading(self, text: str, *, level: int) -> None:
        """Level 1 "一、" in 黑体, level 2 "（一）" in 楷体; numbered here, kept with what follows."""
        if level == 1:
            self.level_1, self.level_2 = self.level_1 + 1, 0
            text, font = f"{chinese_number(self.level_1)}、{text}", HEITI
        else:
            self.level_2 += 1
            text, font = f"（{chinese_number(self.level_2)}）{text}", KAITI
        paragraph = self.text(text, east_asia=font, first=200, keep_next=True)
        paragraph._p.get_or_add_pPr().append(element("w:outlineLvl", val=level - 1))

    def body(self, text: str) -> Paragraph:
        return self.text(text.strip(), first=200)

    def labelled(self, label: str, text: str) -> None:
        """A body paragraph led by a label in 楷体 ("达标或进度正常的：…")."""
        paragraph = self.paragraph(first=200)
        self.run(paragraph, label, east_asia=KAITI)
        self.run(paragraph, text)

    def caption(self, text: str, *, keep_next: bool) -> None:
        paragraph = self.paragraph(
            align="center", line=CAPTION_PT * 20 * 3 // 2, unit=CAPTION_PT, on_grid=False, keep_next=keep_next
        )
        self.run(paragraph, text, size=CAPTION_PT, east_asia=HEITI)

    def table(self, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """A numbered table: its caption, a grey header row repeated on each page, single borders."""
        self.tables += 1
        self.caption(f"表{self.tables}　{title}", keep_next=True)
        widths = _widths([column.weight for column in columns])
        table = self.document.add_table(rows=1 + len(rows), cols=len(columns))
        tbl = table._tbl
        tblpr = tbl.tblPr
        for child in list(tblpr):
            tblpr.remove(child)
        tblpr.append(element("w:tblW", w=TEXT_WIDTH, type="dxa"))
        tblpr.append(element("w:jc", val="center"))
        borders = element("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(element(f"w:{side}", val="single", sz=4, space=0, color="000000"))
        tblpr.append(borders)
        tblpr.append(element("w:tblLayout", type="fixed"))
        margins = element("w:tblCellMar")
        for side, twips in (("top", 30), ("left", 80), ("bottom", 30), ("right", 80)):
            margins.append(element(f"w:{side}", w=twips, type="dxa"))
        tblpr.append(margins)
        tblpr.append(element("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0))
        for grid_column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            grid_column.set(qn("w:w"), str(width))
        for index, row in enumerate(table.rows):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(element("w:cantSplit"))
            if index == 0:
                trpr.append(element("w:tblHeader"))
            texts = [column.header for column in columns] if index == 0 else rows[index - 1]
            for cell, column, width, text in zip(row.cells, columns, widths, texts, strict=True):
                cell.width = Emu(width * 635)
                if index == 0:
                    cell._tc.get_or_add_tcPr().append(
                        element("w:shd", val="clear", color="auto", fill=HEADER_FILL)
                    )
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                ppr = paragraph._p.get_or_add_pPr()
                ppr.append(element("w:snapToGrid", val=0))
                ppr.append(element("w:spacing", before=0, after=0, line=TABLE_LINE, lineRule="exact"))
                ppr.append(element("w:jc", val="center" if index == 0 else column.align))
                self.run(paragraph, text, size=TABLE_PT, east_asia=HEITI if index == 0 else SONGTI)
        # A short gap before the text that follows; the table's last row stays with its caption's table.
        self.paragraph(line=160, on_grid=False)

    def chart(self, section: IndicatorSection) -> None:
        """The trend chart as wide as the 版心, its caption below; auto line height so it is not clipped."""
        png = indicator_chart_png(section, org_name=self.doc.org_name)
        paragraph = self.paragraph(align="center", on_grid=False, keep_next=True)
        spacing = paragraph._p.pPr.find(qn("w:spacing"))
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
        spacing.set(qn("w:before"), "120")
        paragraph.add_run().add_picture(io.BytesIO(png), width=Emu(CHART_WIDTH))
        self.figures += 1
        self.caption(f"图{self.figures}　{section.code} {section.name}走势", keep_next=False)

    # the report's parts -------------------------------------------------------------------------------

    def front(self) -> None:
        """Title, issuer and date, the demo notice, and the opening sentence."""
        doc = self.doc
        self.blank()
        for line in title_lines(doc.title):
            title = self.paragraph(align="center", line=TITLE_PT * 20 * 3 // 2, unit=TITLE_PT, on_grid=False)
            self.run(title, line, size=TITLE_PT, east_asia=XIAOBIAOSONG)
            _bold(title)
        self.blank()
        self.text(doc.issuer.strip(), east_asia=KAITI, align="center")
        self.text(chinese_date(doc.written_on), east_asia=KAITI, align="center")
        if doc.demo:
            self.blank()
            red = tuple(
                border(side, eighths=8, space=4, color=DEMO_RED)
                for side in ("top", "left", "bottom", "right")
            )
            paragraph = self.paragraph(align="both", borders=red)
            self.run(
                paragraph,
                f"演示数据：{DEMO_NOTICE}",
                size=BODY_PT - 2,
                east_asia=HEITI,
                color=DEMO_RED,
            )
        self.blank()
        plan = doc.plan_name.strip().strip("《》")
        number = f"（{doc.plan_document.strip()}）" if doc.plan_document.strip() else ""
        self.body(
            f"根据《{plan}》{number}关于定期组织评估的要求，现将{doc.org_name}{doc.period_label}"
            "行动计划实施情况评估如下。"
        )

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

    def tasks(self) -> None:
        self.heading(SECTIONS[2], level=1)
        rows = self.doc.task_rows
        if rows:
            self.body(f"各责任单位承担的任务推进情况见表{self.tables + 1}。")
            counts = [
                (
                    row.assignments,
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
                    *(Column(header, 1.3) for header in ("任务数", "已完成", "推进中", "滞后", "未启动")),
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
                (str(number), f"{item.task} {item.task_title}", item.unit, item.kind_label, item.message)
                for number, item in enumerate(listed, start=1)
            ],
        )
        if len(overdue) > len(listed):
            self.body(
                f"另有 {len(overdue) - len(listed)} 项未列出，详见同期评估报告数据表（XLSX）“逾期事项”工作表。"
            )

    def completeness(self) -> None:
        self.heading(SECTIONS[3], level=1)
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
        self.heading(SECTIONS[4], level=1)
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

    def ranking(self) -> None:
        self.heading(SECTIONS[5], level=1)
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
        self.heading(SECTIONS[6], level=1)
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


# --- texts ----------------------------------------------------------------------------------------------


def title_lines(title: str) -> list[str]:
    """The title's lines: the caller's own breaks ("\\n") where it gives them; otherwise a closing "（…）"
    (the period) on a line of its own, and a title too long for one line broken where offices break it, never
    inside a word: after a plan word ("计划", "方案", "规划") or a 书名号 name ("》"), else after a quotation
    ("”"), at the place nearest the middle.
    """
    lines = [line.strip() for line in title.strip().splitlines() if line.strip()]
    if len(lines) != 1:
        return lines
    text, period = lines[0], ""
    if text.endswith("）") and "（" in text and not text.startswith("（"):
        cut = text.rindex("（")
        text, period = text[:cut], text[cut:]
    capacity = TEXT_WIDTH // (TITLE_PT * 20) * 2  # half-widths on one line of the title
    lines = [text]
    if half_widths(text) > capacity:
        for words in (("》", "计划", "方案", "规划"), ("”",)):
            cuts = [
                index + len(word)
                for word in words
                for index in range(1, len(text))
                if text.startswith(word, index)
                and half_widths(text[: index + len(word)]) <= capacity
                and 0 < half_widths(text[index + len(word) :]) <= capacity
            ]
            if cuts:
                cut = min(cuts, key=lambda cut: (abs(half_widths(text[:cut]) - half_widths(text[cut:])), cut))
                lines = [text[:cut], text[cut:]]
                break
    return [*lines, period] if period else lines


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


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def _widths(weights: Sequence[float]) -> list[int]:
    """Column widths in twips, in proportion to ``weights``, summing exactly to the 版心's width."""
    total = sum(weights)
    widths = [int(TEXT_WIDTH * weight / total) for weight in weights]
    widths[0] += TEXT_WIDTH - sum(widths)
    return widths


# --- document settings -----------------------------------------------------------------------------------


def _set_line_grid(document: DocxDocument) -> None:
    """A grid of lines only: the 公文's 28-character grid has a pitch under the 3号 font size, which Word
    and WPS absorb by condensing but LibreOffice answers by giving every character two cells (about 14
    characters a line). A report of tables and charts keeps the 22 lines and lets characters take their width.
    """
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE))


def _bold(paragraph: Paragraph) -> None:
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        position = 0 if rfonts is None else list(rpr).index(rfonts) + 1
        rpr.insert(position, element("w:bCs"))
        rpr.insert(position, element("w:b"))


def _set_properties(document: DocxDocument, doc: ReportDocument) -> None:
    """Core properties from the report itself, never from the clock, and no stale template thumbnail."""
    set_core_properties(
        document,
        author=doc.issuer,
        title=doc.title,
        subject=f"{doc.org_name} {doc.period_label}",
        day=doc.written_on,
        category="评估报告",
    )


__all__ = ["OVERDUE_ROWS", "report_docx_bytes"]
