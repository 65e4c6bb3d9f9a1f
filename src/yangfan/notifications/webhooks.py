"""Outgoing webhooks: each new notification of a unit is POSTed, as JSON, to every active endpoint configured for
that unit or a unit it is counted in (a province's endpoint receives every city's and county's), so that a
province or a city can forward it to its government messaging platform.

The request is signed, so that the receiver can tell it came from us and was not replayed:

    X-Yangfan-Timestamp: <unix seconds>
    X-Yangfan-Signature: sha256=<hex HMAC-SHA256 of b"<timestamp>." + body, keyed with the endpoint's secret>

A delivery that fails (no answer within ``TIMEOUT_SECONDS``, an answer other than 2xx, a redirect) is tried again
after 1 minute, 10 minutes, 1 hour and 6 hours; after the fifth failure it is marked failed. Every attempt is
counted on its ``WebhookDelivery`` with the last error. The sending is the task worker's (``tasks``); the web
request that caused the notification only queues it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.notifications.choices import DeliveryStatus
from yangfan.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from yangfan.orgunits.selectors import covered_unit_ids, unit_links

BACKOFF = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1  # the first try and four retries
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Yangfan-Signature"
TIMESTAMP_HEADER = "X-Yangfan-Timestamp"
DELIVERY_HEADER = "X-Yangfan-Delivery"  # the same on every retry: a receiver drops a repeat by it
ERROR_KEPT = 500  # characters of an error (or of the receiver's answer) kept on the delivery


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint (in Chinese), or ``None``: only http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return _(
            "推送地址须是以 http:// 或 https:// 开头的完整网址，例如 https://im.example.gov.cn/hooks/yangfan。"
        )
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        return _("推送地址过长（最多 500 个字符）。")
    return None


def secret_new() -> str:
    return secrets.token_hex(32)


def payload_of(notification: Notification) -> dict:
    """What a receiver gets: the notification's id, kind, title, absolute link, unit code, time and recipient."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "url": notification.absolute_url(),
        "org_unit": notification.org_unit.code if notification.org_unit_id else None,
        "created_at": notification.created_at.isoformat(),
        "recipient": notification.recipient.username,
    }


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``b"<timestamp>." + body`` keyed with ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def deliveries_queue(notifications: list[Notification]) -> list[WebhookDelivery]:
    """Record a pending delivery of each notification to each active endpoint whose unit covers the
    notification's unit (the statistical tree, read once). A notification placed at no unit goes to none."""
    placed = [n for n in notifications if n.org_unit_id]
    if not placed:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    if not endpoints:
        return []
    links = unit_links()
    covers = {e.pk: covered_unit_ids([e.org_unit_id], links=links) for e in endpoints}
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, notification=n, payload=payload_of(n))
        for n in placed
        for e in endpoints
        if n.org_unit_id in covers[e.pk]
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: the endpoint is configured with the receiver's final address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> str | None:
    """POST ``body``; ``None`` on a 2xx answer, else what went wrong."""
    try:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        answer = exc.read(ERROR_KEPT).decode("utf-8", "replace").strip() if exc.fp else ""
        return f"HTTP {exc.code}" + (f": {answer}" if answer else "")
    except urllib.error.URLError as exc:
        return str(exc.reason)[:ERROR_KEPT]
    except (OSError, ValueError) as exc:  # timeouts, resets, a malformed address
        return (str(exc) or type(exc).__name__)[:ERROR_KEPT]


def webhook_attempt(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Try ``delivery`` once (outside any transaction: a slow receiver holds no lock) and record the attempt:
    delivered, failed for good (the last try, or the endpoint was disabled), or pending with its next try."""
    endpoint = delivery.endpoint
    now = now or timezone.now()
    if endpoint.active:
        body = body_of(delivery.payload)
        timestamp = str(int(now.timestamp()))
        error = _post(
            endpoint.url,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Yangfan-Webhook/1",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
                DELIVERY_HEADER: str(delivery.pk),
            },
        )
    else:
        error = _("推送接口已停用")
    with transaction.atomic():
        delivery.attempts += 1
        delivery.last_attempt_at = now
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_try_at = DeliveryStatus.DELIVERED, now, None
            delivery.last_error = ""
        else:
            delivery.last_error = error[:ERROR_KEPT]
            if delivery.attempts >= MAX_ATTEMPTS or not endpoint.active:
                delivery.status, delivery.next_try_at = DeliveryStatus.FAILED, None
            else:
                delivery.next_try_at = now + BACKOFF[delivery.attempts - 1]
        delivery.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "status",
                "delivered_at",
                "next_try_at",
                "last_error",
            ]
        )
    return delivery
