"""The auditor's pages: list with filters and pages, one entry, CSV export (itself audited), chain check."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from yangfan.audit.choices import AuditAction
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _seqs(response) -> list[int]:
    return [e.seq for e in response.context["entries"]]


@pytest.fixture
def trail(auditor):
    """A few entries of different kinds (the auditor's own login is already entry 1)."""
    audit_record(
        action=AuditAction.CREATE,
        object_type="actionplans.task",
        object_id="T2.1.1",
        object_repr="加快5G网络建设",
        changes={"状态": [None, "进行中"]},
    )
    audit_record(
        action=AuditAction.UPDATE,
        object_type="orgunits.orgunit",
        object_id="610100",
        object_repr="西安市",
        changes={"名称": ["西安", "西安市"]},
        detail="规范名称",
    )
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_id="=cmd|' /C calc'!A0",
        object_repr="=cmd|' /C calc'!A0",
        ip="203.0.113.9",
    )


@pytest.mark.parametrize("role", ["admin", "province", "viewer", "city-reporter"])
@pytest.mark.parametrize("url_name", ["audit:list", "audit:export", "audit:verify"])
def test_only_the_auditor_may_read_the_trail_and_refusals_are_recorded(
    client, django_user_model, role, url_name
):
    user = django_user_model.objects.create_user(f"u-{role}", password="Some-pass-2023", role=role)
    client.force_login(user)
    if role == "admin":  # administrators pass the second factor first; stand in for that
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    refusal = AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).get()
    assert (refusal.actor_username, refusal.detail) == (f"u-{role}", "audit.read")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_list_shows_entries_newest_first(auditor_client, trail):
    response = auditor_client.get(reverse("audit:list"))
    assert response.status_code == 200
    seqs = _seqs(response)
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == AuditEntry.objects.order_by("-seq").first().seq
    page = response.content.decode()
    assert "审计日志" in page
    assert "西安市" in page
    assert "规范名称" in page


def test_list_is_paginated_by_fifty(auditor_client, auditor):
    for i in range(60):
        audit_record(action=AuditAction.CREATE, object_repr=f"第{i}项")
    total = AuditEntry.objects.count()
    first = auditor_client.get(reverse("audit:list"))
    assert len(first.context["entries"]) == 50
    assert first.context["paginator"].count == total
    second = auditor_client.get(reverse("audit:list"), {"page": 2})
    assert len(second.context["entries"]) == total - 50
    assert set(_seqs(first)).isdisjoint(_seqs(second))


@pytest.mark.parametrize(
    ("params", "expected_reprs"),
    [
        ({"action": "update"}, ["西安市"]),
        ({"object_type": "actionplans.task"}, ["加快5G网络建设"]),
        ({"q": "西安"}, ["西安市"]),
        ({"q": "T2.1.1"}, ["加快5G网络建设"]),
        ({"action": "create", "q": "西安"}, []),
    ],
)
def test_list_filters(auditor_client, trail, params, expected_reprs):
    response = auditor_client.get(reverse("audit:list"), params)
    assert [e.object_repr for e in response.context["entries"]] == expected_reprs


def test_list_filters_by_actor_and_dates(auditor_client, auditor, trail):
    today = timezone.localdate()
    by_actor = auditor_client.get(reverse("audit:list"), {"actor": "audit"})
    assert {e.actor_username for e in by_actor.context["entries"]} == {"auditor"}
    dated = auditor_client.get(reverse("audit:list"), {"date_from": today, "date_to": today})
    assert len(dated.context["entries"]) == AuditEntry.objects.count()
    future = auditor_client.get(reverse("audit:list"), {"date_from": today + timedelta(days=1)})
    assert list(future.context["entries"]) == []


def test_invalid_filter_is_reported_and_the_others_still_apply(auditor_client, trail):
    response = auditor_client.get(reverse("audit:list"), {"date_from": "yesterday", "action": "update"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]
    assert [e.object_repr for e in response.context["entries"]] == ["西安市"]


def test_pages_keep_the_filters(auditor_client, auditor):
    for i in range(55):
        audit_record(action=AuditAction.CREATE, object_repr=f"第{i}项")
    page = auditor_client.get(reverse("audit:list"), {"action": "create"}).content.decode()
    assert "?action=create&amp;page=2" in page


def test_detail_shows_old_and_new_values(auditor_client, trail):
    entry = AuditEntry.objects.get(object_id="610100")
    response = auditor_client.get(reverse("audit:detail", args=[entry.seq]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "西安" in page and "西安市" in page and entry.hash in page
    assert auditor_client.get(reverse("audit:detail", args=[9999])).status_code == 404


def test_export_is_utf8_csv_with_bom_oldest_first(auditor_client, trail):
    response = auditor_client.get(reverse("audit:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _rows(response)
    assert rows[0][:5] == ["序号", "时间", "操作人ID", "操作人", "操作"]
    seqs = [int(r[0]) for r in rows[1:]]
    assert seqs == sorted(seqs)
    by_object = {r[6]: r for r in rows[1:]}
    assert by_object["610100"][4] == "修改"
    assert by_object["610100"][7] == "西安市"
    assert by_object["610100"][8] == '{"名称": ["西安", "西安市"]}'


def test_export_applies_the_filters(auditor_client, trail):
    rows = _rows(auditor_client.get(reverse("audit:export"), {"object_type": "orgunits.orgunit"}))
    assert [r[6] for r in rows[1:]] == ["610100"]


def test_export_is_itself_recorded(auditor_client, auditor, trail):
    before = AuditEntry.objects.order_by("-seq").first().seq
    rows = _rows(auditor_client.get(reverse("audit:export"), {"action": "update"}, REMOTE_ADDR="10.1.2.3"))
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert export.seq == before + 1
    assert (export.actor_username, export.ip, export.object_type) == (
        "auditor",
        "10.1.2.3",
        "audit.auditentry",
    )
    assert f"导出 1 条（截至第 {before} 条）" in export.detail
    assert "操作=update" in export.detail
    assert len(rows) == 2  # the export's own entry is not in the file it describes


def test_export_neutralises_spreadsheet_formulas(auditor_client, trail):
    rows = _rows(auditor_client.get(reverse("audit:export"), {"action": "login_failed"}))
    assert rows[1][6] == "'=cmd|' /C calc'!A0"
    assert rows[1][7].startswith("'=")


def test_verify_page_reports_an_intact_chain(auditor_client, trail):
    response = auditor_client.get(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["result"].ok
    assert "哈希链无断裂" in response.content.decode()


def test_verify_page_reports_tampering(auditor_client, trail, suspended_guards):
    from django.db import connection

    with suspended_guards(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE object_id = '610100'")
    response = auditor_client.get(reverse("audit:verify"))
    assert not response.context["result"].ok
    assert "记录缺失" in response.content.decode()


def test_admin_is_read_only_and_closed_to_administrators(django_user_model, auditor):
    model_admin = admin_site._registry[AuditEntry]
    admin_user = django_user_model.objects.create_user(
        "root", password="Root-pass-2023", role="admin", is_staff=True, is_superuser=True
    )
    for user, may_view in ((admin_user, False), (auditor, True)):
        request = RequestFactory().get("/admin/")
        request.user = user
        assert model_admin.has_view_permission(request) is may_view
        assert model_admin.has_module_permission(request) is may_view
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
