"""Forms of the security assessment. What a form offers is read through the permission module: the applications a
user may assess (``restrict`` with ``security.assess``), the evaluation bodies able to assess and not retired. The
services check everything again; the forms only ask and say what is missing, next to its field."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.permissions import restrict
from yangfan.audit.forms import DateField
from yangfan.security.choices import Answer, AssessmentKind, LifeStage
from yangfan.security.models import Question, Questionnaire, Risk

ASSESS = "security.assess"
SCALE = [(n, str(n)) for n in range(1, 6)]


def _required(label) -> dict:
    """A required field's message naming the field (in the reader's language when the page is drawn)."""
    return {"required": format_lazy(_("请填写{label}。"), label=label)}


class AssessmentForm(forms.Form):
    """A new assessment: one application (a case, or an industry VPN where the user may assess one), the stage of its
    life cycle, self or third-party (then a registered body), the day."""

    case = forms.ModelChoiceField(label=_("应用案例"), queryset=None, required=False)
    vpn = forms.ModelChoiceField(label=_("行业虚拟专网"), queryset=None, required=False)
    stage = forms.ChoiceField(label=_("生命周期阶段"), choices=LifeStage.choices)
    kind = forms.ChoiceField(label=_("评估方式"), choices=AssessmentKind.choices)
    body = forms.ModelChoiceField(
        label=_("评估机构"),
        queryset=None,
        required=False,
        help_text=_("第三方评估时选择；只列出已登记5G应用安全评估能力且未注销的机构。"),
    )
    assessed_on = DateField(label=_("评估日期"), error_messages=_required(_("评估日期")))
    summary = forms.CharField(label=_("评估结论"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        from yangfan.registries.models import ApplicationCase, EvaluationBody, IndustryVpn

        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = restrict(
            ApplicationCase.objects.select_related("org_unit"), user, ASSESS
        ).order_by("name", "pk")
        self.fields["case"].error_messages["invalid_choice"] = _(
            "应用案例：所选案例不存在或不在您可以评估的范围内（企业用户只能评估本企业的应用）。"
        )
        vpns = restrict(IndustryVpn.objects.select_related("org_unit"), user, ASSESS).order_by("name", "pk")
        if vpns.exists():
            self.fields["vpn"].queryset = vpns
            self.fields["vpn"].error_messages["invalid_choice"] = _(
                "行业虚拟专网：所选专网不存在或不在您可以评估的范围内。"
            )
        else:
            del self.fields["vpn"]
        today = timezone.localdate()
        self.fields["body"].queryset = EvaluationBody.objects.filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=today), does_assessment=True
        ).order_by("name")
        self.fields["body"].error_messages["invalid_choice"] = _(
            "评估机构：只能选择已登记5G应用安全评估能力且未注销的机构。"
        )
        self.fields["case"].label_from_instance = lambda c: f"{c.name}（{c.enterprise}·{c.org_unit.name}）"
        self.initial.setdefault("assessed_on", today)

    def clean(self):
        data = super().clean()
        case, vpn = data.get("case"), data.get("vpn")
        if not self.errors.get("case") and not self.errors.get("vpn") and bool(case) == bool(vpn):
            self.add_error("case", _("请选择一个应用案例或一个行业虚拟专网（二者选一）。"))
        kind, body = data.get("kind"), data.get("body")
        if kind == AssessmentKind.THIRD_PARTY and not body and "body" not in self.errors:
            self.add_error("body", _("第三方评估请选择已登记的评估机构。"))
        if kind == AssessmentKind.SELF and body:
            self.add_error("body", _("自评估由应用的所有者自行开展，不填评估机构。"))
        return data


class AnswersForm(forms.Form):
    """The answers of one assessment: for each question of its version, the answer, the evidence and a note
    (fields ``a-<id>``, ``e-<id>``, ``n-<id>``)."""

    def __init__(self, *args, questions, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        choices = [("", _("（未答复）")), *Answer.choices]
        for q in self.questions:
            given = answers.get(q.pk)
            self.fields[f"a-{q.pk}"] = forms.ChoiceField(
                label=q.code, choices=choices, required=False, initial=given.answer if given else ""
            )
            self.fields[f"e-{q.pk}"] = forms.CharField(
                label=_("证据"),
                required=False,
                initial=given.evidence if given else "",
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": q.evidence}),
            )
            self.fields[f"n-{q.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                initial=given.note if given else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def bound(self, question) -> tuple:
        """The three fields of ``question``, bound (for the template)."""
        return tuple(self[f"{p}-{question.pk}"] for p in "aen")

    def answers(self) -> dict:
        from yangfan.security.services import AnswerInput

        return {
            q.pk: AnswerInput(
                answer=self.cleaned_data.get(f"a-{q.pk}") or "",
                evidence=self.cleaned_data.get(f"e-{q.pk}") or "",
                note=self.cleaned_data.get(f"n-{q.pk}") or "",
            )
            for q in self.questions
        }


class RiskForm(forms.ModelForm):
    """A finding recorded as a risk: the owner, the remediation and the deadline are required, each asked for by
    name; the level follows from likelihood × impact."""

    likelihood = forms.TypedChoiceField(
        label=_("可能性（1–5）"), choices=SCALE, coerce=int, error_messages=_required(_("可能性"))
    )
    impact = forms.TypedChoiceField(
        label=_("影响程度（1–5）"), choices=SCALE, coerce=int, error_messages=_required(_("影响程度"))
    )
    deadline = DateField(label=_("整改时限"), error_messages=_required(_("整改时限")))
    reassess_on = DateField(label=_("复评日期"), required=False)

    class Meta:
        model = Risk
        fields = [
            "question",
            "title",
            "description",
            "likelihood",
            "impact",
            "owner",
            "remediation",
            "deadline",
            "reassess_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "remediation": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": _required(_("风险名称")),
            "owner": _required(_("整改责任人")),
            "remediation": _required(_("整改措施")),
        }

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = Question.objects.filter(
            questionnaire_id=assessment.questionnaire_id
        ).order_by("position", "code")
        self.fields["question"].required = False

    def _post_clean(self):
        """The service validates the risk as a whole (and computes its level); the form only checks its fields."""


class RiskResponseForm(forms.Form):
    response = forms.CharField(
        label=_("整改情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_required(_("整改情况")),
    )
    remediated_on = DateField(
        label=_("整改完成日期"),
        required=False,
        help_text=_("整改完成时填写：风险转为“已整改待复评”；未完成时只反馈进展。"),
    )


class RiskCloseForm(forms.Form):
    note = forms.CharField(
        label=_("关闭意见（复评结论）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("关闭意见")),
    )


class RiskAcceptForm(forms.Form):
    reason = forms.CharField(
        label=_("接受风险的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("接受风险的理由")),
    )


class RiskExtendForm(forms.Form):
    deadline = DateField(label=_("新的整改时限"), error_messages=_required(_("新的整改时限")))
    reassess_on = DateField(label=_("复评日期"), required=False)
    reason = forms.CharField(
        label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=_required(_("延期理由"))
    )


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["position", "code", "area", "text", "weight", "evidence"]
        # sized for one row of a table per question (no style attributes: the content security policy forbids them)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "cols": 34}),
            "evidence": forms.Textarea(attrs={"rows": 3, "cols": 22}),
            "code": forms.TextInput(attrs={"size": 7}),
            "position": forms.TextInput(attrs={"size": 2, "inputmode": "numeric"}),
            "weight": forms.TextInput(attrs={"size": 2, "inputmode": "numeric"}),
        }

    def validate_unique(self):
        """Codes are checked across the version by the service (the form cannot see its siblings)."""


QuestionFormSet = forms.modelformset_factory(Question, form=QuestionForm, extra=1, can_delete=True)
