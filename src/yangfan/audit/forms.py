"""The auditor's filter form, and the date input every app's forms use.

The date input lives here because audit is the lowest layer of Django apps (ADR 0013): every app that has a form
with a date (actionplans, registries, supervision, and audit's own filters) sits above it and may import it, as
they already import the trail's services, ``ReadOnlyModelAdmin`` and the kept fragments.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yangfan.audit.choices import AuditAction
from yangfan.audit.selectors import audit_object_types

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The browser's date picker, its value always written ``YYYY-MM-DD``: an ``<input type="date">`` takes only
    ISO 8601 and stays blank for anything else, such as ``2023/12/31``, the first date format of a Chinese page,
    in which Django would otherwise write it. A form prefilled with a date (a notice's deadline) would then ask
    for the date again."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class DateField(forms.DateField):
    """A date entered with the browser's picker: shown as ``YYYY-MM-DD``, which Django also accepts in every
    language (it adds the ISO format to each locale's input formats)."""

    widget = DateInput


class AuditFilterForm(forms.Form):
    """The auditor's filters. An invalid filter is reported and ignored, the valid ones still apply."""

    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = DateField(label=_("起始日期"), required=False)
    date_to = DateField(label=_("截止日期"), required=False)
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["action"].choices = everything + list(AuditAction.choices)
        self.fields["object_type"].choices = everything + [(t, t) for t in audit_object_types() if t]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of ``selectors.audit_entry_list``."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def describe(self) -> str:
        """The filters in words (in the source language: it is stored), for the detail of an export entry."""
        with translation.override(settings.LANGUAGE_CODE):
            parts = [f"{self.fields[name].label}={value}" for name, value in self.filters().items()]
            return "；".join(parts) or str(_("无"))
