"""Judging a value against its target: met or not, and where the series is heading.

Projection method: an ordinary least-squares straight line through the observed (date, value) points,
evaluated at the target date. Status:

- ``achieved``: the latest value already meets the target;
- ``on_track``: the projection meets the target by the target date;
- ``at_risk``: the projection misses, but by no more than 10 % of the target value;
- ``off_track``: the projection misses by more;
- ``missed``: the target's date has come (the latest value is of a period that ends on or after it) and the
  value does not meet it;
- ``unknown``: fewer than two observations, so there is no trend to project.

A target is a dated promise: once its date has come nothing is projected and there is no margin, the value
meets it (achieved) or the target is missed, however close the value and whatever its trend.

The pace needed is what must be added per calendar month, from the latest observation to the target date,
for the target to be reached (a straight path; for a strict "超过" target, reaching the value is the pace).

Which targets bind a unit (:class:`TargetBook`): the targets the province set for that unit in Yangfan
(a final target at the plan's target date, and milestones before it) come first; otherwise the plan's own
target and milestones, for the plan's root unit always and for every other unit only where the plan says its
target binds every unit (a rate such as 普及率; a count such as "用户数超过1600万" binds the province alone).

Which target judges a period (:meth:`UnitTargets.binding`): the latest of the unit's targets (milestones and
final target) whose date falls within the period, from its first to its last day; where none does, the final
target. So the period that contains a milestone's date is judged against that milestone (and, its date having
come by the period's end, reads achieved or missed), every other period against the final target. The binding
milestone is always the milestone due at the period's end (:meth:`UnitTargets.milestone_due`) when that one's
date falls within the period: a milestone due in an earlier period is never a period's target.

The trajectory is the path a unit should follow: straight lines from its baseline value (at the end of the
year before the plan) through each milestone to the final target. It is a reading aid computed from those
figures, never a target of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from yangfan.core.plan import Direction, Indicator, Plan, Target, TargetScope

AT_RISK_MARGIN = Decimal("0.10")


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"
    UNKNOWN = "unknown"
    NO_TARGET = "no_target"

    @property
    def label(self) -> str:
        return {
            "achieved": "已达标",
            "on_track": "进度正常",
            "at_risk": "有风险",
            "off_track": "严重滞后",
            "missed": "未达标",
            "unknown": "数据不足",
            "no_target": "未设目标",
        }[self.value]


@dataclass(frozen=True)
class Judgement:
    met: bool | None
    status: Status
    projected: Decimal | None = None
    pace_per_month: Decimal | None = None


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def project(series: list[tuple[date, Decimal]], when: date) -> Decimal | None:
    """The least-squares line through ``series`` evaluated at ``when``; ``None`` with fewer than 2 dates."""
    points = [(Decimal(d.toordinal()), v) for d, v in series]
    if len({x for x, _ in points}) < 2:
        return None
    n = Decimal(len(points))
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return mean_y + slope * (Decimal(when.toordinal()) - mean_x)


def judge(
    target: Target, series: list[tuple[date, Decimal]], direction: Direction = Direction.INCREASE
) -> Judgement:
    """Judge the latest value of ``series`` (sorted or not) against ``target``; ``series`` dates are the ends of
    the periods the values are of, so the latest date is the end of the period judged."""
    if not series:
        return Judgement(met=None, status=Status.UNKNOWN)
    ordered = sorted(series)
    latest_date, latest = ordered[-1]
    met = target.met_by(latest)
    months = months_between(latest_date, target.date)
    pace = (target.value - latest) / months if months > 0 and not met else None
    if met:
        return Judgement(met=True, status=Status.ACHIEVED, projected=latest, pace_per_month=None)
    if latest_date >= target.date:
        # the date has come: the value itself is the verdict, with no trend left to wait for and no margin
        return Judgement(met=False, status=Status.MISSED, projected=latest, pace_per_month=None)
    projected = project(ordered, target.date)
    if projected is None:
        return Judgement(met=False, status=Status.UNKNOWN, pace_per_month=pace)
    if target.met_by(projected):
        status = Status.ON_TRACK
    else:
        margin = abs(target.value) * AT_RISK_MARGIN
        short = target.value - projected if direction == Direction.INCREASE else projected - target.value
        status = Status.AT_RISK if short <= margin else Status.OFF_TRACK
    return Judgement(met=False, status=status, projected=projected, pace_per_month=pace)


class TargetSource(StrEnum):
    PLAN = "plan"  # the plan file
    PROVINCE = "province"  # set for this unit in Yangfan by the provincial office


@dataclass(frozen=True)
class UnitTarget:
    """A target the province set for one unit and indicator: its final target (at the indicator's target date)
    or a milestone (an earlier date)."""

    indicator: str
    org_unit: str
    target: Target


@dataclass(frozen=True)
class UnitTargets:
    """What binds one unit for one indicator: ``milestones`` by date, ``source`` where the final target comes
    from, ``milestone_sources`` where each milestone does (the same order; ``source`` where not given)."""

    final: Target | None
    milestones: tuple[Target, ...] = ()
    source: TargetSource | None = None
    milestone_sources: tuple[TargetSource, ...] = ()

    def milestone_due(self, on: date) -> Target | None:
        """The latest milestone whose date is on or before ``on``."""
        due = [m for m in self.milestones if m.date <= on]
        return due[-1] if due else None

    def binding(self, start: date, end: date) -> Target | None:
        """The target the period from ``start`` to ``end`` (both inclusive) is judged against: the latest target
        (milestone or final) dated within it, else the final target (see the module docstring)."""
        within = [t for t in (*self.milestones, self.final) if t is not None and start <= t.date <= end]
        return max(within, key=lambda t: t.date) if within else self.final

    def source_of(self, target: Target | None) -> TargetSource | None:
        """Where ``target`` (the final target or one of the milestones) comes from; ``None`` for no target."""
        if target is None:
            return None
        if target != self.final:
            for milestone, source in zip(self.milestones, self.milestone_sources, strict=False):
                if milestone == target:
                    return source
        return self.source

    def trajectory(self, baseline: tuple[date, Decimal] | None) -> list[tuple[date, Decimal]]:
        """The knots of the path: the baseline (when known), each milestone, the final target."""
        if self.final is None:
            return []
        knots = [baseline] if baseline is not None else []
        knots += [
            (t.date, t.value) for t in (*self.milestones, self.final) if not knots or t.date > knots[0][0]
        ]
        return knots if len(knots) >= 2 else []


def on_path(knots: list[tuple[date, Decimal]], when: date) -> Decimal | None:
    """The value of the piecewise-straight path through ``knots`` on ``when``; ``None`` outside it."""
    for (d0, v0), (d1, v1) in itertools.pairwise(knots):
        if d0 <= when <= d1:
            span = Decimal(d1.toordinal() - d0.toordinal())
            return v0 + (v1 - v0) * Decimal(when.toordinal() - d0.toordinal()) / span
    return None


class TargetBook:
    """The targets of a plan, with those the province set per unit on top of them."""

    def __init__(self, plan: Plan, set_targets: Iterable[UnitTarget] = ()):
        self.root = plan.org_tree.root
        self._set: dict[tuple[str, str], dict[date, Target]] = {}
        for t in set_targets:
            self._set.setdefault((t.indicator, t.org_unit), {})[t.target.date] = t.target

    def for_unit(self, indicator: Indicator, org_unit: str) -> UnitTargets:
        final_date = indicator.target.date
        own = self._set.get((indicator.code, org_unit), {})
        binds = org_unit == self.root or indicator.target_scope == TargetScope.EVERY_UNIT
        inherited = {m.date: (m, TargetSource.PLAN) for m in indicator.milestones}
        inherited |= {
            d: (t, TargetSource.PROVINCE)
            for d, t in self._set.get((indicator.code, self.root), {}).items()
            if d < final_date
        }
        own_milestones = {d: (t, TargetSource.PROVINCE) for d, t in own.items() if d < final_date}
        milestones = own_milestones or (inherited if binds else {})
        if final_date in own:
            final, source = own[final_date], TargetSource.PROVINCE
        elif binds:
            final, source = indicator.target, TargetSource.PLAN
        else:
            final, source = None, None
        dates = sorted(milestones)
        return UnitTargets(
            final,
            tuple(milestones[d][0] for d in dates),
            source,
            tuple(milestones[d][1] for d in dates),
        )
