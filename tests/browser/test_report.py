"""The evaluation report in the browser, from the dashboard to the Word file: built by the site's background
worker, downloaded, its indicator table checked against ``yangfan indicators`` on the same database, and its
first pages rendered by LibreOffice (the README's pictures of the report come from here)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _pages_to_png(docx: Path, out: Path, pages: int) -> list[Path]:
    """The first ``pages`` pages as LibreOffice lays them out: DOCX → PDF (soffice) → PNG (PDFium)."""
    import pypdfium2
    from tests.reports.test_render import _to_pdf

    pdf = _to_pdf(docx, out)
    document = pypdfium2.PdfDocument(str(pdf))
    images = []
    for index in range(min(pages, len(document))):
        image = document[index].render(scale=1.4).to_pil()
        path = out / f"page-{index + 1}.png"
        image.save(path)
        images.append(path)
    return images


def test_the_office_generates_the_report_from_the_dashboard(
    server, site_env, server_log, page, login, tmp_path
):
    from docx import Document

    login("demo-province", "Bangong#5G-2023")
    page.goto(f"{server}/?period=2023Q4")
    page.get_by_role("link", name="生成评估报告").click()
    form = page.locator("#report-form")  # the page's other form is the final evaluation's (地区, 格式 too)
    expect(form.get_by_label("期间")).to_have_value("2023Q4")
    expect(form.get_by_label("地区")).to_have_value("610000")
    page.get_by_role("button", name="生成报告").click()
    page.wait_for_selector("section.report-ready, [role=alert]", timeout=120_000)
    assert page.locator("section.report-ready").count() == 1, server_log()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载报告").click()
    docx = tmp_path / "report.docx"
    download.value.save_as(docx)
    assert download.value.suggested_filename.endswith("（陕西省·2023年第四季度）.docx")

    # the indicator table holds what the engine computes on the same database
    computed = subprocess.run(
        [
            sys.executable,
            "-m",
            "yangfan",
            "indicators",
            "--org",
            "610000",
            "--period",
            "2023Q4",
            "--format",
            "json",
        ],
        env=site_env,
        capture_output=True,
        text=True,
        check=True,
    )
    from yangfan.core.figures import figure
    from yangfan.core.targets import Status

    units = {"A1": "%", "A2": "%", "A3": "%", "A4": "%", "A5": "个", "B1": "户"}
    document = Document(io.BytesIO(docx.read_bytes()))
    table = {row.cells[0].text.split()[0]: [c.text for c in row.cells] for row in document.tables[0].rows[1:]}
    checked = 0
    for row in json.loads(computed.stdout):
        if row["indicator"] in units:
            cells = table[row["indicator"]]
            assert cells[1] == f"{figure(row['value'], units[row['indicator']])} {units[row['indicator']]}"
            assert cells[4] == Status(row["status"]).label
            checked += 1
    assert checked == 6
    text = "\n".join(p.text for p in document.paragraphs)
    assert "演示数据" in text and "主要指标完成情况" in text and "需领导小组关注的问题" in text
    assert len(document.inline_shapes) >= 7  # a trend chart per annex indicator

    folder = os.environ.get("YANGFAN_SCREENSHOTS")
    images = _pages_to_png(docx, tmp_path / "rendered", pages=3)
    assert len(images) == 3
    if folder:
        for index, image in enumerate(images[:2], start=1):  # the README shows the first two
            image.replace(Path(folder) / f"report-page-{index}.png")
    assert page.console_errors == [] and page.csp_violations == []
