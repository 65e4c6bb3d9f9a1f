"""`yangfan users`, `yangfan tokens` and `yangfan audit verify`, run as an administrator runs them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import psycopg
import pytest


def yangfan(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yangfan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


@pytest.fixture
def initialised(initialised_env):
    return initialised_env


def test_users_create_list_and_tokens(initialised):
    env = {**initialised, "YANGFAN_PASSWORD": "Xian-reporter-2023"}
    created = yangfan("users", "create", "xian-wang", "--role", "city-reporter", "--org", "西安市", env=env)
    assert created.returncode == 0, created.stderr
    assert "市级填报员" in created.stdout

    listing = yangfan("users", "list", env=initialised)
    assert listing.returncode == 0 and "xian-wang" in listing.stdout and "西安市" in listing.stdout

    token = yangfan("tokens", "create", "xian-wang", "--days", "30", env=initialised)
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("yf_") and "只显示这一次" in token.stderr

    verify = yangfan("audit", "verify", env=initialised)
    assert verify.returncode == 0, verify.stderr
    assert "审计日志完整" in verify.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "x1", "--role", "king"], "invalid choice"),
        (["users", "create", "x1", "--role", "city-reporter", "--org", "火星市"], "未知组织机构“火星市”"),
        (["users", "create", "x1", "--role", "department", "--unit", "省外交部"], "未知责任单位“省外交部”"),
        (["users", "create", "x1", "--role", "city-reporter"], "须指定填报范围"),
        (["users", "create", "x1", "--role", "enterprise", "--org", "西安市"], "须指定所属企业"),
        (
            ["users", "create", "x1", "--role", "enterprise", "--org", "西安市", "--enterprise", "无名公司"],
            "“无名公司”既不在解决方案供应商名录中",
        ),
        (["tokens", "create", "nobody"], "用户“nobody”不存在"),
    ],
)
def test_bad_user_commands_are_one_line(initialised, args, message):
    env = {**initialised, "YANGFAN_PASSWORD": "Good-pass-2023!"}
    result = yangfan(*args, env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    if message != "invalid choice":
        assert message in result.stderr


def test_weak_password_from_the_environment_is_refused(initialised):
    result = yangfan(
        "users", "create", "weakling", "--role", "viewer", env={**initialised, "YANGFAN_PASSWORD": "abc"}
    )
    assert result.returncode == 1 and "太短" in result.stderr


def test_without_a_password_and_a_terminal_the_command_says_how(initialised):
    result = yangfan("users", "create", "nopass", "--role", "viewer", env=initialised)
    assert result.returncode == 2 and "YANGFAN_PASSWORD" in result.stderr


def _tamper(url: str, sql: str) -> None:
    """Change the audit table behind the application's back, as someone with database access could."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_auditentry'"
            ):
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute(sql)
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL")
            conn.execute(sql)


def test_audit_verify_detects_an_edited_row(initialised):
    env = {**initialised, "YANGFAN_PASSWORD": "Good-pass-2023!"}
    assert yangfan("users", "create", "someone", "--role", "viewer", env=env).returncode == 0
    _tamper(env["YANGFAN_DATABASE_URL"], "UPDATE audit_auditentry SET object_repr = 'changed' WHERE seq = 1")
    result = yangfan("audit", "verify", env=env)
    assert result.returncode != 0
    assert "第 1 条" in result.stderr and "篡改" in result.stderr


def test_audit_verify_detects_a_removed_row(initialised):
    env = {**initialised, "YANGFAN_PASSWORD": "Good-pass-2023!"}
    for name in ("first", "second", "third"):
        assert yangfan("users", "create", name, "--role", "viewer", env=env).returncode == 0
    _tamper(env["YANGFAN_DATABASE_URL"], "DELETE FROM audit_auditentry WHERE seq = 2")
    result = yangfan("audit", "verify", env=env)
    assert result.returncode != 0 and "篡改" in result.stderr
