"""Official documents (公文) as Word files, laid out per GB/T 9704-2012 《党政机关公文格式》.

A document that units file, print and forward is judged by whether it looks like every other 公文 on the
desk. So this module knows the standard's parts and nothing about where their texts come from: a caller
builds an :class:`OfficialDocument` from plain values and gets the bytes of a ``.docx`` back. The page, the
fonts and the page numbers are those of :mod:`yangfan.documents.word.gbt9704` and
:mod:`yangfan.documents.word.page`; the parts (clause numbers of GB/T 9704-2012):

- 7.2.3 紧急程度 (optional) 3号黑体 top left; 7.2.4 发文机关标志 red, centred, its top about 35 mm below the
  top of the 版心; 7.2.5 发文字号 centred two lines below it (下空二行); 7.2.7 a red separator the width of
  the 版心 about 4 mm below the 发文字号.
- 7.3.1 标题 2号小标宋 centred two lines below the separator (下空二行; "\\n" in the title breaks the line
  where the caller wants it, for the 梯形/菱形 the standard asks for); 7.3.2 主送机关 one line below the
  title, flush left, ending in a full-width colon; 7.3.3 正文 on the next line, each paragraph indented two
  characters; headings numbered here, "一、" in 黑体 and "（一）" in 楷体.
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

Deviations, each because python-docx (or a flowing Word document) cannot do better:

- 版记 follows the 落款 after one blank line instead of sitting on the last lines of the last (even) page;
  keep-with-next keeps it in one piece.
- Vertical distances given in millimetres (35 mm, 4 mm, 7 mm) are approximate: where a glyph sits inside an
  exact-height line depends on the font's metrics.
- The separators are paragraph borders, not drawn lines. The 发文机关标志's size is not set by the standard:
  小初 (36 pt), squeezed horizontally (``w:w``, not below 50 %) to stay on one line of the 版心.
- 份号, 密级, 签发人, 附注, joint issuers and the 信函/命令/纪要 formats are out of scope.

The same :class:`OfficialDocument` always gives the same bytes
(:func:`yangfan.documents.word.package.docx_bytes`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from yangfan.documents.word.gbt9704 import (
    HEITI,
    ISSUER_PT,
    LINE,
    RECORD_PT,
    RED,
    TEXT_WIDTH,
    XIAOBIAOSONG,
    chinese_date,
    half_widths,
    twips,
)
from yangfan.documents.word.package import docx_bytes, set_core_properties
from yangfan.documents.word.page import new_document, set_page_numbers
from yangfan.documents.word.writer import WordWriter, border, keep_with_next

BodyItem = str | tuple[int, str]

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


def official_docx_bytes(doc: OfficialDocument) -> bytes:
    """The ``.docx`` file of ``doc``; the same document always gives the same bytes."""
    document = new_document()
    writer = OfficialWriter(document)
    writer.head(doc)
    writer.main(doc)
    writer.signature(doc)
    writer.record(doc)
    set_page_numbers(document)
    set_core_properties(document, author=doc.issuer, title=doc.title.replace("\n", ""), subject=doc.number)
    return docx_bytes(document, day=doc.date)


class OfficialWriter(WordWriter):
    """The layout primitives plus the 公文's own parts: 版头, 主体, 落款 and 版记."""

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
        before = max(0, twips(35) - (line - math.ceil(size * 20)) - lines_above * LINE)
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
        self.title(doc.title.strip())
        self.blank()
        addressee = doc.addressee.strip().rstrip(":：")
        self.text(f"{addressee}：", align="left")
        for item in doc.body:
            if isinstance(item, str):
                for text in item.splitlines():
                    if text.strip():
                        self.body(text)
            else:
                self.heading(item[1].strip(), level=item[0])
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
        keep_with_next(self.document.paragraphs[-1])
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
