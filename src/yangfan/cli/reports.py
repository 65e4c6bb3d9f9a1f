"""``yangfan report``: the evaluation report (Word or Excel) written to a file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from yangfan.cli.base import UsageError, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="生成评估报告或终期评估报告（Word 或 Excel）")
    report.add_argument("--plan", default=None, help="计划代码（默认：唯一的内置计划）")
    report.add_argument("--org", required=True, help="组织机构代码或名称，如 610000、西安市、XIXIAN")
    report.add_argument("--period", default=None, help="期间：2023、2023Q4 或 202312（--final 时不需要）")
    report.add_argument(
        "--final", action="store_true", help="已结束计划的终期评估（按各目标日期评判，覆盖整个计划期）"
    )
    report.add_argument("--format", choices=["docx", "xlsx"], default="docx")
    report.add_argument("-o", "--output", required=True, help="输出文件，如 report.docx")
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """The evaluation report of a unit and period, written to a file (the whole province's rights, like the
    other administrators' scripts). The file is written whole or not at all."""
    target = Path(args.output)
    if target.suffix.lower() != f".{args.format}":
        raise UsageError(f"输出文件“{target}”的扩展名应为 .{args.format}")
    if not target.parent.exists():
        raise UsageError(f"目录“{target.parent}”不存在")
    if args.final:
        if args.period:
            raise UsageError("--final 评估整个计划期，不需要 --period")
        return _final(args, target)
    if not args.period:
        raise UsageError("缺少参数 --period。运行 yangfan report --help 查看用法")
    setup_django()
    from yangfan.reports.content import report_document
    from yangfan.reports.writers import report_bytes

    def build(progress):
        return report_document(
            actor=None, org=args.org, period=args.period, plan_code=args.plan, progress=progress
        )

    document, size = _written(target, "评估报告", build, lambda d: report_bytes(d, args.format))
    out.print(f"评估报告已写入 {target}（{document.org_name} · {document.period_label}，{size:,} 字节）")
    return 0


STAGES = {
    "indicators": "计算指标",
    "tasks": "汇总任务进展",
    "reporting": "汇总数据报送",
    "ranking": "评估排名",
    "targets": "逐项评判量化目标",
    "comparison": "比较各地区",
    "final_tasks": "汇总任务最终状态",
}


def _written(target: Path, what: str, build, render):
    """Build a document with its stages shown, render it and write it to ``target`` whole or not at all: the
    document and the number of bytes written."""
    with out.status(f"正在生成{what}…") as status:
        try:
            document = build(lambda stage: stage in STAGES and status.update(f"正在{STAGES[stage]}…"))
        except LookupError as exc:
            raise UsageError(str(exc).strip("'\"")) from None
        status.update("正在排版并绘制图表…")
        content = render(document)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(content)
    os.replace(partial, target)
    return document, len(content)


def _final(args: argparse.Namespace, target: Path) -> int:
    """The final evaluation of a finished plan for a unit, written to a file whole or not at all; a plan whose
    period has not ended is refused (``PlanNotFinished``, a ``YangfanError``: one line, non-zero)."""
    setup_django()
    from yangfan.reports.final import final_document
    from yangfan.reports.writers import final_bytes

    def build(progress):
        return final_document(actor=None, org=args.org, plan_code=args.plan, progress=progress)

    document, size = _written(target, "终期评估报告", build, lambda d: final_bytes(d, args.format))
    out.print(f"终期评估报告已写入 {target}（{document.org_name} · {document.plan_code}，{size:,} 字节）")
    return 0
