"""Writing the audit trail and checking it.

Every service that changes data calls :func:`audit_record` inside its own transaction, so the entry exists
exactly when the change does. :func:`snapshot` and :func:`model_changes` give it the old and new values.

Appending is serialised: entry ``n + 1`` must read entry ``n``'s hash. On PostgreSQL a transaction-scoped
advisory lock does that (held until the caller's transaction ends, so call ``audit_record`` at the end of a
long transaction, not at its start); SQLite's IMMEDIATE transactions (settings.py) already let one writer
in at a time. The unique ``seq`` is the backstop should either ever fail.

:func:`audit_record_many` appends many entries at once (a large import writes one per value): the same
lock, the same ``seq`` rules and the same hash, computed in Python, then one bulk insert. It is the only
writer besides :func:`_append`, so the chain stays one chain.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

from yangfan.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    VerifyResult,
    entry_content,
    entry_hash,
    verify_chain,
)
from yangfan.audit.choices import AuditAction
from yangfan.audit.models import AuditEntry

ADVISORY_LOCK_KEY = 0x59464155  # "YFAU": the one lock every audit append takes on PostgreSQL
ACTIONS = frozenset(AuditAction.values)
BULK_BATCH = 2000  # entries per INSERT in audit_record_many
SECRET_FIELDS = frozenset(
    {"password"}
)  # never copied into the trail, even when a snapshot asks for all fields


def audit_record(
    *,
    action: AuditAction | str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    request=None,
    ip: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append one entry to the trail and return it.

    ``actor`` is a user, ``None`` or an anonymous user (then the request's user, when signed in, is taken);
    only its id and username are kept. ``obj`` gives the object's type label (``actionplans.task``), primary
    key and text; explicit ``object_type``/``object_id``/``object_repr`` override them. The address is
    ``ip`` or else the request's ``REMOTE_ADDR``. ``changes`` is ``{field: [old, new]}``
    (see :func:`model_changes`).
    """
    if not _signed_in(actor) and request is not None:
        actor = getattr(request, "user", None)
    return _append(
        **_actor_fields(actor, request, ip),
        **_entry_fields(
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=changes,
            detail=detail,
        ),
    )


def audit_record_many(
    entries: Sequence[Mapping[str, Any]], *, actor=None, request=None, ip: str | None = None
) -> int:
    """Append one entry per mapping in ``entries``, in order, in one go; return how many were appended.

    Each mapping takes the per-entry arguments of :func:`audit_record` (``action``, and optionally ``obj``,
    ``object_type``, ``object_id``, ``object_repr``, ``changes``, ``detail``); the actor and the address are
    common to all, as they are for one import. The entries get consecutive ``seq`` numbers, one timestamp
    (they are appended at one moment), and hashes computed as :func:`audit_record` computes them
    (``chain.entry_content`` and ``chain.entry_hash``), so :func:`audit_verify` checks them like any other. Call it inside the transaction of the change it
    records, at its end: on PostgreSQL the advisory lock is held until that transaction ends.
    """
    if not _signed_in(actor) and request is not None:
        actor = getattr(request, "user", None)
    common = _actor_fields(actor, request, ip)
    # every entry is checked before the lock is taken: one bad entry appends none of them
    prepared = [_entry_fields(**entry) for entry in entries]
    if not prepared:
        return 0
    with _chain_end() as (connection, seq, prev_hash):
        at = timezone.now()
        columns = [*HASHED_FIELDS, "prev_hash", "hash"]
        # the timestamp and the JSON as their fields prepare them for the database (one moment for all)
        at_prepared = AuditEntry._meta.get_field("at").get_db_prep_save(at, connection)
        encoder = AuditEntry._meta.get_field("changes").encoder
        adapt_json = connection.ops.adapt_json_value
        rows = []
        for fields in prepared:
            content = entry_content(seq=seq, at=at, **common, **fields)
            digest = entry_hash(prev_hash, content)
            stored = {**content, "at": at_prepared, "changes": adapt_json(content["changes"], encoder)}
            rows.append((*[stored[name] for name in HASHED_FIELDS], prev_hash, digest))
            seq, prev_hash = seq + 1, digest
        _insert(connection, columns, rows)
    return len(rows)


def audit_verify() -> VerifyResult:
    """Recompute every entry's hash in ``seq`` order and report each edited or removed entry."""
    rows = (
        AuditEntry.objects.order_by("seq")
        .values(*HASHED_FIELDS, "prev_hash", "hash")
        .iterator(chunk_size=2000)
    )
    return verify_chain(rows)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The values of ``fields`` (default: every concrete field but the primary key) as JSON-able values.

    Foreign keys give the related primary key, many-to-many fields the sorted primary keys; decimals are
    text (exactly as entered), dates and times ISO 8601. Passwords are never included.
    """
    opts = instance._meta
    if fields is None:
        fields = [f.name for f in opts.concrete_fields if not f.primary_key]
    state = {}
    for name in fields:
        if name in SECRET_FIELDS:
            continue
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:  # a property or plain attribute
            state[name] = jsonable(getattr(instance, name))
            continue
        if field.many_to_many:
            state[name] = sorted(jsonable(o.pk) for o in field.value_from_object(instance))
        elif field.concrete:
            state[name] = jsonable(field.value_from_object(instance))
        else:  # a reverse relation: not part of this object's state
            continue
    return state


def model_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs; a field missing on one side is ``None``.

    ``model_changes({}, snapshot(obj))`` describes a creation, ``model_changes(snapshot(obj), {})`` a deletion.
    """
    changes = {}
    for name in sorted(set(old) | set(new), key=str):
        before, after = jsonable(old.get(name)), jsonable(new.get(name))
        if before != after:
            changes[str(name)] = [before, after]
    return changes


def jsonable(value: Any) -> Any:
    """A value as the JSON the trail stores and hashes, so that what is read back is what was hashed.

    Floats become text too: a database's JSON type may print a float differently from Python (PostgreSQL
    writes ``1e+16`` as ``10000000000000000``), and the hash must survive the round trip.
    """
    kind = type(value)
    # the common cases first, by exact type: an import's changes are dicts of lists of text and None
    if kind is str:
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if value is None:
        return None
    if kind is list:  # [old, new] of text or None, inline
        return [v if v is None or (type(v) is str and "\x00" not in v) else jsonable(v) for v in value]
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str | Promise):
        return str(value).replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, models.Model):
        return jsonable(value.pk)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=lambda v: (type(v).__name__, str(v)))
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return jsonable(str(value))


@contextmanager
def _chain_end():
    """Inside a transaction that holds the append lock: the write connection, the next ``seq`` and the hash
    the next entry chains to."""
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        last = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        yield (connection, last[0] + 1, last[1]) if last else (connection, 1, GENESIS)


def _append(**fields: Any) -> AuditEntry:
    with _chain_end() as (connection, seq, prev_hash):
        entry = AuditEntry(seq=seq, at=timezone.now(), prev_hash=prev_hash, **fields)
        entry.hash = entry_hash(prev_hash, entry.content())
        entry.save(using=connection.alias, force_insert=True)
    return entry


def _insert(connection, columns: list[str], rows: list[tuple]) -> None:
    """INSERT the entries (tuples of ``columns``, prepared for the database) with ``executemany`` in batches.
    AuditEntry's own manager refuses ``bulk_create`` so that nothing else can insert entries around the chain;
    this is the one bulk writer, called with the chain just computed."""
    opts = AuditEntry._meta
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(opts.db_table),
        ", ".join(connection.ops.quote_name(opts.get_field(name).column) for name in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BULK_BATCH):
            cursor.executemany(sql, rows[start : start + BULK_BATCH])


def _entry_fields(
    *,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    detail: str = "",
) -> dict[str, Any]:
    """The fields of one entry that describe what happened, as :func:`audit_record` documents them."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or str(obj)
    return {
        "action": str(action),
        "object_type": _clip(object_type, 100),
        "object_id": _clip(str(object_id), 100),
        "object_repr": _clip(str(object_repr), 300),
        "changes": jsonable(dict(changes)) if changes else {},
        "detail": _clip(str(detail), None),
    }


def _actor_fields(actor, request, ip: str | None) -> dict[str, Any]:
    """Who and from where: the actor's id and username (when signed in) and the address."""
    return {
        "actor_id": actor.pk if _signed_in(actor) else None,
        "actor_username": _clip(actor.get_username(), 150) if _signed_in(actor) else "",
        "ip": _address(ip if ip else (request.META.get("REMOTE_ADDR", "") if request is not None else "")),
    }


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.pk is not None


def _clip(text: str, length: int | None) -> str:
    text = text.replace("\x00", "\ufffd")
    return text if length is None or len(text) <= length else text[: length - 1] + "…"


def _address(raw: str) -> str:
    """A valid IP address in its normal text form (IPv4-mapped IPv6 as IPv4), or "" when there is none."""
    try:
        address = ipaddress.ip_address(str(raw).strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return _clip(str(address), 45)
