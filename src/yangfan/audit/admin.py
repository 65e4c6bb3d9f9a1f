"""The Django admin is for reading: changes go through Yangfan's pages, plan files and commands, which check
permissions and write the audit trail, and an admin form would do neither. :class:`ReadOnlyModelAdmin` is what
every app's admin builds on.

The trail's own admin asks the permission module who may read it, so it is registered above that module, in
``portal.admin`` (ADR 0013).
"""

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
