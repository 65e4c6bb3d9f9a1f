from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "yangfan.security"
    verbose_name = _("5G应用安全评估")
