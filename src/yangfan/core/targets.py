"""Judging a value against its target: met or not, and where the series is heading.

Projection method: an ordinary least-squares straight line through the observed (date, value) points,
evaluated at the target date. Status:

- ``achieved``: the latest value already meets the target;
- ``on_track``: the projection meets the target by the target date;
- ``at_risk``: the projection misses, but by no more than 10 % of the target value;
- ``off_track``: the projection misses by more;
- ``unknown``: fewer than two observations, so there is no trend to project.

At or after the target date nothing is projected: a value short of the target is at risk (within 10 %) or
off track, whatever its trend.

The pace needed is what must be added per calendar month, from the latest observation to the target date,
for the target to be reached (a straight path; for a strict "超过" target, reaching the value is the pace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from yangfan.core.plan import Direction, Target

AT_RISK_MARGIN = Decimal("0.10")


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "achieved": "已达标",
            "on_track": "进度正常",
            "at_risk": "有风险",
            "off_track": "严重滞后",
            "unknown": "数据不足",
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
    """Judge the latest value of ``series`` (sorted or not) against ``target``."""
    if not series:
        return Judgement(met=None, status=Status.UNKNOWN)
    ordered = sorted(series)
    latest_date, latest = ordered[-1]
    met = target.met_by(latest)
    months = months_between(latest_date, target.date)
    pace = (target.value - latest) / months if months > 0 and not met else None
    if met:
        return Judgement(met=True, status=Status.ACHIEVED, projected=latest, pace_per_month=None)
    # once the target date has come, the value itself is the verdict: there is no trend left to wait for
    projected = latest if latest_date >= target.date else project(ordered, target.date)
    if projected is None:
        return Judgement(met=False, status=Status.UNKNOWN, pace_per_month=pace)
    if target.met_by(projected):
        status = Status.ON_TRACK
    else:
        margin = abs(target.value) * AT_RISK_MARGIN
        short = target.value - projected if direction == Direction.INCREASE else projected - target.value
        status = Status.AT_RISK if short <= margin else Status.OFF_TRACK
    return Judgement(met=False, status=status, projected=projected, pace_per_month=pace)
