"""The REST API of the registries (登记簿): the entries of each registry (list, create, read, change, remove)
and the counts the indicator engine reads from them.

Thin on purpose: lists go through ``registries.selectors.entry_list`` (what the caller may read and the filters
the pages share), writes through ``registries.services.entry_save`` and ``entry_delete`` (capture scope, checks,
duplicates, audit). Each registry is read and written with its spec's permissions (``read``, ``write``), and each
entry is checked itself (so that an enterprise's user reaches its own only). Foreign keys are given by code (org
unit, sector, operator) or by id (suppliers, case, VPN, body…). An entry or a unit outside the caller's scope
answers 403 (audited), a refused input 400 ``{"detail": …}``.
"""

from __future__ import annotations

from functools import cache

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from yangfan.accounts.permissions import deny, may_keep, require
from yangfan.actionplans import selectors as plan_selectors
from yangfan.actionplans.models import Operator, Sector
from yangfan.api.permissions import Needs
from yangfan.api.supervision import _bad, _valid
from yangfan.audit.conflicts import version_of
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.selectors import entry_list
from yangfan.registries.services import (
    entry_delete,
    entry_save,
    may_manage,
    referable,
    references,
    refuse_unowned,
)
from yangfan.registries.specs import REGISTRIES, SPECS, slug_of_code, spec_of

# --- serializers ----------------------------------------------------------------------------------------------


class SectorField(serializers.SlugRelatedField):
    """A sector by its code in the plan file (如 manufacturing), among the sectors of the default plan."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": gettext_lazy("未知行业代码“{value}”。")})
        super().__init__(slug_field="code", queryset=Sector.objects.all(), **kwargs)

    def get_queryset(self):
        return Sector.objects.filter(plan=plan_selectors.plan_default())


def _operator_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Operator.objects.all(),
        label=gettext_lazy("运营商"),
        help_text="运营商代码，如 cmcc、cucc、ctcc",
        error_messages={"does_not_exist": gettext_lazy("未知运营商代码“{value}”。")},
        **kwargs,
    )


def _id_field(queryset, label, **kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        label=label,
        error_messages={
            "does_not_exist": format_lazy("{label}（编号 {{pk_value}}）不存在。", label=label),
            "incorrect_type": gettext_lazy("应填写编号（整数）。"),
        },
        **kwargs,
    )


class EntrySerializer(serializers.ModelSerializer):
    """What every entry shows and takes: its place (org unit code), a remark and who recorded it when."""

    org_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=OrgUnit.objects.all(),
        label=gettext_lazy("地区"),
        help_text="登记所在地区的组织机构代码，如 610100（西安市）",
        error_messages={"does_not_exist": gettext_lazy("未知地区代码“{value}”。")},
    )
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        label=gettext_lazy("登记人"),
        help_text="用户名",
    )

    HEAD = ["id", "org_unit", "org_unit_name"]
    TAIL = ["remark", "created_by", "created_at", "updated_at"]
    # many-to-many fields: set by the service after the entry is saved
    M2M: tuple[str, ...] = ()

    class Meta:
        validators = []  # duplicates are the service's to judge (with a message that names the other entry)

    def get_fields(self):
        """The references to other registries take only what the requester may read (``services.referable``):
        another unit's entry is answered as one that does not exist."""
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        entry = self.instance if isinstance(self.instance, models.Model) else None
        for name in references(self.Meta.model) if user is not None else ():
            if name in fields and not fields[name].read_only:
                relation = getattr(fields[name], "child_relation", fields[name])
                relation.queryset = referable(relation.queryset, user=user, entry=entry, name=name)
        return fields


@cache
def entry_serializer(slug: str) -> type[EntrySerializer]:
    """The serializer of registry ``slug``, made from its spec: the entry's fields in the spec's order (its place
    first, its remark and who recorded it last); a choice also as its label (``<field>_label``); a sector by its
    code, an operator by its code, another registry's entry by its id (``<field>_name`` beside it where the spec
    says so); many-to-many fields set by the service once the entry is saved. Made once per registry."""
    spec = SPECS[slug]
    meta = spec.model._meta
    attrs: dict = {"__doc__": spec.description, "M2M": spec.many}
    names = []
    for name in spec.fields:
        if name in ("org_unit", "remark"):
            continue
        names.append(name)
        model_field = meta.get_field(name)
        optional = {"required": False} if model_field.blank or model_field.many_to_many else {}
        if model_field.null:
            optional["allow_null"] = True
        many = {"many": True} if model_field.many_to_many else {}
        help_text = spec.api_help.get(name)
        target = model_field.related_model
        if target is Sector:
            attrs[name] = SectorField(
                label=model_field.verbose_name, help_text=help_text or "行业代码", **many, **optional
            )
        elif target is Operator:
            attrs[name] = _operator_field(**optional)
        elif target is not None:
            label = target._meta.verbose_name
            attrs[name] = _id_field(
                target.objects.all(), label, help_text=help_text or f"{label}的编号", **many, **optional
            )
            if name in spec.api_names:
                names.append(f"{name}_name")
                attrs[f"{name}_name"] = serializers.CharField(source=f"{name}.name", read_only=True)
        elif model_field.choices:
            names.append(f"{name}_label")
            attrs[f"{name}_label"] = serializers.CharField(source=f"get_{name}_display", read_only=True)
    extra = {}
    if (
        "credit_code" in names
    ):  # taken as pasted (spaces, full-width, lower case): clean() normalises and checks it
        extra["credit_code"] = {
            "validators": [],
            "max_length": 64,
            "help_text": "18位，GB 32100-2015，校验码经核对",
        }
    fields = [*EntrySerializer.HEAD, *names, *EntrySerializer.TAIL]
    attrs["Meta"] = type(
        "Meta", (EntrySerializer.Meta,), {"model": spec.model, "fields": fields, "extra_kwargs": extra}
    )
    return type(f"{spec.model.__name__}Serializer", (EntrySerializer,), attrs)


def _any_entry(many: bool = False) -> PolymorphicProxySerializer:
    """The schema of "an entry of the registry in the URL": one of the registries'."""
    return PolymorphicProxySerializer(
        component_name="RegistryEntry",
        serializers=[entry_serializer(slug) for slug in SPECS],
        resource_type_field_name=None,
        many=many,
    )


class RegistryCountSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="计划文件中的登记簿代码，如 industry_vpn")
    name = serializers.CharField()
    registry = serializers.CharField(
        allow_null=True, help_text="条目所在的登记簿（接口路径中的名称，如 vpns）；不在扬帆登记的为 null"
    )
    count = serializers.IntegerField(
        allow_null=True,
        help_text="期末在册条目数（含统计上计入该地区的单位）；不在扬帆登记的为 null（无数据）",
    )


class RegistryCountsSerializer(serializers.Serializer):
    org_unit = serializers.CharField()
    org_unit_name = serializers.CharField()
    period = serializers.CharField()
    as_of = serializers.DateField(help_text="计数所依据的日期（期末）")
    registries = RegistryCountSerializer(many=True)


# --- helpers ------------------------------------------------------------------------------------------------


def _registries_described() -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        named = "、".join(f"{slug} {spec.title}" for slug, spec in SPECS.items())
    return f"登记簿：{named}。各登记簿按其读写权限开放（安全类登记簿须 security.view 等权限）。"


SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, enum=list(REGISTRIES), description=_registries_described()
)


def _filter_parameters() -> list[OpenApiParameter]:
    """Each registry's own filters (its spec's), as the list's query parameters."""
    found: dict[str, OpenApiParameter] = {}
    for spec in SPECS.values():
        for each in spec.filters:
            if each.param == "sector":
                continue
            found.setdefault(
                each.param,
                OpenApiParameter(
                    each.param,
                    each.api_type,
                    enum=list(each.api_enum) if each.api_enum else None,
                    description=f"{spec.model._meta.verbose_name}：{each.label}",
                ),
            )
    return list(found.values())


def _slug(kwargs) -> str:
    slug = kwargs.get("slug")
    if slug not in REGISTRIES:
        raise Http404(_("没有名为“%(s)s”的登记簿。") % {"s": slug})
    return slug


def _unit(request, code: str | None, permission: str) -> OrgUnit:
    """The unit a query names (by code, or by name as the pages allow), within the caller's view scope of
    ``permission``."""
    if not code:
        raise _bad(_("请给出地区（org），如 610100。"))
    unit = OrgUnit.objects.filter(Q(code=code) | Q(name=code)).first()
    if unit is None:
        raise _bad(_("未知地区“%(c)s”。") % {"c": code})
    require(request.user, permission, unit, request=request._request)
    return unit


def _entry(request, slug: str, pk: int):
    """The entry of the URL: 404 when there is none, 403 (audited) when the caller may not read it."""
    model = REGISTRIES[slug]
    entry = get_object_or_404(model.objects.select_related(*SPECS[slug].related, "created_by"), pk=pk)
    require(request.user, SPECS[slug].read, entry, request=request._request)
    return entry


def _check_writer(request, entry) -> None:
    """Refuse (403, audited) a write of ``entry`` (as it is, or as it is about to be saved) the caller may not make
    here, outside the service's transaction, so that the refusal stays in the audit trail; the service checks
    again. An enterprise's user naming another enterprise is told which field to correct (400)."""
    refuse_unowned(request.user, entry)
    if not may_manage(request.user, entry):
        deny(request.user, spec_of(entry).write, entry, request=request._request)


def _saved(request, slug: str, entry, data: dict) -> object:
    """Copy ``data`` onto ``entry`` and save it through the service; 400 with the service's reason, 412 when the
    request's ``If-Match`` names a version older than the stored one."""
    serializer_class = entry_serializer(slug)
    m2m = {name: data.pop(name) for name in serializer_class.M2M if name in data}
    for name, value in data.items():
        setattr(entry, name, value)
    _check_writer(request, entry)
    return entry_save(
        actor=request.user, entry=entry, m2m=m2m, version=_if_match(request), request=request._request
    )


def _if_match(request) -> str | None:
    """The version a client saw (``If-Match``, as the entry's ``ETag`` gave it); None when it sent none (then the
    write is not checked: a client that does not keep versions works as before)."""
    header = request.headers.get("If-Match", "").strip()
    return None if header in ("", "*") else header


def _response(request, slug: str, entry, status: int = 200) -> Response:
    entry = _entry(request, slug, entry.pk)
    return _tagged(Response(entry_serializer(slug)(entry).data, status=status), entry)


def _tagged(response: Response, entry) -> Response:
    """The entry's version as its ``ETag``: sent back as ``If-Match``, it makes a write refuse (412) to undo a
    change made since (``registries.services.entry_save``)."""
    response["ETag"] = f'"{version_of(entry)}"'
    return response


class RegistryView:
    """Reading needs the registry's ``read``; writing its ``write`` (then each entry is checked)."""

    permission_classes = [Needs]

    @property
    def required_permission(self) -> str:
        spec = SPECS.get(self.kwargs.get("slug"))
        if spec is None:
            return "registries.view"  # the view answers 404 for a registry that does not exist
        return spec.read if self.request.method in ("GET", "HEAD", "OPTIONS") else spec.write

    def get_serializer_class(self):
        slug = self.kwargs.get("slug")
        return entry_serializer(slug) if slug in SPECS else EntrySerializer


# --- views ----------------------------------------------------------------------------------------------------


class RegistryEntryListView(RegistryView, generics.GenericAPIView):
    """``GET``: the entries of a registry at units in the caller's view scope, filtered, paginated. ``POST``: a
    new entry, at a unit in the caller's capture scope."""

    @extend_schema(
        description=(
            "一个登记簿中本人可见（查看范围内地区）的条目，分页。筛选：org 地区（含统计上计入它的单位）、sector 行业、"
            "q 检索（应用案例按名称、场景、企业、介绍等检索，支持拼音首字母；其他登记簿按名称），以及各登记簿自己的"
            "条件。org 不在本人查看范围内：403。"
        ),
        operation_id="v1_registry_entries_list",
        parameters=[
            SLUG,
            OpenApiParameter("org", str, description="地区代码（含统计上计入它的单位），如 610100"),
            OpenApiParameter("sector", str, description="行业代码（供应商按能力覆盖行业）"),
            OpenApiParameter("q", str, description="检索词"),
            *_filter_parameters(),
        ],
        responses=_any_entry(many=True),
    )
    def get(self, request, slug: str):
        slug = _slug(self.kwargs)
        params = request.query_params
        if params.get("org"):
            _unit(request, params["org"], SPECS[slug].read)
        rows = entry_list(actor=request.user, slug=slug, params=params)  # a bad filter: 400 (api.errors)
        model = REGISTRIES[slug]
        rows = rows.select_related("created_by").order_by(*model._meta.ordering, "pk")
        for name in entry_serializer(slug).M2M:
            rows = rows.prefetch_related(name)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(entry_serializer(slug)(page, many=True).data)

    @extend_schema(
        description=(
            "登记一个条目（省领导小组办公室、省级部门、设区市填报员，限本人填报范围内的地区）。外键按代码填写："
            "org_unit、sector、operator 为代码，suppliers、case、vpn 为编号。输入有误或与已登记的条目重复：400；"
            "地区不在本人填报范围内：403。"
        ),
        operation_id="v1_registry_entries_create",
        parameters=[SLUG],
        request=_any_entry(),
        responses={201: _any_entry()},
    )
    def post(self, request, slug: str):
        slug = _slug(self.kwargs)
        spec = SPECS[slug]
        if not may_keep(request.user, spec.write, spec.model):  # a registry no enterprise keeps, for one
            deny(request.user, spec.write, request=request._request)
        data = _valid(entry_serializer(slug)(data=request.data, context={"request": request}))
        entry = _saved(request, slug, REGISTRIES[slug](), dict(data))
        return _response(request, slug, entry, status=201)


class RegistryEntryDetailView(RegistryView, generics.GenericAPIView):
    @extend_schema(
        description="一个条目。不在本人查看范围内：403。",
        operation_id="v1_registry_entry_retrieve",
        parameters=[SLUG],
        responses=_any_entry(),
    )
    def get(self, request, slug: str, pk: int):
        slug = _slug(self.kwargs)
        entry = _entry(request, slug, pk)
        return _tagged(Response(entry_serializer(slug)(entry).data), entry)

    @extend_schema(
        description=(
            "修改一个条目（全部字段，同登记）。条目停用、撤销或出库时填写相应日期，不要删除，以便此前各期仍计数。"
            "条目或新地区不在本人填报范围内：403。带 If-Match（读取条目时的 ETag）时，条目此后已被他人修改：412，"
            "detail 说明谁在何时修改，changed 列出与本次提交不同的字段。"
        ),
        operation_id="v1_registry_entry_update",
        parameters=[SLUG],
        request=_any_entry(),
        responses=_any_entry(),
    )
    def put(self, request, slug: str, pk: int):
        slug = _slug(self.kwargs)
        entry = _entry(request, slug, pk)
        if not may_manage(request.user, entry):
            deny(request.user, SPECS[slug].write, entry, request=request._request)
        data = _valid(entry_serializer(slug)(entry, data=request.data, context={"request": request}))
        entry = _saved(request, slug, REGISTRIES[slug].objects.get(pk=entry.pk), dict(data))
        return _response(request, slug, entry)

    @extend_schema(
        description=(
            "删除误登记的条目。已结束的条目请填写停用或撤销日期，而不是删除。被标杆引用的案例、被案例使用的专网"
            "不能删除：400。带 If-Match 而条目此后已被修改：412。"
        ),
        operation_id="v1_registry_entry_destroy",
        parameters=[SLUG],
        responses={204: None},
    )
    def delete(self, request, slug: str, pk: int):
        slug = _slug(self.kwargs)
        entry = _entry(request, slug, pk)
        if not may_manage(request.user, entry):
            deny(request.user, SPECS[slug].write, entry, request=request._request)
        entry_delete(actor=request.user, entry=entry, version=_if_match(request), request=request._request)
        return Response(status=204)


class RegistryCountsView(generics.GenericAPIView):
    """The counts of the registries the plan counts: figures of a unit, read as its figures are (``data.view``): a
    count covers every enterprise's entries, which an enterprise's user does not read."""

    permission_classes = [Needs]
    required_permission = "data.view"
    serializer_class = RegistryCountsSerializer

    @extend_schema(
        description=(
            "一个地区各登记簿在期末的在册条目数，即指标计算（如 A6 count(industry_vpn)）所用的数："
            "期末前已开通或认定、期末时尚未停用或撤销的条目，含统计上计入该地区的单位。"
            "计划列出但扬帆不登记的登记簿为 null（无数据）。地区不在本人查看范围内：403。"
        ),
        operation_id="v1_registry_counts",
        parameters=[
            OpenApiParameter("org", str, required=True, description="地区代码，如 610000"),
            OpenApiParameter("period", str, description="期间，如 2023、2023Q4 或 202312；默认为计划末年"),
        ],
    )
    def get(self, request):
        from yangfan.datavalues.indicators import core_plans, plan_period
        from yangfan.registries.counts import registry_counter

        unit = _unit(request, request.query_params.get("org"), self.required_permission)
        row = plan_selectors.plan_default()
        if row is None:
            raise Http404(_("尚未加载行动计划。"))
        plan = core_plans()[row.code]
        period = plan_period([plan], request.query_params.get("period"))  # a bad period: 400 (api.errors)
        counter = registry_counter(plan)
        rows = []
        for registry in plan.registries:
            count = counter(registry.code, unit.code, period, None)
            rows.append(
                {
                    "code": registry.code,
                    "name": registry.name,
                    "registry": slug_of_code(registry.code) if count is not None else None,
                    "count": int(count) if count is not None else None,
                }
            )
        body = {
            "org_unit": unit.code,
            "org_unit_name": unit.name,
            "period": str(period),
            "as_of": period.end,
            "registries": rows,
        }
        return Response(self.get_serializer(body).data)
