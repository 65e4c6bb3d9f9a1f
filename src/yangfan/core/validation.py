"""Validation rules and reconciliation: is what was reported plausible, and do two sources of the same quantity
agree?

**Validation** (``check``) applies the plan file's ``validation_rules`` to the figures reported for an org unit
and a period — on entry, on import, on demand, and before a report is submitted. It reads the figures a unit
reported itself for that very period (and a figure reported for a longer period that contains it: a yearly
population serves each quarter and month of its year), never a sum made from its children or from other
periods: a rule judges a report, not an aggregate. For data broken down by operator, each operator's part is
checked on its own and so is the total (the undivided total where reported, else the sum of the parts, as the
engine reads it). A side of a rule with no value skips the rule: no finding, not an error.

- ``compare``: ``left operator right``, both sides evaluated over the expression tree with the engine's totals;
- ``operator_sum``: where the undivided total and operators' parts are both reported for the same element, unit
  and period, the parts must add up to the total;
- ``jump``: ``|value − previous| / previous`` must not exceed ``limit`` (the previous period of the same kind;
  no previous value or a previous 0 gives no finding).

**Reconciliation** (``reconcile``) puts side by side, per unit and data element, the unit's own reported total,
the sum of the units counted directly in it, the sum of the operators' parts and the official figure (from the
data sets ``official_data_sets`` names), with the variance between each pair that exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from yangfan.core.engine import PRECISION, DataValue, Engine, NoValue, Values
from yangfan.core.expressions import BinaryOp, DataElementRef, Formula, Negate, Node, Number
from yangfan.core.periods import PERIOD_TYPES, Period, PeriodKind
from yangfan.core.plan import (
    OPERATORS_REPORT,
    DataSet,
    DataSetLevel,
    Importance,
    Plan,
    RuleKind,
    RuleOperator,
    UnitKind,
    ValidationRule,
)

HUNDRED = Decimal(100)
# the symbol of what was found when a rule does not hold (a rule "≤" is broken by ">")
BROKEN = {
    RuleOperator.LT: "≥",
    RuleOperator.LTE: ">",
    RuleOperator.EQ: "≠",
    RuleOperator.GTE: "<",
    RuleOperator.GT: "≤",
}


@dataclass(frozen=True)
class Finding:
    """One rule that does not hold for one unit, period and operator (``None``: the total).

    ``data_element`` is the element the finding is about: the first element of a compare rule's left side, the
    element of a jump or operator-sum rule. ``left`` and ``right`` are the figures compared (for a jump: the
    value and the previous one; for an operator sum: the sum of the parts and the total). ``key`` is stable
    text that an explanation of a warning is attached to."""

    rule: str
    name: str
    kind: RuleKind
    importance: Importance
    org_unit: str
    period: Period
    operator: str | None
    data_element: str | None
    message: str
    left: Decimal | None = None
    right: Decimal | None = None

    @property
    def key(self) -> str:
        parts = [self.rule, self.org_unit, str(self.period), self.operator or ""]
        if self.kind == RuleKind.OPERATOR_SUM:  # one finding per element: the key must tell them apart
            parts.append(self.data_element or "")
        return "|".join(parts)

    @property
    def is_error(self) -> bool:
        return self.importance == Importance.ERROR

    def as_dict(self) -> dict:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else format(value.normalize(), "f")

        return {
            "key": self.key,
            "rule": self.rule,
            "name": self.name,
            "kind": self.kind.value,
            "importance": self.importance.value,
            "org_unit": self.org_unit,
            "period": str(self.period),
            "operator": self.operator,
            "data_element": self.data_element,
            "message": self.message,
            "left": text(self.left),
            "right": text(self.right),
        }


def figure(value: Decimal) -> str:
    """A figure in a message: thousands separated, at most two decimals, no trailing zeros (1,234.5)."""
    rounded = value.quantize(Decimal("0.01")) if value != value.to_integral_value() else value
    text = f"{rounded.normalize():,f}"
    return text


def rule_elements(rule: ValidationRule) -> tuple[str, ...]:
    """The data elements a rule reads, in the order they are written (an operator-sum rule reads any)."""
    if rule.kind == RuleKind.JUMP:
        return (rule.data_element,) if rule.data_element else ()
    seen: dict[str, None] = {}
    for side in (rule.left, rule.right):
        if side is not None:
            seen.update(dict.fromkeys(_refs(side.tree)))
    return tuple(seen)


def _refs(node: Node) -> Iterable[str]:
    """Data element codes in the order they are written (``Formula.data_elements`` sorts them)."""
    if isinstance(node, DataElementRef):
        yield node.code
    elif isinstance(node, BinaryOp):
        yield from _refs(node.left)
        yield from _refs(node.right)
    elif isinstance(node, Negate):
        yield from _refs(node.operand)


class _Names:
    def __init__(self, plan: Plan):
        self.elements = {e.code: e.name for e in plan.data_elements}
        self.units = {u.code: u.name for u in plan.org_units} | {g.code: g.name for g in plan.org_groups}
        self.operators = {o.code: o.name for o in plan.operators}
        self._rank = {o.code: i for i, o in enumerate(plan.operators)}

    def in_order(self, operators: Iterable[str]) -> list[str]:
        """Operator codes in the plan's order (unknown codes last, by code)."""
        return sorted(operators, key=lambda op: (self._rank.get(op, len(self._rank)), op))

    def element(self, code: str) -> str:
        return self.elements.get(code, code)

    def where(self, org_unit: str, period: Period, operator: str | None) -> str:
        parts = [self.units.get(org_unit, org_unit), str(period)]
        if operator is not None:
            parts.append(self.operators.get(operator, operator))
        return "（" + "，".join(parts) + "）"

    def side(self, formula: Formula, value: Decimal) -> str:
        """A rule's side in words with its value: “5G移动电话用户数 1,200”, “5G移动电话用户数 / 常住人口 × 100 =
        104.17”, or the number alone."""
        node = formula.tree
        if isinstance(node, DataElementRef):
            return f"{self.element(node.code)} {figure(value)}"
        if isinstance(node, Number):
            return figure(value)
        return f"{self._words(node)} = {figure(value)}"

    def _words(self, node: Node, parent: str | None = None) -> str:
        if isinstance(node, Number):
            return figure(node.value)
        if isinstance(node, DataElementRef):
            return self.element(node.code)
        if isinstance(node, Negate):
            return "-" + self._words(node.operand, "-")
        if isinstance(node, BinaryOp):
            text = f"{self._words(node.left, node.op)} {'×' if node.op == '*' else node.op} " + self._words(
                node.right, node.op
            )
            loose = node.op in "+-" and parent is not None and parent in "*/-"
            return f"({text})" if loose else text
        return "?"


def periods_checked(period: Period) -> set[Period]:
    """The periods whose values :func:`check` (and :func:`reconcile`) read for ``period``: the period, those inside
    it (a flow sums its months, a stock takes its last), those containing it (a yearly stock serves its months and
    quarters) and the period before it (a jump compares the figures reported for the two)."""
    return {period, *period.children(), *period.months(), *period.at_start, period.previous()}


def _operators(values: Values, elements: Iterable[str], org_unit: str, periods: set[Period]) -> set[str]:
    found: set[str] = set()
    for element in elements:
        reported = values.reported(element, org_unit)
        for period in periods:
            found.update(op for op in reported.get(period, ()) if op is not None)
    return found


class _OwnView:
    """The unit's own figures of ``elements`` for ``periods``, as the engine reads ``Values``: one operator's part
    (as the whole) or, with ``operator=None``, every figure as reported (the engine takes the undivided total,
    else sums the parts). Read from ``values`` as asked, nothing copied."""

    version = 0  # never changes: nothing is added to a view

    def __init__(
        self,
        values: Values,
        elements: Iterable[str],
        org_unit: str,
        periods: set[Period],
        operator: str | None,
    ):
        self.values, self.org_unit, self.periods, self.operator = values, org_unit, periods, operator
        self.elements = frozenset(elements)
        self._read: dict[tuple[str, str], dict[Period, dict[str | None, Decimal]]] = {}

    def reported(self, data_element: str, org_unit: str) -> dict[Period, dict[str | None, Decimal]]:
        key = (data_element, org_unit)
        if key not in self._read:
            found: dict[Period, dict[str | None, Decimal]] = {}
            if org_unit == self.org_unit and data_element in self.elements:
                reported = self.values.reported(data_element, org_unit)
                for period in self.periods:
                    parts = reported.get(period)
                    if not parts:
                        continue
                    if self.operator is None:
                        found[period] = parts
                    elif self.operator in parts:
                        found[period] = {None: parts[self.operator]}
            self._read[key] = found
        return self._read[key]


def _periods_serving(values: Values, elements: Iterable[str], org_unit: str, period: Period) -> set[Period]:
    """``period`` and the reported periods that contain it (a year's population serves its months)."""
    containing = period.at_start
    serving = {period}
    for element in elements:
        reported = values.reported(element, org_unit)
        serving.update(p for p in containing if p in reported and p.contains(period))
    return serving


def _comparable(
    now: dict[str | None, Decimal], before: dict[str | None, Decimal], operator: str | None
) -> tuple[Decimal, Decimal] | None:
    """One operator's part in both periods or, for the total (``None``), the undivided totals of both. A sum of
    parts is not judged as a total: it never jumps more than its most jumping part, whose finding says it."""
    if operator in now and operator in before:
        return now[operator], before[operator]
    return None


def check(
    plan: Plan,
    values: Values,
    org_units: Sequence[str],
    period: Period,
    rules: Iterable[ValidationRule] | None = None,
    operators: Mapping[str, AbstractSet[str | None]] | None = None,
) -> list[Finding]:
    """Every rule of ``plan`` (or ``rules``) that does not hold for each of ``org_units`` at ``period``: for the
    total and, where figures are broken down by operator, for each operator's part. Ordered by unit (as given),
    rule (as in the plan), then the total before the operators (by code).

    ``operators`` (by unit): judge only those parts of each unit (``None``: its total), as a caller that keeps only
    their findings would; the findings are those of the full check with the others left out."""
    chosen = list(plan.validation_rules if rules is None else rules)
    names = _Names(plan)
    findings: list[Finding] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ctx.traps[DivisionByZero] = True
        ctx.traps[InvalidOperation] = True
        for org_unit in org_units:
            wanted = None if operators is None else operators.get(org_unit, frozenset())
            for rule in chosen:
                if rule.kind == RuleKind.COMPARE:
                    found = _compare(plan, rule, values, org_unit, period, names, wanted)
                elif rule.kind == RuleKind.OPERATOR_SUM:
                    found = _operator_sum(plan, rule, values, org_unit, period, names)
                    found = found if wanted is None or None in wanted else ()
                elif rule.kind == RuleKind.JUMP:
                    found = _jump(rule, values, org_unit, period, names, wanted)
                else:
                    continue
                findings.extend(found)
    return findings


def _finding(rule: ValidationRule, org_unit: str, period: Period, operator: str | None, **fields) -> Finding:
    return Finding(
        rule=rule.code,
        name=rule.name,
        kind=rule.kind,
        importance=rule.importance,
        org_unit=org_unit,
        period=period,
        operator=operator,
        **fields,
    )


def _parts(
    names: _Names, operators: Iterable[str], wanted: AbstractSet[str | None] | None
) -> list[str | None]:
    """The parts a rule judges: the total (``None``) then each operator in order, those of ``wanted`` only."""
    parts = [None, *names.in_order(operators)]
    return parts if wanted is None else [p for p in parts if p in wanted]


def _compare(
    plan: Plan,
    rule: ValidationRule,
    values: Values,
    org_unit: str,
    period: Period,
    names: _Names,
    wanted: AbstractSet[str | None] | None = None,
) -> Iterable[Finding]:
    assert rule.left is not None and rule.right is not None and rule.operator is not None
    elements = rule_elements(rule)
    periods = _periods_serving(values, elements, org_unit, period)
    for operator in _parts(names, _operators(values, elements, org_unit, periods), wanted):
        engine = Engine(plan, _OwnView(values, elements, org_unit, periods, operator))
        try:
            left = engine.formula_value_here(rule.left.tree, org_unit, period)  # check() set the context
            right = engine.formula_value_here(rule.right.tree, org_unit, period)
        except NoValue:
            continue
        if rule.operator.holds(left, right):
            continue
        left_text, right_text = names.side(rule.left, left), names.side(rule.right, right)
        yield _finding(
            rule,
            org_unit,
            period,
            operator,
            data_element=elements[0] if elements else None,
            message=f"{left_text} {BROKEN[rule.operator]} {right_text}"
            + names.where(org_unit, period, operator),
            left=left,
            right=right,
        )


def _operator_sum(
    plan: Plan, rule: ValidationRule, values: Values, org_unit: str, period: Period, names: _Names
) -> Iterable[Finding]:
    for element in plan.data_elements:
        parts = values.reported(element.code, org_unit).get(period)
        if not parts or None not in parts or len(parts) == 1:
            continue
        total = parts[None]
        summed = sum((v for op, v in parts.items() if op is not None), Decimal(0))
        if summed == total:
            continue
        listed = "、".join(
            f"{names.operators.get(op, op)} {figure(parts[op])}"
            for op in names.in_order(op for op in parts if op is not None)
        )
        message = f"{element.name}：各运营商分项之和 {figure(summed)}（{listed}）≠ 合计 {figure(total)}"
        if element.shared_between_operators:
            largest = max(v for op, v in parts.items() if op is not None)
            if largest <= total <= summed:  # shared once in the total, once for each operator on it
                continue
            message = (
                f"{element.name}：合计 {figure(total)} 应不小于任一运营商分项、不大于分项之和 "
                f"{figure(summed)}（{listed}；共建共享的只在合计中计一次）"
            )
        yield _finding(
            rule,
            org_unit,
            period,
            None,
            data_element=element.code,
            message=message + names.where(org_unit, period, None),
            left=summed,
            right=total,
        )


def _jump(
    rule: ValidationRule,
    values: Values,
    org_unit: str,
    period: Period,
    names: _Names,
    wanted: AbstractSet[str | None] | None = None,
) -> Iterable[Finding]:
    assert rule.data_element is not None and rule.limit is not None
    reported = values.reported(rule.data_element, org_unit)
    now, before = reported.get(period), reported.get(period.previous())
    if not now or not before:
        return
    for operator in _parts(names, (op for op in now if op is not None), wanted):
        pair = _comparable(now, before, operator)
        if pair is None or pair[1] == 0:
            continue
        value, previous = pair
        change = (value - previous) / previous
        if abs(change) <= rule.limit:
            continue
        direction = "增长" if change > 0 else "下降"
        yield _finding(
            rule,
            org_unit,
            period,
            operator,
            data_element=rule.data_element,
            message=(
                f"{names.element(rule.data_element)} {figure(value)} 较上期（{period.previous()}）"
                f"{figure(previous)} {direction} {figure(abs(change) * HUNDRED)}%，"
                f"超过 {figure(rule.limit * HUNDRED)}%" + names.where(org_unit, period, operator)
            ),
            left=value,
            right=previous,
        )


# -- reconciliation ---------------------------------------------------------------------------------------------

SOURCES = ("official", "own", "children", "operators")  # most authoritative first


@dataclass(frozen=True)
class Variance:
    """``first − second`` and its share of ``second`` (in %); ``second`` is the more authoritative source.
    ``percent`` is ``None`` when ``second`` is 0; such a variance is flagged unless the difference is 0 too."""

    first: str
    second: str
    difference: Decimal
    percent: Decimal | None
    flagged: bool


@dataclass(frozen=True)
class Reconciliation:
    """One unit's figures of one data element from each source (``None``: not reported)."""

    org_unit: str
    data_element: str
    period: Period
    depth: int  # 0: the unit reconciled, 1: a unit counted directly in it
    own: Decimal | None
    children: Decimal | None
    operators: Decimal | None
    official: Decimal | None
    variances: tuple[Variance, ...]

    @property
    def flagged(self) -> bool:
        return any(v.flagged for v in self.variances)

    def source(self, name: str) -> Decimal | None:
        return getattr(self, name)


def official_data_sets(plan: Plan) -> tuple[DataSet, ...]:
    """The data sets whose figures are the official ones: reported by a department (not by operator) and
    sharing data elements with what the operators report — the telecommunications authority's statistics, in
    the bundled plan ``txglj-monthly``. Read from the plan, never named in code."""
    departments = {u.code for u in plan.responsible_units if u.kind == UnitKind.DEPARTMENT}
    by_operators = {e for ds in plan.data_sets if ds.reporter == OPERATORS_REPORT for e in ds.data_elements}
    return tuple(
        ds
        for ds in plan.data_sets
        if ds.reporter in departments and not ds.by_operator and by_operators & set(ds.data_elements)
    )


def unit_level_matches(plan: Plan, org_unit: str, level: DataSetLevel) -> bool:
    """Is ``org_unit`` one of the rows a data set of ``level`` has (the root, a unit counted directly in it, or
    a base unit)?"""
    tree = plan.org_tree
    if org_unit not in tree.units:
        return False
    if level == DataSetLevel.COUNTY:
        return not tree.children(org_unit)
    return len(tree.ancestors(org_unit)) == {DataSetLevel.PROVINCE: 0, DataSetLevel.CITY: 1}[level]


def reconcile(
    plan: Plan,
    values: Values,
    org_unit: str,
    period: Period,
    data_elements: Iterable[str] | None = None,
    official: Iterable[DataSet] | None = None,
    threshold: Decimal = Decimal(1),
) -> list[Reconciliation]:
    """For ``org_unit`` and each unit counted directly in it, per data element (all of the plan's unless given,
    leaving out those with no figure from any source): its own undivided total over ``period`` (other than
    the official figure), the sum of its children's totals, the sum of the operators' parts (at its level or,
    where not reported there, summed up from the units below), and the official figure (``official``, by
    default ``official_data_sets(plan)``: the figure reported for the unit at those data sets' level and
    period kind). Over time each figure aggregates as the engine does (a stock's last value in the period).
    A variance is flagged above ``threshold`` per cent."""
    tree = plan.org_tree
    elements = [e.code for e in plan.data_elements] if data_elements is None else list(data_elements)
    official_sets = official_data_sets(plan) if official is None else tuple(official)
    subtree = (
        [org_unit, *(u.code for u in tree.descendants(org_unit))] if org_unit in tree.units else [org_unit]
    )
    totals, parts = _split(values, elements, subtree)
    totals_engine = Engine(plan, totals)
    part_engines = {op: Engine(plan, v) for op, v in sorted(parts.items())}
    rows = [(org_unit, 0)] + [(c.code, 1) for c in tree.children(org_unit)] if org_unit in tree.units else []
    found: list[Reconciliation] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for unit, depth in rows:
            for element in elements:
                kinds = {
                    PERIOD_TYPES[ds.period_type]
                    for ds in official_sets
                    if element in ds.data_elements and unit_level_matches(plan, unit, ds.level)
                }
                figures = {
                    "official": _own_total(plan, totals, element, unit, period, kinds, official=True)
                    if kinds
                    else None,
                    "own": _own_total(plan, totals, element, unit, period, kinds, official=False),
                    "children": _sum_or_none(
                        _try_total(totals_engine, element, c.code, period) for c in tree.children(unit)
                    ),
                    "operators": _sum_or_none(
                        _try_total(engine, element, unit, period) for engine in part_engines.values()
                    ),
                }
                if all(v is None for v in figures.values()):
                    continue
                found.append(
                    Reconciliation(
                        org_unit=unit,
                        data_element=element,
                        period=period,
                        depth=depth,
                        variances=_variances(figures, threshold),
                        **figures,
                    )
                )
    return found


def _split(values: Values, elements: list[str], units: list[str]) -> tuple[Values, dict[str, Values]]:
    """The undivided totals, and each operator's parts (as the whole), of ``elements`` for ``units``."""
    totals, parts = Values(), {}
    for unit in units:
        for element in elements:
            for period, reported in values.reported(element, unit).items():
                for op, value in reported.items():
                    target = totals if op is None else parts.setdefault(op, Values())
                    target.add(DataValue(element, unit, period, value, None))
    return totals, parts


def _own_total(
    plan: Plan,
    totals: Values,
    element: str,
    unit: str,
    period: Period,
    official_kinds: set[PeriodKind],
    *,
    official: bool,
) -> Decimal | None:
    """The unit's own undivided figure over ``period``: from the periods of the official data sets' kinds
    (``official``), or from the other periods (what the unit reported itself)."""
    view = Values(
        DataValue(element, unit, p, parts[None], None)
        for p, parts in totals.reported(element, unit).items()
        if (p.kind in official_kinds) == official and None in parts
    )
    return _try_total(Engine(plan, view), element, unit, period)


def _try_total(engine: Engine, element: str, unit: str, period: Period) -> Decimal | None:
    try:
        return engine.total(element, unit, period)
    except NoValue:
        return None


def _sum_or_none(found: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in found if v is not None]
    return sum(present, Decimal(0)) if present else None


def _variances(figures: dict[str, Decimal | None], threshold: Decimal) -> tuple[Variance, ...]:
    found = []
    for i, second in enumerate(SOURCES):
        for first in SOURCES[i + 1 :]:
            a, b = figures[first], figures[second]
            if a is None or b is None:
                continue
            difference = a - b
            percent = None if b == 0 else difference / b * HUNDRED
            flagged = difference != 0 if percent is None else abs(percent) > threshold
            found.append(Variance(first, second, difference, percent, flagged))
    return tuple(found)
