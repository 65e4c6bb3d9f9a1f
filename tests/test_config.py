"""Settings come from the environment and are safe by default."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from yangfan.config import data_dir, env_flag, secret_key, sqlite_directory_problem


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("YANGFAN_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("YANGFAN_SECRET_KEY", "from-env")
    assert secret_key(tmp_path) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("YANGFAN_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == (tmp_path / "here").resolve()


def test_flags_are_off_unless_said_on(monkeypatch):
    for value, expected in [
        ("", False),
        ("0", False),
        ("no", False),
        ("1", True),
        ("true", True),
        ("ON", True),
    ]:
        monkeypatch.setenv("YANGFAN_DEBUG", value)
        assert env_flag("YANGFAN_DEBUG") is expected
    monkeypatch.delenv("YANGFAN_DEBUG")
    assert env_flag("YANGFAN_DEBUG") is False


def test_missing_sqlite_directory_is_explained(tmp_path):
    assert sqlite_directory_problem(f"sqlite:///{tmp_path}/db.sqlite3") is None
    message = sqlite_directory_problem(f"sqlite:///{tmp_path}/absent/db.sqlite3")
    assert "数据库目录不存在" in message and str(tmp_path / "absent") in message
    assert sqlite_directory_problem("postgresql://postgres@127.0.0.1/test") is None


def test_defaults_are_safe_chinese_and_shanghai(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANGFAN_")}
    env["YANGFAN_DATA_DIR"] = str(tmp_path)
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.DEBUG, settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.ALLOWED_HOSTS,"
        "[l for l, _ in settings.LANGUAGES], settings.DATABASES['default']['ENGINE'], settings.SESSION_COOKIE_HTTPONLY,"
        "settings.PASSWORD_HASHERS[0]]))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "yangfan.settings"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    debug, language, zone, hosts, languages, engine, httponly, hasher = json.loads(result.stdout)
    assert debug is False
    assert language == "zh-hans" and languages == ["zh-hans", "en"]
    assert zone == "Asia/Shanghai"
    assert hosts == ["127.0.0.1", "localhost", "[::1]"]
    assert engine == "django.db.backends.sqlite3"
    assert httponly is True
    assert hasher.endswith("Argon2PasswordHasher")
    assert (tmp_path / "secret_key").exists()
