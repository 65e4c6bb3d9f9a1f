from django.contrib import admin

from yangfan.actionplans import models
from yangfan.audit.admin import ReadOnlyModelAdmin


@admin.register(models.Plan)
class PlanAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "document", "start", "end", "loaded_at"]


@admin.register(models.Task)
class TaskAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "title", "section", "sector"]
    list_filter = ["plan", "section", "units"]
    search_fields = ["code", "title", "text"]


@admin.register(models.Indicator)
class IndicatorAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "unit", "formula", "target_comparison", "target_value", "target_date"]
    list_filter = ["plan"]


@admin.register(models.ResponsibleUnit)
class ResponsibleUnitAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["plan", "kind"]


@admin.register(models.Sector)
class SectorAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "key_industry"]
    list_filter = ["plan", "key_industry"]


@admin.register(models.DataElement)
class DataElementAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "unit", "aggregation", "period_type", "by_operator"]


for model in (
    models.Section,
    models.SpecialProject,
    models.Safeguard,
    models.Goal,
    models.Registry,
    models.QualitativeTarget,
):
    admin.site.register(
        model, ReadOnlyModelAdmin, list_display=["code", "__str__", "plan"], list_filter=["plan"]
    )
admin.site.register(models.Operator, ReadOnlyModelAdmin, list_display=["code", "name"])


@admin.register(models.UnitTarget)
class UnitTargetAdmin(ReadOnlyModelAdmin):
    """Read-only here: targets are set on the indicator's 地区目标 page, through the audited service."""

    list_display = ["indicator", "org_unit", "date", "comparison", "value", "set_by", "updated_at"]
    list_filter = ["indicator"]
