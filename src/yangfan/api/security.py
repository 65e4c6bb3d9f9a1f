"""The REST API of 5G应用安全 (四.(三) 8–11), read-only: the 扬帆监测口径 measures of a unit on a day, the risk register
and the assessments, each read as the pages read them (``security.measures``, ``security.selectors``: the caller's
``security.view`` scope, an enterprise its own rows). A unit outside the scope answers 403 (audited), a filter that
cannot be read 400 ``{"detail": …}``. Assessments and risks are written on the pages."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yangfan.accounts.permissions import deny, may
from yangfan.api.permissions import Needs
from yangfan.orgunits.models import OrgUnit
from yangfan.security import measures
from yangfan.security.choices import AssessmentKind, AssessmentStatus, LifeStage, RiskLevel, RiskStatus
from yangfan.security.models import Assessment, Risk
from yangfan.security.selectors import BadFilter, assessment_list, risk_list

VIEW = "security.view"

# --- serializers ----------------------------------------------------------------------------------------------


class ShareSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    whole = serializers.IntegerField()
    percent = serializers.CharField(allow_null=True, help_text="百分比（一位小数）；分母为 0 时为 null")


class MeasuresSerializer(serializers.Serializer):
    basis = serializers.CharField(help_text="口径：扬帆监测口径（扬帆自定，不是行动计划的目标值）")
    org_unit = serializers.CharField(allow_null=True, help_text="地区代码；未指定时为 null（本人查看范围）")
    org_unit_name = serializers.CharField(allow_null=True)
    date = serializers.DateField(help_text="计算所依据的日期")
    key_applications = serializers.IntegerField(help_text="重点行业已启动的应用案例数（两个比例的分母）")
    assessed = ShareSerializer(help_text="近 assessment_current_days 天内有已提交安全评估的重点行业应用")
    crypto_passed = ShareSerializer(help_text="当日有有效且结论为符合或基本符合的密评的重点行业应用")
    open_high_risks = serializers.IntegerField(help_text="未处置的高风险（待整改或已整改待复评）")
    median_remediation_days = serializers.CharField(
        allow_null=True, help_text="近 remediation_window_days 天内完成整改的风险从登记到整改的天数中位数"
    )
    remediated = serializers.IntegerField(help_text="中位数所依据的已整改风险数")
    assessment_current_days = serializers.IntegerField()
    remediation_window_days = serializers.IntegerField()


class RiskSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    status_label = serializers.CharField(source="get_status_display")
    org_unit = serializers.CharField(source="org_unit.code", help_text="应用所在地区代码")
    org_unit_name = serializers.CharField(source="org_unit.name")
    application = serializers.SerializerMethodField(help_text="应用案例或行业虚拟专网的名称")
    case = serializers.IntegerField(source="assessment.case_id", allow_null=True, help_text="应用案例编号")
    vpn = serializers.IntegerField(source="assessment.vpn_id", allow_null=True, help_text="行业虚拟专网编号")
    sector = serializers.SerializerMethodField(help_text="行业代码")
    days_overdue = serializers.SerializerMethodField(help_text="待整改且已过整改时限的逾期天数；否则为 null")

    class Meta:
        model = Risk
        fields = [
            "id",
            "title",
            "level",
            "level_label",
            "status",
            "status_label",
            "org_unit",
            "org_unit_name",
            "assessment",
            "application",
            "case",
            "vpn",
            "sector",
            "likelihood",
            "impact",
            "owner",
            "deadline",
            "days_overdue",
            "reassess_on",
            "remediated_on",
            "closed_on",
            "created_at",
        ]

    def get_application(self, risk) -> str:
        return str(risk.assessment.application)

    def get_sector(self, risk) -> str | None:
        application = risk.assessment.application
        return application.sector.code if application.sector_id else None

    def get_days_overdue(self, risk) -> int | None:
        today = self.context.get("today") or timezone.localdate()
        if risk.status != RiskStatus.OPEN or risk.deadline >= today:
            return None
        return measures.days_overdue(risk, today)


class AssessmentSerializer(serializers.ModelSerializer):
    org_unit = serializers.CharField(source="org_unit.code", help_text="应用所在地区代码")
    org_unit_name = serializers.CharField(source="org_unit.name")
    application = serializers.SerializerMethodField(help_text="应用案例或行业虚拟专网的名称")
    sector = serializers.SerializerMethodField(help_text="行业代码")
    stage_label = serializers.CharField(source="get_stage_display")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    body = serializers.CharField(
        source="body.name", allow_null=True, default=None, help_text="第三方评估机构"
    )
    questionnaire = serializers.IntegerField(source="questionnaire.version", help_text="问卷版本")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "org_unit",
            "org_unit_name",
            "application",
            "case",
            "vpn",
            "sector",
            "stage",
            "stage_label",
            "kind",
            "kind_label",
            "body",
            "questionnaire",
            "assessed_on",
            "status",
            "status_label",
            "score",
            "submitted_at",
        ]

    def get_application(self, assessment) -> str:
        return str(assessment.application)

    def get_sector(self, assessment) -> str | None:
        application = assessment.application
        return application.sector.code if application.sector_id else None


# --- helpers ------------------------------------------------------------------------------------------------


def _unit(request) -> OrgUnit | None:
    """The unit ``?org=`` names (code or name), which the caller must be able to see (403, audited); ``None``
    without one."""
    text = (request.query_params.get("org") or "").strip()
    if not text:
        return None
    unit = OrgUnit.objects.filter(Q(code=text) | Q(name=text)).first()
    if unit is None:
        raise ValidationError({"detail": _("未知地区“%(c)s”。") % {"c": text}})
    if not may(request.user, VIEW, unit):
        deny(request.user, VIEW, unit, request=request._request)
    return unit


def _day(request) -> date:
    text = (request.query_params.get("date") or "").strip()
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"detail": _("日期“%(d)s”无效，应写作 2024-01-15。") % {"d": text}}) from None


def _params(request, unit: OrgUnit | None) -> dict[str, str]:
    """The query's filters for the selectors, ``org`` as their ``city`` (a unit and every unit counted in it)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("org", "limit", "offset")}
    if unit is not None:
        params["city"] = unit.code
    return params


ORG = OpenApiParameter("org", str, description="地区代码或名称（含统计上计入它的单位），如 610100")

# --- views ----------------------------------------------------------------------------------------------------


class SecurityMeasuresView(generics.GenericAPIView):
    permission_classes = [Needs]
    required_permission = VIEW
    serializer_class = MeasuresSerializer

    @extend_schema(
        description=(
            "扬帆监测口径（扬帆自定，不是行动计划的目标值）：一个地区（含统计上计入它的单位；不指定为本人查看范围）"
            "在某日的重点行业应用安全评估覆盖率、密评通过率、未处置的高风险数和整改用时中位数，按本人可见的数据"
            "计算（企业用户只含本企业的应用）。地区不在本人查看范围内：403。"
        ),
        operation_id="v1_security_measures",
        parameters=[ORG, OpenApiParameter("date", str, description="日期，如 2024-01-15（默认今天）")],
    )
    def get(self, request):
        unit = _unit(request)
        found = measures.security_measures(actor=request.user, org_unit=unit, day=_day(request))
        return Response(measures.measures_json(found))


class SecurityRiskListView(generics.ListAPIView):
    permission_classes = [Needs]
    required_permission = VIEW
    serializer_class = RiskSerializer

    def get_queryset(self):
        unit = _unit(self.request)
        try:
            return risk_list(actor=self.request.user, params=_params(self.request, unit))
        except BadFilter as exc:
            raise ValidationError({"detail": str(exc)}) from None

    @extend_schema(
        description=(
            "安全风险台账中本人可见的风险（企业用户只含本企业的），按整改时限排序，分页。筛选：level 风险等级、"
            "status 状态、overdue=1 整改逾期（待整改且已过整改时限）、org 地区、sector 行业代码。"
            "地区不在本人查看范围内：403；筛选值无效：400。"
        ),
        operation_id="v1_security_risks",
        parameters=[
            OpenApiParameter("level", str, enum=list(RiskLevel.values), description="风险等级"),
            OpenApiParameter("status", str, enum=list(RiskStatus.values), description="状态"),
            OpenApiParameter("overdue", str, enum=["1"], description="1：只列整改逾期的"),
            ORG,
            OpenApiParameter("sector", str, description="行业代码"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SecurityAssessmentListView(generics.ListAPIView):
    permission_classes = [Needs]
    required_permission = VIEW
    serializer_class = AssessmentSerializer

    def get_queryset(self):
        unit = _unit(self.request)
        try:
            return assessment_list(actor=self.request.user, params=_params(self.request, unit))
        except BadFilter as exc:
            raise ValidationError({"detail": str(exc)}) from None

    @extend_schema(
        description=(
            "本人可见的5G应用安全评估（企业用户只含本企业的），评估日期新者在前，分页。筛选：stage 生命周期阶段、"
            "kind 评估方式、status 状态、org 地区、sector 行业代码。地区不在本人查看范围内：403；筛选值无效：400。"
        ),
        operation_id="v1_security_assessments",
        parameters=[
            OpenApiParameter("stage", str, enum=list(LifeStage.values), description="生命周期阶段"),
            OpenApiParameter("kind", str, enum=list(AssessmentKind.values), description="评估方式"),
            OpenApiParameter("status", str, enum=list(AssessmentStatus.values), description="状态"),
            ORG,
            OpenApiParameter("sector", str, description="行业代码"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
