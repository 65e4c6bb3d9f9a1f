from django.contrib import admin

from yangfan.audit.admin import ReadOnlyModelAdmin
from yangfan.orgunits.models import OrgGroup, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "level", "parent", "counted_in"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(OrgGroup)
class OrgGroupAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "kind"]
