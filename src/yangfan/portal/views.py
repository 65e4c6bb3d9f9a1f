from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yangfan.accounts.permissions import may, require
from yangfan.actionplans import selectors
from yangfan.actionplans.models import Plan
from yangfan.datavalues.indicators import core_plan_of


@login_required
def home(request):
    """The overview a signed-in user lands on: for those who read figures, the dashboard of their top unit or of
    the unit ``?org=`` drills down to (``portal.dashboard``; 403 outside their scope); for everyone, the plans and
    what each holds."""
    require(request.user, "plan.read", request=request)
    cards = []
    for plan in Plan.objects.all():
        parsed = core_plan_of(plan)  # what was loaded is the file's: its counts are the stored rows'
        cards.append(
            {
                "plan": plan,
                "tasks": len(parsed.tasks),
                "indicators": selectors.indicator_list(plan=plan).filter(annex_number__isnull=False),
                "units": len(parsed.responsible_units),
                "qualitative": len(parsed.qualitative_targets),
            }
        )
    context = {"plan_cards": cards}
    from yangfan.portal.enterprise import enterprise_section

    context |= enterprise_section(request.user)
    if may(request.user, "security.view"):  # 5G应用安全: the 扬帆监测口径 measures of the reader's scope
        from yangfan.security.measures import security_measures

        context["security_measures"] = security_measures(actor=request.user)
    if may(request.user, "data.view"):
        from yangfan.portal.dashboard import dashboard_section

        context |= dashboard_section(request, plan_rows=[c["plan"] for c in cards])
    return render(request, "portal/home.html", context)
