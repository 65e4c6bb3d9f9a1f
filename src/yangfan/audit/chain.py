"""The hash chain of the audit trail, in plain Python (no Django): what is hashed, how, and how a chain is checked.

Each entry's ``hash`` is SHA-256 over the previous entry's hash followed by the canonical JSON of the entry's
content. Appending (``services.audit_record``) and checking (``services.audit_verify``) both call
:func:`entry_hash` on :func:`entry_content`, so the two can never disagree about what an entry's hash covers.

What the chain proves: an entry whose content was edited no longer matches its hash; an entry that was
removed leaves a gap in ``seq`` and a ``prev_hash`` that no longer matches; an entry edited *and* re-hashed
breaks the link to the next one. What it cannot prove on its own: that the newest entries were not cut off
the end. ``VerifyResult.last_seq``/``last_hash`` are there to be written down elsewhere (a report, a ticket)
and compared on the next check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64  # the prev_hash of entry 1
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "detail",
)


# one encoder for every call: json.dumps with these options would build a new one each time
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no whitespace, Chinese kept as is."""
    return _CANONICAL.encode(value)


@lru_cache(maxsize=16)  # a bulk append stamps thousands of entries with one moment
def timestamp(at: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC, always with microseconds: ``2023-12-31T16:00:00.000000+00:00``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_content(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    ip: str,
    detail: str,
) -> dict[str, Any]:
    """The part of an entry its hash covers, as JSON-able values."""
    return {
        "seq": seq,
        "at": timestamp(at),
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": str(action),
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "ip": ip,
        "detail": detail,
    }


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over ``prev_hash`` followed by the canonical JSON of ``content``, UTF-8 encoded."""
    text = canonical_json(content if type(content) is dict else dict(content))
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking a chain: ``problems`` lists ``(seq, message)`` in ``seq`` order."""

    ok: bool
    checked: int
    problems: list[tuple[int, str]] = field(default_factory=list)
    last_seq: int = 0
    last_hash: str = GENESIS

    @property
    def first_problem(self) -> tuple[int, str] | None:
        return self.problems[0] if self.problems else None


def verify_chain(rows: Iterable[Mapping[str, Any]]) -> VerifyResult:
    """Check entries given in ascending ``seq`` order (mappings with HASHED_FIELDS, ``prev_hash`` and ``hash``).

    Reports every problem, not only the first: each missing range of ``seq``, each entry whose content no
    longer matches its hash, and each entry whose ``prev_hash`` is not the hash of the entry before it.
    """
    problems: list[tuple[int, str]] = []
    checked, expected_seq, prev_seq, prev_hash = 0, 1, 0, GENESIS
    for row in rows:
        checked += 1
        seq = row["seq"]
        gap = seq != expected_seq
        if gap:
            if seq - expected_seq == 1:
                problems.append((expected_seq, f"第 {expected_seq} 条记录缺失：已被删除"))
            else:
                problems.append((expected_seq, f"第 {expected_seq} 至 {seq - 1} 条记录缺失：已被删除"))
        elif row["prev_hash"] != prev_hash:
            before = f"第 {prev_seq} 条记录" if prev_seq else "链首"
            problems.append((seq, f"记录的前序哈希与{before}的哈希不衔接：前一条记录被改动或替换"))
        content = entry_content(**{name: row[name] for name in HASHED_FIELDS})
        if entry_hash(row["prev_hash"], content) != row["hash"]:
            problems.append((seq, f"第 {seq} 条记录的内容与其哈希不符：记录已被修改"))
        expected_seq, prev_seq, prev_hash = seq + 1, seq, row["hash"]
    return VerifyResult(
        ok=not problems, checked=checked, problems=problems, last_seq=prev_seq, last_hash=prev_hash
    )
