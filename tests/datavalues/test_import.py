"""Importing data values: all or nothing, idempotent, every bad row named; the same through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from yangfan.audit.models import AuditEntry
from yangfan.core.errors import ImportInvalid
from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import

# Test figures, chosen so that the indicators are easy to compute by hand (not published statistics).
PROVINCE_CSV = """data_element,period,org_unit,value
population,2022,610000,"40,000,000"
population,2023,610000,"40,000,000"
mobile_users_5g,202212,610000,1200万
mobile_users_5g,202312,610000,1640万
base_stations_5g,202212,610000,"60,000"
base_stations_5g,202312,610000,"72,000"
"""


def _import(tmp_path, text, name="values.csv", encoding="utf-8", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path), **kwargs)


def test_import_then_reimport_changes_nothing(plan, tmp_path):
    first = _import(tmp_path, PROVINCE_CSV)
    assert len(first.added) == 6 and not first.changed
    assert DataValue.objects.get(data_element__code="mobile_users_5g", period="202312").value == Decimal(
        16_400_000
    )
    audited = AuditEntry.objects.count()
    second = _import(tmp_path, PROVINCE_CSV)
    assert len(second.unchanged) == 6 and not second.added and not second.changed
    assert AuditEntry.objects.count() == audited


def test_a_changed_value_is_updated_and_audited_with_old_and_new(plan, tmp_path):
    _import(tmp_path, PROVINCE_CSV)
    report = _import(tmp_path, PROVINCE_CSV.replace('"72,000"', '"73,000"'))
    assert report.changed == [7]
    entry = AuditEntry.objects.filter(action="update", object_type="datavalues.datavalue").latest("seq")
    assert entry.changes == {"value": ["72000", "73000"]}


def test_chinese_headers_and_names_gb18030_and_full_width_digits(plan, tmp_path):
    text = (
        "数据项,期间,地区,值,运营商,备注\n5G基站数,202312,西安市,１２，３４５,中国移动,演示以外的测试数据\n"
    )
    report = _import(tmp_path, text, encoding="gb18030")
    assert report.added == [2]
    value = DataValue.objects.get(period="202312")
    assert (value.org_unit.code, value.operator.code, value.value) == ("610100", "cmcc", Decimal(12345))


def test_every_bad_row_is_named_and_nothing_is_written(plan, tmp_path):
    text = (
        PROVINCE_CSV
        + "\n".join(
            [
                "population,2023Q5,610000,1",
                "nonsense,2023,610000,1",
                "population,2023,火星市,1",
                "population,2023,610100,abc",
                "population,2023,610000,40000000",
                "population,2023,610100,1,中国移动",
            ]
        )
        + "\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        _import(tmp_path, text)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (8, "period"),
        (9, "data_element"),
        (10, "org_unit"),
        (11, "value"),
        (12, ""),
        (13, ""),
    }
    assert "与第 3 行重复" in str(caught.value) and "比表头多出 1 个单元格" in str(caught.value)
    assert DataValue.objects.count() == 0


def test_a_dry_run_reports_but_writes_nothing(plan, tmp_path):
    report = _import(tmp_path, PROVINCE_CSV, dry_run=True)
    assert len(report.added) == 6 and "试运行" in str(report)
    assert DataValue.objects.count() == 0


def test_a_reporter_cannot_import_outside_its_scope(plan, tmp_path, make_user):
    xian = make_user("city-reporter")
    with pytest.raises(ImportInvalid, match="无权填报 陕西省"):
        _import(tmp_path, PROVINCE_CSV, actor=xian)
    ok = _import(
        tmp_path, "data_element,period,org_unit,value\nbase_stations_5g,202312,610116,500\n", actor=xian
    )
    assert ok.added == [2]


def test_cli_import_then_indicators_gives_a1_and_a5_with_their_verdicts(initialised_env, tmp_path):
    cli_env = initialised_env

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "yangfan", *args], env=cli_env, capture_output=True, text=True, timeout=180
        )

    csv_path = tmp_path / "province.csv"
    csv_path.write_text(PROVINCE_CSV, encoding="utf-8")
    imported = run("values", "import", str(csv_path))
    assert imported.returncode == 0, imported.stderr
    assert "新增 6 行" in imported.stdout
    assert "未变 6 行" in run("values", "import", str(csv_path)).stdout

    result = run("indicators", "--org", "610000", "--period", "2023", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["indicator"]: r for r in json.loads(result.stdout)}
    assert set(rows["A1"]) >= {
        "indicator",
        "name",
        "org_unit",
        "period",
        "value",
        "numerator",
        "denominator",
        "target",
        "target_met",
        "status",
    }
    assert (rows["A1"]["value"], rows["A1"]["target_met"], rows["A1"]["status"]) == ("41", True, "achieved")
    assert rows["A1"]["numerator"] == "16400000" and rows["A1"]["denominator"] == "40000000"
    # exactly 18 per 10,000 people does not meet "超过18个"; at the target date, short by nothing but still not
    # over it: however close, the target is missed, with no month left for a pace
    assert (rows["A5"]["value"], rows["A5"]["target_met"], rows["A5"]["status"]) == ("18", False, "missed")
    assert rows["A5"]["pace_per_month"] is None
    # A6 counts the VPN registry, which is empty here: none registered is 0, and the target date has come
    assert rows["A6"]["value"] == "0" and rows["A6"]["status"] == "missed"

    bad = tmp_path / "bad.csv"
    bad.write_text("data_element,period,org_unit,value\npopulation,2023,610000,x\n", encoding="utf-8")
    refused = run("values", "import", str(bad))
    assert (
        refused.returncode == 1
        and "第 2 行，value 列" in refused.stderr
        and "未写入任何内容" in refused.stderr
    )
    table = run("indicators", "--org", "陕西省", "--period", "2023", "--children")
    assert table.returncode == 0 and "西安市" in table.stdout and "已达标" in table.stdout
