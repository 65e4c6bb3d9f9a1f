from __future__ import annotations

from decimal import Decimal

from django import template

from yangfan.core.plan import Comparison

register = template.Library()


@register.filter
def number(value) -> str:
    """A decimal as people write it: no trailing zeros, no exponent, thousands separated (16,000,000)."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    text = f"{value.normalize():,f}"
    return text


@register.filter
def target(indicator) -> str:
    """“> 40 %”: the comparison of the plan's words and the target value with its unit."""
    symbol = Comparison(indicator.target_comparison).symbol
    return f"{symbol} {number(indicator.target_value)} {indicator.unit}"


COUNTED_IN = frozenset({"户", "个", "家", "人"})  # units of things counted one by one


@register.filter
def figure(value, unit: str = "") -> str:
    """A computed value for display in its unit: a whole count of 户/个/家/人 without decimals
    (18,732,856), anything else as :func:`decimal2` (42.50)."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if unit in COUNTED_IN and number == number.to_integral_value():
        return f"{number:,.0f}"
    return decimal2(number)


@register.filter
def decimal2(value) -> str:
    """A computed value for display: two decimals, thousands separated; empty for no value."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


@register.filter
def row_target(row) -> str:
    """The target of an assessment row (``datavalues.indicators.assessments``): “> 40”, or “—” when none binds."""
    if not row.get("target"):
        return "—"
    return f"{Comparison(row['target_comparison']).symbol} {number(row['target'])}"


@register.filter
def status_label(code: str) -> str:
    """The Chinese label of an assessment status (已达标, 进度正常, …)."""
    from yangfan.core.targets import Status

    return Status(code).label
