"""Browsable pages of the plan: structure, tasks, responsible units, goals and indicator definitions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import may, org_units_in_scope
from yangfan.actionplans import selectors
from yangfan.actionplans.models import DataElement, Indicator, ResponsibleUnit, Task
from yangfan.core.periods import Period, PeriodError
from yangfan.core.targets import Status
from yangfan.datavalues.indicators import assessments, core_plans


class PlanMixin(PermissionMixin):
    """Resolves the ``plan`` of the URL once and puts it in the context. Every signed-in role reads the plan."""

    permission = "plan.read"

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_get(code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["plan"] = self.plan  # replaces the URL's plan code that TemplateView passes in
        return super().get_context_data(**kwargs)


class PlanStructureView(PlanMixin, TemplateView):
    template_name = "actionplans/plan_structure.html"

    def get_context_data(self, **kwargs):
        plan = self.plan
        return super().get_context_data(
            chapters=selectors.section_tree(plan=plan),
            safeguards=plan.safeguard_set.all(),
            counts={
                "tasks": plan.task_set.count(),
                "special_projects": plan.specialproject_set.count(),
                "indicators": plan.indicator_set.count(),
                "units": plan.responsibleunit_set.count(),
            },
            **kwargs,
        )


class PlanSourceView(PlanMixin, TemplateView):
    template_name = "actionplans/plan_source.html"


class GoalListView(PlanMixin, TemplateView):
    template_name = "actionplans/goal_list.html"

    def get_context_data(self, **kwargs):
        plan = self.plan
        qualitative = list(plan.qualitativetarget_set.all())
        goals = list(plan.goal_set.all())
        for goal in goals:
            goal.qualitative = [q for q in qualitative if q.clause == goal.code]
        return super().get_context_data(
            goals=goals,
            overall=[q for q in qualitative if q.clause not in {g.code for g in goals}],
            indicators=selectors.indicator_list(plan=plan),
            **kwargs,
        )


class TaskDetailView(PlanMixin, DetailView):
    template_name = "actionplans/task_detail.html"
    context_object_name = "task"

    def get_object(self, queryset=None) -> Task:
        return get_object_or_404(selectors.task_list(plan=self.plan), code=self.kwargs["code"])


class UnitListView(PlanMixin, ListView):
    template_name = "actionplans/unit_list.html"
    context_object_name = "units"

    def get_queryset(self):
        return selectors.unit_list(plan=self.plan)


class UnitDetailView(PlanMixin, DetailView):
    template_name = "actionplans/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None) -> ResponsibleUnit:
        return get_object_or_404(self.plan.responsibleunit_set, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        tasks = selectors.task_list(plan=self.plan).filter(units=self.object)
        return super().get_context_data(tasks=tasks, **kwargs)


class IndicatorListView(PlanMixin, ListView):
    template_name = "actionplans/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return selectors.indicator_list(plan=self.plan)

    def get_context_data(self, **kwargs):
        return super().get_context_data(data_elements=DataElement.objects.all(), **kwargs)


class IndicatorDetailView(PlanMixin, DetailView):
    template_name = "actionplans/indicator_detail.html"
    context_object_name = "indicator"

    def get_object(self, queryset=None) -> Indicator:
        return get_object_or_404(self.plan.indicator_set, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        from yangfan.core.expressions import parse_formula

        formula = parse_formula(self.object.formula)
        annex_row = next(
            (r for r in self.plan.annex.get("rows", []) if r["number"] == self.object.annex_number), None
        )
        return super().get_context_data(
            data_elements=DataElement.objects.filter(code__in=formula.data_elements),
            registries=self.plan.registry_set.filter(code__in=formula.registries),
            annex_row=annex_row,
            **self._values_by_unit(),
            **kwargs,
        )

    def _values_by_unit(self) -> dict:
        """The indicator for the province and each city the viewer may see, at the chosen period."""
        core = core_plans().get(self.plan.code)
        if core is None or not may(self.request.user, "data.view"):
            return {}
        try:
            period = Period.parse(self.request.GET.get("period") or str(self.plan.end.year))
        except PeriodError as exc:
            return {"period_error": str(exc), "period": self.request.GET.get("period")}
        root = core.org_tree.root
        wanted = [root, *[u.code for u in core.org_tree.children(root)]]
        visible = set(
            org_units_in_scope(self.request.user, "data.view")
            .filter(code__in=wanted)
            .values_list("code", flat=True)
        )
        rows = assessments(
            core, [c for c in wanted if c in visible], period, [core.indicator(self.object.code)]
        )
        for row in rows:
            row["org_name"] = core.org_tree.units[row["org_unit"]].name
            row["status_label"] = Status(row["status"]).label
        if self.request.GET.get("sort") == "value":
            rows.sort(key=lambda r: (r["value"] is None, -float(r["value"] or 0)))
        return {"period": str(period), "unit_rows": rows}
