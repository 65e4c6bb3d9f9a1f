"""原始数据 pages: the provincial office uploads raw files, the task worker aggregates them while the run's page
shows its progress, the page then shows the lineage (files by SHA-256, rows read and rejected, values written);
a value's source page follows the value's own scope."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as

from yangfan.audit.models import AuditEntry
from yangfan.datavalues.models import DataValue
from yangfan.ingests.models import IngestRun
from yangfan.pipeline.contracts import KINDS

STATIONS = [
    # 电信 builds, 联通 shares: one station in 新城区's total, one for each of them
    ["S1", "ctcc", "5G", "610102", "108.95", "34.27", "2023-01-10", "", "cucc"],
    ["S2", "cmcc", "5G", "610102", "108.95", "34.27", "2022-06-01", "", ""],
    ["S3", "cmcc", "4G", "610103", "108.95", "34.25", "2020-01-01", "", ""],
    ["S4", "cucc", "5G", "610302", "107.14", "34.37", "2023-02-01", "", ""],  # 渭滨区, 宝鸡
    ["S5", "无名运营商", "5G", "610102", "108.95", "34.27", "2023-03-01", "", ""],  # rejected: operator
]
GIB = 1024**3


def csv_bytes(kind: str, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KINDS[kind].columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def stations_csv() -> bytes:
    return csv_bytes("base-stations", STATIONS)


def traffic_csv() -> bytes:
    """January 2023, every day: cell C1 of S1 carries 1 GiB (5G) for 电信's users and 2 GiB (4G) for 联通's."""
    rows = []
    for day in range(1, 32):
        rows.append(["C1", "S1", "ctcc", f"2023-01-{day:02d}", "5G", GIB, 0])
        rows.append(["C1", "S1", "cucc", f"2023-01-{day:02d}", "4G", GIB, GIB])
    return csv_bytes("cell-traffic", rows)


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    """Uploads, rejects and job progress under the test's own folder."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(tmp_path))
    return tmp_path


def run_worker() -> None:
    """What ``yangfan serve``'s worker does, once: run the jobs waiting in the database queue (in this process
    the worker must not close the test's database connection)."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def upload(client, kind: str, files: dict[str, bytes], **fields):
    data = {"kind": kind, "max_reject_rate": "0.5", "engine": "duckdb", "period": "", **fields}
    data["files"] = [
        SimpleUploadedFile(name, content, content_type="text/csv") for name, content in files.items()
    ]
    return client.post(reverse("ingests:new"), data)


def confirm(client, run: IngestRun) -> None:
    """确认写入 on the run's page, then the worker applies it."""
    page = client.get(reverse("ingests:run", kwargs={"pk": run.pk})).content.decode()
    assert "预览：尚未写入任何数据" in page and reverse("ingests:apply", kwargs={"pk": run.pk}) in page
    response = client.post(reverse("ingests:apply", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    state = client.get(reverse("ingests:progress", kwargs={"pk": run.pk})).json()
    assert state["finished"] is False  # the page polls until the worker has written the values
    run_worker()
    run.refresh_from_db()
    assert run.status == "done", run.message


@pytest.fixture
def province(db, make_user):
    return login_as(Client(), make_user("province"))


@pytest.fixture
def stations_run(province, data_dir) -> IngestRun:
    """The base stations of 2023 uploaded through the form, previewed by the worker, confirmed and applied."""
    response = upload(province, "base-stations", {"jizhan.csv": stations_csv()}, period="2023")
    assert response.status_code == 302, response.content.decode()[:2000]
    run_worker()
    run = IngestRun.objects.get()
    confirm(province, run)
    return run


def test_an_upload_is_stored_by_its_digest_and_aggregated_in_the_background(province, data_dir):
    content = stations_csv()
    response = upload(province, "base-stations", {"jizhan.csv": content}, period="2023")
    assert response.status_code == 302
    run = IngestRun.objects.get()
    assert response["Location"] == reverse("ingests:run", kwargs={"pk": run.pk})
    digest = hashlib.sha256(content).hexdigest()
    # stored by content, under the name it came with
    stored = data_dir / "ingest" / "uploads" / digest / "jizhan.csv"
    assert stored.read_bytes() == content
    assert [p.name for p in stored.parent.parent.iterdir()] == [digest]  # nothing half-written left behind

    waiting = province.get(response["Location"]).content.decode()
    assert (
        "正在后台汇总" in waiting
        and f'data-poll="{reverse("ingests:progress", kwargs={"pk": run.pk})}"' in waiting
    )
    state = province.get(reverse("ingests:progress", kwargs={"pk": run.pk})).json()
    assert state["finished"] is False and state["status"] == "queued" and "排队" in state["label"]

    run_worker()
    run.refresh_from_db()
    assert run.status == "previewed" and run.rows_read == 5 and run.rows_rejected == 1
    assert province.get(reverse("ingests:progress", kwargs={"pk": run.pk})).json()["finished"] is True
    assert not DataValue.objects.filter(data_element__code="base_stations_5g").exists()  # a preview only
    confirm(province, run)
    page = province.get(response["Location"]).content.decode()
    assert digest in page and "运营商未知" in page and "正在后台汇总" not in page
    timed = re.search(r"<dl class=\"pairs\">(.*?)</dl>", page.split("用时")[-1], re.S)
    assert set(run.seconds) >= {"hash_wait", "total"} and "hash_wait" not in page  # every stage by its name
    assert timed is None or "_" not in re.sub(r"<[^>]+>", "", timed.group(1))
    assert run.files.get().name == "jizhan.csv" and "jizhan.csv" in page
    assert run.values_added > 0 and f"<strong>{run.values_added}</strong>" in page
    # 新城区 at the end of 2023: S1 (shared by 电信 and 联通) and S2, once each in the total
    value = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610102", period="202312", operator=None
    )
    assert value.value == 2 and value.ingest_run == run and value.source == "pipeline"

    listing = province.get(reverse("ingests:list")).content.decode()
    assert f'data-run="{run.pk}"' in listing and "基站清单" in listing

    # the same file again is the same stored file
    again = upload(province, "base-stations", {"jizhan.csv": content}, period="2023")
    assert again.status_code == 302
    assert [p.name for p in stored.parent.iterdir()] == ["jizhan.csv"]


def test_the_rejects_download_holds_each_refused_row_with_its_reason_and_is_audited(province, stations_run):
    page = province.get(reverse("ingests:run", kwargs={"pk": stations_run.pk})).content.decode()
    url = reverse("ingests:rejects", kwargs={"pk": stations_run.pk})
    assert url in page
    response = province.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-2:] == ["原因", "说明"] and len(rows) == 2
    assert rows[1][1] == "S5" and rows[1][-2] == "运营商未知"
    assert AuditEntry.objects.filter(action="export", object_id=str(stations_run.pk)).count() == 1


def test_cell_traffic_from_the_web_is_placed_by_the_last_uploaded_inventory(province, stations_run):
    response = upload(province, "cell-traffic", {"liuliang-202301.csv": traffic_csv()})
    assert response.status_code == 302
    run_worker()
    run = IngestRun.objects.get(kind="cell-traffic")
    assert run.status == "previewed", run.message
    confirm(province, run)
    assert run.sites_run == stations_run
    traffic = DataValue.objects.get(
        data_element__code="traffic_5g", org_unit__code="610102", period="202301", operator__code="ctcc"
    )
    assert traffic.value == 31 and traffic.ingest_run == run
    page = province.get(response["Location"]).content.decode()
    assert reverse("ingests:run", kwargs={"pk": stations_run.pk}) in page  # the inventory it used
    roles = {f.role for f in run.files.all()}
    assert roles == {"data", "sites"}


def test_a_file_of_another_type_is_refused_before_anything_runs(province, data_dir):
    response = upload(province, "base-stations", {"jizhan.xlsx": b"PK\x03\x04"})
    assert response.status_code == 400
    assert "不支持的文件类型：jizhan.xlsx" in response.content.decode()
    assert not IngestRun.objects.exists()
    folder = data_dir / "ingest" / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []
    mixed = upload(province, "base-stations", {"a.csv": stations_csv(), "b.parquet": b"PAR1"})
    assert mixed.status_code == 400 and "同为 CSV 或同为 Parquet" in mixed.content.decode()
    sites = province.post(
        reverse("ingests:new"),
        {
            "kind": "subscribers",
            "max_reject_rate": "0.001",
            "engine": "duckdb",
            "files": [SimpleUploadedFile("u.csv", b"operator\n")],
            "sites": [SimpleUploadedFile("s.csv", stations_csv())],
        },
    )
    assert sites.status_code == 400 and "只有小区流量需要基站清单" in sites.content.decode()
    bad_period = upload(province, "base-stations", {"a.csv": stations_csv()}, period="2023Q9")
    assert bad_period.status_code == 400
    assert not IngestRun.objects.exists()


def test_a_file_that_breaks_the_contract_fails_the_run_with_its_message(province, data_dir):
    response = upload(province, "base-stations", {"wrong.csv": b"site_id,operator\nS1,cmcc\n"})
    run_worker()
    run = IngestRun.objects.get()
    assert run.status == "failed" and "缺少列" in run.message
    page = province.get(response["Location"]).content.decode()
    assert "缺少列" in page and 'role="alert"' in page


@pytest.mark.parametrize("role", ["city-reporter", "viewer", "admin", "auditor", "department", "enterprise"])
def test_runs_and_uploads_are_the_provincial_offices_and_the_operators(client_for, role, stations_run):
    client = client_for(role)
    before = AuditEntry.objects.filter(action="permission_denied").count()
    pk = {"pk": stations_run.pk}
    for name, kwargs in (
        ("ingests:list", {}),
        ("ingests:new", {}),
        ("ingests:run", pk),
        ("ingests:progress", pk),
        ("ingests:rejects", pk),
        ("ingests:conflicts", pk),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    refused = client.post(
        reverse("ingests:new"), {"kind": "base-stations", "files": [SimpleUploadedFile("a.csv", b"x")]}
    )
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 7
    assert IngestRun.objects.count() == 1
    assert "原始数据" not in [item for item in re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', _home(client))]


def _home(client) -> str:
    return client.get(reverse("portal:home")).content.decode()


def test_the_navigation_shows_raw_data_to_the_office(province, data_dir):
    assert f'href="{reverse("ingests:list")}"' in _home(province)


def _value(org: str, operator: str | None) -> DataValue:
    return DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code=org, period="202312", operator__code=operator
    )


def test_a_value_written_by_the_pipeline_shows_its_run_to_whoever_may_read_the_value(
    stations_run, make_user, province
):
    value = _value("610102", None)
    url = reverse("ingests:value", kwargs={"pk": value.pk})
    run_url = reverse("ingests:run", kwargs={"pk": stations_run.pk})
    digest = stations_run.files.get().sha256

    page = province.get(url).content.decode()
    assert "数据值来源" in page and digest in page and run_url in page and "原始数据汇总" in page

    xian = login_as(Client(), make_user("city-reporter"))  # 西安's reporter: 新城区 is 西安's
    page = xian.get(url).content.decode()
    assert digest in page and f"#{stations_run.pk}" in page and run_url not in page  # no right to the runs

    before = AuditEntry.objects.filter(action="permission_denied").count()
    baoji = login_as(Client(), make_user("city-reviewer"))
    assert baoji.get(url).status_code == 403
    assert baoji.get(reverse("ingests:value", kwargs={"pk": _value("610302", None).pk})).status_code == 200

    cmcc = login_as(Client(), make_user("operator"))
    assert cmcc.get(url).status_code == 200  # the total
    assert cmcc.get(reverse("ingests:value", kwargs={"pk": _value("610102", "cmcc").pk})).status_code == 200
    assert cmcc.get(reverse("ingests:value", kwargs={"pk": _value("610102", "ctcc").pk})).status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2


def test_a_value_entered_by_hand_says_it_has_no_run(province, make_user):
    from decimal import Decimal

    from yangfan.actionplans.models import DataElement
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.datavalues.services import datavalues_import
    from yangfan.orgunits.models import OrgUnit

    row = ParsedRow(
        2,
        DataElement.objects.get(code="base_stations_5g"),
        OrgUnit.objects.get(code="610116"),
        "2023Q4",
        None,
        Decimal(1200),
        "按季报送",
    )
    datavalues_import(rows=[row], file="seed.csv")
    value = DataValue.objects.get(org_unit__code="610116", period="2023Q4")
    page = province.get(reverse("ingests:value", kwargs={"pk": value.pk})).content.decode()
    assert "1,200" in page and "按季报送" in page and "不是由原始数据汇总写入的" in page
    assert province.get(reverse("ingests:value", kwargs={"pk": 999999})).status_code == 404


def test_conflicts_and_sectors_are_shown_and_the_conflicts_download_as_csv(province, data_dir):
    run = IngestRun.objects.create(
        kind="iot-sims",
        engine="duckdb",
        engine_version="1.0",
        status="done",
        conflicts=[
            {
                "data_element": "iot_terminals_5g",
                "org_unit": "610102",
                "org_unit_name": "新城区",
                "period": "202312",
                "operator": "ctcc",
                "stored": "10",
                "computed": "12",
                "reason": "该报表已审核，数据已锁定",
            }
        ],
        by_sector={"": {"202311": 3, "202312": 4}, "智慧医疗": {"202311": 5, "202312": 7}},
    )
    page = province.get(reverse("ingests:run", kwargs={"pk": run.pk})).content.decode()
    assert "5G物联网终端用户数" in page or "iot_terminals_5g" in page
    assert "该报表已审核，数据已锁定" in page and "中国电信" in page
    assert "未注明行业" in page and "智慧医疗" in page and "202312" in page
    response = province.get(reverse("ingests:conflicts", kwargs={"pk": run.pk}))
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "数据项代码" and rows[1][2:] == [
        "610102",
        "新城区",
        "202312",
        "中国电信",
        "10",
        "12",
        "该报表已审核，数据已锁定",
    ]
    assert AuditEntry.objects.filter(action="export", object_id=str(run.pk)).count() == 1
    assert province.get(reverse("ingests:rejects", kwargs={"pk": run.pk})).status_code == 404  # none


def test_the_progress_of_a_running_run_is_read_from_its_job_file(province, data_dir):
    from yangfan.ingests.tasks import progress_key
    from yangfan.jobs import progress_write

    run = IngestRun.objects.create(kind="cell-traffic", engine="duckdb", status="running")
    progress_write(progress_key(run.pk), stage="write", done=2000, total=5000)
    state = province.get(reverse("ingests:progress", kwargs={"pk": run.pk})).json()
    assert state == {
        "finished": False,
        "status": "running",
        "stage": "write",
        "done": 2000,
        "total": 5000,
        "label": "正在写入数据值：2000 / 5000",
    }


def test_the_form_offers_duckdb_and_the_upload_fields(province, data_dir):
    page = province.get(reverse("ingests:new")).content.decode()
    assert 'name="files"' in page and "multiple" in page and 'value="duckdb"' in page
    assert "基站清单（可选；默认用最近一次汇总的基站清单）" in page
    assert 'value="0.001"' in page
    assert Path(data_dir).exists()


def test_the_entry_grid_links_a_pipeline_value_to_its_source(stations_run, province, client_for):
    url = reverse(
        "collection:entry", kwargs={"data_set": "operator-monthly", "org": "610100", "period": "202312"}
    )
    source = reverse("ingests:value", kwargs={"pk": _value("610102", "cmcc").pk})
    assert (
        f'href="{source}"' in province.get(url + "?operator=cmcc").content.decode()
    )  # editable: a side link
    assert (
        f'href="{source}"' in client_for("viewer").get(url + "?operator=cmcc").content.decode()
    )  # the value
