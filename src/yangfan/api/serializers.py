from __future__ import annotations

from rest_framework import serializers

from yangfan.accounts.models import User
from yangfan.actionplans.models import Indicator, Task
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
            "sources",
            "remark",
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


class IndicatorAssessmentSerializer(serializers.Serializer):
    """One row of ``yangfan indicators --format json``; numbers as unrounded decimal text."""

    indicator = serializers.CharField()
    name = serializers.CharField()
    org_unit = serializers.CharField()
    period = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    target = serializers.CharField()
    target_comparison = serializers.CharField()
    target_date = serializers.DateField()
    target_met = serializers.BooleanField(allow_null=True)
    status = serializers.ChoiceField(choices=["achieved", "on_track", "at_risk", "off_track", "unknown"])
    projected = serializers.CharField(allow_null=True)
    pace_per_month = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
