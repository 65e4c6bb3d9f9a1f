"""待办: what waits for a person (a returned report, a report to review, a notice, a milestone turning yellow or
red, a review to score), and the webhooks that forward it to a province's or a city's messaging platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yangfan.notifications.choices import DeliveryStatus, NotificationKind


class Notification(models.Model):
    """One thing waiting for one user. ``subject`` names the waiting thing (``"submission:12"``), so that it is
    one open item however often it is announced; it is open until ``done_at`` (the thing was handled:
    ``services.notifications_done``, or the user closed it)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    detail = models.TextField(_("说明"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在单位"),
    )
    subject = models.CharField(_("事项"), max_length=100)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办")
        verbose_name_plural = _("待办")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "done_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["subject", "done_at"], name="notification_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"],
                condition=Q(done_at__isnull=True),
                name="notification_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title} → {self.recipient}"

    def absolute_url(self) -> str:
        """The link as a receiver outside the site needs it: under ``YANGFAN_BASE_URL`` when that is set (an
        e-mail or a webhook has no request to take the host from), else as stored."""
        base = getattr(settings, "YANGFAN_BASE_URL", "")
        if not base or "://" in self.url:
            return self.url
        return base.rstrip("/") + "/" + self.url.lstrip("/")


class WebhookEndpoint(models.Model):
    """A receiver (a government messaging platform) of the notifications of ``org_unit`` and every unit counted
    in it, POSTed as signed JSON. ``secret`` signs them; it is shown once, to whoever configures it."""

    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("单位"))
    url = models.CharField(_("推送地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=128)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("配置人"),
    )
    created_at = models.DateTimeField(_("配置时间"), auto_now_add=True)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送接口")
        verbose_name_plural = _("推送接口")
        ordering = ["org_unit__code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.org_unit} → {self.url}"


class WebhookDelivery(models.Model):
    """One notification sent to one endpoint: the body is fixed when it is queued (every retry sends the same
    bytes), each attempt is counted, the last error kept, the next try scheduled until it is delivered or has
    failed for good."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, models.CASCADE, related_name="deliveries", verbose_name=_("推送接口")
    )
    notification = models.ForeignKey(
        Notification, models.CASCADE, related_name="deliveries", verbose_name=_("待办")
    )
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    next_try_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "notification"], name="webhookdelivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.endpoint_id} ({self.status})"
