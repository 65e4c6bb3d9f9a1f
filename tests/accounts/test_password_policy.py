"""The password policy refuses a common password dressed up with digits and symbols, and the current one again."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from yangfan.accounts.services import user_create, user_set_password
from yangfan.audit.models import AuditEntry

PASSWORD = "Test-pass-2023!"  # make_user's


@pytest.mark.parametrize(
    "password",
    ["password123!", "Password2023#", "!!Qwerty2023", "P@ssw0rd2023!", "Welcome1!", "Dragon$$$2024"],
)
def test_a_common_password_with_digits_and_symbols_around_it_is_refused(db, password):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=None, username="zhangsan", role="viewer", password=password)
    assert "常见密码" in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "password", ["Test-pass-2023!", "Changan#5G-2023", "Xk9#mQ2$vL7p", "Sailing-Qinling-88"]
)
def test_an_uncommon_password_with_digits_and_symbols_is_accepted(db, password):
    validate_password(password)


def test_changing_to_the_current_password_is_refused_and_changes_nothing(client, make_user):
    user = make_user("viewer", must_change_password=True)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password is True
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="password_change", object_id=str(user.pk)).exists()


def test_the_service_refuses_the_current_password_and_accepts_a_new_one(make_user):
    user = make_user("viewer")
    with pytest.raises(ValidationError, match="新密码不能与当前密码相同"):
        user_set_password(actor=user, user=user, password=PASSWORD)
    user_set_password(actor=user, user=user, password="Another-pass-2024#")
    user.refresh_from_db()
    assert user.check_password("Another-pass-2024#")


def test_a_new_account_is_not_compared_with_a_current_password(db):
    user = user_create(actor=None, username="lisi", role="viewer", password="Another-pass-2024#")
    assert user.check_password("Another-pass-2024#")
