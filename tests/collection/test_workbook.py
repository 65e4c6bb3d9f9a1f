"""The Excel round-trip of a report: the template's structure and protection, download → upload changes
nothing, a filled template imports (audited, ``source=import``), bad cells are named by their cell with
nothing written, a template of another report is refused, scope and locks, the CLI, and the background job."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.models import Submission
from yangfan.collection.workbook import (
    META_SHEET,
    Report,
    is_template,
    read_template,
    template_bytes,
    template_import,
)
from yangfan.core.errors import ImportInvalid
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

XIAN_Q4 = {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}
# 西安's first counties in code order: 新城区 610102 (row 4), 碑林区 610103 (row 5), 莲湖区 610104 (row 6)
# columns: C base_stations_5g, D mobile_users_5g, E iot_terminals_5g


def unit(code):
    return OrgUnit.objects.get(code=code)


def report(data_set="city-quarterly", org="610100", period="2023Q4", operator=None):
    return Report(
        DataSet.objects.get(code=data_set),
        unit(org),
        period,
        Operator.objects.get(code=operator) if operator else None,
    )


def store(values: dict[tuple[str, str, str], str], operator=None) -> None:
    """``{(element, org, period): value}`` written as the server's command line would (no actor)."""
    op = Operator.objects.get(code=operator) if operator else None
    rows = [
        ParsedRow(n, DataElement.objects.get(code=de), unit(org), period, op, Decimal(value), "")
        for n, ((de, org, period), value) in enumerate(values.items(), start=2)
    ]
    datavalues_import(rows=rows, file="fixture")


def value(element, org, period, operator=None):
    found = DataValue.objects.filter(
        data_element__code=element, org_unit__code=org, period=period, operator__code=operator
    ).first()
    return found.value if found else None


def filled(content: bytes, cells: dict[str, object]) -> bytes:
    """The template with ``cells`` of its first sheet typed in, saved as Excel would."""
    workbook = load_workbook(io.BytesIO(content))
    for ref, typed in cells.items():
        workbook.worksheets[0][ref] = typed
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content: bytes, kwargs=XIAN_Q4, name="模板.xlsx", query=""):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("collection:upload", kwargs=kwargs) + query
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def download(client, kwargs=XIAN_Q4, query=""):
    return client.get(reverse("collection:template", kwargs=kwargs) + query)


@pytest.fixture
def xian(client_for):
    return client_for("city-reporter")


# --- the template ----------------------------------------------------------------------------------------


def test_the_template_is_protected_with_codes_hidden_and_chinese_headers(xian):
    response = download(xian)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "地市5G发展季报"
    assert (
        "地市5G发展季报" in sheet["B1"].value
        and "西安市" in sheet["B1"].value
        and "2023Q4" in sheet["B1"].value
    )
    assert sheet.protection.sheet is True
    assert sheet.column_dimensions["A"].hidden and sheet.row_dimensions[2].hidden
    assert [sheet.cell(2, c).value for c in (3, 4, 5)] == [
        "base_stations_5g",
        "mobile_users_5g",
        "iot_terminals_5g",
    ]
    assert sheet["B3"].value == "地区" and sheet["C3"].value.startswith("5G基站数")
    assert (sheet["A4"].value, sheet["B4"].value) == ("610102", "新城区")
    assert sheet.max_row >= 4 + 13 - 1 and sheet["A16"].value == "610124"  # 13 counties, 鄠邑区 last
    # only the value cells are unlocked, and they take decimals of at least 0 with a Chinese message
    assert sheet["C4"].protection.locked is False and sheet["E16"].protection.locked is False
    assert sheet["B4"].protection.locked is True and sheet["C3"].protection.locked is True
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.type, rule.operator, rule.formula1, str(rule.sqref)) == (
        "decimal",
        "greaterThanOrEqual",
        "0",
        "C4:E16",
    )
    assert "大于或等于 0" in rule.error
    previous = workbook["上期数据"]
    assert previous.protection.sheet is True and "2023Q3" in previous["B1"].value
    assert all(c.protection.locked for row in previous.iter_rows() for c in row)
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    assert workbook.security.lockStructure
    assert AuditEntry.objects.filter(action="export", detail__contains="填报模板").exists()


def test_the_template_has_the_same_bytes_for_the_same_data(db):
    store({("base_stations_5g", "610102", "2023Q4"): "120"})
    first = template_bytes(report())
    assert template_bytes(report()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core and {i.date_time for i in archive.infolist()} == {
            (2000, 1, 1, 0, 0, 0)
        }


def test_the_template_round_trips_exactly(db, make_user):
    # every place the store holds survives the round trip: another plan's elements may have them (this one's
    # counts are whole, ``decimals: 0``)
    DataElement.objects.filter(code__in=["mobile_users_5g", "iot_terminals_5g", "base_stations_5g"]).update(
        decimals=None
    )
    store(
        {
            ("base_stations_5g", "610102", "2023Q4"): "1200",
            ("mobile_users_5g", "610102", "2023Q4"): "356000.5",
            ("iot_terminals_5g", "610103", "2023Q4"): "0.000001",
            ("base_stations_5g", "610124", "2023Q4"): "98765432109876.123456",
            ("base_stations_5g", "610102", "2023Q3"): "1100",  # the previous quarter, for reference
        }
    )
    content = template_bytes(report())
    workbook = load_workbook(io.BytesIO(content))
    assert (workbook.worksheets[0]["C4"].value, workbook.worksheets[0]["D4"].value) == (1200, 356000.5)
    assert workbook["上期数据"]["C4"].value == 1100 and workbook.worksheets[0]["C5"].value is None

    read = read_template(content, file="t.xlsx", expected=report())
    stored = DataValue.objects.filter(period="2023Q4").values_list(
        "data_element__code", "org_unit__code", "value"
    )
    # as stored: SQLite keeps 15 significant digits of 98765432109876.123456, PostgreSQL all of them (beyond
    # 15, which a spreadsheet's number cannot hold, the template writes the value as text)
    assert {(r.data_element.code, r.org_unit.code): r.value for r in read.rows} == {
        (de, org): v for de, org, v in stored
    }
    assert read.rows[0].value == Decimal("1200") and len(read.rows) == 4
    before = list(DataValue.objects.order_by("pk").values_list("pk", "value", "updated_at"))
    done = template_import(source=content, file="t.xlsx", actor=make_user("city-reporter"), expected=report())
    assert (done.report.added, done.report.changed, len(done.report.unchanged)) == ([], [], 4)
    assert list(DataValue.objects.order_by("pk").values_list("pk", "value", "updated_at")) == before
    # saved again by a spreadsheet program, with nothing typed: still nothing changes
    again = template_import(source=filled(content, {}), file="t.xlsx", expected=report())
    assert (again.report.added, again.report.changed, len(again.report.unchanged)) == ([], [], 4)


def test_a_stored_comment_stays_with_its_value(db):
    rows = [
        ParsedRow(
            2,
            DataElement.objects.get(code="base_stations_5g"),
            unit("610102"),
            "2023Q4",
            None,
            Decimal(5),
            "估算",
        )
    ]
    datavalues_import(rows=rows, file="fixture")
    done = template_import(source=filled(template_bytes(report()), {"C4": 6}), file="t.xlsx")
    assert done.report.changed == [1]
    stored = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610102", period="2023Q4"
    )
    assert (stored.value, stored.comment) == (Decimal(6), "估算")


# --- uploading it back -----------------------------------------------------------------------------------


def test_a_filled_template_imports_its_values_audited_as_an_import(xian):
    store({("iot_terminals_5g", "610104", "2023Q4"): "77"})
    content = filled(download(xian).content, {"C4": 1200, "D4": "35.6万", "E5": "1,234", "C6": "１２"})
    content = filled(content, {"E6": None})  # cleared: the stored 77 stays
    response = upload(xian, content)
    assert response.status_code == 302
    assert value("base_stations_5g", "610102", "2023Q4") == Decimal(1200)
    assert value("mobile_users_5g", "610102", "2023Q4") == Decimal(356000)
    assert value("iot_terminals_5g", "610103", "2023Q4") == Decimal(1234)
    assert value("base_stations_5g", "610104", "2023Q4") == Decimal(12)
    assert value("iot_terminals_5g", "610104", "2023Q4") == Decimal(77)
    stored = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610102", period="2023Q4"
    )
    assert stored.source == "import" and stored.updated_by.username == "u-city-reporter"
    assert AuditEntry.objects.filter(action="create", actor_username="u-city-reporter").count() == 4
    assert AuditEntry.objects.filter(action="import", object_repr="模板.xlsx").count() == 1
    assert response["Location"] == reverse("collection:entry", kwargs=XIAN_Q4)  # the grid shows them
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "新增 4 个、修改 0 个、未变 0 个数值" in said[0] and "E6" in said[1]


def test_bad_cells_are_named_by_their_cell_and_nothing_is_written(xian):
    content = filled(download(xian).content, {"C4": 10, "D4": "很多", "E5": -3, "C6": True})
    response = upload(xian, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "模板有 3 处错误" in page and "未写入任何内容" in page
    for cell, message in (("D4", "“很多”不是有效的数值"), ("E5", "数值不能为负数"), ("C6", "不是逻辑值")):
        assert f'<td class="code">{cell}</td>' in page and message in page
    assert "新城区" in page and "5G移动电话用户数" in page  # the unit and the data element of D4
    assert DataValue.objects.filter(period="2023Q4").count() == 0


def test_a_template_of_another_report_is_refused(xian, client_for):
    content = filled(download(xian).content, {"C4": 10})
    other_period = upload(xian, content, kwargs={**XIAN_Q4, "period": "2023Q3"})
    assert other_period.status_code == 200
    assert "这份模板属于“地市5G发展季报 · 西安市 · 2023Q4”" in other_period.content.decode()
    province = client_for("province")
    baoji = filled(download(province, kwargs={**XIAN_Q4, "org": "610300"}).content, {"C4": 10})
    assert "宝鸡市" in upload(xian, baoji).content.decode()
    plain = Workbook()
    plain.active.append(["data_element", "period", "org_unit", "value"])
    raw = io.BytesIO()
    plain.save(raw)
    assert "这不是扬帆的填报模板" in upload(xian, raw.getvalue()).content.decode()
    assert "不是有效的 XLSX 文件" in upload(xian, b"not a workbook").content.decode()
    assert "请上传 .xlsx" in upload(xian, content, name="values.csv").content.decode()
    assert DataValue.objects.count() == 0


def test_a_changed_structure_is_refused(db):
    content = template_bytes(report())
    workbook = load_workbook(io.BytesIO(content))
    workbook.worksheets[0]["A5"] = "610300"
    raw = io.BytesIO()
    workbook.save(raw)
    with pytest.raises(ImportInvalid) as refused:
        read_template(raw.getvalue(), file="t.xlsx")
    assert "已被改动" in str(refused.value)


def test_operator_templates_are_for_one_operator(client_for):
    cmcc = client_for("operator")
    kwargs = {"data_set": "operator-monthly", "org": "610100", "period": "202312"}
    mine = download(cmcc, kwargs)  # the operator's own is implied
    assert (
        mine.status_code == 200
        and "中国移动" in load_workbook(io.BytesIO(mine.content)).worksheets[0]["B1"].value
    )
    assert download(cmcc, kwargs, "?operator=cucc").status_code == 403
    assert upload(cmcc, mine.content, kwargs, query="?operator=cucc").status_code == 403
    response = upload(cmcc, filled(mine.content, {"C4": 5}), kwargs)
    assert response.status_code == 302
    assert value("mobile_users_5g", "610102", "202312", operator="cmcc") == 5
    # the province enters any operator's figures, and names the operator
    province = client_for("province")
    assert download(province, kwargs).status_code == 404
    assert download(province, kwargs, "?operator=cucc").status_code == 200


def test_users_out_of_scope_are_refused(xian, client_for):
    baoji = {**XIAN_Q4, "org": "610300"}
    assert download(xian, baoji).status_code == 403
    assert xian.get(reverse("collection:upload", kwargs=baoji)).status_code == 403
    content = template_bytes(report(org="610300"))
    assert upload(xian, filled(content, {"C4": 1}), baoji).status_code == 403
    reviewer = client_for("city-reviewer")  # 宝鸡's reviewer: neither 西安's figures nor any upload of them
    assert download(reviewer, XIAN_Q4).status_code == 403
    viewer = client_for("viewer")  # reads the template, uploads nothing
    assert download(viewer).status_code == 200
    assert viewer.get(reverse("collection:upload", kwargs=XIAN_Q4)).status_code == 403
    assert upload(viewer, filled(content, {"C4": 1})).status_code == 403
    assert DataValue.objects.count() == 0
    assert AuditEntry.objects.filter(action="permission_denied").count() >= 5


def test_a_locked_report_refuses_changes_with_the_lock_message(xian, make_user):
    store({("base_stations_5g", "610102", "2023Q4"): "100"})
    content = download(xian).content
    Submission.objects.create(
        data_set=DataSet.objects.get(code="city-quarterly"),
        org_unit=unit("610100"),
        period="2023Q4",
        status=SubmissionStatus.APPROVED,
    )
    page = xian.get(reverse("collection:upload", kwargs=XIAN_Q4)).content.decode()
    assert "数据已锁定" in page
    refused = upload(xian, filled(content, {"C4": 101, "D5": 7}))
    text = refused.content.decode()
    assert refused.status_code == 200 and "已审核" in text and "数据已锁定" in text
    assert '<td class="code">C4</td>' in text and '<td class="code">D5</td>' in text
    assert (
        value("base_stations_5g", "610102", "2023Q4") == 100
        and value("mobile_users_5g", "610103", "2023Q4") is None
    )
    assert upload(xian, content).status_code == 302  # the same values again: nothing to refuse


# --- the command line ------------------------------------------------------------------------------------


def test_values_import_reads_a_filled_template(db, initialised_env, tmp_path):
    cli_env = initialised_env
    good = tmp_path / "西安2023Q4.xlsx"
    good.write_bytes(filled(template_bytes(report()), {"C4": 1200, "D5": "1.6万"}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled(template_bytes(report()), {"E6": "x"}))
    assert is_template(good) and not is_template(tmp_path / "x.csv")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "yangfan", *args], env=cli_env, capture_output=True, text=True, timeout=180
        )

    first = run("values", "import", str(good))
    assert first.returncode == 0, first.stderr
    assert "新增 2 行" in first.stdout
    assert "未变 2 行" in run("values", "import", str(good)).stdout
    refused = run("values", "import", str(bad))
    assert (
        refused.returncode == 1 and "第 6 行，E 列" in refused.stderr and "未写入任何内容" in refused.stderr
    )

    approve = (
        "import django; django.setup();"
        "from yangfan.collection.models import Submission as S; from yangfan.actionplans.models import DataSet;"
        "from yangfan.orgunits.models import OrgUnit;"
        "S.objects.create(data_set=DataSet.objects.get(code='city-quarterly'),"
        " org_unit=OrgUnit.objects.get(code='610100'), period='2023Q4', status='approved')"
    )
    env = {**cli_env, "DJANGO_SETTINGS_MODULE": "yangfan.settings"}
    assert subprocess.run([sys.executable, "-c", approve], env=env, timeout=60).returncode == 0
    changed = tmp_path / "changed.xlsx"
    changed.write_bytes(filled(good.read_bytes(), {"C4": 1300}))
    locked = run("values", "import", str(changed))
    assert locked.returncode == 1 and "第 4 行，C 列" in locked.stderr and "数据已锁定" in locked.stderr
    assert "未变 2 行" in run("values", "import", str(good)).stdout  # the approved values, as they are


# --- large uploads in the background ---------------------------------------------------------------------


def test_a_large_upload_runs_as_a_job_with_progress(xian, client_for, monkeypatch):
    from django.core.management import call_command

    from yangfan.collection.views import workbook as views

    monkeypatch.setattr(views, "BACKGROUND_CELLS", 0)
    # the worker runs here inside the test's transaction, which its connection housekeeping would close
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    response = upload(xian, filled(download(xian).content, {"C4": 9, "D4": "x"}))
    assert response.status_code == 302 and "job=" in response["Location"]
    waiting = xian.get(response["Location"])
    assert waiting.status_code == 200 and 'id="job-progress"' in waiting.content.decode()
    assert "portal/jobs.js" in waiting.content.decode()  # the polling script
    poll = xian.get(response["Location"] + "&poll=1").json()
    assert poll["finished"] is False and poll["status"] == "READY" and "排队" in poll["label"]
    assert client_for("province").get(response["Location"]).status_code == 404  # another user's job

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert xian.get(response["Location"] + "&poll=1").json()["finished"] is True
    page = xian.get(response["Location"]).content.decode()
    assert '<td class="code">D4</td>' in page and DataValue.objects.count() == 0

    ok = upload(xian, filled(download(xian).content, {"C4": 9}))
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert "新增 1 个" in xian.get(ok["Location"]).content.decode()
    assert value("base_stations_5g", "610102", "2023Q4") == 9


def test_progress_is_kept_outside_the_import_transaction(settings, tmp_path):
    from yangfan.jobs import progress_clear, progress_read, progress_write

    settings.DATA_DIR = tmp_path
    progress_write("abc-123", stage="write", done=2000, total=5000)
    assert progress_read("abc-123") == {"stage": "write", "done": 2000, "total": 5000}
    progress_clear("abc-123")
    assert progress_read("abc-123") == {} and progress_read("../etc/passwd") == {}


def test_a_job_on_the_immediate_backend_finishes_within_the_request(xian, settings, monkeypatch):
    from yangfan.collection.views import workbook as views

    monkeypatch.setattr(views, "BACKGROUND_CELLS", 0)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = upload(xian, filled(download(xian).content, {"E16": "2.5万"}))
    assert response.status_code == 302 and "job=" not in response["Location"]
    assert value("iot_terminals_5g", "610124", "2023Q4") == 25000
