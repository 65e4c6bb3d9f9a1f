"""The risk register (风险台账): a finding of an assessment recorded as a risk, the list (filters: level, status,
overdue, city, sector), a risk's page, and its steps: the owner's answer (整改情况), closing after re-assessment,
accepting it, extending its deadline (the offices', ``security.manage``, each with its note or reason)."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, may
from yangfan.security import services
from yangfan.security.choices import RiskLevel, RiskStatus
from yangfan.security.forms import (
    RiskAcceptForm,
    RiskCloseForm,
    RiskExtendForm,
    RiskForm,
    RiskResponseForm,
)
from yangfan.security.models import Assessment, Risk
from yangfan.security.selectors import (
    BadFilter,
    city_options,
    is_overdue,
    may_record_risk,
    risk_list,
    sector_options,
)
from yangfan.security.views.assessments import _add_errors, page_of

FILTERS = ("level", "status", "overdue", "city", "sector")
OPEN_STEPS = (RiskStatus.OPEN, RiskStatus.REMEDIATED)


class RiskListView(PermissionMixin, TemplateView):
    template_name = "security/risks.html"
    permission = "security.view"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        try:
            rows = risk_list(actor=user, params=self.request.GET, today=today)
        except BadFilter as exc:
            messages.error(self.request, str(exc))
            rows = risk_list(actor=user, today=today)
        page, query = page_of(self.request, rows)
        return super().get_context_data(
            page=page,
            rows=[(risk, is_overdue(risk, today)) for risk in page.object_list],
            query=query,
            params={name: self.request.GET.get(name, "") for name in FILTERS},
            levels=RiskLevel.choices,
            statuses=RiskStatus.choices,
            cities=city_options(user),
            sectors=sector_options(),
            **kwargs,
        )


class RiskNewView(PermissionMixin, TemplateView):
    """登记风险 from an assessment: whoever may assess it (the enterprise on its own self-assessment, the offices)."""

    template_name = "security/risk_new.html"
    permission = "security.assess"

    @cached_property
    def assessment(self) -> Assessment:
        return get_object_or_404(
            Assessment.objects.select_related("org_unit", "case", "vpn", "questionnaire"),
            pk=self.kwargs["pk"],
        )

    def permission_object(self):
        return self.assessment

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        # the scope passes but the workflow does not: an enterprise on a third-party assessment (the office records
        # the assessor's findings); refused (and audited) here, the scope itself by the mixin
        if (
            user.is_authenticated
            and may(user, "security.assess", self.assessment)
            and not may_record_risk(user, self.assessment)
        ):
            deny(user, "security.manage", self.assessment, request=request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        initial = {}
        if request.GET.get("question", "").isdigit():
            initial["question"] = int(request.GET["question"])
        form = RiskForm(assessment=self.assessment, initial=initial)
        return self.render_to_response(self.get_context_data(assessment=self.assessment, form=form))

    def post(self, request, *args, **kwargs):
        form = RiskForm(request.POST, assessment=self.assessment)
        if form.is_valid():
            data = form.cleaned_data
            try:
                risk = services.risk_create(
                    actor=request.user,
                    assessment=self.assessment,
                    question=data.get("question"),
                    title=data["title"],
                    description=data.get("description", ""),
                    likelihood=data["likelihood"],
                    impact=data["impact"],
                    owner=data["owner"],
                    remediation=data["remediation"],
                    deadline=data["deadline"],
                    reassess_on=data.get("reassess_on"),
                    request=request,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("已登记风险，风险等级：%(level)s。") % {"level": risk.get_level_display()}
                )
                return redirect(risk.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(assessment=self.assessment, form=form), status=400
        )


class RiskMixin(PermissionMixin):
    """A risk named by ``pk``, checked against the reader's scope for the view's permission."""

    permission = "security.view"

    @cached_property
    def risk(self) -> Risk:
        return get_object_or_404(
            Risk.objects.select_related(
                "org_unit", "question", "assessment__case", "assessment__vpn", "assessment__questionnaire"
            ),
            pk=self.kwargs["pk"],
        )

    def permission_object(self):
        return self.risk

    def page(self, status: int = 200, **forms):
        """The risk's page, with the forms of the steps the reader may take (those given already bound)."""
        user, risk = self.request.user, self.risk
        unresolved = risk.status in OPEN_STEPS
        steps = {
            "respond": RiskResponseForm if unresolved and may(user, "security.assess", risk) else None,
            "close": RiskCloseForm
            if risk.status == RiskStatus.REMEDIATED and may(user, "security.manage", risk)
            else None,
            "accept": RiskAcceptForm if unresolved and may(user, "security.manage", risk) else None,
            "extend": RiskExtendForm
            if risk.status == RiskStatus.OPEN and may(user, "security.manage", risk)
            else None,
        }
        shown = {
            name: forms.get(name) or form_class(prefix=name, initial=self.initial(name))
            for name, form_class in steps.items()
            if form_class is not None or name in forms  # a step refused comes back with its reason
        }
        context = self.get_context_data(
            risk=risk,
            assessment=risk.assessment,
            overdue=is_overdue(risk),
            steps=shown,
        )
        context.pop("pk", None)
        return self.render_to_response(context, status=status)

    def initial(self, name: str) -> dict:
        if name == "respond":
            return {"response": self.risk.response}
        if name == "extend":
            return {"deadline": self.risk.deadline, "reassess_on": self.risk.reassess_on}
        return {}


class RiskView(RiskMixin, TemplateView):
    template_name = "security/risk.html"

    def get(self, request, *args, **kwargs):
        return self.page()


class RiskStepView(RiskMixin, TemplateView):
    """One step on a risk (a POST from its page): the form is checked, the service decides; on a refusal the page
    comes back with the message next to its field."""

    template_name = "security/risk.html"
    step = ""
    form_class = None
    done = ""

    def call(self, data):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=self.step)
        if form.is_valid():
            try:
                self.call(form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, str(self.done))
                return redirect(self.risk.get_absolute_url())
        return self.page(status=400, **{self.step: form})


class RiskRespondView(RiskStepView):
    permission = "security.assess"
    step = "respond"
    form_class = RiskResponseForm
    done = gettext_lazy("已反馈整改情况。")

    def call(self, data):
        services.risk_respond(
            actor=self.request.user,
            risk=self.risk,
            response=data["response"],
            remediated_on=data.get("remediated_on"),
            request=self.request,
        )


class RiskCloseView(RiskStepView):
    permission = "security.manage"
    step = "close"
    form_class = RiskCloseForm
    done = gettext_lazy("复评通过，风险已关闭。")

    def call(self, data):
        services.risk_close(actor=self.request.user, risk=self.risk, note=data["note"], request=self.request)


class RiskAcceptView(RiskStepView):
    permission = "security.manage"
    step = "accept"
    form_class = RiskAcceptForm
    done = gettext_lazy("已接受风险。")

    def call(self, data):
        services.risk_accept(
            actor=self.request.user, risk=self.risk, reason=data["reason"], request=self.request
        )


class RiskExtendView(RiskStepView):
    permission = "security.manage"
    step = "extend"
    form_class = RiskExtendForm
    done = gettext_lazy("已延长整改时限。")

    def call(self, data):
        services.risk_deadline_extend(
            actor=self.request.user,
            risk=self.risk,
            deadline=data["deadline"],
            reassess_on=data.get("reassess_on"),
            reason=data["reason"],
            request=self.request,
        )


urlpatterns = [
    path("risks/", RiskListView.as_view(), name="risks"),
    path("assessments/<int:pk>/risks/new/", RiskNewView.as_view(), name="risk_new"),
    path("risks/<int:pk>/", RiskView.as_view(), name="risk"),
    path("risks/<int:pk>/respond/", RiskRespondView.as_view(), name="risk_respond"),
    path("risks/<int:pk>/close/", RiskCloseView.as_view(), name="risk_close"),
    path("risks/<int:pk>/accept/", RiskAcceptView.as_view(), name="risk_accept"),
    path("risks/<int:pk>/extend/", RiskExtendView.as_view(), name="risk_extend"),
]
