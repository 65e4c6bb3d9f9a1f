from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestsConfig(AppConfig):
    name = "yangfan.ingests"
    verbose_name = _("原始数据汇总")
