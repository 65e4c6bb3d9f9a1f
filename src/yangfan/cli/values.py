"""``yangfan values import|export|check``: data values in and out of files, and the plan's validation
rules on them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yangfan.cli.base import Parser, UsageError, err, org_units, os_user, out, progress_bar, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    values = commands.add_parser("values", help="数据值的导入与导出")
    value_commands = values.add_subparsers(dest="values_command", metavar="子命令", parser_class=Parser)
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
    org = org_units([args.org])[0] if args.org else None
    rows = export_rows(datavalue_list(org_unit=org, period=period))
    audit_record(
        action=AuditAction.EXPORT,
        object_type="datavalues.datavalue",
        detail=f"yangfan values export {args.format}：{len(rows)} 行（{os_user()}）",
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

    org = org_units([args.org])[0]
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
