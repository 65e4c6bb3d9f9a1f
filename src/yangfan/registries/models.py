"""The registries of the plan (登记簿): named entries the plan counts, kept as the records they are.

Each entry is placed in the org tree (``org_unit``) and has the dates it counts between (commissioned or
recognised, and retired or revoked, the latter empty while it stands): an indicator reads a registry as of a
period's end (``registries.counts``), so a VPN retired in March 2023 counts in 2022 and not in 2023Q2.
"""

from __future__ import annotations

import re
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.registries.choices import (
    BloomCupAward,
    CallStatus,
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
    VpnType,
)


def _dates_in_order(entry, start: str, end: str) -> None:
    """An entry cannot end before it started."""
    first, last = getattr(entry, start), getattr(entry, end)
    if first and last and last <= first:
        field = entry._meta.get_field(end)
        raise ValidationError(
            {
                end: _("%(end)s应晚于%(start)s。")
                % {"end": field.verbose_name, "start": entry._meta.get_field(start).verbose_name}
            }
        )


class Entry(models.Model):
    """What every registry entry keeps: where it is, when it counts, who recorded it."""

    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("地区"))
    remark = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Supplier(Entry):
    """解决方案供应商名录: a company, identified by its 统一社会信用代码 (GB 32100-2015, check digit verified)."""

    # the enterprise an entry belongs to, for enterprise users (``accounts.permissions``): the lookups to its name,
    # and whether the enterprise keeps the entry itself or only reads it (the directory is the office's)
    owned_by = ("name",)
    kept_by_owner = False

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    sectors = models.ManyToManyField(
        "actionplans.Sector", blank=True, related_name="suppliers", verbose_name=_("能力覆盖行业")
    )
    capabilities = models.TextField(_("解决方案能力"), blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    listed_on = models.DateField(_("入库日期"))
    delisted_on = models.DateField(_("出库日期"), null=True, blank=True)
    published = models.BooleanField(_("对外公布"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("解决方案供应商")
        verbose_name_plural = _("解决方案供应商名录")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "suppliers", "pk": self.pk})

    def clean_fields(self, exclude=None):
        """The code as people paste it (spaces, full-width, lower case) is made comparable before the field's
        own checks (its 18 characters) run."""
        from yangfan.core.uscc import uscc_normalise

        self.credit_code = uscc_normalise(self.credit_code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        from yangfan.core.uscc import uscc_problem

        problem = uscc_problem(self.credit_code)
        if problem:
            raise ValidationError({"credit_code": problem})
        _dates_in_order(self, "listed_on", "delisted_on")


class IndustryVpn(Entry):
    """行业虚拟专网: a 5G virtual network an operator built on its public network for an enterprise. A6 counts
    those active at the period's end."""

    # the enterprise it serves reads it (and names it in its cases and 密评); the operator's network is not its to keep
    owned_by = ("enterprise",)
    kept_by_owner = False

    name = models.CharField(_("专网名称"), max_length=200)
    enterprise = models.CharField(_("服务企业"), max_length=200)
    operator = models.ForeignKey("actionplans.Operator", models.PROTECT, verbose_name=_("运营商"))
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行业")
    )
    vpn_type = models.CharField(_("建设方式"), max_length=20, choices=VpnType.choices, default=VpnType.OTHER)
    commissioned_on = models.DateField(_("开通日期"))
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        ordering = ["-commissioned_on", "name"]
        verbose_name = _("行业虚拟专网")
        verbose_name_plural = _("行业虚拟专网")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "vpns", "pk": self.pk})

    def clean(self):
        _dates_in_order(self, "commissioned_on", "retired_on")


class ApplicationCase(Entry):
    """应用案例 in the 5G应用仓库: a 5G application of an enterprise, with its suppliers, network and stage."""

    owned_by = ("enterprise",)

    name = models.CharField(_("案例名称"), max_length=200)
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, related_name="cases", verbose_name=_("行业")
    )
    scenario = models.CharField(_("应用场景"), max_length=200, blank=True)
    enterprise = models.CharField(_("应用企业"), max_length=200)
    suppliers = models.ManyToManyField(
        Supplier, blank=True, related_name="cases", verbose_name=_("解决方案供应商")
    )
    operator = models.ForeignKey(
        "actionplans.Operator",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("运营商"),
    )
    network_form = models.CharField(_("网络形态"), max_length=10, choices=NetworkForm.choices)
    vpn = models.ForeignKey(
        IndustryVpn,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("所用行业虚拟专网"),
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=CaseStage.choices)
    started_on = models.DateField(_("启动日期"))
    description = models.TextField(_("案例介绍"), blank=True)
    figures = models.TextField(_("成效指标"), blank=True)
    media_url = models.URLField(_("图文或视频链接"), blank=True)
    bloom_cup = models.CharField(_("“绽放杯”参赛及获奖"), max_length=200, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    class Meta:
        ordering = ["-started_on", "name"]
        verbose_name = _("应用案例")
        verbose_name_plural = _("5G应用仓库")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "cases", "pk": self.pk})

    def clean(self):
        if self.network_form == NetworkForm.VPN and not self.vpn_id:
            raise ValidationError({"vpn": _("网络形态为行业虚拟专网时，请选择所用的专网。")})
        if self.network_form != NetworkForm.VPN and self.vpn_id:
            raise ValidationError(
                {"vpn": _("只有网络形态为行业虚拟专网的案例才有所用的专网；请改选网络形态或清空专网。")}
            )


class Benchmark(Entry):
    """5G应用标杆: a case the province selected and published as a benchmark of its sector. A7 counts those
    published by the period's end, per key industry."""

    case = models.ForeignKey(
        ApplicationCase, models.PROTECT, related_name="benchmarks", verbose_name=_("应用案例")
    )
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, related_name="benchmarks", verbose_name=_("行业")
    )
    year = models.PositiveSmallIntegerField(_("评选年度"))
    published_on = models.DateField(_("公布日期"))
    document = models.CharField(_("公布文件"), max_length=200, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "sector__position"]
        verbose_name = _("5G应用标杆")
        verbose_name_plural = _("5G应用标杆")
        constraints = [models.UniqueConstraint(fields=["case", "year"], name="benchmark_unique_case_year")]

    def __str__(self) -> str:
        return f"{self.case.name}（{self.year}）"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "benchmarks", "pk": self.pk})

    def clean(self):
        if self.case_id and self.sector_id and self.case.sector_id != self.sector_id:
            raise ValidationError(
                {"sector": _("标杆的行业应与案例的行业一致（%(s)s）。") % {"s": self.case.sector.name}}
            )
        _dates_in_order(self, "published_on", "revoked_on")


class Carrier(Entry):
    """创新载体与基础设施: innovation centres, incubators, maker spaces, security demonstration centres, common
    technology platforms, industrial-internet platforms, identification secondary nodes, gigabit cities."""

    kind = models.CharField(_("类别"), max_length=32, choices=CarrierKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    operator_org = models.CharField(_("建设或运营单位"), max_length=200, blank=True)
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行业")
    )
    recognised_on = models.DateField(_("建成或认定日期"))
    recognised_by = models.CharField(_("认定单位或文件"), max_length=200, blank=True)
    retired_on = models.DateField(_("撤销或停用日期"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-recognised_on", "name"]
        verbose_name = _("创新载体与基础设施")
        verbose_name_plural = _("创新载体与基础设施")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "carriers", "pk": self.pk})

    def clean(self):
        _dates_in_order(self, "recognised_on", "retired_on")


class BenchmarkCall(models.Model):
    """A call for benchmark applications of one sector and year, with the criteria reviewers score against
    (``criteria``: a list of ``{"name": …, "max": points}``)."""

    sector = models.ForeignKey("actionplans.Sector", models.PROTECT, related_name="+", verbose_name=_("行业"))
    year = models.PositiveSmallIntegerField(_("评选年度"))
    title = models.CharField(_("名称"), max_length=200)
    criteria = models.JSONField(_("评审标准"), default=list)
    opens_on = models.DateField(_("征集开始"))
    closes_on = models.DateField(_("征集截止"))
    status = models.CharField(_("状态"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    document = models.CharField(_("公布文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "sector__position"]
        verbose_name = _("标杆评选")
        verbose_name_plural = _("标杆评选")
        constraints = [
            models.UniqueConstraint(fields=["sector", "year"], name="benchmarkcall_unique_sector_year")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registries:call", kwargs={"pk": self.pk})

    @property
    def full_marks(self) -> int:
        return sum(int(c["max"]) for c in self.criteria)


class BenchmarkApplication(models.Model):
    """A case put forward for a call by a unit that manages it."""

    call = models.ForeignKey(
        BenchmarkCall, models.CASCADE, related_name="applications", verbose_name=_("评选")
    )
    case = models.ForeignKey(
        ApplicationCase, models.PROTECT, related_name="applications", verbose_name=_("应用案例")
    )
    statement = models.TextField(_("申报说明"), blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申报人"),
    )
    submitted_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    selected = models.BooleanField(_("入选"), default=False)

    class Meta:
        ordering = ["call", "case__name"]
        verbose_name = _("标杆申报")
        verbose_name_plural = _("标杆申报")
        constraints = [models.UniqueConstraint(fields=["call", "case"], name="application_unique_case")]

    def __str__(self) -> str:
        return f"{self.call} · {self.case}"

    @property
    def org_unit(self):
        return self.case.org_unit


class LeadZone(Entry):
    """5G应用创新引领区 (T4.2.5; 专栏3 创建5G应用创新引领区): an area a city builds into a lead zone of 5G
    application innovation, with the application-innovation policy pilots (应用创新政策试点) it runs there."""

    name = models.CharField(_("名称"), max_length=200)
    sector = models.ForeignKey(
        "actionplans.Sector",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主导行业"),
    )
    recognised_on = models.DateField(_("认定日期"))
    recognised_by = models.CharField(_("认定单位或文件"), max_length=200, blank=True)
    policy_pilots = models.TextField(_("应用创新政策试点"), blank=True, help_text=_("每行一项"))
    retired_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        ordering = ["-recognised_on", "name"]
        verbose_name = _("5G应用创新引领区")
        verbose_name_plural = _("5G应用创新引领区")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "lead-zones", "pk": self.pk})

    def clean(self):
        _dates_in_order(self, "recognised_on", "retired_on")


class BloomCupEntry(Entry):
    """An entry from the province in one round (届) of the “绽放杯”5G应用征集大赛 (专栏3: 持续推广), the award it
    won, and the case of the 5G应用仓库 it is, where it is there."""

    owned_by = ("enterprise",)

    round_year = models.PositiveSmallIntegerField(_("届次（年度）"))
    name = models.CharField(_("参赛项目"), max_length=200)
    enterprise = models.CharField(_("参赛单位"), max_length=200)
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行业")
    )
    case = models.ForeignKey(
        ApplicationCase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bloom_entries",
        verbose_name=_("应用案例"),
    )
    entered_on = models.DateField(_("报名日期"))
    award = models.CharField(
        _("获奖等级"), max_length=20, choices=BloomCupAward.choices, default=BloomCupAward.ENTERED
    )
    awarded_on = models.DateField(_("获奖公布日期"), null=True, blank=True)

    class Meta:
        ordering = ["-round_year", "name"]
        verbose_name = _("“绽放杯”参赛项目")
        verbose_name_plural = _("“绽放杯”参赛项目")

    def __str__(self) -> str:
        return f"{self.round_year}年 {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "bloom-cup", "pk": self.pk})

    def clean(self):
        _dates_in_order(self, "entered_on", "awarded_on")
        if self.entered_on and self.round_year and self.entered_on.year != self.round_year:
            raise ValidationError(
                {"entered_on": _("报名日期应在该届（%(y)s年）内。") % {"y": self.round_year}}
            )
        if self.award != BloomCupAward.ENTERED and self.awarded_on is None:
            raise ValidationError({"awarded_on": _("获奖的项目请填写获奖公布日期。")})


# 标准编号 by level, as the standards' own numbering rules write them: GB/T 39786-2021, YD/T 3615-2019 (an
# industry's two-letter code), DB61/T 1234-2021 (a province's two-digit code), T/CCSA 123-2021, Q/XXX 001-2021
STANDARD_CODES = {
    StandardLevel.NATIONAL: (re.compile(r"^GB(/[TZ])? \d+(\.\d+)?-\d{4}$"), "GB/T 39786-2021"),
    StandardLevel.INDUSTRY: (re.compile(r"^[A-Z]{2}(/[TZ])? \d+(\.\d+)?-\d{4}$"), "YD/T 3615-2019"),
    StandardLevel.LOCAL: (re.compile(r"^DB\d{2}(/T)? \d+(\.\d+)?-\d{4}$"), "DB61/T 1234-2021"),
    StandardLevel.GROUP: (re.compile(r"^T/[A-Z0-9]+ \d+(\.\d+)?-\d{4}$"), "T/CCSA 123-2021"),
    StandardLevel.ENTERPRISE: (re.compile(r"^Q/\S+ \S+$"), "Q/SXYD 001-2021"),
}
STAGE_DATES = (
    (StandardStage.PROPOSED, "proposed_on"),
    (StandardStage.CONSULTATION, "consultation_on"),
    (StandardStage.SUBMITTED, "submitted_on"),
    (StandardStage.PUBLISHED, "published_on"),
    (StandardStage.IMPLEMENTED, "implemented_on"),
)


class Standard(Entry):
    """5G应用标准 (专栏1: 加快重点行业融合应用标准制定, 推动5G应用标准落地): a standard in drafting or in force, its
    level and key industry, the date it reached each stage, who drafted it and the applications that adopted it."""

    code = models.CharField(
        _("标准编号"), max_length=64, blank=True, help_text=_("发布后必填，如 YD/T 3615-2019")
    )
    title = models.CharField(_("标准名称"), max_length=300)
    level = models.CharField(_("层级"), max_length=12, choices=StandardLevel.choices)
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行业")
    )
    stage = models.CharField(
        _("所处阶段"), max_length=16, choices=StandardStage.choices, default=StandardStage.PROPOSED
    )
    proposed_on = models.DateField(_("立项日期"))
    consultation_on = models.DateField(_("征求意见日期"), null=True, blank=True)
    submitted_on = models.DateField(_("报批日期"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    implemented_on = models.DateField(_("实施日期"), null=True, blank=True)
    drafters = models.ManyToManyField(
        Supplier, blank=True, related_name="standards", verbose_name=_("起草单位（供应商名录内）")
    )
    other_drafters = models.CharField(_("其他起草单位"), max_length=500, blank=True)
    adopters = models.ManyToManyField(
        ApplicationCase, blank=True, related_name="standards", verbose_name=_("落地应用")
    )
    withdrawn_on = models.DateField(_("废止日期"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_on", "title"]
        verbose_name = _("5G应用标准")
        verbose_name_plural = _("5G应用标准")

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "standards", "pk": self.pk})

    def clean(self):
        """The stage it is at has its date, no later stage has one, the dates given run in order; a published
        standard has a code written as its level numbers them."""
        errors = {}
        stages = [stage for stage, _name in STAGE_DATES]
        reached = stages.index(self.stage) + 1 if self.stage in stages else 0
        upto = [name for _stage, name in STAGE_DATES[:reached]]
        if (
            upto and getattr(self, upto[-1]) is None
        ):  # the stage it is at has its date (earlier ones may be unknown)
            errors[upto[-1]] = _("处于“%(stage)s”阶段的标准须填写%(field)s。") % {
                "stage": self.get_stage_display(),
                "field": self._meta.get_field(upto[-1]).verbose_name,
            }
        later = [n for _s, n in STAGE_DATES if n not in upto and getattr(self, n) is not None]
        if later and not errors:
            errors[later[0]] = _("标准尚处于“%(stage)s”阶段，不应填写%(field)s。") % {
                "stage": self.get_stage_display(),
                "field": self._meta.get_field(later[0]).verbose_name,
            }
        dated = [(n, getattr(self, n)) for n in upto if getattr(self, n) is not None]
        for (first, a), (second, b) in pairwise(dated):
            if b < a and second not in errors:
                errors[second] = _("%(second)s不应早于%(first)s。") % {
                    "second": self._meta.get_field(second).verbose_name,
                    "first": self._meta.get_field(first).verbose_name,
                }
        code = self.code.strip()
        self.code = code
        if self.stage in (StandardStage.PUBLISHED, StandardStage.IMPLEMENTED) and not code:
            errors["code"] = _("已发布的标准须填写标准编号。")
        if code and self.level in STANDARD_CODES:
            pattern, example = STANDARD_CODES[self.level]
            if not pattern.match(code):
                errors["code"] = _(
                    "标准编号“%(code)s”不符合%(level)s的编号格式，应写作 %(example)s 这样的形式。"
                ) % {
                    "code": code,
                    "level": self.get_level_display(),
                    "example": example,
                }
        if errors:
            raise ValidationError(errors)
        _dates_in_order(self, "proposed_on", "withdrawn_on")


class IndustryProduct(Entry):
    """面向行业的5G产品 (专栏2 面向行业需求的5G产品攻坚工程): a special base station (高温、高湿、防爆…), a module (by
    class), an industry terminal (高清摄像头、工业级路由器/网关、车载联网设备、AGV…) or high-end equipment with 5G
    built in; its supplier, certification, the stage it reached and the applications using it. It counts once it
    is on the market (商用) until it is withdrawn."""

    owned_by = ("supplier__name",)

    kind = models.CharField(_("产品类别"), max_length=16, choices=ProductKind.choices)
    name = models.CharField(_("产品名称"), max_length=200)
    model_number = models.CharField(_("型号"), max_length=100, blank=True)
    category = models.CharField(
        _("细分类别或适配场景"), max_length=100, blank=True, help_text=_("如 防爆、高温、工业级网关、AGV")
    )
    supplier = models.ForeignKey(
        Supplier, models.PROTECT, null=True, blank=True, related_name="products", verbose_name=_("供应商")
    )
    sector = models.ForeignKey(
        "actionplans.Sector", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("行业")
    )
    stage = models.CharField(
        _("所处阶段"), max_length=16, choices=ProductStage.choices, default=ProductStage.DEVELOPMENT
    )
    started_on = models.DateField(_("研制启动日期"))
    commercial_on = models.DateField(_("商用日期"), null=True, blank=True)
    certification = models.CharField(_("认证情况"), max_length=300, blank=True)
    used_by = models.ManyToManyField(
        ApplicationCase, blank=True, related_name="products", verbose_name=_("使用该产品的应用")
    )
    retired_on = models.DateField(_("停产日期"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("面向行业的5G产品")
        verbose_name_plural = _("面向行业的5G产品")

    def __str__(self) -> str:
        return f"{self.name} {self.model_number}".strip()

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "products", "pk": self.pk})

    def clean(self):
        """A product on the market (商用, 规模应用) has the day it got there; one still in development or testing has
        none."""
        on_market = self.stage in (ProductStage.COMMERCIAL, ProductStage.SCALE)
        if on_market and self.commercial_on is None:
            raise ValidationError({"commercial_on": _("已商用的产品须填写商用日期。")})
        if (
            not on_market and self.commercial_on is not None
        ):  # the date says more than the stage: ask for the stage
            raise ValidationError(
                {
                    "stage": _("产品尚处于“%(stage)s”阶段，不应填写商用日期。")
                    % {"stage": self.get_stage_display()}
                }
            )
        _dates_in_order(self, "started_on", "commercial_on")
        _dates_in_order(self, "started_on", "retired_on")


def one_application(entry) -> None:
    """A record about one application: a case of the 5G应用仓库 or an industry VPN, not both; its unit is theirs."""
    if bool(entry.case_id) == bool(entry.vpn_id):
        raise ValidationError({"case": _("请选择一个应用案例或一个行业虚拟专网（二者选一）。")})
    _at_application(entry)


def _at_application(entry) -> None:
    """A record about an application is placed where the application is, so that who reads and writes it (the
    scope of its unit) is who reads and writes the application: another unit is refused, naming the right one."""
    application = (entry.case if entry.case_id else None) or (entry.vpn if entry.vpn_id else None)
    if application is not None and entry.org_unit_id and entry.org_unit_id != application.org_unit_id:
        raise ValidationError(
            {
                "org_unit": _("地区应与“%(a)s”所在地区（%(unit)s）一致。")
                % {"a": application, "unit": application.org_unit.name}
            }
        )


class EvaluationBody(Entry):
    """5G安全评测认证机构 (四.(三) 10 支持5G安全评测机构建设; 专栏4 评估检测与认证能力): a body registered to assess
    5G applications, assess commercial cryptography (密评), test or certify, with the qualifications it holds."""

    # a directory of the province: read by every reader of the registry whatever its scope, enterprises included
    # (any city's office or enterprise names a body in its 密评), and no enterprise's (accounts.permissions)
    public_directory = True

    name = models.CharField(_("机构名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    does_assessment = models.BooleanField(_("5G应用安全评估"), default=False)
    does_crypto = models.BooleanField(_("商用密码应用安全性评估"), default=False)
    does_testing = models.BooleanField(_("安全检测"), default=False)
    does_certification = models.BooleanField(_("安全认证"), default=False)
    qualifications = models.TextField(_("资质"), blank=True, help_text=_("每行一项，如 商用密码检测机构资质"))
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    recognised_on = models.DateField(_("登记日期"))
    retired_on = models.DateField(_("注销日期"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("安全评测认证机构")
        verbose_name_plural = _("安全评测认证机构")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "security-bodies", "pk": self.pk})

    def clean_fields(self, exclude=None):
        """The code as people paste it, made comparable before the field's own checks (as a supplier's)."""
        from yangfan.core.uscc import uscc_normalise

        if self.credit_code:
            self.credit_code = uscc_normalise(self.credit_code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        from yangfan.core.uscc import uscc_normalise, uscc_problem

        if self.credit_code:
            self.credit_code = uscc_normalise(self.credit_code)
            problem = uscc_problem(self.credit_code)
            if problem:
                raise ValidationError({"credit_code": problem})
        if not (self.does_assessment or self.does_crypto or self.does_testing or self.does_certification):
            raise ValidationError({"does_assessment": _("请至少选择机构具备的一项能力。")})
        _dates_in_order(self, "recognised_on", "retired_on")


class Certification(Entry):
    """A test, evaluation or certification (测试评估认证) a registered body issued: of a product, an application or
    another object, against a standard where there is one."""

    owned_by = ("product__supplier__name", "case__enterprise")
    kept_by_owner = False

    body = models.ForeignKey(
        EvaluationBody, models.PROTECT, related_name="certifications", verbose_name=_("评测认证机构")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=CertificationKind.choices)
    number = models.CharField(_("证书或报告编号"), max_length=100)
    standard = models.ForeignKey(
        Standard,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("依据标准"),
    )
    product = models.ForeignKey(
        IndustryProduct,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("产品"),
    )
    case = models.ForeignKey(
        ApplicationCase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("应用案例"),
    )
    subject = models.CharField(_("其他对象"), max_length=200, blank=True)
    result = models.CharField(_("结论"), max_length=10, choices=CertificationResult.choices)
    issued_on = models.DateField(_("出具日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("测试评估认证记录")
        verbose_name_plural = _("测试评估认证记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "certifications", "pk": self.pk})

    def clean(self):
        if not (self.product_id or self.case_id or self.subject.strip()):
            raise ValidationError({"product": _("请填写被测试、评估或认证的产品、应用案例或其他对象。")})
        _dates_in_order(self, "issued_on", "valid_until")


class CryptoAssessment(Entry):
    """商用密码应用安全性评估 (密评; 四.(三) 9 做好密码应用安全性评估) of one application: the level of GB/T 39786-2021
    it was assessed against, the body, the date, the conclusion and how long it stands."""

    owned_by = ("case__enterprise", "vpn__enterprise")

    case = models.ForeignKey(
        ApplicationCase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="crypto_assessments",
        verbose_name=_("应用案例"),
    )
    vpn = models.ForeignKey(
        IndustryVpn,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="crypto_assessments",
        verbose_name=_("行业虚拟专网"),
    )
    system = models.CharField(_("被测信息系统"), max_length=200)
    level = models.CharField(_("密码应用等级"), max_length=2, choices=CryptoLevel.choices)
    body = models.ForeignKey(
        EvaluationBody, models.PROTECT, related_name="crypto_assessments", verbose_name=_("密评机构")
    )
    report_number = models.CharField(_("报告编号"), max_length=100)
    assessed_on = models.DateField(_("评估日期"))
    result = models.CharField(_("评估结论"), max_length=16, choices=CryptoResult.choices)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        ordering = ["-assessed_on", "system"]
        verbose_name = _("商用密码应用安全性评估")
        verbose_name_plural = _("商用密码应用安全性评估（密评）")

    def __str__(self) -> str:
        return f"{self.system}（{self.report_number}）"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "crypto-assessments", "pk": self.pk})

    def clean(self):
        one_application(self)
        if self.valid_until and self.assessed_on and self.valid_until <= self.assessed_on:
            raise ValidationError({"valid_until": _("有效期应晚于评估日期。")})
        if self.body_id and not self.body.does_crypto:
            raise ValidationError({"body": _("“%(b)s”未登记商用密码应用安全性评估能力。") % {"b": self.body}})
        if self.score is not None and not 0 <= self.score <= 100:
            raise ValidationError({"score": _("得分应在 0 到 100 之间。")})


class Inspection(Entry):
    """监督检查 (四.(三) 8 做好5G应用及关键信息基础设施监督检查): what was inspected, when, by whom, what was found and
    the follow-up required, until it is closed."""

    owned_by = ("case__enterprise", "vpn__enterprise")
    kept_by_owner = False

    target = models.CharField(_("检查对象类别"), max_length=16, choices=InspectionTarget.choices)
    subject = models.CharField(_("检查对象"), max_length=200)
    case = models.ForeignKey(
        ApplicationCase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("应用案例"),
    )
    vpn = models.ForeignKey(
        IndustryVpn,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("行业虚拟专网"),
    )
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查单位"), max_length=200)
    findings = models.TextField(_("发现的问题"), blank=True)
    follow_up = models.TextField(_("整改要求"), blank=True)
    follow_up_due = models.DateField(_("整改时限"), null=True, blank=True)
    closed_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["-inspected_on", "subject"]
        verbose_name = _("监督检查")
        verbose_name_plural = _("5G应用及关键信息基础设施监督检查")

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "inspections", "pk": self.pk})

    def clean(self):
        if self.case_id and self.vpn_id:
            raise ValidationError({"vpn": _("一次检查记录只对应一个应用案例或一个行业虚拟专网。")})
        _at_application(self)
        if self.follow_up.strip() and self.follow_up_due is None:
            raise ValidationError({"follow_up_due": _("提出整改要求的，请填写整改时限。")})
        _dates_in_order(self, "inspected_on", "follow_up_due")
        if self.closed_on and self.inspected_on and self.closed_on < self.inspected_on:
            raise ValidationError({"closed_on": _("整改完成日期不应早于检查日期。")})


class ThreatReport(Entry):
    """5G网络安全威胁信息 (四.(三) 11 加强5G网络安全威胁信息发现共享与协同处置): a threat received, with whom it was
    shared, how it was handled, and when it was closed."""

    title = models.CharField(_("威胁信息"), max_length=200)
    source = models.CharField(_("来源"), max_length=200)
    severity = models.CharField(_("危害程度"), max_length=8, choices=Severity.choices)
    received_on = models.DateField(_("接收日期"))
    description = models.TextField(_("内容"), blank=True)
    shared_with = models.TextField(_("共享对象"), blank=True, help_text=_("每行一个单位"))
    shared_on = models.DateField(_("共享日期"), null=True, blank=True)
    handling = models.TextField(_("处置情况"), blank=True)
    closed_on = models.DateField(_("处置完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "title"]
        verbose_name = _("威胁信息")
        verbose_name_plural = _("5G网络安全威胁信息共享与处置")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registries:entry", kwargs={"slug": "threats", "pk": self.pk})

    def clean(self):
        if self.shared_with.strip() and self.shared_on is None:
            raise ValidationError({"shared_on": _("已共享的威胁信息请填写共享日期。")})
        if self.shared_on and self.received_on and self.shared_on < self.received_on:
            raise ValidationError({"shared_on": _("共享日期不应早于接收日期。")})
        if self.closed_on and self.received_on and self.closed_on < self.received_on:
            raise ValidationError({"closed_on": _("处置完成日期不应早于接收日期。")})
        if self.closed_on and not self.handling.strip():
            raise ValidationError({"handling": _("处置完成的威胁信息请填写处置情况。")})


class ExpertReview(models.Model):
    """What every expert review keeps (标杆评选's and the qualitative goals'): when it was assigned, the declaration
    of a conflict of interest (回避) and when it was submitted; ``registries.reviews`` holds the rules."""

    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    conflict = models.BooleanField(_("存在利益冲突（回避）"), null=True, blank=True)
    conflict_note = models.TextField(_("利益冲突说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        abstract = True


class ReviewAssignment(ExpertReview):
    """One reviewer's review of one application: first the declaration of any conflict of interest (回避), then,
    if none, a score per criterion."""

    application = models.ForeignKey(
        BenchmarkApplication, models.CASCADE, related_name="reviews", verbose_name=_("标杆申报")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="benchmark_reviews", verbose_name=_("评审专家")
    )
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)

    class Meta:
        ordering = ["application", "reviewer__username"]
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_unique_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.reviewer}"

    def get_absolute_url(self) -> str:
        return reverse("registries:review", kwargs={"pk": self.pk})

    @property
    def scored(self) -> bool:
        """Whether the review holds a submitted score (neither pending nor a declared conflict): the expert must
        withdraw it, with the reason, before declaring a conflict."""
        return bool(self.submitted_at and not self.conflict and self.scores)

    @property
    def total(self):
        from decimal import Decimal

        return sum((Decimal(str(v)) for v in self.scores.values()), Decimal(0)) if self.scores else None
