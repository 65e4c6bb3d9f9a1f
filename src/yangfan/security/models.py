"""5G应用安全评估 (四.(三) 8–11, 专栏4): assessments of an application at each stage of its life cycle against a
versioned questionnaire, and the risk register their findings make.

The records the office keeps about security (evaluation bodies, certifications, 密评, inspections, threat reports)
are registries (``registries.specs``); this app holds what has a workflow of its own. Every record is placed at
the application's unit (``org_unit``) and belongs to its enterprise (``owned_by``), so the permission module
scopes it like any entry.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.registries.models import one_application
from yangfan.security.choices import (
    Answer,
    Area,
    AssessmentKind,
    AssessmentStatus,
    LifeStage,
    RiskLevel,
    RiskStatus,
)

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Questionnaire(models.Model):
    """One version of the assessment questionnaire the office maintains. A published version never changes (the
    assessments made against it keep their meaning); a change is a new version."""

    version = models.PositiveSmallIntegerField(_("版本"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("安全评估问卷")
        verbose_name_plural = _("安全评估问卷")

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("security:questionnaire", kwargs={"version": self.version})


class Question(models.Model):
    """A question of one version: its area, its weight in the score and the evidence it expects."""

    questionnaire = models.ForeignKey(
        Questionnaire, models.CASCADE, related_name="questions", verbose_name=_("问卷")
    )
    code = models.CharField(_("编号"), max_length=16)
    area = models.CharField(_("领域"), max_length=16, choices=Area.choices)
    text = models.TextField(_("问题"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=1, validators=[MinValueValidator(1)])
    evidence = models.TextField(_("应提供的证据"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["questionnaire", "position", "code"]
        verbose_name = _("评估问题")
        verbose_name_plural = _("评估问题")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class Assessment(models.Model):
    """A security assessment of one application (a case of the 5G应用仓库 or an industry VPN) at one stage of its
    life cycle: by its owner (自评估) or by a registered evaluation body (第三方评估)."""

    owned_by = ("case__enterprise", "vpn__enterprise")

    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("地区"))
    case = models.ForeignKey(
        "registries.ApplicationCase",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="security_assessments",
        verbose_name=_("应用案例"),
    )
    vpn = models.ForeignKey(
        "registries.IndustryVpn",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="security_assessments",
        verbose_name=_("行业虚拟专网"),
    )
    stage = models.CharField(_("生命周期阶段"), max_length=16, choices=LifeStage.choices)
    kind = models.CharField(_("评估方式"), max_length=16, choices=AssessmentKind.choices)
    body = models.ForeignKey(
        "registries.EvaluationBody",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="security_assessments",
        verbose_name=_("评估机构"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire, models.PROTECT, related_name="assessments", verbose_name=_("问卷版本")
    )
    assessed_on = models.DateField(_("评估日期"))
    summary = models.TextField(_("评估结论"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("安全评估")
        verbose_name_plural = _("安全评估")

    def __str__(self) -> str:
        return f"{self.application}（{self.get_stage_display()}·{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("security:assessment", kwargs={"pk": self.pk})

    @property
    def application(self):
        return self.case or self.vpn

    def clean(self):
        one_application(self)
        if self.kind == AssessmentKind.THIRD_PARTY and not self.body_id:
            raise ValidationError({"body": _("第三方评估请选择已登记的评估机构。")})
        if self.kind == AssessmentKind.SELF and self.body_id:
            raise ValidationError({"body": _("自评估由应用的所有者自行开展，不填评估机构。")})
        if self.body_id and not self.body.does_assessment:
            raise ValidationError({"body": _("“%(b)s”未登记5G应用安全评估能力。") % {"b": self.body}})
        if self.questionnaire_id and self.questionnaire.published_at is None:
            raise ValidationError({"questionnaire": _("只能按已发布的问卷版本评估。")})


class AssessmentAnswer(models.Model):
    """The answer to one question of an assessment, with the evidence given."""

    assessment = models.ForeignKey(
        Assessment, models.CASCADE, related_name="answers", verbose_name=_("安全评估")
    )
    question = models.ForeignKey(Question, models.PROTECT, related_name="+", verbose_name=_("问题"))
    answer = models.CharField(_("符合情况"), max_length=8, choices=Answer.choices)
    evidence = models.TextField(_("证据"), blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["assessment", "question__position", "question__code"]
        verbose_name = _("评估答复")
        verbose_name_plural = _("评估答复")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="answer_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.question.code}：{self.get_answer_display()}"


class Risk(models.Model):
    """A risk an assessment found: likelihood × impact gives its level (``core.security.risk_level``); its owner
    remedies it by the deadline, and it is closed when the re-assessment confirms the remediation."""

    owned_by = ("assessment__case__enterprise", "assessment__vpn__enterprise")

    org_unit = models.ForeignKey("orgunits.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("地区"))
    assessment = models.ForeignKey(
        Assessment, models.PROTECT, related_name="risks", verbose_name=_("发现于评估")
    )
    question = models.ForeignKey(
        Question, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("对应问题")
    )
    title = models.CharField(_("风险"), max_length=200)
    description = models.TextField(_("风险描述"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("可能性（1–5）"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("影响程度（1–5）"), validators=SCALE)
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices, editable=False)
    owner = models.CharField(_("整改责任人"), max_length=100)
    remediation = models.TextField(_("整改措施"))
    deadline = models.DateField(_("整改时限"))
    reassess_on = models.DateField(_("复评日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    response = models.TextField(_("整改情况"), blank=True)
    remediated_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    closing_note = models.TextField(_("关闭意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("安全风险")
        verbose_name_plural = _("安全风险台账")
        indexes = [models.Index(fields=["status", "deadline"], name="risk_status_deadline")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("security:risk", kwargs={"pk": self.pk})

    def clean(self):
        from yangfan.core.security import risk_level

        errors = {}
        if not self.owner.strip():
            errors["owner"] = _("请填写整改责任人。")
        if not self.remediation.strip():
            errors["remediation"] = _("请填写整改措施。")
        if self.deadline is None:
            errors["deadline"] = _("请填写整改时限。")
        if self.reassess_on and self.deadline and self.reassess_on < self.deadline:
            errors["reassess_on"] = _("复评日期不应早于整改时限。")
        if errors:
            raise ValidationError(errors)
        if self.likelihood and self.impact:
            self.level = risk_level(self.likelihood, self.impact)
