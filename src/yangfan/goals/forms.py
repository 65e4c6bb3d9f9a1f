"""The verdict form: a conclusion, the reasoning, and the evidence, offered only as far as the writer may read it
(registry entries within the verdict's unit through ``registries.view``, the plan's tasks)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangfan.goals.choices import Verdict
from yangfan.goals.selectors import entry_choices, task_choices

NO_REASONING = _("请填写判断理由：评估结论须说明依据，未保存。")


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.title}"


class GoalVerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("评估结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        label=_("判断理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": NO_REASONING},
        help_text=_("说明得出结论的依据：做了什么、达到什么程度、与目标原文的差距。"),
    )
    entries = forms.MultipleChoiceField(
        label=_("佐证条目（登记簿）"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("只列出本地区内您可查看的登记簿条目；按住 Ctrl 可多选。"),
    )
    tasks = TaskChoiceField(
        label=_("相关任务"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    documents = forms.CharField(
        label=_("佐证文件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：文件名称、文号或链接。"),
    )

    def __init__(self, *args, user, plan, org_unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = entry_choices(actor=user, org_unit=org_unit)
        self.fields["tasks"].queryset = task_choices(actor=user, plan=plan)

    @classmethod
    def initial_of(cls, verdict) -> dict:
        """The form filled with ``verdict`` (the draft, or the standing verdict to revise)."""
        if verdict is None:
            return {}
        return {
            "verdict": verdict.verdict,
            "reasoning": verdict.reasoning,
            "entries": [e.key for e in verdict.entries.all()],
            "tasks": [t.pk for t in verdict.tasks.all()],
            "documents": "\n".join(verdict.documents),
        }

    def document_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("documents", "").splitlines() if line.strip()]
