from __future__ import annotations

from django import template

from yangfan.actionplans import display
from yangfan.core import figures

register = template.Library()


# the figures every page shows, formatted as the reports and the command line format them (core.figures)
register.filter("number", figures.number)
register.filter("figure", figures.figure)
register.filter("decimal2", figures.decimal2)
register.filter("row_target", figures.row_target)
# the plan's words in the reader's language (actionplans.display)
register.filter("unit", display.unit_label)
register.filter("status_label", display.status_label)
register.filter("named", display.localized_name)


@register.filter
def target(indicator) -> str:
    """“> 40 %”, the unit in the reader's language."""
    return figures.indicator_target(indicator, display.unit_label(indicator.unit))
