"""Demo security assessments for ``yangfan init --demo``: generated from a seed, every assessment's conclusion and
every risk's description saying 演示数据, every risk's title ending in “（演示）”. None of it is a real assessment
of a real application.

The demo registries' applications (their names end in “（演示）”) are assessed against the published questionnaire
(version 1, loaded by the migration ``security/0002_questionnaire_v1``): self-assessments and third-party ones at
every stage of the life cycle, most submitted with their answers and scores (``core.security.assessment_score``),
some drafts, some older than a year (so the 扬帆监测口径 coverage is neither none nor all); the findings are risks of
every level, many remedied or closed, some accepted, and some high ones open past their deadline (so the overview
and the supervision list have overdue remediations to show).

The dates are counted back from the day the demo is loaded (``today``), so that what is current, open or overdue
reads the same whenever the demo is made: the same seed and the same day give the same rows.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record_many
from yangfan.core.security import assessment_score, risk_level
from yangfan.security.choices import (
    Answer,
    AssessmentKind,
    AssessmentStatus,
    LifeStage,
    RiskStatus,
)
from yangfan.security.models import Assessment, AssessmentAnswer, Question, Questionnaire, Risk

SEED = 20220411
DEMO = "（演示）"
REMARK = "演示数据（生成，非真实评估）"
BODY_NAME = "陕西5G应用安全评测中心（演示）"
# how the demo answers: mostly met, some partly, a few not met (each a finding), now and then not applicable
ANSWER_WEIGHTS = ((Answer.MET, 62), (Answer.PARTLY, 20), (Answer.NOT_MET, 12), (Answer.NOT_APPLICABLE, 6))
STAGES = (
    LifeStage.PLANNING,
    LifeStage.DEVELOPMENT,
    LifeStage.DEPLOYMENT,
    LifeStage.OPERATION,
    LifeStage.OPERATION,
    LifeStage.CHANGE,
)


def _body(actor, units: dict):
    """A registered evaluation body able to assess 5G applications, for the third-party assessments: one the
    registries' demo registered, or a demo one of its own."""
    from yangfan.registries.models import EvaluationBody

    found = (
        EvaluationBody.objects.filter(does_assessment=True, retired_on__isnull=True).order_by("pk").first()
    )
    if found is not None or "610100" not in units:
        return found
    return EvaluationBody.objects.create(
        org_unit=units["610100"],
        name=BODY_NAME,
        does_assessment=True,
        qualifications="5G应用安全评估（演示）",
        recognised_on=date(2021, 6, 1),
        remark=REMARK,
        created_by=actor,
    )


def _noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@transaction.atomic
def demo_security_load(*, actor=None, today: date | None = None) -> dict[str, int]:
    """Load the demo assessments and risks unless there are assessments already (a second run adds nothing), for
    the demo applications; nothing without a published questionnaire or without demo applications."""
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.models import ApplicationCase

    if Assessment.objects.exists():
        return {}
    questionnaire = Questionnaire.objects.filter(published_at__isnull=False).order_by("-version").first()
    cases = list(
        ApplicationCase.objects.filter(name__endswith=DEMO)
        .select_related("org_unit", "sector")
        .order_by("pk")
    )
    if questionnaire is None or not cases:
        return {}
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    questions = list(Question.objects.filter(questionnaire=questionnaire).order_by("position", "code"))
    units = {u.code: u for u in OrgUnit.objects.filter(code="610100")}
    body = _body(actor, units)

    plans: list[tuple[object, dict]] = []  # (case, what to make of it)
    for case in cases:
        if not case.sector.key_industry and rng.random() < 0.5:
            continue  # about half the other sectors' applications are assessed at all
        roll = rng.random()
        if roll < 0.12:
            continue  # never assessed
        third = body is not None and rng.random() < 0.35
        if roll < 0.27:  # assessed long ago only: not current
            on = today - timedelta(days=rng.randint(380, 720))
        else:
            on = today - timedelta(days=rng.randint(5, 340))
        plans.append((case, {"on": on, "third": third, "draft": rng.random() < 0.1}))
        if rng.random() < 0.2:  # a re-assessment at a later stage still being drafted
            plans.append(
                (case, {"on": today - timedelta(days=rng.randint(1, 20)), "third": False, "draft": True})
            )

    assessments: list[Assessment] = []
    answer_plans: list[list[tuple[Question, str]]] = []
    for case, plan in plans:
        answers = [(q, rng.choices(*zip(*ANSWER_WEIGHTS, strict=True))[0]) for q in questions]
        if plan["draft"]:
            answers = answers[: rng.randint(0, len(answers))]  # a draft is answered part of the way
        score = None if plan["draft"] else assessment_score((q.weight, a) for q, a in answers)
        kind = AssessmentKind.THIRD_PARTY if plan["third"] else AssessmentKind.SELF
        assessments.append(
            Assessment(
                org_unit=case.org_unit,
                case=case,
                stage=rng.choice(STAGES),
                kind=kind,
                body=body if plan["third"] else None,
                questionnaire=questionnaire,
                assessed_on=plan["on"],
                summary=f"演示数据：{case.name}的{'第三方评估' if plan['third'] else '自评估'}结论。",
                status=AssessmentStatus.DRAFT if plan["draft"] else AssessmentStatus.SUBMITTED,
                score=score,
                created_by=actor,
                submitted_at=None if plan["draft"] else _noon(plan["on"]),
            )
        )
        answer_plans.append(answers)
    Assessment.objects.bulk_create(assessments)
    assessments = list(Assessment.objects.filter(case__in=[c for c, _p in plans]).order_by("pk"))

    answers = [
        AssessmentAnswer(
            assessment=assessment,
            question=question,
            answer=answer,
            evidence="演示证据材料" if answer != Answer.NOT_APPLICABLE else "",
            note="" if answer == Answer.MET else "演示数据：整改中",
        )
        for assessment, given in zip(assessments, answer_plans, strict=True)
        for question, answer in given
    ]
    AssessmentAnswer.objects.bulk_create(answers)

    risks: list[Risk] = []
    created_on: list[date] = []
    for assessment, given in zip(assessments, answer_plans, strict=True):
        if assessment.status != AssessmentStatus.SUBMITTED:
            continue
        for question, answer in given:
            if answer != Answer.NOT_MET or rng.random() < 0.3:
                continue
            likelihood, impact = rng.randint(1, 5), rng.randint(2, 5)
            registered = min(assessment.assessed_on + timedelta(days=rng.randint(1, 7)), today)
            deadline = registered + timedelta(days=rng.choice((30, 60, 90)))
            status, remediated, closed = RiskStatus.OPEN, None, None
            if deadline < today:
                fate = rng.random()
                if deadline < today - timedelta(days=180):  # long past: mostly dealt with, a few still open
                    fate *= 0.7
                if fate < 0.55:  # remedied, most of them closed at re-assessment
                    remediated = min(registered + timedelta(days=rng.randint(10, 110)), today)
                    status = RiskStatus.REMEDIATED
                    if rng.random() < 0.75 and remediated + timedelta(days=20) <= today:
                        status, closed = RiskStatus.CLOSED, remediated + timedelta(days=rng.randint(5, 20))
                elif fate < 0.65:
                    status = RiskStatus.ACCEPTED
            risks.append(
                Risk(
                    org_unit=assessment.org_unit,
                    assessment=assessment,
                    question=question,
                    title=f"{question.code} 未落实：{question.text[:24]}…{DEMO}",
                    description=f"{REMARK}。评估发现：{question.text}",
                    likelihood=likelihood,
                    impact=impact,
                    level=risk_level(likelihood, impact),
                    owner=f"{assessment.case.enterprise.removesuffix(DEMO)}安全负责人（演示）",
                    remediation=f"按问题 {question.code} 的要求完善措施并提供：{question.evidence or '相关证据'}",
                    deadline=deadline,
                    reassess_on=deadline + timedelta(days=30),
                    status=status,
                    response="演示数据：已按要求完成整改。" if remediated else "",
                    remediated_on=remediated,
                    closed_on=closed,
                    closing_note="演示数据：复评确认整改到位。" if closed else "",
                    created_by=actor,
                )
            )
            created_on.append(registered)
    Risk.objects.bulk_create(risks)
    risks = list(Risk.objects.filter(assessment__in=assessments).order_by("pk"))
    for risk, registered in zip(risks, created_on, strict=True):  # registered on its day, not the load's
        Risk.objects.filter(pk=risk.pk).update(created_at=_noon(registered))
    audit_record_many(
        [{"action": AuditAction.CREATE, "obj": a, "detail": "演示数据：5G应用安全评估"} for a in assessments]
        + [{"action": AuditAction.CREATE, "obj": r, "detail": "演示数据：安全风险"} for r in risks],
        actor=actor,
    )
    return {"assessments": len(assessments), "answers": len(answers), "risks": len(risks)}
