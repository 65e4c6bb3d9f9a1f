"""总览 for those who read figures: a dashboard of one unit at one period. By default the viewer's own top unit
(the province for province-wide roles, a city for its users); ``?org=`` drills down to a city, a county or a
group (西咸新区, 韩城市 …) within the viewer's scope; with several plans loaded, ``?plan=`` chooses the plan shown
(by default the plan running today, ``plan_active``) and a card of an indicator that continues an earlier plan's
says where that one ended. A card per indicator (with the unit's rank among its
siblings and its gap to the target), a small line chart per indicator against its target (走势), the units in it
ranked by a chosen indicator, the map, its tasks and how its reporting stands.

Everything comes from the shared computations; this module only chooses the unit, checks the scope, and
arranges what they return."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import (
    deny,
    may,
    org_unit_codes_in_scope,
    org_units_in_scope,
    tree_links,
    visible_group_codes,
)
from yangfan.actionplans.display import localized_name, unit_label
from yangfan.core.periods import Period, PeriodError, PeriodKind
from yangfan.core.plan import Direction
from yangfan.orgunits.models import OrgGroup, OrgUnit, OrgUnitLevel
from yangfan.orgunits.selectors import unit_or_group
from yangfan.portal.succession import dashboard_plan_picker, earlier_ends, holds

# The maps shipped under static/vendor (see its README), by the GB code of the unit they draw: the name the map
# file registers with ECharts, and the file. A plan whose root has no map here simply shows no map.
MAPS = {"610000": ("陕西", "vendor/echarts-china-provinces/shanxi1.js")}


def dashboard_unit(user) -> OrgUnit | None:
    """The highest unit of the user's view scope (the province, or the first of their cities by code)."""
    return org_units_in_scope(user, "data.view").order_by("level", "code").first()


def dashboard_target(user, text: str | None, *, request=None) -> OrgUnit | OrgGroup | None:
    """The unit (or group) ``?org=`` names, by code or name; the viewer's top unit without one. Unknown:
    404; outside the viewer's view scope: the refusal is audited and the page is 403 (``deny``)."""
    text = (text or "").strip()
    if not text:
        return _plan_unit(user, dashboard_unit(user), request.GET.get("plan") if request else None)
    found = unit_or_group(text)
    if found is None:
        raise Http404(_("没有代码或名称为“%(org)s”的地区。") % {"org": text})
    if not may(user, "data.view", found):
        deny(user, "data.view", found, request=request)
    return found


def _plan_unit(user, unit, plan_code: str | None):
    """The unit a dashboard of plan ``plan_code`` (``?plan=`` without ``?org=``) opens on: the viewer's top unit
    where the plan holds it, else the plan's root when the viewer may read it (a provincial officer, whose top
    unit is the country once the national plan is loaded, choosing the provincial plan)."""
    from yangfan.datavalues.indicators import core_plans

    if not plan_code or unit is None:
        return unit
    plan = core_plans().get(plan_code)
    if plan is None or holds(plan, unit.code):
        return unit
    root = OrgUnit.objects.filter(code=plan.org_tree.root).first()
    return root if root is not None and may(user, "data.view", root) else unit


def ranked(values: dict[str, Decimal | None], direction: Direction) -> dict[str, tuple[int, int]]:
    """``{org_unit: (rank, of)}`` over the ``values`` of one indicator by unit: the best value first (the highest
    for a target to rise to), equal values share a rank (1, 2, 2, 4), units without a value have none; ``of`` is
    the number of units ranked."""
    known = {org: value for org, value in values.items() if value is not None}
    better = (lambda a, b: a > b) if direction == Direction.INCREASE else (lambda a, b: a < b)
    return {
        org: (1 + sum(better(v, value) for v in known.values()), len(known)) for org, value in known.items()
    }


def dashboard_section(request, *, plan_rows=()) -> dict:
    """The dashboard of the request, rendered, for the page around it: ``dashboard_html`` (empty when there is
    none to show), ``dashboard_charts`` (whether it draws charts) and ``map_script``. The unit is checked
    against the viewer's scope first (a refusal is audited each time); the rest is computed once and kept
    while nothing it shows can have changed (``audit.fragments``)."""
    from django.template.loader import render_to_string

    from yangfan.audit.fragments import kept

    unit = dashboard_target(request.user, request.GET.get("org"), request=request)

    def build() -> dict:
        context = dashboard(request.user, request.GET, unit=unit, plan_rows=plan_rows)
        shown = bool(context.get("cards") or context.get("dashboard_error"))
        return {
            "dashboard_html": render_to_string("portal/_dashboard.html", context) if shown else "",
            "dashboard_charts": bool(context.get("cards")),
            "map_script": context.get("map_script"),
        }

    return kept(request, "dashboard", build)


def dashboard(user, query, *, unit, plan_rows=None) -> dict:
    """The context of the dashboard for ``user`` of ``unit`` (``dashboard_target``'s: checked, the viewer's top
    unit without ``?org=``) from the request's ``period`` and ``indicator`` (``plan_rows``: the
    ``actionplans.Plan`` rows the page has read already)."""
    from yangfan.datavalues.indicators import (
        assessments,
        core_plans,
        engine_for,
        indicator_glance,
        plan_period,
        prefetch,
    )

    if unit is None:
        return {}
    loaded = core_plans()
    plans = [p for p in loaded.values() if holds(p, unit.code)]
    if not plans:
        return {}
    asked = (query.get("plan") or "").strip()
    if asked and asked not in loaded:
        raise Http404(_("没有代码为“%(plan)s”的行动计划。") % {"plan": asked})
    if asked and asked not in {p.code for p in plans}:
        return {
            "dashboard_error": _("行动计划“%(plan)s”不含地区“%(org)s”。") % {"plan": asked, "org": unit.name},
            "period": query.get("period", ""),
            "dashboard_unit": unit,
            "plan_picker": dashboard_plan_picker(list(loaded.values()), asked, unit.code),
        }
    plan = _chosen_plan(plans, asked)
    chosen_plan = asked or None  # carried by the page's links only when the reader chose it
    tree = plan.org_tree
    is_group = isinstance(unit, OrgGroup)
    picker = dashboard_plan_picker(list(loaded.values()), plan.code, unit.code)
    try:
        period = plan_period([plan], query.get("period"))
    except PeriodError as exc:
        return {
            "dashboard_error": str(exc),
            "period": query.get("period", ""),
            "dashboard_unit": unit,
            "plan_picker": picker,
        }
    codes = [i.code for i in plan.indicators]
    chosen = query.get("indicator") if query.get("indicator") in codes else codes[0]
    directions = {i.code: i.direction for i in plan.indicators}
    engine = engine_for(plan)  # one read of the stored totals serves the cards, the ranks and the ranking
    siblings, among = _siblings(user, plan, unit, is_group)
    children = _children(user, plan, unit, is_group)
    prefetch(engine, [unit.code, *siblings, *children], period, plan.indicators)

    cards = indicator_glance(plan=plan, unit=unit, period=period, engine=engine)
    ends = earlier_ends(loaded, plan.indicators, unit.code)  # where the indicators this plan continues ended
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    if len(siblings) > 1:  # a rank needs each sibling's value, not its series and status
        for i in plan.indicators:
            values = {code: engine.evaluate(i, code, period).value for code in siblings}
            ranks[i.code] = ranked(values, directions[i.code])
    for card in cards:
        card.rank, card.rank_of = ranks.get(card.indicator, {}).get(unit.code, (None, None))
        card.url = (
            reverse("actionplans:indicator", args=[plan.code, card.indicator])
            + "?"
            + urlencode({"period": str(period), "org": unit.code})
            + "#chart"
        )
        card.earlier = ends.get(card.indicator)

    ranking = assessments(plan, children, period, [plan.indicator(chosen)], engine) if children else []
    places = ranked({row.org_unit: row.value for row in ranking}, directions[chosen])
    ranking.sort(key=lambda r: (r.org_unit not in places, places.get(r.org_unit, (0, 0))[0], r.org_unit))
    for row in ranking:
        row.rank = places.get(row.org_unit, (None, None))[0]
        row.org_name = tree.units[row.org_unit].name
        row.url = _dashboard_url(row.org_unit, period, chosen, chosen_plan)

    units_below = None if unit.code == tree.root else _covered(user, unit, is_group)
    return {
        "map": _map(unit, ranking, plan.indicator(chosen), period),
        "map_script": MAPS.get(unit.code, (None, None))[1],
        "dashboard_plan": plan,
        "chosen_plan": chosen_plan,
        "plan_picker": picker,
        "dashboard_unit": unit,
        "dashboard_is_group": is_group,
        "may_report": may(user, "reports.generate", unit)
        and not is_group
        and unit.level <= 2,  # the report form's units
        "crumbs": _crumbs(user, plan, unit, is_group, period, chosen, chosen_plan),
        "periods": _period_picker(plan, period, unit.code, chosen, chosen_plan),
        "period": str(period),
        "cards": cards,
        "rank_among": among if ranks else None,
        "ranking": ranking,
        "ranking_indicator": plan.indicator(chosen),
        "indicator_choices": plan.indicators,
        "groups": _groups(user, plan, unit, is_group, period, chosen, chosen_plan),
        "goals": _goals(user, plan, unit, is_group, period),
        "reporting": _reporting(user, units_below),
        "reporting_own": units_below is not None,  # below the province: say so when the unit reports nothing
        "tasks": _tasks(
            user, plan.code, period, unit=None if unit.code == tree.root else unit, rows=plan_rows or ()
        ),
    }


def _chosen_plan(plans: list, asked: str):
    """The plan the dashboard shows of those holding the unit: the one ``?plan=`` names; else the active plan
    (``plan_active``: the one running today) when it holds the unit; else the first that does."""
    from yangfan.actionplans.selectors import plan_active

    by_code = {p.code: p for p in plans}
    if asked:
        return by_code[asked]
    active = plan_active()
    return by_code.get(active.code if active else "", plans[0])


def _dashboard_url(code: str, period, indicator: str, plan: str | None = None) -> str:
    query = {"org": code, "period": str(period), "indicator": indicator}
    if plan:  # a plan the reader chose stays chosen as they drill down
        query["plan"] = plan
    return reverse("portal:home") + "?" + urlencode(query)


def _visible_units(user, codes: list[str]) -> list[str]:
    """``codes`` that are in the user's view scope, in their order."""
    visible = org_unit_codes_in_scope(user, "data.view")
    return [c for c in codes if c in visible]


def _siblings(user, plan, unit, is_group: bool) -> tuple[list[str], str]:
    """The units ``unit`` is ranked among, as far as the viewer sees them (a rank among units the viewer may
    not read would tell about them), and how the page names them. A city is ranked among the units counted in
    the province, a county among its city's; a group among the groups of its kind (韩城、神木、府谷 are units
    addressed separately; 西咸新区 is the only new area, so it has no rank)."""
    tree = plan.org_tree
    if is_group:
        kind = tree.groups[unit.code].kind
        codes = visible_group_codes(user, [g.code for g in plan.org_groups if g.kind == kind])
        return codes, _("名次为在 %(n)s 个同类分组中的排名。") % {"n": len(codes)}
    parent = tree.units[unit.code].statistical_parent
    if parent is None:
        return [], ""
    codes = _visible_units(user, [c.code for c in tree.children(parent)])
    among = _("名次为在%(parent)s所辖 %(n)s 个地区中的排名。") % {
        "parent": tree.units[parent].name,
        "n": len(codes),
    }
    return codes, among


def _children(user, plan, unit, is_group: bool) -> list[str]:
    """The units ranked on the unit's dashboard: those counted in it (a group's members), in the viewer's scope."""
    tree = plan.org_tree
    codes = list(tree.groups[unit.code].members) if is_group else [c.code for c in tree.children(unit.code)]
    return _visible_units(user, codes)


def _covered(user, unit, is_group: bool) -> set[int]:
    """Ids of the units whose reports count for ``unit``: the unit and those counted in it (a group's members)."""
    from yangfan.orgunits.selectors import covered_unit_ids

    roots = [m.pk for m in unit.members.all()] if is_group else [unit.pk]
    return covered_unit_ids(roots, links=tree_links(user))


def _crumbs(user, plan, unit, is_group: bool, period, indicator: str, chosen_plan=None) -> list[dict]:
    """Province → city → county (→ the unit itself, last and not linked); a unit the viewer may not read is
    named without a link."""
    tree = plan.org_tree
    above = [tree.units[tree.root]] if is_group else list(tree.ancestors(unit.code))
    visible = set(_visible_units(user, [u.code for u in above]))
    crumbs = [
        {
            "name": u.name,
            "url": _dashboard_url(u.code, period, indicator, chosen_plan) if u.code in visible else None,
        }
        for u in above
    ]
    return [*crumbs, {"name": unit.name, "url": None}]


def _groups(user, plan, unit, is_group: bool, period, indicator: str, chosen_plan=None) -> list[dict]:
    """The groups reported apart that draw on ``unit`` or on units counted in it (all of them on the province's
    dashboard), as far as the viewer may see them, with their dashboards."""
    if is_group:
        return []
    tree = plan.org_tree
    inside = {unit.code, *(u.code for u in tree.descendants(unit.code))}
    related = [
        g.code for g in plan.org_groups if inside & {*g.members, *g.overlaps} or unit.code == tree.root
    ]
    return [
        {
            "code": code,
            "name": tree.groups[code].name,
            "url": _dashboard_url(code, period, indicator, chosen_plan),
        }
        for code in visible_group_codes(user, related)
    ]


def _period_picker(plan, period: Period, org: str, indicator: str, chosen_plan=None) -> dict:
    """Links to the same dashboard at another year, quarter or month (the quarters and months of the year
    shown), so that the period can be changed without typing it."""

    labels = {PeriodKind.YEAR: "{p.year}", PeriodKind.QUARTER: "Q{p.index}", PeriodKind.MONTH: "{p.index}"}

    def link(p: Period) -> dict:
        return {
            "period": str(p),
            "label": labels[p.kind].format(p=p),
            "url": _dashboard_url(org, p, indicator, chosen_plan),
            "current": p == period,
        }

    years = sorted({*range(plan.start.year, plan.end.year + 1), period.year})
    return {
        "years": [link(Period(PeriodKind.YEAR, y)) for y in years],
        "quarters": [link(Period(PeriodKind.QUARTER, period.year, q)) for q in range(1, 5)],
        "months": [link(Period(PeriodKind.MONTH, period.year, m)) for m in range(1, 13)],
    }


def _map(unit, ranking: list[dict], indicator, period) -> dict | None:
    """The charts.js data of the unit's map, each part coloured by its status for ``indicator``; a click on a
    part opens that part's dashboard."""
    if unit.code not in MAPS:
        return None
    return {
        "map": MAPS[unit.code][0],
        "unit": unit_label(indicator.unit),
        "title": f"{indicator.code} {localized_name(indicator)}",
        "regions": [
            {
                "name": row.org_name,
                "value": None if row.value is None else float(row.value),
                "status": row.status,
                "label": row.status_label,
                "url": row.url,
            }
            for row in ranking
        ],
    }


def _tasks(user, plan_code: str, period, unit=None, rows=()) -> dict | None:
    """The task summary (任务督导) of the reporting period that ends with the dashboard's period or before it:
    the viewer's assignments by reported progress, and the open notices. With ``unit`` (a dashboard below the
    province), that unit's government's assignments only; ``None`` where it has none (a county, a group)."""
    from yangfan.actionplans.models import Plan
    from yangfan.core.plan import UnitKind
    from yangfan.supervision.boards import summary
    from yangfan.supervision.lights import notice_light_counts
    from yangfan.supervision.models import SupervisionNotice
    from yangfan.supervision.selectors import assignment_list, reporting_period_for

    plan = next((r for r in rows if r.code == plan_code), None) or Plan.objects.filter(code=plan_code).first()
    if plan is None or not may(user, "tasks.view"):
        return None
    quarter = reporting_period_for(plan, period)
    city = None if unit is None else unit.code
    found = summary(actor=user, plan=plan, period=quarter, city=city)
    if unit is not None and not found.counts:
        return None
    assignments = assignment_list(actor=user, plan=plan)
    if unit is not None:
        assignments = assignments.filter(
            org_unit__code=unit.code, responsible_unit__kind=UnitKind.CITY_GOVERNMENTS
        )
    lights = notice_light_counts(
        SupervisionNotice.objects.filter(assignment__in=assignments.values("pk")), plan
    )
    return {
        "plan": plan,
        "period": str(quarter),
        "unit": unit,
        "tasks": found.tasks,
        "assignments": sum(found.counts.values()),
        "counts": found.counts,
        "open_notices": lights["open"],
        "escalated": lights["escalated"],
        "lights": lights,
    }


def _goals(user, plan, unit, is_group: bool, period) -> dict | None:
    """定性目标评估 of the unit standing at the period (the province and the cities are judged; a county or a group
    is not): how many of the plan's qualitative targets stand at each conclusion, with a link to the board. One
    query, whatever the number of verdicts and periods stored."""
    from yangfan.goals.choices import TONES, Verdict
    from yangfan.goals.selectors import verdict_counts

    if is_group or unit.level > OrgUnitLevel.CITY or not plan.qualitative_targets:
        return None
    counts = verdict_counts(actor=user, org_unit=unit, period=period, plan_code=plan.code)
    judged = sum(counts.values())
    return {
        "counts": [
            {"verdict": value, "label": label, "n": counts.get(value, 0), "tone": TONES[value]}
            for value, label in Verdict.choices
        ],
        "judged": judged,
        "unjudged": len(plan.qualitative_targets) - judged,
        "url": reverse("goals:board", kwargs={"plan": plan.code})
        + "?"
        + urlencode({"org": unit.code, "period": str(period)}),
    }


def _reporting(user, covered: set[int] | None = None) -> list[dict]:
    """Each data set at its latest ended period: how many of the expected reports (in the user's scope) are in;
    with ``covered`` (a dashboard below the province), only the reports of those units — none for a county or a
    group, whose figures come with their city's reports."""
    from yangfan.collection.completeness import completeness_overview, completeness_totals

    items = []
    for item in completeness_overview(user=user):
        rows = item["rows"]
        if covered is not None:
            rows = [r for r in rows if r.org_unit.pk in covered]
            if not rows:
                continue
        items.append(
            {"data_set": item["data_set"], "period": item["period"], "totals": completeness_totals(rows)}
        )
    return items
