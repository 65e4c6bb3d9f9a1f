from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataValuesConfig(AppConfig):
    name = "yangfan.datavalues"
    verbose_name = _("数据值")

    def ready(self) -> None:
        from yangfan.actionplans.signals import plan_loaded
        from yangfan.datavalues.totals import totals_on_plan_load

        # connected before the apps listed after this one (supervision's assignments): the totals come first
        plan_loaded.connect(totals_on_plan_load, dispatch_uid="datavalues-totals")
