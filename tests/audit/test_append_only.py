"""Entries cannot be changed or removed: not through the ORM, and not with raw SQL (database triggers)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yangfan.audit.choices import AuditAction
from yangfan.audit.guards import ensure_guards, guards_installed, remove_guards
from yangfan.audit.models import AuditEntry, AuditEntryImmutable
from yangfan.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def entries(db):
    return [audit_record(action=AuditAction.CREATE, object_repr=f"对象{i}") for i in range(3)]


def test_saving_an_existing_entry_is_refused(entries):
    entry = AuditEntry.objects.get(seq=2)
    entry.detail = "改过"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    assert AuditEntry.objects.get(seq=2).detail == ""


def test_deleting_an_entry_is_refused(entries):
    with pytest.raises(AuditEntryImmutable):
        entries[0].delete()
    assert AuditEntry.objects.count() == 3


@pytest.mark.parametrize(
    "write",
    [
        lambda qs: qs.update(detail="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.filter(seq=1).delete(),
        lambda qs: qs.bulk_update(list(qs), ["detail"]),
        lambda qs: qs.bulk_create([AuditEntry(seq=99, hash="f" * 64)]),
    ],
    ids=["update", "delete", "filtered delete", "bulk_update", "bulk_create"],
)
def test_bulk_writes_through_the_manager_are_refused(entries, write):
    with pytest.raises(AuditEntryImmutable):
        write(AuditEntry.objects.all())
    assert audit_verify().ok and AuditEntry.objects.count() == 3


def test_creating_an_entry_outside_audit_record_is_refused(db):
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.create(seq=1, at=timezone.now(), action=AuditAction.LOGIN)


def test_triggers_are_installed_by_the_migrations(db):
    assert guards_installed(connection, TABLE)


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET detail = 'tampered' WHERE seq = 2",
        f"UPDATE {TABLE} SET seq = seq + 100",
        f"DELETE FROM {TABLE} WHERE seq = 2",
        f"DELETE FROM {TABLE}",
    ],
)
def test_raw_sql_update_and_delete_are_refused_by_the_database(entries, sql):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert "append-only" in str(raised.value)
    assert type(raised.value).__name__ == "IntegrityError"
    assert AuditEntry.objects.count() == 3
    assert AuditEntry.objects.get(seq=2).detail == ""
    assert audit_verify().ok


def test_raw_sql_insert_is_allowed_but_caught_by_verify(entries):
    """Append-only is not "insert-proof": a forged row is refused by nothing but the chain, which notices it."""
    last = AuditEntry.objects.get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (seq, at, actor_username, action, object_type, object_id, object_repr, changes,"
            " ip, detail, prev_hash, hash) VALUES (4, %s, 'mallory', 'login', '', '', '', '{}', '', '', %s, %s)",
            [timezone.now(), last.hash, "e" * 64],
        )
    result = audit_verify()
    assert [seq for seq, _ in result.problems] == [4]


def test_missing_triggers_are_reinstalled_after_migrate(db):
    remove_guards(connection, TABLE)
    assert not guards_installed(connection, TABLE)
    ensure_guards(using=connection.alias)
    assert guards_installed(connection, TABLE)
