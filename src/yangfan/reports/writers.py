"""One entry to the report's writers, by format."""

from __future__ import annotations

from yangfan.documents.formats import CONTENT_TYPES as DOCUMENT_TYPES
from yangfan.reports.document import ReportDocument

FORMATS = ("docx", "xlsx")
CONTENT_TYPES = {fmt: DOCUMENT_TYPES[fmt] for fmt in FORMATS}


def report_bytes(document: ReportDocument, fmt: str) -> bytes:
    if fmt == "docx":
        from yangfan.reports.docx_writer import report_docx_bytes

        return report_docx_bytes(document)
    if fmt == "xlsx":
        from yangfan.reports.xlsx_writer import report_xlsx_bytes

        return report_xlsx_bytes(document)
    raise ValueError(f"unknown report format {fmt!r}")
