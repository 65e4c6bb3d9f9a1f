from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "yangfan.collection"
    verbose_name = _("数据报送")

    def ready(self) -> None:
        from yangfan.collection.reminders import open_reminder_count, reminder_inbox_items
        from yangfan.collection.services import locked_row_errors
        from yangfan.datavalues.services import lock_check_register
        from yangfan.notifications.selectors import inbox_source_register

        # submitted and approved reports lock their values in the one write path (ADR 0006), which sits below
        lock_check_register(locked_row_errors)
        # the open 催报 reminders are rows of the one inbox (待办) and of its count, which sit below too
        inbox_source_register(count=open_reminder_count, items=reminder_inbox_items)
