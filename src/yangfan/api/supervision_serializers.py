"""Serializers of the task supervision API (``api.supervision``): what an assignment, a progress report, a
notice and an alert look like in JSON, and the bodies the API accepts."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yangfan.actionplans.choices import UnitRole
from yangfan.actionplans.selectors import task_leads
from yangfan.api.serializers import SubmissionStatusField
from yangfan.supervision.choices import Progress
from yangfan.supervision.models import (
    Assignment,
    Evidence,
    Milestone,
    NoticeAnswer,
    ProgressEvent,
    ProgressReport,
    SupervisionNotice,
)
from yangfan.supervision.selectors import (
    milestones_of,
)


@extend_schema_field(
    {"type": "string", "description": "not_started 未启动 · in_progress 推进中 · done 已完成 · lagging 滞后"}
)
class ProgressField(serializers.CharField):
    """进展状态, described in words (an enum here would collide with the write serializer's in the schema)."""


@extend_schema_field(
    {
        "type": "string",
        "description": (
            "issued 待签收 · signed 已签收（办理中） · answered 已反馈 · escalated 逾期未反馈（已升级） · closed 已办结"
        ),
    }
)
class NoticeStatusField(serializers.CharField):
    """A notice's status, described in words (as an enum its name would collide with the indicators' status)."""


class ReportSummarySerializer(serializers.Serializer):
    """One period's report of an assignment, as a list row shows it."""

    id = serializers.IntegerField()
    period = serializers.CharField()
    status = SubmissionStatusField()
    status_label = serializers.CharField(source="get_status_display")
    progress = ProgressField()
    progress_label = serializers.CharField(source="get_progress_display")
    percent = serializers.IntegerField()
    evidence_count = serializers.IntegerField(help_text="佐证材料件数")


class AssignmentSerializer(serializers.ModelSerializer):
    task = serializers.CharField(source="task.code", read_only=True, help_text="计划任务代码，如 T3.3.3")
    task_title = serializers.CharField(source="task.title", read_only=True)
    subtask = serializers.CharField(source="subtask.code", read_only=True, allow_null=True, default=None)
    work_code = serializers.CharField(read_only=True, help_text="子任务代码，没有子任务时同任务代码")
    work_title = serializers.CharField(read_only=True)
    responsible_unit = serializers.CharField(source="responsible_unit.code", read_only=True)
    unit = serializers.CharField(source="unit_name", read_only=True, help_text="责任单位，如 西安市人民政府")
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="市级分解：所属的市政府任务分工（省级分工为 null）"
    )
    assignee = serializers.CharField(read_only=True, help_text="承办的市级部门（区县或省级分工为空）")
    role = serializers.SerializerMethodField(help_text="本单位在该任务中牵头（lead）或配合（cooperating）")
    lead = serializers.SerializerMethodField(help_text="本单位是否为该任务的牵头单位")
    report = serializers.SerializerMethodField(help_text="给出 period 时该期的进展报告（尚无则为 null）")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task",
            "task_title",
            "subtask",
            "work_code",
            "work_title",
            "responsible_unit",
            "unit",
            "org_unit",
            "parent",
            "assignee",
            "role",
            "lead",
            "report",
        ]

    def get_lead(self, assignment: Assignment) -> bool:
        """Whether the assignment's unit leads its task: every task's lead read once per response."""
        if "task_leads" not in self.context:
            self.context["task_leads"] = task_leads()
        return (assignment.task_id, assignment.responsible_unit_id) in self.context["task_leads"]

    @extend_schema_field({"type": "string", "description": "lead 牵头 · cooperating 配合"})
    def get_role(self, assignment: Assignment) -> str:
        return (UnitRole.LEAD if self.get_lead(assignment) else UnitRole.COOPERATING).value

    @extend_schema_field(ReportSummarySerializer(allow_null=True))
    def get_report(self, assignment: Assignment):
        report = self.context.get("reports", {}).get(assignment.pk)
        return ReportSummarySerializer(report).data if report is not None else None


class MilestoneSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "code", "title", "due", "evidence_expected"]


class AssignmentDetailSerializer(AssignmentSerializer):
    milestones = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField(help_text="各期进展报告")

    class Meta(AssignmentSerializer.Meta):
        fields = [f for f in AssignmentSerializer.Meta.fields if f != "report"] + ["milestones", "reports"]

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, assignment: Assignment):
        return MilestoneSerializer(milestones_of(assignment), many=True).data

    @extend_schema_field(ReportSummarySerializer(many=True))
    def get_reports(self, assignment: Assignment):
        reports = assignment.reports.annotate(evidence_count=Count("evidence")).order_by("period")
        return ReportSummarySerializer(reports, many=True).data


@extend_schema_field({"type": "string", "description": "按内容识别的类型：pdf、png、jpg、docx、xlsx、pptx"})
class EvidenceKindField(serializers.CharField):
    pass


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="下载地址（须登录）")
    kind = EvidenceKindField(read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "name", "kind", "size", "sha256", "url", "uploaded_at"]


class ProgressEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    status = SubmissionStatusField(read_only=True)

    class Meta:
        model = ProgressEvent
        fields = ["action", "status", "actor", "at", "comment"]


class ProgressReportSerializer(serializers.ModelSerializer):
    """A progress report with what the unit wrote, its evidence and its history."""

    task = serializers.CharField(source="assignment.work_code", read_only=True)
    unit = serializers.CharField(source="assignment.unit_name", read_only=True)
    org_unit = serializers.CharField(source="assignment.org_unit.code", read_only=True)
    status = SubmissionStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = ProgressField(read_only=True)
    progress_label = serializers.CharField(source="get_progress_display", read_only=True)
    milestones_met = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    events = ProgressEventSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "assignment",
            "task",
            "unit",
            "org_unit",
            "period",
            "status",
            "status_label",
            "progress",
            "progress_label",
            "percent",
            "narrative",
            "milestones_met",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "reason",
            "updated_at",
            "evidence",
            "events",
        ]


class ProgressReportRowSerializer(ProgressReportSerializer):
    evidence_count = serializers.IntegerField(read_only=True, help_text="佐证材料件数")

    class Meta(ProgressReportSerializer.Meta):
        fields = [
            f for f in ProgressReportSerializer.Meta.fields if f not in ("narrative", "evidence", "events")
        ] + ["evidence_count"]


class ProgressReportWriteSerializer(serializers.Serializer):
    """The draft as the unit writes it; evidence files go to the ``evidence/`` endpoint."""

    progress = serializers.ChoiceField(label=gettext_lazy("进展状态"), choices=Progress.choices)
    percent = serializers.IntegerField(label=gettext_lazy("完成比例（%）"), min_value=0, max_value=100)
    narrative = serializers.CharField(
        label=gettext_lazy("进展情况"),
        allow_blank=True,
        required=False,
        default="",
        max_length=20000,
        trim_whitespace=False,
    )
    milestones_met = serializers.ListField(
        label=gettext_lazy("本期完成的节点"),
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="节点 id（见任务分工详情的 milestones）",
    )


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), help_text="一个或多个文件（字段名均为 files）"
    )


class ActionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        label=gettext_lazy("说明"),
        required=False,
        allow_blank=True,
        default="",
        help_text="退回、解锁须填写原因",
    )


class NoticeAnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeAnswer
        fields = ["serial", "text", "answered_by", "answered_at", "evidence"]


class NoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="发文字号，如 陕5G督〔2023〕1号")
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    task = serializers.CharField(source="assignment.work_code", read_only=True)
    task_title = serializers.CharField(source="assignment.work_title", read_only=True)
    unit = serializers.CharField(source="assignment.unit_name", read_only=True)
    org_unit = serializers.CharField(source="assignment.org_unit.code", read_only=True)
    status = NoticeStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    issuer = serializers.CharField(read_only=True, help_text="签发机关：省或设区市领导小组办公室")
    issuer_unit = serializers.CharField(
        source="issuer_unit.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="签发的设区市（省为 null）",
    )
    light = serializers.SerializerMethodField(
        help_text="亮灯：green 绿灯 · yellow 黄灯（临近时限） · red 红灯（逾期）"
    )
    figures = serializers.ListField(child=serializers.DictField(), read_only=True)

    @extend_schema_field({"type": "string", "enum": ["green", "yellow", "red"]})
    def get_light(self, notice: SupervisionNotice) -> str:
        from yangfan.supervision.lights import notice_light

        return notice_light(notice).value

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "number",
            "plan",
            "issuer",
            "issuer_unit",
            "assignment",
            "task",
            "task_title",
            "unit",
            "org_unit",
            "title",
            "issue",
            "required_action",
            "deadline",
            "figures",
            "status",
            "status_label",
            "issued_by",
            "issued_at",
            "signed_by",
            "signed_at",
            "light",
            "escalation_level",
            "escalated_at",
            "closed_by",
            "closed_at",
            "closing_comment",
        ]


class NoticeDetailSerializer(NoticeSerializer):
    answers = NoticeAnswerSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "answers"]


class NoticeCreateSerializer(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(
        label=gettext_lazy("任务分工"), queryset=Assignment.objects.all()
    )
    title = serializers.CharField(label=gettext_lazy("标题"), max_length=200)
    issue = serializers.CharField(label=gettext_lazy("存在问题"))
    required_action = serializers.CharField(label=gettext_lazy("督办要求"))
    deadline = serializers.DateField(label=gettext_lazy("反馈时限"))
    figures = serializers.ListField(
        label=gettext_lazy("相关指标数据"),
        child=serializers.DictField(),
        required=False,
        default=list,
        help_text="相关指标数据（指标评估结果的行），写入督办单",
    )


class NoticeAnswerWriteSerializer(serializers.Serializer):
    text = serializers.CharField(label=gettext_lazy("反馈内容"))
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="佐证材料（multipart，字段名均为 files）"
    )


class NoticeCloseSerializer(serializers.Serializer):
    comment = serializers.CharField(
        label=gettext_lazy("办结意见"), required=False, allow_blank=True, default=""
    )


class AlertSerializer(serializers.Serializer):
    """One row of the supervision list (the fields of ``yangfan tasks overdue --format json``)."""

    kind = serializers.ChoiceField(choices=["milestone_overdue", "no_report", "stalled", "risk_overdue"])
    kind_label = serializers.CharField(help_text="节点逾期、逾期未报、连续滞后、安全风险整改逾期")
    task = serializers.CharField()
    task_title = serializers.CharField()
    responsible_unit = serializers.CharField()
    unit = serializers.CharField()
    org_unit = serializers.CharField()
    period = serializers.CharField()
    since = serializers.DateField(help_text="情况出现的第一天")
    message = serializers.CharField()
    detail = serializers.DictField(help_text="情况所依据的数据")
    notices = serializers.ListField(child=serializers.CharField(), help_text="已下发且未办结的督办单编号")
