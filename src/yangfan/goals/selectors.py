"""Reading verdicts, within what the reader may see: a published verdict is read with the figures of its unit
(``data.view``) or by who judges the unit; a draft only by who judges it (``goals.judge``).

"The verdicts standing at a period" are, for each target, the latest published verdict for a period that ended
by the period's end (a year's verdict stands in its fourth quarter's report; 2022's in 2023's first quarter, until
2023 is judged): one query, whatever the number of verdicts and periods stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from yangfan.accounts.permissions import may, org_units_in_scope, restrict
from yangfan.actionplans.models import Plan, QualitativeTarget, Task
from yangfan.core.periods import Period, PeriodKind
from yangfan.goals.choices import VerdictStatus
from yangfan.goals.models import GoalEvidence, GoalReview, GoalVerdict
from yangfan.orgunits.models import OrgUnitLevel
from yangfan.registries.specs import SPECS

S = VerdictStatus


def judged_units(user) -> QuerySet:
    """The units ``user`` writes verdicts for: the province and cities of its ``goals.judge`` scope."""
    return org_units_in_scope(user, "goals.judge").filter(level__lte=OrgUnitLevel.CITY)


def readable_units(user) -> QuerySet:
    """The units whose verdicts ``user`` reads: those of its view scope and those it judges (province, cities)."""
    return (
        (org_units_in_scope(user, "data.view") | org_units_in_scope(user, "goals.judge"))
        .filter(level__lte=OrgUnitLevel.CITY)
        .distinct()
    )


def may_read_unit(user, org_unit) -> bool:
    """Does ``user`` read the published verdicts of ``org_unit``?"""
    return may(user, "data.view", org_unit) or may(user, "goals.judge", org_unit)


def may_read_verdict(user, verdict: GoalVerdict) -> bool:
    """A draft is its judges'; a published (or superseded) verdict is read with its unit's figures."""
    if verdict.status == S.DRAFT:
        return may(user, "goals.judge", verdict)
    return may_read_unit(user, verdict.org_unit)


def default_period(plan: Plan, today: date | None = None) -> Period:
    """The year a board opens at: the last year ended, within the plan's years."""
    year = (today or date.today()).year - 1
    return Period(PeriodKind.YEAR, min(max(year, plan.start.year), plan.end.year))


def plan_years(plan: Plan) -> list[str]:
    return [str(y) for y in range(plan.start.year, plan.end.year + 1)]


def verdicts_standing(
    *, actor, org_unit, period: Period, plan_code: str | None = None
) -> QuerySet[GoalVerdict]:
    """For each qualitative target (of the plan ``plan_code``), the published verdict on ``org_unit`` standing at ``period``'s
    end; none when ``actor`` may not read the unit's verdicts (``actor`` ``None``: the server's own rights, for the
    command line)."""
    if actor is not None and not may_read_unit(actor, org_unit):
        return GoalVerdict.objects.none()
    standing = GoalVerdict.objects.filter(org_unit=org_unit, status=S.PUBLISHED, period_end__lte=period.end)
    if plan_code is not None:
        standing = standing.filter(target__plan__code=plan_code)
    latest = standing.filter(target=OuterRef("target")).order_by("-period_end", "-published_at", "-pk")
    return standing.filter(pk=Subquery(latest.values("pk")[:1]))


def verdict_counts(*, actor, org_unit, period: Period, plan_code: str | None = None) -> dict[str, int]:
    """How many targets stand at each conclusion (``Verdict`` values; those judged by none are not counted)."""
    rows = (
        verdicts_standing(actor=actor, org_unit=org_unit, period=period, plan_code=plan_code)
        .order_by()
        .values("verdict")
        .annotate(n=Count("pk"))
    )
    return {row["verdict"]: row["n"] for row in rows}


def with_evidence(verdicts: QuerySet[GoalVerdict]) -> QuerySet[GoalVerdict]:
    """``verdicts`` with what a page, the report or the API shows of each, read in a fixed number of queries."""
    return verdicts.select_related("target__plan", "org_unit", "published_by").prefetch_related(
        Prefetch("entries", queryset=GoalEvidence.objects.order_by("registry", "label", "entry_id")),
        Prefetch("tasks", queryset=Task.objects.order_by("position")),
    )


def published_list(*, actor, org_unit=None, period: str | None = None) -> QuerySet[GoalVerdict]:
    """The published verdicts ``actor`` reads (API): of the units in its view scope, or of ``org_unit`` (checked by
    the caller), of ``period`` when given."""
    rows = GoalVerdict.objects.filter(status=S.PUBLISHED)
    if org_unit is not None:
        rows = rows.filter(org_unit=org_unit) if may_read_unit(actor, org_unit) else rows.none()
    else:
        rows = restrict(rows, actor, "data.view") | restrict(rows, actor, "goals.judge")
    if period:
        rows = rows.filter(period=period)
    return with_evidence(rows.order_by("org_unit__code", "-period_end", "target__position"))


def verdict_history(*, target, org_unit, period: str) -> QuerySet[GoalVerdict]:
    """Every publication for one target, unit and period, the standing one first."""
    return with_evidence(
        GoalVerdict.objects.filter(target=target, org_unit=org_unit, period=period)
        .exclude(status=S.DRAFT)
        .order_by("-published_at")
    )


@dataclass(frozen=True)
class MeasuredFigure:
    """What the registry measuring a qualitative target (the plan file's ``measured_by``) holds in a unit on a day:
    the entries standing then, and, for the 双千兆城市, the unit's 设区市 to compare them with."""

    registry: str  # the plan file's registry code: gigabit_city
    name: str  # the plan's name of the registry: 双千兆城市
    count: int
    day: date
    slug: str  # the registry's page
    cities: int | None = None  # the 设区市 in the unit (level 2 and no kind of their own: not 杨凌示范区)


def measured_figures(*, actor, plan: Plan, org_unit, period: Period) -> dict[str, MeasuredFigure]:
    """By target code, the count of each registry that measures a qualitative target of ``plan`` (``measured_by``):
    its entries standing on ``period``'s end (started by then, not ended on or before it) in ``org_unit`` and the
    units counted in it, of those ``actor`` may read; nothing when ``actor`` may not read the unit's registries. One
    query per registry named, one for the cities, whatever the targets."""
    from yangfan.accounts.permissions import tree_links
    from yangfan.datavalues.indicators import core_plans
    from yangfan.orgunits.models import OrgUnit
    from yangfan.orgunits.selectors import covered_unit_ids
    from yangfan.registries.choices import CarrierKind
    from yangfan.registries.specs import slug_of_code

    core = core_plans().get(plan.code)
    measured = {t.code: t.measured_by for t in (core.qualitative_targets if core else ()) if t.measured_by}
    if not measured or not may(actor, "registries.view", org_unit):
        return {}
    names = {r.code: r.name for r in core.registries}
    units = covered_unit_ids([org_unit.pk], links=tree_links(actor))
    day = period.end
    counts: dict[str, tuple[str, int]] = {}
    for code in sorted(set(measured.values())):
        slug = slug_of_code(code)
        if slug is None:  # a registry Yangfan does not keep: nothing to show
            continue
        spec = SPECS[slug]
        counted = spec.counted
        rows = spec.model.objects.filter(org_unit__in=units, **{f"{counted.start}__lte": day})
        if counted.end:
            rows = rows.exclude(**{f"{counted.end}__lte": day})
        if counted.code_field:
            rows = rows.filter(**{counted.code_field: code})
        counts[code] = (slug, restrict(rows, actor, getattr(spec, "read", "registries.view")).count())
    cities = None
    if CarrierKind.GIGABIT_CITY.value in counts:
        cities = OrgUnit.objects.filter(pk__in=units, level=OrgUnitLevel.CITY, kind="").count() or None
    return {
        target: MeasuredFigure(
            registry=code,
            name=names.get(code, code),
            count=counts[code][1],
            day=day,
            slug=counts[code][0],
            cities=cities if code == CarrierKind.GIGABIT_CITY.value else None,
        )
        for target, code in measured.items()
        if code in counts
    }


@dataclass
class BoardRow:
    """One target on the board: the verdict standing at the period, and the draft for the period (its judges')."""

    target: QualitativeTarget
    standing: GoalVerdict | None = None
    draft: GoalVerdict | None = None
    opinions: dict[str, int] = field(default_factory=dict)
    measured: MeasuredFigure | None = None  # the registry's count beside the target (``measured_figures``)


def verdict_board(*, actor, plan: Plan, org_unit, period: Period) -> list[BoardRow]:
    """Every qualitative target of ``plan`` with its standing verdict on ``org_unit`` at ``period`` and, for who
    judges the unit, the draft of the period with its experts' opinions counted."""
    targets = list(plan.qualitativetarget_set.order_by("position"))
    standing = {
        v.target_id: v
        for v in verdicts_standing(
            actor=actor, org_unit=org_unit, period=period, plan_code=plan.code
        ).select_related("published_by")
    }
    drafts = {}
    if may(actor, "goals.judge", org_unit):
        drafts = {
            v.target_id: v
            for v in GoalVerdict.objects.filter(
                target__plan=plan, org_unit=org_unit, period=str(period), status=S.DRAFT
            )
        }
    opinions: dict[int, dict[str, int]] = {}
    for row in (
        GoalReview.objects.filter(verdict__in=[d.pk for d in drafts.values()], submitted_at__isnull=False)
        .values("verdict__target_id", "conflict")
        .annotate(n=Count("pk"))
    ):
        key = "recused" if row["conflict"] else "given"
        opinions.setdefault(row["verdict__target_id"], {})[key] = row["n"]
    return [
        BoardRow(
            target=t,
            standing=standing.get(t.pk),
            draft=drafts.get(t.pk),
            opinions=opinions.get(t.pk, {}),
        )
        for t in targets
    ]


def entry_choices(*, actor, org_unit) -> list[tuple[str, list[tuple[str, str]]]]:
    """The registry entries a verdict on ``org_unit`` may cite, by registry: those ``actor`` may read (each
    registry's ``read``) placed within the unit, as ``(registry name, [(slug:id, name)])``."""
    from yangfan.orgunits.selectors import covered_unit_ids

    inside = covered_unit_ids([org_unit.pk])
    groups = []
    for slug, spec in SPECS.items():
        rows = restrict(spec.model.objects.filter(org_unit__in=inside), actor, spec.read)
        options = [(f"{slug}:{row.pk}", str(row)) for row in rows.select_related(*spec.related)]
        if options:
            groups.append((str(spec.title), options))
    return groups


def task_choices(*, actor, plan: Plan) -> QuerySet[Task]:
    """The plan's tasks a verdict may link (every reader of the plan reads its tasks)."""
    return restrict(Task.objects.filter(plan=plan), actor, "plan.read").order_by("position")


def entry_links(user, verdict: GoalVerdict) -> list[dict]:
    """The verdict's cited entries as a page shows them: the registry's name, the entry's name as cited, and a
    link where ``user`` may open the entry."""
    from django.urls import reverse

    cited = list(verdict.entries.all())
    openable: set[tuple[str, int]] = set()
    by_registry: dict[str, list[int]] = {}
    for e in cited:
        by_registry.setdefault(e.registry, []).append(e.entry_id)
    for slug, ids in by_registry.items():
        if slug in SPECS:
            rows = restrict(SPECS[slug].model.objects.filter(pk__in=ids), user, SPECS[slug].read)
            openable |= {(slug, pk) for pk in rows.values_list("pk", flat=True)}
    return [
        {
            "registry": str(SPECS[e.registry].title) if e.registry in SPECS else e.registry,
            "label": e.label,
            "url": reverse("registries:entry", kwargs={"slug": e.registry, "pk": e.entry_id})
            if (e.registry, e.entry_id) in openable
            else None,
        }
        for e in cited
    ]
