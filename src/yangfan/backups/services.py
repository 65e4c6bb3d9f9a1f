"""Backup and restore (issue 21, ADR 0020): one archive holds everything a site cannot rebuild, and a restore proves
it got it all back.

What an archive holds: an online copy of the database (SQLite's backup API; ``pg_dump -Fc`` on PostgreSQL, from
the same snapshot the manifest's figures are read in), the kept files under the data directory (``KEPT``), and the
manifest: each part's size and SHA-256, the Yangfan version, the database vendor, the migrations applied and the
audit trail's head (its last entry's number and hash, and whether the chain verified). Left out: what is rebuilt
or only passing (``jobs/`` progress, ``reports/`` downloads, the ingest reference cache), the secret key (kept
apart: an archive copied off the machine should not carry it), and raw files the command line read from outside
the data directory (the administrator's own).

A restore writes only into an empty data directory and an empty database, and only after the whole archive was
read and found whole. It ends by checking what it wrote: the audit chain verifies and ends where the manifest
says, the migrations are the manifest's, every file has its SHA-256. Restored into another data directory, the
runs' stored paths are moved with it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

import yangfan
from yangfan.audit.chain import HASHED_FIELDS, VerifyResult, verify_chain
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_verify
from yangfan.backups.archive import (
    FORMAT,
    FORMAT_VERSION,
    ArchiveWriter,
    BackupError,
    Checked,
    archive_check,
    archive_members,
    compressed,
    open_for_writing,
    rotate,
    rotation_pattern,
    sha256_file,
)
from yangfan.config import data_dir
from yangfan.ingests.models import IngestFile, IngestRun, InventoryPart

# the data directory's folders an archive keeps: evidence (佐证材料), and the ingests' uploads, operators'
# inventories, rejects files and the figures of previews awaiting confirmation
KEPT = ("evidence", "ingest/uploads", "ingest/inventory", "ingest/rejects", "ingest/previews")
SQLITE_PART, PG_PART = "database/yangfan.sqlite3", "database/yangfan.pgdump"
# what may be in a data directory a restore still counts as empty: the secret key made on start
EMPTY_ALLOWS = {"secret_key"}

# (done, total) parts
Progress = Callable[[int, int], None]


@dataclass
class BackupReport:
    output: Path
    vendor: str
    parts: int
    size: int
    audit: dict[str, Any]
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreReport:
    vendor: str
    files: int
    audit: VerifyResult
    moved_paths: int
    migrations_behind: int  # migrations this version has that the backup's database had not yet


# --- backup ------------------------------------------------------------------------------------------------


def backup_create(*, output: Path, keep: int | None = None, progress: Progress | None = None) -> BackupReport:
    """Write one archive of the database and the kept files to ``output`` (see the module), then, with ``keep``,
    remove all but the ``keep`` newest archives of its series. The archive is written beside ``output`` under a
    temporary name and renamed at the end: an interrupted backup never leaves a file that looks complete."""
    output = output.expanduser().resolve()
    if keep is not None and keep < 1:
        raise BackupError("--keep 须为正整数")
    if keep is not None and rotation_pattern(output.name) is None:
        raise BackupError(
            f"--keep 按文件名中的日期或编号识别同一系列的备份，而 {output.name} 中没有数字；请用如 yangfan-$(date +%F).tar.gz 的文件名"
        )
    if not output.parent.is_dir():
        raise BackupError(f"备份目录不存在：{output.parent}；请先创建它（mkdir -p {output.parent}）")
    folder = data_dir()
    files = [(p, f"files/{p.relative_to(folder).as_posix()}") for p in _kept_files(folder)]
    total = len(files) + 1
    partial = output.with_name(output.name + ".part")
    vendor = connection.vendor
    try:
        with (
            tempfile.TemporaryDirectory(prefix=".yangfan-backup-", dir=output.parent) as scratch,
            _database_copy(Path(scratch)) as (copy, details, audit, migrations),
        ):
            if progress:
                progress(0, total)
            with open_for_writing(partial, gzip=compressed(output)) as tar:
                writer = ArchiveWriter(tar)
                writer.add(copy, details["part"])
                if progress:
                    progress(1, total)
                for done, (source, name) in enumerate(files, start=2):
                    writer.add(source, name)
                    if progress:
                        progress(done, total)
                writer.finish(
                    {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "yangfan_version": yangfan.__version__,
                        "database": details,
                        "migrations": migrations,
                        "audit": audit,
                        "data_dir": str(folder),
                    }
                )
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    removed = rotate(output, keep) if keep else []
    return BackupReport(output, vendor, len(writer.parts), output.stat().st_size, audit, removed)


def _kept_files(folder: Path) -> list[Path]:
    """Every regular file under the kept folders, in a stable order (links are not followed out of the folder)."""
    found = []
    for sub in KEPT:
        root = folder / sub
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return sorted(found)


@contextmanager
def _database_copy(scratch: Path):
    """``(copy file, database details, audit head, migrations)``, all of one consistent state of the database."""
    if connection.vendor == "sqlite":
        copy = scratch / "yangfan.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)  # one step: the copy is one state of the database
        finally:
            target.close()
        with _alias_for(copy) as alias:
            audit = _audit_head(_verify(alias))
            migrations = _applied(connections[alias])
        details = {"vendor": "sqlite", "part": SQLITE_PART, "tool": f"SQLite {sqlite3.sqlite_version}"}
        yield copy, details, audit, migrations
        return
    if connection.vendor != "postgresql":
        raise BackupError(f"不支持备份 {connection.vendor} 数据库；扬帆支持 SQLite 和 PostgreSQL")
    pg_dump, tool = _pg_tool("pg_dump")
    copy = scratch / "yangfan.pgdump"
    with transaction.atomic():
        with connection.cursor() as cursor:
            # the manifest's figures and the dump read one snapshot, whatever is written meanwhile
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int")
            snapshot, server = cursor.fetchone()
        if tool["major"] < server // 10000:
            raise BackupError(
                f"pg_dump 版本（{tool['version']}）低于数据库服务器（{server // 10000}），无法备份；"
                f"请安装与服务器相同或更新的 PostgreSQL 客户端（如 apt-get install postgresql-client-{server // 10000}）"
            )
        audit = _audit_head(audit_verify())
        migrations = _applied(connection)
        done = subprocess.run(
            [pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(copy)],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{_first_line(done.stderr)}")
    details = {
        "vendor": "postgresql",
        "part": PG_PART,
        "tool": tool["version"],
        "tool_major": tool["major"],
        "server_version": server,
    }
    yield copy, details, audit, migrations


@contextmanager
def _alias_for(path: Path):
    """A database alias reading the SQLite file at ``path`` (the copy), closed and forgotten afterwards."""
    alias = "yangfan_backup_copy"
    connections.settings[alias] = {**connections.settings["default"], "NAME": str(path), "OPTIONS": {}}
    try:
        yield alias
    finally:
        connections[alias].close()
        with suppress(AttributeError, KeyError):
            del connections[alias]
        del connections.settings[alias]


def _verify(alias: str) -> VerifyResult:
    rows = (
        AuditEntry.objects.using(alias)
        .order_by("seq")
        .values(*HASHED_FIELDS, "prev_hash", "hash")
        .iterator(chunk_size=2000)
    )
    return verify_chain(rows)


def _audit_head(result: VerifyResult) -> dict[str, Any]:
    return {
        "entries": result.checked,
        "verified": result.ok,
        "last_seq": result.last_seq,
        "last_hash": result.last_hash,
    }


def _applied(conn) -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(conn).applied_migrations())


# --- restore -----------------------------------------------------------------------------------------------


def backup_restore(*, archive: Path, progress: Progress | None = None) -> RestoreReport:
    """Restore ``archive`` into this site's data directory and database, both empty, then check what was written
    (see the module). Refuses, writing nothing, a target that is not empty or an archive that is not whole."""
    archive = archive.expanduser().resolve()
    folder = data_dir()
    _data_dir_empty(folder)
    vendor = connection.vendor
    _database_empty(vendor)
    checked = archive_check(archive, progress=(lambda done, _t: progress(done, 0)) if progress else None)
    manifest = checked.manifest
    source_vendor = manifest["database"].get("vendor")
    if source_vendor != vendor:
        raise BackupError(
            f"备份中的数据库是 {source_vendor}，而 YANGFAN_DATABASE_URL 指向 {vendor} 数据库；请恢复到同类数据库"
        )
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"备份来自较新版本的扬帆（{manifest.get('yangfan_version')}），含本版本没有的数据库迁移（{'、'.join(unknown[:3])}）；请先升级扬帆再恢复"
        )
    pg_restore = _pg_restore_checked(manifest) if vendor == "postgresql" else None
    written = _write(archive, checked, folder, pg_restore, progress)
    moved = _move_paths(manifest.get("data_dir", ""), folder)
    result = _check_restored(checked, written, folder)
    return RestoreReport(
        vendor=vendor,
        files=len(checked.files),
        audit=result,
        moved_paths=moved,
        migrations_behind=len(known - set(manifest["migrations"])),
    )


def _data_dir_empty(folder: Path) -> None:
    """Nothing in the data directory but what starting made (the secret key) and an empty database file."""
    if not folder.exists():
        return
    database = Path(settings.DATABASES["default"]["NAME"]) if connection.vendor == "sqlite" else None
    own = {database.name, database.name + "-wal", database.name + "-shm"} if database else set()
    present = sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in EMPTY_ALLOWS and not (p.name in own and not _sqlite_tables(database))
    )
    if present:
        raise BackupError(
            f"数据目录 {folder} 不是空的（已有 {'、'.join(present[:5])}{' 等' if len(present) > 5 else ''}），"
            "恢复只写入空的数据目录，以免覆盖现有数据；请把 YANGFAN_DATA_DIR 指向一个新的空目录后重试"
        )


def _sqlite_tables(path: Path) -> int:
    """How many tables the SQLite file at ``path`` holds, read without creating or changing it."""
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        return 1  # not a database we can read: not empty either


def _database_empty(vendor: str) -> None:
    if vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        if _sqlite_tables(path):
            raise BackupError(
                f"数据库 {path} 不是空的；恢复只写入空数据库。请把 YANGFAN_DATA_DIR（或 YANGFAN_DATABASE_URL）指向新的位置后重试"
            )
        return
    if vendor != "postgresql":
        raise BackupError(f"不支持恢复到 {vendor} 数据库；扬帆支持 SQLite 和 PostgreSQL")
    tables = connection.introspection.table_names()
    if tables:
        name = settings.DATABASES["default"]["NAME"]
        raise BackupError(
            f"数据库 {name} 不是空的（已有 {len(tables)} 张表）；恢复只写入空数据库。请新建一个空数据库"
            f"（如 createdb {name}_restored）并把 YANGFAN_DATABASE_URL 指向它后重试"
        )
    connection.close()  # pg_restore writes through its own connection


def _pg_restore_checked(manifest: dict[str, Any]) -> str:
    pg_restore, tool = _pg_tool("pg_restore")
    made_by = manifest["database"].get("tool_major", 0)
    if tool["major"] < made_by:
        raise BackupError(
            f"备份由 PostgreSQL {made_by} 的 pg_dump 写成，而本机的 pg_restore 是 {tool['version']}，读不了它；"
            f"请安装 PostgreSQL {made_by} 或更新的客户端（如 apt-get install postgresql-client-{made_by}）"
        )
    return pg_restore


def _write(archive: Path, checked: Checked, folder: Path, pg_restore: str | None, progress) -> list[Path]:
    """Write the database and the files; on a failure midway, remove the files written (and a SQLite database;
    a PostgreSQL restore is one transaction) and raise."""
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    total = len(checked.parts)
    try:
        with tempfile.TemporaryDirectory(prefix="yangfan-restore-") as scratch:
            for done, (name, reader) in enumerate(archive_members(archive), start=1):
                if name == checked.database.path:
                    dump = Path(scratch) / Path(name).name
                    _copy(reader, dump)
                    _database_restore(dump, pg_restore)
                    if pg_restore is None:  # the SQLite file goes too if the rest cannot be written
                        written.append(Path(settings.DATABASES["default"]["NAME"]))
                else:
                    target = folder / name.removeprefix("files/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _copy(reader, target)
                    written.append(target)
                if progress:
                    progress(done, total)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _copy(reader, target: Path) -> None:
    with target.open("xb") as handle:
        shutil.copyfileobj(reader, handle, 1 << 20)


def _database_restore(dump: Path, pg_restore: str | None) -> None:
    if pg_restore is None:
        path = Path(settings.DATABASES["default"]["NAME"])
        connections.close_all()
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)  # of the empty file: they would be read as the restored one's
        shutil.move(dump, path)
        return
    done = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            settings.DATABASES["default"]["NAME"],
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未写入：{_first_line(done.stderr)}")


def _move_paths(old: str, folder: Path) -> int:
    """Restored into another data directory: the stored paths of the runs' files point into the new one."""
    new = str(folder)
    if not old or old == new:
        return 0
    prefix = old.rstrip("/") + "/"
    moved = 0
    with transaction.atomic():
        for model, name in ((IngestFile, "path"), (InventoryPart, "path"), (IngestRun, "rejects_file")):
            moved += model.objects.filter(**{f"{name}__startswith": prefix}).update(
                **{name: Concat(Value(new + "/"), Substr(name, len(prefix) + 1), output_field=CharField())}
            )
    return moved


def _check_restored(checked: Checked, written: list[Path], folder: Path) -> VerifyResult:
    """The restored site against the manifest: the audit chain's head, the migrations, every file's SHA-256."""
    manifest = checked.manifest
    result = audit_verify()
    expected = manifest["audit"]
    head = {
        "entries": result.checked,
        "verified": result.ok,
        "last_seq": result.last_seq,
        "last_hash": result.last_hash,
    }
    if head != {k: expected.get(k) for k in head}:
        raise BackupError(
            f"恢复后的审计日志与备份清单不一致：清单为第 {expected.get('last_seq')} 条（{expected.get('last_hash')}），"
            f"恢复后为第 {result.last_seq} 条（{result.last_hash}），共 {result.checked} 条；请勿使用此次恢复的数据"
        )
    if _applied(connection) != sorted(manifest["migrations"]):
        raise BackupError("恢复后数据库的迁移记录与备份清单不一致；请勿使用此次恢复的数据")
    for part in checked.files:
        target = folder / part.path.removeprefix("files/")
        if not target.is_file() or sha256_file(target) != part.sha256:
            raise BackupError(f"恢复后的文件 {target} 与备份清单的 SHA-256 不符；请勿使用此次恢复的数据")
    return result


# --- PostgreSQL's tools ------------------------------------------------------------------------------------


def _pg_tool(name: str) -> tuple[str, dict[str, Any]]:
    """The path of ``pg_dump`` or ``pg_restore`` and its version; a clear message when it is not installed."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：备份和恢复 PostgreSQL 数据库需要 PostgreSQL 客户端工具；"
            "请安装与服务器版本相同的客户端（如 apt-get install postgresql-client-15）并确认它在 PATH 中"
        )
    done = subprocess.run([path, "--version"], capture_output=True, text=True)
    version = done.stdout.strip()
    try:
        major = int(version.split()[-1].split(".")[0])
    except (IndexError, ValueError):
        raise BackupError(f"无法识别 {name} 的版本（{version or done.stderr.strip()}）") from None
    return path, {"version": version, "major": major}


def _pg_env() -> dict[str, str]:
    """The connection of YANGFAN_DATABASE_URL for PostgreSQL's tools, the password in the environment (never on
    the command line, where other users could read it)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "原因未知"
