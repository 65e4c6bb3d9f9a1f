"""What the pages show of plans that follow one another (ADR 0022): which plan a page shows when several are
loaded (the picker), and an indicator's series carried across plans: the earlier plan's values of the indicator
it continues, read through the earlier plan's own engine (``datavalues.indicators``), never recomputed here.

Every read is batched: an earlier plan's series is one assessment at its target year (one read of its stored
totals), so a page's cost does not grow with the years shown."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from yangfan.actionplans.display import localized_name, unit_label
from yangfan.core.periods import Period, PeriodKind


def plan_label(plan) -> str:
    """A plan as a picker names it: its name and its years (a stored row or the core's plan), the years left out
    where the name already gives them (陕西省5G应用“扬帆”行动计划（2021-2023年）)."""
    name = localized_name(plan)
    start, end = plan.start.year, plan.end.year
    if re.search(rf"{start}\s*[-–—~至到]\s*{end}", name):
        return name
    return _("%(name)s（%(start)s–%(end)s年）") % {"name": name, "start": start, "end": end}


def holds(plan, code: str) -> bool:
    """Whether the core ``plan``'s tree (with the other plans' trees grafted) holds unit or group ``code``."""
    return code in plan.org_tree.units or code in plan.org_tree.groups


def dashboard_plan_picker(plans: list, current: str, org: str) -> list[dict]:
    """The dashboard's links to each loaded plan (none with fewer than two), the one that started last first: to
    the same unit where the plan holds it, else to the plan's own dashboard (its root, for whoever may read it)."""
    if len(plans) < 2:
        return []
    return [
        {
            "code": p.code,
            "label": plan_label(p),
            "url": reverse("portal:home")
            + "?"
            + urlencode({"plan": p.code, "org": org} if holds(p, org) else {"plan": p.code}),
            "current": p.code == current,
        }
        for p in sorted(plans, key=lambda p: (-p.start.toordinal(), p.code))
    ]


def _earlier(plans: dict, indicator, org: str):
    """The earlier core plan and its indicator that ``indicator`` continues, when loaded and holding ``org``."""
    link = indicator.continues
    if link is None or link.plan not in plans:
        return None, None
    earlier = plans[link.plan]
    if not holds(earlier, org) or link.code not in {i.code for i in earlier.indicators}:
        return None, None
    return earlier, earlier.indicator(link.code)


def earlier_ends(plans: dict, indicators, org: str) -> dict[str, object]:
    """``{indicator code: IndicatorRow}``: for each of ``indicators`` that continues an indicator of an earlier
    plan, that indicator of ``org`` where its plan ended: at the year of its target date, with its target and
    whether it was met. One engine and one read per earlier plan and target year."""
    from yangfan.datavalues.indicators import assessments, engine_for

    wanted: dict[tuple[str, int], list] = {}
    for indicator in indicators:
        earlier, old = _earlier(plans, indicator, org)
        if old is not None:
            wanted.setdefault((earlier.code, old.target.date.year), []).append((indicator.code, old))
    engines: dict[str, object] = {}
    found = {}
    for (code, year), pairs in wanted.items():
        earlier = plans[code]
        engine = engines.setdefault(code, engine_for(earlier))
        rows = assessments(earlier, [org], Period(PeriodKind.YEAR, year), [old for _c, old in pairs], engine)
        for (indicator_code, _old), row in zip(pairs, rows, strict=True):
            row.plan_code, row.plan_label = earlier.code, plan_label(earlier)
            row.plan_start, row.plan_end = earlier.start.year, earlier.end.year
            row.url = reverse("actionplans:indicator", args=[earlier.code, row.indicator])
            found[indicator_code] = row
    return found


def succession_chart(plans: dict, plan, indicator, org: str, period: Period, engine) -> dict | None:
    """The yearly chart of ``indicator`` of ``org`` across the earlier plan it continues and ``plan``, up to
    ``period``'s year: the earlier indicator's values (its own engine), then this one's (``engine``, the page's),
    each plan's own target at its date as a marker (charts.js's ``milestones``). ``None`` when it continues
    nothing loaded that holds ``org``."""
    from yangfan.datavalues.indicators import assessments, engine_for

    earlier, old = _earlier(plans, indicator, org)
    if old is None:
        return None
    old_row = assessments(
        earlier, [org], Period(PeriodKind.YEAR, old.target.date.year), [old], engine_for(earlier)
    )[0]
    last = max(period.year, plan.start.year)
    new_row = assessments(plan, [org], Period(PeriodKind.YEAR, last), [indicator], engine)[0]
    runs = [(earlier, old, old_row), (plan, indicator, new_row)]
    years = sorted(
        {
            *range(earlier.start.year, max(last, plan.end.year) + 1),  # both plans' periods
            *(p.year for _p, _i, row in runs for p, _v in row.series if p.year <= last),
        }
    )
    unit = unit_label(indicator.unit)
    series, milestones = [], []
    for p, i, row in runs:
        values = {p_.year: v for p_, v in row.series}
        series.append(
            {
                "name": f"{i.code} {localized_name(i)}（{p.start.year}–{p.end.year}）",
                "values": [None if values.get(y) is None else float(values[y]) for y in years],
            }
        )
        target = row.assessment.final_target or i.target
        if target.date.year in years:
            milestones.append(
                {
                    "period": str(target.date.year),
                    "value": float(target.value),
                    "label": _("%(code)s 目标 %(symbol)s%(value)s%(unit)s（%(date)s）")
                    % {
                        "code": i.code,
                        "symbol": target.comparison.symbol,
                        "value": f"{target.value.normalize():f}",
                        "unit": unit,
                        "date": target.date.isoformat(),
                    },
                }
            )
    return {
        "unit": unit,
        "periods": [str(y) for y in years],
        "series": series,
        "target": None,
        "milestones": milestones,
        "trajectory": None,
        "earlier_plan": earlier.code,
        "earlier_indicator": old.code,
    }
