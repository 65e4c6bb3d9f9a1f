"""The evaluation ranking as an XLSX workbook the leading group can publish: a sheet with the ranking and one
with every component's score and the counts behind it."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from yangfan.documents.xlsx import workbook_bytes

KIND_LABELS = {"city": "设区市", "department": "省级部门"}


def ranking_xlsx(rows: list[dict], *, plan: str, period: str, as_of: date, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "排名"
    sheet.append([f"{plan} {title}（{period}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    version = rows[0]["scheme_version"] if rows else ""
    sheet.append([f"评分方案版本 {version}；评估基准日 {as_of:%Y-%m-%d}"])
    names = [c["label"] for c in rows[0]["components"]] if rows else []
    header = ["名次", "单位", "类别", "总分", *names]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row["rank"],
                row["name"],
                KIND_LABELS.get(row["kind"], row["kind"]),
                float(row["total"]),
                *[float(c["points"]) for c in row["components"]],
            ]
        )
    sheet.column_dimensions["B"].width = 24
    detail = book.create_sheet("得分说明")
    detail.append(["单位", "评分项", "权重", "得分率", "得分", "说明"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row in rows:
        for c in row["components"]:
            detail.append(
                [
                    row["name"],
                    c["label"],
                    float(c["weight"]),
                    None if c["ratio"] is None else float(c["ratio"]),
                    float(c["points"]),
                    c["explanation"],
                ]
            )
    detail.column_dimensions["A"].width = 24
    detail.column_dimensions["F"].width = 60
    for line in detail.iter_rows(min_row=2):
        line[5].alignment = Alignment(wrap_text=True)
    return workbook_bytes(book)
