from django.db import models
from django.utils.translation import gettext_lazy as _


class SectionKind(models.TextChoices):
    CHAPTER = "chapter", _("章")
    PART = "part", _("节")
    ACTION = "action", _("行动")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("省级部门")
    CITY_GOVERNMENTS = "city_governments", _("各设区市政府")


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
