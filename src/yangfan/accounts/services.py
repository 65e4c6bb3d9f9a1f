"""Writes to users and tokens. Each one is atomic and leaves its audit entry, whoever calls it (web, CLI)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.models import ApiToken, User
from yangfan.accounts.permissions import administers, role_requirements
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record, model_changes, snapshot

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
    "responsible_unit",
    "operator",
    "enterprise",
    "must_change_password",
)
TOKEN_PREFIX = "yf_"


def _user_state(user: User) -> dict:
    state = snapshot(user, USER_FIELDS)
    state["capture_org_units"] = sorted(user.capture_org_units.values_list("code", flat=True))
    state["view_org_units"] = sorted(user.view_org_units.values_list("code", flat=True))
    return state


def _check_scope(*, role: str, capture_org_units, responsible_unit, operator, enterprise: str = "") -> None:
    """A role that captures data must say where: cities their units, departments their unit, operators theirs, an
    enterprise its name and where it is."""
    needs = role_requirements(role)
    if needs == "enterprise":
        if not enterprise.strip():
            raise ValidationError(_("企业用户须指定所属企业。"), code="enterprise_required")
        if not capture_org_units:
            raise ValidationError(_("企业用户须指定所在地区（填报范围）。"), code="scope_required")
        if not known_enterprise(enterprise):
            raise ValidationError(
                _("“%(e)s”既不在解决方案供应商名录中，也不是任何应用案例的应用企业；请核对企业名称。")
                % {"e": enterprise},
                code="enterprise_unknown",
            )
    if needs == "capture_org_units" and not capture_org_units:
        raise ValidationError(_("市级填报员和审核员须指定填报范围（组织机构）。"), code="scope_required")
    if needs == "responsible_unit" and responsible_unit is None:
        raise ValidationError(_("部门填报员须指定所属责任单位。"), code="unit_required")
    if needs == "operator" and operator is None:
        raise ValidationError(_("运营商填报员须指定所属运营商。"), code="operator_required")


def known_enterprise(name: str) -> bool:
    """Is ``name`` an enterprise Yangfan knows: one of the supplier directory, or the owner of an application case?"""
    from django.apps import apps  # the registries build on this app: their models are named, not imported

    return (
        apps.get_model("registries", "Supplier").objects.filter(name=name).exists()
        or apps.get_model("registries", "ApplicationCase").objects.filter(enterprise=name).exists()
    )


def _apply_role(user: User) -> None:
    """Django admin access follows the role: only system administrators are staff."""
    user.is_staff = user.is_superuser = administers(user)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    password: str,
    first_name: str = "",
    capture_org_units=(),
    view_org_units=(),
    responsible_unit=None,
    operator=None,
    enterprise: str = "",
    must_change_password: bool = True,
    request=None,
) -> User:
    """Create an account. Created by an administrator, it must change its password at first login."""
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("用户名“%(u)s”已存在。") % {"u": username}, code="duplicate")
    enterprise = enterprise.strip()
    _check_scope(
        role=role,
        capture_org_units=capture_org_units,
        responsible_unit=responsible_unit,
        operator=operator,
        enterprise=enterprise,
    )
    user = User(
        username=username,
        first_name=first_name,
        role=role,
        responsible_unit=responsible_unit,
        operator=operator,
        enterprise=enterprise,
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    user.set_password(password)
    _apply_role(user)
    user.full_clean(exclude=["password"])
    user.save()
    user.capture_org_units.set(capture_org_units)
    user.view_org_units.set(view_org_units)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=user,
        changes=model_changes({}, _user_state(user)),
        request=request,
    )
    return user


@transaction.atomic
def user_update(
    *, actor: User | None, user: User, request=None, capture_org_units=None, view_org_units=None, **fields
) -> User:
    """Change role, scopes, names or the active flag; the audit entry holds old and new values."""
    before = _user_state(user)
    for name, value in fields.items():
        if name not in USER_FIELDS or name in ("is_staff", "is_superuser"):
            raise ValueError(f"user_update cannot set {name}")
        setattr(user, name, value)
    captures = (
        list(capture_org_units) if capture_org_units is not None else list(user.capture_org_units.all())
    )
    _check_scope(
        role=user.role,
        capture_org_units=captures,
        responsible_unit=user.responsible_unit,
        operator=user.operator,
        enterprise=user.enterprise,
    )
    _apply_role(user)
    user.save()
    if capture_org_units is not None:
        user.capture_org_units.set(capture_org_units)
    if view_org_units is not None:
        user.view_org_units.set(view_org_units)
    changes = model_changes(before, _user_state(user))
    if changes:
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=user, changes=changes, request=request)
    return user


@transaction.atomic
def user_set_password(
    *, actor: User | None, user: User, password: str, request=None, must_change: bool = False
) -> User:
    """Set a password checked by the policy. The user itself changing it clears the must-change flag."""
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        action=AuditAction.PASSWORD_CHANGE,
        actor=actor,
        obj=user,
        request=request,
        detail="本人修改" if actor == user else "管理员重置",
    )
    return user


def user_is_locked(user: User) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists()


@transaction.atomic
def user_unlock(*, actor: User | None, user: User, request=None) -> int:
    """Lift a lockout before its 15 minutes are over (django-axes keeps the failed attempts)."""
    from axes.utils import reset

    cleared = reset(username=user.username)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=user,
        request=request,
        detail=f"解除登录锁定（清除 {cleared} 条失败记录）",
    )
    return cleared


@transaction.atomic
def otp_device_confirm(*, user: User, device, token: str, request=None) -> bool:
    """Confirm a new TOTP device with one code from it; it replaces any earlier device of the user."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AuditAction.UPDATE, actor=user, obj=user, request=request, detail="启用双因素登录")
    return True


@transaction.atomic
def token_create(
    *, actor: User | None, user: User, days: int = 90, name: str = "", request=None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the raw value, which is never stored and shown only once."""
    if not 1 <= days <= 366:
        raise ValidationError(_("有效期应在 1 到 366 天之间。"), code="days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        action=AuditAction.TOKEN_CREATE,
        actor=actor,
        obj=token,
        request=request,
        detail=f"有效期 {days} 天，至 {token.expires_at:%Y-%m-%d}",
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User | None, token: ApiToken, request=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.TOKEN_REVOKE, actor=actor, obj=token, request=request)
    return token


TOKEN_USE_RESOLUTION = timedelta(minutes=1)  # how precisely a token's last use is kept


def token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or ``None`` when it is unknown, expired or revoked."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        # when it was last used, to the minute: reading through the API writes at most once a minute, and a
        # long write holding the database (an ingest on SQLite) delays the note, never the answer
        try:
            with transaction.atomic():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except DatabaseError:
            pass
    return token.user
