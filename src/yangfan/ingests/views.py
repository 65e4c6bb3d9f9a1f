"""原始数据 pages: the ingest runs, the upload that starts one (run by the task worker while its page shows the
progress), a run's lineage with its rejects and conflicts as downloads, and a data value's source.

The provincial office reads and runs every ingest (``ingest.view``, ``ingest.run``); an operator's users upload,
follow and confirm their own operator's (``accounts.permissions.OPERATOR_SCOPED``). Every upload is previewed
first: its page shows what would change and offers 确认写入 and 放弃 to who may (``may_apply_run``). A value's
source page follows the value (``data.view`` on its unit, an operator's user its own operator's figures).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, may, may_apply_run
from yangfan.actionplans.models import DataElement, Operator
from yangfan.audit.choices import AuditAction
from yangfan.audit.downloads import audited_download
from yangfan.audit.services import audit_record
from yangfan.core.periods import PeriodError
from yangfan.datavalues.models import DataValue
from yangfan.documents.tables import csv_bytes
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.exports import figures_readable, run_lineage
from yangfan.ingests.forms import IngestForm, IngestPolicyForm, IngestUploadHandler, spark_available
from yangfan.ingests.models import IngestRun
from yangfan.ingests.selectors import run_get, run_list, value_get
from yangfan.ingests.services import IngestRequest, ingest_create, ingest_discard, ingest_policy
from yangfan.ingests.tasks import progress_key, request_kwargs
from yangfan.jobs import progress_read, progress_write
from yangfan.pipeline.errors import PipelineError

PAGE = 50
STAGE_LABELS = {
    "hash": gettext_lazy("正在读取文件并计算摘要（SHA-256）…"),
    "aggregate": gettext_lazy("正在汇总原始数据…"),
    "preview": gettext_lazy("正在与已有数据比较，计算对附件指标的影响…"),
    "apply": gettext_lazy("正在核对文件和数据库是否与预览时一致…"),
    "write": gettext_lazy("正在写入数据值…"),
}
SECONDS_LABELS = {  # every stage the pipeline times (pipeline.aggregate): no internal name reaches the page
    "sites": gettext_lazy("核对站址清单"),
    "aggregate": gettext_lazy("汇总"),
    "hash_wait": gettext_lazy("等待文件摘要计算完成"),
    "parts": gettext_lazy("保存各运营商基站清单"),
    "total": gettext_lazy("读取、校验与汇总"),
    "run": gettext_lazy("全程（至预览）"),
    "apply": gettext_lazy("确认写入"),
    "discard": gettext_lazy("放弃"),
}
# run status -> the assessment colours of the portal's stylesheet
STATUS_CLASSES = {
    IngestStatus.QUEUED: "status-unknown",
    IngestStatus.RUNNING: "status-on_track",
    IngestStatus.PREVIEWED: "status-at_risk",
    IngestStatus.DONE: "status-achieved",
    IngestStatus.DISCARDED: "status-unknown",
    IngestStatus.REFUSED: "status-at_risk",
    IngestStatus.FAILED: "status-off_track",
}
CONFLICT_COLUMNS = (
    gettext_lazy("数据项代码"),
    gettext_lazy("数据项"),
    gettext_lazy("地区代码"),
    gettext_lazy("地区"),
    gettext_lazy("期间"),
    gettext_lazy("运营商"),
    gettext_lazy("现值"),
    gettext_lazy("汇总值"),
    gettext_lazy("原因"),
)


def _run(request, pk: int) -> IngestRun:
    """A run, for a reader of runs (refused and audited otherwise), or 404."""
    try:
        return run_get(actor=request.user, pk=pk, request=request)
    except IngestRun.DoesNotExist:
        raise Http404(_("没有这个汇总批次。")) from None


class RunListView(PermissionMixin, TemplateView):
    """Every run, newest first."""

    template_name = "ingests/list.html"
    permission = "ingest.view"

    def get_context_data(self, **kwargs):
        page = Paginator(run_list(actor=self.request.user).order_by("-pk"), PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page=page,
            runs=[{"run": r, "status_class": STATUS_CLASSES.get(r.status, "")} for r in page],
            may_run=may(self.request.user, "ingest.run"),
            may_configure=may(self.request.user, "ingest.configure"),
            **kwargs,
        )


@method_decorator(csrf_exempt, name="dispatch")  # checked in ``post``, once the upload handler is in place
class RunNewView(PermissionMixin, TemplateView):
    """GET: the upload form. POST: the files stored as they arrive (``IngestUploadHandler``), a queued run, its
    job; then the run's page."""

    template_name = "ingests/new.html"
    permission = "ingest.run"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            # before anything reads the body: the files go straight to the data directory, hashed
            request.upload_handlers = [IngestUploadHandler(request)]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", IngestForm(user=self.request.user))
        return super().get_context_data(spark=spark_available(), **kwargs)

    @method_decorator(csrf_protect)
    def post(self, request, *args, **kwargs):
        from yangfan.ingests.tasks import ingest_job

        form = IngestForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        ingest_request = IngestRequest(
            kind=data["kind"],
            files=[f.path for f in data["files"]],
            engine=data["engine"],
            period=data["period"],
            sites=[f.path for f in data["sites"]],
            dry_run=True,  # an upload is previewed; nothing is written until someone confirms
            max_reject_rate=data["max_reject_rate"],
            operator=data["operator"].code if data.get("operator") else "",
        )
        try:
            run = ingest_create(request=ingest_request, actor=request.user)
        except (PipelineError, PeriodError) as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        ingest_job.enqueue(run_id=run.pk, actor_id=request.user.pk, **request_kwargs(ingest_request))
        messages.success(
            request, _("已提交汇总批次 #%(n)s，正在后台汇总；完成后请查看预览并确认写入。") % {"n": run.pk}
        )
        return redirect("ingests:run", pk=run.pk)


def _progress(run: IngestRun) -> dict:
    """How far a run is, for its page and the page's script (``portal/jobs.js``)."""
    state = progress_read(progress_key(run.pk)) if not run.finished or run.awaiting else {}
    stage = state.get("stage")
    if run.status == IngestStatus.QUEUED:
        label = _("排队等待后台处理…（长时间没有变化时，请确认后台任务进程在运行）")
    elif stage == "write" and state.get("total"):
        label = _("正在写入数据值：%(done)s / %(total)s") % {"done": state["done"], "total": state["total"]}
    else:
        label = str(STAGE_LABELS.get(stage, _("正在处理…")))
    return {
        "finished": run.finished and not state,  # a confirmed preview is being applied while its job runs
        "status": run.status,
        "stage": stage or "",
        "done": state.get("done", 0),
        "total": state.get("total", 0),
        "label": label,
    }


class RunView(PermissionMixin, TemplateView):
    """A run's lineage: what went in, how it was read, what came out."""

    template_name = "ingests/run.html"
    permission = "ingest.view"

    def get_context_data(self, **kwargs):
        user = self.request.user
        run = _run(self.request, kwargs.pop("pk"))
        lineage = run_lineage(run, reader=user)
        progress = _progress(run)
        return super().get_context_data(
            run=run,
            lineage=lineage,
            status_class=STATUS_CLASSES.get(run.status, ""),
            progress=progress,
            working=not progress["finished"],
            seconds=[(SECONDS_LABELS.get(k, k), v) for k, v in run.seconds.items()],
            preview=_preview_rows(run, lineage["preview"]),
            may_apply=run.awaiting and may_apply_run(user, run),
            may_discard=run.awaiting and may_apply_run(user, run, discard=True),
            may_view_sites_run=run.sites_run is not None and may(user, "ingest.view", run.sites_run),
            conflicts=_conflict_rows(lineage["conflicts"]),
            sectors=_sector_rows(run.by_sector),
            has_rejects=bool(run.rows_rejected and run.rejects_file and Path(run.rejects_file).is_file()),
            **kwargs,
        )


class RunProgressView(PermissionMixin, View):
    """A run's status and progress as JSON, polled by its page while it waits or runs."""

    permission = "ingest.view"

    def get(self, request, pk: int):
        return JsonResponse(_progress(_run(request, pk)))


def _preview_rows(run: IngestRun, preview: dict) -> dict:
    """The run's preview as its reader may see it (``preview``: the lineage's, cut for the reader: an operator's
    user reads its own operator's figures and the totals, and how many values of each operator applying would
    add and change), with how many of the largest changes were left out, and operators by name."""
    names = dict(Operator.objects.values_list("code", "name"))
    warnings = run.warnings or {}
    return {
        **preview,
        "hidden": len((run.preview or {}).get("largest", [])) - len(preview.get("largest", [])),
        "operators": [names.get(code, code) for code in run.operators],
        "by_operator": [
            {**counts, "name": names.get(code, code) if code else _("合计")}
            for code, counts in preview.get("by_operator", {}).items()
        ],
        "warnings": {
            **warnings,
            "sites": [
                {
                    **w,
                    "operator_name": names.get(w["operator"], w["operator"]),
                    "missing_name": names.get(w["missing"], w["missing"]),
                }
                for w in warnings.get("sites", [])[:50]
            ],
            "missing_names": [names.get(code, code) for code in warnings.get("missing_operators", [])],
        },
    }


def _conflict_rows(conflicts: list[dict]) -> list[dict]:
    """The conflicts with the names of their data elements and operators."""
    names = dict(DataElement.objects.values_list("code", "name"))
    operators = dict(Operator.objects.values_list("code", "name"))
    return [
        {
            **c,
            "data_element_name": names.get(c["data_element"], c["data_element"]),
            "operator_name": operators.get(c["operator"], c["operator"]) if c["operator"] else _("合计"),
        }
        for c in conflicts
    ]


def _sector_rows(by_sector: dict[str, dict[str, int]]) -> dict:
    """5G IoT SIMs per sector at the last month the run computed (sector '' is the cards that name none)."""
    months = sorted({m for series in by_sector.values() for m in series})
    if not months:
        return {"month": None, "rows": []}
    last = months[-1]
    rows = [
        {"sector": sector or _("未注明行业"), "count": series.get(last, 0)}
        for sector, series in by_sector.items()
    ]
    rows.sort(key=lambda r: -r["count"])
    return {"month": last, "rows": rows, "total": sum(r["count"] for r in rows)}


class RejectsView(PermissionMixin, View):
    """The rejected rows of a run (the pipeline's file: each row as the file held it, with its reason)."""

    permission = "ingest.view"

    def get(self, request, pk: int):
        run = _run(request, pk)
        rejects = Path(run.rejects_file) if run.rejects_file else None
        if not run.rows_rejected or rejects is None or not rejects.is_file():
            raise Http404(_("该批次没有拒收行文件。"))
        name = f"ingest-{run.pk}-rejects.csv"
        detail = _("拒收行：%(name)s") % {"name": name}
        return audited_download(request, rejects.open("rb"), name, obj=run, detail=detail)


class ConflictsView(PermissionMixin, View):
    """A run's conflicts with locked values as CSV (UTF-8 with BOM, which Excel needs for the Chinese)."""

    permission = "ingest.view"

    def get(self, request, pk: int):
        run = _run(request, pk)
        keys = ("data_element", "data_element_name", "org_unit", "org_unit_name", "period", "operator_name")
        readable = figures_readable(request.user)
        rows = [
            [*(c[k] for k in keys), c["stored"], c["computed"], c["reason"]]
            for c in _conflict_rows(readable(run.conflicts))
        ]
        name = f"ingest-{run.pk}-conflicts.csv"
        content = csv_bytes([str(c) for c in CONFLICT_COLUMNS], rows)
        return audited_download(
            request, content, name, obj=run, detail=_("冲突清单：%(name)s") % {"name": name}
        )


class ValueView(PermissionMixin, TemplateView):
    """数据值来源: one value, who wrote it and when, and the run (files, engine, counts) it was computed by."""

    template_name = "ingests/value.html"
    permission = "data.view"  # the role; the value's unit and operator are checked by ``value_get``

    def get_context_data(self, **kwargs):
        try:
            value = value_get(actor=self.request.user, pk=kwargs.pop("pk"), request=self.request)
        except DataValue.DoesNotExist:
            raise Http404(_("没有这个数据值。")) from None
        run = value.ingest_run
        return super().get_context_data(
            value=value,
            run=run,
            files=list(run.files.all()) if run else [],
            may_view_run=run is not None and may(self.request.user, "ingest.view", run),
            **kwargs,
        )


class ApplyView(PermissionMixin, View):
    """确认写入: a previewed run applied by the task worker (``ingest_apply`` checks the files and the database
    against the preview first); the run's page shows the progress, then the outcome."""

    permission = "ingest.run"

    def post(self, request, pk: int):
        from yangfan.ingests.tasks import ingest_apply_job

        run = _run(request, pk)
        if not may_apply_run(request.user, run):
            deny(request.user, "ingest.run", run, request=request)
        if not run.awaiting:
            messages.error(request, _("该批次不在待确认状态。"))
            return redirect("ingests:run", pk=run.pk)
        progress_write(progress_key(run.pk), stage="apply")
        ingest_apply_job.enqueue(run_id=run.pk, actor_id=request.user.pk)
        messages.success(request, _("已确认，正在后台写入汇总批次 #%(n)s 的数据值。") % {"n": run.pk})
        return redirect("ingests:run", pk=run.pk)


class DiscardView(PermissionMixin, View):
    """放弃: a preview nobody will apply; nothing was written."""

    permission = "ingest.run"

    def post(self, request, pk: int):
        run = _run(request, pk)
        try:
            ingest_discard(run=run, actor=request.user, request=request)
        except PipelineError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已放弃汇总批次 #%(n)s，未写入任何数据。") % {"n": run.pk})
        return redirect("ingests:run", pk=run.pk)


class PolicyView(PermissionMixin, TemplateView):
    """原始数据规则: when a preview needs the province to confirm it, how long raw files are kept."""

    template_name = "ingests/policy.html"
    permission = "ingest.configure"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", IngestPolicyForm(instance=ingest_policy()))
        return super().get_context_data(**kwargs)

    def post(self, request):
        policy = ingest_policy()
        form = IngestPolicyForm(request.POST, instance=policy)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        changed = form.changed_data
        policy = form.save(commit=False)
        policy.updated_by = request.user
        policy.save()
        if changed:
            audit_record(
                action=AuditAction.UPDATE,
                actor=request.user,
                obj=policy,
                request=request,
                detail="；".join(
                    f"{form.fields[name].label}：{form.cleaned_data[name] if form.cleaned_data[name] is not None else '—'}"
                    for name in changed
                ),
            )
        messages.success(request, _("原始数据规则已保存。"))
        return redirect("ingests:policy")


app_name = "ingests"
urlpatterns = [
    path("", RunListView.as_view(), name="list"),
    path("new/", RunNewView.as_view(), name="new"),
    path("runs/<int:pk>/", RunView.as_view(), name="run"),
    path("runs/<int:pk>/progress/", RunProgressView.as_view(), name="progress"),
    path("runs/<int:pk>/rejects.csv", RejectsView.as_view(), name="rejects"),
    path("runs/<int:pk>/conflicts.csv", ConflictsView.as_view(), name="conflicts"),
    path("runs/<int:pk>/apply/", ApplyView.as_view(), name="apply"),
    path("runs/<int:pk>/discard/", DiscardView.as_view(), name="discard"),
    path("policy/", PolicyView.as_view(), name="policy"),
    path("values/<int:pk>/", ValueView.as_view(), name="value"),
]
