"""Environment reading shared by the settings and the command line (no Django import: the CLI uses it
to report a bad configuration in one line before Django starts)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    """A configuration the user must fix; the message says what and how."""


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    configured = os.environ.get("YANGFAN_DATA_DIR")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    path = Path(configured) if configured else Path(base) / "yangfan"
    return path.expanduser().resolve()


def ensure_data_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"无法创建数据目录 {path}（{exc.strerror}）；请设置 YANGFAN_DATA_DIR 为一个可写的目录"
        ) from None
    return path


def secret_key(folder: Path) -> str:
    """YANGFAN_SECRET_KEY, else a key generated once and kept (mode 0600) in the data directory."""
    configured = os.environ.get("YANGFAN_SECRET_KEY")
    if configured:
        return configured
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    ensure_data_dir(folder)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def sqlite_directory_problem(database_url: str | None) -> str | None:
    """A one-line message when the embedded database's directory is missing, else ``None``."""
    if not database_url or not database_url.startswith("sqlite:///"):
        return None
    path = Path(database_url.removeprefix("sqlite:///"))
    if str(path) in ("", ":memory:"):
        return None
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.parent.is_dir():
        return (
            f"数据库目录不存在：{path.parent}。请先创建该目录（mkdir -p {path.parent}），"
            "或把 YANGFAN_DATABASE_URL 指向已有目录中的文件"
        )
    return None
