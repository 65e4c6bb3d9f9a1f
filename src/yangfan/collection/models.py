"""The approval workflow of reported data: one submission per data set × org unit × period (× operator)."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yangfan.collection.choices import SubmissionAction, SubmissionStatus


class WorkflowReport(models.Model):
    """What every report following the approval workflow (``collection.workflow``) keeps: its status, who
    submitted it and when, who reviewed it and when, and the reason of the last return or unlock."""

    status = models.CharField(
        _("状态"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("退回或解锁原因"), blank=True)

    class Meta:
        abstract = True

    @cached_property
    def review_action_label(self) -> str:
        """What the last review step did, for "who, when, what" beside ``reviewed_by`` and ``reviewed_at``: 「审核通过」,
        「退回」 or 「解锁」 (a returned report must not read 「审核」). An approved report was approved last; otherwise
        its last return or unlock is read from its events (one query; ``workflow_apply`` forgets it)."""
        if self.status == SubmissionStatus.APPROVED:
            return SubmissionAction.APPROVE.label
        last = None
        if self.pk is not None:
            last = (
                self.events.filter(action__in=[SubmissionAction.RETURN, SubmissionAction.UNLOCK])
                .order_by("-at", "-pk")
                .values_list("action", flat=True)
                .first()
            )
        return SubmissionAction(last or SubmissionAction.RETURN).label


class WorkflowEvent(models.Model):
    """One step of a report along the workflow, in order, for its page (the audit trail holds the same,
    hash-chained). A concrete event adds the foreign key to its report."""

    action = models.CharField(_("操作"), max_length=10, choices=SubmissionAction.choices)
    status = models.CharField(_("操作后状态"), max_length=10, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True


class Submission(WorkflowReport):
    """The state of one report: the values of ``data_set``'s elements for the rows of ``org_unit`` (the units of
    the data set's level counted in it) at ``period``, for ``operator`` when the data set is by operator."""

    data_set = models.ForeignKey("actionplans.DataSet", models.PROTECT, verbose_name=_("数据集"))
    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, verbose_name=_("填报单位"))
    period = models.CharField(_("期间"), max_length=8, db_index=True)
    operator = models.ForeignKey(
        "actionplans.Operator", models.PROTECT, null=True, blank=True, verbose_name=_("运营商")
    )
    explanations = models.JSONField(_("警告说明"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("报送单")
        verbose_name_plural = _("报送单")
        ordering = ["data_set", "period", "org_unit__code", "operator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period", "operator"], name="submission_unique_per_operator"
            ),
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period"],
                condition=Q(operator__isnull=True),
                name="submission_unique_total",
            ),
        ]

    def __str__(self) -> str:
        operator = f" {self.operator.name}" if self.operator_id else ""
        return f"{self.data_set.name} · {self.org_unit.name}{operator} · {self.period}"


class SubmissionEvent(WorkflowEvent):
    """What happened to a submission, in order, for its page (the audit trail holds the same, hash-chained)."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="events", verbose_name=_("报送单")
    )

    class Meta:
        ordering = ["submission", "at", "pk"]
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")

    def __str__(self) -> str:
        return f"{self.submission} · {self.get_action_display()}"


class Reminder(models.Model):
    """An in-app reminder (催报提醒) to one responsible user about one report that is due within days or overdue.

    The daily job (``collection.reminders``) records it, refreshes it while the report stays unsubmitted, and
    marks it resolved once the report is submitted; the inbox lists the open ones and the navigation counts them.
    One row per user and report, however many days the job reminds: the e-mail day is kept so that a second
    run on the same day sends nothing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="collection_reminders",
        verbose_name=_("提醒对象"),
    )
    data_set = models.ForeignKey("actionplans.DataSet", models.CASCADE, verbose_name=_("数据集"))
    org_unit = models.ForeignKey("orgunits.OrgUnit", models.CASCADE, verbose_name=_("填报单位"))
    period = models.CharField(_("期间"), max_length=8)
    operator = models.ForeignKey(
        "actionplans.Operator", models.CASCADE, null=True, blank=True, verbose_name=_("运营商")
    )
    deadline = models.DateField(_("截止日期"))
    created_at = models.DateTimeField(_("首次提醒时间"), auto_now_add=True)
    reminded_on = models.DateField(_("最近提醒日期"))
    emailed_on = models.DateField(_("最近邮件日期"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("已报送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("催报提醒")
        verbose_name_plural = _("催报提醒")
        ordering = ["deadline", "data_set", "period", "org_unit__code", "operator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "data_set", "org_unit", "period", "operator"],
                name="reminder_unique_per_operator",
            ),
            models.UniqueConstraint(
                fields=["user", "data_set", "org_unit", "period"],
                condition=Q(operator__isnull=True),
                name="reminder_unique_total",
            ),
        ]

    def __str__(self) -> str:
        operator = f" {self.operator.name}" if self.operator_id else ""
        return f"{self.data_set.name} · {self.org_unit.name}{operator} · {self.period} → {self.user}"
