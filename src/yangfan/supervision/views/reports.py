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
from yangfan.accounts.permissions import deny, may_split, may_supervise, restrict
from yangfan.audit.downloads import audited_download
from yangfan.collection.choices import SubmissionAction
from yangfan.collection.workflow import NEEDS_REASON, available_actions, is_writable
from yangfan.core.periods import Period, PeriodError
from yangfan.supervision import services
from yangfan.supervision.boards import alerts_for, report_deadline
from yangfan.supervision.choices import Progress
from yangfan.supervision.evidence import CONTENT_TYPES, accepted_text
from yangfan.supervision.lights import light_of, milestone_light, notice_light, worst
from yangfan.supervision.models import Assignment, Evidence, ProgressReport
from yangfan.supervision.selectors import (
    may_read_assignment,
    may_report,
    may_review_report,
    milestones_of,
    parts_reported,
    parts_under,
    period_of,
    reporting_periods,
    rolled_up,
)
from yangfan.supervision.views.tasks import PartMilestoneForm


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
    override_reason = forms.CharField(
        label=gettext_lazy("与下级汇总不一致的说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    files = MultipleFileField(label=gettext_lazy("佐证材料"), required=False)

    def __init__(self, *args, milestones, split: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones_met"].queryset = milestones
        self.fields["files"].help_text = accepted_text()
        if split:
            self.fields["override_reason"].help_text = _(
                "本任务已分解给区县和市级部门：所报进展与下级汇总一致时无需填写。"
            )
        else:
            del self.fields["override_reason"]


class SplitForm(forms.Form):
    """Split a city's share among its districts and counties (offered within the reader's scope) and its
    departments (one name a line)."""

    counties = forms.ModelMultipleChoiceField(
        label=gettext_lazy("区县"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.CharField(
        label=gettext_lazy("市级部门（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "市工业和信息化局"}),
    )

    def __init__(self, *args, assignment, user, **kwargs):
        super().__init__(*args, **kwargs)
        taken = assignment.children.filter(assignee="").values("org_unit")
        self.fields["counties"].queryset = restrict(
            parts_under(assignment), user, "supervision.manage"
        ).exclude(pk__in=taken)

    def clean_departments(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["departments"].splitlines() if line.strip()]


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


class PartsMixin:
    def cascade(self, period: str) -> tuple[list[dict], object]:
        """The parts of a split share with their report of ``period``, and what they roll up to (``None``: not
        split): read once a request."""
        cached = self.__dict__.setdefault("_cascade", {})
        if period not in cached:
            rows = parts_reported(self.assignment, period)
            parts = [{"assignment": p, "report": r} for p, r in rows]
            cached[period] = parts, rolled_up(self.assignment, period, rows)
        return cached[period]


class AssignmentView(PartsMixin, AssignmentMixin, TemplateView):
    """A task's share for one unit, with its whole history: every period's report and every notice."""

    template_name = "supervision/assignment.html"

    def get_context_data(self, **kwargs):
        self.check_read()
        a, user = self.assignment, self.request.user
        plan = a.task.plan
        reports = {r.period: r for r in a.reports.prefetch_related("events__actor", "evidence")}
        history = [{"period": p, "report": reports.get(p)} for p in reversed(reporting_periods(plan))]
        period = str(period_of(plan, None))
        met = set(
            ProgressReport.milestones_met.through.objects.filter(
                progressreport__assignment=a, progressreport__status__in=("submitted", "approved")
            ).values_list("milestone_id", flat=True)
        )
        milestones = [
            {"milestone": m, "light": milestone_light(plan, m.due, met=m.pk in met)} for m in milestones_of(a)
        ]
        splits = may_split(user, a)
        if splits:
            kwargs.setdefault("split_form", SplitForm(assignment=a, user=user))
        supervises = may_supervise(user, a)
        if supervises and a.parent_id:
            kwargs.setdefault("milestone_form", PartMilestoneForm())
        notices = [
            {"notice": n, "light": notice_light(n)}
            for n in a.notices.select_related("plan", "issuer_unit").prefetch_related("answers")
        ]
        due = report_deadline(plan, Period.parse(period))
        reported = reports.get(period) is not None and reports[period].status in ("submitted", "approved")
        report_light = light_of(plan, due, done=reported)
        return super().get_context_data(
            assignment=a,
            plan=plan,
            milestones=milestones,
            history=history,
            notices=notices,
            report_light=report_light,
            report_due=due,
            light=worst([report_light, *(m["light"] for m in milestones), *(n["light"] for n in notices)]),
            parts=self.cascade(period)[0],
            period=period,
            rolled=self.cascade(period)[1],
            may_report=may_report(user, a),
            manages=supervises,
            splits=splits,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """The office's edits on a share: ``form`` = split, milestone (on a part) or part_delete."""
        self.check_read()
        a, kind = self.assignment, request.POST.get("form")
        if kind == "split" and not may_split(request.user, a):
            deny(request.user, "supervision.manage", a, request=request)
        if kind == "milestone" and not (a.parent_id and may_supervise(request.user, a)):
            deny(request.user, "supervision.manage", a, request=request)
        try:
            if kind == "split":
                form = SplitForm(request.POST, assignment=a, user=request.user)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(split_form=form), status=400)
                parts = services.assignment_split(
                    actor=request.user,
                    assignment=a,
                    counties=form.cleaned_data["counties"],
                    departments=form.cleaned_data["departments"],
                    request=request,
                )
                messages.success(request, _("已分解给 %(n)d 个单位。") % {"n": len(parts)})
            elif kind == "milestone":
                form = PartMilestoneForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(milestone_form=form), status=400)
                services.milestone_create(
                    actor=request.user, task=a.task, assignment=a, request=request, **form.cleaned_data
                )
                messages.success(request, _("已添加阶段节点。"))
            elif kind == "part_delete":
                part = get_object_or_404(Assignment, pk=request.POST.get("part"), parent=a)
                services.assignment_part_delete(actor=request.user, part=part, request=request)
                messages.success(request, _("已撤销对 %(u)s 的分派。") % {"u": part.unit_name})
            else:
                messages.error(request, _("无法识别的操作。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(request.path)


class ReportView(PartsMixin, AssignmentMixin, TemplateView):
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
            "override_reason": r.override_reason,
        }
        rolled = self.rolled
        if rolled is not None and r.pk is None:  # a new report starts from what the parts report
            initial.update(progress=rolled[0].value, percent=rolled[1])
        return ProgressReportForm(
            data, files, initial=initial, milestones=milestones_of(self.assignment), split=rolled is not None
        )

    @property
    def rolled(self):
        return self.cascade(self.report.period)[1]

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
                    override_reason=form.cleaned_data.get("override_reason", ""),
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
            rolled=self.rolled,
            parts=self.cascade(r.period)[0],
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
