from __future__ import annotations

from django import template

from yangfan.core import figures

register = template.Library()


# the figures every page shows, formatted as the reports and the command line format them (core.figures)
register.filter("number", figures.number)
register.filter("target", figures.indicator_target)
register.filter("figure", figures.figure)
register.filter("decimal2", figures.decimal2)
register.filter("row_target", figures.row_target)


@register.filter
def status_label(code: str) -> str:
    """The Chinese label of an assessment status (已达标, 进度正常, …)."""
    from yangfan.core.targets import Status

    return Status(code).label
