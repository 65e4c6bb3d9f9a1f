from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What waits for the person. The values are stored and sent to webhooks: never rename one."""

    REPORT_RETURNED = "report_returned", _("报告被退回")
    REVIEW_PENDING = "review_pending", _("待审核")
    NOTICE_NEW = "notice_new", _("新督办单")
    NOTICE_ESCALATED = "notice_escalated", _("督办单升级")
    NOTICE_DUE = "notice_due", _("督办单临近时限")
    NOTICE_ANSWERED = "notice_answered", _("督办单已反馈")
    MILESTONE_YELLOW = "milestone_yellow", _("节点黄灯")
    MILESTONE_RED = "milestone_red", _("节点红灯")
    REVIEW_ASSIGNED = "review_assigned", _("评审任务")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")
