from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "yangfan.actionplans"
    verbose_name = _("行动计划")
