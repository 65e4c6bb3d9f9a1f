"""The org tree as statistics count it, and a page per unit."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from yangfan.orgunits import selectors
from yangfan.orgunits.models import OrgUnit


class OrgTreeView(LoginRequiredMixin, TemplateView):
    template_name = "orgunits/tree.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            root=selectors.statistical_tree(), groups=selectors.group_list(), **kwargs
        )


class OrgUnitDetailView(LoginRequiredMixin, DetailView):
    template_name = "orgunits/detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None) -> OrgUnit:
        return get_object_or_404(
            OrgUnit.objects.select_related("parent", "counted_in"), code=self.kwargs["code"]
        )

    def get_context_data(self, **kwargs):
        unit = self.object
        return super().get_context_data(
            children=selectors.statistical_children(unit=unit),
            ancestors=selectors.ancestors(unit=unit),
            groups=selectors.groups_of(unit=unit),
            **kwargs,
        )
