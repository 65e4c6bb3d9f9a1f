from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yangfan.accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from yangfan.accounts import signals  # noqa: F401  (login, logout and lockout go to the audit trail)
