"""The evaluation ranking as an XLSX workbook the leading group can publish, in the reader's language: a sheet with
the ranking and one with every component's score and the counts behind it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from yangfan.documents.xlsx import workbook_bytes

KIND_LABELS = {
    "city": gettext_lazy("设区市"),
    "department": gettext_lazy("部门"),
    "county": gettext_lazy("区县"),
}


def ranking_xlsx(rows: list[dict], *, plan: str, period: str, as_of: date, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("排名")
    sheet.append([_("%(plan)s %(title)s（%(period)s）") % {"plan": plan, "title": title, "period": period}])
    sheet["A1"].font = Font(bold=True, size=14)
    version = rows[0]["scheme_version"] if rows else ""
    sheet.append(
        [_("评分方案版本 %(version)s；评估基准日 %(day)s") % {"version": version, "day": f"{as_of:%Y-%m-%d}"}]
    )
    names = [c["label"] for c in rows[0]["components"]] if rows else []
    header = [_("名次"), _("单位"), _("类别"), _("总分"), *names]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row["rank"],
                row["name"],
                str(KIND_LABELS.get(row["kind"], row["kind"])),
                float(row["total"]),
                *[float(c["points"]) for c in row["components"]],
            ]
        )
    sheet.column_dimensions["B"].width = 24
    detail = book.create_sheet(_("得分说明"))
    detail.append([_("单位"), _("评分项"), _("权重"), _("得分率"), _("得分"), _("说明")])
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
