from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an audit entry records. The values are stored and hashed: never rename one."""

    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("退回")
    WITHDRAW = "withdraw", _("撤回")
    UNLOCK = "unlock", _("解锁")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出登录")
    EXPORT = "export", _("导出")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    TOKEN_CREATE = "token_create", _("创建令牌")
    TOKEN_REVOKE = "token_revoke", _("吊销令牌")
    INGEST = "ingest", _("原始数据汇总")
