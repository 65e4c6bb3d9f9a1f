"""Writing entries: who, when, from where, what, old and new values; and the chain they form."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from yangfan.audit.chain import GENESIS
from yangfan.audit.choices import AuditAction
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_record, audit_verify, jsonable, model_changes, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(django_user_model):
    return django_user_model.objects.create_user(
        "xian-reporter", password="Reporter-pass-2023", first_name="张三"
    )


def test_entry_copies_actor_object_and_address(reporter):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
    entry = audit_record(
        action=AuditAction.UPDATE, actor=reporter, obj=reporter, request=request, detail="改名"
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.actor_username) == (reporter.pk, "xian-reporter")
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "accounts.user",
        str(reporter.pk),
        str(reporter),
    )
    assert entry.ip == "192.0.2.10"
    assert entry.action == AuditAction.UPDATE
    assert entry.detail == "改名"
    assert entry.at is not None


def test_explicit_object_fields_override_the_derived_ones(reporter):
    entry = audit_record(
        action=AuditAction.EXPORT, obj=reporter, object_id="xian-reporter", object_repr="导出"
    )
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "accounts.user",
        "xian-reporter",
        "导出",
    )


def test_entry_without_object_or_actor(db):
    entry = audit_record(action=AuditAction.LOGIN_FAILED, object_type="accounts.user", object_id="nobody")
    assert (entry.actor_id, entry.actor_username, entry.ip) == (None, "", "")
    assert entry.object_id == "nobody"


def test_anonymous_actor_is_recorded_as_nobody(db):
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    request.user = AnonymousUser()
    entry = audit_record(action=AuditAction.PERMISSION_DENIED, actor=AnonymousUser(), request=request)
    assert (entry.actor_id, entry.actor_username, entry.ip) == (None, "", "198.51.100.7")


def test_signed_in_user_of_the_request_is_the_actor_when_none_is_given(reporter):
    request = RequestFactory().get("/")
    request.user = reporter
    entry = audit_record(action=AuditAction.EXPORT, request=request)
    assert entry.actor_username == "xian-reporter"


def test_entry_survives_the_deletion_of_its_actor(reporter):
    entry = audit_record(action=AuditAction.LOGIN, actor=reporter, obj=reporter)
    reporter_id = reporter.pk
    reporter.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.actor_username) == (reporter_id, "xian-reporter")
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("2001:DB8::0001", "2001:db8::1"),
        ("not an address", ""),
        ("", ""),
    ],
)
def test_address_is_stored_in_its_normal_form(db, given, stored):
    assert audit_record(action=AuditAction.LOGIN_FAILED, ip=given).ip == stored


def test_explicit_address_wins_over_the_request(db):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert audit_record(action=AuditAction.LOCKOUT, request=request, ip="10.9.9.9").ip == "10.9.9.9"


def test_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="teleport")


def test_long_texts_are_clipped_to_their_columns(db):
    entry = audit_record(action=AuditAction.LOGIN_FAILED, object_id="x" * 500, object_repr="长" * 500)
    assert len(entry.object_id) == 100 and len(entry.object_repr) == 300
    assert audit_verify().ok


def test_chinese_content_round_trips_and_verifies(db):
    changes = {
        "名称": ["西安市", "西安市（含西咸新区）"],
        "目标值": [None, "40.0"],
        "备注": ["", "“引号”与\\反斜杠\n换行"],
    }
    entry = audit_record(
        action=AuditAction.UPDATE, object_repr="指标A1：5G个人用户普及率", changes=changes, detail="说明"
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.changes == changes
    assert stored.object_repr == "指标A1：5G个人用户普及率"
    assert stored.hash == entry.hash
    assert audit_verify().ok


def test_values_that_a_database_would_rewrite_still_verify(db):
    """Floats and NUL characters are stored as text, so the stored JSON is the hashed JSON on every database."""
    changes = {
        "ratio": [0.1, 1e16],
        "nul": ["a\x00b", None],
        "when": [date(2023, 12, 31), datetime(2024, 1, 1, 8)],
    }
    audit_record(action=AuditAction.UPDATE, changes=changes, detail="a\x00b")
    assert audit_verify().ok


def test_many_appends_form_an_unbroken_chain(db):
    entries = [audit_record(action=AuditAction.CREATE, object_repr=f"第{i}项") for i in range(1, 121)]
    assert [e.seq for e in entries] == list(range(1, 121))
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    result = audit_verify()
    assert (result.ok, result.checked, result.last_seq, result.last_hash) == (
        True,
        120,
        120,
        entries[-1].hash,
    )


def test_entries_are_listed_newest_first(db):
    for i in range(3):
        audit_record(action=AuditAction.CREATE, object_repr=str(i))
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [3, 2, 1]


def test_snapshot_gives_json_values_and_never_the_password(reporter):
    state = snapshot(reporter)
    assert "password" not in state
    assert "id" not in state
    assert state["username"] == "xian-reporter"
    assert state["first_name"] == "张三"
    assert state["date_joined"] == reporter.date_joined.isoformat()
    assert state["responsible_unit"] is None
    assert snapshot(reporter, ["username", "password"]) == {"username": "xian-reporter"}


def test_snapshot_gives_foreign_keys_and_many_to_many_as_primary_keys(reporter):
    from yangfan.orgunits.models import OrgUnit

    units = list(OrgUnit.objects.order_by("-pk")[:2])
    if len(units) < 2:
        pytest.skip("needs the bundled plan's org units")
    reporter.capture_org_units.set(units)
    state = snapshot(reporter, ["capture_org_units"])
    assert state == {"capture_org_units": sorted(u.pk for u in units)}


def test_jsonable_converts_decimals_dates_and_models_as_documented(reporter):
    assert jsonable(Decimal("40.50")) == "40.50"
    assert jsonable(date(2023, 12, 31)) == "2023-12-31"
    assert jsonable(reporter) == reporter.pk
    assert jsonable({1: {"b", "a"}}) == {"1": ["a", "b"]}
    assert jsonable((1, 2.5)) == [1, "2.5"]


def test_model_changes_lists_only_what_differs():
    old = {"name": "西安", "target": "40", "same": 1}
    new = {"name": "西安市", "target": "40", "same": 1, "added": True}
    assert model_changes(old, new) == {"added": [None, True], "name": ["西安", "西安市"]}


def test_model_changes_of_a_creation_and_a_deletion():
    assert model_changes({}, {"code": "A1", "empty": None}) == {"code": [None, "A1"]}
    assert model_changes({"code": "A1"}, {}) == {"code": ["A1", None]}
    assert model_changes({"d": Decimal("1.0")}, {"d": "1.0"}) == {}
