from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "yangfan.notifications"
    verbose_name = _("待办与通知")
