"""``{% load unit_roles %}``: whether an assignment's unit leads its task (牵头) or co-operates (配合), for the
pages that list assignments (the supervision task, assignment and matrix pages) without a query per row.

The tasks' leads are read once per request (one query, a row per task) and kept on the request; a page rendered
without one keeps them for that rendering."""

from __future__ import annotations

from django import template

from yangfan.actionplans.choices import UnitRole
from yangfan.actionplans.selectors import task_leads

register = template.Library()
KEY = "_yangfan_task_leads"


def _leads(context) -> set[tuple[int, int]]:
    """(task id, unit id) of every task's lead, read once per request (or rendering)."""
    request = context.get("request")
    store = vars(request) if request is not None else context.render_context
    cached = store.get(KEY)
    if cached is None:
        cached = store[KEY] = task_leads()
    return cached


@register.simple_tag(takes_context=True)
def unit_role(context, assignment) -> UnitRole:
    """The role (``UnitRole``: ``{{ role }}`` is lead/cooperating, ``{{ role.label }}`` 牵头/配合) of
    ``assignment``'s responsible unit in its task."""
    key = (assignment.task_id, assignment.responsible_unit_id)
    return UnitRole.LEAD if key in _leads(context) else UnitRole.COOPERATING


@register.simple_tag(takes_context=True)
def unit_role_label(context, assignment) -> str:
    """牵头 or 配合 (:func:`unit_role`'s label)."""
    return unit_role(context, assignment).label
