"""The report's writers on plain values: the Word file, the workbook and the charts, read back as a reader would."""

from __future__ import annotations

import dataclasses
import io
import struct
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from matplotlib import font_manager
from matplotlib.text import Text
from tests.reports.conftest import sample_report

from yangfan.reports import charts
from yangfan.reports.charts import ChineseFontMissing, indicator_chart_figure, indicator_chart_png
from yangfan.reports.docx_writer import report_docx_bytes
from yangfan.reports.xlsx_writer import report_xlsx_bytes

LEVEL_1_HEADINGS = [
    "一、总体进展",
    "二、主要指标完成情况",
    "三、定性目标评估情况",
    "四、任务推进情况",
    "五、数据报送情况",
    "六、登记簿情况",
    "七、评估排名",
    "八、需领导小组关注的问题",
]
SHEETS = [
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
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _open_docx(report, **options):
    return docx.Document(io.BytesIO(report_docx_bytes(report, **options)))


def _outline_level(paragraph) -> int | None:
    ppr = paragraph._p.pPr
    level = None if ppr is None else ppr.find(qn("w:outlineLvl"))
    return None if level is None else int(level.get(qn("w:val")))


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _table(document, header: list[str]):
    matches = [table for table in document.tables if _rows(table)[0] == header]
    assert len(matches) == 1, f"expected one table headed {header}"
    return matches[0]


def _all_text(document) -> str:
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


# --- Word ------------------------------------------------------------------------------------------------


def test_docx_opens_with_the_title_before_the_first_heading(sample_document):
    document = _open_docx(sample_document, charts=False)
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    first_heading = paragraphs.index(LEVEL_1_HEADINGS[0])
    # The title may be broken over lines; read together they are the title.
    assert sample_document.title in "".join(paragraphs[:first_heading])
    assert document.core_properties.title == sample_document.title
    assert sample_document.issuer in paragraphs[:first_heading]
    assert "2024年1月15日" in paragraphs[:first_heading]


def test_docx_has_the_seven_level_1_headings_in_order(sample_document):
    document = _open_docx(sample_document, charts=False)
    headings = [p.text for p in document.paragraphs if _outline_level(p) == 0]
    assert headings == LEVEL_1_HEADINGS


def test_docx_has_a_sub_section_per_annex_indicator_only(sample_document):
    document = _open_docx(sample_document, charts=False)
    level_2 = [p.text for p in document.paragraphs if _outline_level(p) == 1]
    assert level_2 == ["（一）A1 5G个人用户普及率", "（二）A5 每万人拥有5G基站数"]
    text = _all_text(document)
    assert "陕西省本期值16.20 个，目标≥ 18 个，状态为“存在风险”，每季度需增 1.80 个。" in text
    assert "安康市（11.40 个，进度滞后）、商洛市（12.02 个，存在风险）。" in text


def test_docx_indicator_table_prints_the_documents_own_texts(sample_document):
    document = _open_docx(sample_document, charts=False)
    table = _table(document, ["指标", "本期值", "目标", "达标", "状态"])
    assert _rows(table)[1:] == [
        [f"{s.code} {s.name}", s.value_text, s.target_text, "是" if s.target_met else "否", s.status_label]
        for s in sample_document.indicators
    ]


def test_docx_has_one_chart_per_annex_indicator(sample_document):
    document = _open_docx(sample_document)
    annex = [section for section in sample_document.indicators if section.annex]
    assert len(document.inline_shapes) == len(annex) == 2
    blobs = [
        document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        for shape in document.inline_shapes
    ]
    assert all(blob.startswith(PNG_SIGNATURE) for blob in blobs)


def test_docx_without_charts_has_no_pictures(sample_document):
    assert len(_open_docx(sample_document, charts=False).inline_shapes) == 0


def test_docx_lists_at_most_30_overdue_items_and_counts_the_rest(sample_document):
    document = _open_docx(sample_document, charts=False)
    table = _table(document, ["序号", "任务", "责任单位", "类型", "情况"])
    rows = _rows(table)[1:]
    assert len(rows) == 30
    assert rows[0][:3] == ["1", "T3.3.1 推进重点行业5G应用第1项", "省工信厅（牵头）"]
    assert rows[1][2] == "西安市政府（配合）"
    assert any("另有 5 项" in paragraph.text for paragraph in document.paragraphs)


def test_docx_task_table_has_a_row_per_unit_and_a_total(sample_document):
    document = _open_docx(sample_document, charts=False)
    header = ["责任单位", "任务数", "其中牵头", "已完成", "推进中", "滞后", "未启动", "未报送", "逾期提醒"]
    rows = _rows(_table(document, header))[1:]
    assert rows[0] == ["省工信厅", "12", "10", "7", "3", "1", "1", "0", "18"]
    assert rows[-1] == ["合计", "27", "11", "16", "7", "3", "1", "1", "35"]


def test_docx_registry_not_kept_yet_prints_its_note(sample_document):
    document = _open_docx(sample_document, charts=False)
    rows = _rows(_table(document, ["登记簿", "登记数量", "说明"]))[1:]
    assert rows[0] == ["5G行业虚拟专网", "82", ""]
    assert rows[2] == ["5G应用安全创新示范中心", "尚未启用", "由省通信管理局线下登记，尚未在系统中启用"]


def test_docx_completeness_and_ranking_tables(sample_document):
    document = _open_docx(sample_document, charts=False)
    completeness = _rows(_table(document, ["数据集", "期间", "已报送", "应报送", "按时报送率"]))[1:]
    assert completeness[0] == ["运营商月度统计", "2023Q4", "11", "12", "91.7 %"]
    assert completeness[2][-1] == "—"
    ranking = _rows(_table(document, ["名次", "单位", "类别", "总分"]))[1:]
    assert ranking[0] == ["1", "西安市", "设区市", "92.50"]
    assert "本期评估排名已发布（2024-01-20），见表6。" in _all_text(document)


def test_docx_numbers_the_issues_for_the_leading_group_and_ends_with_the_notes(sample_document):
    paragraphs = [p.text for p in _open_docx(sample_document, charts=False).paragraphs]
    start = paragraphs.index(LEVEL_1_HEADINGS[-1])
    assert paragraphs[start + 1].startswith("1.安康市、商洛市5G基站建设进度滞后")
    assert paragraphs[start + 2].startswith("2.部分省级部门")
    assert paragraphs[-2:] == ["说明：", "1.A3指标分母按全省大型工业企业总数计算。"]


def test_demo_notice_is_on_the_first_page_only_for_demo_data(sample_document):
    paragraphs = [p.text for p in _open_docx(sample_document, charts=False).paragraphs]
    front = paragraphs[: paragraphs.index(LEVEL_1_HEADINGS[0])]
    assert any(text.startswith("演示数据：") for text in front)
    real = dataclasses.replace(sample_document, demo=False)
    assert "演示数据" not in _all_text(_open_docx(real, charts=False))


def test_docx_page_is_a4_with_page_numbers_in_the_footer(sample_document):
    document = _open_docx(sample_document, charts=False)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer


def test_docx_headings_and_body_name_chinese_fonts(sample_document):
    document = _open_docx(sample_document, charts=False)
    heading = next(p for p in document.paragraphs if p.text == LEVEL_1_HEADINGS[0])
    fonts = heading.runs[0]._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    cell = _table(document, ["指标", "本期值", "目标", "达标", "状态"]).rows[1].cells[0]
    assert cell.paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"


def test_docx_is_deterministic(sample_document):
    assert report_docx_bytes(sample_document) == report_docx_bytes(sample_report())


def test_docx_without_optional_content_still_has_every_section(sample_document):
    bare = dataclasses.replace(
        sample_document,
        summary=(),
        indicators=(),
        task_rows=(),
        overdue=(),
        completeness=(),
        registries=(),
        ranking=(),
        attention=(),
        notes=(),
        demo=False,
    )
    document = _open_docx(bare)
    assert [p.text for p in document.paragraphs if _outline_level(p) == 0] == LEVEL_1_HEADINGS
    assert document.tables == []
    assert "本期无逾期事项。" in _all_text(document)


# --- Excel -----------------------------------------------------------------------------------------------


def _workbook(report):
    return openpyxl.load_workbook(io.BytesIO(report_xlsx_bytes(report)))


def _records(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_xlsx_has_one_sheet_per_section_in_order(sample_document):
    assert _workbook(sample_document).sheetnames == SHEETS


def test_xlsx_indicator_numbers_are_numbers_equal_to_the_decimals(sample_document):
    records = _records(_workbook(sample_document)["指标"])
    assert [record["指标代码"] for record in records] == ["A1", "A5", "T1"]
    for record, section in zip(records, sample_document.indicators, strict=True):
        for column, expected in (("本期值", section.value), ("目标", section.target)):
            assert isinstance(record[column], int | float), column
            assert Decimal(str(record[column])) == expected
        assert record["本期值（文字）"] == section.value_text
        assert record["目标（文字）"] == section.target_text
        assert record["状态"] == section.status_label
    assert records[1]["达标"] == "否"
    assert records[1]["所需进度"] == "每季度需增 1.80 个"


def test_xlsx_trend_sheet_holds_each_series_by_period(sample_document):
    rows = list(_workbook(sample_document)["指标走势"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("期间", "A1 5G个人用户普及率（%）", "A5 每万人拥有5G基站数（个）")
    by_period = {row[0]: row for row in body}
    for column, section in enumerate(sample_document.indicators, start=1):
        for period, value in section.series:
            cell = by_period[period][column]
            assert (cell is None) if value is None else Decimal(str(cell)) == value
    assert by_period["2022Q3"][1] is None  # the gap in A1's series stays empty


def test_xlsx_lists_every_overdue_item_and_units_ahead_and_behind(sample_document):
    workbook = _workbook(sample_document)
    overdue = _records(workbook["逾期事项"])
    assert len(overdue) == 35
    assert overdue[-1]["任务编号"] == "T3.3.35"
    units = _records(workbook["领先与落后"])
    assert [(u["指标代码"], u["类别"], u["地区"]) for u in units] == [
        ("A1", "达标或进度正常", "西安市"),
        ("A1", "达标或进度正常", "宝鸡市"),
        ("A1", "存在风险或进度滞后", "商洛市"),
        ("A5", "达标或进度正常", "西安市"),
        ("A5", "存在风险或进度滞后", "安康市"),
        ("A5", "存在风险或进度滞后", "商洛市"),
    ]
    assert units[0]["本期值"] == pytest.approx(48.2)


def test_xlsx_other_sections(sample_document):
    workbook = _workbook(sample_document)
    assert _records(workbook["任务推进"])[0]["逾期提醒"] == 18
    assert _records(workbook["任务推进"])[0]["其中牵头"] == 10
    assert _records(workbook["逾期事项"])[0]["牵头/配合"] == "牵头"
    completeness = _records(workbook["数据报送"])
    assert Decimal(str(completeness[0]["按时报送率（%）"])) == Decimal("91.666")
    assert completeness[2]["按时报送率（%）"] is None
    registries = _records(workbook["登记簿"])
    assert [r["登记数量"] for r in registries] == [82, 47, "尚未启用"]
    assert Decimal(str(_records(workbook["评估排名"])[1]["总分"])) == Decimal("88.25")
    assert [r["问题"] for r in _records(workbook["关注问题"])] == list(sample_document.attention)
    overview = {row[0]: row[1] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["标题"] == sample_document.title
    assert overview["演示数据"].startswith("本报告含系统生成的演示数据")
    assert overview["评估期间"] == "2023年第四季度"


def test_xlsx_is_deterministic(sample_document):
    assert report_xlsx_bytes(sample_document) == report_xlsx_bytes(sample_report())


# --- charts ----------------------------------------------------------------------------------------------


def test_chart_is_a_png_of_16_by_8_cm_at_150_dpi(sample_document):
    png = indicator_chart_png(sample_document.indicators[0], org_name="陕西省")
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert (width, height) == (944, 472)  # 16 cm × 8 cm at 150 dpi, truncated to whole pixels


def test_chart_bytes_are_deterministic(sample_document):
    section = sample_document.indicators[1]
    assert indicator_chart_png(section, org_name="陕西省") == indicator_chart_png(section, org_name="陕西省")


def test_chart_text_is_drawn_with_noto_sans_cjk(sample_document):
    figure = indicator_chart_figure(sample_document.indicators[0], org_name="陕西省")
    figure.canvas.draw()  # tick labels exist once drawn
    texts = [text for text in figure.findobj(Text) if text.get_text().strip() and text.get_visible()]
    shown = {text.get_text() for text in texts}
    assert {"A1 5G个人用户普及率", "期间", "单位：%", "陕西省", "目标 ≥ 40 %", "2021Q1"} <= shown
    for text in texts:
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert font_manager.get_font(path).family_name == "Noto Sans CJK SC", text.get_text()


def test_chart_of_a_series_without_values_says_so(sample_document):
    empty = dataclasses.replace(
        sample_document.indicators[0], series=(("2023Q3", None), ("2023Q4", None)), target=None
    )
    figure = indicator_chart_figure(empty, org_name="陕西省")
    assert "暂无数据" in {text.get_text() for text in figure.findobj(Text)}
    assert indicator_chart_png(empty, org_name="陕西省").startswith(PNG_SIGNATURE)


def test_chart_counts_from_100000_are_drawn_in_wan():
    section = sample_report().indicators[2]
    big = dataclasses.replace(
        section,
        unit="户",
        series=(("2022", Decimal("9000000")), ("2023", Decimal("17025000"))),
        target=Decimal("16000000"),
    )
    figure = indicator_chart_figure(big, org_name="陕西省")
    assert figure.axes[0].get_ylabel() == "单位：万户"


def test_chart_without_the_chinese_font_refuses_to_draw(sample_document, monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILY", "No Such CJK Font")
    with pytest.raises(ChineseFontMissing, match="fonts-noto-cjk"):
        indicator_chart_png(sample_document.indicators[0], org_name="陕西省")
