"""5G应用安全总览 (``security:overview``): the 扬帆监测口径 measures of the reader's scope or of one city (``?city=``),
the high risks awaiting remediation by sector × city, overdue remediations, key-industry applications without a passed 密评, and
the inspections and threat reports still open. Every list is read through the permission module (``security.view``)
and cut to what the page shows, so the page costs the same whatever the history."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, may, org_units_in_scope
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.registries.choices import CryptoResult
from yangfan.security import measures

# how many rows each list shows (a longer list says there are more)
LIMIT = 50
SHORT = 20


def scope_units(user) -> list[OrgUnit]:
    """The province (for a province-wide reader) and the cities the reader may see, in the tree's order: the top
    unit and the city picker in one query."""
    return list(
        org_units_in_scope(user, measures.VIEW)
        .filter(level__lte=OrgUnitLevel.CITY)
        .order_by("level", "position", "code")
    )


def chosen_unit(request, units: list[OrgUnit]) -> OrgUnit | None:
    """The unit of ``?city=`` (a city, or any unit, by code or name) the reader may see; otherwise the reader's top
    unit. A unit outside the reader's scope is refused (and audited); one that does not exist is not found."""
    text = request.GET.get("city", "").strip()
    if not text:
        return units[0] if units else None
    for unit in units:
        if text in (unit.code, unit.name):
            return unit
    found = OrgUnit.objects.filter(code=text).first() or OrgUnit.objects.filter(name=text).first()
    if found is None:
        raise Http404(_("没有代码或名称为“%(c)s”的地区。") % {"c": text})
    if may(request.user, measures.VIEW, found):
        return found
    deny(request.user, measures.VIEW, found, request=request)


def _first(rows, limit: int) -> tuple[list, bool]:
    """The first ``limit`` rows, and whether there are more (one query: ``limit + 1`` rows read)."""
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit


def crypto_gap(case, day) -> str:
    """Why an application of the list has no passed 密评 on ``day``: none, expired, or not passed."""
    if case.crypto_result is None:
        return _("无密评记录")
    if case.crypto_valid_until is not None and case.crypto_valid_until < day:
        return _("已过有效期")
    if case.crypto_result == CryptoResult.NON_COMPLIANT:
        return _("评估结论为不符合")
    return _("未通过")


class OverviewView(PermissionMixin, TemplateView):
    template_name = "security/overview.html"
    permission = "security.view"

    def get_context_data(self, **kwargs):
        user, day = self.request.user, timezone.localdate()
        units = scope_units(user)
        unit = chosen_unit(self.request, units)
        cities = [u for u in units if u.level == OrgUnitLevel.CITY]
        below = unit is not None and unit.level >= OrgUnitLevel.CITY  # a city (or a county): one column
        columns = [unit] if below else cities
        found = measures.security_measures(actor=user, org_unit=unit, day=day)
        overdue, more_overdue = _first(measures.overdue_risk_list(actor=user, day=day, org_unit=unit), LIMIT)
        gaps, more_gaps = _first(measures.crypto_gap_list(actor=user, org_unit=unit, day=day), LIMIT)
        inspections, more_inspections = _first(
            measures.open_inspection_list(actor=user, org_unit=unit), SHORT
        )
        threats, more_threats = _first(measures.open_threat_list(actor=user, org_unit=unit), SHORT)
        return super().get_context_data(
            day=day,
            unit=unit,
            cities=cities if len(cities) > 1 else [],
            city=unit if below else None,
            measures=found,
            matrix=measures.high_risk_matrix(actor=user, cities=columns, org_unit=unit),
            overdue=[{"risk": r, "days": measures.days_overdue(r, day)} for r in overdue],
            more_overdue=more_overdue,
            gaps=[{"case": c, "gap": crypto_gap(c, day)} for c in gaps],
            more_gaps=more_gaps,
            inspections=inspections,
            more_inspections=more_inspections,
            threats=threats,
            more_threats=more_threats,
            limit=LIMIT,
            short=SHORT,
            **kwargs,
        )


urlpatterns = [path("", OverviewView.as_view(), name="overview")]
