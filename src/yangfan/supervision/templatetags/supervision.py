"""What supervision pages say of an alert, in the reader's language (``supervision.texts``)."""

from __future__ import annotations

from django import template

from yangfan.supervision import texts

register = template.Library()

register.filter("alert_message", texts.alert_message)
register.filter("alert_label", texts.alert_label)
