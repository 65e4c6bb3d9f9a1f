from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import UTC, date, datetime

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length
from tests.documents.word_xml import run_fonts

from yangfan.documents.word.official import OfficialDocument, official_docx_bytes

OFFICE = "陕西省5G应用推广领导小组办公室"
NUMBER = "陕5G督〔2023〕1号"
TITLE = "关于加快推进5G+智慧文旅应用任务的督办通知"
OPENING = "根据《陕西省5G应用“扬帆”行动计划（2021—2023年）》分工，现就有关事项通知如下。"
CLOSING = "请于2023年12月20日前将办理情况书面反馈。"
SEPARATOR = "<红色分隔线>"


def _notice(**changes) -> OfficialDocument:
    notice = OfficialDocument(
        issuer=OFFICE,
        number=NUMBER,
        title=TITLE,
        addressee="省文旅厅",
        body=(OPENING, (1, "督办事项"), (2, "任务内容"), CLOSING),
        signatory=OFFICE,
        date=date(2023, 12, 5),
        attachments=("任务进展情况反馈表", "佐证材料清单"),
        cc="省工信厅，省通信管理局",
        printer=OFFICE,
    )
    return dataclasses.replace(notice, **changes)


def _open(notice: OfficialDocument):
    return docx.Document(io.BytesIO(official_docx_bytes(notice)))


def _bottom_border(paragraph):
    ppr = paragraph._p.pPr
    borders = None if ppr is None else ppr.find(qn("w:pBdr"))
    return None if borders is None else borders.find(qn("w:bottom"))


def _is_separator(paragraph) -> bool:
    border = _bottom_border(paragraph)
    return border is not None and border.get(qn("w:color")) == "FF0000"


def _layout(document) -> list[str]:
    """The body as the reader sees it: texts, "" for a blank line, SEPARATOR for the red line."""
    return [SEPARATOR if _is_separator(p) else p.text for p in document.paragraphs]


def _paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def _signature(document, written_date: str):
    """The 署名 and 成文日期 paragraphs: the date and the line above it."""
    paragraphs = document.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text == written_date)
    return paragraphs[index - 1], paragraphs[index]


def _indent(paragraph, name: str) -> int:
    ind = paragraph._p.pPr.find(qn("w:ind"))
    return 0 if ind is None else int(ind.get(qn(f"w:{name}"), 0))


def _width_in_half_chars(text: str) -> int:
    return sum(1 if c.isascii() else 2 for c in text)


def test_page_is_a4_with_the_standard_margins_and_type_area():
    section = _open(_notice()).sections[0]
    expected = {"page_width": 210, "page_height": 297, "top_margin": 37, "left_margin": 28}
    expected |= {"right_margin": 26, "bottom_margin": 35}
    for name, mm in expected.items():
        assert getattr(section, name).mm == pytest.approx(mm, abs=0.05), name
    type_width = Length(section.page_width - section.left_margin - section.right_margin)
    type_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert (type_width.mm, type_height.mm) == (pytest.approx(156, abs=0.05), pytest.approx(225, abs=0.05))


def test_elements_come_in_the_standard_order_with_the_standard_gaps():
    document = _open(_notice(urgency="特急"))
    assert _layout(document) == [
        "特急",
        OFFICE,
        "",  # 发文字号: 发文机关标志下空二行
        "",
        NUMBER,
        SEPARATOR,
        "",  # 标题: 红色分隔线下空二行
        "",
        TITLE,
        "",  # 主送机关: 标题下空一行
        "省文旅厅：",
        OPENING,
        "一、督办事项",
        "（一）任务内容",
        CLOSING,
        "",  # 附件说明: 正文下空一行
        "附件：1.\t任务进展情况反馈表",
        "2.\t佐证材料清单",
        "",  # 署名: 附件说明下空一行
        OFFICE,
        "2023年12月5日",
        "",
        "抄送：省工信厅，省通信管理局。",
        f"{OFFICE}\t2023年12月5日印发",
    ]


def test_body_lines_are_exact_so_22_fill_the_type_area_and_the_grid_holds_28_characters():
    document = _open(_notice())
    section = document.sections[0]
    type_height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    type_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    texts = ("省文旅厅：", OPENING, "一、督办事项", CLOSING, "2023年12月5日")
    for paragraph in [_paragraph(document, text) for text in texts] + [
        _signature(document, "2023年12月5日")[0]
    ]:
        spacing = paragraph._p.pPr.find(qn("w:spacing"))
        assert spacing.get(qn("w:lineRule")) == "exact"
        line = int(spacing.get(qn("w:line")))
        assert 22 * line <= type_height < 23 * line
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and int(grid.get(qn("w:linePitch"))) == line
    pitch_twips = (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 20  # over the default 3号 size
    assert 28 * pitch_twips <= type_width < 29 * pitch_twips


def test_each_element_is_set_in_its_font_and_size():
    document = _open(_notice(urgency="特急"))
    expected = [
        ("特急", "黑体", 32),
        (OFFICE, "方正小标宋简体", 72),
        (NUMBER, "仿宋_GB2312", 32),
        (TITLE, "方正小标宋简体", 44),
        ("省文旅厅：", "仿宋_GB2312", 32),
        (OPENING, "仿宋_GB2312", 32),
        ("一、督办事项", "黑体", 32),
        ("（一）任务内容", "楷体_GB2312", 32),
        (CLOSING, "仿宋_GB2312", 32),
        ("附件：1.\t任务进展情况反馈表", "仿宋_GB2312", 32),
        ("2.\t佐证材料清单", "仿宋_GB2312", 32),
        (OFFICE, "仿宋_GB2312", 32),
        ("2023年12月5日", "仿宋_GB2312", 32),
        ("抄送：省工信厅，省通信管理局。", "仿宋_GB2312", 28),
        (f"{OFFICE}\t2023年12月5日印发", "仿宋_GB2312", 28),
    ]
    written = [(p.text, *run_fonts(p)) for p in document.paragraphs if p.text]
    assert written == [(text, (east_asia, "Times New Roman", size)) for text, east_asia, size in expected]


def test_issuer_is_red_centred_and_squeezed_onto_one_line():
    document = _open(_notice())
    issuer = document.paragraphs[0]
    assert issuer.text == OFFICE
    assert issuer.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    (run,) = issuer.runs
    assert str(run.font.color.rgb) == "FF0000"
    scale = int(run._r.rPr.find(qn("w:w")).get(qn("w:val")))
    section = document.sections[0]
    type_width_pt = Length(section.page_width - section.left_margin - section.right_margin).pt
    assert _width_in_half_chars(OFFICE) / 2 * run.font.size.pt * scale / 100 <= type_width_pt


def test_a_short_issuer_keeps_its_full_width():
    (run,) = _open(_notice(issuer="省领导小组办公室")).paragraphs[0].runs
    assert run._r.rPr.find(qn("w:w")) is None


def test_separator_is_a_red_line_as_wide_as_the_type_area():
    document = _open(_notice())
    (separator,) = [p for p in document.paragraphs if _is_separator(p)]
    border = _bottom_border(separator)
    assert border.get(qn("w:val")) == "single"
    assert separator.text == "" and separator._p.pPr.find(qn("w:ind")) is None  # from margin to margin


def test_dates_are_written_in_arabic_numerals_without_padding():
    texts = [p.text for p in _open(_notice(printed_on=date(2024, 1, 8))).paragraphs]
    assert "2023年12月5日" in texts
    assert texts[-1].endswith("\t2024年1月8日印发")


def test_signature_follows_the_no_seal_layout():
    """7.3.5.2: the 署名 右空二字; the date's first character two characters right of the 署名's first."""
    document = _open(_notice())
    signatory, written = _signature(document, "2023年12月5日")
    assert signatory.text == OFFICE
    assert signatory.alignment == written.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert _indent(signatory, "rightChars") == 200
    signatory_start = _indent(signatory, "rightChars") + 50 * _width_in_half_chars(OFFICE)
    date_start = _indent(written, "rightChars") + 50 * _width_in_half_chars("2023年12月5日")
    assert signatory_start - date_start == 200


def test_a_date_longer_than_the_signatory_stays_two_characters_in():
    document = _open(_notice(signatory="省文旅厅", cc="", printer=""))
    signatory, written = _signature(document, "2023年12月5日")
    assert _indent(written, "rightChars") == 200
    signatory_start = _indent(signatory, "rightChars") + 50 * _width_in_half_chars("省文旅厅")
    date_start = 200 + 50 * _width_in_half_chars("2023年12月5日")
    assert signatory_start - date_start == 200


def test_record_has_thick_outer_and_thin_middle_separators():
    document = _open(_notice())
    cc, printed = document.paragraphs[-2:]
    borders = {
        (side, p.text[:2]): int(p._p.pPr.find(qn("w:pBdr")).find(qn(f"w:{side}")).get(qn("w:sz")))
        for p in (cc, printed)
        for side in ("top", "bottom")
        if p._p.pPr.find(qn("w:pBdr")).find(qn(f"w:{side}")) is not None
    }
    assert borders == {("top", "抄送"): 8, ("bottom", "抄送"): 6, ("bottom", "陕西"): 8}


def test_record_without_cc_has_no_cc_line_and_opens_with_the_thick_line():
    document = _open(_notice(cc=""))
    assert not any(p.text.startswith("抄送") for p in document.paragraphs)
    borders = document.paragraphs[-1]._p.pPr.find(qn("w:pBdr"))
    assert [int(borders.find(qn(f"w:{side}")).get(qn("w:sz"))) for side in ("top", "bottom")] == [8, 8]


def test_document_without_cc_or_printer_ends_with_the_date():
    assert _layout(_open(_notice(cc="", printer="")))[-1] == "2023年12月5日"


def test_footers_put_a_page_field_between_em_dashes_right_on_odd_and_left_on_even_pages():
    document = _open(_notice())
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        xml = paragraph._p.xml
        assert "<w:instrText" in xml and " PAGE " in xml
        assert paragraph.text == "— 1 —"
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        assert {(east_asia, size) for east_asia, _, size in run_fonts(paragraph)} == {("宋体", 28)}


def test_the_same_document_gives_the_same_bytes():
    notice = _notice()
    first, second = official_docx_bytes(notice), official_docx_bytes(_notice())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert package.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in package.infolist()} == {(2023, 12, 5, 0, 0, 0)}
    properties = docx.Document(io.BytesIO(first)).core_properties
    assert (properties.author, properties.title) == (OFFICE, TITLE)
    assert (
        properties.created
        == properties.modified
        == properties.last_printed
        == datetime(2023, 12, 5, tzinfo=UTC)
    )
    assert official_docx_bytes(_notice(date=date(2023, 12, 6))) != first


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "公文标题不能为空"),
        ("title", "  ", "公文标题不能为空"),
        ("number", "", "发文字号不能为空"),
        ("addressee", "", "主送机关不能为空"),
        ("body", (), "公文正文不能为空"),
        ("body", ("", " \n "), "公文正文不能为空"),
    ],
)
def test_a_document_without_a_required_part_is_refused_in_chinese(field, value, message):
    with pytest.raises(ValueError, match=message):
        _notice(**{field: value})


def test_the_addressee_ends_with_one_full_width_colon():
    for addressee in ("省文旅厅", "省文旅厅：", "省文旅厅:"):
        assert "省文旅厅：" in _layout(_open(_notice(addressee=addressee)))


def test_headings_are_numbered_and_level_2_restarts_under_each_level_1():
    body = ((1, "总体要求"), (2, "目标"), (2, "时限"), (1, "工作措施"), (2, "分工"), "正文一段。\n正文二段。")
    layout = _layout(_open(_notice(body=body)))
    start = layout.index("省文旅厅：") + 1
    assert layout[start : start + 7] == [
        "一、总体要求",
        "（一）目标",
        "（二）时限",
        "二、工作措施",
        "（一）分工",
        "正文一段。",
        "正文二段。",
    ]


@pytest.mark.parametrize("heading", [(1, "一、总体要求"), (2, "（一）目标"), (3, "第三层"), (1, " ")])
def test_headings_empty_with_their_own_number_or_of_a_third_level_are_refused(heading):
    with pytest.raises(ValueError, match="标题"):
        _notice(body=("正文。", heading))


def test_body_paragraphs_are_indented_two_characters():
    document = _open(_notice())
    for text in (OPENING, "一、督办事项", "（一）任务内容", CLOSING):
        assert _indent(_paragraph(document, text), "firstLineChars") == 200
    assert _indent(_paragraph(document, "省文旅厅："), "firstLineChars") == 0


def test_a_single_attachment_has_no_number_and_names_lose_trailing_punctuation():
    document = _open(_notice(attachments=("任务进展情况反馈表。",)))
    attachment = _paragraph(document, "附件：任务进展情况反馈表")
    assert _indent(attachment, "leftChars") - _indent(attachment, "hangingChars") == 200  # 左空二字
    assert _indent(attachment, "leftChars") == 500  # wrapped lines under the name's first character
