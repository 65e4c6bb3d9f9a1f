from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render

from yangfan.accounts.permissions import may, require
from yangfan.actionplans import selectors
from yangfan.actionplans.models import Plan, QualitativeTarget, ResponsibleUnit, Task


def _count(model):
    """The number of ``model`` rows of each plan, as a subquery (one query for every card)."""
    rows = (
        model.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


@login_required
def home(request):
    """The overview a signed-in user lands on: for those who read figures, the dashboard of their top unit or of
    the unit ``?org=`` drills down to (``portal.dashboard``; 403 outside their scope); for everyone, the plans and
    what each holds."""
    require(request.user, "plan.read", request=request)
    plans = Plan.objects.annotate(
        tasks=_count(Task),
        units=_count(ResponsibleUnit),
        qualitative=_count(QualitativeTarget),
    )
    cards = [
        {
            "plan": plan,
            "tasks": plan.tasks,
            "indicators": selectors.indicator_list(plan=plan).filter(annex_number__isnull=False),
            "units": plan.units,
            "qualitative": plan.qualitative,
        }
        for plan in plans
    ]
    context = {"plan_cards": cards}
    if may(request.user, "data.view"):
        from yangfan.portal.dashboard import dashboard

        context |= dashboard(request.user, request.GET, request=request, plan_rows=[c["plan"] for c in cards])
    return render(request, "portal/home.html", context)
