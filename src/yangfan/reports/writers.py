"""One entry to the report's writers, by format."""

from __future__ import annotations

from yangfan.reports.document import FinalDocument, ReportDocument

FORMATS = ("docx", "xlsx")


def report_bytes(document: ReportDocument, fmt: str) -> bytes:
    if fmt == "docx":
        from yangfan.reports.docx_writer import report_docx_bytes

        return report_docx_bytes(document)
    if fmt == "xlsx":
        from yangfan.reports.xlsx_writer import report_xlsx_bytes

        return report_xlsx_bytes(document)
    raise ValueError(f"unknown report format {fmt!r}")


def final_bytes(document: FinalDocument, fmt: str) -> bytes:
    """The final evaluation (终期评估) in ``fmt``."""
    if fmt == "docx":
        from yangfan.reports.docx_writer import final_docx_bytes

        return final_docx_bytes(document)
    if fmt == "xlsx":
        from yangfan.reports.xlsx_writer import final_xlsx_bytes

        return final_xlsx_bytes(document)
    raise ValueError(f"unknown report format {fmt!r}")
