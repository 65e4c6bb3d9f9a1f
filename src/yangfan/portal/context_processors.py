"""The navigation every page shows: the areas the user's role can use, and no other (an area it cannot use is
not listed, so that nobody is sent to a refusal)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.permissions import may
from yangfan.actionplans.selectors import plan_active
from yangfan.registries.selectors import registries_readable


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    plan_code = match.kwargs.get("plan") if match else None
    if plan_code is None:  # the plan running today, or the one the pages show by default (``plan_active``)
        plan = plan_active()
        plan_code = plan.code if plan else None
    current = match.view_name if match else ""

    def item(label, view=None, *, active=(), **kwargs):
        url = reverse(view, kwargs=kwargs) if view else None
        prefixes = active or ((view,) if view else ())
        return {"label": label, "url": url, "active": any(current.startswith(p) for p in prefixes)}

    kw = {"plan": plan_code} if plan_code else {}
    items = [
        item(_("总览"), "portal:home"),
        item(
            _("行动计划"),
            "actionplans:plan" if plan_code else None,
            active=(
                "actionplans:plan",
                "actionplans:source",
                "actionplans:goals",
                "actionplans:task",
                "goals:board",
                "goals:verdict",
                "goals:detail",
            ),
            **kw,
        ),
        item(
            _("指标监测"),
            "actionplans:indicators" if plan_code else None,
            active=("actionplans:indicator",),
            **kw,
        ),
        item(
            _("数据填报"),
            "collection:index" if may(request.user, "data.view") else None,
            active=("collection:",),
        ),
        item(
            _("任务督导"),
            "supervision:index" if may(request.user, "tasks.view") else None,
            active=("supervision:",),
        ),
        item(
            _("应用仓库"),
            # each registry has its own read: the index is offered to whoever reads one
            "registries:index" if registries_readable(request.user) else None,
            active=("registries:",),
        ),
        item(
            _("应用安全"),
            "security:overview" if may(request.user, "security.view") else None,
            active=("security:",),
        ),
        item(
            _("报告"),
            "reports:index" if may(request.user, "reports.generate") else None,
            active=("reports:",),
        ),
        item(_("组织机构"), "orgunits:tree", active=("orgunits:",)),
    ]
    if may(request.user, "ingest.view"):
        items.append(item(_("原始数据"), "ingests:list", active=("ingests:",)))
    if may(request.user, "benchmarks.review"):
        items.append(item(_("标杆评审"), "registries:reviews", active=("registries:review",)))
        items.append(item(_("目标评审"), "goals:reviews", active=("goals:review",)))
    if may(request.user, "users.manage"):
        items.append(item(_("用户管理"), "accounts:user_list", active=("accounts:user",)))
    if may(request.user, "audit.read"):
        items.append(item(_("审计日志"), "audit:list", active=("audit:",)))
    return {
        "nav_items": [i for i in items if i["url"]],
        "nav_plan_code": plan_code,
        # 定性目标评估 is read with a unit's figures or judged by its office: the plan's and supervision's tabs link it
        "nav_goals": may(request.user, "data.view") or may(request.user, "goals.judge"),
    }
