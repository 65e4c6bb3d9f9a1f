"""``yangfan indicators``: indicator values, target attainment and trend of a unit at a period."""

from __future__ import annotations

import argparse

from yangfan.cli.base import UsageError, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    indicators = commands.add_parser("indicators", help="计算指标值、目标达成情况与趋势研判")
    indicators.add_argument("--plan", default=None, help="计划代码（默认：有任务的计划中最近开始的一个）")
    indicators.add_argument("--org", required=True, help="组织机构代码或名称，如 610000")
    indicators.add_argument("--period", required=True, help="期间：2023、2023Q4 或 202312")
    indicators.add_argument("--children", action="store_true", help="同时计算统计上计入它的下级单位")
    indicators.add_argument("--format", choices=["json", "table"], default="table")
    indicators.set_defaults(handler=cmd_indicators)


def cmd_indicators(args: argparse.Namespace) -> int:
    import json

    from yangfan.core.periods import Period

    period = Period.parse(args.period)
    setup_django()
    from yangfan.actionplans.selectors import plan_default
    from yangfan.datavalues.indicators import as_json, assessments, core_plans, plan_period

    plans = core_plans()
    if not plans:
        raise UsageError("数据库中还没有计划：请先运行 yangfan init（或 yangfan plan load FILE）")
    code = args.plan or plan_default().code  # the plan the platform's work runs on, as the pages
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
        print(json.dumps(as_json(rows), ensure_ascii=False, indent=2))
        return 0
    from rich.table import Table

    from yangfan.core.figures import decimal2, figure, row_target

    names = {u.code: u.name for u in (*plan.org_units, *plan.org_groups)}
    table = Table("地区", "指标", "值", "目标", "达标", "状态", "每月需增", title=f"{plan.name} · {period}")
    for r in rows:
        pace = "" if r.pace_per_month is None else decimal2(r.pace_per_month)
        met = {True: "是", False: "否", None: "—"}[r.target_met]
        table.add_row(
            names[r.org_unit],
            f"{r.indicator} {r.definition.name}",
            figure(r.value, r.unit),
            row_target(r),
            met,
            r.status.label,  # the command line speaks Chinese
            pace,
        )
    out.print(table)
    return 0
