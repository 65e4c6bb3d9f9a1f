"""The org tree as statistics count it, and a page per unit.

They are here and not in the org units' app because they ask the permission module and show the figures, both of
which build on the org tree (ADR 0013).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import org_unit_codes_in_scope
from yangfan.core.periods import PeriodError
from yangfan.datavalues.indicators import indicator_glance, plan_period, plans_of
from yangfan.orgunits import selectors
from yangfan.orgunits.models import OrgUnit


class OrgTreeView(PermissionMixin, TemplateView):
    """The tree itself is reference data of the plan: every role may read the names and codes. A unit's name links
    to its page only where the viewer may open it (``openable``), so that browsing the tree meets no refusal."""

    template_name = "orgunits/tree.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            root=selectors.statistical_tree(),
            groups=selectors.group_list(),
            openable=org_unit_codes_in_scope(self.request.user, "data.view"),
            **kwargs,
        )


class OrgUnitDetailView(PermissionMixin, DetailView):
    """A unit's page with all its indicators at a glance (指标一览) at a chosen period: within the viewer's
    view scope, which ``permission_object`` checks before anything is computed."""

    template_name = "orgunits/detail.html"
    context_object_name = "unit"
    permission = "data.view"

    def permission_object(self) -> OrgUnit:
        if not hasattr(self, "_unit"):
            units = OrgUnit.objects.select_related("parent", "counted_in")
            self._unit = get_object_or_404(units, code=self.kwargs["code"])
        return self._unit

    def get_object(self, queryset=None) -> OrgUnit:
        return self.permission_object()

    def get_context_data(self, **kwargs):
        unit = self.object
        return super().get_context_data(
            children=selectors.statistical_children(unit=unit),
            ancestors=selectors.ancestors(unit=unit),
            groups=selectors.groups_of(unit=unit),
            **self._glance(unit),
            **kwargs,
        )

    def _glance(self, unit: OrgUnit) -> dict:
        """The period picker's state and, per plan that counts the unit, every indicator at that period."""
        plans = plans_of(unit=unit)
        if not plans:
            return {}
        text = self.request.GET.get("period")
        try:
            period = plan_period(plans, text)
        except PeriodError as exc:
            return {"glance_error": str(exc), "period": text}
        glance = [
            {"plan": plan, "rows": indicator_glance(plan=plan, unit=unit, period=period)} for plan in plans
        ]
        return {"glance": glance, "period": str(period)}
