"""The hash chain in plain Python: no database, milliseconds."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    canonical_json,
    entry_content,
    entry_hash,
    timestamp,
    verify_chain,
)

T0 = datetime(2023, 12, 31, 16, 0, tzinfo=UTC)


def _content(seq: int, **overrides) -> dict:
    values = {
        "seq": seq,
        "at": T0 + timedelta(seconds=seq),
        "actor_id": 7,
        "actor_username": "xian-reporter",
        "action": "update",
        "object_type": "actionplans.task",
        "object_id": str(seq),
        "object_repr": "加快5G网络建设",
        "changes": {"status": ["进行中", "已完成"]},
        "ip": "10.0.0.1",
        "detail": "",
    }
    values.update(overrides)
    return values


def _chain(length: int) -> list[dict]:
    rows, prev = [], GENESIS
    for seq in range(1, length + 1):
        values = _content(seq)
        digest = entry_hash(prev, entry_content(**values))
        rows.append({**values, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def test_hash_is_sha256_of_previous_hash_and_canonical_json():
    content = entry_content(**_content(1))
    expected = hashlib.sha256((GENESIS + canonical_json(content)).encode("utf-8")).hexdigest()
    assert entry_hash(GENESIS, content) == expected
    assert len(expected) == 64


def test_hash_is_deterministic_whatever_the_key_order():
    content = entry_content(**_content(1, changes={"b": [1, 2], "a": [None, "甲"]}))
    reordered = dict(reversed(list(content.items())))
    reordered["changes"] = {"a": [None, "甲"], "b": [1, 2]}
    assert entry_hash(GENESIS, content) == entry_hash(GENESIS, reordered)


def test_hash_of_a_known_entry_never_changes():
    """A fixed vector: changing what is hashed (or how) would orphan every stored chain."""
    content = entry_content(**_content(1))
    assert canonical_json(content) == (
        '{"action":"update","actor_id":7,"actor_username":"xian-reporter","at":"2023-12-31T16:00:01.000000+00:00",'
        '"changes":{"status":["进行中","已完成"]},"detail":"","ip":"10.0.0.1","object_id":"1",'
        '"object_repr":"加快5G网络建设","object_type":"actionplans.task","seq":1}'
    )
    assert (
        entry_hash(GENESIS, content)
        == hashlib.sha256((GENESIS + canonical_json(content)).encode("utf-8")).hexdigest()
    )


def test_canonical_json_keeps_chinese_and_has_no_whitespace():
    assert canonical_json({"名称": "西安市", "b": [1, 2]}) == '{"b":[1,2],"名称":"西安市"}'


def test_timestamp_is_utc_with_microseconds_whatever_the_zone():
    beijing = timezone(timedelta(hours=8))
    assert timestamp(datetime(2024, 1, 1, 8, 0, tzinfo=beijing)) == "2024-01-01T00:00:00.000000+00:00"
    assert timestamp(datetime(2024, 1, 1, 0, 0, 0, 42, tzinfo=UTC)) == "2024-01-01T00:00:00.000042+00:00"


def test_naive_timestamp_is_refused():
    with pytest.raises(ValueError):
        timestamp(datetime(2024, 1, 1))


def test_every_content_field_is_covered_by_the_hash():
    base = _content(1)
    digest = entry_hash(GENESIS, entry_content(**base))
    for name in HASHED_FIELDS:
        changed = dict(base)
        changed[name] = T0 + timedelta(microseconds=1) if name == "at" else ("x" if name != "seq" else 2)
        assert entry_hash(GENESIS, entry_content(**changed)) != digest, name


def test_intact_chain_verifies():
    result = verify_chain(_chain(20))
    assert result.ok
    assert result.checked == 20
    assert result.problems == []
    assert result.last_seq == 20


def test_empty_chain_verifies():
    result = verify_chain([])
    assert result.ok and result.checked == 0 and result.last_hash == GENESIS


def test_edited_entry_is_reported_at_its_seq():
    rows = _chain(10)
    rows[3]["object_repr"] = "篡改后的对象"
    result = verify_chain(rows)
    assert not result.ok
    assert result.problems == [(4, "第 4 条记录的内容与其哈希不符：记录已被修改")]


def test_edited_and_rehashed_entry_breaks_the_link_to_the_next():
    rows = _chain(10)
    rows[3]["detail"] = "改过"
    rows[3]["hash"] = entry_hash(
        rows[3]["prev_hash"], entry_content(**{n: rows[3][n] for n in HASHED_FIELDS})
    )
    result = verify_chain(rows)
    assert [seq for seq, _ in result.problems] == [5]
    assert "不衔接" in result.problems[0][1]


def test_removed_entry_is_reported_as_missing():
    rows = _chain(10)
    del rows[4]
    result = verify_chain(rows)
    assert result.problems == [(5, "第 5 条记录缺失：已被删除")]
    assert result.checked == 9


def test_removed_range_and_removed_first_entry_are_reported():
    rows = _chain(10)
    del rows[5:8]  # 6, 7, 8
    del rows[0]
    result = verify_chain(rows)
    assert result.problems == [(1, "第 1 条记录缺失：已被删除"), (6, "第 6 至 8 条记录缺失：已被删除")]


def test_every_problem_is_reported_not_only_the_first():
    rows = _chain(10)
    rows[1]["changes"] = {}
    rows[6]["ip"] = "203.0.113.9"
    result = verify_chain(rows)
    assert [seq for seq, _ in result.problems] == [2, 7]
    assert result.first_problem[0] == 2


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_canonical_json_is_json_dumps_with_the_canonical_options(value):
    # one encoder serves every call; its text must stay the one the stored hashes were computed over
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    assert canonical_json(value) == expected
