"""Webhooks: a unit's notifications are POSTed as signed JSON to the endpoints configured for it and the units it
is counted in; a failing receiver is tried again later, each attempt recorded, and given up after the fifth; an
address that is not http(s) is refused and nothing is saved."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yangfan.audit.models import AuditEntry
from yangfan.notifications import webhooks
from yangfan.notifications.choices import DeliveryStatus, NotificationKind
from yangfan.notifications.models import WebhookDelivery, WebhookEndpoint
from yangfan.notifications.services import (
    notify,
    webhook_endpoint_create,
    webhook_endpoint_disable,
)
from yangfan.notifications.tasks import webhook_deliver
from yangfan.orgunits.models import OrgUnit


def unit(code):
    return OrgUnit.objects.get(code=code)


class Receiver:
    """A real HTTP server on a free local port: answers ``status`` and keeps what it was sent."""

    def __init__(self):
        self.status = 200
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"receiver says no" if receiver.status >= 400 else b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/yangfan"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the local receiver is reached directly
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def office(make_user):
    return make_user("province")


def announce(recipient, org="610116", subject="submission:7"):
    """A notification placed at ``org`` (长安区, in 西安, by default)."""
    [notification] = notify(
        users=[recipient],
        kind=NotificationKind.REPORT_RETURNED,
        title="报送被退回：地市季报 · 长安区 · 2023Q4",
        url="/collection/submissions/7/",
        subject=subject,
        org_unit=unit(org),
    )
    return notification


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (README): recompute the signature over "<timestamp>." + body and compare."""
    timestamp = headers["X-Yangfan-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers["X-Yangfan-Signature"])


@override_settings(YANGFAN_BASE_URL="https://yangfan.example.gov.cn")
def test_a_notification_is_posted_signed_to_the_units_endpoint(office, receiver):
    _endpoint, secret = webhook_endpoint_create(actor=office, org_unit=unit("610100"), url=receiver.url)
    notification = announce(office)
    [delivery] = WebhookDelivery.objects.filter(notification=notification)
    assert webhook_deliver.call(delivery.pk) == {"status": "delivered", "attempts": 1}

    [(headers, body)] = receiver.received
    assert verify(secret, headers, body)
    assert not verify("another-secret", headers, body)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    sent = json.loads(body)
    assert sent == {
        "id": notification.pk,
        "kind": "report_returned",
        "title": "报送被退回：地市季报 · 长安区 · 2023Q4",
        "url": "https://yangfan.example.gov.cn/collection/submissions/7/",
        "org_unit": "610116",
        "created_at": notification.created_at.isoformat(),
        "recipient": office.username,
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.DELIVERED, 1, "")
    assert delivery.delivered_at is not None and delivery.next_try_at is None


def test_only_endpoints_of_the_unit_and_the_units_above_it_receive_it(office):
    url = "https://im.example.gov.cn/hook"
    province, _s = webhook_endpoint_create(actor=office, org_unit=unit("610000"), url=url)
    xian, _s = webhook_endpoint_create(actor=office, org_unit=unit("610100"), url=url)
    baoji, _s = webhook_endpoint_create(actor=office, org_unit=unit("610300"), url=url)
    webhook_endpoint_disable(actor=office, endpoint=xian)
    chang_an = announce(office)  # 长安区, in 西安
    assert set(WebhookDelivery.objects.filter(notification=chang_an).values_list("endpoint", flat=True)) == {
        province.pk
    }  # 西安's is disabled, 宝鸡's covers other units
    weibin = announce(office, org="610302", subject="submission:8")  # 渭滨区, in 宝鸡
    assert set(WebhookDelivery.objects.filter(notification=weibin).values_list("endpoint", flat=True)) == {
        province.pk,
        baoji.pk,
    }
    # each queued delivery is a job on the database queue
    assert DBTaskResult.objects.filter(task_path=webhook_deliver.module_path).count() == 3


def test_a_failing_receiver_is_tried_again_later_and_given_up_after_five_tries(office, receiver):
    receiver.status = 500
    webhook_endpoint_create(actor=office, org_unit=unit("610000"), url=receiver.url)
    notification = announce(office)
    delivery = WebhookDelivery.objects.get(notification=notification)

    before = DBTaskResult.objects.filter(task_path=webhook_deliver.module_path).count()
    assert webhook_deliver.call(delivery.pk)["status"] == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "HTTP 500: receiver says no"
    assert delivery.next_try_at - delivery.last_attempt_at == timedelta(minutes=1)
    assert DBTaskResult.objects.filter(task_path=webhook_deliver.module_path).count() == before + 1
    retry = DBTaskResult.objects.get(task_path=webhook_deliver.module_path, run_after=delivery.next_try_at)
    assert retry.status == TaskResultStatus.READY and retry.args_kwargs["args"] == [delivery.pk]

    waits = [timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6)]
    for attempt, wait in enumerate(waits, start=2):
        webhook_deliver.call(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.next_try_at - delivery.last_attempt_at == wait
    assert webhook_deliver.call(delivery.pk) == {"status": "failed", "attempts": 5}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_try_at is None
    assert len(receiver.received) == 5
    assert webhook_deliver.call(delivery.pk) == {"status": None}  # failed for good: not tried again
    assert len(receiver.received) == 5


def test_a_receiver_that_answers_after_a_failure_gets_it_on_the_retry(office, receiver):
    receiver.status = 503
    webhook_endpoint_create(actor=office, org_unit=unit("610000"), url=receiver.url)
    delivery = WebhookDelivery.objects.get(notification=announce(office))
    webhook_deliver.call(delivery.pk)
    receiver.status = 204
    assert webhook_deliver.call(delivery.pk) == {"status": "delivered", "attempts": 2}
    first, second = receiver.received
    assert first[1] == second[1]  # the same bytes every time, under the same delivery id
    assert first[0]["X-Yangfan-Delivery"] == second[0]["X-Yangfan-Delivery"] == str(delivery.pk)


def test_an_unreachable_receiver_is_an_error_recorded_not_a_crash(office, receiver):
    url = receiver.url
    receiver.close()  # nobody listens there any more
    webhook_endpoint_create(actor=office, org_unit=unit("610000"), url=url)
    delivery = WebhookDelivery.objects.get(notification=announce(office))
    assert webhook_deliver.call(delivery.pk)["status"] == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_error


def test_disabling_an_endpoint_fails_what_was_waiting_for_it(office):
    endpoint, _secret = webhook_endpoint_create(
        actor=office, org_unit=unit("610000"), url="https://im.example.gov.cn/hook"
    )
    delivery = WebhookDelivery.objects.get(notification=announce(office))
    webhook_endpoint_disable(actor=office, endpoint=endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "推送接口已停用"
    assert AuditEntry.objects.filter(object_type="notifications.webhookendpoint", action="update").exists()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://im.example.gov.cn/hook",
        "javascript:alert(1)",
        "im.example.gov.cn/hook",
        "https://",
        "http://a b/",
    ],
)
def test_an_address_that_is_not_http_is_refused_and_nothing_is_saved(office, url):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="http:// 或 https://"):
        webhook_endpoint_create(actor=office, org_unit=unit("610000"), url=url)
    assert not WebhookEndpoint.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_city_office_configures_its_city_only(make_user):
    baoji_office = make_user("city-office")  # ROLE_USERS: 宝鸡
    endpoint, secret = webhook_endpoint_create(
        actor=baoji_office, org_unit=unit("610302"), url="https://im.baoji.example.gov.cn/hook"
    )  # 渭滨区, in 宝鸡
    assert len(secret) == 64 and endpoint.created_by == baoji_office
    entry = AuditEntry.objects.get(object_type="notifications.webhookendpoint", action="create")
    assert secret not in json.dumps(entry.changes, ensure_ascii=False)  # the trail never holds the secret
    with pytest.raises(PermissionDenied):
        webhook_endpoint_create(
            actor=baoji_office, org_unit=unit("610100"), url="https://im.example.gov.cn/h"
        )
    assert (
        AuditEntry.objects.filter(action="permission_denied", detail="notifications.configure").count() == 1
    )
    assert WebhookEndpoint.objects.count() == 1


def test_the_signature_is_the_hmac_of_timestamp_and_body():
    body = webhooks.body_of({"id": 1, "title": "新督办单"})
    assert body == '{"id":1,"title":"新督办单"}'.encode()
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature("k", "1700000000", body) == "sha256=" + expected
