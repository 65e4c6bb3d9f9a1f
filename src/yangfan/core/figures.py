"""Figures as people read them, the same on every page, report, export and in the command line: a count without
decimals, a rate with two, a target with its comparison. Framework-free; the templates' filters are these."""

from __future__ import annotations

from decimal import Decimal

from yangfan.core.plan import Comparison

COUNTED_IN = frozenset({"户", "个", "家", "人"})  # units of things counted one by one


def number(value) -> str:
    """A decimal as people write it: no trailing zeros, no exponent, thousands separated (16,000,000)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)).normalize():,f}"


def decimal2(value) -> str:
    """A computed value for display: two decimals, thousands separated; “—” for no value."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


def figure(value, unit: str = "") -> str:
    """A computed value for display in its unit: a whole count of 户/个/家/人 without decimals
    (18,732,856), anything else as :func:`decimal2` (42.50)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if unit in COUNTED_IN and amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return decimal2(amount)


def indicator_target(indicator, unit: str | None = None) -> str:
    """“> 40 %”: the comparison of the plan's words and the target value with its unit (``unit``: the unit as
    the reader's language writes it, the plan file's by default)."""
    symbol = Comparison(indicator.target_comparison).symbol
    return f"{symbol} {number(indicator.target_value)} {indicator.unit if unit is None else unit}"


def row_target(row) -> str:
    """The target of an indicator result (``datavalues.indicators.IndicatorRow``: its ``target`` and
    ``target_comparison``): “> 40”, or “—” when none binds."""
    if not row.target:
        return "—"
    return f"{Comparison(row.target_comparison).symbol} {number(row.target)}"
