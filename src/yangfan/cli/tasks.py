"""``yangfan tasks overdue``: the supervision list of overdue and lagging tasks."""

from __future__ import annotations

import argparse

from yangfan.cli.base import Parser, UsageError, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    tasks = commands.add_parser("tasks", help="任务督导")
    task_commands = tasks.add_subparsers(dest="tasks_command", metavar="子命令", parser_class=Parser)
    task_commands.required = True
    overdue = task_commands.add_parser(
        "overdue", help="逾期与滞后的任务分工（节点逾期、逾期未报、连续滞后）和整改逾期的5G应用安全风险"
    )
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
    from yangfan.supervision.boards import (
        alert_json,
        alert_rows,
        risk_json,
        risk_rows,
        risk_task_title,
        unit_known,
    )
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
    # 5G application security risks overdue for remediation (kind risk_overdue), after the tasks' alerts
    title = risk_task_title(plan)
    data += [risk_json(r, title) for r in risk_rows(actor=None, as_of=as_of, unit=args.unit)]
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
