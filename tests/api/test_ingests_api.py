"""The ingest runs through the API (the provincial office's) and a value's source (the value's own scope)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.ingests.test_views import stations_csv

from yangfan.datavalues.models import DataValue
from yangfan.ingests.services import IngestRequest, ingest


@pytest.fixture
def run(db, tmp_path, settings, monkeypatch):
    """The base stations of 2023, aggregated as the command line does."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(tmp_path))
    source = tmp_path / "jizhan.csv"
    source.write_bytes(stations_csv())
    return ingest(
        request=IngestRequest(kind="base-stations", files=[source], period="2023", max_reject_rate=0.5)
    )


def _value(org: str, operator: str | None) -> DataValue:
    return DataValue.objects.get(
        data_element__code="base_stations_5g", org_unit__code=org, period="202312", operator__code=operator
    )


def test_the_office_lists_runs_and_reads_their_lineage(api, run):
    province = api("province")
    page = province.get("ingest_runs").json()
    assert page["count"] == 1
    [listed] = page["results"]
    assert listed["id"] == run.pk and listed["kind"] == "base-stations" and listed["status"] == "done"
    assert listed["rows_read"] == 5 and listed["rows_rejected"] == 1 and listed["conflicts"] == 0
    assert listed["values_added"] == run.values_added > 0 and listed["actor"] is None

    lineage = province.get("ingest_run", pk=run.pk).json()
    [file] = lineage["files"]
    assert file["sha256"] == hashlib.sha256(stations_csv()).hexdigest() and file["name"] == "jizhan.csv"
    assert lineage["rejected_by_reason"] == {"运营商未知": 1}
    assert lineage["engine"].startswith("duckdb ") and lineage["period"] == "2023"
    assert province.get("ingest_run", pk=999999).status_code == 404


@pytest.mark.parametrize("role", ["city-reporter", "viewer", "department", "admin", "auditor"])
def test_runs_are_refused_to_everyone_else(api, run, role):
    caller = api(role)
    assert caller.get("ingest_runs").status_code == 403
    assert caller.get("ingest_run", pk=run.pk).status_code == 403


def test_an_operator_reads_its_own_runs_only(api, run):
    """The office's run holds every operator's rows: an operator's user does not see it, nor list it."""
    mobile = api("operator")
    assert mobile.get("ingest_runs").json()["results"] == []
    assert mobile.get("ingest_run", pk=run.pk).status_code == 403
    from yangfan.actionplans.models import Operator

    run.operator = Operator.objects.get(code="cmcc")  # as if the office had sent it for 中国移动
    run.conflicts = [
        {"data_element": "base_stations_5g", "org_unit": "610102", "org_unit_name": "新城区", "period": "202312",
         "operator": code, "stored": "1", "computed": "2", "reason": "已审核"}
        for code in ("cmcc", "ctcc", "")
    ]  # fmt: skip
    run.save()
    [listed] = mobile.get("ingest_runs").json()["results"]
    assert listed["id"] == run.pk and listed["operator"] == "cmcc"
    lineage = mobile.get("ingest_run", pk=run.pk).json()
    assert [c["operator"] for c in lineage["conflicts"]] == ["cmcc", ""]  # never 中国电信's figure


def test_a_values_source_follows_the_values_scope(api, run):
    xian = api("city-reporter")
    listed = xian.get("datavalues", {"org": "610102", "period": "202312", "data_element": "base_stations_5g"})
    total = next(v for v in listed.json()["results"] if v["operator"] is None)
    assert total["ingest_run"] == run.pk and total["id"] == _value("610102", None).pk

    lineage = xian.get("datavalue_lineage", pk=total["id"]).json()
    assert lineage["value"]["value"] == "2" and lineage["value"]["source"] == "pipeline"
    assert lineage["run"]["id"] == run.pk and lineage["run"]["kind"] == "base-stations"
    [file] = lineage["run"]["files"]
    assert set(file) == {"role", "name", "size", "sha256"}  # not where the server keeps it
    assert file["size"] == len(stations_csv())

    baoji = api("city-reviewer")
    assert baoji.get("datavalue_lineage", pk=total["id"]).status_code == 403
    assert baoji.get("datavalue_lineage", pk=_value("610302", None).pk).status_code == 200

    cmcc = api("operator")
    assert cmcc.get("datavalue_lineage", pk=_value("610102", "cmcc").pk).status_code == 200
    assert cmcc.get("datavalue_lineage", pk=_value("610102", "ctcc").pk).status_code == 403
    assert api("admin").get("datavalue_lineage", pk=total["id"]).status_code == 403
    assert xian.get("datavalue_lineage", pk=999999).status_code == 404


def test_a_value_from_another_source_has_no_run(api, run):
    from yangfan.datavalues.choices import ValueSource

    value = _value("610102", None)
    DataValue.objects.filter(pk=value.pk).update(source=ValueSource.FORM, ingest_run=None)
    lineage = api("province").get("datavalue_lineage", pk=value.pk).json()
    assert lineage["run"] is None and lineage["value"]["source"] == "form"
    assert Path(run.files.get().path).name == "jizhan.csv"
