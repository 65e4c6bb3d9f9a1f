"""Background jobs of the notifications (django-tasks on the application database): the e-mails of new
notifications and the webhook deliveries with their retries. A web request only queues them, in its own
transaction, so a job exists exactly when its notification does, and a slow mail server or receiver never holds up
a page."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yangfan.notifications.choices import DeliveryStatus
from yangfan.notifications.mail import email_enabled, email_send
from yangfan.notifications.models import Notification, WebhookDelivery
from yangfan.notifications.webhooks import webhook_attempt


def email_body(notification: Notification) -> str:
    parts = [
        _("您好："),
        "",
        f"{notification.get_kind_display()}：{notification.title}",
    ]
    if notification.detail:
        parts.append(notification.detail)
    if notification.url:
        parts += ["", _("请登录扬帆平台处理：%(url)s") % {"url": notification.absolute_url()}]
    parts += ["", _("此邮件由系统自动发送，请勿回复。")]
    return "\n".join(parts)


@task()
def notifications_email(notification_ids: list[int]) -> dict[str, int]:
    """One e-mail per new notification whose recipient has an address (subject: its title), when SMTP is
    configured. A notification handled meanwhile, or e-mailed already, is not sent."""
    sent = failed = 0
    if not email_enabled():
        return {"sent": 0, "failed": 0}
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True, done_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        address = notification.recipient.email
        if not address:
            continue
        if email_send(subject=notification.title, body=email_body(notification), to=[address]):
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


@task()
def webhook_deliver(delivery_id: int) -> dict:
    """Try one delivery; when it is still pending, queue the next try at its ``next_try_at``."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:  # delivered, failed or removed meanwhile
        return {"status": None}
    delivery = webhook_attempt(delivery=delivery)
    if delivery.status == DeliveryStatus.PENDING:
        delivery_enqueue(delivery, run_after=delivery.next_try_at)
    return {"status": delivery.status, "attempts": delivery.attempts}


def delivery_enqueue(delivery: WebhookDelivery, *, run_after: datetime | None = None) -> bool:
    """Queue a try of ``delivery`` (at ``run_after``); ``False`` when the backend cannot defer a run (the
    immediate backend of some tests: the retry stays recorded, with its time, and is not run)."""
    if run_after is not None and not webhook_deliver.get_backend().supports_defer:
        return False
    (webhook_deliver.using(run_after=run_after) if run_after else webhook_deliver).enqueue(delivery.pk)
    return True
