"""Reading the inbox (待办) and the webhook configuration.

The inbox is one list: the user's open notifications, and what other apps keep waiting for the user in their own
tables (collection's 催报 reminders), which they add as an *inbox source* when they are ready
(:func:`inbox_source_register`): this app sits below them and imports none of their code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from yangfan.accounts.permissions import restrict
from yangfan.notifications.models import Notification, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class InboxItem:
    """A row of the inbox that is not a notification (a source's item): what, where, since when, by when."""

    kind: str  # the label of its kind, e.g. 「催报」
    title: str
    url: str
    org_unit: str  # the unit's name
    at: date | datetime
    deadline: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class InboxSource:
    """``count(user)`` in one query, for the top bar; ``items(user)``: the rows, for the inbox page."""

    count: Callable[[object], int]
    items: Callable[[object], list[InboxItem]]


_sources: list[InboxSource] = []


def inbox_source_register(
    *, count: Callable[[object], int], items: Callable[[object], list[InboxItem]]
) -> None:
    """Add what an app above keeps waiting for users to the inbox and its count (once, from its ``ready``)."""
    source = InboxSource(count=count, items=items)
    if source not in _sources:
        _sources.append(source)


def inbox_sources() -> list[InboxSource]:
    return list(_sources)


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's open notifications, newest first (only their own: every page of the inbox reads through this or
    :func:`notification_mine`)."""
    return Notification.objects.filter(recipient=user, done_at__isnull=True).select_related("org_unit")


def notification_mine(*, user) -> QuerySet[Notification]:
    """Every notification of the user, open or done: where an item is looked up by its id."""
    return Notification.objects.filter(recipient=user)


def inbox_items(*, user) -> list[InboxItem]:
    """The sources' rows for the user (催报 first: they have deadlines)."""
    return [item for source in _sources for item in source.items(user)]


def inbox_count(*, user) -> int:
    """What waits for the user: open notifications plus the sources' items; one query each."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_list(user=user).count() + sum(source.count(user) for source in _sources)


def endpoint_list(*, actor) -> QuerySet[WebhookEndpoint]:
    """The webhook endpoints of the units ``actor`` configures (``notifications.configure``)."""
    return restrict(WebhookEndpoint.objects.all(), actor, "notifications.configure").select_related(
        "org_unit", "created_by"
    )


def delivery_list(*, actor, limit: int = 20) -> list[WebhookDelivery]:
    """The latest deliveries to those endpoints, for the configuration page."""
    return list(
        WebhookDelivery.objects.filter(endpoint__in=endpoint_list(actor=actor))
        .select_related("endpoint", "endpoint__org_unit")
        .order_by("-created_at", "-pk")[:limit]
    )
