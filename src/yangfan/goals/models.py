"""定性目标评估: the plan's qualitative targets (``actionplans.QualitativeTarget``: goals without a figure, quoted
word for word) judged by the leading group's offices, period by period, on evidence.

A verdict is one office's judgement of one target for one org unit (the province by the provincial office, a
city by its own office) and one period: a conclusion (``Verdict``), the reasoning, and the evidence it rests on
(registry entries, tasks of the plan, documents). It is written as a draft, may be put to experts for their
opinion (``GoalReview``, the rules of expert review shared with 标杆评选: ``registries.reviews``), and is
published; a later publication for the same target, unit and period supersedes it, and both are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.goals.choices import TONES, Verdict, VerdictStatus
from yangfan.registries.models import ExpertReview


class GoalVerdict(models.Model):
    """A verdict on a qualitative target of the plan for one unit and period (``period`` as DHIS2 names periods;
    ``period_end``, its last day, is what "the verdicts standing at a period" compares)."""

    target = models.ForeignKey(
        "actionplans.QualitativeTarget", models.PROTECT, related_name="verdicts", verbose_name=_("定性目标")
    )
    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("地区"))
    period = models.CharField(_("评估期间"), max_length=10)
    period_end = models.DateField(_("期末"), editable=False)
    verdict = models.CharField(_("评估结论"), max_length=16, choices=Verdict.choices)
    reasoning = models.TextField(_("判断理由"))
    documents = models.JSONField(_("佐证文件"), default=list, blank=True)  # 文件名称、文号或链接, one each
    tasks = models.ManyToManyField(
        "actionplans.Task", blank=True, related_name="+", verbose_name=_("相关任务")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=VerdictStatus.choices, default=VerdictStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填写人"),
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["target__position", "-period_end", "-published_at"]
        verbose_name = _("定性目标评估结论")
        verbose_name_plural = _("定性目标评估结论")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "org_unit", "period"],
                condition=Q(status=VerdictStatus.PUBLISHED),
                name="goalverdict_one_published",
            ),
            models.UniqueConstraint(
                fields=["target", "org_unit", "period"],
                condition=Q(status=VerdictStatus.DRAFT),
                name="goalverdict_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "status", "period_end"], name="goalverdict_standing")]

    def __str__(self) -> str:
        return f"{self.target.code} · {self.org_unit.name} · {self.period}：{self.get_verdict_display()}"

    def get_absolute_url(self) -> str:
        return reverse(
            "goals:verdict",
            kwargs={
                "plan": self.target.plan.code,
                "code": self.target.code,
                "org": self.org_unit.code,
                "period": self.period,
            },
        )

    @property
    def tone(self) -> str:
        """The status colour pages give the conclusion (``status-<tone>``)."""
        return TONES.get(self.verdict, "unknown")


class GoalEvidence(models.Model):
    """A registry entry a verdict rests on: the registry's slug (``registries.specs.SPECS``) and the entry's id,
    with the entry's name as it was cited (what the report prints, should the entry change or go)."""

    verdict = models.ForeignKey(
        GoalVerdict, models.CASCADE, related_name="entries", verbose_name=_("评估结论")
    )
    registry = models.CharField(_("登记簿"), max_length=20)
    entry_id = models.PositiveIntegerField(_("条目编号"))
    label = models.CharField(_("条目名称"), max_length=300)

    class Meta:
        ordering = ["registry", "label", "entry_id"]
        verbose_name = _("佐证条目")
        verbose_name_plural = _("佐证条目")
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "registry", "entry_id"], name="goalevidence_unique_entry"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """``slug:id``, as the verdict form names an entry."""
        return f"{self.registry}:{self.entry_id}"


class GoalReview(ExpertReview):
    """An expert's opinion on a draft verdict: first the declaration of any conflict of interest (回避), then, if
    none, a conclusion of their own and a comment (``registries.reviews`` holds the rules)."""

    verdict = models.ForeignKey(
        GoalVerdict, models.CASCADE, related_name="reviews", verbose_name=_("评估结论")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="goal_reviews", verbose_name=_("评审专家")
    )
    opinion = models.CharField(_("专家意见"), max_length=16, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("意见说明"), blank=True)

    class Meta:
        ordering = ["verdict", "reviewer__username"]
        verbose_name = _("定性目标专家意见")
        verbose_name_plural = _("定性目标专家意见")
        constraints = [
            models.UniqueConstraint(fields=["verdict", "reviewer"], name="goalreview_unique_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.verdict} → {self.reviewer}"

    def get_absolute_url(self) -> str:
        return reverse("goals:review", kwargs={"pk": self.pk})

    @property
    def scored(self) -> bool:
        """Whether a submitted opinion stands (neither pending nor a declared conflict): the expert must withdraw
        it, with the reason, before declaring a conflict (the name is expert review's, ``registries.reviews``)."""
        return bool(self.submitted_at and not self.conflict and self.opinion)
