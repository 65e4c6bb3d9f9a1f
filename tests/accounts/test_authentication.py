"""Logging in: the password policy, lockout, idle expiry, first-login password change, two-factor login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from yangfan.accounts.services import token_authenticate, token_create, token_revoke, user_create
from yangfan.audit.models import AuditEntry

PASSWORD = "Test-pass-2023!"


def _login(client, username, password=PASSWORD, follow=False):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=follow)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short-1a", "太短"),  # under 10 characters
        ("alllowercaseletters", "至少"),  # one character class only
        ("Password123", "太常见"),  # common
        ("zhangsan-2023X", "相似"),  # similar to the username
    ],
)
def test_password_policy_refuses_weak_passwords(db, password, fragment):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=None, username="zhangsan", role="viewer", password=password)
    assert any(fragment in m for m in caught.value.messages), caught.value.messages


def test_a_created_account_must_change_its_password_first(client, make_user):
    user = make_user("viewer", must_change_password=True)
    response = _login(client, user.username, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:password_change"))
    assert "请先设置自己的新密码" in response.content.decode()
    assert client.get(reverse("portal:home")).status_code == 302  # still gated

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2024#",
            "new_password2": "Another-pass-2024#",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert client.get(reverse("portal:home")).status_code == 200
    assert AuditEntry.objects.filter(action="password_change", object_id=str(user.pk)).exists()


def test_five_failed_logins_lock_the_account_for_fifteen_minutes(client, make_user):
    user = make_user("viewer")
    for _ in range(5):
        response = _login(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert "已被锁定15分钟" in response.content.decode()
    locked = _login(client, user.username)  # even the right password is refused now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", object_id=user.username).count() >= 5
    assert AuditEntry.objects.filter(action="lockout", object_id=user.username).exists()


def test_the_administrator_lifts_a_lockout(client, client_for, make_user):
    user = make_user("viewer")
    for _ in range(5):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username).status_code == 429
    admin = client_for("admin")
    page = admin.get(reverse("accounts:user_edit", kwargs={"pk": user.pk})).content.decode()
    assert "已被锁定" in page
    admin.post(reverse("accounts:user_unlock", kwargs={"pk": user.pk}))
    assert _login(client, user.username).status_code == 302
    assert AuditEntry.objects.filter(
        action="update", object_id=str(user.pk), detail__contains="解除登录锁定"
    ).exists()


def test_successful_login_is_audited(client, make_user):
    user = make_user("viewer")
    assert _login(client, user.username).status_code == 302
    entry = AuditEntry.objects.filter(action="login").latest("seq")
    assert entry.actor_username == user.username and entry.ip == "127.0.0.1"


def test_an_idle_session_expires_after_thirty_minutes(client, make_user):
    user = make_user("viewer")
    _login(client, user.username)
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 idle minutes later
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_administrators_must_set_up_two_factor_login(client, make_user):
    admin = make_user("admin")
    response = _login(client, admin.username, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_setup"))
    assert client.get(reverse("accounts:user_list")).status_code == 302

    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post(
        reverse("accounts:otp_setup"), {"token": "000000" if totp(device.bin_key) != 0 else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    # django-otp throttles after a failure (1 s, then doubling); let that delay pass
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    code = f"{totp(device.bin_key):06d}"
    assert client.post(reverse("accounts:otp_setup"), {"token": code}).status_code == 302
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_a_user_with_a_device_enters_a_code_after_the_password(client, make_user):
    user = make_user("viewer")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = _login(client, user.username, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("portal:home")).status_code == 302
    client.post(reverse("accounts:otp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert client.get(reverse("portal:home")).status_code == 200


def test_tokens_expire_and_can_be_revoked(make_user):
    user = make_user("viewer")
    token, raw = token_create(actor=None, user=user, days=30)
    assert raw.startswith("yf_") and token.digest != raw and raw not in token.digest
    assert token_authenticate(raw) == user
    assert token_authenticate(raw + "x") is None

    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert token_authenticate(raw) is None

    other, other_raw = token_create(actor=None, user=user, days=30)
    token_revoke(actor=user, token=other)
    assert token_authenticate(other_raw) is None
    assert AuditEntry.objects.filter(action="token_revoke").exists()


def test_a_deactivated_users_token_stops_working(make_user):
    from yangfan.accounts.services import user_update

    user = make_user("viewer")
    _token, raw = token_create(actor=None, user=user, days=30)
    user_update(actor=None, user=user, is_active=False)
    assert token_authenticate(raw) is None


def test_token_page_shows_a_new_token_once(client_for):
    client = client_for("viewer")
    client.post(reverse("accounts:token_create"), {"name": "脚本", "days": 7})
    first = client.get(reverse("accounts:account")).content.decode()
    assert "只显示这一次" in first
    second = client.get(reverse("accounts:account")).content.decode()
    assert "只显示这一次" not in second and "脚本" in second


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("city-reporter", {}, "须指定填报范围"),
        ("department", {}, "须指定所属责任单位"),
        ("operator", {}, "须指定所属运营商"),
    ],
)
def test_roles_that_capture_data_must_have_a_scope(db, role, scope, message):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=None, username="x-user", role=role, password=PASSWORD, **scope)
    assert message in caught.value.messages[0]
