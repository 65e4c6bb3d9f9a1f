from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yangfan.accounts.permissions import may, require
from yangfan.actionplans import selectors
from yangfan.actionplans.models import Plan


@login_required
def home(request):
    """The overview a signed-in user lands on: for those who read figures, the dashboard of their top unit or of
    the unit ``?org=`` drills down to (``portal.dashboard``; 403 outside their scope); for everyone, the plans and
    what each holds."""
    require(request.user, "plan.read", request=request)
    plans = Plan.objects.all()
    cards = [
        {
            "plan": plan,
            "tasks": plan.task_set.count(),
            "indicators": selectors.indicator_list(plan=plan).filter(annex_number__isnull=False),
            "units": plan.responsibleunit_set.count(),
            "qualitative": plan.qualitativetarget_set.count(),
        }
        for plan in plans
    ]
    context = {"plan_cards": cards}
    if may(request.user, "data.view"):
        from yangfan.portal.dashboard import dashboard

        context |= dashboard(request.user, request.GET, request=request)
    return render(request, "portal/home.html", context)
