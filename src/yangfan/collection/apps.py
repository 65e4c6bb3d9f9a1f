from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "yangfan.collection"
    verbose_name = _("数据报送")

    def ready(self) -> None:
        from yangfan.collection.services import locked_row_errors
        from yangfan.datavalues.services import lock_check_register

        # submitted and approved reports lock their values in the one write path (ADR 0006), which sits below
        lock_check_register(locked_row_errors)
