"""评估报告 pages: choose a unit, a period and a format; the report is built in the background while the page
shows its progress; the file downloads once ready, only for the user who asked for it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tasks import TaskResultStatus

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, groups_in_scope, may, org_units_in_scope
from yangfan.audit.downloads import audited_download
from yangfan.core.periods import PeriodError
from yangfan.jobs import progress_read
from yangfan.reports.tasks import FINAL_STAGES, STAGES, report_job, report_path

STAGE_LABELS = {
    "indicators": gettext_lazy("正在计算指标…"),
    "tasks": gettext_lazy("正在汇总任务进展…"),
    "reporting": gettext_lazy("正在汇总数据报送情况…"),
    "ranking": gettext_lazy("正在汇总评估排名…"),
    "targets": gettext_lazy("正在逐项评判量化目标…"),
    "comparison": gettext_lazy("正在比较各地区…"),
    "final_tasks": gettext_lazy("正在汇总任务最终状态…"),
    "layout": gettext_lazy("正在排版并绘制图表…"),
}
FORMATS = [("docx", "Word（.docx）"), ("xlsx", "Excel（.xlsx）")]


def _org_choices(user) -> list[tuple[str, str]]:
    """The province, the cities and the groups ``user`` may make a report of (a city's office: its own city)."""
    from yangfan.orgunits.models import OrgUnitLevel

    units = (
        org_units_in_scope(user, "reports.generate")
        .filter(level__lte=OrgUnitLevel.CITY)
        .order_by("level", "position", "code")
    )
    groups = groups_in_scope(user, "reports.generate").order_by("position", "code")
    return [(u.code, u.name) for u in units] + [(g.code, g.name) for g in groups]


class ReportForm(forms.Form):
    org = forms.ChoiceField(label=gettext_lazy("地区"))
    period = forms.CharField(
        label=gettext_lazy("期间"), max_length=8, help_text=gettext_lazy("如 2023、2023Q4 或 202312")
    )
    fmt = forms.ChoiceField(label=gettext_lazy("格式"), choices=FORMATS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _org_choices(user)

    def clean_period(self):
        from yangfan.datavalues.indicators import core_plans, plan_period

        text = self.cleaned_data["period"].strip()
        try:
            plan_period(core_plans().values(), text)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text


class FinalReportForm(forms.Form):
    """终期评估: a finished plan (its end before today), a unit in the user's scope, a format."""

    plan = forms.ChoiceField(label=gettext_lazy("行动计划"))
    org = forms.ChoiceField(label=gettext_lazy("地区"))
    fmt = forms.ChoiceField(label=gettext_lazy("格式"), choices=FORMATS)

    def __init__(self, *args, user, plans, **kwargs):
        super().__init__(*args, prefix="final", **kwargs)
        self.fields["plan"].choices = plans
        self.fields["org"].choices = _org_choices(user)


def _finished_plans() -> list[tuple[str, str]]:
    """(code, name) of the plans whose period has ended: those a final evaluation is offered for."""
    from yangfan.actionplans.models import Plan
    from yangfan.reports.final import finished_plan_codes

    codes = finished_plan_codes()
    names = dict(Plan.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names[code]) for code in codes]


def _org_name(code: str) -> str:
    """The name of the unit or group a job is for (its code only when it no longer exists)."""
    from yangfan.orgunits.selectors import unit_or_group

    found = unit_or_group(code)
    return found.name if found is not None else code


def _own_job(request, job_id: str):
    """A report job of this user, or 404 (another user's job is not even said to exist)."""
    try:
        job = report_job.get_result(job_id)
    except Exception:  # unknown, malformed, or a backend that keeps no results
        raise Http404(_("没有这个报告任务。")) from None
    if job.kwargs.get("actor_id") != request.user.pk:
        raise Http404(_("没有这个报告任务。"))
    return job


class ReportIndexView(PermissionMixin, TemplateView):
    template_name = "reports/index.html"
    permission = "reports.generate"

    def get_context_data(self, **kwargs):
        initial = {
            "period": self.request.GET.get("period", ""),
            "org": self.request.GET.get("org", ""),
            "fmt": "docx",
        }
        kwargs.setdefault("form", ReportForm(initial=initial, user=self.request.user))
        if "final_form" not in kwargs:
            plans = _finished_plans()
            kwargs["final_form"] = (
                FinalReportForm(initial={"fmt": "docx"}, user=self.request.user, plans=plans)
                if plans
                else None
            )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.enqueue(form, period=form.cleaned_data["period"])

    def enqueue(self, form, **job):
        """The report of the unit (or group) the valid ``form`` names, queued; the job page."""
        from yangfan.orgunits.selectors import unit_or_group

        unit = unit_or_group(form.cleaned_data["org"])  # a unit or a group the form offered
        if not may(self.request.user, "data.view", unit):
            deny(self.request.user, "data.view", unit, request=self.request)
        job = report_job.enqueue(
            actor_id=self.request.user.pk, org=unit.code, fmt=form.cleaned_data["fmt"], **job
        )
        return redirect("reports:job", job_id=job.id)


class FinalReportView(ReportIndexView):
    """终期评估: the form of the reports page for a finished plan; the evaluation is built in the background like the
    report, for the unit the user may make reports of (a city's office: its city)."""

    def post(self, request, *args, **kwargs):
        form = FinalReportForm(request.POST, user=request.user, plans=_finished_plans())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(final_form=form), status=400)
        return self.enqueue(form, period="", plan_code=form.cleaned_data["plan"], final=True)


class ReportJobView(PermissionMixin, TemplateView):
    template_name = "reports/job.html"
    permission = "reports.generate"

    def get(self, request, *args, **kwargs):
        job = _own_job(request, kwargs["job_id"])
        progress = progress_read(str(job.id)) if not job.is_finished else {}
        label = (
            _("排队等待后台处理…（长时间没有变化时，请确认后台任务进程在运行）")
            if job.status == TaskResultStatus.READY
            else STAGE_LABELS.get(progress.get("stage"), _("正在生成…"))
        )
        if request.GET.get("poll"):
            return JsonResponse(
                {
                    "finished": job.is_finished,
                    "status": job.status,
                    "done": progress.get("done", 0),
                    "total": len(FINAL_STAGES if job.kwargs.get("final") else STAGES),
                    "label": str(label),
                }
            )
        outcome = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None
        context = self.get_context_data(
            job=job,
            request_kwargs=job.kwargs,
            org_name=_org_name(job.kwargs.get("org", "")),
            outcome=outcome,
            failed=job.status == TaskResultStatus.FAILED,
            label=label,
            poll_url=request.path + "?poll=1",
            download_url=reverse("reports:download", kwargs={"job_id": job.id})
            if outcome and outcome.get("ok")
            else None,
        )
        return self.render_to_response(context)


class ReportDownloadView(PermissionMixin, TemplateView):
    permission = "reports.generate"

    def get(self, request, *args, **kwargs):
        job = _own_job(request, kwargs["job_id"])
        outcome = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None
        if not outcome or not outcome.get("ok"):
            raise Http404(_("报告尚未生成。"))
        fmt = job.kwargs["fmt"]
        path = report_path(str(job.id), fmt)
        if not path.exists():
            messages.error(request, _("报告文件已不在服务器上，请重新生成。"))
            return redirect("reports:index")
        return audited_download(
            request, path.open("rb"), outcome["name"], object_type="reports.report", object_id=str(job.id)
        )


app_name = "reports"
urlpatterns = [
    path("", ReportIndexView.as_view(), name="index"),
    path("final/", FinalReportView.as_view(), name="final"),
    path("jobs/<str:job_id>/", ReportJobView.as_view(), name="job"),
    path("jobs/<str:job_id>/download/", ReportDownloadView.as_view(), name="download"),
]
