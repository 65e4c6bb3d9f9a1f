"""``yangfan plan validate|load``: a plan file checked, or checked and loaded."""

from __future__ import annotations

import argparse
from pathlib import Path

from yangfan.cli.base import Parser, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser("plan", help="校验或加载计划文件")
    plan_commands = plan.add_subparsers(dest="plan_command", metavar="子命令", parser_class=Parser)
    plan_commands.required = True
    validate = plan_commands.add_parser("validate", help="校验计划文件，列出所有错误及其行号")
    validate.add_argument("file", metavar="FILE", type=Path, help="计划文件，或内置计划的代码")
    validate.set_defaults(handler=cmd_plan_validate)
    load = plan_commands.add_parser("load", help="校验并加载计划文件（已存在则就地更新）")
    load.add_argument(
        "file", metavar="FILE", type=Path, help="计划文件，或内置计划的代码（如 miit-5g-upgrade-2024-2027）"
    )
    load.set_defaults(handler=cmd_plan_load)


def _plan_path(given: Path) -> Path:
    """The file ``given`` names: a path, or the code of a plan shipped with Yangfan."""
    if given.exists():
        return given
    from yangfan.core.planfile import bundled_plan_files

    return bundled_plan_files().get(str(given), given)  # a missing file is reported as such


def cmd_plan_validate(args: argparse.Namespace) -> int:
    from yangfan.core.planfile import load_plan

    args.file = _plan_path(args.file)
    plan = load_plan(args.file)
    out.print(
        f"{args.file}：校验通过。「{plan.name}」：{len(plan.tasks)} 项任务，{len(plan.indicators)} 个指标"
        f"（附件 {len(plan.annex_indicators)} 个），{len(plan.org_units)} 个组织机构。"
    )
    return 0


def cmd_plan_load(args: argparse.Namespace) -> int:
    from yangfan.core.planfile import load_plan

    args.file = _plan_path(args.file)
    load_plan(args.file)  # report a bad file before touching the database
    setup_django()
    from django.core.management import call_command

    from yangfan.actionplans.services import plan_load_file

    call_command("migrate", interactive=False, verbosity=0)
    plan, stats = plan_load_file(path=args.file)
    out.print(f"计划「{plan.name}」已加载：{stats}。")
    return 0
