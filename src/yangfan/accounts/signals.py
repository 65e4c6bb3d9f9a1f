"""Logins, failed logins, logouts and lockouts go to the audit trail, whatever path they came by."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, obj=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, obj=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        object_type="accounts.user",
        object_id=username,
        object_repr=username,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        action=AuditAction.LOCKOUT,
        request=request,
        ip=ip_address,
        object_type="accounts.user",
        object_id=username or "",
        object_repr=username or "",
        detail="连续登录失败，账号已锁定",
    )
