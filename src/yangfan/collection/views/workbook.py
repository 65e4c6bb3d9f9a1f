"""The Excel round-trip of a report: download its template (填报模板), upload it filled.

Both pages name the report as the entry grid does (``entry/<data set>/<org>/<period>/``, ``?operator=``).
Whoever may fill the report downloads and uploads; whoever may view the unit's figures downloads only. An
upload writes through ``collection.workbook.template_import`` (the one import path, ``source=import``); a
large one runs as a background job (``collection.tasks``) whose progress the page polls.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_tasks import TaskResultStatus

from yangfan.accounts.permissions import deny
from yangfan.audit.downloads import audited_download
from yangfan.collection.choices import WRITABLE
from yangfan.collection.selectors import deadline, report_key, submission_find
from yangfan.collection.services import may_capture, may_read
from yangfan.collection.tasks import outcome_done, outcome_refused, template_import_job
from yangfan.collection.workbook import (
    Report,
    cell_reference,
    report_codes,
    template_bytes,
    template_import,
)
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.core.periods import Period
from yangfan.jobs import progress_read

MAX_UPLOAD = 10 * 1024 * 1024  # a template is tens of kilobytes; anything this large is not one
# Templates with more value cells than this are imported by the task worker, with progress on the page. The
# largest of the bundled plan (the province's 107 counties × 6 elements, 642 cells) is read, checked, written
# and audited in about 0.1 s; a national plan's counties would pass a second.
BACKGROUND_CELLS = 3000


def _report(request, kwargs) -> Report:
    """The report the URL names, or 404."""
    data_set, org_unit, period, operator = report_key(request, kwargs)
    report = Report(data_set, org_unit, str(period), operator)
    if not report.rows:
        raise Http404(_("%(unit)s 没有该数据集的填报行。") % {"unit": org_unit.name})
    return report


def _query(report: Report) -> str:
    return "?" + urlencode({"operator": report.operator.code}) if report.operator else ""


def _url(name: str, report: Report) -> str | None:
    """The URL of a page of the same report (``None`` while that page does not exist)."""
    kwargs = {"data_set": report.data_set.code, "org": report.org_unit.code, "period": report.period}
    try:
        return reverse(name, kwargs=kwargs) + _query(report)
    except NoReverseMatch:
        return None


class TemplateDownloadView(LoginRequiredMixin, View):
    """GET: the report's template with its stored values (audited as an export)."""

    def get(self, request, *args, **kwargs):
        report = _report(request, kwargs)
        if not may_read(request.user, report):
            deny(request.user, "data.view", report.org_unit, request=request)
        return audited_download(
            request,
            template_bytes(report),
            report.file_name,
            obj=report.org_unit,
            detail=_("填报模板：%(title)s") % {"title": report.title},
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("填好的模板（XLSX）"),
        help_text=gettext_lazy("只读取白色单元格中填写的数值；留空的单元格不写入。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大：填报模板不会超过 10 MB。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的填报模板（Excel 工作簿）。"))
        return upload


class UploadView(LoginRequiredMixin, View):
    """GET: the upload form (or, with ``?job=``, a background upload's progress and outcome); POST: a filled
    template, imported at once or, when large, by the task worker."""

    template_name = "collection/upload.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = _report(request, kwargs)
        if not may_capture(request.user, self.report):
            deny(request.user, "data.capture", self.report.org_unit, request=request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        job_id = request.GET.get("job")
        if job_id:
            return self._job(request, job_id)
        return self._render(request, UploadForm())

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        if len(self.report.rows) * len(self.report.elements) > BACKGROUND_CELLS:
            job = template_import_job.enqueue(
                actor_id=request.user.pk,
                file=upload.name,
                content=base64.b64encode(content).decode("ascii"),
                **report_codes(self.report),
            )
            if not job.is_finished:
                return redirect(request.path + _with_job(self.report, job.id))
            outcome = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None
        else:
            try:
                result = template_import(
                    source=content,
                    file=upload.name,
                    actor=request.user,
                    expected=self.report,
                    request=request,
                )
            except ImportInvalid as exc:
                outcome = outcome_refused(exc)
            else:
                outcome = outcome_done(result)
        if outcome and outcome["ok"]:
            _tell(request, outcome)
            return redirect(_url("collection:entry", self.report) or request.get_full_path())
        return self._render(request, UploadForm(), outcome=outcome, failed=outcome is None)

    def _job(self, request, job_id: str):
        """A background upload of this user for this report: its progress (JSON for the page's script) or,
        once it has finished, its outcome."""
        try:
            job = template_import_job.get_result(job_id)
        except Exception:  # unknown, malformed, or a backend that keeps no results
            raise Http404(_("没有这个导入任务。")) from None
        codes = {k: v for k, v in job.kwargs.items() if k in report_codes(self.report)}
        if job.kwargs.get("actor_id") != request.user.pk or codes != report_codes(self.report):
            raise Http404(_("没有这个导入任务。"))
        if request.GET.get("poll"):
            progress = progress_read(job_id) if not job.is_finished else {}
            return JsonResponse(
                {
                    "finished": job.is_finished,
                    "status": job.status,
                    "done": progress.get("done", 0),
                    "total": progress.get("total", 0),
                    "label": _job_label(job.status, progress),
                }
            )
        if not job.is_finished:
            return self._render(
                request,
                None,
                job=job,
                poll_url=request.path + _with_job(self.report, job.id) + "&poll=1",
                label=_job_label(job.status, progress_read(job_id)),
            )
        outcome = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else None
        return self._render(request, UploadForm(), outcome=outcome, failed=outcome is None)

    def _render(self, request, form, *, outcome=None, failed=False, **extra):
        report = self.report
        submission = submission_find(
            data_set=report.data_set, org_unit=report.org_unit, period=report.period, operator=report.operator
        )
        errors = []
        for row, column, message in (outcome or {}).get("errors", []):
            error = RowError(row, column, message)
            unit, element = report.cell_of(row, column) if cell_reference(error) else (None, None)
            errors.append(
                {"cell": cell_reference(error), "unit": unit, "element": element, "message": message}
            )
        context = {
            "report": report,
            "form": form,
            "submission": submission,
            "locked": submission is not None and submission.status not in WRITABLE,
            "deadline": deadline(data_set=report.data_set, period=Period.parse(report.period)),
            "template_url": _url("collection:template", report),
            "entry_url": _url("collection:entry", report),
            "outcome": outcome,
            "errors": errors,
            "error_total": (outcome or {}).get("total", len(errors)),  # more than listed past ERRORS_LISTED
            "failed": failed,
            **extra,
        }
        return render(request, self.template_name, context)


def _with_job(report: Report, job_id) -> str:
    query = {"operator": report.operator.code} if report.operator else {}
    return "?" + urlencode({**query, "job": str(job_id)})


def _job_label(status: str, progress: dict) -> str:
    if status == TaskResultStatus.READY:
        return _("排队等待后台处理…（长时间没有变化时，请确认后台任务进程在运行）")
    if progress.get("stage") == "write" and progress.get("total"):
        return _("正在写入：%(done)s / %(total)s 个数值") % progress
    return _("正在读取并检查模板…")


def _tell(request, outcome: dict) -> None:
    messages.success(
        request,
        _("填报模板已导入：新增 %(added)s 个、修改 %(changed)s 个、未变 %(unchanged)s 个数值。") % outcome,
    )
    if outcome.get("kept"):
        messages.info(
            request,
            _("以下单元格留空，原有数值未改动（模板不删除数值）：%(cells)s。")
            % {"cells": "、".join(outcome["kept"])},
        )


urlpatterns = [
    path(
        "entry/<str:data_set>/<str:org>/<str:period>/template.xlsx",
        TemplateDownloadView.as_view(),
        name="template",
    ),
    path("entry/<str:data_set>/<str:org>/<str:period>/upload/", UploadView.as_view(), name="upload"),
]
