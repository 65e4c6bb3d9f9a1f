"""The REST API (read-only so far): the plan, the org tree and the caller's own account.

Every view names the permission it needs; scoped objects go through the same ``require`` as the web pages.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import generics

from yangfan.actionplans import selectors as plan_selectors
from yangfan.api.permissions import Needs
from yangfan.api.serializers import IndicatorSerializer, MeSerializer, OrgUnitSerializer, TaskSerializer
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
