"""Security assessments of applications (四.(三) 8, 专栏4): the list (what the reader may see, filtered, a page at a
time), a new assessment, the answer page (every question of its version by area, saved as a draft), submitting it
(scored, then read-only) and an assessment's page with its answers, score and risks."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import may
from yangfan.security import services
from yangfan.security.choices import AssessmentKind, AssessmentStatus, LifeStage
from yangfan.security.forms import AnswersForm, AssessmentForm
from yangfan.security.models import Assessment
from yangfan.security.selectors import (
    BadFilter,
    answers_of,
    assessment_list,
    city_options,
    may_record_risk,
    questions_by_area,
    sector_options,
)

PAGE = 50
FILTERS = ("stage", "kind", "status", "city", "sector")


def page_of(request, rows):
    """The page of ``rows`` the request asks for (``?page=``), and the query string without it."""
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class AssessmentListView(PermissionMixin, TemplateView):
    template_name = "security/assessments.html"
    permission = "security.view"

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            rows = assessment_list(actor=user, params=self.request.GET)
        except BadFilter as exc:
            messages.error(self.request, str(exc))
            rows = assessment_list(actor=user)
        page, query = page_of(self.request, rows)
        return super().get_context_data(
            page=page,
            query=query,
            params={name: self.request.GET.get(name, "") for name in FILTERS},
            stages=LifeStage.choices,
            kinds=AssessmentKind.choices,
            statuses=AssessmentStatus.choices,
            cities=city_options(user),
            sectors=sector_options(),
            may_assess=may(user, "security.assess"),
            **kwargs,
        )


class AssessmentNewView(PermissionMixin, TemplateView):
    template_name = "security/assessment_new.html"
    permission = "security.assess"

    def get(self, request, *args, **kwargs):
        initial = {}
        if request.GET.get("case", "").isdigit():
            initial["case"] = int(request.GET["case"])
        if request.GET.get("vpn", "").isdigit():
            initial["vpn"] = int(request.GET["vpn"])
        form = AssessmentForm(user=request.user, initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = AssessmentForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = services.assessment_create(
                    actor=request.user,
                    case=data.get("case"),
                    vpn=data.get("vpn"),
                    stage=data["stage"],
                    kind=data["kind"],
                    body=data.get("body"),
                    assessed_on=data["assessed_on"],
                    summary=data.get("summary", ""),
                    request=request,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已创建评估，请逐项答复。"))
                return redirect("security:assessment_answers", pk=assessment.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class AssessmentMixin(PermissionMixin):
    """An assessment named by ``pk``, checked against the reader's scope (another unit's or another enterprise's is
    refused and audited)."""

    permission = "security.view"

    @cached_property
    def assessment(self) -> Assessment:
        return get_object_or_404(
            Assessment.objects.select_related(
                "org_unit", "case__sector", "vpn__sector", "body", "questionnaire", "created_by"
            ),
            pk=self.kwargs["pk"],
        )

    def permission_object(self):
        return self.assessment


class AssessmentView(AssessmentMixin, TemplateView):
    """An assessment: its application (linked to its registry page where the reader may open it), answers by area,
    score, and the risks found."""

    template_name = "security/assessment.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("pk", None)
        user, assessment = self.request.user, self.assessment
        application = assessment.application
        groups = questions_by_area(assessment.questionnaire, answers_of(assessment))
        draft = assessment.status == AssessmentStatus.DRAFT
        may_assess = may(user, "security.assess", assessment)
        return super().get_context_data(
            assessment=assessment,
            application=application,
            application_url=application.get_absolute_url()
            if may(user, "registries.view", application)
            else None,
            groups=groups,
            answered=sum(1 for g in groups for _q, a in g.rows if a is not None),
            count=sum(len(g.rows) for g in groups),
            risks=assessment.risks.select_related("question").order_by("deadline", "pk"),
            may_answer=draft and may_assess,
            may_record_risk=may_record_risk(user, assessment),
            **kwargs,
        )


class AssessmentAnswersView(AssessmentMixin, TemplateView):
    """答复: every question of the version, grouped by area; saved as a draft, or saved and submitted."""

    template_name = "security/assessment_answers.html"
    permission = "security.assess"

    def form(self, data=None) -> AnswersForm:
        groups = questions_by_area(self.assessment.questionnaire)
        questions = [q for g in groups for q, _a in g.rows]
        self.groups = groups
        return AnswersForm(data, questions=questions, answers=answers_of(self.assessment))

    def read_only(self):
        if self.assessment.status == AssessmentStatus.DRAFT:
            return None
        messages.info(self.request, _("评估已提交，答复不能再修改。"))
        return redirect(self.assessment.get_absolute_url())

    def context(self, form, **extra):
        rows = [
            {"area": g.label, "questions": [(q, *form.bound(q)) for q, _a in g.rows]} for g in self.groups
        ]
        return self.get_context_data(assessment=self.assessment, form=form, groups=rows, **extra)

    def get(self, request, *args, **kwargs):
        if (done := self.read_only()) is not None:
            return done
        return self.render_to_response(self.context(self.form()))

    def post(self, request, *args, **kwargs):
        if (done := self.read_only()) is not None:
            return done
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.assessment_answers_save(
                    actor=request.user, assessment=self.assessment, answers=form.answers(), request=request
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("已保存草稿。"))
                    return redirect("security:assessment_answers", pk=self.assessment.pk)
                try:
                    services.assessment_submit(
                        actor=request.user, assessment=self.assessment, request=request
                    )
                except (
                    ValidationError
                ) as exc:  # the answers are kept as a draft: the page names what is missing
                    messages.error(request, _("已保存草稿，但未能提交：") + " ".join(exc.messages))
                    return redirect("security:assessment_answers", pk=self.assessment.pk)
                messages.success(request, _("已提交评估，得分已计算。"))
                return redirect(self.assessment.get_absolute_url())
        return self.render_to_response(self.context(form), status=400)


class AssessmentSubmitView(AssessmentMixin, View):
    """提交: every question answered (the unanswered are named), the score computed; read-only afterwards."""

    permission = "security.assess"

    def post(self, request, pk: int):
        try:
            services.assessment_submit(actor=request.user, assessment=self.assessment, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            if self.assessment.status == AssessmentStatus.DRAFT:
                return redirect("security:assessment_answers", pk=pk)
        else:
            messages.success(request, _("已提交评估，得分已计算。"))
        return redirect(self.assessment.get_absolute_url())


urlpatterns = [
    path("assessments/", AssessmentListView.as_view(), name="assessments"),
    path("assessments/new/", AssessmentNewView.as_view(), name="assessment_new"),
    path("assessments/<int:pk>/", AssessmentView.as_view(), name="assessment"),
    path("assessments/<int:pk>/answers/", AssessmentAnswersView.as_view(), name="assessment_answers"),
    path("assessments/<int:pk>/submit/", AssessmentSubmitView.as_view(), name="assessment_submit"),
]
