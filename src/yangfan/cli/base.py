"""What the command groups share: the consoles, the usage error and the parser that raises it, starting
Django, the progress bar, and the lookups more than one group makes."""

from __future__ import annotations

import argparse
import os
import re
from contextlib import contextmanager

from rich.console import Console

from yangfan.config import ConfigError, data_dir, ensure_data_dir, sqlite_directory_problem

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageError(Exception):
    """Bad command-line usage; the message is already in the user's words."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English; say it in Chinese
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        option = re.match(r"argument (-[-\w]+)", message)
        if choice and option:
            options = "、".join(o.strip(" '") for o in choice.group(2).split(","))
            raise UsageError(f"参数 {option.group(1)} 的取值“{choice.group(1)}”无效；可选：{options}")
        if choice:
            options = "、".join(o.strip(" '") for o in choice.group(2).split(","))
            raise UsageError(
                f"未知命令“{choice.group(1)}”；可用命令：{options}。运行 {self.prog} --help 查看用法"
            )
        missing = re.search(r"the following arguments are required: (.*)", message)
        if missing:
            raise UsageError(f"缺少参数 {missing.group(1)}。运行 {self.prog} --help 查看用法")
        unknown = re.search(r"unrecognized arguments: (.*)", message)
        if unknown:
            raise UsageError(f"无法识别的参数 {unknown.group(1)}。运行 {self.prog} --help 查看用法")
        raise UsageError(f"参数错误：{message}。运行 {self.prog} --help 查看用法")


def setup_django() -> None:
    """Check what must exist before Django starts, then start it."""
    problem = sqlite_directory_problem(os.environ.get("YANGFAN_DATABASE_URL"))
    if problem:
        raise ConfigError(problem)
    if not os.environ.get("YANGFAN_DATABASE_URL") or not os.environ.get("YANGFAN_SECRET_KEY"):
        ensure_data_dir(data_dir())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangfan.settings")
    import django

    django.setup()


@contextmanager
def progress_bar(description: str):
    """A terminal progress bar; yields the ``progress(done, total)`` callback that services take."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def org_units(references: list[str]):
    """The org units named by code or by name (``--org``, ``--view-org``)."""
    from yangfan.orgunits.models import OrgUnit

    units = []
    for reference in references:
        unit = (
            OrgUnit.objects.filter(code=reference).first() or OrgUnit.objects.filter(name=reference).first()
        )
        if unit is None:
            raise UsageError(f"未知组织机构“{reference}”；请使用代码（如 610100）或名称（如 西安市）")
        units.append(unit)
    return units


def os_user() -> str:
    """Who ran an export, for its audit entry: the CLI has no logged-in user."""
    import getpass

    try:
        return "操作系统用户 " + getpass.getuser()
    except (KeyError, OSError):
        return "操作系统用户未知"
