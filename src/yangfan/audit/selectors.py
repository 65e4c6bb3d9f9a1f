"""Reads of the audit trail. Who may read it is the views' question (``audit.read``); these only filter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from yangfan.audit.models import AuditEntry


def audit_entry_list(
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
) -> QuerySet[AuditEntry]:
    """Entries, newest first, narrowed by each filter that is given.

    ``actor`` matches part of the username; ``q`` part of the object's text, its identifier or the detail;
    dates are days in the site's time zone, both ends included.
    """
    entries = AuditEntry.objects.order_by("-seq")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_username__icontains=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if date_from:  # as a range of instants, so that the index on ``at`` serves it
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    if q:
        entries = entries.filter(
            Q(object_repr__icontains=q) | Q(object_id__icontains=q) | Q(detail__icontains=q)
        )
    return entries


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_object_types() -> list[str]:
    """The object types that occur in the trail, for the filter's choices."""
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def trail_head() -> str:
    """The hash of the trail's latest entry (``chain.GENESIS`` while it is empty), in one indexed read.

    Every service writes its audit entry in the transaction of its change, so this changes exactly when a
    committed change happens, and, being the end of a hash chain, names the whole history before it: what was
    computed under one head is true for as long as the head is the same (``audit.fragments``)."""
    from yangfan.audit.chain import GENESIS

    return AuditEntry.objects.order_by("-seq").values_list("hash", flat=True).first() or GENESIS
