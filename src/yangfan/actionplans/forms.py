from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangfan.actionplans.choices import Comparison
from yangfan.audit.forms import DateField
from yangfan.orgunits.models import OrgUnit


class UnitTargetForm(forms.Form):
    org_unit = forms.ModelChoiceField(
        label=_("地区"), queryset=OrgUnit.objects.order_by("code"), to_field_name="code"
    )
    date = DateField(
        label=_("目标日期"),
        help_text=_(
            "等于指标的目标日期时为该地区的最终目标；更早的日期为阶段目标（如 2021-12-31、2022-12-31）。"
        ),
    )
    comparison = forms.ChoiceField(label=_("比较"), choices=Comparison.choices)
    value = forms.DecimalField(label=_("目标值"), max_digits=20, decimal_places=4)
    note = forms.CharField(
        label=_("依据或说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    # the version of the target opened with 「修改」 (``audit.conflicts.version_of``); empty when setting anew
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class TaskLeadForm(forms.Form):
    """The provincial office makes another of a task's units its lead (牵头), saying why."""

    unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=None, to_field_name="code", empty_label=None)
    reason = forms.CharField(
        label=_("改定理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("请填写改定牵头单位的理由。")},
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = task.units.order_by("task_links__position")
