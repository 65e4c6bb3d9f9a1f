"""Ingest runs end to end on the database: values written as any import is, their lineage, and what is never
overwritten."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.models import Submission
from yangfan.datavalues.models import DataValue
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.models import IngestRun
from yangfan.ingests.services import IngestRequest, SitesMissing, ingest
from yangfan.pipeline.errors import TooManyRejects

pytestmark = pytest.mark.django_db
GIB = 1024**3


def traffic_rows(gib_a_day: int) -> list[list]:
    return [
        [f"C1-{day}", "S1", operator, f"2021-01-{day:02d}", "5G", gib_a_day * GIB, 0]
        for day in range(1, 32)
        for operator in ("ctcc", "cucc")
    ]


def stored(element: str, unit: str, period: str, operator: str | None) -> DataValue | None:
    return (
        DataValue.objects.filter(
            data_element__code=element, org_unit__code=unit, period=period, operator__code=operator
        ).first()
        if operator
        else DataValue.objects.filter(
            data_element__code=element, org_unit__code=unit, period=period, operator__isnull=True
        ).first()
    )


def test_an_ingest_writes_pipeline_values_that_link_to_their_run(inventory):
    run = ingest(request=IngestRequest(kind="base-stations", files=[inventory], period="202101"))
    assert run.status == IngestStatus.DONE and run.values_added == 1 + 2 + 1 + 1  # 610102: total, ctcc, cucc
    value = stored("base_stations_5g", "610102", "202101", None)
    assert value.value == 1 and value.source == "pipeline" and value.ingest_run == run
    assert stored("base_stations_5g", "610102", "202101", "cucc").value == 1
    (lineage,) = run.files.all()
    assert lineage.name == "base-stations.csv" and lineage.size == inventory.stat().st_size
    assert len(lineage.sha256) == 64 and run.engine == "duckdb" and run.engine_version
    assert AuditEntry.objects.filter(action="ingest", object_id=str(run.pk)).exists()
    assert AuditEntry.objects.filter(action="create", object_type="datavalues.datavalue").count() == 5


def test_the_same_files_again_change_nothing(inventory, raw_csv):
    traffic = raw_csv("cell-traffic.csv", "cell-traffic", traffic_rows(2))
    first = ingest(request=IngestRequest(kind="cell-traffic", files=[traffic], sites=[inventory]))
    again = ingest(request=IngestRequest(kind="cell-traffic", files=[traffic], sites=[inventory]))
    assert first.values_added == 4 and (again.values_added, again.values_changed) == (0, 0)
    assert again.values_unchanged == 4
    assert stored("traffic_5g", "610102", "202101", "ctcc").ingest_run == first  # the run that wrote it
    assert stored("traffic_mobile_total", "610102", "202101", "cucc").value == Decimal(62)


def test_cell_traffic_is_placed_by_every_operators_current_inventory(inventory, raw_csv):
    traffic = raw_csv("cell-traffic.csv", "cell-traffic", traffic_rows(1))
    with pytest.raises(SitesMissing):
        ingest(request=IngestRequest(kind="cell-traffic", files=[traffic]))
    stations = ingest(request=IngestRequest(kind="base-stations", files=[inventory]))
    assert stations.operators == ["cmcc", "ctcc"]
    run = ingest(request=IngestRequest(kind="cell-traffic", files=[traffic]))
    assert run.sites_run == stations and run.values_added == 4
    assert {(f.role, f.name) for f in run.files.all()} == {
        ("data", "cell-traffic.csv"),
        ("sites", "cmcc.parquet"),  # each operator's inventory as that run read it, kept
        ("sites", "ctcc.parquet"),
    }
    inventory.unlink()  # the raw file may go: the operators' inventories are kept as the run read them
    again = ingest(request=IngestRequest(kind="cell-traffic", files=[traffic]))
    assert again.values_unchanged == 4


def test_a_locked_value_is_not_overwritten_but_reported_as_a_conflict(inventory, raw_csv):
    ingest(
        request=IngestRequest(
            kind="cell-traffic", files=[raw_csv("a.csv", "cell-traffic", traffic_rows(1))], sites=[inventory]
        )
    )
    from yangfan.actionplans.models import DataSet, Operator
    from yangfan.orgunits.models import OrgUnit

    Submission.objects.create(
        data_set=DataSet.objects.get(code="operator-monthly"),
        org_unit=OrgUnit.objects.get(code="610000"),
        period="202101",
        operator=Operator.objects.get(code="ctcc"),
        status=SubmissionStatus.APPROVED,
    )
    run = ingest(
        request=IngestRequest(
            kind="cell-traffic", files=[raw_csv("b.csv", "cell-traffic", traffic_rows(3))], sites=[inventory]
        )
    )
    assert run.status == IngestStatus.DONE
    assert {(c["data_element"], c["operator"], c["stored"], c["computed"]) for c in run.conflicts} == {
        ("traffic_5g", "ctcc", "31", "93"),
        ("traffic_mobile_total", "ctcc", "31", "93"),
    }
    assert "已审核" in run.conflicts[0]["reason"]
    assert stored("traffic_5g", "610102", "202101", "ctcc").value == 31  # kept
    assert stored("traffic_5g", "610102", "202101", "cucc").value == 93  # not locked: written
    assert run.values_changed == 2


def test_too_many_bad_rows_refuse_the_whole_run_with_its_rejects_file(inventory, raw_csv):
    rows = [*traffic_rows(1), ["X", "S9", "ctcc", "2021-01-05", "5G", 1, 1]]  # a cell with no site
    traffic = raw_csv("cell-traffic.csv", "cell-traffic", rows)
    with pytest.raises(TooManyRejects):
        ingest(request=IngestRequest(kind="cell-traffic", files=[traffic], sites=[inventory]))
    run = IngestRun.objects.get()
    assert run.status == IngestStatus.REFUSED and run.rows_rejected == 1 and run.rows_read == 63
    assert "小区所属基站不在基站清单中" in Path(run.rejects_file).read_text(encoding="utf-8-sig")
    assert DataValue.objects.count() == 0
    tolerant = ingest(
        request=IngestRequest(kind="cell-traffic", files=[traffic], sites=[inventory], max_reject_rate=0.05)
    )
    assert tolerant.values_added == 4 and tolerant.rejected_by_reason == {"site": 1}


def test_a_dry_run_writes_nothing_but_says_what_it_would(inventory):
    run = ingest(
        request=IngestRequest(kind="base-stations", files=[inventory], period="202101", dry_run=True)
    )
    assert run.status == IngestStatus.PREVIEWED and run.values_added == 5 and DataValue.objects.count() == 0


def test_an_unreadable_file_fails_the_run_and_says_why(raw_csv):
    broken = raw_csv("bs.csv", "base-stations", [["S1", "ctcc"]], header=["site_id", "operator"])
    with pytest.raises(Exception, match="缺少列"):
        ingest(request=IngestRequest(kind="base-stations", files=[broken]))
    run = IngestRun.objects.get()
    assert run.status == IngestStatus.FAILED and "rat" in run.message


@pytest.mark.parametrize(
    "role", ["city-reporter", "viewer", "admin", "department", "city-office", "enterprise"]
)
def test_only_the_provincial_office_and_the_operators_run_an_ingest(make_user, inventory, role):
    with pytest.raises(PermissionDenied):
        ingest(request=IngestRequest(kind="base-stations", files=[inventory]), actor=make_user(role))
    assert not IngestRun.objects.exists() and DataValue.objects.count() == 0
    run = ingest(request=IngestRequest(kind="base-stations", files=[inventory]), actor=make_user("province"))
    assert run.actor.role == "province" and run.values_added > 0


def test_a_run_whose_actor_lost_the_right_before_it_ran_fails_and_writes_nothing(make_user, inventory):
    from yangfan.ingests.services import ingest_create, ingest_execute

    officer = make_user("province")
    request = IngestRequest(kind="base-stations", files=[inventory])
    run = ingest_create(request=request, actor=officer)
    officer.role = "viewer"
    officer.save()
    with pytest.raises(PermissionDenied):
        ingest_execute(run=run, request=request, actor=officer)
    run.refresh_from_db()
    assert run.status == IngestStatus.FAILED and "无权" in run.message and DataValue.objects.count() == 0
