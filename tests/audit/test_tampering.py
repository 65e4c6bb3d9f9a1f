"""Someone with database access lifts the triggers and edits or removes entries: ``audit_verify`` says which."""

from __future__ import annotations

import pytest
from django.db import connection

from yangfan.audit.chain import entry_hash
from yangfan.audit.choices import AuditAction
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def trail(db):
    for i in range(1, 11):
        audit_record(
            action=AuditAction.UPDATE, object_repr=f"任务{i}", changes={"状态": ["未开始", "进行中"]}
        )
    assert audit_verify().ok


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def test_edited_changes_are_reported_at_their_seq(trail, suspended_guards):
    with suspended_guards():
        _execute(
            f"UPDATE {TABLE} SET changes = {_json_param()} WHERE seq = 4", ['{"状态": ["未开始", "已完成"]}']
        )
    result = audit_verify()
    assert not result.ok
    assert result.problems == [(4, "第 4 条记录的内容与其哈希不符：记录已被修改")]


def test_edited_actor_is_reported(trail, suspended_guards):
    with suspended_guards():
        _execute(f"UPDATE {TABLE} SET actor_username = 'someone-else' WHERE seq = 7")
    assert [seq for seq, _ in audit_verify().problems] == [7]


def test_edited_and_rehashed_entry_is_reported_at_the_next_one(trail, suspended_guards):
    entry = AuditEntry.objects.get(seq=4)
    entry.object_repr = "任务4（改）"
    forged = entry_hash(entry.prev_hash, entry.content())
    with suspended_guards():
        _execute(f"UPDATE {TABLE} SET object_repr = %s, hash = %s WHERE seq = 4", ["任务4（改）", forged])
    result = audit_verify()
    assert [seq for seq, _ in result.problems] == [5]
    assert "不衔接" in result.problems[0][1]


def test_removed_middle_entry_is_reported_as_removed(trail, suspended_guards):
    with suspended_guards():
        _execute(f"DELETE FROM {TABLE} WHERE seq = 5")
    result = audit_verify()
    assert result.checked == 9
    assert result.problems == [(5, "第 5 条记录缺失：已被删除")]


def test_edit_and_removal_are_both_reported(trail, suspended_guards):
    with suspended_guards():
        _execute(f"DELETE FROM {TABLE} WHERE seq IN (2, 3)")
        _execute(f"UPDATE {TABLE} SET detail = '补记' WHERE seq = 9")
    result = audit_verify()
    assert result.problems == [
        (2, "第 2 至 3 条记录缺失：已被删除"),
        (9, "第 9 条记录的内容与其哈希不符：记录已被修改"),
    ]


def test_triggers_refuse_again_once_restored(trail, suspended_guards):
    from django.db import DatabaseError, transaction

    with suspended_guards():
        pass
    with pytest.raises(DatabaseError), transaction.atomic():
        _execute(f"DELETE FROM {TABLE} WHERE seq = 1")
    assert audit_verify().ok
