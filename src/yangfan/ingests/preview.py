"""What a run would change, before it does: its largest value changes and the annex indicators it moves.

The indicators are computed by the engine every page uses (``datavalues.indicators.assessments`` over the stored
totals), before and after the run's values are written inside a transaction that is then rolled back: the
preview's figures are the ones the dashboard would show after applying, to the last digit, with no second way of
computing them. They are computed for the province and the units counted directly in it (the cities) at every
year the run's months fall in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction

from yangfan.core.periods import Period, PeriodKind
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.indicators import assessments, core_plans

LARGEST = 20  # value changes listed in a preview, the largest first
EFFECTS = 200  # indicator rows listed at most (province and cities × annex indicators × years)


def _relative(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """The change from ``before`` to ``after`` in per cent of ``before`` (None where there is nothing to divide)."""
    if before is None or after is None or before == 0:
        return None
    return (after - before) / abs(before) * 100


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _short(value: Decimal | None) -> str | None:
    """An indicator's value as a preview shows it: four decimals at most (the engine's are unrounded)."""
    return None if value is None else _text(value.quantize(Decimal("0.0001")))


def largest_changes(changed: Sequence[ParsedRow], stored: dict[tuple, Decimal]) -> list[dict]:
    """The ``LARGEST`` changes of stored values, by the size of the change relative to the stored value (a value
    that was 0 first, by its absolute change)."""

    def size(row: ParsedRow) -> tuple:
        before = stored[row.key]
        relative = _relative(before, row.value)
        return (relative is None, -abs(relative) if relative is not None else -abs(row.value - before))

    return [
        {
            "data_element": r.data_element.code,
            "data_element_name": r.data_element.name,
            "org_unit": r.org_unit.code,
            "org_unit_name": r.org_unit.name,
            "period": r.period,
            "operator": r.operator.code if r.operator else "",
            "operator_name": r.operator.name if r.operator else "",
            "stored": _text(stored[r.key]),
            "computed": _text(r.value),
            "change_pct": _text(_round(_relative(stored[r.key], r.value))),
        }
        for r in sorted(changed, key=size)[:LARGEST]
    ]


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _assessed(years: list[Period], elements: set[str]) -> dict[tuple, tuple]:
    """(plan, indicator, unit, year) -> (value, name, unit name, indicator unit) for every annex indicator of every
    plan that reads one of ``elements`` (the others cannot move), for its root and the units counted in it."""
    found = {}
    for plan in core_plans().values():
        tree = plan.org_tree
        moved = [i for i in plan.annex_indicators if elements & set(i.formula.data_elements)]
        if tree.root is None or not moved:
            continue
        units = [tree.root, *(u.code for u in tree.children(tree.root))]
        for year in years:
            for row in assessments(plan, units, year, moved):
                found[(plan.code, row.indicator, row.org_unit, str(year))] = (
                    row.value,
                    row.name,
                    tree.units[row.org_unit].name,
                    row.unit,
                )
    return found


def indicator_effects(rows: Sequence[ParsedRow], write: Callable[[], None]) -> list[dict]:
    """Each annex indicator of the province and its cities that ``write`` (writing ``rows``) would move: its value
    before and after, and the change in per cent. ``write`` runs inside a transaction that is rolled back."""
    years = sorted({Period(PeriodKind.YEAR, int(r.period[:4])) for r in rows}, key=lambda p: p.start)
    elements = {r.data_element.code for r in rows}
    if not years:
        return []
    before = _assessed(years, elements)
    if not before:
        return []  # no annex indicator reads what the run writes
    with transaction.atomic():
        write()
        after = _assessed(years, elements)
        transaction.set_rollback(True)
    effects = []
    for key, (value, name, unit_name, unit) in after.items():
        old = before.get(key, (None,))[0]
        if old == value:
            continue
        plan, indicator, org_unit, year = key
        effects.append(
            {
                "plan": plan,
                "indicator": indicator,
                "name": name,
                "unit": unit,
                "org_unit": org_unit,
                "org_unit_name": unit_name,
                "period": year,
                "before": _short(old),
                "after": _short(value),
                "change_pct": _text(_round(_relative(old, value))),
            }
        )
    effects.sort(key=lambda e: (-_size(e), e["plan"], e["indicator"], e["org_unit"], e["period"]))
    return effects[:EFFECTS]


def _size(effect: dict) -> Decimal:
    """An effect's size in per cent; a value that appears, disappears or leaves 0 counts as 100 %."""
    return abs(Decimal(effect["change_pct"])) if effect["change_pct"] else Decimal(100)


def largest_effect(effects: Sequence[dict]) -> Decimal:
    """The largest change in per cent among ``effects``."""
    return max((_size(e) for e in effects), default=Decimal(0))
