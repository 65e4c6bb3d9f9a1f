"""The Django admin is for reading. Changes go through Yangfan's pages, plan files and commands, which check
permissions and write the audit trail; an admin form would do neither."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
