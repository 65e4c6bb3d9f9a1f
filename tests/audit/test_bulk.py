"""Appending many entries at once: the same entries, numbers and hashes as one ``audit_record`` each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yangfan.audit.chain import GENESIS, entry_hash
from yangfan.audit.choices import AuditAction
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_record, audit_record_many, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(django_user_model):
    return django_user_model.objects.create_user("bulk-reporter", password="Reporter-pass-2023")


def test_many_entries_continue_the_chain_and_verify(reporter):
    audit_record(action=AuditAction.LOGIN, actor=reporter)
    appended = audit_record_many(
        [
            {"action": AuditAction.CREATE, "object_repr": f"第{i}项", "changes": {"value": [None, i]}}
            for i in range(5)
        ],
        actor=reporter,
    )
    audit_record(action=AuditAction.LOGOUT, actor=reporter)

    assert appended == 5
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 8))
    assert [e.object_repr for e in entries[1:6]] == [f"第{i}项" for i in range(5)]
    for before, entry in zip([None, *entries], entries, strict=False):
        assert entry.prev_hash == (before.hash if before else GENESIS)
        assert entry.hash == entry_hash(entry.prev_hash, entry.content())
    result = audit_verify()
    assert result.ok and result.checked == 7


def test_each_entry_is_what_audit_record_would_have_written(reporter):
    request = RequestFactory().post("/", REMOTE_ADDR="::ffff:192.0.2.7")
    audit_record_many(
        [
            {"action": "update", "obj": reporter, "changes": {"value": [Decimal("1.50"), Decimal("2")]}},
            {
                "action": "import",
                "object_type": "datavalues.datavalue",
                "object_repr": "x" * 400,
                "detail": "说明",
            },
        ],
        actor=reporter,
        request=request,
    )
    first, second = AuditEntry.objects.order_by("seq")
    assert (first.actor_id, first.actor_username, first.ip) == (reporter.pk, "bulk-reporter", "192.0.2.7")
    assert (first.object_type, first.object_id, first.object_repr) == (
        "accounts.user",
        str(reporter.pk),
        str(reporter),
    )
    assert first.changes == {"value": ["1.50", "2"]}  # decimals as text, exactly as entered
    assert (second.action, second.detail, len(second.object_repr)) == ("import", "说明", 300)
    assert second.object_repr.endswith("…")
    assert first.at == second.at  # appended at one moment


def test_nothing_to_append_writes_nothing(db):
    assert audit_record_many([]) == 0
    assert AuditEntry.objects.count() == 0


def test_an_unknown_action_appends_none_of_the_entries(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record_many([{"action": "create"}, {"action": "rewrite"}])
    assert AuditEntry.objects.count() == 0


def test_the_entries_manager_still_refuses_bulk_create(db):
    from yangfan.audit.models import AuditEntryImmutable

    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.bulk_create([AuditEntry(seq=1, hash="f" * 64)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6))
def test_any_mix_of_single_and_bulk_appends_forms_one_chain(db, sizes):
    """Each size is one append: 0 a single ``audit_record``, n > 0 a batch of n. The trail grows across
    examples (they share the test's transaction), so every check is relative to where it started."""
    start = AuditEntry.objects.count()
    for n, size in enumerate(sizes):
        if size == 0:
            audit_record(action="create", object_repr=f"单条{n}")
        else:
            audit_record_many([{"action": "create", "object_repr": f"批{n}-{i}"} for i in range(size)])
    expected = start + sum(size or 1 for size in sizes)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, expected + 1)
    )
    assert audit_verify().ok
