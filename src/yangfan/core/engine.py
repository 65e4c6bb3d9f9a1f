"""Indicator values: data values in, every indicator of the plan computed for any org unit and period.

The rules (DESIGN.md, "Indicators"), each in one place here:

- over time, by the data element's aggregation: a stock takes the last value in the period, and a stock
  reported for a whole year (population) serves each month and quarter of that year; a flow is the value
  reported for the period, else the sum of its quarters or months — all of them, or no value;
- over operators: the undivided total where reported, else the sum of the operators' parts;
- over org units: the unit's own value where reported, else the sum of the units counted in it (groups sum
  their members, never added to anything); a figure is never counted twice;
- a ratio divides the summed numerator by the summed denominator (formulas are evaluated on aggregated
  values, never averaged);
- no value is ever 0 by default: a missing figure or a division by zero yields ``None`` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from functools import lru_cache
from typing import Protocol

from yangfan.core.expressions import (
    BinaryOp,
    Call,
    DataElementRef,
    Formula,
    Negate,
    Node,
    Number,
    RegistryRef,
)
from yangfan.core.orgtree import OrgTree
from yangfan.core.periods import Period, PeriodKind
from yangfan.core.plan import Aggregation, Indicator, Plan, Target
from yangfan.core.targets import Judgement, Status, TargetBook, UnitTargets, judge, on_path

PRECISION = 28


@dataclass(frozen=True)
class DataValue:
    """One reported figure. ``operator`` is ``None`` for the undivided total."""

    data_element: str
    org_unit: str
    period: Period
    value: Decimal
    operator: str | None = None


def gettext_noop(text: str) -> str:
    """Marks a reason's wording for the application's message catalogue (the core translates nothing: it keeps
    the wording and its values apart, ``NoValue.parts``, so that a page can say it in the reader's language)."""
    return text


class NoValue(Exception):
    """Raised inside an evaluation; becomes ``value=None`` with ``reason`` in the result. The reason is a wording
    (Chinese, with ``%(name)s`` placeholders) and its values."""

    def __init__(self, wording: str, **values):
        Exception.__init__(self)
        self.parts = (wording, tuple(values.items()))

    @property
    def reason(self) -> str:
        wording, values = self.parts
        return wording % dict(values) if values else wording

    def __str__(self) -> str:
        return self.reason


class MissingData(NoValue):
    """No figure for a data element × unit × period. Most are caught on the way up (a county without a figure
    beside others that have one), so the message is only written when it is read."""

    def __init__(self, element: str, code: str, unit: str, period: Period):
        Exception.__init__(self)
        self._parts = (element, code, unit, period)

    @property
    def parts(self) -> tuple[str, tuple[tuple[str, str], ...]]:  # type: ignore[override]
        element, code, unit, period = self._parts
        values = (("element", element), ("code", code), ("unit", unit), ("period", str(period)))
        return gettext_noop("缺少数据：%(element)s（%(code)s），%(unit)s，%(period)s"), values


class Totals(Protocol):
    """Totals computed before (``yangfan.core.aggregates``, kept by the application): ``get`` gives the engine's
    ``total`` of a data element × unit × period, or ``None`` where it has no value."""

    def get(self, data_element: str, org_unit: str, period: Period) -> Decimal | None: ...


# registry, org unit, period, sector (or None) -> count of active entries, or None when not kept
RegistryCounts = Callable[[str, str, Period, str | None], Decimal | None]


def _no_registry(registry: str, org_unit: str, period: Period, sector: str | None) -> Decimal | None:
    return None


class Values:
    """Reported data values, indexed for lookups by data element, org unit and period."""

    def __init__(self, values: Iterable[DataValue] = ()):
        self._index: dict[tuple[str, str], dict[Period, dict[str | None, Decimal]]] = {}
        self.version = 0  # changes with every value added, so that engines drop what they remembered
        for v in values:
            self.add(v)

    def add(self, v: DataValue) -> None:
        self._index.setdefault((v.data_element, v.org_unit), {}).setdefault(v.period, {})[v.operator] = (
            v.value
        )
        self.version += 1

    def reported(self, data_element: str, org_unit: str) -> dict[Period, dict[str | None, Decimal]]:
        return self._index.get((data_element, org_unit), {})


def _total_over_operators(parts: dict[str | None, Decimal]) -> Decimal:
    if None in parts:
        return parts[None]
    return sum(parts.values(), Decimal(0))


class Engine:
    """Computes data element totals and indicator values over a plan's org tree."""

    def __init__(
        self,
        plan: Plan,
        values: Values | None = None,
        registry_counts: RegistryCounts = _no_registry,
        totals: Totals | None = None,
    ):
        """Over reported ``values``, or over ``totals`` computed before from them: then no value is read, and
        every other rule (formulas, registries, growth, targets) is applied as it is to the values' totals."""
        self.plan = plan
        self.values = values if values is not None else Values()
        self.totals = totals
        self.registry_counts = registry_counts
        self.tree: OrgTree = plan.org_tree
        self._elements = plan.elements_by_code
        self._names = plan.unit_names
        self._memo: dict[tuple[str, str, Period], Decimal | NoValue] = {}
        self._memo_version = self.values.version

    # -- data elements --------------------------------------------------------------------------
    def total(self, data_element: str, org_unit: str, period: Period) -> Decimal:
        """The value of ``data_element`` for ``org_unit`` over ``period``, or :class:`NoValue`.

        Remembered per engine (a province's total reuses each city's, a monthly series each month's) until a
        value is added to ``values``."""
        self._check_memo()
        key = (data_element, org_unit, period)
        if key not in self._memo:
            if self.totals is not None:
                stored = self.totals.get(data_element, org_unit, period)
                self._memo[key] = (
                    stored if stored is not None else self._missing(data_element, org_unit, period)
                )
            else:
                try:
                    self._memo[key] = self._total(data_element, org_unit, period)
                except NoValue as exc:
                    self._memo[key] = exc
        found = self._memo[key]
        if isinstance(found, NoValue):
            raise found
        return found

    def total_or_none(self, data_element: str, org_unit: str, period: Period) -> Decimal | None:
        try:
            return self.total(data_element, org_unit, period)
        except NoValue:
            return None

    def remember(self, data_element: str, org_unit: str, period: Period, value: Decimal | None) -> None:
        """Take ``value`` (``None``: no value) as the total of ``data_element`` × ``org_unit`` × ``period``
        without computing it: a total computed before, by this engine's rules (``yangfan.core.aggregates``)."""
        self._check_memo()
        key = (data_element, org_unit, period)
        self._memo[key] = value if value is not None else self._missing(data_element, org_unit, period)

    def _check_memo(self) -> None:
        if self._memo_version != self.values.version:
            self._memo.clear()
            self._memo_version = self.values.version

    def _missing(self, data_element: str, org_unit: str, period: Period) -> NoValue:
        name = self._elements[data_element].name if data_element in self._elements else data_element
        return MissingData(name, data_element, self._names.get(org_unit, org_unit), period)

    def _total(self, data_element: str, org_unit: str, period: Period) -> Decimal:
        own = self._own(data_element, org_unit, period)
        if own is not None:
            return own
        if org_unit in self.tree.groups:
            members = self.tree.groups[org_unit].members
            return self._sum_of(data_element, members, period, org_unit)
        return self._sum_of(data_element, [c.code for c in self.tree.children(org_unit)], period, org_unit)

    def _sum_of(self, data_element: str, codes: Iterable[str], period: Period, parent: str) -> Decimal:
        found = []
        for code in codes:
            try:
                found.append(self.total(data_element, code, period))
            except NoValue:
                continue
        if not found:
            raise self._missing(data_element, parent, period)
        return sum(found, Decimal(0))

    def _own(self, data_element: str, org_unit: str, period: Period) -> Decimal | None:
        """The unit's own reported value over ``period``, aggregated over time and operators, if any."""
        reported = self.values.reported(data_element, org_unit)
        if not reported:
            return None
        element = self._elements.get(data_element)
        if element is not None and element.aggregation == Aggregation.FLOW:
            return self._flow(reported, period)
        return self._stock(reported, period)

    @staticmethod
    def _stock(reported: dict[Period, dict[str | None, Decimal]], period: Period) -> Decimal | None:
        # the usual case first: a figure for the period's last month (or quarter, or the period itself), which
        # is the last value in it — at the period's end date the finest period is the most specific
        for candidate in period.at_end:  # the month, quarter and year of its end date
            if candidate in reported and period.contains(candidate):
                return _total_over_operators(reported[candidate])
        inside = [p for p in reported if period.contains(p)]
        if inside:
            # the last value in the period; at equal end dates the finest period is the most specific
            latest = max(inside, key=lambda p: (p.end, -p.month_count))
            return _total_over_operators(reported[latest])
        covering = [p for p in reported if p.contains(period)]
        if covering:  # a yearly stock serves each month and quarter of its year
            return _total_over_operators(reported[min(covering, key=lambda p: p.month_count)])
        return None

    @classmethod
    def _flow(cls, reported: dict[Period, dict[str | None, Decimal]], period: Period) -> Decimal | None:
        if period in reported:
            return _total_over_operators(reported[period])
        parts = period.children()
        if not parts:
            return None
        sums = [cls._flow(reported, part) for part in parts]
        if any(s is None for s in sums):
            return None  # a flow over a period is only known when every part of it is
        return sum(sums, Decimal(0))

    def formula_value(self, node: Node, org_unit: str, period: Period) -> Decimal:
        """A formula part without functions (a validation rule's side) over this engine's totals, or
        :class:`NoValue` when a figure is missing or a divisor is 0."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.formula_value_here(node, org_unit, period)

    def formula_value_here(self, node: Node, org_unit: str, period: Period) -> Decimal:
        """``formula_value`` in the decimal context of the caller, who has set ``PRECISION`` already (a validation
        run sets it once for all the rules it checks)."""
        return _Context(self, None, org_unit, period).eval(node)

    # -- indicators -----------------------------------------------------------------------------
    def evaluate(self, indicator: Indicator, org_unit: str, period: Period) -> IndicatorResult:
        formula = indicator.formula
        context = _Context(self, indicator, org_unit, period)
        numerator = denominator = None
        with localcontext() as ctx:
            ctx.prec = PRECISION
            ctx.traps[DivisionByZero] = True
            ctx.traps[InvalidOperation] = True
            try:
                value = context.eval(formula.tree)
                reason, why = "", None
            except NoValue as exc:
                value, reason, why = None, exc.reason, exc.parts
            division = _top_division(formula)
            if division is not None:
                numerator = context.try_eval(division.left)
                denominator = context.try_eval(division.right)
        return IndicatorResult(
            indicator.code, indicator.name, org_unit, period, value, numerator, denominator, reason, why
        )


@dataclass(frozen=True)
class IndicatorResult:
    indicator: str
    name: str
    org_unit: str
    period: Period
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    reason: str = ""
    reason_parts: tuple[str, tuple[tuple[str, str], ...]] | None = None  # ``NoValue.parts``: wording, values


def _top_division(formula: Formula) -> BinaryOp | None:
    """The ratio on the multiplicative spine (``a / b * 100`` → ``a / b``), whose parts are reported."""
    node = formula.tree
    while isinstance(node, BinaryOp) and node.op in "*/":
        if node.op == "/":
            return node
        node = node.left if isinstance(node.left, BinaryOp) else node.right
    return None


class _Context:
    def __init__(
        self,
        engine: Engine,
        indicator: Indicator | None,
        org_unit: str,
        period: Period,
        sector: str | None = None,
    ):
        self.engine = engine
        self.indicator = indicator
        self.org_unit = org_unit
        self.period = period
        self.sector = sector

    def try_eval(self, node: Node) -> Decimal | None:
        try:
            return self.eval(node)
        except NoValue:
            return None

    def eval(self, node: Node) -> Decimal:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, DataElementRef):
            return self.engine.total(node.code, self.org_unit, self.period)
        if isinstance(node, Negate):
            return -self.eval(node.operand)
        if isinstance(node, BinaryOp):
            left, right = self.eval(node.left), self.eval(node.right)
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*":
                return left * right
            if right == 0:
                raise NoValue(gettext_noop("分母为0，无法计算"))
            return left / right
        if isinstance(node, Call):
            return getattr(self, f"_fn_{node.function}")(node.argument)
        raise NoValue(gettext_noop("无法计算的公式部分：%(node)s"), node=repr(node))

    def _fn_count(self, argument: Node) -> Decimal:
        assert isinstance(argument, RegistryRef)
        count = self.engine.registry_counts(argument.code, self.org_unit, self.period, self.sector)
        if count is None:
            raise NoValue(gettext_noop("登记簿 %(code)s 尚无数据"), code=argument.code)
        return Decimal(count)

    def _fn_min_over_key_industries(self, argument: Node) -> Decimal:
        sectors = [s.code for s in self.engine.plan.sectors if s.key_industry]
        if not sectors:
            raise NoValue(gettext_noop("计划未设定重点行业"))
        values = [
            _Context(self.engine, self.indicator, self.org_unit, self.period, sector).eval(argument)
            for sector in sectors
        ]
        return min(values)

    def _fn_cagr(self, argument: Node) -> Decimal:
        """Compound annual growth from the end of the base year to the end of the period."""
        base_year = self.indicator.base_year
        if base_year is None:
            raise NoValue(gettext_noop("未设定基期年份"))
        base_period = Period(PeriodKind.YEAR, base_year)
        months = (self.period.end.year - base_year) * 12 + self.period.end.month - 12
        if months <= 0:
            raise NoValue(
                gettext_noop("期间 %(period)s 不晚于基期 %(year)s 年"),
                period=str(self.period),
                year=str(base_year),
            )
        base = _Context(self.engine, self.indicator, self.org_unit, base_period, self.sector).eval(argument)
        current = self.eval(argument)
        if base <= 0:
            raise NoValue(
                gettext_noop("基期（%(year)s年末）的值为 %(value)s，无法计算增长率"),
                year=str(base_year),
                value=str(base),
            )
        if current < 0:
            raise NoValue(gettext_noop("当期值为负数，无法计算增长率"))
        years = Decimal(months) / Decimal(12)
        return (current / base) ** (Decimal(1) / years) - 1


@dataclass(frozen=True)
class Assessment:
    """An indicator value with its target, whether it is met, its status and the pace still needed.

    ``series`` runs from the end of the year before the plan (the baseline) to the assessed period, one entry
    per period of the assessed kind that has a value. The target is the one binding the assessed period
    (``UnitTargets.binding``): the milestone dated within the period where there is one, else the final target;
    the judgement is against that target."""

    result: IndicatorResult
    targets: UnitTargets
    judgement: Judgement
    series: tuple[tuple[Period, Decimal], ...]
    baseline: tuple[date, Decimal] | None = None  # the value at the end of the year before the plan

    @property
    def target(self) -> Target | None:
        """The target the assessed period is judged against (``UnitTargets.binding``)."""
        period = self.result.period
        return self.targets.binding(period.start, period.end)

    @property
    def final_target(self) -> Target | None:
        """The unit's final target (at the indicator's target date), whichever target binds the period."""
        return self.targets.final

    @property
    def milestone(self) -> Target | None:
        """The latest milestone due on or before the end of the assessed period."""
        return self.targets.milestone_due(self.result.period.end)

    @property
    def milestone_met(self) -> bool | None:
        """Was the milestone met, judged on the value of the period (of the assessed kind) that contains its
        date? ``None`` when there is no milestone or no value for that period."""
        milestone = self.milestone
        if milestone is None:
            return None
        values = dict(self.series)
        value = values.get(Period.containing(milestone.date, self.result.period.kind))
        return None if value is None else milestone.met_by(value)

    @property
    def trajectory(self) -> list[tuple[date, Decimal]]:
        return self.targets.trajectory(self.baseline)

    def as_dict(self) -> dict:
        """The fields of DESIGN.md's ``yangfan indicators --format json`` (values unrounded, as text), and more:
        where the target comes from, the milestone due, the value the trajectory expects at the period's end,
        and the series the status was judged on (``[period, value]`` pairs). ``target`` and its comparison,
        date and source are those of the target binding the period (:attr:`target`), which ``target_met`` and
        ``status`` judge."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else format(value.normalize(), "f")

        def target(t: Target | None) -> dict | None:
            return (
                None
                if t is None
                else {"value": text(t.value), "comparison": t.comparison.value, "date": t.date.isoformat()}
            )

        r, j, binding = self.result, self.judgement, self.target
        source = self.targets.source_of(binding)
        return {
            "indicator": r.indicator,
            "name": r.name,
            "org_unit": r.org_unit,
            "period": str(r.period),
            "value": text(r.value),
            "numerator": text(r.numerator),
            "denominator": text(r.denominator),
            "target": None if binding is None else text(binding.value),
            "target_comparison": None if binding is None else binding.comparison.value,
            "target_date": None if binding is None else binding.date.isoformat(),
            "target_source": None if source is None else source.value,
            "target_met": j.met,
            "status": j.status.value,
            "projected": text(j.projected),
            "pace_per_month": text(j.pace_per_month),
            "milestone": target(self.milestone),
            "milestone_met": self.milestone_met,
            "trajectory_value": text(on_path(self.trajectory, r.period.end)),
            "reason": r.reason,
            "series": [[str(p), text(v)] for p, v in self.series],
        }


def series_periods(plan: Plan, period: Period) -> list[Period]:
    """The periods an assessment of ``period`` evaluates: each of its kind from the end of the year before the
    plan to ``period`` itself."""
    return list(_series(plan.start, period))


@lru_cache(maxsize=1024)
def _series(start: date, period: Period) -> tuple[Period, ...]:
    current = Period.containing(start - timedelta(days=1), period.kind)
    found = []
    while current <= period:
        found.append(current)
        current = current.next()
    return tuple(found)


def periods_read(plan: Plan, indicators: Iterable[Indicator], period: Period) -> list[Period]:
    """The periods whose totals assessing ``indicators`` at ``period`` reads: its series, and the base year of
    those that grow from one (A4)."""
    found = series_periods(plan, period)
    found += [Period(PeriodKind.YEAR, i.base_year) for i in indicators if i.base_year is not None]
    return list(dict.fromkeys(found))


def assess(
    engine: Engine,
    indicator: Indicator,
    org_unit: str,
    period: Period,
    targets: TargetBook | None = None,
) -> Assessment:
    """Evaluate ``indicator`` at ``period`` and at each earlier period of the same kind from the end of the
    year before the plan, and judge the series against the unit's target binding ``period``: a milestone dated
    within it, else the final target (``yangfan.core.targets``)."""
    book = targets if targets is not None else TargetBook(engine.plan)
    unit_targets = book.for_unit(indicator, org_unit)
    binding = unit_targets.binding(period.start, period.end)
    result = engine.evaluate(indicator, org_unit, period)
    first = Period.containing(engine.plan.start - timedelta(days=1), period.kind)
    series: list[tuple[Period, Decimal]] = []
    for current in series_periods(engine.plan, period):
        value = result.value if current == period else engine.evaluate(indicator, org_unit, current).value
        if value is not None:
            series.append((current, value))
    if binding is None:
        judgement = Judgement(met=None, status=Status.NO_TARGET)
    elif result.value is None:
        judgement = Judgement(met=None, status=Status.UNKNOWN)
    else:
        judgement = judge(binding, [(p.end, v) for p, v in series], indicator.direction)
    baseline = (first.end, series[0][1]) if series and series[0][0] == first else None
    return Assessment(result, unit_targets, judgement, tuple(series), baseline)
