from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yangfan.audit.choices import AuditAction
from yangfan.audit.selectors import audit_object_types


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The auditor's filters. An invalid filter is reported and ignored, the valid ones still apply."""

    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)
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
