"""Environment reading shared by the settings and the command line (no Django import: the CLI uses it
to report a bad configuration in one line before Django starts)."""

from __future__ import annotations

import errno
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """A configuration the user must fix; the message says what and how."""


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def megabytes(name: str, default: int) -> int:
    """A size limit set in MiB by the environment variable ``name`` (``default`` when unset), in bytes."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default * 1024 * 1024
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size <= 0:
        raise ConfigError(f"{name} 应为正整数（单位 MB），而不是“{value}”")
    return size * 1024 * 1024


IMPORT_MAX_MB = 200  # the largest file an import reads, and what a workbook may unpack to (documents.limits)


def import_max_bytes() -> int:
    """``YANGFAN_IMPORT_MAX_MB`` in bytes: read by the settings, and by the command line before Django starts."""
    return megabytes("YANGFAN_IMPORT_MAX_MB", IMPORT_MAX_MB)


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


def _sqlite_path() -> str | None:
    """The SQLite database file, when Django is running on one (a full disk there names the file)."""
    from django.apps import apps

    if not apps.ready:
        return None
    from django.db import connection

    return str(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None


# What the machine refused: the disk is full, or the process may not write where it has to (ADR 0018).
DISK_FULL, NO_PERMISSION = "disk_full", "no_permission"
_STORAGE_ERRNOS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,  # a quota: the same remedy, free space
    errno.EACCES: NO_PERMISSION,
    errno.EPERM: NO_PERMISSION,
    errno.EROFS: NO_PERMISSION,  # a read-only file system: the same remedy, make it writable
}


@dataclass(frozen=True)
class StorageProblem:
    """A full disk or a refused permission, and the path it concerns where one is known."""

    kind: str  # DISK_FULL or NO_PERMISSION
    path: str | None


def storage_problem(exc: BaseException) -> StorageProblem | None:
    """The full disk or refused permission behind ``exc`` (an ``OSError``, or what one caused), else ``None``.

    SQLite does not raise an ``OSError``: its "database or disk is full" and "attempt to write a readonly
    database" are database errors, about the database file (``_sqlite_path``); they are storage problems, not a
    wrong ``YANGFAN_DATABASE_URL``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            kind = _STORAGE_ERRNOS.get(current.errno)
            if kind:
                path = current.filename if current.filename is not None else current.filename2
                return StorageProblem(kind, None if path is None else os.fsdecode(path))
        text = str(current).lower()
        if "database or disk is full" in text or "sqlite_full" in text:
            return StorageProblem(DISK_FULL, _sqlite_path())
        if "readonly database" in text or "unable to open database file" in text:
            return StorageProblem(NO_PERMISSION, _sqlite_path())
        current = current.__cause__ or current.__context__
    return None
