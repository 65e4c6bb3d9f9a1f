from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "yangfan.goals"
    verbose_name = _("定性目标评估")
