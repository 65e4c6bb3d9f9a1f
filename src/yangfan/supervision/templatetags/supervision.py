"""What supervision pages say of an alert, in the reader's language (``supervision.texts``)."""

from __future__ import annotations

from django import template

from yangfan.supervision import texts

register = template.Library()

register.filter("alert_message", texts.alert_message)
register.filter("alert_label", texts.alert_label)


@register.filter
def supervisable(assignment, user) -> bool:
    """``{% if share|supervisable:request.user %}``: may the reader issue notices on it and review its reports
    (``permissions.may_supervise``; read from the request's cached scope, no query per row)?"""
    from yangfan.accounts.permissions import may_supervise

    return may_supervise(user, assignment)
