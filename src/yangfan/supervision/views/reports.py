"""An assignment's page (its task, milestones, reports period by period, notices: its history), the progress
report of one period with its evidence and the workflow panel, and the evidence files themselves."""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, may
from yangfan.audit.downloads import audited_download
from yangfan.collection.choices import SubmissionAction
from yangfan.collection.workflow import NEEDS_REASON, available_actions, is_writable
from yangfan.core.periods import Period, PeriodError
from yangfan.supervision import services
from yangfan.supervision.boards import alerts_for, report_deadline
from yangfan.supervision.choices import Progress
from yangfan.supervision.evidence import CONTENT_TYPES, accepted_text
from yangfan.supervision.models import Assignment, Evidence, ProgressReport
from yangfan.supervision.selectors import (
    may_read_assignment,
    may_report,
    may_review_report,
    milestones_of,
    reporting_periods,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by ``evidence_store``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProgressReportForm(forms.Form):
    progress = forms.ChoiceField(label=gettext_lazy("进展状态"), choices=Progress.choices)
    percent = forms.IntegerField(label=gettext_lazy("完成比例（%）"), min_value=0, max_value=100)
    narrative = forms.CharField(
        label=gettext_lazy("进展情况"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )
    milestones_met = forms.ModelMultipleChoiceField(
        label=gettext_lazy("本期完成的节点"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(label=gettext_lazy("佐证材料"), required=False)

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones_met"].queryset = milestones
        self.fields["files"].help_text = accepted_text()


class AssignmentMixin(PermissionMixin):
    """The assignment of the URL, looked up after the role check."""

    permission = "tasks.view"

    @cached_property
    def assignment(self) -> Assignment:
        return get_object_or_404(
            Assignment.objects.select_related("task__plan", "subtask", "responsible_unit", "org_unit"),
            pk=self.kwargs["pk"],
        )

    def check_read(self):
        if not may_read_assignment(self.request.user, self.assignment):
            deny(self.request.user, "tasks.view", self.assignment, request=self.request)


class AssignmentView(AssignmentMixin, TemplateView):
    """A task's share for one unit, with its whole history: every period's report and every notice."""

    template_name = "supervision/assignment.html"

    def get_context_data(self, **kwargs):
        self.check_read()
        a = self.assignment
        plan = a.task.plan
        reports = {r.period: r for r in a.reports.prefetch_related("events__actor", "evidence")}
        history = [{"period": p, "report": reports.get(p)} for p in reversed(reporting_periods(plan))]
        return super().get_context_data(
            assignment=a,
            plan=plan,
            milestones=milestones_of(a),
            history=history,
            notices=a.notices.prefetch_related("answers"),
            may_report=may_report(self.request.user, a),
            manages=may(self.request.user, "supervision.manage"),
            **kwargs,
        )


class ReportView(AssignmentMixin, TemplateView):
    """The report of one period: the form while it is a draft or returned (for its unit), read-only otherwise,
    the workflow panel and the evidence."""

    template_name = "supervision/report.html"

    def setup_report(self):
        self.check_read()
        try:
            return services.progress_report_open(assignment=self.assignment, period=self.kwargs["period"])
        except (PeriodError, ValidationError) as exc:
            raise Http404(str(exc)) from exc

    def get(self, request, *args, **kwargs):
        self.report = self.setup_report()
        return self.render_to_response(self.get_context_data(form=self.form()))

    def form(self, data=None, files=None):
        r = self.report
        initial = {
            "progress": r.progress,
            "percent": r.percent,
            "narrative": r.narrative,
            "milestones_met": list(r.milestones_met.all()) if r.pk else [],
        }
        return ProgressReportForm(data, files, initial=initial, milestones=milestones_of(self.assignment))

    def post(self, request, *args, **kwargs):
        self.report = self.setup_report()
        if not may_report(request.user, self.assignment):
            deny(request.user, "tasks.report", self.assignment, request=request)
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.progress_report_save(
                    actor=request.user,
                    report=self.report,
                    progress=form.cleaned_data["progress"],
                    percent=form.cleaned_data["percent"],
                    narrative=form.cleaned_data["narrative"],
                    milestones_met=form.cleaned_data["milestones_met"],
                    files=form.cleaned_data["files"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        r, user = self.report, self.request.user
        plan = self.assignment.task.plan
        reporter, reviewer = may_report(user, self.assignment), may_review_report(user, r)
        actions = [
            {
                "action": action,
                "label": SubmissionAction(action).label,
                "needs_reason": action in NEEDS_REASON,
                "url": reverse("supervision:act", kwargs={"pk": r.pk, "action": action}),
            }
            for action in available_actions(r, reporter=reporter, reviewer=reviewer)
            if r.pk is not None  # an unsaved report is saved before it moves
        ]
        period = Period.parse(r.period)
        found = alerts_for([self.assignment], plan=plan, period=period, as_of=timezone.localdate())
        return super().get_context_data(
            assignment=self.assignment,
            report=r,
            plan=plan,
            editable=reporter and is_writable(r),
            alerts=found.get(self.assignment.pk, []),
            evidence=r.evidence.all() if r.pk else [],
            events=r.events.select_related("actor") if r.pk else [],
            workflow={
                "status": r.status,
                "status_label": r.get_status_display(),
                "exists": r.pk is not None,
                "deadline": report_deadline(plan, period),
                "submission": r,
                "actions": actions,
                "next": self.request.path,
                "detail_link": False,
            },
            **kwargs,
        )


class ReportActView(PermissionMixin, View):
    permission = "tasks.view"

    def post(self, request, pk: int, action: str):
        report = get_object_or_404(ProgressReport.objects.select_related("assignment__task__plan"), pk=pk)
        if action not in SubmissionAction.values:
            raise Http404
        if not may_read_assignment(request.user, report.assignment):
            deny(request.user, "tasks.view", report.assignment, request=request)
        try:
            services.progress_report_act(
                actor=request.user,
                report=report,
                action=action,
                comment=request.POST.get("comment", ""),
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已%(action)s。") % {"action": SubmissionAction(action).label})
        return redirect(report.get_absolute_url())


class EvidenceView(PermissionMixin, View):
    """A stored file, to a user who may read what it is attached to; always as a download of the type its
    content was recognised as, never rendered inline, never guessed by the browser; audited as an export."""

    permission = "tasks.view"

    def get(self, request, pk: int):
        evidence = get_object_or_404(Evidence, pk=pk)
        if not may_read_assignment(request.user, evidence.assignment):
            deny(request.user, "tasks.view", evidence.assignment, request=request)
        try:
            handle = evidence.path.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("文件不存在。")) from exc
        response = audited_download(
            request, handle, evidence.name, obj=evidence, mime=CONTENT_TYPES[evidence.kind]
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class EvidenceDeleteView(PermissionMixin, View):
    permission = "tasks.report"

    def post(self, request, pk: int):
        evidence = get_object_or_404(Evidence.objects.select_related("report__assignment"), pk=pk)
        if evidence.report_id is None:
            raise PermissionDenied
        try:
            services.evidence_delete(actor=request.user, evidence=evidence, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除附件“%(name)s”。") % {"name": evidence.name})
        return redirect(evidence.report.get_absolute_url())


urlpatterns = [
    path("assignments/<int:pk>/", AssignmentView.as_view(), name="assignment"),
    path("assignments/<int:pk>/<str:period>/", ReportView.as_view(), name="report"),
    path("reports/<int:pk>/act/<str:action>/", ReportActView.as_view(), name="act"),
    path("evidence/<int:pk>/", EvidenceView.as_view(), name="evidence"),
    path("evidence/<int:pk>/delete/", EvidenceDeleteView.as_view(), name="evidence_delete"),
]
