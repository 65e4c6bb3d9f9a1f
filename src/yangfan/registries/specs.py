"""Each registry declared once: what its entries are, how they are listed, filtered, searched, told apart and
counted. The entry form (``forms``), the API's serializer (``api.registries``), the spreadsheet columns
(``exchange``), the list's filters (``selectors``), the pages (``views``) and the indicator engine's rows
(``counts``) are all made from these specs. Adding a registry is a spec here, its model and its migration.

Who may read and write the entries is not a spec's: every registry is read with ``registries.view`` and written
with ``registries.manage``, each within the unit's scope, as the permission module alone decides (ADR 0011).

A spec names model fields; their labels, kinds and choices come from the model, so that a field is described
once (its Chinese name is its ``verbose_name``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yangfan.core.errors import YangfanError
from yangfan.registries.choices import (
    BloomCupAward,
    CarrierKind,
    CaseStage,
    NetworkForm,
    ProductKind,
    ProductStage,
    StandardLevel,
    StandardStage,
)
from yangfan.registries.models import (
    ApplicationCase,
    Benchmark,
    BloomCupEntry,
    Carrier,
    IndustryProduct,
    IndustryVpn,
    LeadZone,
    Standard,
    Supplier,
)

NAME = _("名称")
DUPLICATE = _("与已登记的“%(other)s”（%(unit)s）重复。")
CITY = "city"  # in ``same_as``: the entries are in the same city (``services.city_of``)


class BadFilter(YangfanError, ValueError):
    """A filter value that cannot be read (a date, a number); the message is for the user."""


@dataclass(frozen=True)
class Filter:
    """One filter of a registry's list: the query parameter the page and the API share, its label, how it narrows
    the rows, and how the page asks for it (``widget``: select, date or text; a select's ``options`` are read when
    the page is drawn). ``on_page=False``: the API's only (a filter links and scripts use)."""

    param: str
    label: Promise
    narrow: Callable[[QuerySet, str], QuerySet]
    widget: str = "select"
    options: Callable[[], list[tuple[str, str]]] | None = None
    api_type: type = str
    api_enum: tuple[str, ...] | None = None
    on_page: bool = True


def _sectors() -> list[tuple[str, str]]:
    from yangfan.actionplans.display import localized_name
    from yangfan.actionplans.models import Sector

    return [(s.code, localized_name(s)) for s in Sector.objects.order_by("position")]


def _operators() -> list[tuple[str, str]]:
    from yangfan.actionplans.display import localized_name
    from yangfan.actionplans.models import Operator

    return [(o.code, localized_name(o)) for o in Operator.objects.all()]


def _yes_no() -> list[tuple[str, str]]:
    return [("1", str(_("是"))), ("0", str(_("否")))]


def choice(name: str, label: Promise, choices) -> Filter:
    """Entries whose choice field ``name`` holds the value."""
    return Filter(
        name,
        label,
        lambda rows, value: rows.filter(**{name: value}),
        options=lambda: [(v, str(text)) for v, text in choices.choices],
        api_enum=tuple(choices.values),
    )


def by_code(param: str, label: Promise, lookup: str, options) -> Filter:
    """Entries whose related object (or one of them) has this code; ``distinct`` for a many-to-many."""
    return Filter(
        param, label, lambda rows, value: rows.filter(**{lookup: value}).distinct(), options=options
    )


def by_id(param: str, label: Promise, lookup: str) -> Filter:
    """Entries pointing at the entry with this id (a link's filter: not drawn on the page)."""

    def narrow(rows, value):
        return rows.filter(**{lookup: int(value)}) if value.isdigit() else rows

    return Filter(param, label, narrow, widget="text", api_type=int, on_page=False)


def standing_on(param: str, label: Promise, start: str, end: str) -> Filter:
    """Entries that stood on the day: started by then and not yet ended."""

    def narrow(rows, value):
        day = _day(value)
        return rows.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}), **{f"{start}__lte": day})

    return Filter(param, label, narrow, widget="date")


def year(param: str, label: Promise) -> Filter:
    def narrow(rows, value):
        if not value.isdigit():
            raise BadFilter(gettext("年度“%(year)s”无效") % {"year": value})
        return rows.filter(**{param: int(value)})

    return Filter(param, label, narrow, widget="text", api_type=int)


def flag(param: str, label: Promise) -> Filter:
    return Filter(
        param,
        label,
        lambda rows, value: rows.filter(**{param: value in ("1", "true", "yes", "是")}),
        options=_yes_no,
        api_type=bool,
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadFilter(gettext("日期“%(day)s”无效，应写作 2023-12-31") % {"day": text}) from None


def by_name(lookup: str = "name") -> Callable[[QuerySet, str], QuerySet]:
    return lambda rows, text: rows.filter(**{f"{lookup}__icontains": text})


def by_words(rows: QuerySet, text: str) -> QuerySet:
    """Entries whose ``search_text`` (the spec's ``indexed`` fields and their pinyin) has every term."""
    from yangfan.registries.search import search_filter

    return search_filter(rows, text)


@dataclass(frozen=True)
class Counted:
    """How the indicator engine reads the registry (``counts``): the plan file's registry code (or the field that
    holds it), and the fields an entry counts between and its sector's code is read from."""

    codes: tuple[str, ...]
    start: str
    end: str | None
    sector: str | None = "sector__code"
    code_field: str | None = None  # the entries' own field holding their code (carriers: kind)


@dataclass(frozen=True)
class RegistrySpec:
    """One registry. ``fields``: the entry's editable fields in the order the form, the file and the API show them.
    ``columns``: the list page's (attribute, header). ``same_as``: what makes two entries the same thing (field
    names, and ``CITY``), with ``same_text`` saying it to a user. ``shown_with``: the entries of other registries
    that point at this one, listed on its page. ``protected_by``: those that keep it from being deleted."""

    slug: str
    model: type
    description: str
    fields: tuple[str, ...]
    columns: tuple[tuple[str, Promise], ...]
    filters: tuple[Filter, ...]
    counted: Counted
    search: Callable[[QuerySet, str], QuerySet] = field(default_factory=by_name)
    search_hint: Promise = NAME
    named_by: tuple[str, ...] = (
        "name",
    )  # what a file's cell names an entry by, when another entry points at it
    same_as: tuple[str, ...] = ("name", CITY)
    same_text: str = "名称相同且在同一市"
    duplicate: Promise = DUPLICATE  # the refusal of a duplicate: %(other)s, %(unit)s, %(code)s (same_as[0])
    indexed: tuple[str, ...] = ()  # the fields the search matches, pinyin included (kept in ``search_text``)
    shown_with: tuple[tuple[str, Promise], ...] = ()
    protected_by: tuple[tuple[str, Promise], ...] = ()
    widgets: dict = field(default_factory=dict)
    api_help: dict = field(default_factory=dict)
    api_names: tuple[str, ...] = ()  # references whose name the API shows beside the id (``<field>_name``)

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    @property
    def related(self) -> tuple[str, ...]:
        """The single-valued references a list or an entry shows, read in the same query."""
        meta = self.model._meta
        return tuple(name for name in ("org_unit", *self.fields) if meta.get_field(name).many_to_one)

    @property
    def many(self) -> tuple[str, ...]:
        """The many-to-many fields, set after the entry is saved."""
        return tuple(name for name in self.fields if self.model._meta.get_field(name).many_to_many)


SECTOR = by_code("sector", _("行业"), "sector__code", _sectors)

SPECS: dict[str, RegistrySpec] = {
    spec.slug: spec
    for spec in (
        RegistrySpec(
            slug="cases",
            model=ApplicationCase,
            description="5G应用仓库的应用案例：供应商、运营商、网络形态（行业虚拟专网时须填所用专网）和阶段。",
            fields=(
                "name",
                "sector",
                "scenario",
                "enterprise",
                "org_unit",
                "suppliers",
                "operator",
                "network_form",
                "vpn",
                "stage",
                "started_on",
                "description",
                "figures",
                "media_url",
                "bloom_cup",
                "remark",
            ),
            columns=(
                ("name", _("案例")),
                ("sector", _("行业")),
                ("enterprise", _("应用企业")),
                ("org_unit", _("地区")),
                ("get_stage_display", _("阶段")),
                ("get_network_form_display", _("网络形态")),
                ("started_on", _("启动日期")),
            ),
            filters=(
                SECTOR,
                choice("stage", _("阶段"), CaseStage),
                choice("network_form", _("网络形态"), NetworkForm),
                by_id("supplier", _("解决方案供应商编号"), "suppliers__id"),
            ),
            counted=Counted(("application_case",), "started_on", None),
            search=by_words,
            indexed=("name", "scenario", "enterprise", "description", "figures", "bloom_cup", "sector"),
            search_hint=_("名称、企业、场景，或拼音首字母"),
            shown_with=(("benchmarks", _("评为标杆")), ("bloom_entries", _("“绽放杯”参赛"))),
            protected_by=(
                ("benchmarks", _("该案例已被评为标杆，不能删除；请先撤销标杆。")),
                ("bloom_entries", _("该案例参加过“绽放杯”，不能删除；请先修改参赛项目。")),
            ),
            widgets={"suppliers": forms.SelectMultiple(attrs={"size": 6})},
            api_help={"suppliers": "供应商编号", "vpn": "所用行业虚拟专网的编号"},
        ),
        RegistrySpec(
            slug="vpns",
            model=IndustryVpn,
            description="行业虚拟专网：期末在用（已开通、未停用）的专网计入 A6。",
            fields=(
                "name",
                "enterprise",
                "operator",
                "sector",
                "org_unit",
                "vpn_type",
                "commissioned_on",
                "retired_on",
                "remark",
            ),
            columns=(
                ("name", _("专网")),
                ("enterprise", _("服务企业")),
                ("operator", _("运营商")),
                ("sector", _("行业")),
                ("org_unit", _("地区")),
                ("commissioned_on", _("开通")),
                ("retired_on", _("停用")),
            ),
            filters=(
                SECTOR,
                by_code("operator", _("运营商"), "operator__code", _operators),
                standing_on("active_on", _("在用日期"), "commissioned_on", "retired_on"),
            ),
            counted=Counted(("industry_vpn",), "commissioned_on", "retired_on"),
            shown_with=(("cases", _("相关应用案例")),),
            protected_by=(("cases", _("有应用案例使用该专网，不能删除；停用请填写停用日期。")),),
        ),
        RegistrySpec(
            slug="suppliers",
            model=Supplier,
            description="解决方案供应商：统一社会信用代码经校验（GB 32100-2015），同一代码只能登记一次。",
            fields=(
                "name",
                "credit_code",
                "org_unit",
                "sectors",
                "capabilities",
                "contact",
                "listed_on",
                "delisted_on",
                "published",
                "remark",
            ),
            columns=(
                ("name", _("企业")),
                ("credit_code", _("统一社会信用代码")),
                ("org_unit", _("地区")),
                ("listed_on", _("入库")),
                ("published", _("公布")),
            ),
            filters=(
                by_code("sector", _("行业"), "sectors__code", _sectors),
                flag("published", _("对外公布")),
            ),
            counted=Counted(("solution_supplier",), "listed_on", "delisted_on", sector=None),
            named_by=("credit_code", "name"),
            same_as=("credit_code",),
            same_text="统一社会信用代码相同",
            duplicate=_("统一社会信用代码 %(code)s 已登记为“%(other)s”（%(unit)s）。"),
            shown_with=(("cases", _("相关应用案例")), ("products", _("面向行业的5G产品"))),
            protected_by=(
                ("cases", _("有应用案例使用该供应商，不能删除；出库请填写出库日期。")),
                ("products", _("名录中有该供应商的产品，不能删除；出库请填写出库日期。")),
            ),
            widgets={"sectors": forms.CheckboxSelectMultiple},
        ),
        RegistrySpec(
            slug="benchmarks",
            model=Benchmark,
            description="5G应用标杆：由应用案例评选，行业与案例一致；期末已公布、未撤销的计入 A7。",
            fields=("case", "sector", "year", "org_unit", "published_on", "document", "revoked_on", "remark"),
            columns=(
                ("case", _("案例")),
                ("sector", _("行业")),
                ("year", _("年度")),
                ("org_unit", _("地区")),
                ("published_on", _("公布日期")),
                ("revoked_on", _("撤销")),
            ),
            filters=(SECTOR, year("year", _("年度"))),
            counted=Counted(("benchmark",), "published_on", "revoked_on"),
            search=by_name("case__name"),
            same_as=("case", "year"),
            same_text="同一案例、同一评选年度",
            api_help={"case": "应用案例的编号"},
            api_names=("case",),
        ),
        RegistrySpec(
            slug="carriers",
            model=Carrier,
            description="创新载体与基础设施：类别即计划文件的登记簿代码（如 iiot_platform），按期末在册计数。",
            fields=(
                "kind",
                "name",
                "operator_org",
                "sector",
                "org_unit",
                "recognised_on",
                "recognised_by",
                "retired_on",
                "remark",
            ),
            columns=(
                ("name", _("名称")),
                ("get_kind_display", _("类别")),
                ("org_unit", _("地区")),
                ("recognised_on", _("建成或认定")),
                ("retired_on", _("撤销或停用")),
            ),
            filters=(SECTOR, choice("kind", _("类别"), CarrierKind)),
            counted=Counted(tuple(CarrierKind.values), "recognised_on", "retired_on", code_field="kind"),
            same_as=("kind", "name", CITY),
            same_text="类别、名称相同且在同一市",
        ),
        RegistrySpec(
            slug="lead-zones",
            model=LeadZone,
            description="5G应用创新引领区（T4.2.5）：认定的引领区及其开展的应用创新政策试点，按期末在册计数。",
            fields=(
                "name",
                "sector",
                "org_unit",
                "recognised_on",
                "recognised_by",
                "policy_pilots",
                "retired_on",
                "remark",
            ),
            columns=(
                ("name", _("名称")),
                ("sector", _("主导行业")),
                ("org_unit", _("地区")),
                ("recognised_on", _("认定日期")),
                ("retired_on", _("撤销日期")),
            ),
            filters=(SECTOR, standing_on("standing", _("在册日期"), "recognised_on", "retired_on")),
            counted=Counted(("innovation_lead_zone",), "recognised_on", "retired_on"),
        ),
        RegistrySpec(
            slug="bloom-cup",
            model=BloomCupEntry,
            description="“绽放杯”5G应用征集大赛：本省各届参赛项目、获奖等级及对应的应用案例，按报名计数。",
            fields=(
                "round_year",
                "name",
                "enterprise",
                "sector",
                "case",
                "org_unit",
                "entered_on",
                "award",
                "awarded_on",
                "remark",
            ),
            columns=(
                ("round_year", _("届次")),
                ("name", _("参赛项目")),
                ("enterprise", _("参赛单位")),
                ("get_award_display", _("获奖等级")),
                ("org_unit", _("地区")),
            ),
            filters=(
                SECTOR,
                year("round_year", _("届次（年度）")),
                choice("award", _("获奖等级"), BloomCupAward),
                by_id("case", _("应用案例"), "case_id"),
            ),
            counted=Counted(("bloom_cup",), "entered_on", None),
            same_as=("round_year", "name", CITY),
            same_text="同一届、项目名称相同且在同一市",
            api_help={"case": "应用案例的编号"},
            api_names=("case",),
        ),
        RegistrySpec(
            slug="standards",
            model=Standard,
            description=(
                "5G应用标准（专栏1）：层级、行业、所处阶段及各阶段日期、起草单位和落地应用；按发布计数，"
                "编号按层级的编号规则核对。"
            ),
            fields=(
                "code",
                "title",
                "level",
                "sector",
                "stage",
                "proposed_on",
                "consultation_on",
                "submitted_on",
                "published_on",
                "implemented_on",
                "drafters",
                "other_drafters",
                "adopters",
                "org_unit",
                "withdrawn_on",
                "remark",
            ),
            columns=(
                ("code", _("标准编号")),
                ("title", _("标准名称")),
                ("get_level_display", _("层级")),
                ("get_stage_display", _("所处阶段")),
                ("sector", _("行业")),
            ),
            filters=(
                SECTOR,
                choice("level", _("层级"), StandardLevel),
                choice("stage", _("所处阶段"), StandardStage),
                by_id("case", _("落地应用"), "adopters"),
            ),
            counted=Counted(("standard",), "published_on", "withdrawn_on"),
            search=lambda rows, text: rows.filter(Q(title__icontains=text) | Q(code__icontains=text)),
            search_hint=_("标准编号或名称"),
            named_by=("title",),
            same_as=("level", "title"),
            same_text="层级相同、名称相同",
            api_help={"drafters": "起草单位（供应商名录）的编号", "adopters": "落地应用案例的编号"},
        ),
        RegistrySpec(
            slug="products",
            model=IndustryProduct,
            description=(
                "面向行业的5G产品（专栏2）：行业专用基站、模组、行业终端和预置5G能力的高端装备，供应商、认证、"
                "所处阶段和使用它的应用；商用后计数，停产为止。"
            ),
            fields=(
                "kind",
                "name",
                "model_number",
                "category",
                "supplier",
                "sector",
                "stage",
                "started_on",
                "commercial_on",
                "certification",
                "used_by",
                "org_unit",
                "retired_on",
                "remark",
            ),
            columns=(
                ("name", _("产品名称")),
                ("get_kind_display", _("产品类别")),
                ("supplier", _("供应商")),
                ("get_stage_display", _("所处阶段")),
                ("org_unit", _("地区")),
            ),
            filters=(
                SECTOR,
                choice("kind", _("产品类别"), ProductKind),
                choice("stage", _("所处阶段"), ProductStage),
                by_id("supplier", _("供应商"), "supplier_id"),
                by_id("case", _("使用该产品的应用"), "used_by"),
            ),
            counted=Counted(("industry_product",), "commercial_on", "retired_on"),
            search=lambda rows, text: rows.filter(
                Q(name__icontains=text) | Q(model_number__icontains=text) | Q(category__icontains=text)
            ),
            search_hint=_("产品名称、型号或类别"),
            same_as=("kind", "name", "model_number"),
            same_text="类别、名称和型号相同",
            api_help={"supplier": "供应商的编号", "used_by": "应用案例的编号"},
            api_names=("supplier",),
        ),
    )
}

# the registries by the slug their pages, imports and API use
REGISTRIES = {slug: spec.model for slug, spec in SPECS.items()}


def spec_of(entry_or_model) -> RegistrySpec:
    """The spec of an entry or a registry's model."""
    model = entry_or_model if isinstance(entry_or_model, type) else type(entry_or_model)
    return next(spec for spec in SPECS.values() if spec.model is model)


def slug_of_code(code: str) -> str | None:
    """The registry whose entries the plan file's registry ``code`` counts (``None``: not kept in Yangfan)."""
    return next((spec.slug for spec in SPECS.values() if code in spec.counted.codes), None)
