"""Nothing the store cannot hold gets in: on every write path a value beyond the column or the data element's
bounds, a period outside the plans' range or of a kind no data set collects is refused with its row, the
column and the limit, and nothing of the file is written."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from yangfan.accounts.services import token_create
from yangfan.actionplans.models import DataElement, Operator
from yangfan.core.errors import ImportInvalid
from yangfan.datavalues.importers import ParsedRow, parse_rows, read_table
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

HEADER = "data_element,period,org_unit,value,operator\n"
GOOD = "base_stations_5g,202312,610116,1200,\n"
# What users typed (issue 21): a 23-digit value, 40 nines, a period a century early, negative base stations,
# more places than the column keeps, half a station, and an operator's figure for a quarter.
BAD = {
    "1" + "0" * 22: "整数部分最多 22 位",
    "9" * 40: "整数部分最多 22 位",
    "-5": "小于下限 0",
    "3.5": "应为整数",
}


def _write(tmp_path, text: str, name: str = "values.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path), **kwargs)


def _refusal(tmp_path, text: str, name: str = "values.csv") -> list[str]:
    with pytest.raises(ImportInvalid) as caught:
        _write(tmp_path, text, name)
    assert not DataValue.objects.exists(), "a refused file writes nothing, its good rows neither"
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(("value", "reason"), list(BAD.items()))
def test_a_value_the_store_or_the_element_cannot_hold_is_refused_with_its_row(plan, tmp_path, value, reason):
    errors = _refusal(tmp_path, HEADER + GOOD + f"base_stations_5g,202311,610116,{value},\n")
    assert len(errors) == 1 and errors[0].startswith("第 3 行，值 列：") and reason in errors[0]


def test_traffic_takes_six_places_and_not_seven_nor_rounding(plan, tmp_path):
    report = _write(tmp_path, HEADER + "traffic_5g,202312,610116,1.000001,\n")
    assert DataValue.objects.get().value == Decimal("1.000001") and report.added == [2]
    DataValue.objects.all().delete()
    for tiny in ("1.0000001", "0.000000000001"):
        errors = _refusal(tmp_path, HEADER + f"traffic_5g,202312,610116,{tiny},\n")
        assert "最多 6 位小数" in errors[0] and "不作舍入" in errors[0]


@pytest.mark.parametrize("period", ["189901", "2019", "202401", "2031Q1"])
def test_a_period_outside_the_plan_and_its_baseline_year_is_refused(plan, tmp_path, period):
    errors = _refusal(tmp_path, HEADER + f"population,{period},610116,1000,\n")
    assert "第 2 行，期间 列" in errors[0] and "超出可填报的范围" in errors[0]
    assert "2020年01月至2023年12月" in errors[0]


def test_the_baseline_year_is_accepted_and_its_margin_is_configurable(plan, tmp_path):
    _write(tmp_path, HEADER + "population,2020,610116,1000,\n")
    assert DataValue.objects.get().period == "2020"
    with override_settings(YANGFAN_BASELINE_YEARS=0):
        errors = _refusal_kept(tmp_path, HEADER + "population,2020,610103,1000,\n")
    assert "超出可填报的范围" in errors[0] and "2021年01月至2023年12月" in errors[0]


def _refusal_kept(tmp_path, text):
    with pytest.raises(ImportInvalid) as caught:
        _write(tmp_path, text)
    return [str(e) for e in caught.value.errors]


def test_an_operators_figure_for_a_quarter_no_operator_report_collects_is_refused(plan, tmp_path):
    """Operators report monthly (operator-monthly); a quarter's figure by operator would sit outside every
    report and lock. The cities' quarterly report collects the undivided figure, which passes."""
    errors = _refusal(tmp_path, HEADER + "base_stations_5g,2023Q4,610116,1200,cmcc\n")
    assert "第 2 行，期间 列" in errors[0] and "按运营商的数值按月报送" in errors[0] and "2023Q4" in errors[0]
    assert _write(tmp_path, HEADER + "base_stations_5g,2023Q4,610116,1200,\n").added == [2]


def test_every_problem_of_a_file_is_listed_at_once(plan, tmp_path):
    rows = "".join(f"base_stations_5g,2023{n:02d},610116,{v},\n" for n, v in enumerate(BAD, start=1))
    errors = _refusal(tmp_path, HEADER + rows + "population,189901,610116,1,\n")
    assert [e.split("：")[0] for e in errors] == [
        "第 2 行，值 列",
        "第 3 行，值 列",
        "第 4 行，值 列",
        "第 5 行，值 列",
        "第 6 行，期间 列",
    ]


def test_xlsx_and_dhis2_json_are_refused_the_same_way(plan, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["数据项", "期间", "地区", "值"])
    sheet.append(["base_stations_5g", "202312", "610116", "1" + "0" * 22])
    book.save(tmp_path / "values.xlsx")
    with pytest.raises(ImportInvalid, match="第 2 行，值 列：数值 10000000000000000000000 超出可存储的范围"):
        datavalues_import(rows=parse_rows(read_table(tmp_path / "values.xlsx"), "values.xlsx"), file="x")
    document = {"dataValues": [{"dataElement": "base_stations_5g", "period": "189901", "orgUnit": "610116"}]}
    document["dataValues"][0]["value"] = "1"
    (tmp_path / "values.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportInvalid, match="第 2 行，期间 列：期间 189901 超出可填报的范围"):
        datavalues_import(rows=parse_rows(read_table(tmp_path / "values.json"), "values.json"), file="x")
    assert not DataValue.objects.exists()


def test_rows_built_by_the_pipeline_or_a_page_are_checked_by_the_one_write_path(plan):
    """The grid, the workbook and the pipeline build their rows themselves and write through
    ``datavalues_import``: the check is there, not in each reader."""
    element = DataElement.objects.get(code="base_stations_5g")
    row = ParsedRow(
        7,
        element,
        OrgUnit.objects.get(code="610116"),
        "202312",
        Operator.objects.get(code="cmcc"),
        Decimal(-1),
    )
    with pytest.raises(ImportInvalid, match="第 7 行，值 列：数值 -1 小于下限 0"):
        datavalues_import(rows=[row], file="pipeline")
    assert not DataValue.objects.exists()


def test_the_api_answers_400_naming_the_entry_and_the_field(plan, client, make_user):
    token = token_create(actor=None, user=make_user("province"), days=1)[1]
    response = client.post(
        reverse("api:datavalues"),
        [
            {"data_element": "base_stations_5g", "period": "202312", "org_unit": "610116", "value": 1200},
            {"data_element": "base_stations_5g", "period": "202311", "org_unit": "610116", "value": "9" * 40},
            {"data_element": "base_stations_5g", "period": "189901", "org_unit": "610116", "value": 1},
        ],
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + token,
    )
    assert response.status_code == 400, response.content
    errors = {(e["index"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(errors) == {(1, "value"), (2, "period")}
    assert "整数部分最多 22 位" in errors[(1, "value")] and "超出可填报的范围" in errors[(2, "period")]
    assert not DataValue.objects.exists()


def test_the_grid_shows_the_limit_in_the_cell(plan, client, make_user):
    client.force_login(make_user("city-reporter"))
    url = reverse(
        "collection:entry", kwargs={"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}
    )
    response = client.post(url, {"v:610116:base_stations_5g": "1200", "v:610102:base_stations_5g": "3.5"})
    assert response.status_code == 200
    assert "数值 3.5 应为整数（数据项 base_stations_5g）" in response.content.decode()
    assert not DataValue.objects.exists()


def test_the_command_line_names_the_row_and_exits_non_zero(initialised_env, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD + "base_stations_5g,189901,610116,-5,\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "yangfan", "values", "import", str(path)],
        env=initialised_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1
    assert "第 3 行，值 列：数值 -5 小于下限 0" in done.stderr
    assert "第 3 行，期间 列：期间 189901 超出可填报的范围" in done.stderr
    assert "内部错误" not in done.stderr


def _store_raw(value: str) -> None:
    """A value as an older Yangfan let SQLite keep it: a float too large for the column, written around the
    limits (PostgreSQL's numeric(28, 6) refuses it itself)."""
    from django.db import connection

    element = DataElement.objects.get(code="base_stations_5g").pk
    unit = OrgUnit.objects.get(code="610116").pk
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO datavalues_datavalue (data_element_id, org_unit_id, period, value, source, comment, "
            f"updated_at) VALUES (%s, %s, '202312', {value}, 'import', '', CURRENT_TIMESTAMP)",
            [element, unit],
        )


def test_a_stored_value_too_large_to_read_is_named_by_its_key_not_an_internal_error(plan, tmp_path):
    from django.db import DataError, connection, transaction

    from yangfan.datavalues.exporters import export_rows
    from yangfan.datavalues.selectors import UnreadableValues, values_for_engine

    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            _store_raw("1e40")
        return
    _store_raw("1e40")
    for read in (
        lambda: export_rows(DataValue.objects.all()),
        lambda: values_for_engine(["base_stations_5g"]),
    ):
        with pytest.raises(UnreadableValues) as caught:
            read()
        assert caught.value.keys == ["base_stations_5g 610116 202312 = 1.0e+40"]
        assert "数据库中有 1 个数值超出可存储的范围" in str(caught.value)
    # a later import of the same unit's figures names it too, and writes nothing
    with pytest.raises(UnreadableValues, match="base_stations_5g 610116 202312"):
        _write(tmp_path, HEADER + "base_stations_5g,202312,610116,1,\n")
