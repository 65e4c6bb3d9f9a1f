"""The REST API (read-only so far): the plan, the org tree and the caller's own account.

Every view names the permission it needs; scoped objects go through the same ``require`` as the web pages.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from yangfan.accounts.permissions import org_units_in_scope, require
from yangfan.actionplans import selectors as plan_selectors
from yangfan.api.permissions import Needs
from yangfan.api.serializers import (
    IndicatorAssessmentSerializer,
    IndicatorSerializer,
    MeSerializer,
    OrgUnitSerializer,
    TaskSerializer,
)
from yangfan.orgunits.models import OrgUnit


class MeView(generics.RetrieveAPIView):
    """The caller's account: role and scopes."""

    serializer_class = MeSerializer
    permission_classes = [Needs]
    required_permission = "plan.read"

    def get_object(self):
        return self.request.user


class OrgUnitListView(generics.ListAPIView):
    """The org tree (reference data of the plan: names and codes only)."""

    serializer_class = OrgUnitSerializer
    permission_classes = [Needs]
    required_permission = "plan.read"
    queryset = OrgUnit.objects.select_related("parent", "counted_in")


class OrgUnitDetailView(generics.RetrieveAPIView):
    """One org unit, within the caller's view scope (its figures join it with the indicator engine)."""

    serializer_class = OrgUnitSerializer
    permission_classes = [Needs]
    required_permission = "data.view"
    queryset = OrgUnit.objects.select_related("parent", "counted_in")
    lookup_field = "code"


class PlanScoped:
    permission_classes = [Needs]
    required_permission = "plan.read"

    def plan(self):
        return plan_selectors.plan_get(code=self.kwargs["plan"])


class TaskListView(PlanScoped, generics.ListAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return plan_selectors.task_list(plan=self.plan())


class IndicatorListView(PlanScoped, generics.ListAPIView):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        return plan_selectors.indicator_list(plan=self.plan())


class IndicatorDetailView(PlanScoped, generics.RetrieveAPIView):
    serializer_class = IndicatorSerializer

    def get_object(self):
        obj = get_object_or_404(plan_selectors.indicator_list(plan=self.plan()), code=self.kwargs["code"])
        self.check_object_permissions(self.request, obj)
        return obj


class IndicatorValuesView(generics.GenericAPIView):
    """``/api/indicators/?org=610000&period=2023[&children=1][&plan=…]``: the assessments of every indicator,
    for org units within the caller's view scope (the fields of ``yangfan indicators --format json``)."""

    permission_classes = [Needs]
    required_permission = "data.view"
    serializer_class = IndicatorAssessmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, required=True, description="组织机构代码，如 610000"),
            OpenApiParameter("period", str, required=True, description="2023、2023Q4 或 202312"),
            OpenApiParameter("children", bool, description="同时计算统计上计入它的下级单位"),
            OpenApiParameter("plan", str, description="计划代码"),
        ],
        responses=IndicatorAssessmentSerializer(many=True),
    )
    def get(self, request):
        from rest_framework.exceptions import ValidationError
        from rest_framework.response import Response

        from yangfan.core.periods import PeriodError
        from yangfan.datavalues.indicators import assessments, core_plans, plan_period

        plans = core_plans()
        plan = plans.get(request.query_params.get("plan") or next(iter(plans)))
        if plan is None:
            raise ValidationError({"plan": "未知计划"})
        if not request.query_params.get("period"):
            raise ValidationError({"period": "请给出期间，如 2023、2023Q4 或 202312"})
        try:
            period = plan_period([plan], request.query_params["period"])
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from None
        unit = get_object_or_404(OrgUnit, code=request.query_params.get("org", ""))
        require(request.user, "data.view", unit, request=request._request)
        codes = [unit.code]
        if request.query_params.get("children") and unit.code in plan.org_tree.units:
            codes += [c.code for c in plan.org_tree.children(unit.code)]
            in_scope = org_units_in_scope(request.user, "data.view").filter(code__in=codes)
            allowed = set(in_scope.values_list("code", flat=True))
            codes = [c for c in codes if c in allowed]
        return Response(assessments(plan, codes, period))
