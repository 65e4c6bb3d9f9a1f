"""An operator's reporter (运营商填报员) sends its own raw files in the browser's forms: it uploads, reads the
preview, confirms it (or, beyond the office's threshold, waits for the province), downloads its rejects, and sees
its own runs only. The completeness page shows who sent which month's files."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import login_as
from tests.ingests.test_views import confirm, csv_bytes, run_worker, upload

from yangfan.actionplans.models import Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.completeness import raw_deliveries
from yangfan.datavalues.models import DataValue
from yangfan.ingests.models import IngestPolicy, IngestRun

pytestmark = pytest.mark.django_db

MOBILE = [
    ["XA1", "cmcc", "5G", "610102", "108.95", "34.27", "2023-01-10", "", ""],
    ["XA2", "cmcc", "5G", "610103", "108.95", "34.25", "2023-02-10", "", "cbn"],
]
TELECOM_ROW = ["XA3", "ctcc", "5G", "610102", "108.95", "34.27", "2023-03-10", "", ""]


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def mobile(make_user, data_dir):
    return login_as(Client(), make_user("operator"))  # 中国移动's reporter


@pytest.fixture
def telecom(make_user, data_dir):
    return login_as(
        Client(), make_user("operator", username="u-ctcc", operator=Operator.objects.get(code="ctcc"))
    )


@pytest.fixture
def province(make_user, data_dir):
    return login_as(Client(), make_user("province"))


def mobile_run(client, rows=MOBILE, **fields) -> IngestRun:
    response = upload(
        client, "base-stations", {"yidong-2023.csv": csv_bytes("base-stations", rows)}, **fields
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run_worker()
    return IngestRun.objects.order_by("-pk").first()


def test_an_operator_uploads_previews_and_applies_its_own_inventory(mobile, province):
    form = mobile.get(reverse("ingests:new")).content.decode()
    assert 'name="operator"' not in form  # its own operator, always
    run = mobile_run(mobile, period="2023")
    assert run.operator.code == "cmcc" and run.status == "previewed" and not run.needs_province
    page = mobile.get(reverse("ingests:run", kwargs={"pk": run.pk})).content.decode()
    assert "确认写入" in page and "中国移动" in page
    # XA2 is shared with 广电 (its shared_with says so): applying writes 广电's count too, and the page says so
    assert run.preview["by_operator"]["cbn"] == {"added": 12, "changed": 0}
    assert "中国广电 新增 12、修改 0" in page
    confirm(mobile, run)
    assert run.confirmed_by.username == "u-operator"
    total = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610103", period="202312", operator=None
    )
    assert total.value == 1 and total.ingest_run == run  # recomputed from every operator's inventory
    shared = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610103", period="202312", operator__code="cbn"
    )
    assert shared.value == 1  # 广电 shares XA2, named in shared_with
    # its own value's source shows its run, with the link
    own = DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code="610102", period="202312", operator__code="cmcc"
    )
    source = mobile.get(reverse("ingests:value", kwargs={"pk": own.pk})).content.decode()
    assert reverse("ingests:run", kwargs={"pk": run.pk}) in source
    # the province sees the run among all of them
    assert f'data-run="{run.pk}"' in province.get(reverse("ingests:list")).content.decode()


def test_a_row_of_another_operator_is_refused_with_the_reason(mobile):
    run = mobile_run(mobile, rows=[*MOBILE, TELECOM_ROW], period="2023", max_reject_rate="0")
    assert run.status == "refused" and run.rejected_by_reason == {"foreign": 1}
    assert "不属于中国移动" in run.message and not DataValue.objects.exists()
    response = mobile.get(reverse("ingests:rejects", kwargs={"pk": run.pk}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == "XA3" and "不属于本运营商" in rows[1][-2]


def test_an_operator_sees_its_own_runs_only(mobile, telecom, province):
    own = mobile_run(mobile, period="2023")
    upload(province, "base-stations", {"all.csv": csv_bytes("base-stations", [*MOBILE, TELECOM_ROW])})
    run_worker()
    provincial = IngestRun.objects.exclude(pk=own.pk).get()
    listing = mobile.get(reverse("ingests:list")).content.decode()
    assert f'data-run="{own.pk}"' in listing and f'data-run="{provincial.pk}"' not in listing
    before = AuditEntry.objects.filter(action="permission_denied").count()
    for client, run in ((mobile, provincial), (telecom, own), (telecom, provincial)):
        for name in ("ingests:run", "ingests:progress", "ingests:rejects", "ingests:conflicts"):
            assert client.get(reverse(name, kwargs={"pk": run.pk})).status_code == 403, name
        assert client.post(reverse("ingests:apply", kwargs={"pk": run.pk})).status_code == 403
        assert client.post(reverse("ingests:discard", kwargs={"pk": run.pk})).status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 18
    assert IngestRun.objects.get(pk=own.pk).status == "previewed"  # nobody else decided it
    api = mobile.get(reverse("api:ingest_runs")).json()
    assert [r["id"] for r in api["results"]] == [own.pk]


def test_beyond_the_threshold_the_operator_waits_for_the_province(mobile, province):
    assert province.get(reverse("ingests:policy")).status_code == 200
    saved = province.post(
        reverse("ingests:policy"),
        {"confirm_values_changed": "0", "confirm_indicator_change": "0", "retention_days": ""},
    )
    assert saved.status_code == 302 and IngestPolicy.objects.get().confirm_values_changed == 0
    assert AuditEntry.objects.filter(action="update", object_type="ingests.ingestpolicy").exists()
    assert mobile.get(reverse("ingests:policy")).status_code == 403
    mobile_run(mobile, period="2023")
    first = IngestRun.objects.get()
    confirm(mobile, first)  # nothing stored before: it adds values, it changes none, nothing moves… yet
    changed = mobile_run(mobile, rows=[MOBILE[0]], period="2023")  # XA2 withdrawn: values change
    assert changed.needs_province
    page = mobile.get(reverse("ingests:run", kwargs={"pk": changed.pk})).content.decode()
    assert "须由省级确认" in page and reverse("ingests:apply", kwargs={"pk": changed.pk}) not in page
    assert mobile.post(reverse("ingests:apply", kwargs={"pk": changed.pk})).status_code == 403
    assert province.get(reverse("ingests:run", kwargs={"pk": changed.pk})).status_code == 200
    confirm(province, changed)
    assert changed.confirmed_by.username == "u-province"


def test_the_completeness_page_shows_who_sent_which_months_files(mobile, telecom, province):
    run = mobile_run(mobile, period="2023")
    confirm(mobile, run)
    page = province.get(reverse("collection:completeness")).content.decode()
    assert 'id="raw-deliveries"' in page and f'href="{reverse("ingests:run", kwargs={"pk": run.pk})}"' in page
    mine = mobile.get(reverse("collection:completeness")).content.decode()
    assert f"#{run.pk}" in mine and 'data-operator="ctcc"' not in mine.split('id="raw-deliveries"')[1]
    assert f"#{run.pk}" not in telecom.get(reverse("collection:completeness")).content.decode()
    viewer_page = login_as(Client(), IngestRun.objects.get().actor).get(reverse("collection:completeness"))
    assert viewer_page.status_code == 200


def test_the_raw_deliveries_read_the_same_queries_however_many_runs(make_user):
    officer = make_user("province")
    with CaptureQueriesContext(connection) as few:
        raw_deliveries(user=officer, year=2023)
    for month in range(1, 13):
        IngestRun.objects.create(
            kind="subscribers", engine="duckdb", status="done", operators=["cmcc", "ctcc"],
            periods=[f"2023{month:02d}"], period_first=f"2023{month:02d}", period_last=f"2023{month:02d}",
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        found = raw_deliveries(user=officer, year=2023)
    assert len(many) == len(few)
    row = next(r for r in found["monthly"] if r.operator.code == "ctcc" and r.kind == "subscribers")
    assert all(cell is not None for cell in row.months)
    assert raw_deliveries(user=make_user("city-reporter"), year=2023) is None


def test_a_runs_page_and_the_list_read_the_same_queries_however_many_runs_there_are(mobile, province):
    run = mobile_run(mobile, period="2023")
    pages = (reverse("ingests:run", kwargs={"pk": run.pk}), reverse("ingests:list"))

    def counted() -> list[int]:
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert province.get(url).status_code == 200
            found.append(len(queries))
        return found

    counted()  # the first reads the messages the upload left in the session
    few = counted()
    for number in range(30):
        IngestRun.objects.create(
            kind="subscribers", engine="duckdb", status="done", periods=[f"2023{number % 12 + 1:02d}"]
        )
    assert counted() == few


def test_a_runs_page_reads_the_same_queries_however_many_conflicts_it_lists(mobile):
    """The operator's cut of a run's conflicts (its own and the totals) is made once, not once a conflict."""
    run = mobile_run(mobile, period="2023")
    url = reverse("ingests:run", kwargs={"pk": run.pk})

    def conflicts(n: int) -> list[dict]:
        return [
            {"data_element": "base_stations_5g", "org_unit": "610102", "org_unit_name": "新城区",
             "period": f"2023{month % 12 + 1:02d}", "operator": code, "stored": "1", "computed": "2",
             "reason": "已审核"}
            for month in range(n) for code in ("cmcc", "ctcc", "")
        ]  # fmt: skip

    def counted(n: int) -> tuple[int, str]:
        IngestRun.objects.filter(pk=run.pk).update(conflicts=conflicts(n))
        with CaptureQueriesContext(connection) as queries:
            page = mobile.get(url).content.decode()
        return len(queries), page

    counted(1)  # the first reads the messages the upload left in the session
    few, _page = counted(1)
    many, page = counted(12)
    assert many == few
    assert (
        page.count("<td>中国移动</td>") == 12 and "<td>中国电信</td>" not in page
    )  # its own, never another's
