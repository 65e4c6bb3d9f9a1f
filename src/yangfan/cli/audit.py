"""``yangfan audit verify``: the audit log's hash chain checked."""

from __future__ import annotations

import argparse

from yangfan.cli.base import Parser, err, out, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="审计日志")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="子命令", parser_class=Parser)
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify", help="校验审计日志的哈希链；发现被修改或删除的记录时返回非零"
    )
    verify.set_defaults(handler=cmd_audit_verify)


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
