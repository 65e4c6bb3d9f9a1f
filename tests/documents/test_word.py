"""The Word writer on plain values: the GB/T 9704 page, the fonts of each element, numbered headings, tables
and figures, page numbers and the same bytes for the same content, read back from the file with python-docx."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length
from PIL import Image
from tests.documents.word_xml import run_fonts

from yangfan.documents.word.gbt9704 import chinese_date, chinese_number, half_widths
from yangfan.documents.word.package import docx_bytes, set_core_properties
from yangfan.documents.word.page import new_document, set_page_numbers
from yangfan.documents.word.writer import Column, WordWriter, column_widths, title_lines

DAY = date(2023, 12, 5)
TITLE = "关于加快推进5G应用的通知"


def _png(width: int = 160, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _bytes(*, day: date = DAY, character_grid: bool = True, outline_levels: bool = False) -> bytes:
    """A small document through every primitive: title, headings, body, labelled text, a table, a figure."""
    document = new_document(character_grid=character_grid)
    writer = WordWriter(document)
    writer.outline_levels = outline_levels
    writer.title(TITLE)
    writer.heading("总体要求", level=1)
    writer.heading("目标", level=2)
    writer.heading("时限", level=2)
    writer.body("  正文一段。 ")
    writer.heading("工作措施", level=1)
    writer.heading("分工", level=2)
    writer.labelled("达标的：", "西安市。")
    writer.table(
        "主要指标",
        (Column("指标", 3.0, "left"), Column("本期值", 1.0), Column("目标", 1.0)),
        [("A1 5G个人用户普及率", "41.35 %", "≥ 40 %"), ("A2 5G基站数", "8.1 万个", "≥ 8 万个")],
    )
    writer.table("第二张表", (Column("单位", 1.0),), [("省文旅厅",)])
    writer.picture(_png(), caption="A1 走势")
    set_page_numbers(document)
    set_core_properties(document, author="省工信厅", title=TITLE, subject="陕5G〔2023〕1号")
    return docx_bytes(document, day=day)


def _open(content: bytes | None = None):
    return docx.Document(io.BytesIO(_bytes() if content is None else content))


def _paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def _grid(document):
    return document.sections[0]._sectPr.find(qn("w:docGrid"))


# --- the page ----------------------------------------------------------------------------------------------


def test_page_is_a4_with_the_gbt_9704_margins_and_a_156_by_225_mm_type_area():
    section = _open().sections[0]
    expected = {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35}
    expected |= {"left_margin": 28, "right_margin": 26}
    for name, mm in expected.items():
        assert getattr(section, name).mm == pytest.approx(mm, abs=0.05), name
    assert section.gutter == 0
    type_width = Length(section.page_width - section.left_margin - section.right_margin)
    type_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert (type_width.mm, type_height.mm) == (pytest.approx(156, abs=0.05), pytest.approx(225, abs=0.05))


def test_grid_holds_22_lines_of_28_characters():
    document = _open()
    section = document.sections[0]
    type_height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    type_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    grid = _grid(document)
    assert grid.get(qn("w:type")) == "linesAndChars"
    line = int(grid.get(qn("w:linePitch")))
    assert 22 * line <= type_height < 23 * line
    pitch = (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 20  # twips, over the default 3号 size
    assert 28 * pitch <= type_width < 29 * pitch


def test_a_grid_of_lines_only_keeps_the_22_lines_and_drops_the_character_pitch():
    document = _open(_bytes(character_grid=False))
    grid = _grid(document)
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:charSpace")) is None
    assert int(grid.get(qn("w:linePitch"))) == int(_grid(_open()).get(qn("w:linePitch")))
    assert document.sections[0].top_margin.mm == pytest.approx(37, abs=0.05)


def test_document_defaults_are_3hao_fangsong_on_exact_lines_with_chinese_as_east_asian_language():
    document = _open()
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rpr.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == "32"
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    assert (spacing.get(qn("w:lineRule")), spacing.get(qn("w:line"))) == (
        "exact",
        _grid(document).get(qn("w:linePitch")),
    )


def test_footers_put_a_page_field_between_dashes_right_on_odd_and_left_on_even_pages():
    document = _open()
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"
        assert " PAGE " in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        assert {(east_asia, size) for east_asia, _, size in run_fonts(paragraph)} == {("宋体", 28)}


# --- the elements ------------------------------------------------------------------------------------------


def test_each_element_is_set_in_its_font_and_size():
    document = _open()
    written = {p.text: run_fonts(p) for p in document.paragraphs if p.text}
    assert written[TITLE] == [("方正小标宋简体", "Times New Roman", 44)]
    assert written["一、总体要求"] == [("黑体", "Times New Roman", 32)]
    assert written["（一）目标"] == [("楷体_GB2312", "Times New Roman", 32)]
    assert written["正文一段。"] == [("仿宋_GB2312", "Times New Roman", 32)]
    assert written["达标的：西安市。"] == [
        ("楷体_GB2312", "Times New Roman", 32),
        ("仿宋_GB2312", "Times New Roman", 32),
    ]
    assert written["表1　主要指标"] == [("黑体", "Times New Roman", 24)]


def test_title_is_centred_and_bold_only_when_asked():
    document = _open()
    title = _paragraph(document, TITLE)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].bold is None
    bold = new_document()
    WordWriter(bold).title(TITLE, bold=True)
    (paragraph,) = [p for p in _open(docx_bytes(bold, day=DAY)).paragraphs if p.text]
    assert paragraph.runs[0].bold is True


def test_body_is_justified_two_characters_in_on_the_type_areas_exact_lines():
    document = _open()
    body = _paragraph(document, "正文一段。")  # stripped
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(32)  # two 3号 characters
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing.twips == int(_grid(document).get(qn("w:linePitch")))


def test_headings_are_numbered_and_level_2_restarts_under_each_level_1():
    texts = [p.text for p in _open().paragraphs]
    start = texts.index("一、总体要求")
    assert texts[start : start + 6] == [
        "一、总体要求",
        "（一）目标",
        "（二）时限",
        "正文一段。",
        "二、工作措施",
        "（一）分工",
    ]
    heading = _paragraph(_open(), "一、总体要求")
    assert heading.paragraph_format.keep_with_next


def test_headings_carry_outline_levels_only_when_the_writer_asks():
    def levels(document):
        return {
            p.text: p._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val"))
            for p in document.paragraphs
            if p._p.pPr is not None and p._p.pPr.find(qn("w:outlineLvl")) is not None
        }

    assert levels(_open()) == {}
    assert levels(_open(_bytes(outline_levels=True))) == {
        "一、总体要求": "0",
        "（一）目标": "1",
        "（二）时限": "1",
        "二、工作措施": "0",
        "（一）分工": "1",
    }


def test_tables_are_numbered_captioned_above_and_as_wide_as_the_type_area():
    document = _open()
    first, second = document.tables
    body = document.element.body
    for table, caption in ((first, "表1　主要指标"), (second, "表2　第二张表")):
        before = table._tbl.getprevious()
        assert before.tag == qn("w:p") and "".join(t.text for t in before.iter(qn("w:t"))) == caption
    assert list(body).index(first._tbl) < list(body).index(second._tbl)
    assert [[cell.text for cell in row.cells] for row in first.rows] == [
        ["指标", "本期值", "目标"],
        ["A1 5G个人用户普及率", "41.35 %", "≥ 40 %"],
        ["A2 5G基站数", "8.1 万个", "≥ 8 万个"],
    ]
    grid = [int(column.get(qn("w:w"))) for column in first._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert Length(sum(grid) * 635).mm == pytest.approx(156, abs=0.05)
    assert grid[0] == pytest.approx(3 * grid[1], abs=2)


def test_table_header_is_grey_heiti_repeated_on_each_page_and_cells_are_5hao_songti():
    table = _open().tables[0]
    header, row = table.rows[0], table.rows[1]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    for cell in header.cells:
        assert cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "D9D9D9"
        assert [font[0::2] for font in run_fonts(cell.paragraphs[0])] == [("黑体", 21)]
    assert [font[0::2] for cell in row.cells for font in run_fonts(cell.paragraphs[0])] == [("宋体", 21)] * 3
    assert [cell.paragraphs[0].alignment for cell in row.cells] == [
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.CENTER,
    ]


def test_a_picture_is_as_wide_as_the_type_area_with_its_numbered_caption_below():
    document = _open()
    (shape,) = document.inline_shapes
    assert Length(shape.width).mm == pytest.approx(156, abs=0.05)
    assert Length(shape.height).mm == pytest.approx(78, abs=0.05)  # the image's 2:1 kept
    texts = [p.text for p in document.paragraphs]
    holder = next(i for i, p in enumerate(document.paragraphs) if p._p.xpath(".//pic:pic"))
    assert texts[holder + 1] == "图1　A1 走势"


# --- the bytes ---------------------------------------------------------------------------------------------


def test_the_same_content_gives_the_same_bytes_and_another_day_other_bytes():
    first = _bytes()
    assert _bytes() == first
    assert _bytes(day=date(2023, 12, 6)) != first


def test_the_package_is_dated_by_the_document_never_by_the_clock():
    content = _bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = package.namelist()
        assert names[0] == "[Content_Types].xml"
        assert names[1:] == sorted(names[1:])
        assert {info.date_time for info in package.infolist()} == {(2023, 12, 5, 0, 0, 0)}
        assert not any("thumbnail" in name for name in names)
    properties = _open(content).core_properties
    assert (properties.author, properties.title, properties.language) == ("省工信厅", TITLE, "zh-CN")
    assert (
        properties.created
        == properties.modified
        == properties.last_printed
        == datetime(2023, 12, 5, tzinfo=UTC)
    )


def test_a_day_before_1980_dates_the_zip_entries_1980():
    with zipfile.ZipFile(io.BytesIO(_bytes(day=date(1970, 1, 2)))) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- texts and measures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (100, "100")],
)
def test_heading_numbers_are_chinese_numerals(n, text):
    assert chinese_number(n) == text


def test_dates_are_arabic_without_padding_and_widths_count_chinese_double():
    assert chinese_date(date(2024, 1, 8)) == "2024年1月8日"
    assert half_widths("5G应用“扬帆”") == 2 + 4 * 2 + 2 * 2


def test_column_widths_are_proportional_and_sum_exactly():
    widths = column_widths([5.2, 2.2, 2.2, 1.1, 1.8], total=8844)
    assert sum(widths) == 8844
    assert widths[1] == widths[2] == int(8844 * 2.2 / 12.5)


def test_a_long_title_breaks_after_the_plan_name_and_the_period_takes_its_own_line():
    title = "陕西省5G应用“扬帆”行动计划实施情况评估报告西安市全面推进专项（2023年第四季度）"
    lines = title_lines(title)
    assert lines == ["陕西省5G应用“扬帆”行动计划", "实施情况评估报告西安市全面推进专项", "（2023年第四季度）"]
    assert title_lines("第一行\n第二行") == ["第一行", "第二行"]
    assert title_lines("短标题") == ["短标题"]
