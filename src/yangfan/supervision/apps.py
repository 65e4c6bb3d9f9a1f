from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yangfan.supervision"
    verbose_name = _("任务督导")

    def ready(self) -> None:
        from yangfan.actionplans.signals import plan_loaded
        from yangfan.supervision.services import assignments_sync_on_load

        plan_loaded.connect(assignments_sync_on_load, dispatch_uid="supervision-assignments")
