from __future__ import annotations

from rest_framework import serializers

from yangfan.accounts.models import User
from yangfan.actionplans.models import Indicator, Task
from yangfan.core.targets import Status, TargetSource
from yangfan.orgunits.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counted_in = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "name_en", "level", "parent", "counted_in", "kind"]


class TaskSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Task
        fields = ["code", "section", "number", "title", "text", "responsibility", "units", "sector"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "unit",
            "formula",
            "direction",
            "base_year",
            "annex_number",
            "target_value",
            "target_comparison",
            "target_date",
            "target_scope",
            "milestones",
            "unit_targets",
            "sources",
            "remark",
        ]

    unit_targets = serializers.SerializerMethodField(help_text="targets the provincial office set per unit")

    def get_unit_targets(self, indicator: Indicator) -> list[dict]:
        return [
            {
                "org_unit": t.org_unit.code,
                "date": t.date.isoformat(),
                "value": format(t.value.normalize(), "f"),
                "comparison": t.comparison,
                "final": t.is_final,
                "note": t.note,
            }
            for t in indicator.unittarget_set.select_related("org_unit", "indicator")
        ]


class MeSerializer(serializers.ModelSerializer):
    capture_org_units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    view_org_units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    responsible_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    operator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "role",
            "capture_org_units",
            "view_org_units",
            "responsible_unit",
            "operator",
        ]


class TargetSerializer(serializers.Serializer):
    value = serializers.CharField()
    comparison = serializers.CharField()
    date = serializers.DateField()


class IndicatorAssessmentSerializer(serializers.Serializer):
    """One row of ``yangfan indicators --format json``; numbers as unrounded decimal text."""

    indicator = serializers.CharField()
    name = serializers.CharField()
    org_unit = serializers.CharField()
    period = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True, help_text="null: no target binds this unit")
    target_comparison = serializers.CharField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    target_source = serializers.ChoiceField(choices=[s.value for s in TargetSource], allow_null=True)
    target_met = serializers.BooleanField(allow_null=True)
    status = serializers.ChoiceField(choices=[s.value for s in Status])
    projected = serializers.CharField(allow_null=True)
    pace_per_month = serializers.CharField(allow_null=True)
    milestone = TargetSerializer(allow_null=True, help_text="the latest milestone due by the period's end")
    milestone_met = serializers.BooleanField(allow_null=True)
    trajectory_value = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    series = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        help_text="[period, value] from the end of the year before the plan to the period",
    )
