"""A data value file is read as it is used and refused, never crashed on: lone CR line endings read as lines,
JSON nested 100,000 deep refused at its 33rd level, a file with more errors than can be listed stopped after the
first 1,000 with the rest counted, a file over the import limit or a workbook bomb refused before it is read,
on the command line as in the services."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from tests.documents.hostile import MIB, deeply_nested_json, inflated, workbook_bytes

from yangfan.core.errors import ERRORS_LISTED, ImportInvalid
from yangfan.datavalues.importers import MAX_DEPTH, parse_rows, read_table
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import

HEADER = "data_element,period,org_unit,value\n"


def _import(path):
    return datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def _stored(org_unit: str) -> Decimal | None:
    found = DataValue.objects.filter(data_element__code="population", org_unit__code=org_unit, period="2023")
    return found.values_list("value", flat=True).first()


def test_a_csv_with_lone_cr_line_endings_is_read_line_by_line(plan, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b'data_element,period,org_unit,value\rpopulation,2023,610100,"1,300"\rpopulation,2023,610300,800\r'
    )
    report = _import(path)
    assert report.added == [2, 3]
    assert _stored("610100") == Decimal(1300) and _stored("610300") == Decimal(800)


def test_a_cell_larger_than_csv_allows_is_refused_at_its_row(plan, tmp_path):
    path = tmp_path / "huge-cell.csv"
    path.write_text(HEADER + "population,2023,610100,1\npopulation,2023,610300," + "9" * 200_000 + "\n")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    (error,) = caught.value.errors
    assert error.row == 3 and "无法按 CSV 读取" in error.message
    assert not DataValue.objects.exists()


def test_json_nested_a_hundred_thousand_deep_is_refused_not_crashed_on(plan, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(deeply_nested_json(100_000, key="dataSet"), encoding="utf-8")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    (error,) = caught.value.errors
    assert error.row == 1 and f"JSON 嵌套超过 {MAX_DEPTH} 层" in error.message
    path.write_text(deeply_nested_json(100_000), encoding="utf-8")  # lists where the entries should be
    with pytest.raises(ImportInvalid, match="dataValueSets"):
        _import(path)


def test_json_nested_deep_inside_an_entry_is_refused_at_that_entry(plan, tmp_path):
    entry = '{"dataElement": "population", "period": "2023", "orgUnit": "610100", "value": "1"}'
    deep = '{"value": ' + "[" * 50_000 + "]" * 50_000 + "}"
    path = tmp_path / "deep-entry.json"
    path.write_text('{"dataValues": [' + entry + ", " + deep + "]}", encoding="utf-8")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    (error,) = caught.value.errors
    assert error.row == 3 and "嵌套" in error.message
    assert not DataValue.objects.exists()


def test_dhis2_json_is_read_entry_by_entry_with_a_bom_and_entries_that_leave_out_keys(plan, tmp_path):
    path = tmp_path / "values.json"
    path.write_bytes(
        b'\xef\xbb\xbf{"dataSet": "x", "dataValues": ['
        b'{"dataElement": "population", "period": "2023", "orgUnit": "610100", "value": 1200, "comment": "c"},'
        b'{"dataElement": "population", "period": "2023", "orgUnit": "610300", "value": "700"}],'
        b' "completeDate": "2024-01-01"}'
    )
    report = _import(path)
    assert report.added == [2, 3]
    assert _stored("610100") == Decimal(1200) and _stored("610300") == Decimal(700)
    assert DataValue.objects.get(org_unit__code="610100").comment == "c"


@pytest.mark.parametrize(
    "text",
    [
        '{"dataValues": null}',
        '{"dataValues": [1, 2]}',
        '[{"dataValues": []}]',
        '{"rows": []}',
        '"dataValues"',
    ],
)
def test_json_that_is_not_a_data_value_set_is_refused_when_it_is_opened(plan, tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportInvalid, match="dataValueSets"):
        list(read_table(path))


def test_broken_json_is_refused_with_the_parsers_reason(plan, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"dataValues": [{"dataElement": "population",', encoding="utf-8")
    with pytest.raises(ImportInvalid, match="不是有效的 JSON"):
        list(read_table(path))


def test_past_a_thousand_errors_checking_stops_and_the_rest_is_counted(plan, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "population,2023,610100,1\n" + "nope,2023,610100,1\n" * 3000, encoding="utf-8")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    refusal = caught.value
    assert len(refusal.errors) == ERRORS_LISTED
    assert [e.row for e in refusal.errors[:2]] == [3, 4] and refusal.errors[-1].row == ERRORS_LISTED + 2
    assert refusal.total == ERRORS_LISTED + 1  # the one past the cap, then only counting
    assert refusal.unchecked == 3000 - (ERRORS_LISTED + 1)
    assert refusal.unlisted == "另有 1 处错误未列出；错误超过 1000 处后停止检查，其后 1999 行未检查"
    assert str(refusal).count("\n") == ERRORS_LISTED  # 1,000 errors and the line that says what is left out
    assert not DataValue.objects.exists()


def test_past_a_thousand_duplicate_rows_checking_stops_too(plan, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text(HEADER + "population,2023,610100,1\n" * 5000, encoding="utf-8")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    assert caught.value.total == ERRORS_LISTED + 1 and caught.value.unchecked == 5000 - (ERRORS_LISTED + 2)
    assert "与第 2 行重复" in caught.value.errors[0].message and caught.value.errors[0].row == 3


def test_a_file_under_the_cap_lists_every_error(plan, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "nope,2023,610100,1\n" * 999 + "population,2023,610100,x\n", encoding="utf-8")
    with pytest.raises(ImportInvalid) as caught:
        _import(path)
    assert len(caught.value.errors) == caught.value.total == 1000
    assert not caught.value.unlisted and not caught.value.unchecked


def test_the_command_line_lists_a_thousand_errors_and_says_how_many_it_left_out(plan, tmp_path, capsys):
    from yangfan.cli import main

    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "nope,2023,610100,1\n" * 5000, encoding="utf-8")
    assert main(["values", "import", str(path)]) == 1
    printed = capsys.readouterr().err
    assert printed.count("未知数据项“nope”") == ERRORS_LISTED
    assert "其后 3999 行未检查" in printed and "文件有至少 1001 处错误，未写入任何内容。" in printed
    assert not DataValue.objects.exists()


def test_the_command_line_refuses_a_file_over_the_limit_before_reading_it(plan, tmp_path, capsys, settings):
    from yangfan.cli import main

    settings.YANGFAN_IMPORT_MAX_BYTES = MIB
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "population,2023,610100,1\n" * 50_000, encoding="utf-8")  # 1.19 MB
    assert main(["values", "import", str(path)]) == 1
    printed = capsys.readouterr().err
    assert str(path) in printed and "有 1.19 MB，超过导入文件大小上限 1 MB" in printed
    assert not DataValue.objects.exists()


def test_the_command_line_refuses_a_workbook_bomb_before_parsing_it(plan, tmp_path, capsys, monkeypatch):
    from yangfan.cli import main

    def parsed(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", parsed)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(inflated(workbook_bytes(), megabytes=20))
    assert main(["values", "import", str(path)]) == 1
    printed = capsys.readouterr().err
    assert "bomb.xlsx" in printed and "压缩比超过 100:1" in printed
    assert not DataValue.objects.exists()


def test_a_workbook_is_read_row_by_row_as_before(plan, tmp_path):
    path = tmp_path / "values.xlsx"
    rows = [
        ("数据项", "期间", "地区", "值"),
        ("population", "2023", "610100", 1500.0),
        (None, None, None, None),
    ]
    path.write_bytes(workbook_bytes(rows))
    assert _import(path).added == [2]
    assert _stored("610100") == Decimal(1500)


def test_a_registry_import_stops_checking_past_a_thousand_errors(make_user):
    from yangfan.registries.exchange import registry_import
    from yangfan.registries.models import Supplier

    text = "企业名称,统一社会信用代码,地区,入库日期\n" + "甲公司,不是代码,610100,2023-05-01\n" * 1500
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="suppliers", content=text.encode(), file="s.csv", actor=make_user("province"))
    assert len(caught.value.errors) == ERRORS_LISTED and caught.value.total == ERRORS_LISTED + 1
    assert caught.value.unchecked == 1500 - (ERRORS_LISTED + 1)
    assert not Supplier.objects.exists()


def test_the_registry_import_page_says_what_it_left_out(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    text = "企业名称,统一社会信用代码,地区,入库日期\n" + "甲公司,不是代码,610100,2023-05-01\n" * 1500
    response = client_for("province").post(
        reverse("registries:import", kwargs={"slug": "suppliers"}),
        {"file": SimpleUploadedFile("s.csv", text.encode())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "有 1001 处错误" in page and page.count("<li>") >= ERRORS_LISTED
    assert "其后 499 行未检查" in page


def test_json_nested_too_deep_for_python_is_a_bad_request_on_the_api(client_for):
    from django.urls import reverse

    response = client_for("province").post(
        reverse("api:datavalues"), "[" * 20_000 + "]" * 20_000, content_type="application/json"
    )
    assert response.status_code == 400 and "嵌套过深" in response.json()["detail"]
    assert not DataValue.objects.exists()
