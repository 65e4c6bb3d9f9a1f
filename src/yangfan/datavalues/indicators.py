"""Indicator results: the one module that assesses indicators for org units, from the stored values and targets,
for every page, report and export. A result travels as an ``IndicatorRow`` (the engine's ``Assessment`` and the
indicator it is of) until a template, the report writer, the CLI or ``as_dict`` (JSON) renders it. Also what a
unit's page and the dashboard show of them (``indicator_glance``, here since ADR 0013: the org tree's app sits
below the figures)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext as _

from yangfan.actionplans.display import localized_name, status_label, unit_label
from yangfan.core.engine import Assessment, Engine, assess, periods_read, series_periods
from yangfan.core.figures import row_target
from yangfan.core.periods import Period, PeriodKind, parse_within
from yangfan.core.plan import Direction, Indicator, Plan, Target, grafted
from yangfan.core.planfile import bundled_plan_files, load_plan, load_plan_text
from yangfan.core.targets import Status, TargetBook, on_path
from yangfan.datavalues.totals import StoredTotals
from yangfan.orgunits.models import OrgUnit


@cache
def _parsed(code: str, file_sha256: str) -> Plan:
    """The plan ``code`` as it was loaded (one parse per process and version of the file)."""
    from yangfan.actionplans.models import Plan as PlanRow

    row = PlanRow.objects.only("file_name", "file_text", "source_text").get(code=code)
    if not row.file_text:  # loaded before the text was kept: the bundled file of that code
        return load_plan(bundled_plan_files()[code], plans=None)
    return load_plan_text(row.file_text, file=row.file_name or code, source_text=row.source_text, plans=None)


YEARS_BEFORE_PLAN = 10  # how far before its plan a period may be asked for (after: up to next year)


def plan_period(plans: Iterable[Plan], text: str | None) -> Period:
    """The period ``text`` names (default: the last year of the plans), or ``PeriodError`` with the reason,
    also when it lies outside the years the plans can be assessed over."""
    plans = list(plans)
    last_plan_year = max(p.end.year for p in plans)
    first = min(p.start.year for p in plans) - YEARS_BEFORE_PLAN
    last = max(last_plan_year, date.today().year) + 1
    return parse_within((text or "").strip() or str(last_plan_year), first, last)


def core_plan_of(row) -> Plan:
    """The plan of an ``actionplans.Plan`` row already read, as its file says (no query): its rules, schemes,
    tasks and indicators. Its org tree is the file's own; the engine's, which holds the trees of the other plans
    loaded, is :func:`core_plans`'."""
    return _parsed(row.code, row.file_sha256)


def core_plans() -> dict[str, Plan]:
    """The plans loaded into the database (``yangfan init``, ``yangfan plan load``) as the engine reads them: each
    with the trees of the others hung where their roots stand in its own (``core.plan.grafted``)."""
    from yangfan.actionplans.models import Plan as PlanRow

    return dict(_composed(tuple(PlanRow.objects.order_by("code").values_list("code", "file_sha256"))))


@cache
def _composed(rows: tuple[tuple[str, str], ...]) -> dict[str, Plan]:
    """The plans of ``rows`` (code, file digest) each grafted with the others: once per process and set of plans."""
    parsed = [_parsed(code, sha) for code, sha in rows]
    return {plan.code: grafted(plan, parsed) for plan in parsed}


def target_book(plan: Plan) -> TargetBook:
    """The plan's targets with those the provincial office set per unit."""
    from yangfan.actionplans.selectors import unit_targets

    return TargetBook(plan, unit_targets(plan_code=plan.code))


def engine_book(engine: Engine) -> TargetBook:
    """The target book of ``engine``'s plan, read once per engine (a page that assesses several rows reads it
    once)."""
    book = getattr(engine, "target_book", None)
    if book is None:
        book = engine.target_book = target_book(engine.plan)
    return book


def engine_for(plan: Plan) -> Engine:
    """An engine over the plan's stored totals (``datavalues.totals``; ADR 0009): it reads what it is asked for,
    never the values (the totals of every data element are read together, as cheaply as those of some)."""
    from yangfan.registries.counts import registry_counter

    return Engine(plan, registry_counts=registry_counter(plan), totals=StoredTotals(plan))


def prefetch(
    engine: Engine, org_units: Iterable[str], period: Period, indicators: Iterable[Indicator]
) -> None:
    """Fetch at once the totals that assessing ``indicators`` of ``org_units`` at ``period`` reads (one query)."""
    if isinstance(engine.totals, StoredTotals):
        engine.totals.prefetch(org_units, periods_read(engine.plan, indicators, period))


@dataclass
class IndicatorRow:
    """One indicator of one org unit at one period, as every page, report and export shows it.

    The engine's ``Assessment`` stays whole: numbers are ``Decimal``, dates are dates, the status is a ``Status``.
    The attributes carry the names of DESIGN.md's JSON rows, so a template reads ``row.value``; only ``as_dict``
    (the API, ``yangfan indicators --format json``, a notice's stored figures) turns them into text. A page adds
    what it shows beside the figures: the unit's name, a rank, a link, a chart."""

    assessment: Assessment
    definition: Indicator
    org_name: str = ""
    rank: int | None = None
    rank_of: int | None = None
    url: str = ""
    chart_id: str = ""
    chart: dict | None = None

    @property
    def indicator(self) -> str:
        return self.definition.code

    @property
    def name(self) -> str:
        return localized_name(self.definition)

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def org_unit(self) -> str:
        return self.assessment.result.org_unit

    @property
    def period(self) -> Period:
        return self.assessment.result.period

    @property
    def value(self) -> Decimal | None:
        return self.assessment.result.value

    @property
    def reason(self) -> str:
        """Why there is no value, in the reader's language (the engine's wording through the catalogue)."""
        parts = self.assessment.result.reason_parts
        if parts is None:
            return self.assessment.result.reason
        wording, values = parts
        return _(wording) % dict(values) if values else _(wording)

    @property
    def target(self) -> Decimal | None:
        """The value of the target binding the period (``Assessment.target``): the milestone dated within it,
        else the final target; the one ``target_met`` and ``status`` judge."""
        binding = self.assessment.target
        return None if binding is None else binding.value

    @property
    def target_comparison(self) -> str | None:
        binding = self.assessment.target
        return None if binding is None else binding.comparison.value

    @property
    def target_date(self) -> date | None:
        binding = self.assessment.target
        return None if binding is None else binding.date

    @property
    def target_source(self) -> str | None:
        source = self.assessment.targets.source_of(self.assessment.target)
        return None if source is None else source.value

    @property
    def target_text(self) -> str | None:
        """“> 40 %”, as the pages write a target, the unit in the reader's language; ``None`` without one."""
        return None if self.target is None else f"{row_target(self)} {unit_label(self.unit)}".strip()

    @property
    def target_met(self) -> bool | None:
        return self.assessment.judgement.met

    @property
    def status(self) -> Status:
        return self.assessment.judgement.status

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def projected(self) -> Decimal | None:
        return self.assessment.judgement.projected

    @property
    def pace_per_month(self) -> Decimal | None:
        return self.assessment.judgement.pace_per_month

    @property
    def milestone(self) -> Target | None:
        return self.assessment.milestone

    @property
    def milestone_met(self) -> bool | None:
        return self.assessment.milestone_met

    @property
    def series(self) -> tuple[tuple[Period, Decimal], ...]:
        return self.assessment.series

    @property
    def reached(self) -> Decimal | None:
        """Per cent of the target reached (value ÷ target × 100) for a target to rise to; ``None`` without one."""
        if self.value is None or not self.target or self.definition.direction != Direction.INCREASE:
            return None
        return self.value / self.target * 100

    @property
    def gap(self) -> Decimal | None:
        """How far the value is from the target (target − value for a target to rise to, value − target for one
        to fall to); ``None`` when the target is met, or when there is no value or no target to compare."""
        if self.target_met is not False or self.value is None or self.target is None:
            return None
        difference = self.target - self.value
        return difference if self.definition.direction == Direction.INCREASE else -difference

    def as_dict(self) -> dict:
        """DESIGN.md's JSON row (``Assessment.as_dict``): figures as text, unrounded."""
        return self.assessment.as_dict()


def assessments(
    plan: Plan,
    org_units: list[str],
    period: Period,
    indicators: list[Indicator] | None = None,
    engine: Engine | None = None,
) -> list[IndicatorRow]:
    """``assess`` for each org unit × indicator (all of the plan's unless given), unit by unit."""
    chosen = plan.indicators if indicators is None else indicators
    engine = engine or engine_for(plan)
    prefetch(engine, org_units, period, chosen)
    book = engine_book(engine)
    return [
        IndicatorRow(assess(engine, indicator, org, period, book), indicator)
        for org in org_units
        for indicator in chosen
    ]


def as_json(rows: Iterable[IndicatorRow]) -> list[dict]:
    """DESIGN.md's JSON rows of ``rows`` (the API, ``yangfan indicators --format json``)."""
    return [row.as_dict() for row in rows]


def indicator_chart(
    plan: Plan, indicator: Indicator, org_units: list[str], period: Period, engine: Engine | None = None
) -> dict:
    """The monthly series of ``indicator`` for ``org_units`` from the end of the year before the plan to the
    month that ends ``period``, with the first unit's target, milestones and trajectory: the data contract of
    ``portal/static/portal/charts.js`` (numbers as floats: they are drawn, never computed on)."""
    engine = engine or engine_for(plan)
    book = engine_book(engine)
    month = Period.containing(period.end, PeriodKind.MONTH)
    prefetch(engine, org_units, month, [indicator])
    runs = [assess(engine, indicator, org, month, book) for org in org_units]
    # the assessment's series; a month before it still gets an axis of the series' first month
    months = series_periods(plan, month) or [
        Period.containing(plan.start - timedelta(days=1), PeriodKind.MONTH)
    ]
    names = plan.org_tree.units
    first = runs[0]
    unit = unit_label(indicator.unit)  # in the reader's language

    def label(kind: str, target: Target) -> str:
        return f"{kind} {target.comparison.symbol}{target.value.normalize():f}{unit}（{target.date.isoformat()}）"

    knots = first.trajectory
    final = first.final_target  # the chart's target line; the milestones are drawn as such, whichever binds
    return {
        "unit": unit,
        "periods": [str(m) for m in months],
        "series": [
            {
                "name": names[run.result.org_unit].name,
                "values": [_float(dict(run.series).get(m)) for m in months],
            }
            for run in runs
        ],
        "target": None if final is None else {"value": _float(final.value), "label": label(_("目标"), final)},
        "milestones": [
            {
                "period": str(Period.containing(m.date, PeriodKind.MONTH)),
                "value": _float(m.value),
                "label": label(_("阶段目标"), m),
            }
            for m in first.targets.milestones
            if m.date <= month.end
        ],
        "trajectory": None
        if not knots
        else {"name": _("推算轨迹"), "values": [_float(on_path(knots, m.end)) for m in months]},
    }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def plans_of(*, unit: OrgUnit) -> list[Plan]:
    """The loaded plans (as the engine reads them) whose org tree holds ``unit``."""
    return [plan for plan in core_plans().values() if unit.code in plan.org_tree.units]


def indicator_glance(*, plan: Plan, unit: OrgUnit, period: Period, engine=None) -> list[IndicatorRow]:
    """Every indicator of ``plan`` for ``unit`` at ``period``, each with the sparkline data of charts.js.

    The caller has checked the view scope (the unit's page requires ``data.view`` on the unit). ``engine`` lets a
    page that computes more (the dashboard) read the stored values once."""
    rows = assessments(plan, [unit.code], period, engine=engine)
    for row in rows:
        row.chart_id = f"glance-{plan.code}-{row.indicator}"
        row.chart = _series_chart(row, _periods_up_to(plan, period, row), unit_name=unit.name)
    return rows


def _periods_up_to(plan: Plan, period: Period, row: IndicatorRow) -> list[Period]:
    """The x axis of a row's series: every period of ``period``'s kind from the plan's start (or the row's
    first observation, when its series begins earlier, e.g. at the base year) to ``period``."""
    current = min([Period.containing(plan.start, period.kind), *(p for p, _v in row.series)])
    if period < current:
        return [period]
    periods = []
    while current <= period:
        periods.append(current)
        current = current.next()
    return periods


def _series_chart(row: IndicatorRow, periods: list[Period], *, unit_name: str) -> dict:
    """The data contract of ``portal/charts.js`` for one indicator of one unit (gaps as ``null``)."""
    by_period = dict(row.series)
    by_period[row.period] = row.value
    target = None
    if row.target_text:
        target = {
            "value": _float(row.target),
            "label": _("目标：%(t)s（%(d)s）") % {"t": row.target_text, "d": row.target_date.isoformat()},
        }
    return {
        "unit": unit_label(row.unit),
        "periods": [str(p) for p in periods],
        "series": [{"name": unit_name, "values": [_float(by_period.get(p)) for p in periods]}],
        "target": target,
        "milestones": [],
        "trajectory": None,
    }
