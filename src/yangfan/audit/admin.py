"""The Django admin is for reading: changes go through Yangfan's pages, plan files and commands, which check
permissions and write the audit trail, and an admin form would do neither. :class:`ReadOnlyModelAdmin` is what
every app's admin builds on.

The trail itself is read-only there too, and only for those who may read it (``audit.read``). System
administrators are the admin site's users, and under 三权分立 they do not read the audit log, so in practice the
admin lists it for nobody; the auditor's pages are at ``/audit/``.
"""

from django.contrib import admin

from yangfan.accounts.permissions import may
from yangfan.audit.models import AuditEntry


class ReadOnlyModelAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
