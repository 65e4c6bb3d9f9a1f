"""The questionnaire's versions (the provincial office's, ``security.configure``): the list with what each holds and
how often it was used, a version's questions by area, a new draft copied from the latest version, a draft's
questions edited, and publishing (after which the version is frozen)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.security import services
from yangfan.security.forms import QuestionFormSet, QuestionnaireForm
from yangfan.security.models import Questionnaire
from yangfan.security.selectors import questionnaire_current, questionnaire_list, questions_by_area

CONFIGURE = "security.configure"


class QuestionnaireListView(PermissionMixin, TemplateView):
    template_name = "security/questionnaires.html"
    permission = CONFIGURE

    def get_context_data(self, **kwargs):
        current = questionnaire_current()
        return super().get_context_data(
            versions=questionnaire_list(),
            current=current,
            **kwargs,
        )


class QuestionnaireNewView(PermissionMixin, View):
    """新建版本: a draft copied from the latest version."""

    permission = CONFIGURE

    def post(self, request):
        try:
            draft = services.questionnaire_draft_create(actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("security:questionnaires")
        messages.success(
            request, _("已新建第%(v)s版草稿（复制自上一版），修改后发布。") % {"v": draft.version}
        )
        return redirect("security:questionnaire_edit", version=draft.version)


class VersionMixin(PermissionMixin):
    permission = CONFIGURE

    def questionnaire(self) -> Questionnaire:
        return get_object_or_404(Questionnaire, version=self.kwargs["version"])


class QuestionnaireView(VersionMixin, TemplateView):
    """A version's questions grouped by area, with their weights and the evidence expected."""

    template_name = "security/questionnaire.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("version", None)
        questionnaire = self.questionnaire()
        groups = questions_by_area(questionnaire)
        return super().get_context_data(
            questionnaire=questionnaire,
            groups=groups,
            total_weight=sum(g.weight for g in groups),
            count=sum(len(g.rows) for g in groups),
            assessments=questionnaire.assessments.count(),
            **kwargs,
        )


class QuestionnaireEditView(VersionMixin, TemplateView):
    """A draft's title, note and questions (a formset: change, add one per save, remove). A published version is
    frozen: the page says so and sends the reader to its read-only page."""

    template_name = "security/questionnaire_edit.html"

    def frozen(self, questionnaire):
        if questionnaire.published_at is None:
            return None
        messages.error(
            self.request,
            _("第%(v)s版问卷已发布，不能再修改；如需调整，请新建版本。") % {"v": questionnaire.version},
        )
        return redirect(questionnaire.get_absolute_url())

    def forms(self, questionnaire, data=None):
        head = QuestionnaireForm(data, instance=questionnaire, prefix="head")
        rows = questionnaire.questions.order_by("position", "code")
        last = max((q.position for q in rows), default=0)
        questions = QuestionFormSet(
            data, queryset=rows, prefix="q", initial=[{"position": last + 1, "weight": 1}]
        )
        return head, questions

    def get(self, request, *args, **kwargs):
        questionnaire = self.questionnaire()
        if (refused := self.frozen(questionnaire)) is not None:
            return refused
        head, questions = self.forms(questionnaire)
        return self.render_to_response(
            self.get_context_data(questionnaire=questionnaire, head=head, questions=questions)
        )

    def post(self, request, *args, **kwargs):
        questionnaire = self.questionnaire()
        if (refused := self.frozen(questionnaire)) is not None:
            return refused
        head, questions = self.forms(questionnaire, request.POST)
        errors = []
        if head.is_valid() and questions.is_valid():
            changed = [
                f.instance for f in questions.forms if f.has_changed() and f not in questions.deleted_forms
            ]
            removed = [f.instance for f in questions.deleted_forms if f.instance.pk]
            try:
                services.questionnaire_edit(
                    actor=request.user,
                    questionnaire=questionnaire,
                    title=head.cleaned_data["title"],
                    note=head.cleaned_data["note"],
                    questions=changed,
                    removed=removed,
                    request=request,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("已保存。"))
                return redirect("security:questionnaire_edit", version=questionnaire.version)
        return self.render_to_response(
            self.get_context_data(questionnaire=questionnaire, head=head, questions=questions, errors=errors),
            status=400,
        )


class QuestionnairePublishView(VersionMixin, View):
    """发布: the draft becomes the version every new assessment answers; it never changes again."""

    def post(self, request, version: int):
        questionnaire = self.questionnaire()
        try:
            services.questionnaire_publish(actor=request.user, questionnaire=questionnaire, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("已发布第%(v)s版；此后新建的评估按此版本答复。") % {"v": questionnaire.version}
            )
        return redirect(questionnaire.get_absolute_url())


urlpatterns = [
    path("questionnaires/", QuestionnaireListView.as_view(), name="questionnaires"),
    path("questionnaires/new/", QuestionnaireNewView.as_view(), name="questionnaire_new"),
    path("questionnaires/<int:version>/", QuestionnaireView.as_view(), name="questionnaire"),
    path("questionnaires/<int:version>/edit/", QuestionnaireEditView.as_view(), name="questionnaire_edit"),
    path(
        "questionnaires/<int:version>/publish/",
        QuestionnairePublishView.as_view(),
        name="questionnaire_publish",
    ),
]
