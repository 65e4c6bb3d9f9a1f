"""Imports written in bulk keep every promise of a row-by-row import: one audit entry per added or changed
value with its old and new value, all or nothing, idempotent, dry runs write nothing. Figures here are test
figures, not statistics."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yangfan.actionplans.models import DataElement, Operator
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_verify
from yangfan.core.errors import ImportInvalid
from yangfan.datavalues import services
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.selectors import values_for_engine
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

MONTHS = [f"{year}{month:02d}" for year in (2021, 2022, 2023) for month in range(1, 13)]


@pytest.fixture
def objects(plan):
    """Data elements, base units (county level) and operators by code."""
    return (
        {e.code: e for e in DataElement.objects.all()},
        {u.code: u for u in OrgUnit.objects.filter(code__regex=r"^61\d\d[0-9][1-9]$")},
        {o.code: o for o in Operator.objects.all()},
    )


def _rows(objects, count: int, *, value=lambda n: Decimal(n), comment: str = "") -> list[ParsedRow]:
    """``count`` distinct rows: base_stations_5g by county × operator × month, numbered from row 2."""
    elements, units, operators = objects
    keys = [(u, o, m) for u in sorted(units) for o in sorted(operators) for m in MONTHS]
    return [
        ParsedRow(n + 2, elements["base_stations_5g"], units[u], m, operators[o], value(n), comment)
        for n, (u, o, m) in enumerate(keys[:count])
    ]


def _value_entries():
    return AuditEntry.objects.filter(object_type="datavalues.datavalue").exclude(action="import")


def test_a_large_import_audits_each_value_with_its_key_and_the_chain_verifies(objects):
    count = services.BATCH * 2 + 7  # more than one batch
    rows = _rows(objects, count)
    progress: list[tuple[int, int]] = []

    report = datavalues_import(
        rows=rows, file="大文件.csv", progress=lambda done, total: progress.append((done, total))
    )

    assert report.added == [r.row for r in rows] and not report.changed and not report.unchanged
    assert DataValue.objects.count() == count
    entries = list(_value_entries().order_by("seq"))
    assert len(entries) == count and {e.action for e in entries} == {"create"}
    stored = {str(v.pk): v for v in DataValue.objects.select_related("data_element", "org_unit")}
    pks = {(v.org_unit_id, v.period, v.operator_id): str(v.pk) for v in stored.values()}
    assert [e.object_id for e in entries] == [pks[r.org_unit.pk, r.period, r.operator.pk] for r in rows]
    for entry, row in zip(entries, rows, strict=True):
        assert entry.changes == {"value": [None, format(stored[entry.object_id].value.normalize(), "f")]}
        assert entry.object_repr.startswith(f"base_stations_5g {row.org_unit.code} {row.period} ")
    assert progress[-1] == (count, count) and [d for d, _ in progress] == sorted(d for d, _ in progress)
    summary = AuditEntry.objects.filter(action="import").latest("seq")
    assert summary.detail == f"新增 {count} 行，修改 0 行，未变 0 行" and summary.object_repr == "大文件.csv"
    assert audit_verify().ok


def test_on_a_database_that_returns_no_keys_from_a_bulk_insert_each_entry_still_names_its_value(
    objects, monkeypatch
):
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    rows = _rows(objects, 50)

    datavalues_import(rows=rows)

    pks = {(v.org_unit_id, v.period, v.operator_id): str(v.pk) for v in DataValue.objects.all()}
    entries = _value_entries().order_by("seq").values_list("object_id", flat=True)
    assert list(entries) == [pks[r.org_unit.pk, r.period, r.operator.pk] for r in rows]


def test_reimporting_the_same_rows_changes_nothing(objects):
    rows = _rows(objects, 300)
    datavalues_import(rows=rows)
    audited, stored = (
        AuditEntry.objects.count(),
        list(DataValue.objects.values_list("pk", "value", "updated_at")),
    )

    report = datavalues_import(rows=rows)

    assert report.unchanged == [r.row for r in rows] and not report.added and not report.changed
    assert AuditEntry.objects.count() == audited
    assert list(DataValue.objects.values_list("pk", "value", "updated_at")) == stored


def test_added_changed_and_unchanged_rows_in_one_file(objects):
    first = _rows(objects, 10)
    datavalues_import(rows=first)
    before = {
        r.row: DataValue.objects.get(org_unit=r.org_unit, period=r.period, operator=r.operator) for r in first
    }
    again = _rows(objects, 14, value=lambda n: Decimal(n) + (100 if n in (3, 7) else 0))
    again[8] = replace(again[8], comment="更正")  # the same value, a new comment
    since = AuditEntry.objects.latest("seq").seq

    report = datavalues_import(rows=again)

    assert (report.added, report.changed) == ([12, 13, 14, 15], [5, 9, 10])
    assert report.unchanged == [2, 3, 4, 6, 7, 8, 11]
    entries = list(_value_entries().filter(seq__gt=since).order_by("seq"))
    assert [e.action for e in entries] == [
        "update",
        "update",
        "update",
        "create",
        "create",
        "create",
        "create",
    ]
    assert entries[0].object_id == str(before[5].pk) and entries[0].changes == {"value": ["3", "103"]}
    assert entries[2].changes == {"comment": ["", "更正"], "value": ["8", "8"]}
    changed = DataValue.objects.get(pk=before[5].pk)
    assert changed.value == Decimal(103) and changed.updated_at > before[5].updated_at
    assert audit_verify().ok


def test_a_row_that_fails_in_a_later_batch_leaves_nothing_written(objects):
    rows = _rows(objects, services.BATCH + 10)
    rows.append(replace(rows[-1], row=len(rows) + 2))  # the same key again
    audited = AuditEntry.objects.count()

    with pytest.raises(IntegrityError):
        datavalues_import(rows=rows)

    assert DataValue.objects.count() == 0 and AuditEntry.objects.count() == audited


def test_a_refused_row_leaves_nothing_written(objects, make_user):
    xian = make_user("city-reporter")
    rows = _rows(objects, 40)  # 西安's districts first, then 铜川's
    assert {r.org_unit.code[:4] for r in rows} == {"6101"}
    elements, units, _ = objects
    rows.append(ParsedRow(99, elements["base_stations_5g"], units["610202"], "202312", None, Decimal(1)))

    with pytest.raises(ImportInvalid) as caught:
        datavalues_import(rows=rows, actor=xian)

    assert [e.row for e in caught.value.errors] == [99] and "王益区" in str(caught.value)
    assert DataValue.objects.count() == 0


def test_a_dry_run_reports_but_writes_and_audits_nothing(objects):
    datavalues_import(rows=_rows(objects, 5))
    audited = AuditEntry.objects.count()

    report = datavalues_import(rows=_rows(objects, 3000, value=lambda n: Decimal(n + 1)), dry_run=True)

    assert (len(report.added), len(report.changed), report.dry_run) == (2995, 5, True)
    assert DataValue.objects.count() == 5 and AuditEntry.objects.count() == audited


def test_values_for_the_engine_can_be_limited_to_some_data_elements(objects):
    elements, units, _ = objects
    datavalues_import(
        rows=[
            *_rows(objects, 3),
            ParsedRow(9, elements["population"], units["610102"], "2023", None, Decimal(500_000)),
        ]
    )

    everything, some = values_for_engine(), values_for_engine(["population"])

    assert len(everything.reported("base_stations_5g", "610102")) == 3
    assert some.reported("base_stations_5g", "610102") == {}
    assert [*some.reported("population", "610102").values()] == [{None: Decimal(500_000)}]
    assert values_for_engine([]).reported("population", "610102") == {}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.dictionaries(
            st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=3), max_size=20
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_sequence_of_imports_stores_the_last_value_and_audits_each_change(objects, imports):
    """Each import is {key number: value}. The examples share the test's transaction, so the figures are
    checked against what was stored when the example began."""
    pool = _rows(objects, 31)
    state = {
        (v.org_unit_id, v.period, v.operator_id): v.value
        for v in DataValue.objects.filter(data_element__code="base_stations_5g")
    }
    since = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    expected_entries = 0
    for figures in imports:
        rows = [replace(pool[k], row=n + 2, value=Decimal(v)) for n, (k, v) in enumerate(figures.items())]
        report = datavalues_import(rows=rows)
        for row in rows:
            key = (row.org_unit.pk, row.period, row.operator.pk)
            expected_entries += state.get(key) != row.value
            state[key] = row.value
        assert len(report.added) + len(report.changed) + len(report.unchanged) == len(rows)
    assert _value_entries().filter(seq__gt=since).count() == expected_entries
    assert {
        (v.org_unit_id, v.period, v.operator_id): v.value
        for v in DataValue.objects.filter(data_element__code="base_stations_5g")
    } == state
    assert audit_verify().ok
