"""The REST API of task supervision (任务督导): assignments and their progress reports (save, attach evidence,
the workflow), supervision notices (issue, answer, close) and the supervision list (overdue and stalled).

Thin on purpose: every read goes through ``supervision.selectors.assignment_list`` (the one scope filter) and
every write through ``supervision.services``, which check who may do it and audit it exactly as for the web
pages. An assignment outside the caller's scope answers 403 (audited), a refused input 400 ``{"detail": …}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from yangfan.accounts.permissions import deny
from yangfan.actionplans import selectors as plan_selectors
from yangfan.api.permissions import Needs
from yangfan.api.supervision_serializers import (
    ActionSerializer,
    AlertSerializer,
    AssignmentDetailSerializer,
    AssignmentSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    NoticeAnswerSerializer,
    NoticeAnswerWriteSerializer,
    NoticeCloseSerializer,
    NoticeCreateSerializer,
    NoticeDetailSerializer,
    NoticeSerializer,
    ProgressReportRowSerializer,
    ProgressReportSerializer,
    ProgressReportWriteSerializer,
)
from yangfan.collection.workflow import TRANSITIONS
from yangfan.core.periods import PeriodError
from yangfan.supervision import boards, services
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.models import (
    Assignment,
    Milestone,
    ProgressReport,
    SupervisionNotice,
)
from yangfan.supervision.selectors import (
    assignment_list,
    may_read_assignment,
    may_report,
    period_of,
    reporting_periods,
)

ACTIONS = ["submit", "withdraw", "approve", "return", "unlock"]

# --- helpers ------------------------------------------------------------------------------------------------


def _bad(text: str):
    """A refused input as every endpoint answers it (a service's refusal too: ``api.errors``): 400
    ``{"detail": "…"}`` in Chinese."""
    return ValidationError({"detail": text})


def _valid(serializer: serializers.Serializer) -> dict:
    """``is_valid``, answering 400 with each field's errors and a ``detail`` that names the fields in Chinese."""
    if serializer.is_valid():
        return serializer.validated_data
    errors = dict(serializer.errors)
    parts = []
    for name, messages in errors.items():
        field = serializer.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        flat = messages if isinstance(messages, list) else [messages]
        parts.append(f"{label}：{' '.join(str(m) for m in flat)}")
    raise ValidationError({"detail": "；".join(parts), **errors})


def _period_error(plan, text: str) -> ValidationError:
    periods = reporting_periods(plan)
    example = periods[-1] if periods else "2023Q4"
    return _bad(_("期间“%(p)s”不是本计划的报告期，应写作 %(e)s 这样的形式。") % {"p": text, "e": example})


def _assignment(request, pk: int) -> Assignment:
    """The assignment of the URL: 404 when there is none, 403 (audited) when the caller may not read it."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("task__plan", "subtask", "responsible_unit", "org_unit"), pk=pk
    )
    if not may_read_assignment(request.user, assignment):
        deny(request.user, "tasks.view", assignment, request=request._request)
    return assignment


def _check_reporter(request, assignment: Assignment) -> None:
    """Refuse (403, audited) who may read but not write the report before looking at what they sent, so that
    the answer does not depend on the body; the service checks again."""
    if not may_report(request.user, assignment):
        deny(request.user, "tasks.report", assignment, request=request._request)


def _report(assignment: Assignment, period: str) -> ProgressReport:
    """The report of ``period`` (a new unsaved draft when there is none yet); 400 for a period that is not one
    of the plan's reporting periods."""
    try:
        return services.progress_report_open(assignment=assignment, period=period)
    except PeriodError:
        raise _period_error(assignment.task.plan, period) from None


def _saved_report(assignment: Assignment, period: str) -> ProgressReport:
    report = _report(assignment, period)
    if report.pk is None:
        raise Http404(_("该期尚未填写进展报告。"))
    return report


def _notice(request, pk: int) -> SupervisionNotice:
    notice = get_object_or_404(
        SupervisionNotice.objects.select_related(
            "plan",
            "assignment__task__plan",
            "assignment__subtask",
            "assignment__responsible_unit",
            "assignment__org_unit",
            "issued_by",
            "closed_by",
            "signed_by",
            "issuer_unit",
        ),
        pk=pk,
    )
    if not may_read_assignment(request.user, notice.assignment):
        deny(request.user, "tasks.view", notice, request=request._request)
    return notice


def _plan(request):
    code = request.query_params.get("plan")
    plan = plan_selectors.plan_get(code=code) if code else plan_selectors.plan_default()
    if plan is None:
        raise Http404(_("尚未加载行动计划。"))
    return plan


def _period(request, plan):
    text = request.query_params.get("period") or None
    try:
        return period_of(plan, text)
    except PeriodError:
        raise _period_error(plan, text) from None


def _report_response(report: ProgressReport, status: int = 200) -> Response:
    report = ProgressReport.objects.select_related(
        "assignment__task", "assignment__subtask", "assignment__responsible_unit", "assignment__org_unit"
    ).get(pk=report.pk)
    return Response(ProgressReportSerializer(report).data, status=status)


class TasksView:
    permission_classes = [Needs]
    required_permission = "tasks.view"


# --- assignments and progress reports -----------------------------------------------------------------------


class AssignmentListView(TasksView, generics.ListAPIView):
    """任务分工: the caller's assignments (a department its own, a city user its city government's shares)."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        params = self.request.query_params
        plan = _plan(self.request) if params.get("plan") else None
        rows = assignment_list(actor=self.request.user, plan=plan)
        if params.get("task"):
            code = params["task"]
            rows = rows.filter(task__code=code) | rows.filter(subtask__code=code)
        if params.get("unit"):
            return [a for a in rows if boards.unit_matches(a, params["unit"])]
        return rows

    def get_serializer_context(self):
        context = super().get_serializer_context()
        text = self.request.query_params.get("period")
        if text:
            period = _period(self.request, _plan(self.request))
            visible = assignment_list(actor=self.request.user)
            context["reports"] = {
                r.assignment_id: r
                for r in ProgressReport.objects.filter(assignment__in=visible, period=str(period)).annotate(
                    evidence_count=Count("evidence")
                )
            }
        return context

    @extend_schema(
        description="本人可见的任务分工：省级部门只见本部门的，设区市用户只见本市政府的。给出 period 时附该期进展报告摘要。",
        parameters=[
            OpenApiParameter("plan", str, description="计划代码"),
            OpenApiParameter("task", str, description="任务或子任务代码，如 T3.3.3"),
            OpenApiParameter(
                "unit", str, description="责任单位代码或名称（如 wlt、省文旅厅），或设区市（如 西安市）"
            ),
            OpenApiParameter("period", str, description="报告期，如 2023Q4"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentDetailView(TasksView, generics.GenericAPIView):
    serializer_class = AssignmentDetailSerializer

    @extend_schema(description="一项任务分工：阶段节点和各期进展报告。不在本人范围内：403。")
    def get(self, request, pk: int):
        return Response(self.get_serializer(_assignment(request, pk)).data)


class ProgressReportListView(TasksView, generics.ListAPIView):
    serializer_class = ProgressReportRowSerializer

    def get_queryset(self):
        params = self.request.query_params
        rows = ProgressReport.objects.filter(assignment__in=assignment_list(actor=self.request.user))
        if params.get("period"):
            rows = rows.filter(period=params["period"])
        if params.get("status"):
            rows = rows.filter(status=params["status"])
        return (
            rows.select_related(
                "assignment__task",
                "assignment__subtask",
                "assignment__responsible_unit",
                "assignment__org_unit",
                "submitted_by",
                "reviewed_by",
            )
            .prefetch_related("milestones_met")
            .annotate(evidence_count=Count("evidence"))
            .order_by("period", "assignment__task__position", "assignment_id")
        )

    @extend_schema(
        description="本人可见任务分工的进展报告。",
        parameters=[
            OpenApiParameter("period", str, description="报告期，如 2023Q4"),
            OpenApiParameter(
                "status", str, enum=["draft", "submitted", "approved", "returned"], description="状态"
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProgressReportView(TasksView, generics.GenericAPIView):
    serializer_class = ProgressReportSerializer

    @extend_schema(description="一期进展报告；尚未填写：404。", operation_id="v1_progress_report_retrieve")
    def get(self, request, pk: int, period: str):
        return _report_response(_saved_report(_assignment(request, pk), period))

    @extend_schema(
        description="保存进展报告草稿（草稿或被退回时，由责任单位填写）。已报送或已审核的报告已锁定：400。",
        operation_id="v1_progress_report_save",
        request=ProgressReportWriteSerializer,
        responses={200: ProgressReportSerializer},
    )
    def put(self, request, pk: int, period: str):
        assignment = _assignment(request, pk)
        _check_reporter(request, assignment)
        report = _report(assignment, period)
        data = _valid(ProgressReportWriteSerializer(data=request.data))
        ids = set(data["milestones_met"])
        chosen = list(Milestone.objects.filter(pk__in=ids))
        if len(chosen) != len(ids):
            raise _bad(_("所选节点不属于该任务。"))
        services.progress_report_save(
            actor=request.user,
            report=report,
            progress=data["progress"],
            percent=data["percent"],
            narrative=data["narrative"],
            milestones_met=chosen,
            request=request._request,
        )
        return _report_response(report)


class ProgressReportEvidenceView(TasksView, generics.GenericAPIView):
    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        description=(
            "上传佐证材料（multipart，字段 files，可多个）。按内容识别类型：可上传 PDF、PNG、JPEG 和 Word、Excel、"
            "PowerPoint 文件；超过大小限制、类型不符或扩展名与内容不符（伪装的文件）的一律拒绝（400），"
            "任何一个被拒绝时都不保存。返回该报告的全部佐证材料。"
        ),
        operation_id="v1_progress_report_evidence",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer(many=True)},
    )
    def post(self, request, pk: int, period: str):
        assignment = _assignment(request, pk)
        _check_reporter(request, assignment)
        report = _report(assignment, period)
        files = request.FILES.getlist("files")
        if not files:
            raise _bad(_("请选择要上传的文件（字段名 files）。"))
        met = list(report.milestones_met.all()) if report.pk else []
        services.progress_report_save(
            actor=request.user,
            report=report,
            progress=report.progress,
            percent=report.percent,
            narrative=report.narrative,
            milestones_met=met,
            files=files,
            request=request._request,
        )
        return Response(EvidenceSerializer(report.evidence.all(), many=True).data, status=201)


class ProgressReportActionView(TasksView, generics.GenericAPIView):
    serializer_class = ActionSerializer

    @extend_schema(
        description=(
            "进展报告的流转：责任单位报送（submit）、撤回（withdraw）；省领导小组办公室审核通过（approve）、"
            "退回（return）、解锁（unlock），退回和解锁须填写原因（comment）。无权：403；状态不允许：400。"
        ),
        parameters=[
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=ACTIONS,
                description="报送、撤回、审核通过、退回、解锁",
            )
        ],
        operation_id="v1_progress_report_act",
        request=ActionSerializer,
        responses={200: ProgressReportSerializer},
    )
    def post(self, request, pk: int, period: str, action: str):
        if action not in TRANSITIONS:
            raise Http404
        report = _saved_report(_assignment(request, pk), period)
        data = _valid(ActionSerializer(data=request.data))
        services.progress_report_act(
            actor=request.user,
            report=report,
            action=action,
            comment=data["comment"],
            request=request._request,
        )
        return _report_response(report)


# --- notices ---------------------------------------------------------------------------------------------------


class NoticeListView(generics.ListAPIView):
    permission_classes = [Needs]
    serializer_class = NoticeSerializer

    @property
    def required_permission(self) -> str:
        return "supervision.manage" if self.request.method == "POST" else "tasks.view"

    def get_queryset(self):
        rows = SupervisionNotice.objects.filter(assignment__in=assignment_list(actor=self.request.user))
        if self.request.query_params.get("status"):
            rows = rows.filter(status=self.request.query_params["status"])
        return rows.select_related(
            "plan",
            "assignment__task",
            "assignment__subtask",
            "assignment__responsible_unit",
            "assignment__org_unit",
            "issued_by",
            "closed_by",
            "signed_by",
            "issuer_unit",
        )

    @extend_schema(
        description="本人可见任务分工的督办单。",
        parameters=[OpenApiParameter("status", str, enum=NoticeStatus.values, description="状态")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        description=(
            "下发督办单：省领导小组办公室对任一分工，设区市办公室对本市分解给区县、市级部门的分工；"
            "编号按签发机关、计划和年度顺序生成，如 陕5G督〔2023〕1号、西安5G督〔2023〕1号。"
        ),
        operation_id="v1_notices_issue",
        request=NoticeCreateSerializer,
        responses={201: NoticeDetailSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = _valid(NoticeCreateSerializer(data=request.data))
        assignment = data["assignment"]
        if not may_read_assignment(request.user, assignment):
            deny(request.user, "tasks.view", assignment, request=request._request)
        notice = services.notice_issue(
            actor=request.user,
            assignment=assignment,
            title=data["title"],
            issue=data["issue"],
            required_action=data["required_action"],
            deadline=data["deadline"],
            figures=data["figures"],
            request=request._request,
        )
        return Response(NoticeDetailSerializer(_notice(request, notice.pk)).data, status=201)


class NoticeDetailView(TasksView, generics.GenericAPIView):
    serializer_class = NoticeDetailSerializer

    @extend_schema(description="一份督办单及其反馈。不在本人范围内：403。")
    def get(self, request, pk: int):
        return Response(self.get_serializer(_notice(request, pk)).data)


class NoticeAnswerView(TasksView, generics.GenericAPIView):
    serializer_class = NoticeAnswerSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        description="责任单位反馈督办单（text，可附佐证材料 files，multipart）。已办结的不能再反馈。",
        operation_id="v1_notice_answer",
        request={
            "application/json": NoticeAnswerWriteSerializer,
            "multipart/form-data": NoticeAnswerWriteSerializer,
        },
        responses={201: NoticeAnswerSerializer},
    )
    def post(self, request, pk: int):
        notice = _notice(request, pk)
        # a JSON list or a number as the body has no text: 400 like an empty one, not a 500
        text = request.data.get("text") if isinstance(request.data, Mapping) else None
        if not isinstance(text, str):
            raise _bad(_("请填写反馈内容。"))
        answer = services.notice_answer(
            actor=request.user,
            notice=notice,
            text=text,
            files=request.FILES.getlist("files"),
            request=request._request,
        )
        return Response(NoticeAnswerSerializer(answer).data, status=201)


class NoticeSignView(TasksView, generics.GenericAPIView):
    serializer_class = NoticeDetailSerializer

    @extend_schema(
        description="签收督办单（承办单位，一次；已签收或已办结的：400）。",
        operation_id="v1_notice_sign",
        request=None,
        responses={200: NoticeDetailSerializer},
    )
    def post(self, request, pk: int):
        notice = _notice(request, pk)
        services.notice_sign(actor=request.user, notice=notice, request=request._request)
        return Response(NoticeDetailSerializer(_notice(request, pk)).data)


class NoticeCloseView(TasksView, generics.GenericAPIView):
    serializer_class = NoticeCloseSerializer

    @extend_schema(
        description="办结督办单（督办的省或设区市领导小组办公室，须已反馈）。",
        operation_id="v1_notice_close",
        request=NoticeCloseSerializer,
        responses={200: NoticeDetailSerializer},
    )
    def post(self, request, pk: int):
        notice = _notice(request, pk)
        data = _valid(NoticeCloseSerializer(data=request.data))
        services.notice_close(
            actor=request.user, notice=notice, comment=data["comment"], request=request._request
        )
        return Response(NoticeDetailSerializer(_notice(request, pk)).data)


# --- the supervision list ----------------------------------------------------------------------------------------


class OverdueView(TasksView, generics.GenericAPIView):
    serializer_class = AlertSerializer

    @extend_schema(
        description=(
            "督导清单：本人可见任务分工中阶段节点逾期、逾期未报和连续滞后的情况（同 yangfan tasks overdue），"
            "以及本人管理的整改逾期的5G应用安全风险（kind 为 risk_overdue，detail.risk 为风险编号）。"
            "报告期默认为最近结束的一期，基准日默认为今天。"
        ),
        parameters=[
            OpenApiParameter("plan", str, description="计划代码"),
            OpenApiParameter("period", str, description="报告期，如 2023Q4"),
            OpenApiParameter("unit", str, description="责任单位代码或名称，或设区市"),
            OpenApiParameter("as_of", str, description="基准日，如 2024-01-20"),
        ],
        responses=AlertSerializer(many=True),
    )
    def get(self, request):
        plan = _plan(request)
        period = _period(request, plan)
        params = request.query_params
        as_of = None
        if params.get("as_of"):
            try:
                as_of = date.fromisoformat(params["as_of"])
            except ValueError:
                raise _bad(_("日期“%(d)s”无效，应写作 2024-01-20。") % {"d": params["as_of"]}) from None
        unit = params.get("unit") or None
        if unit and not boards.unit_known(plan, unit):
            raise _bad(
                _("未知责任单位“%(u)s”；请使用代码（如 wlt）、名称（如 省文旅厅）或设区市名称（如 西安市）。")
                % {"u": unit}
            )
        rows = boards.alert_rows(actor=request.user, plan=plan, period=period, as_of=as_of, unit=unit)
        risks = boards.risk_rows(actor=request.user, as_of=as_of, unit=unit)
        title = boards.risk_task_title(plan) if risks else ""
        return Response(
            [boards.alert_json(row) for row in rows] + [boards.risk_json(row, title) for row in risks]
        )
