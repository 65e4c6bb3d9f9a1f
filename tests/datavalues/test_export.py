"""Exports are deterministic and sorted; DHIS2 dataValueSets JSON goes out and comes back unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

from yangfan.core.errors import ImportInvalid
from yangfan.datavalues.exporters import export_rows, to_csv, to_dhis2
from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.selectors import datavalue_list
from yangfan.datavalues.services import datavalues_import

CSV = """data_element,period,org_unit,value,operator
traffic_5g,202312,610116,120.5,cmcc
population,2023,610100,13000000,
traffic_5g,202311,610116,99,ctcc
base_stations_5g,202312,610302,400,
"""


def _import(path):
    return datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def test_export_is_sorted_and_filtered_by_the_units_counted_in_an_org(plan, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    _import(path)
    from yangfan.orgunits.models import OrgUnit

    xian = export_rows(datavalue_list(org_unit=OrgUnit.objects.get(code="610100")))
    assert [(r["data_element"], r["period"], r["org_unit"]) for r in xian] == [
        ("population", "2023", "610100"),
        ("traffic_5g", "202311", "610116"),
        ("traffic_5g", "202312", "610116"),
    ]
    everything = to_csv(export_rows(DataValue.objects.all()))
    assert everything.splitlines()[0] == "data_element,period,org_unit,value,operator,comment"
    assert everything == to_csv(export_rows(DataValue.objects.order_by("-pk")))  # same data, same bytes


def test_dhis2_json_round_trip_changes_nothing(plan, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    _import(path)
    document = to_dhis2(export_rows(DataValue.objects.all()))
    entry = json.loads(document)["dataValues"][-1]
    assert entry == {
        "attributeOptionCombo": "cmcc",
        "dataElement": "traffic_5g",
        "orgUnit": "610116",
        "period": "202312",
        "value": "120.5",
    }
    exported = tmp_path / "out.json"
    exported.write_text(document, encoding="utf-8")
    report = _import(exported)
    assert len(report.unchanged) == 4 and not report.added and not report.changed


def test_a_json_file_that_is_not_a_data_value_set_is_refused(plan, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"rows": []}', encoding="utf-8")
    try:
        read_table(path)
    except ImportInvalid as exc:
        assert "dataValueSets" in str(exc)
    else:
        raise AssertionError("a JSON file without dataValues must be refused")


def test_cli_export_writes_what_was_imported(initialised_env, tmp_path):
    cli_env = initialised_env

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "yangfan", *args], env=cli_env, capture_output=True, text=True, timeout=180
        )

    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run("values", "import", str(path)).returncode == 0
    out = run("values", "export", "--org", "宝鸡市")
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout
        == "data_element,period,org_unit,value,operator,comment\nbase_stations_5g,202312,610302,400,,\n"
    )
    assert run("values", "export", "--period", "2023Q9").returncode == 2
    assert run("values", "export", "--format", "xlsx").returncode == 2  # a workbook needs -o FILE
    workbook = tmp_path / "out.xlsx"
    assert run("values", "export", "--format", "xlsx", "-o", str(workbook)).returncode == 0
    assert workbook.read_bytes()[:2] == b"PK"


def test_xlsx_export_is_deterministic_and_imports_back_unchanged(plan, tmp_path):
    from yangfan.datavalues.exporters import to_xlsx

    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    _import(path)
    rows = export_rows(DataValue.objects.all())
    first, second = to_xlsx(rows), to_xlsx(export_rows(DataValue.objects.order_by("-pk")))
    assert first == second
    workbook = tmp_path / "v.xlsx"
    workbook.write_bytes(first)
    report = _import(workbook)
    assert len(report.unchanged) == 4 and not report.added and not report.changed


def test_an_xlsx_with_chinese_headers_and_numbers_imports(plan, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["数据项", "期间", "地区", "值"])
    workbook.active.append(["5G基站数", "202312", "宝鸡市", 1234])
    workbook.active.append(["常住人口", 2023, "宝鸡市", "332.19万"])
    path = tmp_path / "cn.xlsx"
    workbook.save(path)
    assert _import(path).added == [2, 3]
    assert DataValue.objects.get(data_element__code="population").value == 3_321_900


def test_a_file_that_is_not_a_workbook_is_refused(plan, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    try:
        read_table(path)
    except ImportInvalid as exc:
        assert "不是有效的 XLSX 文件" in str(exc)
    else:
        raise AssertionError("a broken workbook must be refused")


def test_the_xlsx_bytes_do_not_depend_on_the_clock():
    import time

    from yangfan.datavalues.exporters import to_xlsx

    rows = [
        {
            "data_element": "population",
            "period": "2023",
            "org_unit": "610100",
            "operator": "",
            "value": "1",
            "comment": "",
        }
    ]
    first = to_xlsx(rows)
    time.sleep(1.1)  # openpyxl's own save would stamp a new modification time here
    assert to_xlsx(rows) == first


def test_a_comment_that_is_a_formula_leaves_as_text_and_comes_back_as_it_was(plan, tmp_path):
    """A reporter's comment ``=HYPERLINK(…)``, stored in the database, is exported by ``values export`` as text in
    CSV and in XLSX (never a live formula), and an import of either file leaves it as it is."""
    import io
    import zipfile

    from openpyxl import load_workbook

    from yangfan.datavalues.exporters import to_xlsx

    attack = '=HYPERLINK("http://example.invalid/","点此")'
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    _import(path)
    DataValue.objects.filter(data_element__code="population").update(comment=attack)
    rows = export_rows(DataValue.objects.all())

    text = to_csv(rows)
    line = next(line for line in text.splitlines() if line.startswith("population,"))
    assert line == 'population,2023,610100,13000000,,"\'=HYPERLINK(""http://example.invalid/"",""点此"")"'
    workbook = to_xlsx(rows)
    sheet = load_workbook(io.BytesIO(workbook)).active
    cell = next(row[5] for row in sheet.iter_rows(min_row=2) if row[0].value == "population")
    assert (cell.value, cell.data_type) == (attack, "s")
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:  # no formula element in any of its sheets
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s for s in sheets)

    for name, content in (("back.csv", text.encode("utf-8")), ("back.xlsx", workbook)):
        (tmp_path / name).write_bytes(content)
        report = _import(tmp_path / name)
        assert not report.changed and not report.added, name
        assert DataValue.objects.get(data_element__code="population").comment == attack
