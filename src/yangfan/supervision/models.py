"""Task supervision (任务督导): who answers for each task, what they must deliver by when, what they reported,
the notices that push them, and the published evaluation.

An ``Assignment`` is one responsible unit's share of a task of the plan (``actionplans.Task``) or of a sub-task
the provincial office split it into; a task given to 各设区市政府 has one assignment per city government. Its
``org_unit`` places it in the org tree so that scopes apply: the city for a city government, the province for
a department. A city government's share may be split further by the city's office (the cascade): each part is
an assignment whose ``parent`` is the city's share, given to a district or county (its ``org_unit``) or to a
city department (``assignee``, at the city).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yangfan.collection.models import WorkflowEvent, WorkflowReport
from yangfan.supervision.choices import EvidenceKind, NoticeStatus, Progress


class Authored(models.Model):
    """Who set it up in Yangfan and when (sub-tasks, milestones, indicator links are the office's decisions)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)

    class Meta:
        abstract = True


class SubTask(Authored):
    """A part of a plan task the provincial office assigns on its own (拆分子任务), to some of the task's units."""

    task = models.ForeignKey(
        "actionplans.Task", models.CASCADE, related_name="subtasks", verbose_name=_("任务")
    )
    code = models.CharField(_("代码"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    units = models.ManyToManyField(
        "actionplans.ResponsibleUnit", related_name="subtasks", verbose_name=_("责任单位")
    )

    class Meta:
        ordering = ["task", "code"]
        verbose_name = _("子任务")
        verbose_name_plural = _("子任务")
        constraints = [models.UniqueConstraint(fields=["task", "code"], name="subtask_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Assignment(models.Model):
    """任务分工: one responsible unit's share of a task (or of one of its sub-tasks)."""

    task = models.ForeignKey(
        "actionplans.Task", models.CASCADE, related_name="assignments", verbose_name=_("任务")
    )
    subtask = models.ForeignKey(
        SubTask, models.CASCADE, null=True, blank=True, related_name="assignments", verbose_name=_("子任务")
    )
    responsible_unit = models.ForeignKey(
        "actionplans.ResponsibleUnit", models.PROTECT, related_name="assignments", verbose_name=_("责任单位")
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", models.PROTECT, related_name="assignments", verbose_name=_("地区")
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级任务分工"),
        help_text=_("市级分解：市政府承担的任务再分派给区县或市级部门"),
    )
    assignee = models.CharField(
        _("承办部门"),
        max_length=100,
        blank=True,
        help_text=_("市级部门承办时填写部门名称（如 市工业和信息化局）"),
    )
    created_at = models.DateTimeField(_("分派时间"), auto_now_add=True)

    class Meta:
        ordering = [
            "task__position",
            "subtask__code",
            "responsible_unit__position",
            "org_unit__position",
            "assignee",
        ]
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "subtask", "responsible_unit", "org_unit"],
                condition=Q(parent__isnull=True),
                name="assignment_unique_subtask",
            ),
            models.UniqueConstraint(
                fields=["task", "responsible_unit", "org_unit"],
                condition=Q(subtask__isnull=True, parent__isnull=True),
                name="assignment_unique_task",
            ),
            models.UniqueConstraint(
                fields=["parent", "org_unit", "assignee"],
                condition=Q(parent__isnull=False),
                name="assignment_unique_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_code} · {self.unit_name}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:assignment", kwargs={"pk": self.pk})

    @property
    def work_code(self) -> str:
        return self.subtask.code if self.subtask_id else self.task.code

    @property
    def work_title(self) -> str:
        return self.subtask.title if self.subtask_id else self.task.title

    @property
    def unit_name(self) -> str:
        """省工信厅, or the city government's name (西安市人民政府) for a share of 各设区市政府, a county's
        (雁塔区人民政府) or a city department's name for a part of a city's share."""
        from yangfan.core.plan import UnitKind

        if self.assignee:
            return self.assignee
        if self.responsible_unit.kind == UnitKind.CITY_GOVERNMENTS:
            return f"{self.org_unit.name}人民政府"
        return self.responsible_unit.name


class Milestone(Authored):
    """阶段节点 the provincial office sets on a task (or sub-task): what, by when, and the evidence expected. It
    binds every assignment of that task (or sub-task); an assignment meets it when a report claims it. A city's
    office sets milestones on one part of its city's share (``assignment``): they bind that part only."""

    task = models.ForeignKey(
        "actionplans.Task", models.CASCADE, related_name="milestones", verbose_name=_("任务")
    )
    subtask = models.ForeignKey(
        SubTask, models.CASCADE, null=True, blank=True, related_name="milestones", verbose_name=_("子任务")
    )
    assignment = models.ForeignKey(
        Assignment,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="own_milestones",
        verbose_name=_("适用任务分工"),
    )
    title = models.CharField(_("节点内容"), max_length=300)
    due = models.DateField(_("完成时限"))
    evidence_expected = models.TextField(_("应提供的佐证材料"), blank=True)

    class Meta:
        ordering = ["task", "due", "pk"]
        verbose_name = _("阶段节点")
        verbose_name_plural = _("阶段节点")

    def __str__(self) -> str:
        return f"{self.title}（{self.due:%Y-%m-%d}）"

    @property
    def code(self) -> str:
        return f"M{self.pk}"


class TaskIndicator(Authored):
    """A task moves an indicator (5G网络覆盖 → A5): when that indicator is at risk or off track for a unit, the
    supervision list proposes a notice to the units responsible for the task there."""

    task = models.ForeignKey(
        "actionplans.Task", models.CASCADE, related_name="indicator_links", verbose_name=_("任务")
    )
    indicator = models.ForeignKey(
        "actionplans.Indicator", models.CASCADE, related_name="task_links", verbose_name=_("指标")
    )

    class Meta:
        ordering = ["task", "indicator__position"]
        verbose_name = _("任务关联指标")
        verbose_name_plural = _("任务关联指标")
        constraints = [models.UniqueConstraint(fields=["task", "indicator"], name="taskindicator_unique")]

    def __str__(self) -> str:
        return f"{self.task.code} → {self.indicator.code}"


class ProgressReport(WorkflowReport):
    """进展报送: one assignment's report for one period. It goes through the data workflow (draft → submitted →
    approved, or returned with a reason; ``collection.workflow``); submitted and approved reports are locked."""

    assignment = models.ForeignKey(
        Assignment, models.CASCADE, related_name="reports", verbose_name=_("任务分工")
    )
    period = models.CharField(_("期间"), max_length=8, db_index=True)
    progress = models.CharField(
        _("进展状态"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    narrative = models.TextField(_("进展情况"), blank=True)
    milestones_met = models.ManyToManyField(
        Milestone, blank=True, related_name="reports", verbose_name=_("本期完成的节点")
    )
    override_reason = models.TextField(
        _("与下级汇总不一致的说明"),
        blank=True,
        help_text=_("已分解的任务：报送的进展与区县、部门报告的汇总不一致时，须说明理由"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["assignment", "period"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period"], name="progressreport_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:report", kwargs={"pk": self.assignment_id, "period": self.period})

    # scope checks (accounts.permissions) place an object by these two
    @property
    def org_unit(self):
        return self.assignment.org_unit

    @property
    def responsible_unit_id(self):
        return self.assignment.responsible_unit_id


class ProgressEvent(WorkflowEvent):
    """What happened to a progress report, in order (the audit trail holds the same, hash-chained)."""

    report = models.ForeignKey(
        ProgressReport, models.CASCADE, related_name="events", verbose_name=_("进展报告")
    )

    class Meta:
        ordering = ["report", "at", "pk"]
        verbose_name = _("进展报告记录")
        verbose_name_plural = _("进展报告记录")

    def __str__(self) -> str:
        return f"{self.report} · {self.get_action_display()}"


class SupervisionNotice(models.Model):
    """督办单: a leading group's office tells a unit what is wrong with an assignment, what to do and by when.
    The unit signs for it (签收), answers (反馈) before the deadline; unanswered past it, the daily job escalates
    it. The province's office issues notices on any share; a city's office (``issuer_unit``: its city) on the
    parts of its city's share, numbered in a series of its own."""

    plan = models.ForeignKey("actionplans.Plan", models.PROTECT, verbose_name=_("行动计划"))
    issuer_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发机关（市）"),
        help_text=_("空：省领导小组办公室签发"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="notices", verbose_name=_("任务分工")
    )
    title = models.CharField(_("标题"), max_length=200)
    issue = models.TextField(_("存在问题"))
    required_action = models.TextField(_("督办要求"))
    deadline = models.DateField(_("反馈时限"))
    figures = models.JSONField(_("相关指标数据"), default=list, blank=True)
    # a 5G application's security risk not remedied by its deadline, turned into a notice (转为督办单)
    risk = models.ForeignKey(
        "security.Risk",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("安全风险"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_at = models.DateTimeField(_("签发时间"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_comment = models.TextField(_("办结意见"), blank=True)

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "serial"],
                condition=Q(issuer_unit__isnull=True),
                name="notice_unique_number",
            ),
            models.UniqueConstraint(
                fields=["plan", "issuer_unit", "year", "serial"],
                condition=Q(issuer_unit__isnull=False),
                name="notice_unique_city_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:notice", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        """发文字号, e.g. 陕5G督〔2023〕3号: the prefix comes from the plan file's ``supervision`` section; a city's
        office numbers its own series (西安5G督〔2023〕1号)."""
        return f"{notice_prefix(self.plan, self.issuer_unit)}〔{self.year}〕{self.serial}号"

    @property
    def issuer(self) -> str:
        """发文机关: the plan file's (the province's office) or the city's leading group's office."""
        return notice_issuer(self.plan, self.issuer_unit)

    @property
    def org_unit(self):
        return self.assignment.org_unit

    @property
    def responsible_unit_id(self):
        return self.assignment.responsible_unit_id


def notice_prefix(plan, issuer_unit=None) -> str:
    """The number's prefix: the plan file's for the province's notices; for a city's, the city's short name
    before the province's prefix without its one-character province abbreviation (陕5G督 → 西安5G督): Yangfan's
    convention, the plan sets none for cities."""
    from yangfan.supervision.selectors import supervision_rules

    prefix = supervision_rules(plan).notice_prefix or "督"
    if issuer_unit is None:
        return prefix
    return issuer_unit.name.removesuffix("市") + (prefix[1:] if len(prefix) > 1 else prefix)


def notice_issuer(plan, issuer_unit=None) -> str:
    from yangfan.supervision.selectors import supervision_rules

    if issuer_unit is None:
        return supervision_rules(plan).issuer or "领导小组办公室"
    return f"{issuer_unit.name}5G应用推广领导小组办公室"


class NoticeAnswer(models.Model):
    """反馈: a unit's answer to a notice, numbered within it (反馈1, 反馈2…)."""

    notice = models.ForeignKey(
        SupervisionNotice, models.CASCADE, related_name="answers", verbose_name=_("督办单")
    )
    serial = models.PositiveSmallIntegerField(_("反馈序号"))
    text = models.TextField(_("反馈内容"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    answered_at = models.DateTimeField(_("反馈时间"))

    class Meta:
        ordering = ["notice", "serial"]
        verbose_name = _("督办反馈")
        verbose_name_plural = _("督办反馈")
        constraints = [
            models.UniqueConstraint(fields=["notice", "serial"], name="noticeanswer_unique_serial")
        ]

    def __str__(self) -> str:
        return f"{self.notice.number} 反馈{self.serial}"

    @property
    def org_unit(self):
        return self.notice.assignment.org_unit

    @property
    def responsible_unit_id(self):
        return self.notice.assignment.responsible_unit_id


class Evidence(models.Model):
    """佐证材料: a file attached to a progress report or a notice's answer. The file is stored once under the
    data directory (outside the web root) by its SHA-256, recognised by content, and served only through
    ``supervision:evidence`` to users who may read what it is attached to."""

    report = models.ForeignKey(
        ProgressReport,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("进展报告"),
    )
    answer = models.ForeignKey(
        NoticeAnswer,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("督办反馈"),
    )
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, answer__isnull=True)
                | Q(report__isnull=True, answer__isnull=False),
                name="evidence_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:evidence", kwargs={"pk": self.pk})

    @property
    def path(self) -> Path:
        from yangfan.supervision.evidence import stored_path

        return stored_path(self.sha256)

    @property
    def assignment(self) -> Assignment:
        return self.report.assignment if self.report_id else self.answer.notice.assignment


class EvaluationRun(models.Model):
    """A published evaluation (评估结果): the ranking of one period as it was computed and published, kept
    unchanged (a later publication of the same period is a new run and the latest is the one shown). The
    province's ranks its departments and cities; a city's (``org_unit``) the counties and departments its office
    gave parts of the city's share to."""

    plan = models.ForeignKey("actionplans.Plan", models.PROTECT, verbose_name=_("行动计划"))
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估范围（市）"),
        help_text=_("空：全省排名"),
    )
    period = models.CharField(_("期间"), max_length=8)
    scheme_version = models.CharField(_("评分方案版本"), max_length=32)
    as_of = models.DateField(_("评估基准日"))
    rows = models.JSONField(_("评分结果"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")

    def __str__(self) -> str:
        return f"{self.plan} {self.period}（{self.scheme_version}）"
