"""Writing notifications and webhook endpoints.

The apps above call :func:`notify` when something starts waiting for people (a report submitted for review, a
report returned, a notice issued, a review assigned) and :func:`notifications_done` when it has been handled (the
report approved, the review submitted), inside their own transaction: the notification, its e-mail job and its
webhook deliveries exist exactly when the change that caused them does.

What is audited: :func:`notify` (who was told what: one entry per call that told anyone), a user closing an item
(:func:`notification_done`), and the webhook endpoints (:func:`webhook_endpoint_create`,
:func:`webhook_endpoint_disable`). Not audited: :func:`notifications_done` (it follows an action that is
audited itself) and :func:`notification_read` (a reading mark: an entry per opened item would fill the trail
and renew every kept page part, which is keyed by the trail's head).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import require
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.notifications.choices import DeliveryStatus, NotificationKind
from yangfan.notifications.mail import email_enabled
from yangfan.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from yangfan.notifications.tasks import delivery_enqueue, notifications_email
from yangfan.notifications.webhooks import deliveries_queue, secret_new, url_problem

TITLE_MAX = Notification._meta.get_field("title").max_length
OBJECT_TYPE = "notifications.notification"


@transaction.atomic
def notify(
    *,
    users: Iterable,
    kind: NotificationKind | str,
    title: str,
    url: str,
    subject: str,
    org_unit=None,
    detail: str = "",
) -> list[Notification]:
    """Tell each of ``users`` (the inactive left out) that ``subject`` waits for them; returns the notifications
    created. Idempotent while open: a user who already has an open notification of this ``kind`` and ``subject``
    gets no second one. Each new one is e-mailed to a recipient with an address when SMTP is configured, and
    queued for every webhook endpoint covering ``org_unit``.

    ``subject`` is a stable key of the waiting thing (``"submission:12"``, ``"notice:3"``); ``url`` the page where
    it is handled (a path of this site); ``org_unit`` where it happened (the unit whose webhooks receive it)."""
    kind = NotificationKind(kind)
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if not recipients:
        return []
    already = set(
        Notification.objects.filter(
            kind=kind, subject=subject, done_at__isnull=True, recipient_id__in=recipients
        ).values_list("recipient_id", flat=True)
    )
    title = title.strip()[:TITLE_MAX]
    created = _create(
        [
            Notification(
                recipient=user,
                kind=kind,
                title=title,
                detail=detail.strip(),
                url=url,
                org_unit=org_unit,
                subject=subject,
            )
            for pk, user in sorted(recipients.items())
            if pk not in already
        ]
    )
    if not created:
        return []
    deliveries = deliveries_queue(created)
    audit_record(
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        object_id=subject,
        object_repr=title,
        changes={"recipients": [None, [n.recipient.username for n in created]]},
        detail=kind.label,
    )
    # the jobs are rows of this transaction (the database queue): they exist only if it commits
    if email_enabled() and any(n.recipient.email for n in created):
        notifications_email.enqueue([n.pk for n in created])
    for delivery in deliveries:
        delivery_enqueue(delivery)
    return created


def _create(new: list[Notification]) -> list[Notification]:
    """Insert ``new`` at once; should another process have opened one of them meanwhile (the database allows one
    open notification per user, kind and subject), insert them one by one and skip those."""
    if not new:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(new)
    except IntegrityError:
        created = []
        for notification in new:
            notification.pk = None
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
            created.append(notification)
        return created


def notifications_done(
    *, subject: str, kinds: Iterable[NotificationKind | str] | None = None, recipients: Iterable | None = None
) -> int:
    """The waiting thing ``subject`` was handled: close its open notifications (of ``kinds``, for
    ``recipients``, when given) for everyone; returns how many. A report approved closes 「待审核」 for every
    reviewer who was told, not only for the one who approved it."""
    open_ = Notification.objects.filter(subject=subject, done_at__isnull=True)
    if kinds is not None:
        open_ = open_.filter(kind__in=[NotificationKind(k) for k in kinds])
    if recipients is not None:
        open_ = open_.filter(recipient__in=list(recipients))
    return open_.update(done_at=timezone.now())


def _own(actor, notification: Notification) -> None:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied  # the inbox's pages find only the user's own: another's id is a 404 there


def notification_read(*, actor, notification: Notification) -> Notification:
    """Mark the user's own notification read (once: the first reading time stays)."""
    _own(actor, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notification_done(*, actor, notification: Notification, request=None) -> Notification:
    """The user closes their own notification by hand (handled elsewhere, or nothing to do)."""
    _own(actor, notification)
    if notification.done_at is not None:
        return notification
    now = timezone.now()
    notification.done_at = now
    notification.read_at = notification.read_at or now
    notification.save(update_fields=["done_at", "read_at"])
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=notification,
        changes={"done_at": [None, now]},
        request=request,
    )
    return notification


# --- webhook endpoints -----------------------------------------------------------------------------------------


def webhook_endpoint_create(*, actor, org_unit, url: str, request=None) -> tuple[WebhookEndpoint, str]:
    """A receiver of the notifications of ``org_unit`` (and the units counted in it), for an office that
    configures that unit (``notifications.configure``: the province any, a city's office its city's). Returns the
    endpoint and its signing secret, which the page shows this once. A URL that is not http(s) is refused with
    the reason and nothing is saved. (The permission is checked before the transaction, so that a refusal stays
    in the trail.)"""
    require(actor, "notifications.configure", org_unit, request=request)
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise ValidationError(problem, code="url")
    secret = secret_new()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(org_unit=org_unit, url=url, secret=secret, created_by=actor)
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=endpoint,
            changes={"org_unit": [None, org_unit.code], "url": [None, url]},  # never the secret
            request=request,
        )
    return endpoint, secret


def webhook_endpoint_disable(*, actor, endpoint: WebhookEndpoint, request=None) -> WebhookEndpoint:
    """Stop an endpoint: nothing more is queued for it, and what was still waiting for it is marked failed."""
    require(actor, "notifications.configure", endpoint, request=request)
    if not endpoint.active:
        return endpoint
    with transaction.atomic():
        endpoint.active, endpoint.disabled_at = False, timezone.now()
        endpoint.save(update_fields=["active", "disabled_at"])
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_try_at=None, last_error=_("推送接口已停用")
        )
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=endpoint,
            changes={"active": [True, False]},
            request=request,
        )
    return endpoint
