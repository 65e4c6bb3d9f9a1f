"""Ingest runs and their files: the lineage of every data value the pipeline wrote.

A run records what went in (each file's name, size and SHA-256; the engine and its version; the options) and
what came out (rows read and rejected by reason, values added, changed and unchanged, the conflicts with locked
values, how long it took). ``DataValue.ingest_run`` points at the run that last wrote a value, so a value's
page can say where it came from; a run is never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yangfan.ingests.choices import FileRole, IngestEngine, IngestKind, IngestStatus


class IngestRun(models.Model):
    kind = models.CharField(_("原始数据类型"), max_length=20, choices=IngestKind.choices)
    engine = models.CharField(_("计算引擎"), max_length=10, choices=IngestEngine.choices)
    engine_version = models.CharField(_("引擎版本"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=IngestStatus.choices, default=IngestStatus.QUEUED
    )
    dry_run = models.BooleanField(_("试运行"), default=False)
    period = models.CharField(_("限定期间"), max_length=8, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("发起人")
    )
    # the operator whose files these are (an operator's user uploads its own); empty: the provincial office's
    operator = models.ForeignKey(
        "actionplans.Operator", models.PROTECT, null=True, blank=True, verbose_name=_("运营商")
    )
    operators = models.JSONField(_("文件所含运营商"), default=list, blank=True)
    sites_run = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, verbose_name=_("所用基站清单的汇总批次")
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    seconds = models.JSONField(_("各阶段耗时（秒）"), default=dict, blank=True)
    rows_read = models.BigIntegerField(_("读取行数"), default=0)
    rows_rejected = models.BigIntegerField(_("拒收行数"), default=0)
    rejected_by_reason = models.JSONField(_("拒收原因"), default=dict, blank=True)
    rows_outside = models.BigIntegerField(_("期间外行数"), default=0)
    max_reject_rate = models.FloatField(_("拒收比例上限"), default=0.001)
    rejects_file = models.CharField(_("拒收行文件"), max_length=500, blank=True)
    values_added = models.IntegerField(_("新增数据值"), default=0)
    values_changed = models.IntegerField(_("修改数据值"), default=0)
    values_unchanged = models.IntegerField(_("未变数据值"), default=0)
    conflicts = models.JSONField(_("与已锁定数据的冲突"), default=list, blank=True)
    incomplete = models.JSONField(_("不完整的月份"), default=dict, blank=True)
    by_sector = models.JSONField(_("分行业5G物联网卡数"), default=dict, blank=True)
    periods = models.JSONField(_("写入的期间"), default=list, blank=True)
    # the first and last of ``periods`` (months, ``YYYYMM``), so that a month's runs are found by an index
    period_first = models.CharField(_("首个期间"), max_length=8, blank=True, db_index=True)
    period_last = models.CharField(_("末个期间"), max_length=8, blank=True, db_index=True)
    warnings = models.JSONField(_("提示"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # the preview: what applying would change (values, the annex indicators), compared with the database as it
    # was (``fingerprint``); applied only when someone confirms, the province when it is beyond the threshold
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    fingerprint = models.CharField(_("预览时的数据库状态"), max_length=64, blank=True)
    needs_province = models.BooleanField(_("须省级确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    files_removed_at = models.DateTimeField(_("原始文件清理时间"), null=True, blank=True)
    # the process working on the run (``jobs.process_identity``) and when it last said it was alive: a run whose
    # process is gone, or silent too long, is marked failed (``ingests.stale``) instead of running for ever
    worker = models.CharField(_("处理进程"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("处理进程最近一次报告"), null=True, blank=True)

    class Meta:
        verbose_name = _("汇总批次")
        verbose_name_plural = _("汇总批次")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return _("汇总批次 #%(n)s（%(kind)s）") % {"n": self.pk, "kind": self.get_kind_display()}

    @property
    def finished(self) -> bool:
        """The work is over: the run waits for confirmation, was applied or discarded, refused or failed."""
        return self.status not in (IngestStatus.QUEUED, IngestStatus.RUNNING)

    @property
    def awaiting(self) -> bool:
        """Previewed: nothing is written until someone confirms."""
        return self.status == IngestStatus.PREVIEWED

    @property
    def duration(self) -> float | None:
        return self.seconds.get("run")


class IngestFile(models.Model):
    run = models.ForeignKey(IngestRun, models.CASCADE, related_name="files", verbose_name=_("汇总批次"))
    role = models.CharField(_("用途"), max_length=10, choices=FileRole.choices, default=FileRole.DATA)
    name = models.CharField(_("文件名"), max_length=255)
    path = models.CharField(_("路径"), max_length=1000)
    size = models.BigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    removed_at = models.DateTimeField(_("清理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("原始数据文件")
        verbose_name_plural = _("原始数据文件")
        ordering = ["run", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class InventoryPart(models.Model):
    """One operator's base-station inventory as a run read it (``pipeline.aggregate.KeptPart``): every row of
    that operator, kept as a Parquet file. An operator's current inventory is its part of the latest applied
    run; the totals are computed from every operator's current part."""

    run = models.ForeignKey(IngestRun, models.CASCADE, related_name="parts", verbose_name=_("汇总批次"))
    operator = models.ForeignKey("actionplans.Operator", models.PROTECT, verbose_name=_("运营商"))
    path = models.CharField(_("路径"), max_length=1000)
    size = models.BigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    removed_at = models.DateTimeField(_("清理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("运营商基站清单")
        verbose_name_plural = _("运营商基站清单")
        ordering = ["operator", "-run"]
        constraints = [models.UniqueConstraint(fields=["run", "operator"], name="one_part_per_run_operator")]

    def __str__(self) -> str:
        return f"{self.operator} #{self.run_id}"


class IngestPolicy(models.Model):
    """The provincial office's rules for raw data (one row): when a preview needs the province to confirm it, and
    how long raw and rejects files are kept."""

    confirm_values_changed = models.PositiveIntegerField(
        _("修改已有数据值超过此数时须省级确认"), default=1000
    )
    confirm_indicator_change = models.DecimalField(
        _("附件指标变化超过此百分比时须省级确认"), max_digits=6, decimal_places=2, default=5
    )
    retention_days = models.PositiveIntegerField(
        _("原始文件保留天数"),
        null=True,
        blank=True,
        help_text=_("留空：行动计划的期限再加一年。"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("修改人")
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("原始数据规则")
        verbose_name_plural = _("原始数据规则")

    def __str__(self) -> str:
        return str(_("原始数据规则"))
