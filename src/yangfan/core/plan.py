"""The plan as values: what a plan file says, after it has been validated.

Every element keeps the clause of the plan it comes from (``sources``: clause code and verbatim quote),
so a page or a report can always show the user's own words next to what Yangfan computes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from yangfan.core.evaluation import ScoringScheme
from yangfan.core.expressions import Formula
from yangfan.core.orgtree import OrgGroup, OrgTree, OrgUnit
from yangfan.core.supervision import SupervisionRules


class Aggregation(StrEnum):
    """How a data element adds up over time (over org units every element is summed)."""

    STOCK = "stock"  # 时点数: the last value in the period
    FLOW = "flow"  # 时期数: the sum over the period


class Comparison(StrEnum):
    GT = "gt"  # 超过
    GTE = "gte"  # 以上 / 达到
    LT = "lt"
    LTE = "lte"

    @property
    def symbol(self) -> str:
        return {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}[self.value]

    def holds(self, value: Decimal, target: Decimal) -> bool:
        return {
            "gt": value > target,
            "gte": value >= target,
            "lt": value < target,
            "lte": value <= target,
        }[self.value]


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class TargetScope(StrEnum):
    """Whom a plan's target binds when the province has set nothing for a unit."""

    EVERY_UNIT = "every_unit"  # a rate (普及率, 每万人…): each city and county is measured against it
    PLAN_AREA = "plan_area"  # a count of the whole plan area (用户数超过1600万): the root unit only


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    CITY_GOVERNMENTS = "city_governments"  # “各设区市政府”: one assignment per city government


@dataclass(frozen=True)
class Source:
    """A clause of the plan (section, task, special project, safeguard, goal or 附件) and the words quoted."""

    clause: str
    quote: str


@dataclass(frozen=True)
class Continuation:
    """What an indicator or a task of a later plan carries on: the ``code`` of an indicator or task of the earlier
    plan ``plan``, with a ``note`` where the definition changed (大型工业企业 → 大中型工业企业)."""

    plan: str
    code: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    kind: str
    parent: str | None = None
    text: str = ""
    remark: str = ""


@dataclass(frozen=True)
class ResponsibleUnit:
    code: str
    name: str
    name_en: str = ""
    kind: UnitKind = UnitKind.DEPARTMENT
    aliases: tuple[str, ...] = ()
    remark: str = ""


@dataclass(frozen=True)
class Task:
    code: str
    section: str
    title: str
    text: str
    responsibility: str
    responsible_units: tuple[str, ...]  # unit codes, aliases already resolved
    number: str | None = None
    sector: str | None = None
    remark: str = ""
    continues: Continuation | None = None


@dataclass(frozen=True)
class SpecialProject:
    code: str
    number: int
    title: str
    section: str
    text: str
    remark: str = ""


@dataclass(frozen=True)
class Safeguard:
    code: str
    title: str
    text: str
    number: str = ""
    remark: str = ""


@dataclass(frozen=True)
class Goal:
    code: str
    section: str
    title: str
    text: str
    remark: str = ""


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    key_industry: bool
    name_en: str = ""
    task: str | None = None
    remark: str = ""


@dataclass(frozen=True)
class Operator:
    code: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class DataElement:
    code: str
    name: str
    unit: str
    aggregation: Aggregation
    sources: tuple[Source, ...]
    name_en: str = ""
    period_type: str = "monthly"
    by_operator: bool = False
    remark: str = ""
    # one thing may count for several operators (a station built once and shared, 共建共享): the parts add up
    # to at least the undivided total, not to it
    shared_between_operators: bool = False
    # what a value may be (refused on every write path otherwise): at most ``decimals`` places (None: the
    # store's own six), within ``minimum``–``maximum`` (None: unbounded on that side)
    decimals: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


class DataSetLevel(StrEnum):
    """The org units a data set's rows are: the root, the units counted directly in it, or the base units."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


OPERATORS_REPORT = "operators"  # a data set's reporter: each operator reports its own figures


@dataclass(frozen=True)
class DataSet:
    """A report (数据集): which data elements, by which units, how often, due how many days after the period."""

    code: str
    name: str
    period_type: str  # monthly, quarterly, yearly
    level: DataSetLevel
    reporter: str  # a responsible unit's code, or OPERATORS_REPORT
    deadline_days: int
    data_elements: tuple[str, ...]
    by_operator: bool = False
    name_en: str = ""
    remark: str = ""


class RuleOperator(StrEnum):
    LT = "lt"
    LTE = "lte"
    EQ = "eq"
    GTE = "gte"
    GT = "gt"

    @property
    def symbol(self) -> str:
        return {"lt": "<", "lte": "≤", "eq": "=", "gte": "≥", "gt": ">"}[self.value]

    def holds(self, left: Decimal, right: Decimal) -> bool:
        return {
            "lt": left < right,
            "lte": left <= right,
            "eq": left == right,
            "gte": left >= right,
            "gt": left > right,
        }[self.value]


class RuleKind(StrEnum):
    COMPARE = "compare"  # left operator right, over data elements
    OPERATOR_SUM = "operator_sum"  # the operators' parts add up to the total where both are reported
    JUMP = "jump"  # the change on the previous period stays within ``limit`` (a share: 0.3 is 30 %)


class Importance(StrEnum):
    ERROR = "error"  # blocks submission
    WARNING = "warning"  # needs a comment before submission


@dataclass(frozen=True)
class ValidationRule:
    code: str
    name: str
    kind: RuleKind
    importance: Importance
    left: Formula | None = None
    operator: RuleOperator | None = None
    right: Formula | None = None
    data_element: str | None = None
    limit: Decimal | None = None
    remark: str = ""


@dataclass(frozen=True)
class Registry:
    code: str
    name: str
    sources: tuple[Source, ...] = ()
    name_en: str = ""
    remark: str = ""


@dataclass(frozen=True)
class Target:
    value: Decimal
    comparison: Comparison
    date: date

    def met_by(self, value: Decimal) -> bool:
        return self.comparison.holds(value, self.value)

    def __str__(self) -> str:
        return f"{self.comparison.symbol} {self.value.normalize():f}"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    formula: Formula
    direction: Direction
    target: Target
    sources: tuple[Source, ...]
    name_en: str = ""
    base_year: int | None = None
    annex_number: int | None = None
    remark: str = ""
    target_scope: TargetScope = TargetScope.PLAN_AREA
    milestones: tuple[Target, ...] = ()  # targets on the way, earlier than ``target.date``, by date
    continues: Continuation | None = None  # the earlier plan's indicator whose series this one carries on


@dataclass(frozen=True)
class QualitativeTarget:
    """A target without a figure, judged on evidence. ``measured_by``: the registry (its code) whose count at a
    period's end the goals pages show beside it, as a fact for the judgement, not as the judgement (全面建成双千兆城市:
    the standing 双千兆城市)."""

    code: str
    clause: str
    text: str
    remark: str = ""
    measured_by: str | None = None


@dataclass(frozen=True)
class AnnexRow:
    number: int
    indicator: str
    meaning: str
    value: str


@dataclass(frozen=True)
class Annex:
    title: str
    rows: tuple[AnnexRow, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A whole plan. Collections are tuples in the order of the plan file (the order of the text)."""

    code: str
    name: str
    start: date
    end: date
    name_en: str = ""
    document: str = ""
    notice_title: str = ""
    addressees: str = ""
    base_year: int | None = None
    preamble: str = ""
    source_text: str = ""
    remarks: tuple[str, ...] = ()
    loads_on_init: bool = (
        True  # a bundled plan ``yangfan init`` loads; ``False``: loaded by ``yangfan plan load``
    )
    responsible_units: tuple[ResponsibleUnit, ...] = ()
    sectors: tuple[Sector, ...] = ()
    operators: tuple[Operator, ...] = ()
    sections: tuple[Section, ...] = ()
    tasks: tuple[Task, ...] = ()
    special_projects: tuple[SpecialProject, ...] = ()
    safeguards: tuple[Safeguard, ...] = ()
    goals: tuple[Goal, ...] = ()
    annex: Annex | None = None
    org_units: tuple[OrgUnit, ...] = ()
    org_groups: tuple[OrgGroup, ...] = ()
    data_elements: tuple[DataElement, ...] = ()
    registries: tuple[Registry, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    qualitative_targets: tuple[QualitativeTarget, ...] = ()
    data_sets: tuple[DataSet, ...] = ()
    validation_rules: tuple[ValidationRule, ...] = ()
    # The plan file's ``supervision:`` and ``evaluation:`` sections; schemes in the order they took effect
    # (``evaluation.scheme_for`` picks the one for a period).
    supervision: SupervisionRules = field(default_factory=SupervisionRules)
    evaluation_schemes: tuple[ScoringScheme, ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def org_tree(self) -> OrgTree:
        return OrgTree(self.org_units, self.org_groups)

    @cached_property
    def elements_by_code(self) -> dict[str, DataElement]:
        return {e.code: e for e in self.data_elements}

    @cached_property
    def unit_names(self) -> dict[str, str]:
        """Every unit's and group's name by code (an engine names them in its reasons; built once per plan)."""
        return {u.code: u.name for u in self.org_units} | {g.code: g.name for g in self.org_groups}

    def task(self, code: str) -> Task:
        return self._lookup("tasks", code)

    def indicator(self, code: str) -> Indicator:
        return self._lookup("indicators", code)

    def data_element(self, code: str) -> DataElement:
        return self._lookup("data_elements", code)

    def data_set(self, code: str) -> DataSet:
        return self._lookup("data_sets", code)

    def responsible_unit(self, code: str) -> ResponsibleUnit:
        return self._lookup("responsible_units", code)

    def unit_by_name(self, name: str) -> ResponsibleUnit | None:
        """The responsible unit called ``name`` or known by it as an alias (省交通厅 → 省交通运输厅)."""
        for unit in self.responsible_units:
            if name == unit.name or name in unit.aliases:
                return unit
        return None

    def tasks_of(self, unit_code: str) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if unit_code in t.responsible_units)

    @property
    def annex_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.annex_number is not None)

    def _lookup(self, collection: str, code: str):
        key = (collection, code)
        if key not in self._index:
            for item in getattr(self, collection):
                self._index[(collection, item.code)] = item
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"{collection}: {code}") from None


def grafted(plan: Plan, others: Iterable[Plan]) -> Plan:
    """``plan`` with the org trees of ``others`` hung where their roots stand in its own tree: the national plan,
    whose file lists the country and its provinces, then holds 610000's cities and counties as the Shaanxi plan
    counts them (and its groups), so that both plans read the same values once each. A plan whose root ``plan``
    does not hold, or holds as its own root, adds nothing; a unit ``plan`` lists already keeps ``plan``'s place."""
    tree = plan.org_tree
    units, groups = list(plan.org_units), list(plan.org_groups)
    known = {u.code for u in units} | {g.code for g in groups}
    for other in others:
        root = other.org_tree.root
        if other.code == plan.code or root is None or root == tree.root or root not in tree.units:
            continue
        units += [u for u in other.org_units if u.code not in known]
        groups += [g for g in other.org_groups if g.code not in known]
        known |= {u.code for u in other.org_units} | {g.code for g in other.org_groups}
    if len(units) == len(plan.org_units) and len(groups) == len(plan.org_groups):
        return plan
    return replace(plan, org_units=tuple(units), org_groups=tuple(groups))
