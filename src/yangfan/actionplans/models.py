"""The plan as stored: one row per element of the plan file, kept in step by ``services.plan_load``.

The plan file is the source of truth; these tables exist so that later features (data values, task
assignments, registries) can point at tasks, indicators and units with foreign keys.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.actionplans.choices import (
    Aggregation,
    Comparison,
    DataSetLevel,
    Direction,
    PeriodType,
    SectionKind,
    TargetScope,
    UnitKind,
    UnitRole,
)


class Plan(models.Model):
    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    document = models.CharField(_("文号"), max_length=100, blank=True)
    notice_title = models.CharField(_("通知标题"), max_length=300, blank=True)
    addressees = models.TextField(_("主送"), blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    preamble = models.TextField(_("前言"), blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    remarks = models.JSONField(_("解读说明"), default=list, blank=True)
    annex = models.JSONField(_("附件"), default=dict, blank=True)
    file_name = models.CharField(_("计划文件"), max_length=300, blank=True)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    file_text = models.TextField(_("计划文件内容"), blank=True)
    root = models.ForeignKey(
        "orgunits.OrgUnit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("组织机构树的根"),
        help_text=_("计划文件中组织机构树的根（省级计划为本省，全国计划为全国）"),
    )
    loaded_at = models.DateTimeField(_("加载时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行动计划")
        verbose_name_plural = _("行动计划")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actionplans:plan", kwargs={"plan": self.code})


class PlanElement(models.Model):
    """Common fields of everything a plan file lists: a code unique within the plan, its order, a remark."""

    plan = models.ForeignKey(Plan, models.CASCADE, verbose_name=_("行动计划"))
    code = models.CharField(_("代码"), max_length=64)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    remark = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]


class Section(PlanElement):
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=SectionKind.choices)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级章节")
    )
    text = models.TextField(_("正文"), blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("章节")
        verbose_name_plural = _("章节")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ResponsibleUnit(PlanElement):
    """责任单位. ``各设区市政府`` is one unit of kind CITY_GOVERNMENTS: one assignment per city government."""

    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    aliases = models.JSONField(_("别名"), default=list, blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actionplans:unit", kwargs={"plan": self.plan.code, "code": self.code})


class Sector(PlanElement):
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    key_industry = models.BooleanField(_("重点行业"), default=False)

    class Meta(PlanElement.Meta):
        verbose_name = _("行业")
        verbose_name_plural = _("行业")

    def __str__(self) -> str:
        return self.name


class Task(PlanElement):
    section = models.ForeignKey(Section, models.PROTECT, related_name="tasks", verbose_name=_("章节"))
    number = models.CharField(_("原文编号"), max_length=10, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    responsibility = models.TextField(_("责任单位（原文）"))
    units = models.ManyToManyField(
        ResponsibleUnit, through="TaskUnit", related_name="tasks", verbose_name=_("责任单位")
    )
    sector = models.ForeignKey(
        Sector, models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("行业")
    )
    continues = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("接续的任务"),
        help_text=_("前一个计划中由本任务接续的任务"),
    )
    continues_note = models.TextField(_("变化说明"), blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("任务")
        verbose_name_plural = _("任务")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:task", kwargs={"plan": self.plan.code, "code": self.code})


class TaskUnit(models.Model):
    """One of a task's responsible units, in the order its clause names them (``position`` 0 first). The unit
    named first leads (牵头), the others co-operate (配合); the provincial office may make another of them the
    lead, with a reason (``services.task_lead_set``). ``lead_set_at`` marks that decision: a reload of the plan
    file keeps it while the unit is still named, and otherwise the first named unit leads again."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="unit_links", verbose_name=_("任务"))
    unit = models.ForeignKey(
        ResponsibleUnit, models.CASCADE, related_name="task_links", verbose_name=_("责任单位")
    )
    position = models.PositiveIntegerField(_("原文顺序"), default=0)
    lead = models.BooleanField(_("牵头"), default=False)
    lead_reason = models.TextField(_("改定牵头单位的理由"), blank=True)
    lead_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("改定人"),
    )
    lead_set_at = models.DateTimeField(_("改定时间"), null=True, blank=True)

    class Meta:
        ordering = ["task", "position"]
        verbose_name = _("任务责任单位")
        verbose_name_plural = _("任务责任单位")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="taskunit_unique_unit"),
            models.UniqueConstraint(fields=["task"], condition=models.Q(lead=True), name="taskunit_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.unit_id} · {self.role_label}"

    @property
    def role(self) -> str:
        """``lead`` or ``cooperating`` (``core.evaluation.ROLES``)."""
        return UnitRole.LEAD if self.lead else UnitRole.COOPERATING

    @property
    def role_label(self) -> str:
        return UnitRole(self.role).label

    @property
    def lead_overridden(self) -> bool:
        """Whether the provincial office made this unit the lead (rather than the plan's order)."""
        return self.lead_set_at is not None


class SpecialProject(PlanElement):
    """专栏."""

    number = models.PositiveSmallIntegerField(_("专栏编号"))
    title = models.CharField(_("标题"), max_length=200)
    section = models.ForeignKey(
        Section, models.PROTECT, related_name="special_projects", verbose_name=_("章节")
    )
    text = models.TextField(_("正文"))

    class Meta(PlanElement.Meta):
        verbose_name = _("专栏")
        verbose_name_plural = _("专栏")

    def __str__(self) -> str:
        return f"专栏{self.number} {self.title}"


class Safeguard(PlanElement):
    """保障措施."""

    number = models.CharField(_("原文编号"), max_length=10, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))

    class Meta(PlanElement.Meta):
        verbose_name = _("保障措施")
        verbose_name_plural = _("保障措施")

    def __str__(self) -> str:
        return self.title


class Goal(PlanElement):
    """One of the overall goals (总体目标 “——” paragraphs)."""

    section = models.ForeignKey(Section, models.PROTECT, related_name="goals", verbose_name=_("章节"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))

    class Meta(PlanElement.Meta):
        verbose_name = _("总体目标")
        verbose_name_plural = _("总体目标")

    def __str__(self) -> str:
        return self.title


class Operator(models.Model):
    """A telecom operator; shared by every plan (values are broken down by operator)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("运营商")
        verbose_name_plural = _("运营商")

    def __str__(self) -> str:
        return self.name


class DataElement(models.Model):
    """A quantity reported or computed (数据项). Codes are a public contract shared by every plan."""

    code = models.CharField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20)
    aggregation = models.CharField(_("时间汇总方式"), max_length=10, choices=Aggregation.choices)
    period_type = models.CharField(_("报送周期"), max_length=10, choices=PeriodType.choices)
    by_operator = models.BooleanField(_("按运营商分列"), default=False)
    # what a value may be, from the plan file (``datavalues.limits`` refuses the rest on every write path)
    decimals = models.PositiveSmallIntegerField(
        _("最多小数位数"), null=True, blank=True, help_text=_("空：按存储精度（6 位）")
    )
    minimum = models.DecimalField(_("下限"), max_digits=28, decimal_places=6, null=True, blank=True)
    maximum = models.DecimalField(_("上限"), max_digits=28, decimal_places=6, null=True, blank=True)
    sources = models.JSONField(_("计划出处"), default=list, blank=True)
    remark = models.TextField(_("说明"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("数据项")
        verbose_name_plural = _("数据项")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Registry(PlanElement):
    """A registry the plan counts entries of (行业虚拟专网, 标杆, ...)."""

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    sources = models.JSONField(_("计划出处"), default=list, blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("登记簿")
        verbose_name_plural = _("登记簿")

    def __str__(self) -> str:
        return self.name


class Indicator(PlanElement):
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20)
    formula = models.CharField(_("计算公式"), max_length=500)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    annex_number = models.PositiveSmallIntegerField(_("附件序号"), null=True, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    target_comparison = models.CharField(_("目标比较"), max_length=5, choices=Comparison.choices)
    target_date = models.DateField(_("目标日期"))
    target_scope = models.CharField(
        _("目标适用范围"), max_length=12, choices=TargetScope.choices, default=TargetScope.PLAN_AREA
    )
    milestones = models.JSONField(_("计划中的阶段目标"), default=list, blank=True)
    sources = models.JSONField(_("计划出处"), default=list, blank=True)
    continues = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("接续的指标"),
        help_text=_("前一个计划中由本指标接续的指标：两段序列画在一起"),
    )
    continues_note = models.TextField(_("口径变化说明"), blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:indicator", kwargs={"plan": self.plan.code, "code": self.code})


class QualitativeTarget(PlanElement):
    """A target without a figure, quoted word for word; judged on evidence at evaluation time."""

    clause = models.CharField(_("条款"), max_length=64)
    text = models.TextField(_("目标原文"))

    class Meta(PlanElement.Meta):
        verbose_name = _("定性目标")
        verbose_name_plural = _("定性目标")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class DataSet(PlanElement):
    """A report (数据集) as the plan file declares it: its data elements (in column order), how often, whose
    rows (the level of the org tree), who reports, and the deadline in days after the period ends."""

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    period_type = models.CharField(_("报送周期"), max_length=10, choices=PeriodType.choices)
    level = models.CharField(_("填报层级"), max_length=10, choices=DataSetLevel.choices)
    by_operator = models.BooleanField(_("按运营商分别报送"), default=False)
    reporter = models.CharField(
        _("报送单位"), max_length=64, help_text=_("责任单位代码，或 operators（运营商）")
    )
    deadline_days = models.PositiveSmallIntegerField(_("报送期限（期末后天数）"))
    data_elements = models.JSONField(_("数据项"), default=list)

    class Meta(PlanElement.Meta):
        verbose_name = _("数据集")
        verbose_name_plural = _("数据集")

    def __str__(self) -> str:
        return self.name


class UnitTarget(models.Model):
    """A target the provincial office set in Yangfan for one org unit: its final target for an indicator (at the
    indicator's target date) or a milestone on the way (an earlier date). The plan's own targets stay in the
    plan file; these come on top of them (``yangfan.core.targets.TargetBook``)."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, verbose_name=_("指标"))
    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, verbose_name=_("地区"))
    date = models.DateField(_("目标日期"))
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    comparison = models.CharField(_("目标比较"), max_length=5, choices=Comparison.choices)
    note = models.TextField(_("依据或说明"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("设定人")
    )
    updated_at = models.DateTimeField(_("设定时间"), auto_now=True)

    class Meta:
        ordering = ["indicator", "org_unit__code", "date"]
        verbose_name = _("地区目标")
        verbose_name_plural = _("地区目标")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "date"], name="unittarget_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.org_unit} {self.date}: {self.get_comparison_display()} {self.value.normalize():f}"

    @property
    def is_final(self) -> bool:
        return self.date == self.indicator.target_date
