"""Indicator assessments for org units, from the stored values (shared by the CLI and the API)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from yangfan.core.engine import Engine, assess
from yangfan.core.periods import Period
from yangfan.core.plan import Indicator, Plan
from yangfan.core.planfile import bundled_plan_paths, load_plan
from yangfan.datavalues.selectors import values_for_engine


@cache
def _plans_at(paths: tuple[Path, ...]) -> dict[str, Plan]:
    return {p.code: p for p in map(load_plan, paths)}


def core_plans() -> dict[str, Plan]:
    """The bundled plans as the engine reads them (parsed once per process)."""
    return _plans_at(tuple(bundled_plan_paths()))


def assessments(
    plan: Plan, org_units: list[str], period: Period, indicators: list[Indicator] | None = None
) -> list[dict]:
    """``assess`` for each org unit × indicator (all of the plan's unless given), as DESIGN.md's JSON rows."""
    engine = Engine(plan, values_for_engine())
    chosen = plan.indicators if indicators is None else indicators
    return [assess(engine, indicator, org, period).as_dict() for org in org_units for indicator in chosen]
