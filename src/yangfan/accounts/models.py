"""Users, their role and their scopes, and personal API tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.choices import Role


class User(AbstractUser):
    """A person. ``role`` decides what they may do, the scopes decide where.

    - capture scope: the org units whose data the user enters or reviews (a unit covers the units counted in
      it); for department reporters their responsible unit, for operator reporters their operator;
    - view scope: the org units whose figures the user may read (defaults by role: see permissions).
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    capture_org_units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="capture_users", verbose_name=_("填报范围")
    )
    view_org_units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="view_users", verbose_name=_("查看范围")
    )
    responsible_unit = models.ForeignKey(
        "actionplans.ResponsibleUnit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属责任单位"),
    )
    operator = models.ForeignKey(
        "actionplans.Operator",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属运营商"),
    )
    enterprise = models.CharField(
        _("所属企业"),
        max_length=200,
        blank=True,
        help_text=_("企业用户：供应商名录中的企业名称，或应用案例中的应用企业名称（须一字不差）"),
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username}（{self.get_role_display()}）"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.user.username}）"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
