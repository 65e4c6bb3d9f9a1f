"""Every run is a preview first: what it would add and change, the annex indicators it would move, nothing
written until someone confirms; applying checks that the files and the database are as the preview saw them.
And operators: each sends its own files, and its base-station inventory replaces its own part only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from yangfan.actionplans.models import DataElement, Operator
from yangfan.audit.models import AuditEntry
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.models import IngestPolicy, IngestRun, InventoryPart
from yangfan.ingests.services import (
    IngestRequest,
    NotPreviewed,
    PreviewStale,
    current_parts,
    ingest,
    ingest_apply,
    ingest_discard,
)
from yangfan.orgunits.models import OrgUnit
from yangfan.pipeline.errors import TooManyRejects

pytestmark = pytest.mark.django_db

# 电信 and 联通 share S1 (新城区): each lists it in its own inventory; 移动 has S2 (碑林区) alone
CTCC = [["S1", "ctcc", "5G", "610102", "108.9", "34.2", "2021-01-05", "", "cucc"]]
CUCC = [["S1", "cucc", "5G", "610102", "108.9", "34.2", "2021-01-05", "", "ctcc"]]
CMCC = [["S2", "cmcc", "5G", "610103", "108.9", "34.2", "2021-03-10", "", ""]]


def value(element: str, unit: str, period: str, operator: str | None = None) -> Decimal | None:
    found = DataValue.objects.filter(data_element__code=element, org_unit__code=unit, period=period)
    found = found.filter(operator__code=operator) if operator else found.filter(operator__isnull=True)
    row = found.first()
    return None if row is None else row.value


def population(unit: str, people: int) -> None:
    """A county's resident population of 2021 (the denominator of A5, 每万人拥有5G基站数)."""
    element = DataElement.objects.get(code="population")
    datavalues_import(
        rows=[ParsedRow(1, element, OrgUnit.objects.get(code=unit), "2021", None, Decimal(people))]
    )


def preview(files, **options) -> IngestRun:
    return ingest(request=IngestRequest(kind="base-stations", files=files, dry_run=True, **options))


def test_a_preview_writes_nothing_and_says_what_would_change(raw_csv):
    population("610102", 500_000)
    run = preview([raw_csv("ctcc.csv", "base-stations", CTCC)], period="2021")
    assert (
        run.status == IngestStatus.PREVIEWED
        and DataValue.objects.filter(data_element__code="base_stations_5g").count() == 0
    )
    assert run.values_added == 12 * 3 and run.values_changed == 0  # 新城区: total, 电信, 联通 × 12 months
    assert not InventoryPart.objects.exists()  # nothing is current before it is applied
    effects = {(e["indicator"], e["org_unit"], e["period"]): e for e in run.preview["effects"]}
    # one station per 500,000 people = 0.02 per 10,000: in 西安 and the province, where nothing was before
    assert effects[("A5", "610100", "2021")]["before"] is None
    assert Decimal(effects[("A5", "610100", "2021")]["after"]) == Decimal("0.02")
    assert Decimal(effects[("A5", "610000", "2021")]["after"]) == Decimal("0.02")
    ingest_apply(run=run)
    run.refresh_from_db()
    assert run.status == IngestStatus.DONE and value("base_stations_5g", "610102", "202112") == 1
    assert value("base_stations_5g", "610102", "202112", "cucc") == 1
    assert [p.operator for p in current_parts()] == ["ctcc"]
    assert (
        AuditEntry.objects.filter(action="ingest", object_id=str(run.pk)).count() == 2
    )  # previewed, applied


def test_the_largest_changes_and_the_indicator_moves_are_in_the_preview(raw_csv):
    population("610103", 100_000)
    ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("a.csv", "base-stations", CMCC)], period="2021"
        )
    )
    more = CMCC + [
        [f"S{n}", "cmcc", "5G", "610103", "108.9", "34.2", "2021-06-01", "", ""] for n in range(3, 6)
    ]
    run = preview([raw_csv("b.csv", "base-stations", more)], period="2021")
    assert run.values_changed == 2 * 7  # 碑林区 total and 移动, June to December: 1 → 4
    (top, *_rest) = run.preview["largest"]
    assert (top["stored"], top["computed"], top["change_pct"]) == ("1", "4", "300")
    effects = {(e["indicator"], e["org_unit"]): e for e in run.preview["effects"]}
    assert (effects[("A5", "610000")]["before"], effects[("A5", "610000")]["after"]) == ("0.1", "0.4")
    assert value("base_stations_5g", "610103", "202112") == 1  # still


def test_each_operators_inventory_replaces_its_own_part_only(raw_csv):
    """Sent one after another, the operators' inventories give what they give together."""
    runs = [
        ingest(
            request=IngestRequest(
                kind="base-stations", files=[raw_csv(f"{n}.csv", "base-stations", rows)], period="2021"
            )
        )
        for n, rows in (("ctcc", CTCC), ("cucc", CUCC), ("cmcc", CMCC))
    ]
    assert [r.operators for r in runs] == [["ctcc"], ["cucc"], ["cmcc"]]
    assert runs[1].rows_rejected == 0  # S1 twice, once per operator, agreeing: one station
    separately = {
        (unit, period, op): v
        for unit, period, op, v in DataValue.objects.filter(
            data_element__code="base_stations_5g"
        ).values_list("org_unit__code", "period", "operator__code", "value")
    }
    assert separately[("610102", "202112", None)] == 1 and separately[("610102", "202112", "ctcc")] == 1
    DataValue.objects.all().delete()
    together = raw_csv("all.csv", "base-stations", CTCC + CUCC + CMCC)
    ingest(request=IngestRequest(kind="base-stations", files=[together], period="2021"))
    assert {
        (unit, period, op): v
        for unit, period, op, v in DataValue.objects.filter(
            data_element__code="base_stations_5g"
        ).values_list("org_unit__code", "period", "operator__code", "value")
    } == separately
    # 移动 sends a new inventory without S2: its part is replaced (碑林区 drops to 0), 电信's and 联通's stay
    moved = [["S7", "cmcc", "5G", "610104", "108.9", "34.2", "2021-02-01", "", ""]]
    ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("cmcc2.csv", "base-stations", moved)], period="2021"
        )
    )
    assert value("base_stations_5g", "610103", "202112") == 0
    assert value("base_stations_5g", "610103", "202112", "cmcc") == 0
    assert value("base_stations_5g", "610104", "202112", "cmcc") == 1
    assert (
        value("base_stations_5g", "610102", "202112") == 1
        and value("base_stations_5g", "610102", "202112", "cucc") == 1
    )


def test_an_operators_user_sends_its_own_files_only(raw_csv, make_user):
    mobile = make_user("operator")  # 中国移动
    mixed = raw_csv("mixed.csv", "base-stations", CMCC + CTCC)
    with pytest.raises(TooManyRejects):
        ingest(request=IngestRequest(kind="base-stations", files=[mixed], dry_run=True), actor=mobile)
    refused = IngestRun.objects.get()
    assert refused.status == IngestStatus.REFUSED and refused.operator.code == "cmcc"
    assert refused.rejected_by_reason == {"foreign": 1} and "不属于中国移动" in refused.message
    assert DataValue.objects.count() == 0
    own = ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("own.csv", "base-stations", CMCC)], dry_run=True
        ),
        actor=mobile,
    )
    assert own.status == IngestStatus.PREVIEWED and own.operators == ["cmcc"]
    ingest_apply(run=own, actor=mobile)  # its uploader confirms, below the threshold
    assert value("base_stations_5g", "610103", "202103", "cmcc") == 1
    assert value("base_stations_5g", "610103", "202103") == 1  # the total, recomputed from every inventory


def test_beyond_the_threshold_only_the_province_applies(raw_csv, make_user):
    IngestPolicy.objects.create(confirm_values_changed=0, confirm_indicator_change=Decimal("0"))
    population("610103", 100_000)
    mobile, officer = make_user("operator"), make_user("province")
    ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("a.csv", "base-stations", CMCC)], period="2021"
        )
    )
    more = [*CMCC, ["S3", "cmcc", "5G", "610103", "108.9", "34.2", "2021-06-01", "", ""]]
    run = ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("b.csv", "base-stations", more)], period="2021", dry_run=True
        ),
        actor=mobile,
    )
    assert run.needs_province
    with pytest.raises(PermissionDenied):
        ingest_apply(run=run, actor=mobile)
    other = make_user("operator", username="another-mobile-user")
    with pytest.raises(PermissionDenied):
        ingest_discard(run=run, actor=other)  # not its uploader
    assert value("base_stations_5g", "610103", "202112") == 1
    ingest_apply(run=run, actor=officer)
    run.refresh_from_db()
    assert run.confirmed_by == officer and value("base_stations_5g", "610103", "202112") == 2
    with pytest.raises(NotPreviewed):
        ingest_apply(run=run, actor=officer)  # applied once only


def test_a_preview_whose_file_changed_is_not_applied(raw_csv):
    path = raw_csv("a.csv", "base-stations", CMCC)
    run = preview([path], period="2021")
    path.write_text(path.read_text() + "S9,cmcc,5G,610103,,,2021-01-01,,\n", encoding="utf-8")
    with pytest.raises(PreviewStale, match=r"a\.csv"):
        ingest_apply(run=run)
    run.refresh_from_db()
    assert run.status == IngestStatus.DISCARDED and "a.csv" in run.message
    assert not DataValue.objects.filter(data_element__code="base_stations_5g").exists()


def test_a_preview_whose_values_changed_since_is_not_applied(raw_csv):
    run = preview([raw_csv("a.csv", "base-stations", CMCC)], period="2021")
    element, unit = DataElement.objects.get(code="base_stations_5g"), OrgUnit.objects.get(code="610103")
    datavalues_import(
        rows=[ParsedRow(1, element, unit, "202112", Operator.objects.get(code="cmcc"), Decimal(7))]
    )
    with pytest.raises(PreviewStale):
        ingest_apply(run=run)
    assert (
        value("base_stations_5g", "610103", "202112", "cmcc") == 7
        and value("base_stations_5g", "610103", "202112") is None
    )


def test_a_preview_made_before_another_inventory_was_applied_is_stale(raw_csv):
    first = preview([raw_csv("cmcc.csv", "base-stations", CMCC)], period="2021")
    ingest(
        request=IngestRequest(
            kind="base-stations", files=[raw_csv("ctcc.csv", "base-stations", CTCC)], period="2021"
        )
    )
    with pytest.raises(PreviewStale):
        ingest_apply(run=first)  # its totals were computed without 电信's inventory


def test_a_discarded_preview_leaves_nothing(raw_csv):
    run = preview([raw_csv("a.csv", "base-stations", CMCC)], period="2021")
    ingest_discard(run=run)
    run.refresh_from_db()
    assert (
        run.status == IngestStatus.DISCARDED
        and DataValue.objects.filter(data_element__code="base_stations_5g").count() == 0
    )
    assert not InventoryPart.objects.exists()
    with pytest.raises(NotPreviewed):
        ingest_apply(run=run)
