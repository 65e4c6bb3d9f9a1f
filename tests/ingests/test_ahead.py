"""The aggregation the command line starts before Django is up (``ingests/ahead.py``): its outcome is taken only
when the run finds the same arguments in the database, and a run that takes it is the run it would have been."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from tests.ingests.test_services import stored, traffic_rows

from yangfan.ingests import ahead as ahead_module
from yangfan.ingests import services
from yangfan.ingests.ahead import IngestRequest, ingest_ahead, ingest_folder
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.services import ingest, ingest_create, ingest_execute
from yangfan.pipeline.errors import TooManyRejects

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """A data folder of the test's own: what the last run remembered is in it."""
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def aggregations(monkeypatch):
    """The aggregations the run itself starts (not the early one), by kind."""
    started: list[str] = []
    real = services.aggregate

    def counted(**arguments):
        started.append(arguments["kind"])
        return real(**arguments)

    monkeypatch.setattr(services, "aggregate", counted)
    return started


def run_with_ahead(request: IngestRequest):
    early = ingest_ahead(request)
    run = ingest_create(request=request)
    try:
        ingest_execute(run=run, request=request, ahead=early)
    finally:
        if early is not None:
            early.settle()
    return run, early


def test_nothing_starts_early_before_a_run_has_recorded_the_reference(inventory):
    assert ingest_ahead(IngestRequest(kind="base-stations", files=[inventory])) is None


def test_the_early_outcome_is_taken_when_the_run_finds_the_same_reference(inventory, raw_csv, aggregations):
    stations = ingest(request=IngestRequest(kind="base-stations", files=[inventory]))
    assert aggregations == ["base-stations"]
    traffic = raw_csv("cell-traffic.csv", "cell-traffic", traffic_rows(2))

    run, early = run_with_ahead(IngestRequest(kind="cell-traffic", files=[traffic]))  # sites: remembered
    assert early is not None and aggregations == ["base-stations"]  # not aggregated a second time
    assert run.status == IngestStatus.DONE and run.sites_run == stations and run.values_added == 4
    assert stored("traffic_5g", "610102", "202101", "ctcc").value == Decimal(62)
    assert stored("traffic_5g", "610102", "202101", "ctcc").ingest_run == run
    assert {(f.role, f.name) for f in run.files.all()} == {  # placed by each operator's current inventory
        ("data", "cell-traffic.csv"),
        ("sites", "cmcc.parquet"),
        ("sites", "ctcc.parquet"),
    }
    assert run.seconds["run"] >= run.seconds["aggregate"]  # the run's time counts from the early start


def test_an_early_outcome_from_an_outdated_reference_is_dropped_and_computed_again(inventory, aggregations):
    request = IngestRequest(kind="base-stations", files=[inventory])
    ingest(request=request)
    remembered = ingest_folder() / "reference.json"
    outdated = json.loads(remembered.read_text(encoding="utf-8"))
    outdated["reference"]["counties"].remove("610102")  # as if the county were added since
    remembered.write_text(json.dumps(outdated), encoding="utf-8")
    aggregations.clear()

    run, early = run_with_ahead(IngestRequest(kind="base-stations", files=[inventory], max_reject_rate=1))
    assert early is not None and aggregations == ["base-stations"]  # dropped: the run aggregated again
    assert run.rows_rejected == 0 and (run.values_added, run.values_changed) == (0, 0)  # 610102 known
    assert not list((ingest_folder() / "rejects").glob("ahead-*"))  # the dropped outcome's rejects are gone
    assert "610102" in json.loads(remembered.read_text(encoding="utf-8"))["reference"]["counties"]


def test_the_rejects_of_an_early_outcome_are_the_runs(inventory, raw_csv, aggregations):
    ingest(request=IngestRequest(kind="base-stations", files=[inventory]))
    bad = raw_csv(
        "subscribers.csv",
        "subscribers",
        [["cmcc", "610102", "2023-01", "1000", "300"], ["cmcc", "999999", "2023-01", "1000", "300"]],
    )
    with pytest.raises(TooManyRejects):
        run_with_ahead(IngestRequest(kind="subscribers", files=[bad]))
    assert aggregations == ["base-stations"]
    refused = services.IngestRun.objects.get(kind="subscribers")
    assert refused.status == IngestStatus.REFUSED and refused.rows_rejected == 1
    assert refused.rejects_file.endswith(f"{refused.pk}.csv")
    assert "999999" in (ingest_folder() / "rejects" / f"{refused.pk}.csv").read_text(encoding="utf-8-sig")
    assert not list((ingest_folder() / "rejects").glob("ahead-*"))


def test_a_changed_request_is_not_taken_from_an_early_start(inventory, raw_csv, aggregations):
    ingest(request=IngestRequest(kind="base-stations", files=[inventory]))
    traffic = raw_csv("cell-traffic.csv", "cell-traffic", traffic_rows(1))
    early = ingest_ahead(IngestRequest(kind="cell-traffic", files=[traffic]))
    asked = IngestRequest(kind="cell-traffic", files=[traffic], period="2021")  # not what started early
    run = ingest_create(request=asked)
    ingest_execute(run=run, request=asked, ahead=early)
    assert aggregations == ["base-stations", "cell-traffic"] and run.values_added == 4


def test_a_remembered_file_that_cannot_be_read_starts_nothing(inventory):
    ingest(request=IngestRequest(kind="base-stations", files=[inventory]))
    (ingest_folder() / "reference.json").write_text("{not json", encoding="utf-8")
    assert ingest_ahead(IngestRequest(kind="base-stations", files=[inventory])) is None
    assert ahead_module._recalled() is None
