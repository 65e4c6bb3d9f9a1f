"""Browsable pages of the plan: structure, tasks, responsible units, goals and indicator definitions.

They are here and not in the plan's app because an indicator's page shows its figures, which build on the plan
(``datavalues.indicators``); the plan's app holds what the figures read (ADR 0013).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import (
    deny,
    may,
    may_set_target,
    org_units_in_scope,
    require,
    target_units,
)
from yangfan.actionplans import selectors, services
from yangfan.actionplans.forms import TaskLeadForm, UnitTargetForm
from yangfan.actionplans.models import DataElement, Indicator, ResponsibleUnit, Task, UnitTarget
from yangfan.audit.conflicts import version_of
from yangfan.core.periods import PeriodError
from yangfan.datavalues.indicators import (
    assessments,
    core_plans,
    engine_for,
    indicator_chart,
    plan_period,
)
from yangfan.orgunits.models import OrgUnit
from yangfan.portal.succession import plan_label, succession_chart


def _succession(model, item) -> dict:
    """The earlier plan's task or indicator ``item`` continues (``continues``) and the later plans' that continue
    it (``continued_by``), each with its plan, for the links of its page."""
    earlier = (
        model.objects.select_related("plan").filter(pk=item.continues_id).first()
        if item.continues_id
        else None
    )
    later = list(item.continued_by.select_related("plan").order_by("plan__start", "code"))
    return {"continues": earlier, "continued_by": later}


class PlanMixin(PermissionMixin):
    """Resolves the ``plan`` of the URL once and puts it in the context. Every signed-in role reads the plan."""

    permission = "plan.read"

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_get(code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["plan"] = self.plan  # replaces the URL's plan code that TemplateView passes in
        kwargs["plan_picker"] = self._plan_picker()
        return super().get_context_data(**kwargs)

    def _plan_picker(self) -> list[dict]:
        """With several plans loaded, a link to each: the same page of the other plan where the page is one of
        the plan's lists, else its structure (one query)."""
        plans = selectors.plan_choices()
        if len(plans) < 2:
            return []
        match = self.request.resolver_match
        same = match is not None and set(match.kwargs) == {"plan"}
        return [
            {
                "code": p.code,
                "label": plan_label(p),
                "url": reverse(match.view_name, kwargs={"plan": p.code}) if same else p.get_absolute_url(),
                "current": p.pk == self.plan.pk,
            }
            for p in plans
        ]


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
    """A task with its units, the lead (牵头) first named; the provincial office changes the lead here (POST)."""

    template_name = "actionplans/task_detail.html"
    context_object_name = "task"

    def get_object(self, queryset=None) -> Task:
        return get_object_or_404(selectors.task_list(plan=self.plan), code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        may_lead = may(self.request.user, "tasks.lead")
        if may_lead and "lead_form" not in kwargs:
            kwargs["lead_form"] = TaskLeadForm(task=self.object)
        return super().get_context_data(
            may_lead=may_lead,
            **_succession(Task, self.object),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        require(request.user, "tasks.lead", request=request)
        self.object = task = self.get_object()
        form = TaskLeadForm(request.POST, task=task)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            try:
                services.task_lead_set(
                    actor=request.user,
                    task=task,
                    unit=unit,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已将 %(unit)s 改定为牵头单位。") % {"unit": unit.name})
                return redirect(task.get_absolute_url())
        return self.render_to_response(self.get_context_data(lead_form=form))


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
        tasks = list(selectors.task_list(plan=self.plan).filter(units=self.object))
        leading = sum(
            1 for t in tasks for link in t.unit_links.all() if link.unit_id == self.object.pk and link.lead
        )
        return super().get_context_data(
            tasks=tasks, leading=leading, cooperating=len(tasks) - leading, **kwargs
        )


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
            **_succession(Indicator, self.object),
            **self._values_by_unit(),
            **kwargs,
        )

    def _values_by_unit(self) -> dict:
        """The indicator for the province and each city the viewer may see, at the chosen period, and the
        chart of one of them (``?org=``) month by month against its target."""
        plans = core_plans()
        core = plans.get(self.plan.code)
        if core is None or not may(self.request.user, "data.view"):
            return {}
        try:
            period = plan_period([core], self.request.GET.get("period"))
        except PeriodError as exc:
            return {"period_error": str(exc), "period": self.request.GET.get("period")}
        root = core.org_tree.root
        wanted = [root, *[u.code for u in core.org_tree.children(root)]]
        visible = set(
            org_units_in_scope(self.request.user, "data.view")
            .filter(code__in=wanted)
            .values_list("code", flat=True)
        )
        shown = [c for c in wanted if c in visible]
        if not shown:
            # a user whose scope lies below those units (西安's office on the national plan, whose units are the
            # country and its provinces): the topmost units of the plan's tree the user may see
            inside = set(
                org_units_in_scope(self.request.user, "data.view")
                .filter(code__in=list(core.org_tree.units))
                .values_list("code", flat=True)
            )
            units = core.org_tree.units
            shown = [c for c in units if c in inside and units[c].statistical_parent not in inside]
            visible = inside
        indicator = core.indicator(self.object.code)
        engine = engine_for(core)  # one engine serves the table and the chart
        rows = assessments(core, shown, period, [indicator], engine)
        for row in rows:
            row.org_name = core.org_tree.units[row.org_unit].name
        if self.request.GET.get("sort") == "value":
            rows.sort(key=lambda r: (r.value is None, -(r.value or 0)))
        context = {"period": str(period), "unit_rows": rows}
        if shown:
            chosen = self.request.GET.get("org")
            chart_org = chosen if chosen in visible else shown[0]
            compared = [chart_org] + ([root] if root in visible and chart_org != root else [])
            context |= {
                "chart_org": chart_org,
                "chart_org_name": core.org_tree.units[chart_org].name,
                "chart": indicator_chart(core, indicator, compared, period, engine),
                # the series carried across the plan it continues: the earlier plan's years, then this one's
                "succession_chart": succession_chart(plans, core, indicator, chart_org, period, engine),
            }
        return context


class IndicatorTargetsView(PlanMixin, TemplateView):
    """The targets set per unit for one indicator (every signed-in role reads them, as it reads the plan's),
    and, for the provincial office, the form that sets them."""

    template_name = "actionplans/indicator_targets.html"

    @cached_property
    def indicator(self) -> Indicator:
        return get_object_or_404(self.plan.indicator_set, code=self.kwargs["code"])

    def post(self, request, *args, **kwargs):
        from yangfan.accounts.permissions import require

        require(request.user, "targets.set", request=request)
        form = UnitTargetForm(request.POST)
        form.fields["org_unit"].queryset = target_units(request.user).order_by("code")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.unit_target_set(
                    actor=request.user,
                    indicator=self.indicator,
                    org_unit=data["org_unit"],
                    on=data["date"],
                    value=data["value"],
                    comparison=data["comparison"],
                    note=data["note"],
                    version=data["version"] or None,
                    request=request,
                )
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}  # a conflict
                for field, errors in found.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("已设定 %(unit)s 在 %(date)s 的目标。")
                    % {"unit": data["org_unit"].name, "date": data["date"].isoformat()},
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_set = may(user, "targets.set")
        units = target_units(user).order_by("code") if may_set else None
        if may_set and "form" not in kwargs:
            kwargs["form"] = UnitTargetForm(initial=self._initial(units))
            kwargs["form"].fields["org_unit"].queryset = units
        targets = list(selectors.unit_target_list(indicator=self.indicator))
        for target in targets:  # the version its 修改 and 删除 send back (``unit_target_set``)
            target.version = version_of(target)
        return super().get_context_data(
            indicator=self.indicator,
            targets=targets,
            may_set=may_set,
            removable=set(units.values_list("pk", flat=True)) if may_set else set(),
            **kwargs,
        )

    def _initial(self, units) -> dict:
        """A new target's form, or, after 「修改」 (``?org=…&date=…``), the target as stored with its version, so
        that a change another officer made meanwhile is not undone unseen (``unit_target_set``)."""
        initial = {"date": self.indicator.target_date, "comparison": self.indicator.target_comparison}
        params = self.request.GET
        try:
            on = date.fromisoformat(params.get("date", ""))
        except ValueError:
            return initial
        target = UnitTarget.objects.filter(
            indicator=self.indicator, org_unit__in=units, org_unit__code=params.get("org", ""), date=on
        ).first()
        if target is None:
            return initial
        return {
            "org_unit": target.org_unit,
            "date": target.date,
            "comparison": target.comparison,
            "value": target.value,
            "note": target.note,
            "version": version_of(target),
        }


class IndicatorTargetDeleteView(PlanMixin, TemplateView):
    """POST only: remove the target one unit has at one date (nothing to remove is said, not an error)."""

    permission = "targets.set"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        plan = selectors.plan_get(code=kwargs["plan"])
        indicator = get_object_or_404(plan.indicator_set, code=kwargs["code"])
        unit = get_object_or_404(OrgUnit, code=kwargs["org"])
        if not may_set_target(request.user, unit):  # before anything is looked up: another city's is refused
            deny(request.user, "targets.set", unit, request=request)
        try:
            on = date.fromisoformat(kwargs["date"])
        except ValueError:
            on = None
        target = (
            UnitTarget.objects.filter(indicator=indicator, org_unit__code=kwargs["org"], date=on).first()
            if on
            else None
        )
        if target is None:
            messages.warning(request, _("没有这个目标，未做任何更改。"))
        else:
            try:
                services.unit_target_delete(
                    actor=request.user,
                    target=target,
                    version=request.POST.get("version") or None,
                    request=request,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("目标已删除。"))
        return redirect("actionplans:targets", plan=plan.code, code=indicator.code)
