"""检查 and 对账: a report's validation findings on demand, and the reconciliation of the sources of the same
figures, for an org unit within the viewer's view scope (``data.view``; a refusal is audited)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import org_units_in_scope, speaks_for_operator
from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.collection import checks
from yangfan.collection.selectors import period_kind
from yangfan.core.periods import Period, PeriodError, PeriodKind
from yangfan.datavalues.indicators import core_plans, plan_period
from yangfan.orgunits.models import OrgUnit

PERIOD_WORDS = {
    PeriodKind.MONTH: (gettext_lazy("按月"), "202312"),
    PeriodKind.QUARTER: (gettext_lazy("按季"), "2023Q4"),
    PeriodKind.YEAR: (gettext_lazy("按年"), "2023"),
}


class _UnitPage(PermissionMixin, TemplateView):
    """A page about the org unit ``?org=`` (a code), which must be in the viewer's view scope; without one, the
    page shows its picker only."""

    permission = "data.view"

    def permission_object(self) -> OrgUnit | None:
        if not hasattr(self, "_unit"):
            code = (self.request.GET.get("org") or "").strip()
            self._unit = get_object_or_404(OrgUnit, code=code) if code else None
        return self._unit

    def units(self):
        return org_units_in_scope(self.request.user, "data.view").order_by("code")

    def period(self, plans, default: Period) -> tuple[Period | None, str]:
        """The period ``?period=`` names (``default`` when none), or ``None`` with the reason."""
        text = (self.request.GET.get("period") or "").strip()
        if not text:
            return default, ""
        try:
            return plan_period(plans, text), ""
        except PeriodError as exc:
            return None, str(exc)


class ChecksView(_UnitPage):
    """The findings of the validation rules for a data set's report of a unit at a period (``?data_set=&org=
    &period=[&operator=]``): its errors, which block its submission, and its warnings, which need an
    explanation. An operator's reporter sees its own operator's findings only."""

    template_name = "collection/checks.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        data_sets = list(DataSet.objects.select_related("plan").order_by("plan__code", "position"))
        chosen = next((d for d in data_sets if d.code == self.request.GET.get("data_set")), None)
        operators = list(Operator.objects.all())
        own_operator = user.operator.code if speaks_for_operator(user) and user.operator_id else None
        operator = own_operator or (self.request.GET.get("operator") or "").strip() or None
        if operator is not None and operator not in {o.code for o in operators}:
            operator = None
        context = {
            "data_sets": data_sets,
            "data_set": chosen,
            "units": self.units(),
            "unit": self.permission_object(),
            "operators": operators,
            "operator": operator,
            "operator_fixed": own_operator is not None,
            "period_text": (self.request.GET.get("period") or "").strip(),
        }
        unit = self.permission_object()
        if chosen is None or unit is None:
            return super().get_context_data(**context, **kwargs)
        plan = checks.plan_of(chosen)
        kind = period_kind(chosen)
        period, problem = self.period([plan], Period.containing(plan.end, kind))
        if period is not None and period.kind != kind:
            words, example = PERIOD_WORDS[kind]
            problem = _("数据集“%(name)s”%(words)s报送，期间应写作 %(example)s 这样的形式。") % {
                "name": chosen.name,
                "words": words,
                "example": example,
            }
        if problem:
            return super().get_context_data(**context, period_error=problem, **kwargs)
        if chosen.by_operator:  # one operator's part, or the total's and every operator's findings
            wanted = operator or checks.EVERY_OPERATOR
        else:
            wanted = operator = None
        findings = checks.findings_for(data_set=chosen, org_unit=unit, period=period, operator=wanted)
        units = {u.code: u.name for u in plan.org_units}
        names = {o.code: o.name for o in operators}
        rows = [
            {
                "finding": f,
                "unit": units.get(f.org_unit, f.org_unit),
                "operator": names.get(f.operator, f.operator) if f.operator else _("合计"),
            }
            for f in findings
        ]
        context.update(
            period=period,
            period_text=str(period),
            checked=True,
            errors=[r for r in rows if r["finding"].is_error],
            warnings=[r for r in rows if not r["finding"].is_error],
        )
        return super().get_context_data(**context, **kwargs)


class ReconciliationView(_UnitPage):
    """对账 (``?org=&period=[&data_element=]``): for the unit and each unit counted directly in it, the unit's own
    total, its children's sum, the operators' sum and the official figure, with the variances between them;
    variances over 1 % are highlighted. The numbers come from ``yangfan.core.validation.reconcile``."""

    template_name = "collection/reconciliation.html"

    def get_context_data(self, **kwargs):
        plans = list(core_plans().values())
        elements = list(DataElement.objects.order_by("position", "code"))
        element = next((e for e in elements if e.code == self.request.GET.get("data_element")), None)
        unit = self.permission_object()
        context = {
            "units": self.units(),
            "unit": unit,
            "elements": elements,
            "element": element,
            "period_text": (self.request.GET.get("period") or "").strip(),
        }
        if unit is None or not plans:
            return super().get_context_data(**context, **kwargs)
        plan = next((p for p in plans if unit.code in p.org_tree.units), plans[0])
        period, problem = self.period([plan], Period.containing(plan.end, PeriodKind.QUARTER))
        if problem:
            return super().get_context_data(**context, period_error=problem, **kwargs)
        rows = checks.reconciliation_rows(
            org_unit=unit,
            period=period,
            data_elements=[element.code] if element else None,
            plan=plan,
        )
        context.update(period=period, period_text=str(period), rows=rows, checked=True)
        return super().get_context_data(**context, **kwargs)


urlpatterns = [
    path("checks/", ChecksView.as_view(), name="checks"),
    path("reconciliation/", ReconciliationView.as_view(), name="reconciliation"),
]
