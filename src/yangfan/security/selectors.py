"""Reads of the security assessment, filtered by the reader's scope at the source (``restrict`` with
``security.view``): the questionnaire versions, the assessments and the risk register, with the filters the pages
share. A list reads only the rows of the page shown: every relation a row displays is joined, never fetched per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from yangfan.accounts.permissions import may, org_units_in_scope, restrict, tree_links
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.orgunits.selectors import covered_unit_ids
from yangfan.security.choices import (
    Area,
    AssessmentKind,
    AssessmentStatus,
    LifeStage,
    RiskLevel,
    RiskStatus,
)
from yangfan.security.models import Assessment, AssessmentAnswer, Question, Questionnaire, Risk

VIEW = "security.view"
# a risk still to be dealt with: not remedied yet, or remedied and awaiting the re-assessment that closes it
UNRESOLVED = (RiskStatus.OPEN, RiskStatus.REMEDIATED)


class BadFilter(ValueError):
    """A filter value the lists cannot read (an unknown city, stage or level), with the message the page shows."""


# -- questionnaires ---------------------------------------------------------------------------------------------


def questionnaire_current() -> Questionnaire | None:
    """The latest published version: the one every new assessment answers."""
    return Questionnaire.objects.filter(published_at__isnull=False).order_by("-version").first()


def questionnaire_list() -> QuerySet[Questionnaire]:
    """Every version, newest first, with how many questions it has and how many assessments were made against it."""
    return Questionnaire.objects.annotate(
        question_count=Count("questions", distinct=True),
        assessment_count=Count("assessments", distinct=True),
    ).order_by("-version")


@dataclass
class AreaGroup:
    """The questions of one area, in order, each with its answer where one is given (an assessment's page)."""

    area: str
    label: str
    rows: list = field(default_factory=list)

    @property
    def weight(self) -> int:
        return sum(row[0].weight for row in self.rows)


def questions_by_area(questionnaire: Questionnaire, answers: Mapping[int, AssessmentAnswer] | None = None):
    """The questions of ``questionnaire`` grouped by area in the areas' order: ``AreaGroup`` with rows of
    (question, its answer or ``None``). One query (two with the answers given by the caller)."""
    groups = {value: AreaGroup(value, str(label)) for value, label in Area.choices}
    for question in questionnaire.questions.order_by("position", "code"):
        groups[question.area].rows.append((question, (answers or {}).get(question.pk)))
    return [group for group in groups.values() if group.rows]


def answers_of(assessment: Assessment) -> dict[int, AssessmentAnswer]:
    """The answers of ``assessment`` by question id (one query)."""
    return {a.question_id: a for a in AssessmentAnswer.objects.filter(assessment=assessment)}


def unanswered_codes(assessment: Assessment) -> list[str]:
    """The codes of the questions of ``assessment``'s version it has no answer to yet, in order."""
    return list(
        Question.objects.filter(questionnaire_id=assessment.questionnaire_id)
        .exclude(pk__in=AssessmentAnswer.objects.filter(assessment=assessment).values("question_id"))
        .order_by("position", "code")
        .values_list("code", flat=True)
    )


# -- filters shared by the lists ----------------------------------------------------------------------------------


def city_options(actor) -> QuerySet[OrgUnit]:
    """The cities (and units reported beside them) a list may be narrowed to: those in the reader's view scope."""
    return org_units_in_scope(actor, VIEW).filter(level=OrgUnitLevel.CITY).order_by("position", "code")


def sector_options():
    """The sectors a list may be narrowed to, as the registries offer them: (code, name in the reader's language)."""
    from yangfan.actionplans.display import localized_name
    from yangfan.actionplans.models import Sector

    seen, options = set(), []
    for sector in Sector.objects.order_by("position"):
        if sector.code not in seen:
            seen.add(sector.code)
            options.append((sector.code, localized_name(sector)))
    return options


def _cleaned(params: Mapping[str, str] | None) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (params or {}).items() if v is not None and str(v).strip()}


def _choice(get: dict, name: str, choices, label: str) -> str | None:
    value = get.get(name)
    if value is not None and value not in choices.values:
        raise BadFilter(gettext("%(label)s“%(value)s”无效。") % {"label": label, "value": value})
    return value


def _in_city(rows: QuerySet, actor, code: str, prefix: str = "") -> QuerySet:
    unit = OrgUnit.objects.filter(Q(code=code) | Q(name=code)).first()
    if unit is None:
        raise BadFilter(
            gettext("未知地区“%(org)s”：请填写地区代码（如 610100）或全称（如 西安市）。") % {"org": code}
        )
    return rows.filter(**{f"{prefix}org_unit__in": covered_unit_ids([unit.pk], links=tree_links(actor))})


def _of_sector(rows: QuerySet, code: str, prefix: str = "") -> QuerySet:
    return rows.filter(Q(**{f"{prefix}case__sector__code": code}) | Q(**{f"{prefix}vpn__sector__code": code}))


# -- assessments ---------------------------------------------------------------------------------------------------

ASSESSMENT_RELATED = (
    "org_unit",
    "case__sector",
    "vpn__sector",
    "body",
    "questionnaire",
)


def assessment_list(*, actor, params: Mapping[str, str] | None = None) -> QuerySet[Assessment]:
    """The assessments ``actor`` may read, filtered by ``params``: ``stage``, ``kind``, ``status`` (choices),
    ``city`` (a unit's code or name: it and the units counted in it), ``sector`` (a sector's code). Raises
    ``BadFilter`` for a value it cannot read."""
    rows = restrict(Assessment.objects.all(), actor, VIEW).select_related(*ASSESSMENT_RELATED)
    get = _cleaned(params)
    for name, choices, label in (
        ("stage", LifeStage, gettext("生命周期阶段")),
        ("kind", AssessmentKind, gettext("评估方式")),
        ("status", AssessmentStatus, gettext("状态")),
    ):
        if (value := _choice(get, name, choices, label)) is not None:
            rows = rows.filter(**{name: value})
    if "city" in get:
        rows = _in_city(rows, actor, get["city"])
    if "sector" in get:
        rows = _of_sector(rows, get["sector"])
    return rows.order_by("-assessed_on", "-pk")


def assessments_of(*, actor, application) -> QuerySet[Assessment]:
    """The assessments of one application (a case or an industry VPN) ``actor`` may read, newest first."""
    name = "case" if application._meta.model_name == "applicationcase" else "vpn"
    return (
        restrict(Assessment.objects.filter(**{name: application}), actor, VIEW)
        .select_related("questionnaire", "body")
        .order_by("-assessed_on", "-pk")
    )


def may_record_risk(user, assessment: Assessment) -> bool:
    """Record a finding of ``assessment`` as a risk: whoever may assess the application (its enterprise, the offices
    whose scope it is in), the enterprise on its own self-assessment only: findings on a third-party assessment are
    the assessor's, recorded by the office that keeps the register (``security.manage``)."""
    if not may(user, "security.assess", assessment):
        return False
    return assessment.kind == AssessmentKind.SELF or may(user, "security.manage", assessment)


# -- risks -----------------------------------------------------------------------------------------------------------

RISK_RELATED = (
    "org_unit",
    "question",
    "assessment__case__sector",
    "assessment__vpn__sector",
)


def risk_list(*, actor, params: Mapping[str, str] | None = None, today: date | None = None) -> QuerySet[Risk]:
    """The risk register as ``actor`` may read it, filtered by ``params``: ``level`` and ``status`` (choices),
    ``overdue`` (``1``: open and past its deadline on ``today``), ``city`` and ``sector`` as for assessments.
    Raises ``BadFilter`` for a value it cannot read."""
    today = today or timezone.localdate()
    rows = restrict(Risk.objects.all(), actor, VIEW).select_related(*RISK_RELATED)
    get = _cleaned(params)
    if (level := _choice(get, "level", RiskLevel, gettext("风险等级"))) is not None:
        rows = rows.filter(level=level)
    if (status := _choice(get, "status", RiskStatus, gettext("状态"))) is not None:
        rows = rows.filter(status=status)
    if get.get("overdue") in ("1", "true", "yes", "是"):
        rows = rows.filter(overdue_q(today))
    if "city" in get:
        rows = _in_city(rows, actor, get["city"])
    if "sector" in get:
        rows = _of_sector(rows, get["sector"], prefix="assessment__")
    return rows.order_by("deadline", "pk")


def overdue_q(today: date) -> Q:
    """Risks past their deadline on ``today`` and not yet remedied."""
    return Q(status=RiskStatus.OPEN, deadline__lt=today)


def open_risk_list(*, actor) -> QuerySet[Risk]:
    """The risks ``actor`` may read that are still to be dealt with (open, or remedied awaiting re-assessment)."""
    return risk_list(actor=actor).filter(status__in=UNRESOLVED)


def is_overdue(risk: Risk, today: date | None = None) -> bool:
    return risk.status == RiskStatus.OPEN and risk.deadline < (today or timezone.localdate())
