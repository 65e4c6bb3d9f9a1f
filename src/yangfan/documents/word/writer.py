"""The layout primitives every Word file of ours is built from: paragraphs and runs with every property
stated, the title, numbered headings, body paragraphs, numbered tables and figures, on the GB/T 9704 page.

Each paragraph carries its own spacing, indents and alignment, and each run its own fonts and size, so no
style of the template and no default of the reader (Word, WPS, LibreOffice) can move them. Body text is 3号仿宋
on the 版心's exact 28.95 pt lines, indented two characters; level-1 headings "一、" in 黑体 and level-2
headings "（一）" in 楷体, numbered here; tables and captions are smaller (5号宋体 cells under a 黑体 header on
a grey ground, single borders, the header repeated on every page, rows never split; 小4号黑体 captions "表1　…"
above a table and "图1　…" below a figure).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from yangfan.documents.word.gbt9704 import (
    BODY_PT,
    CAPTION_PT,
    FANGSONG,
    HEITI,
    KAITI,
    LATIN,
    LINE,
    SONGTI,
    TABLE_PT,
    TEXT_WIDTH,
    TITLE_PT,
    XIAOBIAOSONG,
    chinese_number,
    half_widths,
)

EMU_PER_TWIP = 635
TABLE_LINE = 300  # twips: 15 pt lines in tables
CAPTION_LINE = CAPTION_PT * 20 * 3 // 2  # one and a half lines of 小4号
HEADER_FILL = "D9D9D9"


def element(tag: str, **attributes: str | int) -> BaseOxmlElement:
    """An OOXML element ``tag`` with ``attributes`` in the ``w:`` namespace, in the order given."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def border(side: str, *, eighths: int, space: int = 1, color: str = "000000") -> BaseOxmlElement:
    """One side of a paragraph border: ``eighths`` of a point thick, ``space`` points from the text."""
    return element(f"w:{side}", val="single", sz=eighths, space=space, color=color)


def set_run_properties(
    rpr,
    size: float | Fraction,
    east_asia: str,
    latin: str,
    color: str = "",
    scale: int = 100,
    *,
    bold: bool = False,
) -> None:
    """rFonts, bold, colour, scale and size in the order the schema wants them in ``w:rPr``.

    ``w:hint="eastAsia"`` makes quotation marks and dashes take the Chinese font."""
    rpr.append(element("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia"))
    if bold:
        rpr.append(element("w:b"))
        rpr.append(element("w:bCs"))
    if color:
        rpr.append(element("w:color", val=color))
    if scale != 100:
        rpr.append(element("w:w", val=scale))
    half_points = round(Fraction(size) * 2)
    rpr.append(element("w:sz", val=half_points))
    rpr.append(element("w:szCs", val=half_points))


def keep_with_next(paragraph: Paragraph) -> None:
    """Keep ``paragraph`` on the page of the one after it (a paragraph built without ``keep_next``)."""
    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:keepNext")) is None:
        ppr.insert(0, element("w:keepNext"))


@dataclass(frozen=True)
class Column:
    """A table column: its header, its share of the table's width, and how its cells align."""

    header: str
    weight: float
    align: str = "center"


def column_widths(weights: Sequence[float], total: int = TEXT_WIDTH) -> list[int]:
    """Column widths in twips, in proportion to ``weights``, summing exactly to ``total`` (the 版心's width)."""
    whole = sum(weights)
    widths = [int(total * weight / whole) for weight in weights]
    widths[0] += total - sum(widths)
    return widths


def title_lines(title: str) -> list[str]:
    """The title's lines: the caller's own breaks ("\\n") where it gives them; otherwise a closing "（…）"
    (the period) on a line of its own, and a title too long for one line of 2号 broken where offices break it,
    never inside a word: after a plan word ("计划", "方案", "规划") or a 书名号 name ("》"), else after a
    quotation ("”"), at the place nearest the middle.
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


class WordWriter:
    """Appends paragraphs, headings, tables and figures to the body of a python-docx document, in order.

    Headings, tables and figures are numbered as they are written; :attr:`tables` and :attr:`figures` count
    those written so far, so a sentence can name the next one ("见表3") before writing it.
    """

    outline_levels = False  # headings carry outline levels, so Word's navigation pane lists them

    def __init__(self, document: DocxDocument):
        self.document = document
        self.level_1 = self.level_2 = 0
        self.tables = self.figures = 0

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

        ``line`` is an exact line height in twips. Indents are in hundredths of a character (Word's
        ``leftChars``); ``first`` below zero is a hanging indent. Paragraphs on the grid carry them in
        characters, which Word measures on the grid, and in twips of ``unit``-point characters for readers
        that ignore character units; paragraphs off the grid (other sizes than 3号) carry twips only.
        """
        paragraph = self.document.add_paragraph()
        ppr = paragraph._p.get_or_add_pPr()
        if keep_next:
            ppr.append(element("w:keepNext"))
            ppr.append(element("w:keepLines"))
        if borders:
            pbdr = element("w:pBdr")
            for side in borders:
                pbdr.append(side)
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
        size: float | Fraction = BODY_PT,
        east_asia: str = FANGSONG,
        latin: str = LATIN,
        color: str = "",
        scale: int = 100,
        bold: bool = False,
    ) -> None:
        """``text`` appended to ``paragraph`` in its own fonts and size ("\\n" becomes a line break)."""
        run = paragraph.add_run(text)
        set_run_properties(run._r.get_or_add_rPr(), size, east_asia, latin, color, scale, bold=bold)

    def blank(self, count: int = 1) -> None:
        """Empty 3号 lines, the unit the standard counts distances in (空一行, 空二行)."""
        for _ in range(count):
            self.paragraph()

    def text(self, text: str, *, east_asia: str = FANGSONG, **layout) -> Paragraph:
        """A paragraph of one 3号 run in ``east_asia``; ``layout`` as :meth:`paragraph` takes it."""
        paragraph = self.paragraph(**layout)
        self.run(paragraph, text, east_asia=east_asia)
        return paragraph

    def title(self, text: str, *, line: int = LINE, bold: bool = False) -> Paragraph:
        """标题 in 2号小标宋, centred, off the grid; ``line`` its exact line height (the 正文's by default).

        ``bold`` prints a heavy title on the machines that substitute another font for 小标宋."""
        paragraph = self.paragraph(align="center", line=line, unit=TITLE_PT, on_grid=False)
        self.run(paragraph, text, size=TITLE_PT, east_asia=XIAOBIAOSONG, bold=bold)
        return paragraph

    def heading(self, text: str, *, level: int) -> Paragraph:
        """Level 1 "一、" in 黑体, level 2 "（一）" in 楷体 (restarting under each level 1), two characters in,
        kept with what follows."""
        if level == 1:
            self.level_1, self.level_2 = self.level_1 + 1, 0
            text, font = f"{chinese_number(self.level_1)}、{text}", HEITI
        else:
            self.level_2 += 1
            text, font = f"（{chinese_number(self.level_2)}）{text}", KAITI
        paragraph = self.text(text, east_asia=font, first=200, keep_next=True)
        if self.outline_levels:
            paragraph._p.get_or_add_pPr().append(element("w:outlineLvl", val=level - 1))
        return paragraph

    def body(self, text: str) -> Paragraph:
        """A paragraph of 正文: 3号仿宋, the first line two characters in."""
        return self.text(text.strip(), first=200)

    def labelled(self, label: str, text: str) -> Paragraph:
        """A body paragraph led by a label in 楷体 ("达标或进度正常的：…")."""
        paragraph = self.paragraph(first=200)
        self.run(paragraph, label, east_asia=KAITI)
        self.run(paragraph, text)
        return paragraph

    def caption(self, text: str, *, keep_next: bool) -> Paragraph:
        """A 小4号黑体 caption, centred, off the grid."""
        paragraph = self.paragraph(
            align="center", line=CAPTION_LINE, unit=CAPTION_PT, on_grid=False, keep_next=keep_next
        )
        self.run(paragraph, text, size=CAPTION_PT, east_asia=HEITI)
        return paragraph

    def table(self, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """A numbered table as wide as the 版心: its caption "表N　title" above it, a grey header row repeated
        on each page, single borders, fixed column widths in proportion to the columns' weights."""
        self.tables += 1
        self.caption(f"表{self.tables}　{title}", keep_next=True)
        widths = column_widths([column.weight for column in columns])
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
        for side, width in (("top", 30), ("left", 80), ("bottom", 30), ("right", 80)):
            margins.append(element(f"w:{side}", w=width, type="dxa"))
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
                cell.width = Emu(width * EMU_PER_TWIP)
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
        # A short gap before the text that follows.
        self.paragraph(line=160, on_grid=False)

    def picture(self, image: bytes, *, caption: str, width: int = TEXT_WIDTH) -> None:
        """A numbered figure: ``image`` (PNG or JPEG bytes) centred, ``width`` twips wide (the 版心's width by
        default), its caption "图N　caption" below; auto line height, so the picture is not clipped."""
        paragraph = self.paragraph(align="center", on_grid=False, keep_next=True)
        spacing = paragraph._p.pPr.find(qn("w:spacing"))
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
        spacing.set(qn("w:before"), "120")
        paragraph.add_run().add_picture(io.BytesIO(image), width=Emu(width * EMU_PER_TWIP))
        self.figures += 1
        self.caption(f"图{self.figures}　{caption}", keep_next=False)
