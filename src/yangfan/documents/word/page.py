"""The GB/T 9704 page of a Word document: A4 with the standard's margins, 3号仿宋 on exact lines as the
document's defaults, the document grid, and the 页码 of 7.5 ("— 1 —" in 4号宋体, odd pages right, even pages
left, one character in, in separate odd and even footers)."""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from yangfan.documents.word.gbt9704 import (
    BODY_PT,
    BOTTOM,
    CHAR_SPACE,
    FANGSONG,
    FOOTER,
    LATIN,
    LEFT,
    LINE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RECORD_PT,
    RIGHT,
    SONGTI,
    TOP,
)
from yangfan.documents.word.writer import element, set_run_properties


def new_document(*, character_grid: bool = True) -> DocxDocument:
    """A blank python-docx document on the standard's page (:func:`set_defaults`, :func:`set_page`)."""
    document = Document()
    set_defaults(document)
    set_page(document, character_grid=character_grid)
    return document


def set_defaults(document: DocxDocument) -> None:
    """Document defaults of 3号仿宋 with exact 28.95 pt lines, and Chinese as the East Asian language."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    set_run_properties(rpr, BODY_PT, FANGSONG, LATIN)
    rpr.append(element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    ppr.append(element("w:spacing", before=0, after=0, line=LINE, lineRule="exact"))
    settings = document.settings.element
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:eastAsia"), "zh-CN")


def set_page(document: DocxDocument, *, character_grid: bool = True) -> None:
    """A4, the standard's margins, and the document grid: 22 lines of 28 characters.

    ``character_grid=False`` keeps the 22 lines but not the 28 characters: the grid's character pitch is under
    the 3号 font size, which Word and WPS absorb by condensing but LibreOffice answers by giving every
    character two cells (about 14 characters a line). A document of tables and charts, set in several sizes,
    lets characters take their own width.
    """
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
    grid.set(qn("w:type"), "linesAndChars" if character_grid else "lines")
    grid.set(qn("w:linePitch"), str(LINE))
    if character_grid:
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def set_page_numbers(document: DocxDocument) -> None:
    """页码 "— 1 —" in 4号宋体: odd pages at the right, even pages at the left, one character in.

    Called once the body is written: the footers' parts come after the body's pictures in the package."""
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
            set_run_properties(run._r.get_or_add_rPr(), RECORD_PT, SONGTI, SONGTI)
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
