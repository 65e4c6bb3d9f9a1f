"""Each registry declared once: what its entries are, how they are listed, filtered, searched, told apart and
counted. The entry form (``forms``), the API's serializer (``api.registries``), the spreadsheet columns
(``exchange``), the list's filters (``selectors``), the pages (``views``) and the indicator engine's rows
(``counts``, for the registries the plan counts) are all made from these specs. Adding a registry is a spec here,
its model and its migration.

A spec names the permissions its entries are read and written with: ``registries.view`` and ``registries.manage``
unless it says otherwise (the security records: ``security.view``, and ``security.assess`` or ``security.manage``).
Who holds them, within which units, and which rows an enterprise's user reads or keeps (its own: the model's
``owned_by``) is the permission module's alone (ADR 0011, 0015): every check passes the entry itself.

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
    CertificationKind,
    CertificationResult,
    CryptoLevel,
    CryptoResult,
    InspectionTarget,
    NetworkForm,
    ProductKind,
    ProductStage,
    Severity,
    StandardLevel,
    StandardStage,
)
from yangfan.registries.models import (
    ApplicationCase,
    Benchmark,
    BloomCupEntry,
    Carrier,
    Certification,
    CryptoAssessment,
    EvaluationBody,
    IndustryProduct,
    IndustryVpn,
    Inspection,
    LeadZone,
    Standard,
    Supplier,
    ThreatReport,
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


def valid_on(param: str, label: Promise, start: str, end: str) -> Filter:
    """Entries valid on the day: issued by then, and valid until that day or later (``end`` is the last day)."""

    def narrow(rows, value):
        day = _day(value)
        return rows.filter(**{f"{start}__lte": day, f"{end}__gte": day})

    return Filter(param, label, narrow, widget="date")


def expired_on(param: str, label: Promise, end: str) -> Filter:
    """Entries no longer valid on the day: their last valid day (``end``) was before it."""
    return Filter(param, label, lambda rows, value: rows.filter(**{f"{end}__lt": _day(value)}), widget="date")


def open_closed(param: str, label: Promise, end: str) -> Filter:
    """Entries still open (``end`` not filled: a follow-up not completed, a threat not yet handled) or closed."""
    states = {"open": _("未完成"), "closed": _("已完成")}
    return Filter(
        param,
        label,
        lambda rows, value: rows.filter(**{f"{end}__isnull": value != "closed"}) if value in states else rows,
        options=lambda: [(value, str(text)) for value, text in states.items()],
        api_enum=tuple(states),
    )


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


def by_any(*lookups: str) -> Callable[[QuerySet, str], QuerySet]:
    """Entries where any of ``lookups`` contains the text (a number, a name, the name of what it is about)."""

    def search(rows, text):
        condition = Q()
        for lookup in lookups:
            condition |= Q(**{f"{lookup}__icontains": text})
        return rows.filter(condition)

    return search


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
    ``columns``: the list page's (attribute, header). ``read``, ``write``: the permissions its entries are read and
    written with. ``counted``: how the indicator engine counts it (``None``: the plan counts no such thing).
    ``same_as``: what makes two entries the same thing (field names, and ``CITY``), with ``same_text`` saying it to
    a user. ``shown_with``: what points at this entry, listed on its page: (reverse accessor, heading) or (…,
    the permission the list is read with, where it is not its registry's ``read``: another app's records).
    ``protected_by``: those that keep it from being deleted. ``ends``: the field holding the day an entry stops
    standing (its validity, its closing), said beside it where it is listed (a counted registry's end by default)."""

    slug: str
    model: type
    description: str
    fields: tuple[str, ...]
    columns: tuple[tuple[str, Promise], ...]
    filters: tuple[Filter, ...]
    counted: Counted | None = None
    read: str = "registries.view"
    write: str = "registries.manage"
    ends: str | None = None
    search: Callable[[QuerySet, str], QuerySet] = field(default_factory=by_name)
    search_hint: Promise = NAME
    # what a file's cell names an entry by, when another entry points at it: the first tells apart entries of the
    # same name (a credit code, a standard's code), the last is what an export writes (the name)
    named_by: tuple[str, ...] = ("name",)
    same_as: tuple[str, ...] = ("name", CITY)
    same_text: str = "名称相同且在同一市"
    duplicate: Promise = DUPLICATE  # the refusal of a duplicate: %(other)s, %(unit)s, %(code)s (same_as[0])
    indexed: tuple[str, ...] = ()  # the fields the search matches, pinyin included (kept in ``search_text``)
    shown_with: tuple[tuple, ...] = ()
    protected_by: tuple[tuple[str, Promise], ...] = ()
    widgets: dict = field(default_factory=dict)
    api_help: dict = field(default_factory=dict)
    api_names: tuple[str, ...] = ()  # references whose name the API shows beside the id (``<field>_name``)

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    @property
    def end(self) -> str | None:
        """The field of the day an entry stops standing, if it has one (``ends``, or what it is counted until)."""
        return self.ends or (self.counted.end if self.counted else None)

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
            shown_with=(
                ("benchmarks", _("评为标杆")),
                ("bloom_entries", _("“绽放杯”参赛")),
                ("certifications", _("测试评估认证")),
                ("crypto_assessments", _("商用密码应用安全性评估（密评）")),
                ("inspections", _("监督检查")),
            ),
            protected_by=(
                ("benchmarks", _("该案例已被评为标杆，不能删除；请先撤销标杆。")),
                ("bloom_entries", _("该案例参加过“绽放杯”，不能删除；请先修改参赛项目。")),
                ("certifications", _("该案例有测试评估认证记录，不能删除。")),
                ("crypto_assessments", _("该案例有密评记录，不能删除。")),
                ("inspections", _("该案例有监督检查记录，不能删除。")),
                ("security_assessments", _("该案例有安全评估，不能删除。")),
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
            shown_with=(
                ("cases", _("相关应用案例")),
                ("crypto_assessments", _("商用密码应用安全性评估（密评）")),
                ("inspections", _("监督检查")),
            ),
            protected_by=(
                ("cases", _("有应用案例使用该专网，不能删除；停用请填写停用日期。")),
                ("crypto_assessments", _("该专网有密评记录，不能删除；停用请填写停用日期。")),
                ("inspections", _("该专网有监督检查记录，不能删除；停用请填写停用日期。")),
                ("security_assessments", _("该专网有安全评估，不能删除；停用请填写停用日期。")),
            ),
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
            named_by=(
                "code",
                "title",
            ),  # a file names a standard by its title, or by its code where titles repeat
            same_as=("level", "title"),
            same_text="层级相同、名称相同",
            shown_with=(("certifications", _("测试评估认证")),),
            protected_by=(
                ("certifications", _("有依据该标准的测试评估认证记录，不能删除；废止请填写废止日期。")),
            ),
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
            shown_with=(("certifications", _("测试评估认证")),),
            protected_by=(("certifications", _("该产品有测试评估认证记录，不能删除；停产请填写停产日期。")),),
            api_help={"supplier": "供应商的编号", "used_by": "应用案例的编号"},
            api_names=("supplier",),
        ),
        RegistrySpec(
            slug="security-bodies",
            model=EvaluationBody,
            description=(
                "安全评测认证机构（四.(三) 10、专栏4）：登记的5G应用安全评估、商用密码应用安全性评估（密评）、"
                "安全检测和认证机构及其资质；密评、测试评估认证和第三方安全评估只能选择具备相应能力的机构。"
            ),
            fields=(
                "name",
                "credit_code",
                "org_unit",
                "does_assessment",
                "does_crypto",
                "does_testing",
                "does_certification",
                "qualifications",
                "contact",
                "recognised_on",
                "retired_on",
                "remark",
            ),
            columns=(
                ("name", _("机构名称")),
                ("org_unit", _("地区")),
                ("does_assessment", _("安全评估")),
                ("does_crypto", _("密评")),
                ("does_testing", _("检测")),
                ("does_certification", _("认证")),
                ("recognised_on", _("登记日期")),
                ("retired_on", _("注销日期")),
            ),
            filters=(
                flag("does_assessment", _("5G应用安全评估")),
                flag("does_crypto", _("商用密码应用安全性评估")),
                flag("does_testing", _("安全检测")),
                flag("does_certification", _("安全认证")),
                standing_on("standing", _("在册日期"), "recognised_on", "retired_on"),
            ),
            ends="retired_on",
            search_hint=_("机构名称"),
            same_as=("name",),
            same_text="机构名称相同",
            shown_with=(
                ("certifications", _("出具的测试评估认证")),
                ("crypto_assessments", _("开展的密评")),
                ("security_assessments", _("开展的第三方安全评估"), "security.view"),
            ),
            protected_by=(
                ("certifications", _("该机构出具过测试评估认证，不能删除；注销请填写注销日期。")),
                ("crypto_assessments", _("该机构开展过密评，不能删除；注销请填写注销日期。")),
                ("security_assessments", _("该机构开展过安全评估，不能删除；注销请填写注销日期。")),
            ),
        ),
        RegistrySpec(
            slug="certifications",
            model=Certification,
            description=(
                "测试评估认证记录（专栏1 标准的测试、评估和认证；四.(三) 10）：登记机构对产品、应用案例或其他对象出具的"
                "测试、评估或认证，依据的标准、结论和有效期。"
            ),
            fields=(
                "body",
                "kind",
                "number",
                "standard",
                "product",
                "case",
                "subject",
                "result",
                "issued_on",
                "valid_until",
                "org_unit",
                "remark",
            ),
            columns=(
                ("number", _("证书或报告编号")),
                ("get_kind_display", _("类别")),
                ("body", _("机构")),
                ("get_result_display", _("结论")),
                ("issued_on", _("出具日期")),
                ("valid_until", _("有效期至")),
                ("org_unit", _("地区")),
            ),
            filters=(
                choice("kind", _("类别"), CertificationKind),
                choice("result", _("结论"), CertificationResult),
                valid_on("valid_on", _("有效日期"), "issued_on", "valid_until"),
                by_id("standard", _("依据标准"), "standard_id"),
                by_id("product", _("产品"), "product_id"),
                by_id("case", _("应用案例"), "case_id"),
                by_id("body", _("机构"), "body_id"),
            ),
            ends="valid_until",
            search=by_any("number", "subject", "product__name", "case__name", "body__name"),
            search_hint=_("证书编号、对象或机构名称"),
            named_by=("number",),
            same_as=("number", "body"),
            same_text="同一机构、证书或报告编号相同",
            duplicate=_("该机构的编号 %(code)s 已登记为“%(other)s”（%(unit)s）。"),
            api_help={
                "body": "评测认证机构的编号",
                "standard": "依据标准的编号",
                "product": "产品的编号",
                "case": "应用案例的编号",
            },
            api_names=("body", "product", "case"),
        ),
        RegistrySpec(
            slug="crypto-assessments",
            model=CryptoAssessment,
            description=(
                "商用密码应用安全性评估（密评，四.(三) 9）：应用案例或行业虚拟专网按 GB/T 39786-2021 的等级评估，"
                "评估机构、结论和有效期；记录登记在应用所在地区，由该地区、省领导小组办公室和应用的企业查阅。"
            ),
            fields=(
                "case",
                "vpn",
                "system",
                "level",
                "body",
                "report_number",
                "assessed_on",
                "result",
                "score",
                "valid_until",
                "org_unit",
                "remark",
            ),
            columns=(
                ("system", _("被测信息系统")),
                ("get_level_display", _("等级")),
                ("body", _("密评机构")),
                ("get_result_display", _("结论")),
                ("assessed_on", _("评估日期")),
                ("valid_until", _("有效期至")),
                ("org_unit", _("地区")),
            ),
            filters=(
                choice("level", _("密码应用等级"), CryptoLevel),
                choice("result", _("评估结论"), CryptoResult),
                valid_on("current_on", _("有效日期"), "assessed_on", "valid_until"),
                expired_on("expired_on", _("已过期日期"), "valid_until"),
                by_id("case", _("应用案例"), "case_id"),
                by_id("vpn", _("行业虚拟专网"), "vpn_id"),
                by_id("body", _("密评机构"), "body_id"),
            ),
            read="security.view",
            write="security.assess",
            ends="valid_until",
            search=by_any("system", "report_number", "case__name", "vpn__name", "body__name"),
            search_hint=_("信息系统、报告编号或应用名称"),
            named_by=("report_number",),
            same_as=("report_number", "body"),
            same_text="同一密评机构、报告编号相同",
            duplicate=_("该机构的报告编号 %(code)s 已登记为“%(other)s”（%(unit)s）。"),
            api_help={"case": "应用案例的编号", "vpn": "行业虚拟专网的编号", "body": "密评机构的编号"},
            api_names=("case", "vpn", "body"),
        ),
        RegistrySpec(
            slug="inspections",
            model=Inspection,
            description=(
                "5G应用及关键信息基础设施监督检查（四.(三) 8）：检查对象、日期、检查单位、发现的问题和整改要求，"
                "直至整改完成；涉及应用案例或专网的，登记在应用所在地区。"
            ),
            fields=(
                "target",
                "subject",
                "case",
                "vpn",
                "inspected_on",
                "inspector",
                "findings",
                "follow_up",
                "follow_up_due",
                "closed_on",
                "org_unit",
                "remark",
            ),
            columns=(
                ("subject", _("检查对象")),
                ("get_target_display", _("类别")),
                ("inspector", _("检查单位")),
                ("inspected_on", _("检查日期")),
                ("follow_up_due", _("整改时限")),
                ("closed_on", _("整改完成")),
                ("org_unit", _("地区")),
            ),
            filters=(
                choice("target", _("检查对象类别"), InspectionTarget),
                open_closed("state", _("整改"), "closed_on"),
                by_id("case", _("应用案例"), "case_id"),
                by_id("vpn", _("行业虚拟专网"), "vpn_id"),
            ),
            read="security.view",
            write="security.manage",
            ends="closed_on",
            search=by_any("subject", "inspector", "findings", "case__name", "vpn__name"),
            search_hint=_("检查对象、检查单位或问题"),
            named_by=("subject",),
            same_as=("subject", "inspected_on"),
            same_text="检查对象和检查日期相同",
            api_help={"case": "应用案例的编号", "vpn": "行业虚拟专网的编号"},
            api_names=("case", "vpn"),
        ),
        RegistrySpec(
            slug="threats",
            model=ThreatReport,
            description=(
                "5G网络安全威胁信息（四.(三) 11）：接收的威胁信息、危害程度、共享对象和处置情况，直至处置完成。"
            ),
            fields=(
                "title",
                "source",
                "severity",
                "received_on",
                "description",
                "shared_with",
                "shared_on",
                "handling",
                "closed_on",
                "org_unit",
                "remark",
            ),
            columns=(
                ("title", _("威胁信息")),
                ("get_severity_display", _("危害程度")),
                ("source", _("来源")),
                ("received_on", _("接收日期")),
                ("closed_on", _("处置完成")),
                ("org_unit", _("地区")),
            ),
            filters=(
                choice("severity", _("危害程度"), Severity),
                open_closed("state", _("处置"), "closed_on"),
            ),
            read="security.view",
            write="security.manage",
            ends="closed_on",
            search=by_any("title", "source", "description"),
            search_hint=_("威胁信息、来源或内容"),
            named_by=("title",),
            same_as=("title", "received_on"),
            same_text="威胁信息和接收日期相同",
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
    return next((spec.slug for spec in SPECS.values() if spec.counted and code in spec.counted.codes), None)


def spec_or_none(model) -> RegistrySpec | None:
    """The spec of a registry's model, or ``None`` for another app's (a security assessment listed on a page)."""
    return next((spec for spec in SPECS.values() if spec.model is model), None)
