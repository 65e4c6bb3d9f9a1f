from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yangfan.accounts.models import User
from yangfan.actionplans.models import DataSet, Indicator, Operator, Task
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.completeness import CompletenessError, parse_period
from yangfan.collection.models import Submission, SubmissionEvent
from yangfan.core.targets import Status, TargetSource
from yangfan.datavalues.models import DataValue
from yangfan.orgunits.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counted_in = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "name_en", "level", "parent", "counted_in", "kind"]


class TaskUnitRoleSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", help_text="责任单位代码")
    name = serializers.CharField(source="unit.name")
    role = serializers.CharField(help_text="lead 牵头 · cooperating 配合")
    lead = serializers.BooleanField()


class TaskSerializer(serializers.ModelSerializer):
    """A task with its units in the order its clause names them; the first leads (牵头) unless the provincial
    office made another the lead. Read with ``actionplans.selectors.task_list`` (the units prefetched)."""

    section = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    units = serializers.SerializerMethodField(help_text="责任单位代码，按原文顺序")
    lead = serializers.SerializerMethodField(help_text="牵头单位代码")
    unit_roles = serializers.SerializerMethodField(help_text="各责任单位牵头（lead）或配合（cooperating）")

    class Meta:
        model = Task
        fields = [
            "code",
            "section",
            "number",
            "title",
            "text",
            "responsibility",
            "units",
            "lead",
            "unit_roles",
            "sector",
        ]

    def get_units(self, task: Task) -> list[str]:
        return [link.unit.code for link in task.unit_links.all()]

    def get_lead(self, task: Task) -> str | None:
        return next((link.unit.code for link in task.unit_links.all() if link.lead), None)

    @extend_schema_field(TaskUnitRoleSerializer(many=True))
    def get_unit_roles(self, task: Task):
        return TaskUnitRoleSerializer(task.unit_links.all(), many=True).data


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


# --- data collection: values, submissions and their workflow, completeness -----------------------------------


@extend_schema_field(
    {
        "type": "string",
        "description": "draft 草稿 · submitted 已报送 · approved 已审核 · returned 已退回",
    }
)
class SubmissionStatusField(serializers.CharField):
    """A report's status. Described in words: as an enum used by several components it would collide with the
    indicators' ``status`` enum in the schema's component names."""


@extend_schema_field(
    {
        "type": "string",
        "enum": ["missing", *SubmissionStatus.values],
        "description": "missing 未报，其余同报送状态",
    }
)
class CompletenessStatusField(serializers.CharField):
    pass


class DataValueSerializer(serializers.ModelSerializer):
    """A stored value; codes for what it is of, the number as exact decimal text."""

    data_element = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    operator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    value = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    ingest_run = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="写入该值的原始数据汇总批次（其来源见 /api/v1/datavalues/{id}/lineage/）；其他来源为 null",
    )

    class Meta:
        model = DataValue
        fields = [
            "id",
            "data_element",
            "period",
            "org_unit",
            "operator",
            "value",
            "comment",
            "source",
            "updated_by",
            "updated_at",
            "ingest_run",
        ]

    def get_value(self, value: DataValue) -> str:
        return format(value.value.normalize(), "f")


class DataValueRowSerializer(serializers.Serializer):
    """:class:`DataValueSerializer`'s fields read from plain rows (``DATAVALUE_ROW``): a page of 200 values is
    read without building 800 model instances."""

    id = serializers.IntegerField()
    data_element = serializers.CharField(source="data_element__code")
    period = serializers.CharField()
    org_unit = serializers.CharField(source="org_unit__code")
    operator = serializers.CharField(source="operator__code", allow_null=True)
    value = serializers.SerializerMethodField()
    comment = serializers.CharField()
    source = serializers.CharField()
    updated_by = serializers.CharField(source="updated_by__username", allow_null=True)
    updated_at = serializers.DateTimeField()
    ingest_run = serializers.IntegerField(source="ingest_run_id", allow_null=True)

    def get_value(self, row: dict) -> str:
        return format(row["value"].normalize(), "f")

    def to_representation(self, row: dict) -> dict:
        """The fields above, read straight from the row: a page is 200 of them (the fields declare the schema)."""
        return {
            "id": row["id"],
            "data_element": row["data_element__code"],
            "period": row["period"],
            "org_unit": row["org_unit__code"],
            "operator": row["operator__code"],
            "value": self.get_value(row),
            "comment": row["comment"],
            "source": row["source"],
            "updated_by": row["updated_by__username"],
            "updated_at": self.fields["updated_at"].to_representation(row["updated_at"]),
            "ingest_run": row["ingest_run_id"],
        }


DATAVALUE_ROW = [
    "id",
    "data_element__code",
    "period",
    "org_unit__code",
    "operator__code",
    "value",
    "comment",
    "source",
    "updated_by__username",
    "updated_at",
    "ingest_run_id",
]


class DataValueWriteSerializer(serializers.Serializer):
    """One value to write (the columns of ``yangfan values import``): codes or Chinese names; the value as a
    number or as text (``1,234``, ``1600万``, ``35%`` are understood)."""

    data_element = serializers.CharField(help_text="数据项代码或名称，如 mobile_users_5g")
    period = serializers.CharField(help_text="2023、2023Q4 或 202312")
    org_unit = serializers.CharField(help_text="组织机构代码或名称，如 610116")
    value = serializers.CharField(help_text="数值；也可写 1,234、1600万、35%")
    operator = serializers.CharField(
        required=False, allow_blank=True, help_text="运营商代码，如 cmcc；合计数不填"
    )
    comment = serializers.CharField(required=False, allow_blank=True)


class ImportResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="0-based position in the posted array")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    """Nothing was written: every bad entry is listed."""

    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)


class SubmissionEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = SubmissionEvent
        fields = ["action", "status", "actor", "at", "comment"]

    status = SubmissionStatusField(read_only=True)


class SubmissionSerializer(serializers.ModelSerializer):
    data_set = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    operator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    status = SubmissionStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "data_set",
            "org_unit",
            "period",
            "operator",
            "status",
            "status_label",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "reason",
            "explanations",
            "updated_at",
        ]


class SubmissionDetailSerializer(SubmissionSerializer):
    events = SubmissionEventSerializer(many=True, read_only=True)

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "events"]


class SubmissionOpenSerializer(serializers.Serializer):
    """Which report to open: a data set, the reporting unit, a period of the data set's kind, and the operator
    when the data set is reported by operator."""

    data_set = serializers.SlugRelatedField(slug_field="code", queryset=DataSet.objects.all())
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    period = serializers.CharField(help_text="该数据集的期间，如 2023Q4")
    operator = serializers.SlugRelatedField(
        slug_field="code", queryset=Operator.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        data_set = attrs["data_set"]
        try:
            attrs["period"] = str(parse_period(data_set, attrs["period"]))
        except CompletenessError as exc:
            raise serializers.ValidationError({"period": str(exc)}) from None
        if data_set.by_operator and attrs.get("operator") is None:
            raise serializers.ValidationError({"operator": _("该数据集按运营商分别报送，请给出运营商。")})
        if not data_set.by_operator and attrs.get("operator") is not None:
            raise serializers.ValidationError({"operator": _("该数据集不按运营商分别报送。")})
        return attrs


class SubmissionActionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="退回、解锁须填写原因"
    )
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="报送时对各条警告的说明：{警告键: 说明}",
    )


class CompletenessTotalsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    returned = serializers.IntegerField()
    draft = serializers.IntegerField()
    missing = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    submitted_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CompletenessRowSerializer(serializers.Serializer):
    org_unit = serializers.CharField(source="org_unit.code")
    org_unit_name = serializers.CharField(source="org_unit.name")
    operator = serializers.CharField(source="operator.code", allow_null=True, default=None)
    reporter = serializers.CharField()
    status = CompletenessStatusField()
    submission = serializers.IntegerField(source="submission.pk", allow_null=True, default=None)
    submitted_at = serializers.DateTimeField(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField()
    timeliness = serializers.ChoiceField(choices=["on_time", "late", "not_due"])
    days_overdue = serializers.IntegerField()


class CompletenessSerializer(serializers.Serializer):
    data_set = serializers.CharField(source="data_set.code")
    period = serializers.CharField()
    deadline = serializers.DateField()
    totals = CompletenessTotalsSerializer()
    rows = CompletenessRowSerializer(many=True)
