"""The ``yangfan`` command. Thin: parse arguments, call a service, print in Chinese, exit 0 or not.

Every expected failure (bad plan file, unknown command, missing directory, port in use, unreachable
database) is one line on stderr and a non-zero exit status, never a traceback. Set YANGFAN_DEBUG=1 to
see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import socket
import sys
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

from django.core.exceptions import ValidationError
from rich.console import Console

from yangfan.config import ConfigError, data_dir, ensure_data_dir, env_flag, sqlite_directory_problem
from yangfan.core.errors import ImportInvalid as ImportInvalidError
from yangfan.core.errors import PlanInvalid
from yangfan.core.periods import PeriodError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageError(Exception):
    """Bad command-line usage; the message is already in the user's words."""


class _Parser(argparse.ArgumentParser):
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
    users = commands.add_parser("users", help="管理用户（系统管理员的脚本）")
    user_commands = users.add_subparsers(dest="users_command", metavar="子命令", parser_class=_Parser)
    user_commands.required = True
    create = user_commands.add_parser(
        "create", help="新建用户；密码取自环境变量 YANGFAN_PASSWORD，否则提示输入；首次登录须修改密码"
    )
    create.add_argument("username", metavar="USERNAME")
    create.add_argument(
        "--role", required=True, choices=ROLE_NAMES, metavar="ROLE", help="、".join(ROLE_NAMES)
    )
    create.add_argument(
        "--org", action="append", default=[], metavar="CODE", help="填报范围：组织机构代码或名称（可重复）"
    )
    create.add_argument("--view-org", action="append", default=[], metavar="CODE", help="查看范围（可重复）")
    create.add_argument("--unit", metavar="NAME", help="所属责任单位（部门填报员），如 省工信厅")
    create.add_argument("--operator", metavar="NAME", help="所属运营商（运营商填报员），如 中国移动")
    create.add_argument("--name", default="", help="姓名")
    create.set_defaults(handler=cmd_users_create)
    listing = user_commands.add_parser("list", help="列出用户")
    listing.set_defaults(handler=cmd_users_list)

    tokens = commands.add_parser("tokens", help="API 令牌")
    token_commands = tokens.add_subparsers(dest="tokens_command", metavar="子命令", parser_class=_Parser)
    token_commands.required = True
    token_create = token_commands.add_parser("create", help="为用户新建 API 令牌，只显示这一次")
    token_create.add_argument("username", metavar="USERNAME")
    token_create.add_argument("--days", type=int, default=90, help="有效天数（默认 90，最多 366）")
    token_create.add_argument("--name", default="", help="用途")
    token_create.set_defaults(handler=cmd_tokens_create)

    values = commands.add_parser("values", help="数据值的导入与导出")
    value_commands = values.add_subparsers(dest="values_command", metavar="子命令", parser_class=_Parser)
    value_commands.required = True
    values_import = value_commands.add_parser(
        "import",
        help="从 CSV（UTF-8 或 GB18030）、XLSX 或 DHIS2 JSON 导入数据值；全部成功才写入，同一文件重复导入不改变任何数据",
    )
    values_import.add_argument("file", metavar="FILE", type=Path)
    values_import.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
    values_import.set_defaults(handler=cmd_values_import)

    values_export = value_commands.add_parser("export", help="导出数据值（确定性：同样的数据得到同样的字节）")
    values_export.add_argument("--org", help="组织机构代码或名称（含统计上计入它的下级单位）")
    values_export.add_argument("--period", help="期间（含其中的季和月）")
    values_export.add_argument(
        "--format",
        choices=["csv", "xlsx", "json"],
        default="csv",
        help="csv、xlsx，或 DHIS2 dataValueSets JSON",
    )
    values_export.add_argument("-o", "--output", type=Path, help="输出文件（默认：标准输出）")
    values_export.set_defaults(handler=cmd_values_export)

    values_check = value_commands.add_parser(
        "check", help="按计划文件中的校验规则检查数据；有错误时返回 1，只有警告时返回 0"
    )
    values_check.add_argument("--org", required=True, help="组织机构代码或名称（含统计上计入它的下级单位）")
    values_check.add_argument("--period", required=True, help="期间：2023、2023Q4 或 202312")
    values_check.add_argument(
        "--data-set", dest="data_set", metavar="D", help="数据集代码（如 city-quarterly）：只检查这份报表"
    )
    values_check.add_argument("--format", choices=["table", "json"], default="table")
    values_check.set_defaults(handler=cmd_values_check)

    indicators = commands.add_parser("indicators", help="计算指标值、目标达成情况与趋势研判")
    indicators.add_argument("--plan", default=None, help="计划代码（默认：唯一的内置计划）")
    indicators.add_argument("--org", required=True, help="组织机构代码或名称，如 610000")
    indicators.add_argument("--period", required=True, help="期间：2023、2023Q4 或 202312")
    indicators.add_argument("--children", action="store_true", help="同时计算统计上计入它的下级单位")
    indicators.add_argument("--format", choices=["json", "table"], default="table")
    indicators.set_defaults(handler=cmd_indicators)

    report = commands.add_parser("report", help="生成评估报告（Word 或 Excel）")
    report.add_argument("--plan", default=None, help="计划代码（默认：唯一的内置计划）")
    report.add_argument("--org", required=True, help="组织机构代码或名称，如 610000、西安市、XIXIAN")
    report.add_argument("--period", required=True, help="期间：2023、2023Q4 或 202312")
    report.add_argument("--format", choices=["docx", "xlsx"], default="docx")
    report.add_argument("-o", "--output", required=True, help="输出文件，如 report.docx")
    report.set_defaults(handler=cmd_report)

    ingest = commands.add_parser(
        "ingest",
        help="把运营商原始数据文件汇总为数据值（区县×月×运营商）；yangfan ingest show RUN 查看汇总批次的来源",
        description="KIND 为 base-stations（基站清单）、cell-traffic（小区流量）、iot-sims（物联网卡登记）、"
        "subscribers（用户数）；文件为 CSV（UTF-8 或 GB18030）或 Parquet。yangfan ingest show RUN 显示一个汇总批次的来源。",
    )
    ingest.add_argument("kind", metavar="KIND", choices=[*INGEST_KINDS, "show"], help="原始数据类型，或 show")
    ingest.add_argument("files", metavar="FILE", nargs="+", help="原始数据文件（show 时为汇总批次编号）")
    ingest.add_argument(
        "--engine", choices=["duckdb", "spark"], default="duckdb", help="计算引擎（默认 duckdb）"
    )
    ingest.add_argument("--period", default="", help="只汇总这一期间的月份，如 2023、2023Q4、202312")
    ingest.add_argument("--sites", nargs="+", default=[], metavar="FILE", help="小区流量所用的基站清单文件")
    ingest.add_argument("--dry-run", action="store_true", help="只检查和计算，不写入")
    ingest.add_argument(
        "--max-reject-rate",
        type=float,
        default=0.001,
        help="不符合约定的行超过此比例时拒绝整批（默认 0.001，即 0.1%%）",
    )
    ingest.add_argument(
        "--spark-master", default="", help="Spark 集群地址，如 spark://host:7077（默认 local[*]）"
    )
    ingest.add_argument("--memory-limit", default="", help="DuckDB 内存上限，超出时写入临时文件（默认 4GB）")
    ingest.add_argument("--format", choices=["table", "json"], default="table", help="show 的输出格式")
    ingest.set_defaults(handler=cmd_ingest)

    demo = commands.add_parser("demo", help="演示数据")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="子命令", parser_class=_Parser)
    demo_commands.required = True
    raw = demo_commands.add_parser("raw", help="生成演示用的运营商原始数据文件（生成数据，非真实统计）")
    raw.add_argument(
        "--scale", choices=["province", "national"], default="province", help="数据量（默认 province）"
    )
    raw.add_argument("--year", type=int, default=2023, help="年份（默认 2023）")
    raw.add_argument("-o", "--output", required=True, help="输出目录")
    raw.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    raw.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8", help="CSV 的编码")
    raw.add_argument(
        "--kinds", nargs="+", choices=INGEST_KINDS, default=list(INGEST_KINDS), help="生成哪些类型"
    )
    raw.add_argument("--hourly", action="store_true", help="小区流量按小时（datetime 列）而非按天")
    raw.add_argument("--fraction", type=float, default=1.0, help="按比例缩小数据量，如 0.01")
    raw.add_argument("--seed", type=int, default=2023)
    raw.set_defaults(handler=cmd_demo_raw)
    history = demo_commands.add_parser(
        "values", help="把演示数据的历史扩充到 N 倍（更早的年份，生成数据，非真实统计），用于容量测试"
    )
    history.add_argument("--scale", type=int, required=True, help="倍数 N（≥1）：共 N 份四年的演示数据")
    history.set_defaults(handler=cmd_demo_values)

    tasks = commands.add_parser("tasks", help="任务督导")
    task_commands = tasks.add_subparsers(dest="tasks_command", metavar="子命令", parser_class=_Parser)
    task_commands.required = True
    overdue = task_commands.add_parser("overdue", help="逾期与滞后的任务分工：节点逾期、逾期未报、连续滞后")
    overdue.add_argument("--plan", default=None, help="计划代码（默认：唯一的内置计划）")
    overdue.add_argument(
        "--unit", default=None, help="责任单位代码或名称（如 wlt、省文旅厅），或设区市（如 西安市）"
    )
    overdue.add_argument("--period", default=None, help="报告期，如 2023Q4（默认：最近结束的一期）")
    overdue.add_argument(
        "--as-of", dest="as_of", default=None, help="按哪一天判断逾期，如 2024-01-20（默认：今天）"
    )
    overdue.add_argument("--format", choices=["json", "table"], default="table")
    overdue.set_defaults(handler=cmd_tasks_overdue)

    audit = commands.add_parser("audit", help="审计日志")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="子命令", parser_class=_Parser)
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify", help="校验审计日志的哈希链；发现被修改或删除的记录时返回非零"
    )
    verify.set_defaults(handler=cmd_audit_verify)
    return parser


INGEST_KINDS = ("base-stations", "cell-traffic", "iot-sims", "subscribers")

ROLE_NAMES = [
    "admin",
    "auditor",
    "province",
    "department",
    "city-reporter",
    "city-reviewer",
    "operator",
    "viewer",
    "expert",
]


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
        err.print(f"文件有 {len(exc.errors)} 处错误，未写入任何内容。")
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

        with progress_bar("正在写入演示数据") as progress:
            logins = demo_load(progress)
        out.print(
            "演示数据已加入。演示账号（仅供演示，请勿用于正式环境；系统管理员首次登录须设置双因素验证）："
        )
        for login in logins:
            out.print(f"  {login.label}：用户名 {login.username}  密码 {login.password}", markup=False)


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
    from yangfan.collection.reminders import reminders_schedule

    reminders_schedule()  # the daily reminders: a first run now unless one is already waiting
    from yangfan.jobs import schedule_daily
    from yangfan.supervision.tasks import notices_daily

    schedule_daily(notices_daily)  # the daily escalation of unanswered notices, likewise
    connections.close_all()  # the workers open their own connections after the fork
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}/"
    out.print(f"扬帆已启动：{url}  （按 Ctrl+C 停止）")
    from yangfan.server import run

    worker = _start_task_worker()
    try:
        run(host=args.host, port=args.port, workers=args.workers)
    finally:
        _stop_task_worker(worker)
    return 0


def _start_task_worker():
    """The background-job worker (django-tasks-db's ``db_worker``) beside the web server, so that imports, checks
    and the daily reminders run with nothing else to start. It is this process's child and ends with it (on
    Linux even when this process is killed)."""
    import subprocess

    def die_with_parent() -> None:
        if sys.platform.startswith("linux"):
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    command = [sys.executable, "-m", "django", "db_worker", "--settings=yangfan.settings", "--no-reload"]
    process = subprocess.Popen(command, env=os.environ.copy(), preexec_fn=die_with_parent)
    process.owner_pid = os.getpid()  # gunicorn's forked workers leave through the same ``finally``
    return process


def _stop_task_worker(process) -> None:
    import subprocess

    if os.getpid() != process.owner_pid or process.poll() is not None:
        return
    process.terminate()  # db_worker finishes the job it is running, then stops
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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


def _org_units(references: list[str]):
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


def _password() -> str:
    password = os.environ.get("YANGFAN_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise UsageError("请通过环境变量 YANGFAN_PASSWORD 提供密码（没有可交互的终端）")
    import getpass

    first = getpass.getpass("密码：")
    if first != getpass.getpass("再次输入密码："):
        raise UsageError("两次输入的密码不一致")
    return first


def cmd_users_create(args: argparse.Namespace) -> int:
    setup_django()
    from yangfan.accounts.services import user_create
    from yangfan.actionplans.models import Operator, ResponsibleUnit

    unit = operator = None
    if args.unit:
        unit = ResponsibleUnit.objects.filter(name=args.unit).first() or next(
            (u for u in ResponsibleUnit.objects.all() if args.unit in u.aliases or args.unit == u.code), None
        )
        if unit is None:
            raise UsageError(f"未知责任单位“{args.unit}”")
    if args.operator:
        operator = (
            Operator.objects.filter(name=args.operator).first()
            or Operator.objects.filter(code=args.operator).first()
        )
        if operator is None:
            raise UsageError(
                f"未知运营商“{args.operator}”；可用："
                + "、".join(Operator.objects.values_list("name", flat=True))
            )
    user = user_create(
        actor=None,
        username=args.username,
        role=args.role,
        password=_password(),
        first_name=args.name,
        capture_org_units=_org_units(args.org),
        view_org_units=_org_units(args.view_org),
        responsible_unit=unit,
        operator=operator,
    )
    out.print(f"用户 {user.username}（{user.get_role_display()}）已创建；首次登录时须修改密码。")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    setup_django()
    from rich.table import Table

    from yangfan.accounts.models import User
    from yangfan.audit.choices import AuditAction
    from yangfan.audit.services import audit_record

    audit_record(
        action=AuditAction.EXPORT, object_type="accounts.user", detail=f"yangfan users list（{_os_user()}）"
    )
    table = Table("用户名", "姓名", "角色", "范围", "状态")
    for user in User.objects.select_related("responsible_unit", "operator").prefetch_related(
        "capture_org_units"
    ):
        scope = "、".join(u.name for u in user.capture_org_units.all())
        scope = " ".join(
            x
            for x in (scope, getattr(user.responsible_unit, "name", ""), getattr(user.operator, "name", ""))
            if x
        )
        table.add_row(
            user.username,
            user.first_name,
            user.get_role_display(),
            scope,
            "启用" if user.is_active else "已停用",
        )
    out.print(table)
    return 0


def _os_user() -> str:
    import getpass

    try:
        return "操作系统用户 " + getpass.getuser()
    except (KeyError, OSError):
        return "操作系统用户未知"


def cmd_tokens_create(args: argparse.Namespace) -> int:
    setup_django()
    from yangfan.accounts.models import User
    from yangfan.accounts.services import token_create

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise UsageError(f"用户“{args.username}”不存在")
    token, raw = token_create(actor=None, user=user, days=args.days, name=args.name)
    err.print(f"已为 {user.username} 创建令牌，有效至 {token.expires_at:%Y-%m-%d}。令牌只显示这一次：")
    print(raw)
    return 0


def cmd_values_import(args: argparse.Namespace) -> int:
    setup_django()
    from yangfan.datavalues.importers import parse_rows, read_table
    from yangfan.datavalues.services import datavalues_import

    if not args.file.is_file():
        raise UsageError(f"文件不存在：{args.file}")
    from yangfan.collection.workbook import is_template, template_import

    if is_template(args.file):  # a filled 填报模板 of the web page: its errors name the sheet's cells
        with progress_bar(f"正在导入填报模板 {args.file}") as progress:
            done = template_import(
                source=args.file, file=str(args.file), dry_run=args.dry_run, progress=progress
            )
        out.print(f"{args.file}：{done.report}。")
        return 0
    with out.status(f"正在读取并检查 {args.file}…"):
        rows = parse_rows(read_table(args.file), str(args.file))
    with progress_bar(f"正在写入 {len(rows)} 行") as progress:
        report = datavalues_import(rows=rows, file=str(args.file), dry_run=args.dry_run, progress=progress)
    out.print(f"{args.file}：{report}。")
    _print_findings(rows)
    return 0


def _print_findings(rows) -> None:
    """The plan's validation rules on the rows just imported: listed, not blocking (errors block submission)."""
    from yangfan.collection.checks import rows_findings

    findings = rows_findings(rows)
    for finding in findings:
        label = "错误" if finding.importance == "error" else "警告"
        out.print(f"  {label} {finding.rule}：{finding.message}", markup=False)
    if findings:
        errors = sum(1 for f in findings if f.importance == "error")
        out.print(f"校验：错误 {errors} 条，警告 {len(findings) - errors} 条（错误须改正后才能报送）。")


def cmd_values_export(args: argparse.Namespace) -> int:
    from yangfan.core.periods import Period

    period = Period.parse(args.period) if args.period else None
    setup_django()
    from yangfan.audit.choices import AuditAction
    from yangfan.audit.services import audit_record
    from yangfan.datavalues.exporters import export_rows, to_csv, to_dhis2, to_xlsx
    from yangfan.datavalues.selectors import datavalue_list

    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式须用 -o 指定输出文件")
    org = _org_units([args.org])[0] if args.org else None
    rows = export_rows(datavalue_list(org_unit=org, period=period))
    audit_record(
        action=AuditAction.EXPORT,
        object_type="datavalues.datavalue",
        detail=f"yangfan values export {args.format}：{len(rows)} 行（{_os_user()}）",
    )
    if args.format == "xlsx":
        args.output.write_bytes(to_xlsx(rows))
    else:
        text = to_csv(rows) if args.format == "csv" else to_dhis2(rows)
        if not args.output:
            sys.stdout.write(text)
            return 0
        args.output.write_text(text, encoding="utf-8")
    err.print(f"已导出 {len(rows)} 行到 {args.output}。")
    return 0


def cmd_values_check(args: argparse.Namespace) -> int:
    """The validation findings of a unit (and every unit counted in it) at a period, or of one data set's report:
    exit status 1 when there is an error, 0 when there are only warnings or nothing."""
    import json

    from yangfan.core.periods import Period

    period = Period.parse(args.period)
    setup_django()
    from yangfan.actionplans.models import DataSet, Operator
    from yangfan.collection.checks import EVERY_OPERATOR, findings_for, unit_findings
    from yangfan.collection.selectors import period_kind
    from yangfan.orgunits.models import OrgUnit

    org = _org_units([args.org])[0]
    if args.data_set:
        data_set = DataSet.objects.select_related("plan").filter(code=args.data_set).first()
        if data_set is None:
            known = "、".join(DataSet.objects.order_by("position").values_list("code", flat=True))
            raise UsageError(f"未知数据集“{args.data_set}”；可用：{known}")
        if period_kind(data_set) != period.kind:
            example = {"monthly": "202312", "quarterly": "2023Q4", "yearly": "2023"}[data_set.period_type]
            raise UsageError(
                f"数据集 {data_set.code}（{data_set.name}）的期间应写作 {example} 这样的形式，而不是 {period}"
            )
        findings = findings_for(data_set=data_set, org_unit=org, period=period, operator=EVERY_OPERATOR)
    else:
        findings = unit_findings(org_unit=org, period=period)
    errors = sum(1 for f in findings if f.is_error)
    if args.format == "json":
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        return 1 if errors else 0
    from rich.table import Table

    units = dict(OrgUnit.objects.values_list("code", "name"))
    operators = dict(Operator.objects.values_list("code", "name"))
    title = f"{org.name} · {period}" + (f" · {data_set.name}" if args.data_set else "")
    table = Table("规则", "级别", "地区", "运营商", title=title)
    table.add_column("说明", overflow="fold")  # a message is never cut short
    for f in findings:
        table.add_row(
            f.rule,
            "错误" if f.is_error else "警告",
            units.get(f.org_unit, f.org_unit),
            operators.get(f.operator, f.operator) if f.operator else "合计",
            f.message,
        )
    if findings:
        out.print(table)
    out.print(f"{title}：错误 {errors} 项，警告 {len(findings) - errors} 项。", markup=False)
    return 1 if errors else 0


def cmd_indicators(args: argparse.Namespace) -> int:
    import json

    from yangfan.core.periods import Period

    period = Period.parse(args.period)
    setup_django()
    from yangfan.datavalues.indicators import assessments, core_plans, plan_period

    plans = core_plans()
    if not plans:
        raise UsageError("数据库中还没有计划：请先运行 yangfan init（或 yangfan plan load FILE）")
    code = args.plan or next(iter(plans))
    if code not in plans:
        raise UsageError(f"未知计划“{code}”；可用：" + "、".join(plans))
    plan = plans[code]
    period = plan_period([plan], args.period)
    org = next((u for u in (*plan.org_units, *plan.org_groups) if args.org in (u.code, u.name)), None)
    if org is None:
        raise UsageError(f"未知组织机构“{args.org}”；请使用代码（如 610000）或名称（如 陕西省）")
    orgs = [org.code]
    if args.children and org.code in plan.org_tree.units:
        orgs += [c.code for c in plan.org_tree.children(org.code)]
    rows = assessments(plan, orgs, period)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    from rich.table import Table

    from yangfan.core.figures import figure, row_target
    from yangfan.core.targets import Status

    names = {u.code: u.name for u in (*plan.org_units, *plan.org_groups)}
    units = {i.code: i.unit for i in plan.indicators}
    table = Table("地区", "指标", "值", "目标", "达标", "状态", "每月需增", title=f"{plan.name} · {period}")
    for r in rows:
        value = figure(r["value"], units[r["indicator"]])
        pace = "" if r["pace_per_month"] is None else f"{float(r['pace_per_month']):,.2f}"
        met = {True: "是", False: "否", None: "—"}[r["target_met"]]
        table.add_row(
            names[r["org_unit"]],
            f"{r['indicator']} {r['name']}",
            value,
            row_target(r),
            met,
            Status(r["status"]).label,
            pace,
        )
    out.print(table)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The evaluation report of a unit and period, written to a file (the whole province's rights, like the
    other administrators' scripts). The file is written whole or not at all."""
    import os
    from pathlib import Path

    target = Path(args.output)
    if target.suffix.lower() != f".{args.format}":
        raise UsageError(f"输出文件“{target}”的扩展名应为 .{args.format}")
    if not target.parent.exists():
        raise UsageError(f"目录“{target.parent}”不存在")
    setup_django()
    from yangfan.reports.content import report_document
    from yangfan.reports.writers import report_bytes

    stages = {
        "indicators": "计算指标",
        "tasks": "汇总任务进展",
        "reporting": "汇总数据报送",
        "ranking": "评估排名",
    }
    with out.status("正在生成评估报告…") as status:
        try:
            document = report_document(
                actor=None,
                org=args.org,
                period=args.period,
                plan_code=args.plan,
                progress=lambda stage: stage in stages and status.update(f"正在{stages[stage]}…"),
            )
        except LookupError as exc:
            raise UsageError(str(exc).strip("'\"")) from None
        status.update("正在排版并绘制图表…")
        content = report_bytes(document, args.format)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(content)
    os.replace(partial, target)
    out.print(
        f"评估报告已写入 {target}（{document.org_name} · {document.period_label}，{len(content):,} 字节）"
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Raw files to data values, with a progress bar; ``ingest show RUN`` prints a run's lineage."""
    if args.kind == "show":
        if len(args.files) != 1:
            raise UsageError("用法：yangfan ingest show RUN（一个汇总批次编号）")
        return _ingest_show(args.files[0], args.format)
    if not 0 <= args.max_reject_rate <= 1:
        raise UsageError("--max-reject-rate 应在 0 与 1 之间")
    from yangfan.ingests.ahead import IngestRequest, ingest_ahead
    from yangfan.pipeline.aggregate import fingerprint_ahead

    request = IngestRequest(
        kind=args.kind,
        files=[Path(f) for f in args.files],
        engine=args.engine,
        period=args.period,
        sites=[Path(f) for f in args.sites],
        dry_run=args.dry_run,
        max_reject_rate=args.max_reject_rate,
        spark_master=args.spark_master,
        memory_limit=args.memory_limit,
    )
    # Django takes half a second to start: the files are hashed and aggregated meanwhile (ingests/ahead.py); the
    # inventory first, since the key of its kept sites is its SHA-256 (pipeline/sites.py)
    fingerprint_ahead(Path(f) for f in [*args.sites, *args.files])
    with ingest_progress() as progress:
        ahead = ingest_ahead(request, progress) if args.engine == "duckdb" else None
        if ahead is not None:
            ahead.wait_aggregating(timeout=2.0)
        try:
            setup_django()
            from yangfan.ingests.choices import IngestStatus
            from yangfan.ingests.services import ingest_create, ingest_execute
            from yangfan.pipeline.errors import PipelineError, TooManyRejects

            run = ingest_create(request=request)
        except BaseException:
            if ahead is not None:
                ahead.settle()
            raise
        try:
            ingest_execute(run=run, request=request, progress=progress, ahead=ahead)
        except TooManyRejects as exc:
            failure = f"{exc}；拒收行见 {run.rejects_file}"
        except PipelineError as exc:
            failure = f"汇总批次 #{run.pk} 失败：{exc}"
        else:
            failure = ""
    if run.status != IngestStatus.FAILED:
        _print_run(run)
    if failure:
        err.print(f"yangfan: {failure}", markup=False)
        return 1
    return 0


@contextmanager
def ingest_progress():
    """Bars for the stages of an ingest: hashing, the engine's aggregation (where it reports how far it is),
    writing values."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    labels = {"hash": "计算文件摘要", "aggregate": "汇总原始数据", "write": "写入数据值"}
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as bar:
        tasks: dict[str, int] = {}

        def report(stage: str, done: float, total: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield report


def _print_run(run) -> None:
    head = "（试运行，未写入）" if run.dry_run else ""
    written = (
        f"新增 {run.values_added} 个、修改 {run.values_changed} 个、未变 {run.values_unchanged} 个数据值"
        if run.status == "done"
        else f"{run.get_status_display()}，未写入任何数据值"
    )
    out.print(
        f"{head}汇总批次 #{run.pk}（{run.get_kind_display()}，{run.engine} {run.engine_version}）："
        f"读取 {run.rows_read:,} 行，拒收 {run.rows_rejected:,} 行；{written}"
        f"；用时 {run.seconds.get('run', 0):.1f} 秒。",
        markup=False,
    )
    from yangfan.pipeline.definitions import REASONS

    for reason, count in sorted(run.rejected_by_reason.items()):
        out.print(f"  拒收：{REASONS.get(reason, reason)} {count:,} 行", markup=False)
    if run.rejects_file and run.rows_rejected:
        out.print(f"  拒收行见 {run.rejects_file}", markup=False)
    for month, days in sorted(run.incomplete.items()):
        out.print(f"  {month} 的数据不完整（只有 {days}），该月未写入", markup=False)
    if run.rows_outside:
        out.print(f"  {run.rows_outside:,} 行在 --period 之外，未计入", markup=False)
    if run.conflicts:
        out.print(
            f"  冲突 {len(run.conflicts)} 个：以下数据值已锁定，汇总结果与之不同，未覆盖：", markup=False
        )
        for c in run.conflicts[:20]:
            out.print(
                f"    {c['data_element']} {c['org_unit_name']} {c['period']} {c['operator'] or '合计'}："
                f"现值 {c['stored']}，汇总值 {c['computed']}",
                markup=False,
            )
        if len(run.conflicts) > 20:
            out.print(
                f"    ……另有 {len(run.conflicts) - 20} 个，见 yangfan ingest show {run.pk} --format json",
                markup=False,
            )


def _ingest_show(reference: str, output: str) -> int:
    setup_django()
    import json

    from yangfan.ingests.exports import run_lineage
    from yangfan.ingests.models import IngestRun

    if not reference.isdigit() or not IngestRun.objects.filter(pk=int(reference)).exists():
        raise UsageError(f"汇总批次“{reference}”不存在")
    run = IngestRun.objects.get(pk=int(reference))
    lineage = run_lineage(run)
    if output == "json":
        print(json.dumps(lineage, ensure_ascii=False, indent=2))
        return 0
    out.print(
        f"汇总批次 #{run.pk}：{run.get_kind_display()}（{run.kind}），{run.get_status_display()}",
        markup=False,
    )
    for label, key in (
        ("计算引擎", "engine"),
        ("发起人", "actor"),
        ("发起时间", "created_at"),
        ("用时（秒）", "seconds"),
        ("读取行数", "rows_read"),
        ("拒收行数", "rows_rejected"),
        ("写入的期间", "periods"),
        ("数据值", "values"),
        ("说明", "message"),
    ):
        value = lineage[key]
        if isinstance(value, dict):
            value = "，".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = f"{value[0]}—{value[-1]}（{len(value)} 个）" if value else "无"
        out.print(f"  {label}：{value if value not in (None, '') else '—'}", markup=False)
    out.print("  文件：", markup=False)
    for f in lineage["files"]:
        out.print(f"    [{f['role']}] {f['path']}  {f['size']:,} 字节  SHA-256 {f['sha256']}", markup=False)
    if lineage["sites_run"]:
        out.print(f"  小区按汇总批次 #{lineage['sites_run']} 的基站清单定位", markup=False)
    return 0


def cmd_demo_values(args: argparse.Namespace) -> int:
    """N× the demo's history, written through the import service like any import (labelled as demo data)."""
    if not 1 <= args.scale <= 1000:
        raise UsageError("--scale 应在 1 到 1000 之间")
    setup_django()
    from yangfan.datavalues.demo import demo_history_load

    initialise(demo=True, quiet=True)
    with progress_bar(f"正在写入 {args.scale} 倍的演示历史数据") as progress:
        added = demo_history_load(args.scale, progress)
    out.print(f"演示历史数据已写入：新增 {added:,} 个数值（生成数据，非真实统计）。")
    return 0


def cmd_demo_raw(args: argparse.Namespace) -> int:
    """Generated raw operator files for the demo, the tests and the benchmark (labelled as demo data)."""
    target = Path(args.output)
    if target.exists() and not target.is_dir():
        raise UsageError(f"“{target}”不是目录")
    if not 0 < args.fraction <= 1:
        raise UsageError("--fraction 应大于 0 且不超过 1")
    from yangfan.datavalues.demo import county_population
    from yangfan.pipeline.generate import raw_generate

    target.mkdir(parents=True, exist_ok=True)
    with progress_bar(f"正在生成演示原始数据（{args.scale}，{args.year} 年）") as progress:
        files = raw_generate(
            target,
            counties=county_population(),
            scale=args.scale,
            year=args.year,
            seed=args.seed,
            file_format=args.format,
            kinds=args.kinds,
            hourly=args.hourly,
            fraction=args.fraction,
            encoding=args.encoding,
            progress=progress,
        )
    for f in files:
        out.print(f"  {f.path}  {f.rows:,} 行", markup=False)
    out.print(f"演示原始数据（生成，非真实统计）已写入 {target}。", markup=False)
    return 0


def cmd_tasks_overdue(args: argparse.Namespace) -> int:
    """The supervision list on the command line: every alert, or those of one unit. Exit 0 whether or not
    there are any (a list is the answer, not an error)."""
    import json
    from datetime import date

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"日期“{args.as_of}”无效，应写作 2024-01-20") from None
    setup_django()
    from yangfan.actionplans.models import Plan
    from yangfan.core.periods import PeriodError
    from yangfan.supervision.boards import alert_json, alert_rows, unit_known
    from yangfan.supervision.selectors import period_of

    plans = list(Plan.objects.all())
    if not plans:
        raise UsageError("数据库中还没有计划：请先运行 yangfan init（或 yangfan plan load FILE）")
    plan = next((p for p in plans if p.code == args.plan), None) if args.plan else plans[0]
    if plan is None:
        raise UsageError(f"未知计划“{args.plan}”；可用：" + "、".join(p.code for p in plans))
    try:
        period = period_of(plan, args.period)
    except PeriodError:
        raise UsageError(f"报告期“{args.period}”无效：督导按季度报告，应写作 2023Q4 这样的形式") from None
    if args.unit and not unit_known(plan, args.unit):
        raise UsageError(
            f"未知责任单位“{args.unit}”；请使用代码（如 wlt）、名称（如 省文旅厅）或设区市名称（如 西安市）"
        )
    rows = alert_rows(actor=None, plan=plan, period=period, as_of=as_of, unit=args.unit)
    data = [alert_json(r) for r in rows]
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    from rich.table import Table

    title = f"{plan.name} · {period} · 逾期与滞后 {len(data)} 项"
    table = Table("类别", "任务", "责任单位", "情况", "督办单", title=title)
    for r in data:
        table.add_row(
            r["kind_label"],
            f"{r['task']} {r['task_title']}",
            r["unit"],
            r["message"],
            "、".join(r["notices"]),
        )
    out.print(table)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    setup_django()
    from yangfan.audit.services import audit_verify

    with out.status("正在校验审计日志的哈希链…"):
        result = audit_verify()
    if result.ok:
        out.print(f"审计日志完整：已校验 {result.checked} 条记录，哈希链无断裂。")
        if result.checked:
            # the chain cannot see entries cut off at its end: keep these two elsewhere and compare next time
            out.print(
                f"最后一条：第 {result.last_seq} 条，哈希 {result.last_hash}（请另行留存，以便发现末尾被截去的记录）"
            )
        return 0
    for seq, message in result.problems:
        err.print(f"第 {seq} 条：{message}", markup=False)
    err.print(f"审计日志已被篡改：发现 {len(result.problems)} 处问题（共 {result.checked} 条记录）。")
    return 3


if __name__ == "__main__":
    sys.exit(main())
