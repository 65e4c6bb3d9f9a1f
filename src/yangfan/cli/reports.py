"""``yangfan report``: the evaluation report (Word or Excel) written to a file."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from yangfan.cli.base import UsageError, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="生成评估报告（Word 或 Excel）")
    report.add_argument("--plan", default=None, help="计划代码（默认：唯一的内置计划）")
    report.add_argument("--org", required=True, help="组织机构代码或名称，如 610000、西安市、XIXIAN")
    report.add_argument("--period", required=True, help="期间：2023、2023Q4 或 202312")
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
