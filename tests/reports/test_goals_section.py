"""三、定性目标评估情况: the report lists every qualitative target with the verdict standing on its unit at its period,
the reasoning and the evidence, as the services recorded them; a city's report shows its city's verdicts only."""

from __future__ import annotations

import io

import docx
import openpyxl
from tests.goals.conftest import case, publish

from yangfan.actionplans.models import Task
from yangfan.reports.content import report_document
from yangfan.reports.docx_writer import report_docx_bytes
from yangfan.reports.xlsx_writer import report_xlsx_bytes


def _text(document) -> str:
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _verdicts(make_user):
    office, baoji = (
        make_user("province", username="office-2"),
        make_user("city-office", username="baoji-office"),
    )
    cited = case(office, "秦岭5G智慧电网", "610100")
    publish(
        office,
        org="610000",
        code="Q01",
        period="2023",
        verdict="largely",
        reasoning="全省每万人5G基站数居西部省份前列",
        entries=[f"cases:{cited.pk}"],
        tasks=[Task.objects.get(plan__code="shaanxi-5g-2021-2023", code="T2.1.1")],
        documents=["陕工信发〔2023〕12号"],
    )
    publish(
        baoji, org="610300", code="Q02", period="2023", verdict="not_achieved", reasoning="宝鸡应用规模尚小"
    )
    return office, baoji


def test_a_verdict_with_its_evidence_appears_in_the_report(db, make_user):
    office, _baoji = _verdicts(make_user)
    document = report_document(actor=office, org="610000", period="2023")
    word = docx.Document(io.BytesIO(report_docx_bytes(document, charts=False)))
    text = _text(word)
    headings = [p.text for p in word.paragraphs if p.text.startswith(("三、", "四、"))]
    assert headings == ["三、定性目标评估情况", "四、任务推进情况"]
    assert "Q01 实现我省5G网络支撑能力中西部领先" in text
    assert "基本实现（2023）" in text and "全省每万人5G基站数居西部省份前列" in text
    assert (
        "5G应用仓库：秦岭5G智慧电网" in text
        and "任务 T2.1.1" in text
        and "文件：陕工信发〔2023〕12号" in text
    )
    assert "宝鸡应用规模尚小" not in text  # 宝鸡's verdict is 宝鸡's
    assert "已评估 1 项：基本实现 1 项" in "".join(document.summary)

    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx_bytes(document)))["定性目标"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Q01"][2:5] == ("基本实现", "2023", "全省每万人5G基站数居西部省份前列")
    assert rows["Q02"][2] == "尚未评估"


def test_a_citys_report_shows_its_citys_verdicts_and_never_another_citys(db, make_user):
    _office, baoji = _verdicts(make_user)
    document = report_document(actor=baoji, org="610300", period="2023Q4")
    by_code = {row.code: row for row in document.goals}
    assert by_code["Q02"].verdict_label == "未实现" and by_code["Q02"].reasoning == "宝鸡应用规模尚小"
    assert by_code["Q01"].verdict == ""  # the province's verdict on Q01 is not 宝鸡's
    text = _text(docx.Document(io.BytesIO(report_docx_bytes(document, charts=False))))
    assert "宝鸡应用规模尚小" in text and "全省每万人5G基站数居西部省份前列" not in text

    county = report_document(actor=None, org="610302", period="2023")
    assert county.goals == () and "不单独评估" in county.goals_note
