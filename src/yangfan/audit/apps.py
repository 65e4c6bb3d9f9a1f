from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yangfan.audit"
    verbose_name = _("审计日志")

    def ready(self):
        from yangfan.audit.guards import ensure_guards

        # A later migration that rebuilds the table (SQLite does that for most column changes) drops its
        # triggers with it; re-install them after every migrate so the table is never left unguarded.
        post_migrate.connect(ensure_guards, sender=self, dispatch_uid="yangfan.audit.ensure_guards")
