"""The REST API: the plan, the org tree, the caller's own account, data values (read and batch write), reports
and their workflow, and completeness.

Every view names the permission it needs; scoped objects go through the same ``require`` as the web pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import CursorPagination

from yangfan.accounts.permissions import (
    deny,
    operator_figures,
    org_unit_ids_in_scope,
    org_units_in_scope,
    require,
)
from yangfan.actionplans import selectors as plan_selectors
from yangfan.api.permissions import Needs
from yangfan.api.serializers import (
    DATAVALUE_ROW,
    CompletenessSerializer,
    DataValueRowSerializer,
    DataValueWriteSerializer,
    ImportErrorSerializer,
    ImportResultSerializer,
    IndicatorAssessmentSerializer,
    IndicatorSerializer,
    MeSerializer,
    OrgUnitSerializer,
    SubmissionActionSerializer,
    SubmissionDetailSerializer,
    SubmissionOpenSerializer,
    SubmissionSerializer,
    TaskSerializer,
)
from yangfan.datavalues.importers import COLUMNS
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import unit_or_group


class MeView(generics.RetrieveAPIView):
    """The caller's account: role and scopes."""

    serializer_class = MeSerializer
    permission_classes = [Needs]
    required_permission = "plan.read"

    def get_object(self):
        return self.request.user


class OrgUnitListView(generics.ListAPIView):
    """The org tree (reference data of the plan: names and codes only)."""

    serializer_class = OrgUnitSerializer
    permission_classes = [Needs]
    required_permission = "plan.read"
    queryset = OrgUnit.objects.select_related("parent", "counted_in")


class OrgUnitDetailView(generics.RetrieveAPIView):
    """One org unit, within the caller's view scope (its figures join it with the indicator engine)."""

    serializer_class = OrgUnitSerializer
    permission_classes = [Needs]
    required_permission = "data.view"
    queryset = OrgUnit.objects.select_related("parent", "counted_in")
    lookup_field = "code"


class PlanScoped:
    permission_classes = [Needs]
    required_permission = "plan.read"

    def plan(self):
        return plan_selectors.plan_get(code=self.kwargs["plan"])


class TaskListView(PlanScoped, generics.ListAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return plan_selectors.task_list(plan=self.plan())


class IndicatorListView(PlanScoped, generics.ListAPIView):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        return plan_selectors.indicator_list(plan=self.plan())


class IndicatorDetailView(PlanScoped, generics.RetrieveAPIView):
    serializer_class = IndicatorSerializer

    def get_object(self):
        obj = get_object_or_404(plan_selectors.indicator_list(plan=self.plan()), code=self.kwargs["code"])
        self.check_object_permissions(self.request, obj)
        return obj


class IndicatorValuesView(generics.GenericAPIView):
    """``/api/indicators/?org=610000&period=2023[&children=1][&plan=…]``: the assessments of every indicator,
    for org units within the caller's view scope (the fields of ``yangfan indicators --format json``)."""

    permission_classes = [Needs]
    required_permission = "data.view"
    serializer_class = IndicatorAssessmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, required=True, description="组织机构代码，如 610000"),
            OpenApiParameter("period", str, required=True, description="2023、2023Q4 或 202312"),
            OpenApiParameter("children", bool, description="同时计算统计上计入它的下级单位"),
            OpenApiParameter("plan", str, description="计划代码"),
        ],
        responses=IndicatorAssessmentSerializer(many=True),
    )
    def get(self, request):
        from rest_framework.exceptions import NotFound, ValidationError
        from rest_framework.response import Response

        from yangfan.audit.fragments import kept
        from yangfan.core.periods import PeriodError
        from yangfan.datavalues.indicators import as_json, assessments, core_plans, plan_period

        plans = core_plans()
        plan = plans.get(request.query_params.get("plan") or plan_selectors.plan_default().code)
        if plan is None:
            raise ValidationError({"plan": "未知计划"})
        if not request.query_params.get("period"):
            raise ValidationError({"period": "请给出期间，如 2023、2023Q4 或 202312"})
        try:
            period = plan_period([plan], request.query_params["period"])
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from None
        org = request.query_params.get("org", "")
        unit = unit_or_group(org)  # a unit or a group (西咸新区), by code or name
        if unit is None:
            raise NotFound(f"没有代码或名称为“{org}”的地区。")
        require(request.user, "data.view", unit, request=request._request)
        codes = [unit.code]
        if request.query_params.get("children") and unit.code in plan.org_tree.units:
            codes += [c.code for c in plan.org_tree.children(unit.code)]
            in_scope = org_units_in_scope(request.user, "data.view").filter(code__in=codes)
            allowed = set(in_scope.values_list("code", flat=True))
            codes = [c for c in codes if c in allowed]
        # computed once while nothing it reads can have changed, for this caller (audit.fragments)
        rows = kept(request, "api-indicators", lambda: as_json(assessments(plan, codes, period)))
        return Response(rows)


# --- data collection ------------------------------------------------------------------------------------------

# Error columns of the import path (Chinese, as a file names them) → the API's field names.
ROW_ERROR_FIELDS = {chinese: field for field, (_english, chinese) in COLUMNS.items()}


def _row_error_fields(column: str) -> str | None:
    if not column:
        return None
    return ROW_ERROR_FIELDS.get(column, column)


class DataValuePagination(CursorPagination):
    """Pages of 200 values in the order they were stored, each page found by the primary key it starts after: a
    page costs the same on the first page as on the last and never counts the table (``next`` is the cursor)."""

    ordering = "id"
    page_size = 200
    page_size_query_param = "limit"
    max_page_size = 1000


class DataValueListView(generics.GenericAPIView):
    """``GET``: values within the caller's view scope, filtered by ``org`` (with every unit counted in it),
    ``period`` (with the quarters and months in it), ``data_element`` and ``operator``; paginated.

    ``POST``: a batch ``[{data_element, period, org_unit, value, operator?, comment?}, …]`` written through the
    same path as ``yangfan values import`` (source ``api``): all or nothing, within the caller's capture scope,
    refused for values of submitted or approved reports, each change audited. ``?dry_run=1`` checks only."""

    permission_classes = [Needs]
    serializer_class = DataValueRowSerializer
    pagination_class = DataValuePagination

    @property
    def required_permission(self) -> str:
        return "data.capture" if self.request.method == "POST" else "data.view"

    def get_queryset(self):
        from rest_framework.exceptions import ValidationError

        from yangfan.core.periods import Period, PeriodError
        from yangfan.datavalues.selectors import datavalue_list

        params = self.request.query_params
        unit = None
        if params.get("org"):
            unit = get_object_or_404(OrgUnit, code=params["org"])
            require(self.request.user, "data.view", unit, request=self.request._request)
        period = None
        if params.get("period"):
            try:
                period = Period.parse(params["period"])
            except PeriodError as exc:
                raise ValidationError({"period": str(exc)}) from None
        queryset = datavalue_list(org_unit=unit, period=period)
        scope = org_unit_ids_in_scope(self.request.user, "data.view")
        if scope is not None and len(scope) < OrgUnit.objects.count():
            # a scope that covers every unit is no filter: the page is then read in the key's order, not sorted
            queryset = queryset.filter(org_unit__in=scope)
        queryset = operator_figures(queryset, self.request.user)  # operators compete: own figures and totals
        if params.get("data_element"):
            queryset = queryset.filter(data_element__code=params["data_element"])
        if params.get("operator"):
            queryset = queryset.filter(operator__code=params["operator"])
        return queryset.values(*DATAVALUE_ROW)

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, description="组织机构代码（含统计上计入它的单位），如 610100"),
            OpenApiParameter("period", str, description="2023、2023Q4 或 202312（含其中的季和月）"),
            OpenApiParameter("data_element", str, description="数据项代码"),
            OpenApiParameter("operator", str, description="运营商代码"),
        ]
    )
    def get(self, request):
        from rest_framework.response import Response

        page = self.paginate_queryset(self.get_queryset())
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(
        request=DataValueWriteSerializer(many=True),
        parameters=[OpenApiParameter("dry_run", bool, description="只检查，不写入")],
        responses={200: ImportResultSerializer, 400: ImportErrorSerializer},
    )
    def post(self, request):
        from rest_framework.response import Response

        from yangfan.core.errors import ImportInvalid
        from yangfan.datavalues.choices import ValueSource
        from yangfan.datavalues.importers import parse_rows
        from yangfan.datavalues.services import datavalues_import

        entries = request.data
        if not isinstance(entries, list) or not entries:
            return _import_error("请提交数据值数组：[{data_element, period, org_unit, value, …}, …]", [])
        problems = [
            {"index": i, "field": None, "message": "每个数据值应为一个对象"}
            for i, entry in enumerate(entries)
            if not isinstance(entry, dict)
        ]
        problems += [
            {"index": i, "field": key, "message": f"未知字段“{key}”"}
            for i, entry in enumerate(entries)
            if isinstance(entry, dict)
            for key in entry
            if key not in COLUMNS
        ]
        if problems:
            return _import_error("数据值格式有误，未写入任何数据。", problems)
        records = [{field: _text(entry.get(field)) for field in COLUMNS} for entry in entries]
        dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
        try:
            rows = parse_rows(records, "API")
            refused = _out_of_scope(request, rows)
            if refused:
                return refused
            report = datavalues_import(
                rows=rows,
                actor=request.user,
                file="API",
                source=ValueSource.API,
                dry_run=dry_run,
                request=request._request,
            )
        except ImportInvalid as exc:
            errors = [
                {
                    "index": e.row - 2 if e.row >= 2 else None,
                    "field": _row_error_fields(e.column),
                    "message": e.message,
                }
                for e in exc.errors
            ]
            unlisted = f"{exc.unlisted}。" if exc.unlisted else ""  # past ERRORS_LISTED: counted, not listed
            return _import_error(f"有 {exc.total} 处错误，未写入任何数据。{unlisted}", errors)
        from yangfan.collection.checks import rows_findings

        return Response(
            {
                "added": len(report.added),
                "changed": len(report.changed),
                "unchanged": len(report.unchanged),
                "dry_run": report.dry_run,
                # the plan's validation rules on what was written: errors block the report's submission later
                "findings": [f.as_dict() for f in rows_findings(rows)],
            }
        )


def _out_of_scope(request, rows):
    """A 403 (audited) listing the entries the caller may not write: a unit outside their capture scope, or, for
    an operator's reporter, another operator's figures or the undivided total. ``None`` when all are theirs."""
    from types import SimpleNamespace

    from rest_framework.response import Response

    from yangfan.accounts.permissions import deny, may

    answers: dict[tuple, bool] = {}
    refused = []
    for row in rows:
        key = (row.org_unit.pk, row.operator.pk if row.operator else None)
        if key not in answers:
            target = SimpleNamespace(org_unit=row.org_unit, operator_id=key[1])
            answers[key] = may(request.user, "data.capture", target)
        if not answers[key]:
            name = row.org_unit.name + (f" {row.operator.name}" if row.operator else "")
            refused.append({"index": row.row - 2, "field": "org_unit", "message": f"无权填报 {name} 的数据"})
    if not refused:
        return None
    try:
        deny(request.user, "data.capture", rows[refused[0]["index"]].org_unit, request=request._request)
    except PermissionDenied as exc:
        return Response({"detail": str(exc), "errors": refused}, status=403)


def _text(value) -> str:
    """A posted cell as the import path reads a file's cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)  # not a number: the parser says so
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _import_error(detail: str, errors: list[dict]):
    from rest_framework.response import Response

    return Response({"detail": detail, "errors": errors}, status=400)


class SubmissionScoped:
    """Submissions of units within the caller's view scope."""

    permission_classes = [Needs]
    required_permission = "data.view"

    def get_queryset(self):
        from yangfan.collection.models import Submission

        reports = Submission.objects.filter(org_unit__in=org_units_in_scope(self.request.user, "data.view"))
        return operator_figures(reports, self.request.user).select_related(  # operators: their own and totals
            "data_set", "org_unit", "operator", "submitted_by", "reviewed_by"
        )

    def submission(self):
        """The submission of the URL: 404 when there is none, 403 (audited) when the caller may not read it, as
        its page answers (``collection.services.may_read``: another operator's report is refused too)."""
        from yangfan.collection.models import Submission
        from yangfan.collection.services import may_read

        submission = get_object_or_404(
            Submission.objects.select_related("data_set", "org_unit", "operator"), pk=self.kwargs["pk"]
        )
        if not may_read(self.request.user, submission):
            deny(self.request.user, "data.view", submission, request=self.request._request)
        return submission


class SubmissionListView(SubmissionScoped, generics.ListAPIView):
    """``GET``: reports (报送) in the caller's view scope, filtered by ``data_set``, ``period``, ``status``,
    ``org``. ``POST``: open one (see ``post``)."""

    serializer_class = SubmissionSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if params.get("data_set"):
            queryset = queryset.filter(data_set__code=params["data_set"])
        if params.get("period"):
            queryset = queryset.filter(period=params["period"])
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("org"):
            queryset = queryset.filter(org_unit__code=params["org"])
        return queryset.order_by("data_set__code", "period", "org_unit__code", "operator__code", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("data_set", str, description="数据集代码，如 city-quarterly"),
            OpenApiParameter("period", str, description="期间，如 2023Q4"),
            OpenApiParameter(
                "status", str, enum=["draft", "submitted", "approved", "returned"], description="状态"
            ),
            OpenApiParameter("org", str, description="填报单位代码"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="v1_submissions_open",
        request=SubmissionOpenSerializer,
        responses={200: SubmissionDetailSerializer, 201: SubmissionDetailSerializer},
        description="打开一份报送：已有则返回，没有则新建草稿（填报或报送该单位该数据集的用户）。",
    )
    def post(self, request, *args, **kwargs):
        """Open a report (get it, or create its draft) so that a client can take it along the workflow."""
        from rest_framework.response import Response

        from yangfan.accounts.permissions import deny, may, reports_data_set
        from yangfan.collection.models import Submission
        from yangfan.collection.services import may_submit, submission_open

        body = SubmissionOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data
        probe = Submission(
            data_set=wanted["data_set"], org_unit=wanted["org_unit"], operator=wanted["operator"]
        )
        if not (
            may_submit(request.user, probe)
            or (reports_data_set(request.user, probe.data_set) and may(request.user, "data.capture", probe))
        ):
            deny(request.user, "data.capture", probe, request=request._request)
        existed = Submission.objects.filter(
            data_set=probe.data_set, org_unit=probe.org_unit, period=wanted["period"], operator=probe.operator
        ).exists()
        submission = submission_open(
            data_set=probe.data_set, org_unit=probe.org_unit, period=wanted["period"], operator=probe.operator
        )
        return Response(SubmissionDetailSerializer(submission).data, status=200 if existed else 201)


class SubmissionDetailView(SubmissionScoped, generics.RetrieveAPIView):
    """One report with its history (events)."""

    serializer_class = SubmissionDetailSerializer

    def get_object(self):
        return self.submission()


class SubmissionActionView(SubmissionScoped, generics.GenericAPIView):
    """A workflow step: ``submit`` or ``withdraw`` (the reporting unit), ``approve``, ``return`` or ``unlock``
    (one level up; ``return`` and ``unlock`` need a ``comment``). 403 when the caller may not take this step
    (audited), 400 when the report's state does not allow it, 409 ``{"detail", "status"}`` when another user's step
    on the same report came first while this one was on its way (``status``: the state it is in now)."""

    serializer_class = SubmissionActionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "action",
                str,
                OpenApiParameter.PATH,
                enum=["submit", "withdraw", "approve", "return", "unlock"],
                description="报送、撤回、审核通过、退回、解锁",
            )
        ],
        operation_id="v1_submissions_act",
        request=SubmissionActionSerializer,
        responses={200: SubmissionDetailSerializer},
    )
    def post(self, request, pk: int, action: str):
        from django.http import Http404
        from rest_framework.response import Response

        from yangfan.collection.services import submission_act
        from yangfan.collection.workflow import TRANSITIONS

        if action not in TRANSITIONS:
            raise Http404
        submission = self.submission()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        submission = submission_act(  # a refusal is 400 {"detail": …} (api.errors)
            actor=request.user,
            submission=submission,
            action=action,
            comment=body.validated_data["comment"],
            explanations=body.validated_data["explanations"] or None,
            request=request._request,
        )
        return Response(SubmissionDetailSerializer(submission).data)


class CompletenessAPIView(generics.GenericAPIView):
    """报送情况: every expected report of ``data_set`` at ``period`` in the caller's view scope, with its state and
    timeliness, and the totals (defaults: the first data set, its latest ended period)."""

    permission_classes = [Needs]
    required_permission = "data.view"
    serializer_class = CompletenessSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("data_set", str, description="数据集代码，如 city-quarterly"),
            OpenApiParameter("period", str, description="该数据集的期间，如 2023Q4"),
        ]
    )
    def get(self, request):
        from rest_framework.exceptions import ValidationError
        from rest_framework.response import Response

        from yangfan.collection import completeness
        from yangfan.collection.selectors import deadline

        data_sets = list(completeness.data_set_list())
        code = request.query_params.get("data_set")
        data_set = (
            next((d for d in data_sets if d.code == code), None) if code else next(iter(data_sets), None)
        )
        if data_set is None:
            raise ValidationError({"data_set": f"未知数据集“{code}”"})
        period = completeness.current_period(data_set)
        if request.query_params.get("period"):
            try:
                period = completeness.parse_period(data_set, request.query_params["period"])
            except completeness.CompletenessError as exc:
                raise ValidationError({"period": str(exc)}) from None
        rows = completeness.completeness_rows(data_set=data_set, period=period, user=request.user)
        payload = {
            "data_set": data_set,
            "period": str(period),
            "deadline": deadline(data_set=data_set, period=period),
            "totals": completeness.completeness_totals(rows),
            "rows": rows,
        }
        return Response(self.get_serializer(payload).data)
