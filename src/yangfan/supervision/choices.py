from django.db import models
from django.utils.translation import gettext_lazy as _

from yangfan.core.supervision import AlertKind as CoreAlertKind
from yangfan.core.supervision import Progress as CoreProgress


class Progress(models.TextChoices):
    """进展状态 of an assignment as its unit reports it (``yangfan.core.supervision.Progress``)."""

    NOT_STARTED = CoreProgress.NOT_STARTED.value, _("未启动")
    IN_PROGRESS = CoreProgress.IN_PROGRESS.value, _("推进中")
    DONE = CoreProgress.DONE.value, _("已完成")
    LAGGING = CoreProgress.LAGGING.value, _("滞后")


class NoticeStatus(models.TextChoices):
    """督办单: issued → signed for (签收) → answered → closed; issued or signed past its deadline without an answer
    → escalated."""

    ISSUED = "issued", _("待签收")
    SIGNED = "signed", _("已签收（办理中）")
    ANSWERED = "answered", _("已反馈")
    ESCALATED = "escalated", _("逾期未反馈（已升级）")
    CLOSED = "closed", _("已办结")


class EvidenceKind(models.TextChoices):
    """The file types evidence may be, recognised by content (magic numbers), never by the name."""

    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    JPEG = "jpg", "JPEG"
    DOCX = "docx", "Word"
    XLSX = "xlsx", "Excel"
    PPTX = "pptx", "PowerPoint"


class AlertKind(models.TextChoices):
    """What the supervision list flags (``yangfan.core.supervision.AlertKind``), as pages label it."""

    MILESTONE_OVERDUE = CoreAlertKind.MILESTONE_OVERDUE.value, _("节点逾期")
    NO_REPORT = CoreAlertKind.NO_REPORT.value, _("逾期未报")
    STALLED = CoreAlertKind.STALLED.value, _("连续滞后")


class ScoreComponent(models.TextChoices):
    """The parts of an evaluation score (``yangfan.core.evaluation.COMPONENTS``), as pages label them."""

    COMPLETION = "completion", _("任务完成")
    TIMELINESS = "timeliness", _("按时报送")
    EVIDENCE = "evidence", _("佐证材料")
    INDICATORS = "indicators", _("指标达成")


class Light(models.TextChoices):
    """亮灯 (``yangfan.core.supervision.Light``), as pages label it."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
