"""The REST API of 定性目标评估: the published verdicts on the plan's qualitative targets, read as the pages read
them (``goals.selectors.published_list``: the units of the caller's view scope, or the one ``org`` names, which
must be in it: 403, audited, otherwise). Verdicts are written on the pages (drafts, experts' opinions,
publication)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from yangfan.accounts.permissions import deny
from yangfan.api.permissions import Needs
from yangfan.core.periods import Period, PeriodError
from yangfan.goals.choices import Verdict
from yangfan.goals.models import GoalVerdict
from yangfan.goals.selectors import may_read_unit, published_list
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.specs import SPECS


class GoalEntrySerializer(serializers.Serializer):
    registry = serializers.CharField(help_text="登记簿：cases、vpns、suppliers、benchmarks、carriers")
    id = serializers.IntegerField(source="entry_id", help_text="条目编号")
    name = serializers.CharField(source="label", help_text="引用时的条目名称")


class GoalTaskSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="任务代码，如 T2.1.1")
    title = serializers.CharField()


class GoalVerdictSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target.code", help_text="定性目标代码，如 Q01")
    target_text = serializers.CharField(source="target.text", help_text="目标原文")
    org_unit = serializers.CharField(source="org_unit.code", help_text="地区代码（省或设区市）")
    org_name = serializers.CharField(source="org_unit.name")
    verdict = serializers.ChoiceField(choices=Verdict.choices, help_text="评估结论")
    verdict_label = serializers.CharField(source="get_verdict_display", help_text="评估结论（中文）")
    entries = GoalEntrySerializer(many=True, help_text="佐证的登记簿条目")
    tasks = GoalTaskSerializer(many=True, help_text="相关任务")
    documents = serializers.ListField(child=serializers.CharField(), help_text="佐证文件：名称、文号或链接")
    published_by = serializers.SerializerMethodField()

    class Meta:
        model = GoalVerdict
        fields = [
            "id",
            "target",
            "target_text",
            "org_unit",
            "org_name",
            "period",
            "verdict",
            "verdict_label",
            "reasoning",
            "entries",
            "tasks",
            "documents",
            "published_by",
            "published_at",
        ]

    def get_published_by(self, verdict) -> str:
        user = verdict.published_by
        return (user.get_full_name() or user.username) if user else ""


class GoalVerdictListView(generics.ListAPIView):
    """The published verdicts the caller may read."""

    serializer_class = GoalVerdictSerializer
    permission_classes = [Needs]
    required_permission = "data.view"

    def get_queryset(self):
        params = self.request.query_params
        unit = None
        if params.get("org"):
            code = params["org"].strip()
            unit = OrgUnit.objects.filter(Q(code=code) | Q(name=code)).first()
            if unit is None:
                raise ValidationError({"detail": _("未知地区“%(c)s”。") % {"c": code}})
            if not may_read_unit(self.request.user, unit):
                deny(self.request.user, "data.view", unit, request=self.request._request)
        period = (params.get("period") or "").strip() or None
        if period is not None:
            try:
                period = str(Period.parse(period))
            except PeriodError as exc:
                raise ValidationError({"detail": str(exc)}) from None
        return published_list(actor=self.request.user, org_unit=unit, period=period)

    @extend_schema(
        description=(
            "已发布的定性目标评估结论（每个目标、地区、期间一条；被新发布替代的不列出）：本人查看范围内地区的，"
            "或 org 指定地区的（不在本人查看范围内：403）。每条含评估结论、判断理由和佐证："
            + "、".join(sorted(SPECS))
            + " 登记簿条目、相关任务和佐证文件。"
        ),
        parameters=[
            OpenApiParameter("org", str, description="地区代码或名称（省或设区市），如 610100"),
            OpenApiParameter("period", str, description="评估期间，如 2023"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
