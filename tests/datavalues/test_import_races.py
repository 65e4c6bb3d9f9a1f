"""Two imports of the same keys at the same moment (ADR 0017): the second reads, under lock, what the first wrote,
so every audit entry's "old" is the value it actually replaced; two imports inserting the same new keys never end
in an internal error: the second writes over what the first stored (its "old" is the first's value).

The concurrent runs use real threads with their own connections in ``bench/races.py``, on a copy of an initialised
database in a subprocess; the test in this process puts the other import's insert exactly between this import's
read and its INSERT, the moment the retry is for."""

from __future__ import annotations

from decimal import Decimal

from tests.collection.test_races import on_postgresql, run_races

from yangfan.actionplans.models import DataElement, Operator
from yangfan.audit.models import AuditEntry
from yangfan.datavalues import services
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

# On SQLite the second import waits for the first at BEGIN IMMEDIATE for at most the connection's busy timeout
# (settings: 5 s), then fails with "database is locked"; the files are kept small enough there for the first to
# finish well within it on a loaded machine. PostgreSQL waits on the row locks as long as it takes.
ROWS = 1000 if on_postgresql() else 200


def test_two_imports_of_stored_values_chain_their_audit_entries(initialised_env):
    """On PostgreSQL the second import's ``select_for_update`` waits for the first to commit, then reads its values;
    on SQLite the second's BEGIN IMMEDIATE waits for the first's COMMIT. Either way: both finish, the second's
    values stand, and each value's entries chain (before → first → second)."""
    tally = run_races(initialised_env, "import", "--rows", str(ROWS))
    assert tally["database"] == ("postgresql" if on_postgresql() else "sqlite")
    assert tally["finished"] == 2 and tally["refused"] == [], tally
    assert (tally["keys_stored"], tally["values_with_entries"], tally["chains_broken"]) == (ROWS, ROWS, 0), (
        tally
    )
    assert tally["exit"] == 0


def test_two_imports_inserting_the_same_keys_never_fail_with_an_internal_error(initialised_env):
    """On PostgreSQL the second INSERT waits on the unique index, then fails once the first commits: the batch is
    read again and written as changes to what the first stored. On SQLite the transactions do not overlap."""
    tally = run_races(initialised_env, "insert", "--rows", str(ROWS))
    assert tally["refused"] == [] and tally["finished"] == 2, tally
    assert (tally["keys_stored"], tally["values_with_entries"], tally["chains_broken"]) == (ROWS, ROWS, 0), (
        tally
    )
    assert tally["exit"] == 0


def rows(value: int, n: int = 3) -> list[ParsedRow]:
    element = DataElement.objects.get(code="mobile_users_5g")
    cmcc = Operator.objects.get(code="cmcc")
    units = OrgUnit.objects.filter(code__in=["610102", "610103", "610104"]).order_by("code")
    return [
        ParsedRow(i + 2, element, unit, "202306", cmcc, Decimal(value + i), "")
        for i, unit in enumerate(units[:n])
    ]


def test_keys_another_import_inserted_after_this_one_read_are_written_over_with_their_value_as_old(
    db, monkeypatch
):
    real = services._stored
    other = []

    def read_then_other_import(wanted):
        found = real(wanted)
        if not other:  # this import has read: nothing stored under its keys. Now the other one commits them.
            other.append(None)
            other[0] = datavalues_import(rows=rows(500), file="other.csv")
        return found

    monkeypatch.setattr(services, "_stored", read_then_other_import)
    report = datavalues_import(rows=rows(900), file="mine.csv")
    assert other[0].added == [2, 3, 4]
    assert (report.added, report.changed) == ([], [2, 3, 4])  # retried: changes to what the other stored
    stored = DataValue.objects.filter(period="202306", data_element__code="mobile_users_5g").order_by(
        "org_unit__code"
    )
    assert [v.value for v in stored] == [Decimal(900), Decimal(901), Decimal(902)]
    trail = AuditEntry.objects.filter(object_type="datavalues.datavalue").order_by("seq")
    first = stored[0]
    assert [e.changes["value"] for e in trail.filter(object_id=str(first.pk))] == [
        [None, "500"],
        ["500", "900"],
    ]
