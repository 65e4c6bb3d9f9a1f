"""评估: the plan file's scoring scheme applied to every responsible unit and every city for a period, and the
publication of the ranking.

Who is scored: each department for all its assignments; each city for its government's shares of the tasks
given to 各设区市政府. The indicators a unit answers for: a city, the plan's indicators whose targets bind every
unit (their status for that city); a department, the indicators linked to its tasks (their status for the
province). Reports count once submitted (a returned or draft report does not), as of the day the evaluation
looks at: by default the period's report deadline, so that a published ranking judges every unit on the same
day and does not change later.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from yangfan.accounts.permissions import require
from yangfan.actionplans.models import Plan
from yangfan.actionplans.selectors import plan_unit_roles
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.core.evaluation import EvaluationError, RankedScore, UnitInputs, rank, scheme_for, score
from yangfan.core.periods import Period
from yangfan.core.plan import TargetScope
from yangfan.core.supervision import report_due
from yangfan.orgunits.models import OrgUnit
from yangfan.supervision.models import Assignment, EvaluationRun, TaskIndicator
from yangfan.supervision.selectors import (
    assignment_states,
    core_plan,
    province_unit,
    supervision_rules,
    unit_of_work,
)


def default_as_of(plan: Plan, period: Period) -> date:
    return report_due(str(period), supervision_rules(plan))


def evaluation_scores(
    *, plan: Plan, period: Period, as_of: date | None = None, city: OrgUnit | None = None
) -> list[RankedScore]:
    """The ranking of every department and every city for ``period`` (the whole province: the callers check
    that the reader may see it); with ``city``, the ranking a city's office makes of the districts, counties and
    city departments it gave parts of its city's share to (the cascade), on the same scheme."""
    from yangfan.datavalues.indicators import assessments, engine_for

    parsed = core_plan(plan)
    rules = supervision_rules(plan)
    as_of = as_of or default_as_of(plan, period)
    scheme = scheme_for(parsed.evaluation_schemes, period.end)
    rows = Assignment.objects.filter(task__plan=plan)
    rows = rows.filter(parent__isnull=True) if city is None else rows.filter(parent__org_unit=city)
    assignments = list(rows.select_related("responsible_unit", "org_unit", "task"))
    states = assignment_states(assignments, plan=plan, until=period)
    units: dict[tuple[str, str, str], list] = defaultdict(list)
    tasks_of: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    roles = plan_unit_roles(plan_id=plan.pk)  # the lead (牵头) of each task weighs the scheme's unit_weights
    leads_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a in assignments:
        key = unit_of_work(a) if city is None else city_unit_of_work(a, city)
        units[key].append(states[a.pk])
        tasks_of[key].add(a.task_id)
        if roles.get((a.task_id, a.responsible_unit_id)) == "lead":
            leads_of[key].add(states[a.pk].key)
    links = defaultdict(set)
    for link in TaskIndicator.objects.filter(task__plan=plan).select_related("indicator"):
        links[link.task_id].add(link.indicator.code)
    every_unit = [i for i in parsed.indicators if i.target_scope == TargetScope.EVERY_UNIT]
    city_codes = sorted({key[0] for key in units if key[2] in ("city", "county")})
    wanted = {i.code for i in every_unit} | {c for codes in links.values() for c in codes}
    chosen = [i for i in parsed.indicators if i.code in wanted]
    province = (
        province_code(parsed) if city is None else city.code
    )  # where a department's indicators are read
    statuses: dict[tuple[str, str], str] = {}
    if chosen:
        orgs = [*city_codes, province]
        engine = engine_for(parsed)
        for row in assessments(parsed, orgs, period, indicators=chosen, engine=engine):
            statuses[(row.indicator, row.org_unit)] = row.status.value
    scores = []
    for key, own in units.items():
        code, name, kind = key
        if kind in ("city", "county"):
            codes = sorted(
                {i.code for i in every_unit} | {c for t in tasks_of[key] for c in links.get(t, ())}
            )
            found = tuple(statuses[(c, code)] for c in codes if (c, code) in statuses)
        else:
            codes = sorted({c for t in tasks_of[key] for c in links.get(t, ())})
            found = tuple(statuses[(c, province)] for c in codes if (c, province) in statuses)
        inputs = UnitInputs(
            key=code,
            name=name,
            kind=kind,
            assignments=tuple(own),
            indicator_statuses=found,
            leads=leads_of[key],
        )
        scores.append(score(inputs, scheme=scheme, period=str(period), as_of=as_of, rules=rules))
    return rank(scores)


def city_unit_of_work(assignment: Assignment, city: OrgUnit) -> tuple[str, str, str]:
    """(key, name, kind) of whom a city's ranking scores for a part of its share: the county, or the department
    (keyed within the city: two cities' 工信局 are different units)."""
    if assignment.assignee:
        return f"{city.code}:{assignment.assignee}", assignment.assignee, "department"
    return assignment.org_unit.code, assignment.org_unit.name, "county"


def province_code(parsed) -> str:
    return next(u.code for u in parsed.org_units if u.parent is None and u.counted_in is None)


def ranking_rows(ranked: list[RankedScore]) -> list[dict]:
    """The ranking as plain data (stored with a publication, served by the API, written to XLSX)."""
    rows = []
    for r in ranked:
        s = r.score
        rows.append(
            {
                "rank": r.rank,
                "key": s.key,
                "name": s.name,
                "kind": s.kind,
                "total": str(s.total),
                "scheme_version": s.scheme_version,
                "components": [
                    {
                        **asdict(c),
                        "weight": str(c.weight),
                        "points": str(c.points),
                        "ratio": None if c.ratio is None else str(c.ratio),
                    }
                    for c in s.components
                ],
            }
        )
    return rows


def evaluation_publish(
    *,
    actor,
    plan: Plan,
    period: Period,
    as_of: date | None = None,
    city: OrgUnit | None = None,
    request=None,
) -> EvaluationRun:
    """Publish the ranking of ``period`` as computed now: kept unchanged from then on. The province's by its
    office; a city's (``city``) by that city's office (or the province's)."""
    require(actor, "supervision.manage", city or province_unit(), request=request)
    with transaction.atomic():  # after the check: a refusal stays in the trail
        as_of = as_of or default_as_of(plan, period)
        ranked = evaluation_scores(plan=plan, period=period, as_of=as_of, city=city)
        rows = ranking_rows(ranked)
        if not rows:
            raise EvaluationError("本期没有可评估的单位：尚未把任务分解给区县或部门。")
        run = EvaluationRun.objects.create(
            plan=plan,
            org_unit=city,
            period=str(period),
            scheme_version=rows[0]["scheme_version"] if rows else "",
            as_of=as_of,
            rows=rows,
            published_by=actor,
            published_at=timezone.now(),
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=run,
            changes={"period": [None, str(period)], "units": [None, len(rows)]},
            detail="发布评估排名",
            request=request,
        )
        return run


def evaluation_latest(*, plan: Plan, period: Period, city: OrgUnit | None = None) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(plan=plan, period=str(period), org_unit=city).first()
