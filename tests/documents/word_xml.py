"""Reading back what a Word file says about its runs, from the XML (python-docx does not expose East Asian fonts)."""

from __future__ import annotations

from docx.oxml.ns import qn


def run_fonts(paragraph) -> list[tuple[str | None, str | None, int]]:
    """(eastAsia font, ascii font, size in half points) of each run, read from the XML."""
    result = []
    for run in paragraph.runs:
        rpr = run._r.rPr
        fonts = rpr.find(qn("w:rFonts"))
        size = int(rpr.find(qn("w:sz")).get(qn("w:val")))
        result.append((fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii")), size))
    return result
