"""The command line assembled from the command groups, and the one place its errors become messages."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from contextlib import suppress

from django.core.exceptions import ValidationError

from yangfan.cli import audit, backup, demo, indicators, ingests, plans, reports, server, tasks, users, values
from yangfan.cli.base import Parser, UsageError, err
from yangfan.config import DISK_FULL, ConfigError, StorageProblem, data_dir, env_flag, storage_problem
from yangfan.core.errors import ImportInvalid as ImportInvalidError
from yangfan.core.errors import PlanInvalid, YangfanError
from yangfan.core.periods import PeriodError

GROUPS = (
    server,
    plans,
    users,
    values,
    indicators,
    reports,
    ingests,
    demo,
    tasks,
    audit,
    backup,
)  # the order of --help


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="yangfan", description="扬帆：5G应用行动计划监测、评估与督导平台")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    commands.required = True
    for group in GROUPS:
        group.register(commands)
    return parser


def entry() -> None:
    """The ``yangfan`` command: ``main`` in a process of its own, which it then leaves without tearing the
    interpreter down object by object (a garbage collection over everything Django loaded, about 0.2 s on
    every command). What holds a resource is closed first: the database connections, the logs, the terminal.
    While a thread of the command is still at work, the interpreter ends as usual and waits for it."""
    code = main()
    main_thread = threading.main_thread()
    if any(t is not main_thread and t.is_alive() and not t.daemon for t in threading.enumerate()):
        raise SystemExit(code)
    if "django.db" in sys.modules:
        from django.apps import apps
        from django.db import connections

        if apps.ready:
            connections.close_all()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader that went away (yangfan … | head), a closed stream
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args) or 0
    except (UsageError, PeriodError) as exc:  # a period the user wrote is a usage error wherever it is read
        err.print(f"yangfan: {exc}")
        return 2
    except PlanInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        err.print(f"计划文件有 {len(exc.problems)} 处错误，未写入任何内容。")
        return 1
    except ValidationError as exc:
        err.print("yangfan: " + "；".join(exc.messages), markup=False)
        return 1
    except ImportInvalidError as exc:
        for error in exc.errors:
            err.print(f"{exc.file}: {error}", markup=False)
        if exc.unlisted:
            err.print(f"{exc.file}: {exc.unlisted}", markup=False)
        at_least = "至少" if exc.unchecked else ""
        err.print(f"文件有{at_least} {exc.total} 处错误，未写入任何内容。")
        return 1
    except (ConfigError, YangfanError) as exc:  # a setting, or an input the core or an app refuses
        err.print(f"yangfan: {exc}", markup=False)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if env_flag("YANGFAN_DEBUG"):
            raise
        err.print(f"yangfan: {_describe(exc)}", markup=False)
        return 1


def _describe(exc: Exception) -> str:
    """One line for an unexpected error, naming the likely cause where we can tell it."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError

    # before the database's: a full disk under SQLite is a full disk, not a wrong YANGFAN_DATABASE_URL
    problem = storage_problem(exc)
    if problem is not None:
        return _storage_message(problem)
    if isinstance(exc, OperationalError):
        return f"无法使用数据库（{str(exc).strip().splitlines()[0]}）；请检查 YANGFAN_DATABASE_URL 以及数据库服务是否已启动"
    if isinstance(exc, ImproperlyConfigured):
        return f"配置错误：{exc}"
    return f"内部错误：{type(exc).__name__}: {exc}（设置 YANGFAN_DEBUG=1 可查看详细信息）"


def _storage_message(problem: StorageProblem) -> str:
    """A full disk or a refused permission: the path, and what to free or fix (ADR 0018)."""
    if problem.kind == DISK_FULL:
        where = problem.path or f"扬帆数据目录 {data_dir()}"
        return f"磁盘空间已满，无法写入 {where}；请清理其所在的磁盘（如旧的备份、导出文件、日志）后重试"
    where = problem.path or f"扬帆数据目录 {data_dir()}"
    return f"没有权限写入 {where}；请检查其所有者和权限（运行 yangfan 的用户须可读写），或改用可写的位置"
