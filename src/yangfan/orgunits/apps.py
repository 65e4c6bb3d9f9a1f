from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgUnitsConfig(AppConfig):
    name = "yangfan.orgunits"
    verbose_name = _("组织机构")
