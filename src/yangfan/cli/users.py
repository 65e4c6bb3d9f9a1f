"""``yangfan users create|list`` and ``yangfan tokens create``: the system administrator's scripts for
accounts."""

from __future__ import annotations

import argparse
import os
import sys

from yangfan.accounts.choices import Role
from yangfan.cli.base import Parser, UsageError, err, org_units, os_user, out, setup_django

ROLE_NAMES = list(Role.values)  # the names DESIGN.md gives the roles


def register(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="管理用户（系统管理员的脚本）")
    user_commands = users.add_subparsers(dest="users_command", metavar="子命令", parser_class=Parser)
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
    create.add_argument(
        "--enterprise",
        default="",
        metavar="NAME",
        help="所属企业（企业用户）：供应商名录或应用案例中的企业名称",
    )
    create.add_argument("--name", default="", help="姓名")
    create.set_defaults(handler=cmd_users_create)
    listing = user_commands.add_parser("list", help="列出用户")
    listing.set_defaults(handler=cmd_users_list)

    tokens = commands.add_parser("tokens", help="API 令牌")
    token_commands = tokens.add_subparsers(dest="tokens_command", metavar="子命令", parser_class=Parser)
    token_commands.required = True
    token_create = token_commands.add_parser("create", help="为用户新建 API 令牌，只显示这一次")
    token_create.add_argument("username", metavar="USERNAME")
    token_create.add_argument("--days", type=int, default=90, help="有效天数（默认 90，最多 366）")
    token_create.add_argument("--name", default="", help="用途")
    token_create.set_defaults(handler=cmd_tokens_create)


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
        capture_org_units=org_units(args.org),
        view_org_units=org_units(args.view_org),
        responsible_unit=unit,
        operator=operator,
        enterprise=args.enterprise,
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
        action=AuditAction.EXPORT, object_type="accounts.user", detail=f"yangfan users list（{os_user()}）"
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
