"""Reported figures: data element × org unit × period × operator (or the undivided total)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.periods import Period
from yangfan.datavalues.choices import ValueSource


class DataValue(models.Model):
    # no index of its own: the unique constraint's (data_element, org_unit, period, operator) serves it
    data_element = models.ForeignKey(
        "actionplans.DataElement", models.PROTECT, verbose_name=_("数据项"), db_index=False
    )
    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, verbose_name=_("地区"))
    period = models.CharField(_("期间"), max_length=8, db_index=True)
    operator = models.ForeignKey(
        "actionplans.Operator", models.PROTECT, null=True, blank=True, verbose_name=_("运营商")
    )
    value = models.DecimalField(_("值"), max_digits=28, decimal_places=6)
    source = models.CharField(
        _("来源"), max_length=10, choices=ValueSource.choices, default=ValueSource.IMPORT
    )
    comment = models.TextField(_("备注"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("最后修改人")
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    # the pipeline's lineage: the ingest run that last wrote this value (None for any other source)
    ingest_run = models.ForeignKey(
        "ingests.IngestRun",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="values",
        verbose_name=_("汇总批次"),
    )

    class Meta:
        verbose_name = _("数据值")
        verbose_name_plural = _("数据值")
        ordering = ["data_element__code", "period", "org_unit__code", "operator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_element", "org_unit", "period", "operator"],
                name="datavalue_unique_per_operator",
            ),
            # NULL operators are distinct to a plain unique constraint; the total is unique on its own
            models.UniqueConstraint(
                fields=["data_element", "org_unit", "period"],
                condition=Q(operator__isnull=True),
                name="datavalue_unique_total",
            ),
        ]

    def __str__(self) -> str:
        return datavalue_label(
            self.data_element.code, self.org_unit.code, self.period, self.operator_id, self.value
        )

    def to_core(self) -> CoreDataValue:
        return CoreDataValue(
            self.data_element.code,
            self.org_unit.code,
            Period.parse(self.period),
            self.value,
            self.operator.code if self.operator_id else None,
        )


def datavalue_label(element_code: str, unit_code: str, period: str, operator_id: int | None, value) -> str:
    """A value's text (its ``str``, the audit entry's object): the import writes new values without building
    model instances, and names them the same way."""
    return f"{element_code} {unit_code} {period} {operator_id or ''} = {value}"


class StoredTotal(models.Model):
    """The engine's total of a data element for a unit (or group) over a period, under one plan's org tree: what
    the pages read instead of the values (ADR 0009). Rewritten in the transaction of every write that changes a
    value it depends on (``datavalues.totals``), so it is never stale; never written by anything else.

    Codes, not keys: a read needs no join, and a plan's groups (韩城市, 西咸新区) have totals but are not org units.
    The value is its exact decimal text (a SQLite decimal column is a float)."""

    plan = models.CharField(_("行动计划"), max_length=64)
    data_element = models.CharField(_("数据项"), max_length=64)
    org_unit = models.CharField(_("地区"), max_length=64)
    period = models.CharField(_("期间"), max_length=8)
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.CharField(_("值"), max_length=80)

    class Meta:
        verbose_name = _("汇总值")
        verbose_name_plural = _("汇总值")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "org_unit", "period", "data_element"], name="storedtotal_unique"
            ),
        ]
        indexes = [models.Index(fields=["plan", "data_element", "year"], name="storedtotal_slice")]

    def __str__(self) -> str:
        return f"{self.plan} {self.data_element} {self.org_unit} {self.period} = {self.value}"
