"""Org units as the province's statistics count them (see ``yangfan.core.orgtree``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yangfan.core import orgtree


class OrgUnitLevel(models.IntegerChoices):
    COUNTRY = 0, _("全国")
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县（区）")


class OrgUnit(models.Model):
    """The country, a province, city, county or zone. ``parent`` is administrative; ``counted_in`` says where its
    figures are counted when that differs (杨陵区 is in 咸阳 but counted in 杨凌示范区)."""

    code = models.CharField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=OrgUnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="admin_children",
        verbose_name=_("行政上级"),
    )
    counted_in = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="counted_units",
        verbose_name=_("统计上计入"),
    )
    kind = models.CharField(_("类型"), max_length=50, blank=True)
    remark = models.TextField(_("说明"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def statistical_parent_id(self) -> int | None:
        return self.counted_in_id or self.parent_id

    def to_core(self) -> orgtree.OrgUnit:
        return orgtree.OrgUnit(
            code=self.code,
            name=self.name,
            level=self.level,
            parent=self.parent.code if self.parent_id else None,
            counted_in=self.counted_in.code if self.counted_in_id else None,
            name_en=self.name_en,
            kind=self.kind,
            remark=self.remark,
        )


class OrgGroupKind(models.TextChoices):
    SEPARATELY_ADDRESSED = "separately_addressed", _("单独主送")
    NEW_AREA = "new_area", _("新区")
    OTHER = "other", _("其他")


class OrgGroup(models.Model):
    """Units reported and compared together but never added to a total a second time."""

    code = models.CharField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=OrgGroupKind.choices)
    members = models.ManyToManyField(
        OrgUnit, related_name="group_memberships", blank=True, verbose_name=_("成员")
    )
    overlaps = models.ManyToManyField(
        OrgUnit, related_name="group_overlaps", blank=True, verbose_name=_("地域涉及")
    )
    remark = models.TextField(_("说明"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("统计分组")
        verbose_name_plural = _("统计分组")

    def __str__(self) -> str:
        return self.name
