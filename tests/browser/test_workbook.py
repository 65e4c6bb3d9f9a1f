"""The Excel round trip in the browser: a 西安 reporter downloads the template, fills it offline, uploads it; a bad
cell is named by its reference and nothing is written."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

UPLOAD = "/collection/entry/population-yearly/610100/2023/upload/"


def _filled(path, value) -> bytes:
    """The downloaded template with its first value cell (the first county's population, C4) replaced."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet["C4"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_reporter_fills_the_template_offline_and_uploads_it(server, page, login, tmp_path):
    login("demo-xian", "Changan#5G-2023")
    page.goto(server + UPLOAD)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本表的填报模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    first = load_workbook(template).worksheets[0]["C4"].value
    assert isinstance(first, int | float) and first > 0  # the current value is filled in

    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "bad.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": _filled(template, "约一百万"),
            }
        ]
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("C4").first).to_be_visible()
    expect(page.get_by_text("未写入任何内容").first).to_be_visible()

    page.goto(server + UPLOAD)
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "good.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": _filled(template, first + 1),
            }
        ]
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("修改 1").first).to_be_visible()
    assert page.console_errors == [] and page.csp_violations == []
