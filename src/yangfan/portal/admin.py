"""The audit trail in the Django admin: read-only, and only for those who may read it (``audit.read``). System
administrators are the admin site's users, and under 三权分立 they do not read the audit log, so in practice the
admin lists it for nobody; the auditor's pages are at ``/audit/`` (``portal.audit``).

It is registered here rather than in the audit app because it asks the permission module, which the audit app
sits below (ADR 0013).
"""

from django.contrib import admin

from yangfan.accounts.permissions import may
from yangfan.audit.admin import ReadOnlyModelAdmin
from yangfan.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["seq", "at", "actor_username", "action", "object_type", "object_id", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id", "detail"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return may(request.user, "audit.read")
