"""The command line says in one line what the machine refused: a full disk or a permission, with the path and
the remedy; a full SQLite disk is not blamed on YANGFAN_DATABASE_URL."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

from django.db import OperationalError

from yangfan.cli import main
from yangfan.cli.parser import _describe


def _one_line(capsys) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_an_export_to_a_full_disk_says_so_in_one_line(db, capsys):
    assert main(["values", "export", "--format", "csv", "-o", "/dev/full"]) == 1
    line = _one_line(capsys)
    assert line.startswith("yangfan: 磁盘空间已满") and "清理" in line
    assert "内部错误" not in line and "Errno" not in line


def test_an_export_where_the_user_may_not_write_names_the_path(db, capsys, tmp_path, monkeypatch):
    target = tmp_path / "locked" / "values.csv"

    def refused(
        self, *args, **kwargs
    ):  # what open() raises for a user without write permission (root has it)
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refused)
    assert main(["values", "export", "--format", "csv", "-o", str(target)]) == 1
    assert _one_line(capsys) == (
        f"yangfan: 没有权限写入 {target}；请检查其所有者和权限（运行 yangfan 的用户须可读写），或改用可写的位置"
    )


def test_a_full_sqlite_disk_names_the_disk_and_not_the_database_url(db):
    line = _describe(OperationalError("database or disk is full"))
    assert line.startswith("磁盘空间已满，无法写入 ")
    assert "YANGFAN_DATABASE_URL" not in line


def test_a_full_disk_behind_another_error_is_still_found():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/srv/yangfan/backups/b.tar.gz")
        except OSError as cause:
            raise RuntimeError("backup failed") from cause
    except RuntimeError as wrapped:
        line = _describe(wrapped)
    assert line == (
        "磁盘空间已满，无法写入 /srv/yangfan/backups/b.tar.gz；请清理其所在的磁盘（如旧的备份、导出文件、日志）后重试"
    )


def test_an_unreachable_database_still_points_at_the_database_url():
    line = _describe(
        OperationalError('connection to server at "10.0.0.9", port 5432 failed: Connection refused')
    )
    assert "YANGFAN_DATABASE_URL" in line


def test_the_command_prints_one_line_for_a_full_disk_as_a_process(initialised_env):
    done = subprocess.run(
        [sys.executable, "-m", "yangfan", "values", "export", "--format", "json", "-o", "/dev/full"],
        env=initialised_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("yangfan: 磁盘空间已满") and "\n" not in done.stderr.strip()
    assert "Traceback" not in done.stderr and Path("/dev/full").exists()
