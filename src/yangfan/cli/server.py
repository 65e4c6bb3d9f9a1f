"""``yangfan init`` and ``yangfan serve``: the database made ready; the web server, with the task worker
beside it."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

from yangfan.cli.base import UsageError, out, progress_bar, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help="创建或迁移数据库，加载内置的行动计划")
    init.add_argument("--demo", action="store_true", help="同时加入演示数据和演示账号（均标注为演示）")
    init.set_defaults(handler=cmd_init)

    serve = commands.add_parser("serve", help="运行网页应用（必要时先初始化）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2）")
    serve.set_defaults(handler=cmd_serve)


def initialise(*, demo: bool, quiet: bool = False) -> None:
    """Migrate the database and load the bundled plans (and the demo content). Safe to repeat."""
    from django.core.management import call_command

    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import init_plan_paths

    with out.status("正在创建或迁移数据库…"):
        call_command("migrate", interactive=False, verbosity=0)
    if not quiet:
        out.print("数据库已就绪。")
    from yangfan.ingests.stale import ingest_runs_interrupt

    for run in ingest_runs_interrupt():  # runs whose process died while the server was down
        out.print(f"汇总批次 #{run.pk} 已标记为失败：{run.message}", markup=False)
    for path in init_plan_paths():
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
    from yangfan.ingests.retention import ingest_purge_schedule

    ingest_purge_schedule()  # the daily removal of raw files past their retention period
    from yangfan.ingests.stale import ingest_runs_interrupt_schedule

    ingest_runs_interrupt_schedule()  # the daily check for runs whose process died
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

    # db_worker under its own process identity as its worker id (``jobs.worker_main``): a job it leaves running when
    # it is killed is then known for one at the next start
    command = [sys.executable, "-c", "from yangfan.jobs import worker_main; worker_main()"]
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
