from django.contrib import admin

from yangfan.orgunits.models import OrgGroup, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "counted_in"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(OrgGroup)
class OrgGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
