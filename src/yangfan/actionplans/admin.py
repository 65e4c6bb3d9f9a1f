from django.contrib import admin

from yangfan.actionplans import models


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "document", "start", "end", "loaded_at"]


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "section", "sector"]
    list_filter = ["plan", "section", "units"]
    search_fields = ["code", "title", "text"]


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "formula", "target_comparison", "target_value", "target_date"]
    list_filter = ["plan"]


@admin.register(models.ResponsibleUnit)
class ResponsibleUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["plan", "kind"]


@admin.register(models.Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "key_industry"]
    list_filter = ["plan", "key_industry"]


@admin.register(models.DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "aggregation", "period_type", "by_operator"]


for model in (
    models.Section,
    models.SpecialProject,
    models.Safeguard,
    models.Goal,
    models.Registry,
    models.QualitativeTarget,
):
    admin.site.register(model, list_display=["code", "__str__", "plan"], list_filter=["plan"])
admin.site.register(models.Operator, list_display=["code", "name"])
