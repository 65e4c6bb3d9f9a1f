"""Failures on the server's side get a clean answer: 503 with Retry-After when the database is out of reach, the path
and the remedy when the disk is full or may not be written, else 500; in Chinese (or the request's language), in
the site's layout, JSON under /api/, with the request id that is also on the response and in the log."""

from __future__ import annotations

import errno
import logging

import psycopg
import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from yangfan import urls as site_urls

FAILURES = {
    "outage": lambda: OperationalError("server closed the connection unexpectedly"),
    "disk": lambda: OSError(errno.ENOSPC, "No space left on device", "/srv/yangfan/evidence/2023/a.pdf"),
    "permission": lambda: PermissionError(errno.EACCES, "Permission denied", "/srv/yangfan/reports"),
    "sqlite-full": lambda: OperationalError("database or disk is full"),
    "bug": lambda: ZeroDivisionError("division by zero"),
}


def failing(request, kind: str) -> HttpResponse:
    raise FAILURES[kind]()


# this module is the URLconf of the tests marked with it: the site's, plus a page and an API path that fail
urlpatterns = [
    path("fails/<str:kind>/", failing),
    path("api/fails/<str:kind>/", failing),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)  # the answer a user gets, not the exception


def test_a_database_outage_is_a_503_page_in_chinese_with_retry_after_and_the_request_id(db, browser, caplog):
    with caplog.at_level(logging.ERROR):
        response = browser.get("/fails/outage/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "服务暂时不可用" in page and "数据库暂时无法连接，请稍后重试" in page
    assert '<html lang="zh-hans">' in page and "扬帆" in page  # the site's layout
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and request_id in page
    logged = [r for r in caplog.records if r.name == "django.request" and r.status_code == 503]
    assert logged and logged[0].request_id == request_id and logged[0].exc_info


def test_the_503_page_is_english_for_an_english_request(db, browser):
    response = browser.get("/fails/outage/", headers={"Accept-Language": "en"})
    page = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="en">' in page
    assert "· Yangfan</title>" in page  # the layout in English (the page's own texts: the English catalogue)


def test_a_full_disk_names_the_path_and_what_to_free(db, browser):
    response = browser.get("/fails/disk/")
    page = response.content.decode()
    assert response.status_code == 507
    assert "/srv/yangfan/evidence/2023/a.pdf" in page and "磁盘空间已满" in page and "清理" in page


def test_a_full_sqlite_disk_names_the_database_file_not_the_database_url(db, browser):
    response = browser.get("/api/fails/sqlite-full/")
    body = response.json()
    assert response.status_code == 507
    assert "磁盘空间已满" in body["detail"] and "YANGFAN_DATABASE_URL" not in body["detail"]
    if connection.vendor == "sqlite":
        assert str(connection.settings_dict["NAME"]) in body["detail"]


def test_a_refused_permission_names_the_path_and_what_to_fix(db, browser):
    response = browser.get("/fails/permission/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "/srv/yangfan/reports" in page and "权限" in page


def test_a_bug_is_a_500_page_with_the_request_id_and_no_traceback(db, browser):
    response = browser.get("/fails/bug/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page and response["X-Request-ID"] in page
    assert "ZeroDivisionError" not in page and "Server Error (500)" not in page


def test_under_api_a_failure_outside_a_view_is_json_with_the_request_id(db, browser):
    response = browser.get("/api/fails/outage/", headers={"X-Request-ID": "proxy-7f3a"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "数据库暂时无法连接，请稍后重试。如持续出现，请联系系统管理员。",
        "request_id": "proxy-7f3a",
    }
    assert response["X-Request-ID"] == "proxy-7f3a"  # a proxy's id is kept, so its log and ours agree


def test_an_api_view_that_fails_answers_json_not_html(make_user, browser, monkeypatch):
    from yangfan.accounts.services import token_create
    from yangfan.api import views

    def broken(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    token = token_create(actor=None, user=make_user("province"), days=1)[1]
    monkeypatch.setattr(views.MeView, "get", broken)
    response = browser.get("/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert "数据库暂时无法连接" in response.json()["detail"]


def test_a_request_whose_database_backend_was_terminated_answers_503_in_chinese(db, browser, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; the SQLite run checks the same answer above")
    user = make_user("viewer")
    browser.force_login(user)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"]}
    with psycopg.connect(**params, port=db["PORT"] or None, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    try:
        response = browser.get("/")
    finally:
        connection.close()  # the test's transaction died with its backend; the next test connects anew
    page = response.content.decode()
    assert response.status_code == 503, page[:500]
    assert response["Retry-After"] == "30"
    assert "数据库暂时无法连接，请稍后重试" in page


def test_an_unreachable_database_answers_503(browser, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("a server that does not answer is PostgreSQL's; SQLite is a file (the disk tests above)")
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(
            HOST="127.0.0.1", PORT="9", OPTIONS={**saved["OPTIONS"], "connect_timeout": 3}
        )
        browser.cookies["sessionid"] = "a" * 32  # a signed-in user's session: the first page read needs it
        try:
            response = browser.get("/")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert "数据库暂时无法连接" in response.content.decode()
