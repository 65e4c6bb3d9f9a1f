"""The administrator manages accounts through the web; every change is audited with old and new values."""

from __future__ import annotations

from django.urls import reverse

from yangfan.accounts.models import User
from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgUnit


def test_administrator_creates_a_city_reporter(client_for):
    client = client_for("admin")
    xian = OrgUnit.objects.get(code="610100")
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "xian-li",
            "first_name": "李四",
            "role": "city-reporter",
            "password": "Xian-reporter-2023",
            "capture_org_units": [xian.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="xian-li")
    assert user.must_change_password and user.role == "city-reporter"
    assert list(user.capture_org_units.values_list("code", flat=True)) == ["610100"]
    entry = AuditEntry.objects.filter(action="create", object_id=str(user.pk)).latest("seq")
    assert entry.changes["role"] == [None, "city-reporter"]
    assert entry.changes["capture_org_units"] == [None, ["610100"]]
    assert "password" not in entry.changes


def test_weak_initial_password_is_refused_on_the_page(client_for):
    client = client_for("admin")
    response = client.post(
        reverse("accounts:user_create"), {"username": "weak", "role": "viewer", "password": "abc"}
    )
    assert response.status_code == 200
    assert "太短" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_deactivating_a_user_is_audited_with_old_and_new_values(client_for, make_user):
    client = client_for("admin")
    target = make_user("viewer", username="leaver")
    response = client.post(
        reverse("accounts:user_edit", kwargs={"pk": target.pk}),
        {
            "first_name": "离职者",
            "role": "viewer",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    entry = AuditEntry.objects.filter(action="update", object_id=str(target.pk)).latest("seq")
    assert entry.changes["is_active"] == [True, False]


def test_administrator_cannot_read_the_audit_log_and_auditor_cannot_manage_users(client_for):
    assert client_for("admin").get(reverse("audit:list")).status_code == 403
    assert client_for("auditor").get(reverse("accounts:user_list")).status_code == 403
