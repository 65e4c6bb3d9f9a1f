"""The ``yangfan`` command. Thin: parse arguments, call a service, print in Chinese, exit 0 or not.

Every expected failure (bad plan file, unknown command, missing directory, port in use, unreachable
database) is one line on stderr and a non-zero exit status, never a traceback. Set YANGFAN_DEBUG=1 to
see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import socket
import sys
from pathlib import Path

from rich.console import Console

from yangfan.config import ConfigError, data_dir, ensure_data_dir, env_flag, sqlite_directory_problem
from yangfan.core.errors import PlanInvalid

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageError(Exception):
    """Bad command-line usage; the message is already in the user's words."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English; say it in Chinese
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yangfan", description="扬帆：5G应用行动计划监测、评估与督导平台")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    commands.required = True

    init = commands.add_parser("init", help="创建或迁移数据库，加载内置的行动计划")
    init.add_argument("--demo", action="store_true", help="同时加入演示数据和演示账号（均标注为演示）")
    init.set_defaults(handler=cmd_init)

    serve = commands.add_parser("serve", help="运行网页应用（必要时先初始化）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2）")
    serve.set_defaults(handler=cmd_serve)

    plan = commands.add_parser("plan", help="校验或加载计划文件")
    plan_commands = plan.add_subparsers(dest="plan_command", metavar="子命令", parser_class=_Parser)
    plan_commands.required = True
    validate = plan_commands.add_parser("validate", help="校验计划文件，列出所有错误及其行号")
    validate.add_argument("file", metavar="FILE", type=Path)
    validate.set_defaults(handler=cmd_plan_validate)
    load = plan_commands.add_parser("load", help="校验并加载计划文件（已存在则就地更新）")
    load.add_argument("file", metavar="FILE", type=Path)
    load.set_defaults(handler=cmd_plan_load)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args) or 0
    except UsageError as exc:
        err.print(f"yangfan: {exc}")
        return 2
    except PlanInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        err.print(f"计划文件有 {len(exc.problems)} 处错误，未写入任何内容。")
        return 1
    except ConfigError as exc:
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

    if isinstance(exc, OperationalError):
        return f"无法使用数据库（{str(exc).strip().splitlines()[0]}）；请检查 YANGFAN_DATABASE_URL 以及数据库服务是否已启动"
    if isinstance(exc, ImproperlyConfigured):
        return f"配置错误：{exc}"
    return f"内部错误：{type(exc).__name__}: {exc}（设置 YANGFAN_DEBUG=1 可查看详细信息）"


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


def initialise(*, demo: bool, quiet: bool = False) -> None:
    """Migrate the database and load the bundled plans (and the demo content). Safe to repeat."""
    from django.core.management import call_command

    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import bundled_plan_paths

    with out.status("正在创建或迁移数据库…"):
        call_command("migrate", interactive=False, verbosity=0)
    if not quiet:
        out.print("数据库已就绪。")
    for path in bundled_plan_paths():
        with out.status(f"正在加载计划 {path.name}…"):
            plan, stats = plan_load_file(path=path)
        if not quiet:
            out.print(f"计划「{plan.name}」已加载：{stats}。")
    if demo:
        from yangfan.demo import demo_load

        logins = demo_load()
        out.print("演示数据已加入。演示账号（仅供演示，请勿用于正式环境）：")
        for login in logins:
            out.print(f"  {login.role}：用户名 {login.username}  密码 {login.password}", markup=False)


def cmd_init(args: argparse.Namespace) -> int:
    setup_django()
    initialise(demo=args.demo)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _check_port(args.host, args.port)
    setup_django()
    from django.db import connections

    from yangfan.actionplans.models import Plan

    initialise(demo=False, quiet=Plan.objects.exists())
    connections.close_all()  # the workers open their own connections after the fork
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}/"
    out.print(f"扬帆已启动：{url}  （按 Ctrl+C 停止）")
    from yangfan.server import run

    run(host=args.host, port=args.port, workers=args.workers)
    return 0


def _check_port(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise UsageError(f"端口 {port} 无效，应在 1–65535 之间")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"端口 {port} 已被占用；请先停止占用它的程序，或用 --port 指定其他端口（例如 --port {port + 1}）"
                ) from None
            raise UsageError(
                f"无法在 {host}:{port} 上监听（{exc.strerror}）；请检查 --host 和 --port"
            ) from None


def cmd_plan_validate(args: argparse.Namespace) -> int:
    from yangfan.core.planfile import load_plan

    plan = load_plan(args.file)
    out.print(
        f"{args.file}：校验通过。「{plan.name}」：{len(plan.tasks)} 项任务，{len(plan.indicators)} 个指标"
        f"（附件 {len(plan.annex_indicators)} 个），{len(plan.org_units)} 个组织机构。"
    )
    return 0


def cmd_plan_load(args: argparse.Namespace) -> int:
    from yangfan.core.planfile import load_plan

    load_plan(args.file)  # report a bad file before touching the database
    setup_django()
    from django.core.management import call_command

    from yangfan.actionplans.services import plan_load_file

    call_command("migrate", interactive=False, verbosity=0)
    plan, stats = plan_load_file(path=args.file)
    out.print(f"计划「{plan.name}」已加载：{stats}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
