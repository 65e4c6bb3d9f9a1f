"""The org tree as statistics count it, and a page per unit."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.orgunits import selectors
from yangfan.orgunits.models import OrgUnit


class OrgTreeView(PermissionMixin, TemplateView):
    """The tree itself is reference data of the plan: every role may read the names and codes."""

    template_name = "orgunits/tree.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            root=selectors.statistical_tree(), groups=selectors.group_list(), **kwargs
        )


class OrgUnitDetailView(PermissionMixin, DetailView):
    """A unit's page (its figures come here with the indicator engine): within the viewer's view scope."""

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
            **kwargs,
        )
