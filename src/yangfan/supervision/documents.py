"""Official documents (公文) as Word files, laid out per GB/T 9704-2012 《党政机关公文格式》.

Supervision notices (督办单) and their answers (反馈) leave the system as documents that units file, print and
forward; an office judges them by whether they look like every other 公文 on its desk. So this module knows
the standard's layout and nothing about the models: callers build an :class:`OfficialDocument` from plain
values and get the bytes of a ``.docx`` back (python-docx, no Django).

Implemented (clause numbers of GB/T 9704-2012):

- 5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (right 26 mm, bottom 35 mm). 正文 3号仿宋, 22 lines
  of 28 characters: a document grid of 22 lines and 28 characters (``w:docGrid`` linesAndChars), and exact
  line spacing of 579 twips (28.95 pt; 22 × 28.95 pt ≤ 225 mm) on every paragraph of the 版心.
- Fonts by East Asian name (``w:eastAsia``): 发文机关标志 and 标题 方正小标宋简体, 正文 仿宋_GB2312, 一级标题 黑体,
  二级标题 楷体_GB2312, 紧急程度 黑体; Latin letters and digits Times New Roman; 页码 宋体 throughout.
  ``w:hint="eastAsia"`` makes quotation marks and dashes take the Chinese font. Machines without these
  fonts substitute their own, as they do for any 公文 file.
- 7.2.3 紧急程度 (optional) 3号黑体 top left; 7.2.4 发文机关标志 red, centred, its top about 35 mm below the
  top of the 版心; 7.2.5 发文字号 centred two lines below it (下空二行); 7.2.7 a red separator the width of
  the 版心 about 4 mm below the 发文字号.
- 7.3.1 标题 2号小标宋 centred two lines below the separator (下空二行; "\\n" in the title breaks the line
  where the caller wants it, for the 梯形/菱形 the standard asks for); 7.3.2 主送机关 one line below the
  title, flush left, ending in a full-width colon; 7.3.3 正文 on the next line, each paragraph indented two
  characters; headings numbered by this module, "一、" in 黑体 and "（一）" in 楷体.
- 7.3.4 附件说明 one line below the 正文, indented two characters, "附件：1.名称" with later names and wrapped
  lines aligned on the first character of the name (the hanging indent is the tab stop); trailing
  punctuation is dropped from names, as the standard asks.
- 7.3.5.2 落款 without a seal (不加盖印章): 发文机关署名 one line below the 正文 (or 附件说明), 右空二字;
  成文日期 on the next line, its first character two characters right of the 署名's first character; when
  the date is the longer, the date is 右空二字 and the 署名 moves left. The sealed layout of 7.3.5.1 (日期右空
  四字, 署名 centred over it) is not produced: a generated file carries no seal. 7.3.5.4: the date in Arabic
  numerals, no padding ("2023年12月5日"). The 落款 keeps the line above it on its page (7.3.5.5).
- 7.4 版记 in 4号仿宋: 抄送 (omitted when there is none) 左右各空一字, wrapped lines aligned after the colon,
  ending in "。"; 印发机关 左空一字 and 印发日期 右空一字 ("2023年12月5日印发") on one line; separators as
  paragraph borders, the first and last 0.35 mm (1 pt), the middle one 0.25 mm (0.75 pt).
- 7.5 页码 4号半角宋体 "— 1 —" (a PAGE field), odd pages right and even pages left, one character in
  (separate odd and even footers); the footer sits so the dashes are about 7 mm below the 版心.

Deviations, each because python-docx (or a flowing Word document) cannot do better:

- 版记 follows the 落款 after one blank line instead of sitting on the last lines of the last (even) page;
  keep-with-next keeps it in one piece.
- Vertical distances given in millimetres (35 mm, 4 mm, 7 mm) are approximate: where a glyph sits inside an
  exact-height line depends on the font's metrics.
- The separators are paragraph borders, not drawn lines. The 发文机关标志's size is not set by the standard:
  小初 (36 pt), squeezed horizontally (``w:w``, not below 50 %) to stay on one line of the 版心.
- 份号, 密级, 签发人, 附注, joint issuers and the 信函/命令/纪要 formats are out of scope.

The same :class:`OfficialDocument` always gives the same bytes: the core properties take the document's date,
and the zip is rewritten with fixed timestamps and a fixed entry order.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from fractions import Fraction

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

BodyItem = str | tuple[int, str]

# Fonts, by the names Chinese offices install them under.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Sizes in points: 小初, 2号, 3号, 4号.
ISSUER_PT = 36
TITLE_PT = 22
BODY_PT = 16
RECORD_PT = 14

RED = "FF0000"
TWIPS_PER_MM = Fraction(1440, 254) * 10  # 1440 twips an inch, 25.4 mm an inch


def _twips(mm: float | Fraction) -> int:
    return round(Fraction(mm) * TWIPS_PER_MM)


PAGE_WIDTH = _twips(210)
PAGE_HEIGHT = _twips(297)
TOP, BOTTOM, LEFT, RIGHT = _twips(37), _twips(35), _twips(28), _twips(26)
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT  # 版心 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM  # 版心 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE = TEXT_HEIGHT // LINES_PER_PAGE  # 579 twips = 28.95 pt: 22 lines fit, a 23rd does not
# Word's character grid: pitch = default font size + charSpace / 4096 pt; rounded down so 28 characters fit.
CHAR_SPACE = math.floor((Fraction(TEXT_WIDTH, 20 * CHARS_PER_LINE) - BODY_PT) * 4096)
# The page number's dashes about 7 mm below the 版心: the footer's bottom edge sits that far, less the dash's
# height above the bottom of its 4号 line, above the bottom of the page.
FOOTER = _twips(35 - 7) - 150

_LEVEL_1_NUMBERED = re.compile(r"^[一二三四五六七八九十百]+、")
_LEVEL_2_NUMBERED = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
_NAME_TRAILING_PUNCTUATION = "。，、；：,.;:"


@dataclass(frozen=True)
class OfficialDocument:
    """One 公文 as GB/T 9704-2012 names its parts; plain values, so any app (or none) can build one.

    ``body`` holds the 正文 in order: a string is a paragraph (a newline inside it starts another one),
    ``(1, text)`` a level-1 heading and ``(2, text)`` a level-2 heading, numbered "一、" and "（一）" here, so
    ``text`` carries no number of its own.
    """

    issuer: str  # 发文机关标志
    number: str  # 发文字号, e.g. "陕5G督〔2023〕1号"
    title: str  # 标题
    addressee: str  # 主送机关; the full-width colon is added when missing
    body: tuple[BodyItem, ...]  # 正文
    signatory: str  # 发文机关署名
    date: date  # 成文日期
    attachments: tuple[str, ...] = ()  # 附件说明: the attachments' names
    cc: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    printed_on: date | None = None  # 印发日期; the 成文日期 when not given
    urgency: str = ""  # 紧急程度, e.g. "特急"

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", tuple(self.body))
        object.__setattr__(self, "attachments", tuple(self.attachments))
        for value, message in (
            (self.issuer, "发文机关标志不能为空"),
            (self.number, "发文字号不能为空"),
            (self.title, "公文标题不能为空"),
            (self.addressee, "主送机关不能为空"),
            (self.signatory, "发文机关署名不能为空"),
        ):
            if not value.strip():
                raise ValueError(message)
        if not any(_item_text(item).strip() for item in self.body):
            raise ValueError("公文正文不能为空")
        for index, item in enumerate(self.body, start=1):
            if isinstance(item, str):
                continue
            level, text = item
            if not text.strip():
                raise ValueError(f"正文第{index}项的标题不能为空")
            if level not in (1, 2):
                raise ValueError(f"正文第{index}项的标题层级应为 1（“一、”）或 2（“（一）”），而不是 {level}")
            if (_LEVEL_1_NUMBERED if level == 1 else _LEVEL_2_NUMBERED).match(text.strip()):
                raise ValueError(f"正文第{index}项的标题“{text}”已带序号；序号由生成公文时自动编排，请去掉")
        if any(not _attachment_name(name) for name in self.attachments):
            raise ValueError("附件名称不能为空")


def _item_text(item: BodyItem) -> str:
    return item if isinstance(item, str) else item[1]


def _attachment_name(name: str) -> str:
    return name.strip().rstrip(_NAME_TRAILING_PUNCTUATION).strip()


def chinese_date(day: date) -> str:
    """成文日期 as 7.3.5.4 writes it: Arabic numerals, the year in full, no leading zeros ("2023年12月5日")."""
    return f"{day.year}年{day.month}月{day.day}日"


def official_docx_bytes(doc: OfficialDocument) -> bytes:
    """The ``.docx`` file of ``doc``; the same document always gives the same bytes."""
    document = Document()
    set_defaults(document)
    set_page(document)
    writer = OfficialWriter(document)
    writer.head(doc)
    writer.main(doc)
    writer.signature(doc)
    writer.record(doc)
    set_page_numbers(document)
    _set_properties(document, doc)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), doc.date)


# --- layout ----------------------------------------------------------------------------------------------


def half_widths(text: str) -> int:
    """Width of ``text`` in half characters: a Chinese character or full-width sign is two, a Latin one one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def element(tag: str, **attributes: str | int) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def border(side: str, *, eighths: int, space: int = 1, color: str = "000000") -> BaseOxmlElement:
    """One side of a paragraph border: ``eighths`` of a point thick, ``space`` points from the text."""
    return element(f"w:{side}", val="single", sz=eighths, space=space, color=color)


class OfficialWriter:
    """Appends the standard's elements to the body of a python-docx document, paragraph by paragraph."""

    def __init__(self, document: DocxDocument):
        self.document = document

    def paragraph(
        self,
        *,
        align: str = "both",
        line: int = LINE,
        before: int = 0,
        after: int = 0,
        left: int = 0,
        right: int = 0,
        first: int = 0,
        unit: int = BODY_PT,
        on_grid: bool = True,
        borders: tuple[BaseOxmlElement, ...] = (),
        tabs: tuple[tuple[str, int], ...] = (),
        keep_next: bool = False,
    ) -> Paragraph:
        """A paragraph with every property stated, so no style or default can move it.

        Indents are in hundredths of a character (Word's ``leftChars``); ``first`` below zero is a hanging
        indent. Paragraphs on the grid carry them in characters, which Word measures on the grid, and in
        twips of ``unit``-point characters for readers that ignore character units; paragraphs off the grid
        (other sizes than 3号) carry twips only.
        """
        paragraph = self.document.add_paragraph()
        ppr = paragraph._p.get_or_add_pPr()
        if keep_next:
            ppr.append(element("w:keepNext"))
            ppr.append(element("w:keepLines"))
        if borders:
            pbdr = element("w:pBdr")
            for border in borders:
                pbdr.append(border)
            ppr.append(pbdr)
        if tabs:
            tabs_element = element("w:tabs")
            for kind, position in tabs:
                tabs_element.append(element("w:tab", val=kind, pos=position))
            ppr.append(tabs_element)
        if not on_grid:
            ppr.append(element("w:snapToGrid", val=0))
        ppr.append(element("w:spacing", before=before, after=after, line=line, lineRule="exact"))
        if left or right or first:
            ind = element("w:ind")
            for name, hundredths in (("left", left), ("right", right)):
                if hundredths:
                    ind.set(qn(f"w:{name}"), str(hundredths * unit // 5))
                    if on_grid:
                        ind.set(qn(f"w:{name}Chars"), str(hundredths))
            if first:
                name = "firstLine" if first > 0 else "hanging"
                ind.set(qn(f"w:{name}"), str(abs(first) * unit // 5))
                if on_grid:
                    ind.set(qn(f"w:{name}Chars"), str(abs(first)))
            ppr.append(ind)
        ppr.append(element("w:jc", val=align))
        return paragraph

    @staticmethod
    def run(
        paragraph: Paragraph,
        text: str,
        *,
        size: float = BODY_PT,
        east_asia: str = FANGSONG,
        latin: str = LATIN,
        color: str = "",
        scale: int = 100,
    ) -> None:
        run = paragraph.add_run(text)
        _set_run_properties(run._r.get_or_add_rPr(), size, east_asia, latin, color, scale)

    def blank(self, count: int = 1) -> None:
        """Empty 3号 lines, the unit the standard counts distances in (空一行, 空二行)."""
        for _ in range(count):
            self.paragraph()

    def text(self, text: str, *, east_asia: str = FANGSONG, **layout) -> Paragraph:
        paragraph = self.paragraph(**layout)
        self.run(paragraph, text, east_asia=east_asia)
        return paragraph

    # 版头 ---------------------------------------------------------------------------------------------------

    def head(self, doc: OfficialDocument) -> None:
        if doc.urgency.strip():
            self.text(doc.urgency.strip(), east_asia=HEITI, align="left")
        self.issuer(doc.issuer.strip(), lines_above=1 if doc.urgency.strip() else 0)
        self.blank(2)
        self.text(doc.number.strip(), align="center")
        self.separator()

    def issuer(self, issuer: str, *, lines_above: int) -> None:
        """发文机关标志: red 小标宋, centred, its top 35 mm below the 版心's top, on one line."""
        available = Fraction(TEXT_WIDTH, 20) * Fraction(98, 100)  # points, a little slack for kerning
        width_em = Fraction(half_widths(issuer), 2)
        size: Fraction = Fraction(ISSUER_PT)
        scale = min(100, math.floor(100 * available / (width_em * size)))
        if scale < 50:
            scale = 50
            size = Fraction(math.floor(available / (width_em / 2) * 2), 2)  # half points
        line = math.ceil(size * 20 * Fraction(5, 4))
        # With exact spacing the glyphs stand at the bottom of the line: its top is the line less the size.
        before = max(0, _twips(35) - (line - math.ceil(size * 20)) - lines_above * LINE)
        paragraph = self.paragraph(align="center", line=line, before=before, unit=ISSUER_PT, on_grid=False)
        self.run(paragraph, issuer, size=size, east_asia=XIAOBIAOSONG, color=RED, scale=scale)

    def separator(self) -> None:
        """版头中的分隔线: a red line the width of the 版心, about 4 mm below the 发文字号.

        An empty 1 pt paragraph with a red bottom border 10 pt below it; the space after brings the whole to
        one line, so the lines below stay on the 28.95 pt rhythm.
        """
        line, space, thickness = 20, 10, 8  # twips, points, eighths of a point
        after = LINE - line - space * 20 - thickness * 20 // 8
        self.paragraph(
            line=line,
            after=after,
            on_grid=False,
            borders=(border("bottom", eighths=thickness, space=space, color=RED),),
        )

    # 主体 ---------------------------------------------------------------------------------------------------

    def main(self, doc: OfficialDocument) -> None:
        self.blank(2)
        title = self.paragraph(align="center", unit=TITLE_PT, on_grid=False)
        self.run(title, doc.title.strip(), size=TITLE_PT, east_asia=XIAOBIAOSONG)
        self.blank()
        addressee = doc.addressee.strip().rstrip(":：")
        self.text(f"{addressee}：", align="left")
        level_1 = level_2 = 0
        for item in doc.body:
            if isinstance(item, str):
                for text in item.splitlines():
                    if text.strip():
                        self.text(text.strip(), first=200)
            elif item[0] == 1:
                level_1, level_2 = level_1 + 1, 0
                self.text(
                    f"{chinese_number(level_1)}、{item[1].strip()}",
                    east_asia=HEITI,
                    first=200,
                    keep_next=True,
                )
            else:
                level_2 += 1
                self.text(
                    f"（{chinese_number(level_2)}）{item[1].strip()}",
                    east_asia=KAITI,
                    first=200,
                    keep_next=True,
                )
        if doc.attachments:
            self.blank()
            self.attachments([_attachment_name(name) for name in doc.attachments])

    def attachments(self, names: list[str]) -> None:
        """附件说明: "附件：" two characters in; names (after their numbers) aligned one under another."""
        label = 300  # "附件：" is three characters
        if len(names) == 1:
            self.text(f"附件：{names[0]}", left=200 + label, first=-label)
            return
        number = 100 if len(names) < 10 else 150  # "1." or "10." then the tab to the name
        for index, name in enumerate(names, start=1):
            prefix = "附件：" if index == 1 else ""
            hanging = number + (label if index == 1 else 0)
            self.text(f"{prefix}{index}.\t{name}", left=200 + label + number, first=-hanging)

    def signature(self, doc: OfficialDocument) -> None:
        """落款 without a seal (7.3.5.2): 署名 右空二字, the date's first character two characters further right."""
        signatory, written = doc.signatory.strip(), chinese_date(doc.date)
        signatory_right, date_right = signature_indents(signatory, written)
        # The 落款 never stands alone on a page: the last line above it travels with it (7.3.5.5).
        _keep_with_next(self.document.paragraphs[-1])
        self.paragraph(keep_next=True)
        self.text(signatory, align="right", right=signatory_right, keep_next=True)
        self.text(written, align="right", right=date_right)

    # 版记 ---------------------------------------------------------------------------------------------------

    def record(self, doc: OfficialDocument) -> None:
        """版记: 抄送 and 印发 lines between a thick first and last separator, a thin one between them."""
        cc, printer = doc.cc.strip(), doc.printer.strip()
        if not cc and not printer:
            return
        self.blank()
        thick, thin = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm
        common = {"unit": RECORD_PT, "on_grid": False, "keep_next": True}
        if cc:
            if not cc.endswith("。"):
                cc = f"{cc.rstrip('，,；;.')}。"
            borders = [border("top", eighths=thick)]
            if printer:
                borders.append(border("bottom", eighths=thin))
            else:
                borders.append(border("bottom", eighths=thick))
            paragraph = self.paragraph(left=400, right=100, first=-300, borders=tuple(borders), **common)
            self.run(paragraph, f"抄送：{cc}", size=RECORD_PT)
        if printer:
            borders = [] if cc else [border("top", eighths=thick)]
            borders.append(border("bottom", eighths=thick))
            one_char = RECORD_PT * 20
            paragraph = self.paragraph(
                align="left",
                left=100,
                right=100,
                borders=tuple(borders),
                tabs=(("right", TEXT_WIDTH - one_char),),
                **common,
            )
            printed_on = chinese_date(doc.printed_on or doc.date)
            self.run(paragraph, f"{printer}\t{printed_on}印发", size=RECORD_PT)


def _keep_with_next(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:keepNext")) is None:
        ppr.insert(0, element("w:keepNext"))


def signature_indents(signatory: str, written_date: str) -> tuple[int, int]:
    """Right indents (hundredths of a character) of the 署名 and the 成文日期 under 7.3.5.2.

    The 署名 is 右空二字 and the date starts two characters right of the 署名's start; when the date is the
    longer, the date is 右空二字 and the 署名's right indent grows to keep the two-character step.
    """
    signatory_width, date_width = half_widths(signatory), half_widths(written_date)
    if date_width <= signatory_width:
        signatory_right = 4
        date_right = signatory_width - date_width
    else:
        date_right = 4
        signatory_right = date_right + date_width + 4 - signatory_width
    return signatory_right * 50, date_right * 50


def _set_run_properties(
    rpr, size: float | Fraction, east_asia: str, latin: str, color: str, scale: int
) -> None:
    """rFonts, colour, scale and size in the order the schema wants them in ``w:rPr``."""
    rpr.append(element("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia"))
    if color:
        rpr.append(element("w:color", val=color))
    if scale != 100:
        rpr.append(element("w:w", val=scale))
    half_points = round(Fraction(size) * 2)
    rpr.append(element("w:sz", val=half_points))
    rpr.append(element("w:szCs", val=half_points))


# --- document settings -----------------------------------------------------------------------------------


def set_defaults(document: DocxDocument) -> None:
    """Document defaults of 3号仿宋 with exact 28.95 pt lines, and Chinese as the East Asian language."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    _set_run_properties(rpr, BODY_PT, FANGSONG, LATIN, "", 100)
    rpr.append(element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    ppr.append(element("w:spacing", before=0, after=0, line=LINE, lineRule="exact"))
    settings = document.settings.element
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:eastAsia"), "zh-CN")


def set_page(document: DocxDocument) -> None:
    """A4, the standard's margins, and the 22 × 28 document grid."""
    sectpr = document.sections[0]._sectPr
    page = sectpr.find(qn("w:pgSz"))
    page.set(qn("w:w"), str(PAGE_WIDTH))
    page.set(qn("w:h"), str(PAGE_HEIGHT))
    margins = sectpr.find(qn("w:pgMar"))
    for name, value in (
        ("top", TOP),
        ("bottom", BOTTOM),
        ("left", LEFT),
        ("right", RIGHT),
        ("footer", FOOTER),
    ):
        margins.set(qn(f"w:{name}"), str(value))
    margins.set(qn("w:gutter"), "0")
    grid = sectpr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def set_page_numbers(document: DocxDocument) -> None:
    """页码 "— 1 —" in 4号宋体: odd pages at the right, even pages at the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]._p
        for child in list(p):
            p.remove(child)
        ppr = p.get_or_add_pPr()
        ppr.append(element("w:snapToGrid", val=0))
        ppr.append(element("w:spacing", before=0, after=0, line=RECORD_PT * 20, lineRule="exact"))
        ppr.append(element("w:ind", **{align: RECORD_PT * 20}))
        ppr.append(element("w:jc", val=align))
        paragraph = footer.paragraphs[0]

        def piece(text: str = "", field: str = "", paragraph: Paragraph = paragraph) -> None:
            run = paragraph.add_run(text)
            _set_run_properties(run._r.get_or_add_rPr(), RECORD_PT, SONGTI, SONGTI, "", 100)
            if field == "instr":
                instr = element("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = " PAGE "
                run._r.append(instr)
            elif field:
                run._r.append(element("w:fldChar", fldCharType=field))

        piece("— ")
        piece(field="begin")
        piece(field="instr")
        piece(field="separate")
        piece("1")
        piece(field="end")
        piece(" —")


def _set_properties(document: DocxDocument, doc: OfficialDocument) -> None:
    set_core_properties(
        document, author=doc.issuer, title=doc.title.replace("\n", ""), subject=doc.number, day=doc.date
    )


def set_core_properties(
    document: DocxDocument, *, author: str, title: str, subject: str, day: date, category: str = ""
) -> None:
    """Core properties from the document itself, never from the clock, and no stale template thumbnail: the
    same content gives the same bytes."""
    properties = document.core_properties
    moment = datetime.combine(day, time())
    properties.author = properties.last_modified_by = author.strip()
    properties.title = title.strip()
    properties.subject = subject.strip()
    properties.comments = properties.keywords = ""
    properties.category = category
    properties.language = "zh-CN"
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = moment
    package_rels = document.part.package.rels
    for key, relationship in list(package_rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package_rels[key]


def normalised_zip(raw: bytes, day: date) -> bytes:
    """The package rewritten with every entry dated ``day`` and ``[Content_Types].xml`` first, then by name."""
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(output, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != "[Content_Types].xml", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name))
    return output.getvalue()
