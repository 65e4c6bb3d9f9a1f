from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yangfan.reports"
    verbose_name = _("评估报告")
