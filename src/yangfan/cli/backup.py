"""``yangfan backup -o FILE [--keep N]`` and ``yangfan restore FILE``: one verified archive of the database, the
evidence and the kept files, and its restore into an empty site (``yangfan.backups``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from yangfan.cli.base import UsageError, out, progress_bar, setup_django


def register(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="把数据库、佐证材料和保留的原始文件备份为一个带校验清单的归档文件",
        description="写入一个 tar 归档（文件名以 .gz 或 .tgz 结尾时压缩），内含数据库的在线副本、数据目录中的佐证材料和"
        "仍保留的原始数据文件，以及列出各部分大小和 SHA-256、版本、数据库类型、迁移状态和审计日志链头的清单。",
    )
    backup.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="归档文件，如 yangfan-2024-01-31.tar.gz"
    )
    backup.add_argument(
        "--keep",
        type=int,
        default=None,
        metavar="N",
        help="写完后在同一目录中只保留同一系列（文件名仅日期或编号不同）最新的 N 个归档",
    )
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="把备份归档恢复到空的数据目录和空数据库，并校验审计日志和清单",
        description="先完整读取并校验归档（缺少部分、SHA-256 不符或清单无法读取时拒绝，不写入任何内容），"
        "只恢复到空的数据目录（YANGFAN_DATA_DIR）和空数据库（YANGFAN_DATABASE_URL），最后校验审计日志的哈希链与清单一致。",
    )
    restore.add_argument("archive", metavar="FILE", help="yangfan backup 写出的归档文件")
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    if args.keep is not None and args.keep < 1:
        raise UsageError("--keep 须为正整数")
    setup_django()
    from yangfan.backups.services import backup_create

    with progress_bar("正在备份") as progress:
        report = backup_create(output=Path(args.output), keep=args.keep, progress=progress)
    audit = report.audit
    out.print(
        f"备份已写入 {report.output}（{report.vendor} 数据库和 {report.parts - 1} 个文件，{report.size:,} 字节）。",
        markup=False,
    )
    state = "哈希链完整" if audit["verified"] else "哈希链有断裂（请运行 yangfan audit verify 查看）"
    out.print(
        f"审计日志 {audit['entries']} 条，{state}；最后一条：第 {audit['last_seq']} 条，哈希 {audit['last_hash']}。",
        markup=False,
    )
    for old in report.removed:
        out.print(f"已删除较早的备份 {old}", markup=False)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django()
    from yangfan.backups.services import backup_restore

    with progress_bar("正在校验并恢复备份") as progress:
        report = backup_restore(archive=Path(args.archive), progress=progress)
    audit = report.audit
    out.print(f"恢复完成：{report.vendor} 数据库和 {report.files} 个文件已写入，并与备份清单逐一核对一致。")
    out.print(
        f"审计日志 {audit.checked} 条，{'哈希链完整' if audit.ok else '哈希链与备份时一样有断裂'}；"
        f"最后一条：第 {audit.last_seq} 条，哈希 {audit.last_hash}，与备份清单一致。",
        markup=False,
    )
    if report.moved_paths:
        out.print(f"数据目录与备份时不同：已把 {report.moved_paths} 个原始文件路径改到新的数据目录。")
    if report.migrations_behind:
        out.print(f"备份来自较早的版本：请运行 yangfan init 完成 {report.migrations_behind} 个数据库迁移。")
    return 0
