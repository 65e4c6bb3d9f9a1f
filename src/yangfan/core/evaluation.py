"""Evaluation (评估): a score from 0 to 100 for each responsible unit and city, with the figures behind it.

The plan asks the leading groups to evaluate (“评估”) the implementation but sets no method; the weights
are the plan file's versioned ``evaluation:`` schemes (:class:`ScoringScheme`), so a change of weights is a
new version and an old period keeps being scored as it was. The score has four components, each a ratio
from 0 to 1 judged for one reporting period ``period`` as of a day ``as_of`` (what was known that day):

- ``completion`` (任务完成): the mean, over the unit's assignments that have started by ``period`` (whose
  ``first_period`` is not after it), of the percent complete given by the latest report of a period up to
  ``period`` submitted by ``as_of``; a report saying 已完成 counts 100, an assignment with no such report 0.
  Not applicable when no assignment has started.
- ``timeliness`` (按时报送): reports submitted on or before their deadline, for every period from each
  assignment's ``first_period`` to ``period`` whose deadline is on or before ``as_of``, plus milestones due
  on or before ``as_of`` met on or before their due date; over the reports due plus the milestones due. On
  the deadline day itself, a report not yet submitted (a milestone not yet met) is not judged yet: the unit
  still has that day, as the supervision alerts also hold. Not applicable when nothing is due.
- ``evidence`` (佐证材料): the share of the reports of periods up to ``period`` submitted by ``as_of`` that
  carry at least one piece of evidence. Not applicable when no report has been submitted.
- ``indicators`` (指标达成): the mean of the scheme's ``status_points`` over the statuses of the indicators
  the unit answers for (``core.targets.Status`` values), leaving out ``unknown`` and ``no_target``, divided
  by 100. Not applicable when none remain. A scheme gives points to the four statuses of a target still ahead
  (achieved, on_track, at_risk, off_track); a target ``missed`` at its date scores as ``off_track`` does unless
  the scheme gives ``missed`` points of its own (``SCORED_AS``): a scheme written before that status existed
  keeps meaning what it said, and no points are invented for it.

**Lead and co-operating units.** The plan names a task's units in an order; the first leads (牵头), the others
co-operate (配合). A unit's assignments are combined with the scheme's ``unit_weights`` (``lead``,
``cooperating``): in ``completion`` each assignment's percent weighs its role's weight, in ``timeliness`` and
``evidence`` each report and milestone weighs the weight of its assignment's role. A scheme that sets none weighs
both roles 1, which is the plain mean and count of before; a unit whose counted assignments all have one role
gets the same ratio whatever the weights. Which assignments a unit leads is ``UnitInputs.leads``.

A component's points are ``weight × ratio``, the weights of the applicable components scaled up to sum to
100, so the total stays on 0–100 whatever is not applicable; a not-applicable component gives no points and
its explanation says 不适用 and why; each explanation comes with the figures it is written from (``facts``), so
that a page in another language can say the same. With nothing applicable the total is 0. The total is rounded
half up to 0.01; the points are rounded to 0.01 so that they add up exactly to the total (each is its exact value
rounded down, and the hundredths left over go to the largest remainders, in component order on a tie).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from yangfan.core.errors import YangfanError
from yangfan.core.periods import Period
from yangfan.core.supervision import (
    AssignmentState,
    FrozenMap,
    ReportState,
    SupervisionRules,
    chinese_date,
    periods_between,
    report_due,
)

COMPONENTS = ("completion", "timeliness", "evidence", "indicators")
COMPONENT_LABELS = {
    "completion": "任务完成",
    "timeliness": "按时报送",
    "evidence": "佐证材料",
    "indicators": "指标达成",
}
# The values of core.targets.Status that judge achievement, those a scheme must give points to, those it may
# leave out (scored as another), and those that say nothing about achievement. Written out here (not imported)
# because core.plan holds schemes and core.targets imports core.plan.
STATUSES = ("achieved", "on_track", "at_risk", "off_track", "missed")
SCHEME_STATUSES = ("achieved", "on_track", "at_risk", "off_track")
SCORED_AS = {"missed": "off_track"}  # a target missed at its date is at least as far behind as off track
STATUS_LABELS = {
    "achieved": "已达标",
    "on_track": "进度正常",
    "at_risk": "有风险",
    "off_track": "严重滞后",
    "missed": "未达标",
}
UNJUDGED_STATUSES = ("unknown", "no_target")
# A unit's role in a task (the plan names the lead unit first) and the weight a scheme gives each by default.
ROLES = ("lead", "cooperating")
ROLE_LABELS = {"lead": "牵头", "cooperating": "配合"}
EQUAL_UNIT_WEIGHTS = {"lead": Decimal(1), "cooperating": Decimal(1)}

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)  # the same digits whatever the caller's context


class EvaluationError(YangfanError):
    """Input a score cannot be computed from."""


class ScoringSchemeInvalid(EvaluationError):
    def __init__(self, version: str, message: str):
        self.version = version
        super().__init__(f"评分方案（版本 {version}）：{message}")


class NoScoringScheme(EvaluationError):
    def __init__(self, period_end: date, schemes: Sequence[ScoringScheme]):
        self.period_end = period_end
        if schemes:
            first = min(s.effective_from for s in schemes)
            message = (
                f"{chinese_date(period_end)}时还没有生效的评分方案（最早的方案自{chinese_date(first)}起生效）"
            )
        else:
            message = "计划文件没有配置评分方案（evaluation），无法评分"
        super().__init__(message)


class UnknownStatus(EvaluationError):
    def __init__(self, unit: str, status: str):
        self.unit = unit
        self.status = status
        known = "、".join((*STATUSES, *UNJUDGED_STATUSES))
        super().__init__(f"单位 {unit} 的指标状态“{status}”无效，应为以下之一：{known}")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class ScoringScheme:
    """One version of the scoring method: the components' weights (summing to 100), the points an
    indicator earns for each status (``SCHEME_STATUSES``, and optionally those of ``SCORED_AS``: see
    :meth:`points`) and the weight of a lead and of a co-operating unit's assignment (``unit_weights``, each
    above 0 and at most 100; ``None``: 1 and 1, the plain mean). All are kept as read-only, hashable mappings
    of Decimals."""

    version: str
    name: str
    effective_from: date
    weights: Mapping[str, Decimal]
    status_points: Mapping[str, Decimal]
    remark: str = ""
    unit_weights: Mapping[str, Decimal] | None = None

    def __post_init__(self) -> None:
        weights = FrozenMap((k, _decimal(v)) for k, v in self.weights.items())
        points = FrozenMap((k, _decimal(v)) for k, v in self.status_points.items())
        roles = FrozenMap((k, _decimal(v)) for k, v in (self.unit_weights or EQUAL_UNIT_WEIGHTS).items())
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "status_points", points)
        object.__setattr__(self, "unit_weights", roles)
        if set(roles) != set(ROLES):
            raise ScoringSchemeInvalid(
                self.version, "单位权重（unit_weights）应恰好包括 lead（牵头）和 cooperating（配合）两项"
            )
        if any(not w.is_finite() or not 0 < w <= HUNDRED for w in roles.values()):
            raise ScoringSchemeInvalid(self.version, "单位权重（unit_weights）应大于 0 且不超过 100")
        if set(weights) != set(COMPONENTS):
            raise ScoringSchemeInvalid(self.version, f"权重应恰好包括 {'、'.join(COMPONENTS)} 四项")
        if any(not w.is_finite() or w < 0 for w in weights.values()):
            raise ScoringSchemeInvalid(self.version, "权重不能为负数")
        if sum(weights.values()) != HUNDRED:
            raise ScoringSchemeInvalid(self.version, f"权重之和应为 100，实际为 {sum(weights.values())}")
        if not set(SCHEME_STATUSES) <= set(points) <= set(STATUSES):
            optional = "、".join(f"{s}（未设时按 {a} 计）" for s, a in SCORED_AS.items())
            raise ScoringSchemeInvalid(
                self.version, f"状态得分应包括 {'、'.join(SCHEME_STATUSES)} 四项，可另设 {optional}"
            )
        if any(not p.is_finite() or not 0 <= p <= HUNDRED for p in points.values()):
            raise ScoringSchemeInvalid(self.version, "状态得分应在 0 至 100 之间")

    def role_weight(self, role: str) -> Decimal:
        """The weight of an assignment of ``role`` (``lead`` or ``cooperating``)."""
        return self.unit_weights[role]

    @property
    def weighs_roles(self) -> bool:
        """Whether a lead assignment weighs differently from a co-operating one."""
        return self.unit_weights["lead"] != self.unit_weights["cooperating"]

    def points(self, status: str) -> Decimal:
        """The points of ``status`` (one of ``STATUSES``): the scheme's own, else those of the status it is
        scored as (``SCORED_AS``: a missed target as off track)."""
        if status in self.status_points:
            return self.status_points[status]
        return self.status_points[SCORED_AS[status]]


@dataclass(frozen=True)
class UnitInputs:
    """What a unit is judged on: its assignments, the keys of those it leads (牵头; the others it co-operates
    on, 配合) and the statuses of the indicators it answers for."""

    key: str
    name: str
    kind: str  # "department" or "city"
    assignments: tuple[AssignmentState, ...]
    indicator_statuses: tuple[str, ...] = ()
    leads: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "assignments", tuple(self.assignments))
        object.__setattr__(self, "indicator_statuses", tuple(str(s) for s in self.indicator_statuses))
        object.__setattr__(self, "leads", frozenset(self.leads))
        strangers = self.leads - {a.key for a in self.assignments}
        if strangers:
            raise EvaluationError(
                f"单位 {self.key} 牵头的任务分工 {'、'.join(sorted(strangers))} 不在它的任务分工之中"
            )

    def role(self, assignment: AssignmentState) -> str:
        """``lead`` for an assignment the unit leads, ``cooperating`` for one it co-operates on."""
        return "lead" if assignment.key in self.leads else "cooperating"


@dataclass(frozen=True)
class Component:
    """One part of a score. ``ratio`` 0..1 (``None``: not applicable); ``points`` what it adds to the total.

    ``facts`` are the figures ``explanation`` is written from, JSON-ready: ``not_applicable`` (why:
    ``no_assignments``, ``not_started`` with ``period``, ``nothing_due`` with ``as_of``, ``no_reports``,
    ``no_indicators``, ``all_unjudged``) or, by component, ``tasks``/``mean``/``done``/``unreported``; ``reports_due``/
    ``reports_on_time``/``milestones_due``/``milestones_on_time``; ``reports``/``with_evidence``;
    ``judged``/``counts`` (by status)/``mean``/``skipped``."""

    name: str
    label: str
    weight: Decimal  # the scheme's weight, before scaling for components that do not apply
    ratio: Decimal | None
    points: Decimal
    explanation: str
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def applicable(self) -> bool:
        return self.ratio is not None


@dataclass(frozen=True)
class UnitScore:
    key: str
    name: str
    kind: str
    total: Decimal
    components: tuple[Component, ...]
    scheme_version: str

    def component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    @property
    def applicable(self) -> bool:
        """Whether anything could be judged (with nothing applicable the total is 0 and means nothing)."""
        return any(c.applicable for c in self.components)


@dataclass(frozen=True)
class RankedScore:
    rank: int
    score: UnitScore


def scheme_for(schemes: Sequence[ScoringScheme], period_end: date) -> ScoringScheme:
    """The scheme in force on ``period_end``: the one with the latest ``effective_from`` on or before it."""
    in_force = [s for s in schemes if s.effective_from <= period_end]
    if not in_force:
        raise NoScoringScheme(period_end, schemes)
    return max(in_force, key=lambda s: s.effective_from)


def score(
    unit: UnitInputs, *, scheme: ScoringScheme, period: str, as_of: date, rules: SupervisionRules
) -> UnitScore:
    """``unit``'s score for ``period`` as of ``as_of`` under ``scheme`` (see the module docstring)."""
    looked_at = rules.parse(period)
    with localcontext(_CONTEXT):
        judged = {
            "completion": _completion(unit, scheme, looked_at, as_of, rules),
            "timeliness": _timeliness(unit, scheme, period, as_of, rules),
            "evidence": _evidence(unit, scheme, looked_at, as_of, rules),
            "indicators": _indicators(unit, scheme),
        }
        applicable_weight = sum(
            (scheme.weights[name] for name, (ratio, _, _) in judged.items() if ratio is not None), Decimal(0)
        )
        raw = {
            name: (scheme.weights[name] * ratio * HUNDRED / applicable_weight)
            if ratio is not None and applicable_weight
            else Decimal(0)
            for name, (ratio, _, _) in judged.items()
        }
        total = min(sum(raw.values(), Decimal(0)).quantize(CENT, ROUND_HALF_UP), HUNDRED.quantize(CENT))
        points = _apportion(raw, total)
    return UnitScore(
        key=unit.key,
        name=unit.name,
        kind=unit.kind,
        total=total,
        components=tuple(
            Component(
                name=name,
                label=COMPONENT_LABELS[name],
                weight=scheme.weights[name],
                ratio=judged[name][0],
                points=points[name],
                explanation=judged[name][1],
                facts=judged[name][2],
            )
            for name in COMPONENTS
        ),
        scheme_version=scheme.version,
    )


def rank(scores: Iterable[UnitScore]) -> list[RankedScore]:
    """Competition ranking (1, 2, 2, 4) by total, highest first; equal totals listed by key."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.key))
    ranked: list[RankedScore] = []
    for position, unit_score in enumerate(ordered, start=1):
        if ranked and ranked[-1].score.total == unit_score.total:
            ranked.append(RankedScore(ranked[-1].rank, unit_score))
        else:
            ranked.append(RankedScore(position, unit_score))
    return ranked


# -- the components -----------------------------------------------------------------------------------
Judged = tuple[Decimal | None, str, dict[str, Any]]  # ratio, explanation, facts


def _submitted_up_to(
    assignment: AssignmentState, looked_at: Period, as_of: date, rules: SupervisionRules
) -> list[ReportState]:
    """The assignment's reports of periods up to ``looked_at`` submitted by ``as_of``, oldest period first."""
    reports = [(rules.parse(p), r) for p, r in assignment.reports.items() if r.submitted_by(as_of)]
    return [r for p, r in sorted(reports, key=lambda pr: pr[0]) if p <= looked_at]


def _weighting(
    unit: UnitInputs, scheme: ScoringScheme, counted: Iterable[AssignmentState]
) -> tuple[str, dict]:
    """How the roles weighed in a component, when that changed its ratio: the counted assignments include both
    a lead and a co-operating one and the scheme weighs the roles differently. The note and its facts, or
    ``("", {})``."""
    roles = {unit.role(a) for a in counted}
    if len(roles) < 2 or not scheme.weighs_roles:
        return "", {}
    lead, cooperating = (_plain(scheme.role_weight(r)) for r in ROLES)
    leads = sum(1 for a in counted if unit.role(a) == "lead")
    note = f"（牵头 {leads} 项，按牵头 {lead}、配合 {cooperating} 加权）"
    return note, {"weighted": {"leads": leads, "lead": lead, "cooperating": cooperating}}


def _completion(
    unit: UnitInputs, scheme: ScoringScheme, looked_at: Period, as_of: date, rules: SupervisionRules
) -> Judged:
    started = [a for a in unit.assignments if rules.parse(a.first_period) <= looked_at]
    if not started:
        if not unit.assignments:
            return None, "不适用：没有分派给本单位的任务", {"not_applicable": "no_assignments"}
        why = f"本单位的任务都在 {looked_at} 之后才开始"
        return None, f"不适用：{why}", {"not_applicable": "not_started", "period": str(looked_at)}
    weighted = total_weight = Decimal(0)
    done = unreported = 0
    for assignment in started:
        weight = scheme.role_weight(unit.role(assignment))
        total_weight += weight
        reports = _submitted_up_to(assignment, looked_at, as_of, rules)
        if not reports:
            unreported += 1
            continue
        latest = reports[-1]
        done += latest.completion == 100
        weighted += weight * latest.completion
    mean = weighted / total_weight
    notes = [f"{done} 项已完成"]
    if unreported:
        notes.append(f"{unreported} 项尚无报告（按 0% 计）")
    note, weighting = _weighting(unit, scheme, started)
    explanation = f"{len(started)} 项任务{note}，按最新报告平均完成 {_fmt(mean)}%（{'，'.join(notes)}）"
    facts = {"tasks": len(started), "mean": _fmt(mean), "done": done, "unreported": unreported, **weighting}
    return mean / HUNDRED, explanation, facts


def _timeliness(
    unit: UnitInputs, scheme: ScoringScheme, period: str, as_of: date, rules: SupervisionRules
) -> Judged:
    reports_due = reports_on_time = milestones_due = milestones_on_time = 0
    weight_due = weight_on_time = Decimal(0)
    counted = []
    for assignment in unit.assignments:
        weight = scheme.role_weight(unit.role(assignment))
        due_before = reports_due + milestones_due
        for p in _periods_from(assignment.first_period, period, rules):
            deadline = report_due(p, rules)
            report = assignment.report(p)
            submitted = report is not None and report.submitted_by(as_of)
            if deadline < as_of or (deadline == as_of and submitted):
                on_time = submitted and report.submitted_on <= deadline
                reports_due += 1
                reports_on_time += on_time
                weight_due += weight
                weight_on_time += weight * on_time
        for milestone in assignment.milestones:
            met = milestone.met_by(as_of)
            if milestone.due < as_of or (milestone.due == as_of and met):
                on_time = met and milestone.met_on <= milestone.due
                milestones_due += 1
                milestones_on_time += on_time
                weight_due += weight
                weight_on_time += weight * on_time
        if reports_due + milestones_due > due_before:
            counted.append(assignment)
    due = reports_due + milestones_due
    if not due:
        why = f"不适用：截至{chinese_date(as_of)}尚无到期的报告或节点"
        return None, why, {"not_applicable": "nothing_due", "as_of": as_of.isoformat()}
    ratio = weight_on_time / weight_due
    explanation = f"应报 {reports_due} 期，按时报送 {reports_on_time} 期"
    if milestones_due:
        explanation += f"；到期节点 {milestones_due} 个，按期完成 {milestones_on_time} 个"
    note, weighting = _weighting(unit, scheme, counted)
    if note:
        explanation += f"{note}，按时率 {_fmt(ratio * HUNDRED)}%"
        weighting["weighted"]["rate"] = _fmt(ratio * HUNDRED)
    facts = {
        "reports_due": reports_due,
        "reports_on_time": reports_on_time,
        "milestones_due": milestones_due,
        "milestones_on_time": milestones_on_time,
        **weighting,
    }
    return ratio, explanation, facts


def _periods_from(first: str, last: str, rules: SupervisionRules) -> list[str]:
    rules.parse(first), rules.parse(last)  # both of the rules' kind, or a clear error
    return periods_between(first, last)


def _evidence(
    unit: UnitInputs, scheme: ScoringScheme, looked_at: Period, as_of: date, rules: SupervisionRules
) -> Judged:
    submitted = [(a, r) for a in unit.assignments for r in _submitted_up_to(a, looked_at, as_of, rules)]
    if not submitted:
        return None, "不适用：尚无已报送的报告", {"not_applicable": "no_reports"}
    with_evidence = sum(1 for _, r in submitted if r.evidence_count >= 1)
    weights = [(scheme.role_weight(unit.role(a)), r.evidence_count >= 1) for a, r in submitted]
    ratio = sum((w for w, has in weights if has), Decimal(0)) / sum((w for w, _ in weights), Decimal(0))
    explanation = f"已报送 {len(submitted)} 期报告，其中 {with_evidence} 期附有佐证材料"
    note, weighting = _weighting(unit, scheme, list({a.key: a for a, _ in submitted}.values()))
    if note:
        explanation += f"{note}，占 {_fmt(ratio * HUNDRED)}%"
        weighting["weighted"]["rate"] = _fmt(ratio * HUNDRED)
    return ratio, explanation, {"reports": len(submitted), "with_evidence": with_evidence, **weighting}


def _indicators(unit: UnitInputs, scheme: ScoringScheme) -> Judged:
    judged: list[str] = []
    for status in unit.indicator_statuses:
        if status in UNJUDGED_STATUSES:
            continue
        if status not in STATUSES:
            raise UnknownStatus(unit.key, status)
        judged.append(status)
    if not judged:
        if not unit.indicator_statuses:
            return None, "不适用：本单位没有负责的指标", {"not_applicable": "no_indicators"}
        return None, "不适用：所负责指标均数据不足或未设目标", {"not_applicable": "all_unjudged"}
    mean = sum((scheme.points(s) for s in judged), Decimal(0)) / len(judged)
    counts = "、".join(f"{STATUS_LABELS[s]} {judged.count(s)} 项" for s in STATUSES if s in judged)
    skipped = len(unit.indicator_statuses) - len(judged)
    explanation = f"{len(judged)} 项指标：{counts}，平均 {_fmt(mean)} 分"
    if skipped:
        explanation += f"（另有 {skipped} 项数据不足或未设目标，不计）"
    facts = {
        "judged": len(judged),
        "counts": {s: judged.count(s) for s in STATUSES if s in judged},
        "mean": _fmt(mean),
        "skipped": skipped,
    }
    return mean / HUNDRED, explanation, facts


# -- rounding ------------------------------------------------------------------------------------------
def _apportion(raw: Mapping[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """``raw`` rounded to hundredths so that they add up to ``total`` (largest-remainder rounding)."""
    floors = {name: value.quantize(CENT, ROUND_DOWN) for name, value in raw.items()}
    left = int((total - sum(floors.values(), Decimal(0))) / CENT)
    by_remainder = sorted(raw, key=lambda name: (-(raw[name] - floors[name]), COMPONENTS.index(name)))
    for name in by_remainder[: max(left, 0)]:
        floors[name] += CENT
    return floors


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


def _plain(value: Decimal) -> str:
    """A weight as written: 2, 1.5 (no trailing zeros)."""
    return f"{value.normalize():f}"
