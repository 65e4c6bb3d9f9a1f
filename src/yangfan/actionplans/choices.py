from django.db import models
from django.utils.translation import gettext_lazy as _


class SectionKind(models.TextChoices):
    CHAPTER = "chapter", _("章")
    PART = "part", _("节")
    ACTION = "action", _("行动")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("省级部门")
    CITY_GOVERNMENTS = "city_governments", _("各设区市政府")


class UnitRole(models.TextChoices):
    """A unit's part in a task: the unit the clause names first leads, the others co-operate. The values are
    ``core.evaluation.ROLES``, which the scoring scheme's ``unit_weights`` weigh."""

    LEAD = "lead", _("牵头")
    COOPERATING = "cooperating", _("配合")


class Aggregation(models.TextChoices):
    STOCK = "stock", _("时点数（取期末值）")
    FLOW = "flow", _("时期数（求和）")


class PeriodType(models.TextChoices):
    MONTHLY = "monthly", _("月")
    QUARTERLY = "quarterly", _("季")
    YEARLY = "yearly", _("年")


class Direction(models.TextChoices):
    INCREASE = "increase", _("越高越好")
    DECREASE = "decrease", _("越低越好")


class Comparison(models.TextChoices):
    GT = "gt", _("超过")
    GTE = "gte", _("达到或超过")
    LT = "lt", _("低于")
    LTE = "lte", _("不超过")


class TargetScope(models.TextChoices):
    EVERY_UNIT = "every_unit", _("全省及各地区")
    PLAN_AREA = "plan_area", _("仅全省")


class DataSetLevel(models.TextChoices):
    PROVINCE = "province", _("全省")
    CITY = "city", _("地市")
    COUNTY = "county", _("区县")


class AssessmentStatus(models.TextChoices):
    """How an indicator stands against its target (``yangfan.core.targets.Status``), as pages label it."""

    ACHIEVED = "achieved", _("已达标")
    ON_TRACK = "on_track", _("进度正常")
    AT_RISK = "at_risk", _("有风险")
    OFF_TRACK = "off_track", _("严重滞后")
    MISSED = "missed", _("未达标")
    UNKNOWN = "unknown", _("数据不足")
    NO_TARGET = "no_target", _("未设目标")


class MeasureUnit(models.TextChoices):
    """The units of measure plan files use (``unit:`` of data elements and indicators), as pages label them.
    The value is the plan file's word; a unit not listed here is shown as the file writes it."""

    SUBSCRIBER = "户", _("户")  # a subscriber (an account), as telecom statistics count users
    ITEM = "个", _("个")
    ENTERPRISE = "家", _("家")
    PERSON = "人", _("人")
    PERCENT = "%", "%"
    GIGABYTE = "GB", "GB"
