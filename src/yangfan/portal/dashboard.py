"""总览 for those who read figures: the viewer's own top unit (the province for province-wide roles, a city for
its users) with a card per indicator, the units counted in it ranked by a chosen indicator, and how reporting
stands. Everything comes from the shared computations; this module only arranges it."""

from __future__ import annotations

from decimal import Decimal

from yangfan.accounts.permissions import org_units_in_scope
from yangfan.core.periods import PeriodError
from yangfan.core.plan import Direction
from yangfan.core.targets import Status
from yangfan.orgunits.models import OrgUnit

# The maps shipped under static/vendor (see its README), by the GB code of the unit they draw: the name the map
# file registers with ECharts, and the file. A plan whose root has no map here simply shows no map.
MAPS = {"610000": ("陕西", "vendor/echarts-china-provinces/shanxi1.js")}


def dashboard_unit(user) -> OrgUnit | None:
    """The highest unit of the user's view scope (the province, or the first of their cities by code)."""
    return org_units_in_scope(user, "data.view").order_by("level", "code").first()


def reached(row: dict, direction: Direction) -> Decimal | None:
    """Per cent of the target reached (value ÷ target × 100) for a target to rise to; ``None`` without one."""
    if row["value"] is None or not row["target"] or direction != Direction.INCREASE:
        return None
    target = Decimal(row["target"])
    return None if target == 0 else Decimal(row["value"]) / target * 100


def dashboard(user, query) -> dict:
    """The context of the dashboard for ``user``, from the request's ``period`` and ``indicator``."""
    from yangfan.datavalues.indicators import assessments, core_plans, engine_for, plan_period
    from yangfan.orgunits.selectors import indicator_glance

    unit = dashboard_unit(user)
    plans = [p for p in core_plans().values() if unit is not None and unit.code in p.org_tree.units]
    if not plans:
        return {}
    plan = plans[0]
    try:
        period = plan_period([plan], query.get("period"))
    except PeriodError as exc:
        return {"dashboard_error": str(exc), "period": query.get("period", "")}
    engine = engine_for(plan)  # one read of the stored values serves the cards and the ranking
    cards = indicator_glance(plan=plan, unit=unit, period=period, engine=engine)
    directions = {i.code: i.direction for i in plan.indicators}
    for card in cards:
        card["reached"] = reached(card, directions[card["indicator"]])
    codes = [i.code for i in plan.indicators]
    chosen = query.get("indicator") if query.get("indicator") in codes else codes[0]
    children = [c.code for c in plan.org_tree.children(unit.code)]
    visible = set(
        org_units_in_scope(user, "data.view").filter(code__in=children).values_list("code", flat=True)
    )
    ranking = assessments(
        plan, [c for c in children if c in visible], period, [plan.indicator(chosen)], engine
    )
    ranking.sort(key=lambda r: (r["value"] is None, -Decimal(r["value"] or 0), r["org_unit"]))
    for rank, row in enumerate(ranking, start=1):
        row["rank"] = rank if row["value"] is not None else None
        row["org_name"] = plan.org_tree.units[row["org_unit"]].name
        row["status_label"] = Status(row["status"]).label
    return {
        "map": _map(unit, ranking, plan.indicator(chosen), period),
        "map_script": MAPS.get(unit.code, (None, None))[1],
        "dashboard_plan": plan,
        "dashboard_unit": unit,
        "period": str(period),
        "cards": cards,
        "ranking": ranking,
        "ranking_indicator": plan.indicator(chosen),
        "indicator_choices": plan.indicators,
        "reporting": _reporting(user),
        "tasks": _tasks(user, plan.code, period),
    }


def _map(unit: OrgUnit, ranking: list[dict], indicator, period) -> dict | None:
    """The charts.js data of the unit's map, each part coloured by its status for ``indicator``."""
    from django.urls import reverse

    if unit.code not in MAPS:
        return None
    return {
        "map": MAPS[unit.code][0],
        "unit": indicator.unit,
        "title": f"{indicator.code} {indicator.name}",
        "regions": [
            {
                "name": row["org_name"],
                "value": None if row["value"] is None else float(row["value"]),
                "status": row["status"],
                "label": row["status_label"],
                "url": reverse("orgunits:detail", args=[row["org_unit"]]) + f"?period={period}",
            }
            for row in ranking
        ],
    }


def _tasks(user, plan_code: str, period) -> dict | None:
    """The task summary (任务督导) of the reporting period that ends with the dashboard's period or before it:
    the viewer's assignments by reported progress, and the open notices."""
    from yangfan.accounts.permissions import may
    from yangfan.actionplans.models import Plan
    from yangfan.core.periods import Period
    from yangfan.supervision.boards import OPEN_NOTICE, matrix
    from yangfan.supervision.models import SupervisionNotice
    from yangfan.supervision.selectors import assignment_list, reporting_kind

    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None or not may(user, "tasks.view"):
        return None
    kind = reporting_kind(plan)
    quarter = Period.containing(period.end, kind)
    if quarter.end > period.end:
        quarter = quarter.previous()
    first, last = Period.containing(plan.start, kind), Period.containing(plan.end, kind)
    quarter = max(min(quarter, last), first)
    m = matrix(actor=user, plan=plan, period=quarter)
    notices = SupervisionNotice.objects.filter(assignment__in=assignment_list(actor=user, plan=plan))
    return {
        "plan": plan,
        "period": str(quarter),
        "tasks": len(m.rows),
        "assignments": sum(m.counts.values()),
        "counts": m.counts,
        "open_notices": notices.filter(status__in=OPEN_NOTICE).count(),
        "escalated": notices.filter(status="escalated").count(),
    }


def _reporting(user) -> list[dict]:
    """Each data set at its latest ended period: how many of the expected reports (in the user's scope) are in."""
    from yangfan.collection.completeness import completeness_overview

    return [{k: v for k, v in item.items() if k != "rows"} for item in completeness_overview(user=user)]
