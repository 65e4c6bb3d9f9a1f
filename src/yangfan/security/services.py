"""Writes of the security assessment: questionnaire versions, assessments and their answers, and the risk register.

Each checks who may do it first (``accounts.permissions``: a refusal is recorded in the audit trail, outside the
write's transaction so that it stays there), then writes in one transaction and leaves its audit entry, whether it
comes from a page, the API, the command line or a test. Bad input raises ``ValidationError`` naming the field (in
Chinese) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, require
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record, model_changes, snapshot
from yangfan.core.security import assessment_score
from yangfan.security.choices import Answer, AssessmentStatus, RiskStatus
from yangfan.security.models import Assessment, AssessmentAnswer, Question, Questionnaire, Risk
from yangfan.security.selectors import may_record_risk, questionnaire_current, unanswered_codes

QUESTION_FIELDS = ("code", "area", "text", "weight", "evidence", "position")
ASSESSMENT_FIELDS = (
    "org_unit",
    "case",
    "vpn",
    "stage",
    "kind",
    "body",
    "questionnaire",
    "assessed_on",
    "summary",
    "status",
    "score",
    "submitted_at",
)
RISK_FIELDS = (
    "org_unit",
    "assessment",
    "question",
    "title",
    "description",
    "likelihood",
    "impact",
    "level",
    "owner",
    "remediation",
    "deadline",
    "reassess_on",
    "status",
    "response",
    "remediated_on",
    "closed_on",
    "closing_note",
)


# -- questionnaire versions ------------------------------------------------------------------------------------------


def _frozen_error(questionnaire: Questionnaire) -> ValidationError:
    return ValidationError(
        _("第%(v)s版问卷已于%(d)s发布，不能再修改；如需调整，请新建版本。")
        % {
            "v": questionnaire.version,
            "d": timezone.localtime(questionnaire.published_at).strftime("%Y-%m-%d"),
        }
    )


def _locked_draft(questionnaire: Questionnaire) -> Questionnaire:
    """``questionnaire`` read again under a row lock: a version published meanwhile is refused, not changed."""
    current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if current.published_at is not None:
        raise _frozen_error(current)
    return current


def questionnaire_draft_create(*, actor, request=None) -> Questionnaire:
    """A new version as a draft, copied from the latest version (its title, note and every question), to be edited
    and published. One draft at a time: a second is refused while the first is unpublished."""
    require(actor, "security.configure", request=request)
    with transaction.atomic():
        latest = Questionnaire.objects.select_for_update().order_by("-version").first()
        if latest is not None and latest.published_at is None:
            raise ValidationError(
                _("第%(v)s版仍是草稿：请先修改并发布它，或在其上继续修改。") % {"v": latest.version}
            )
        draft = Questionnaire.objects.create(
            version=(latest.version + 1) if latest else 1,
            title=latest.title if latest else _("5G应用安全评估问卷"),
            note=latest.note if latest else "",
        )
        if latest is not None:
            Question.objects.bulk_create(
                Question(questionnaire=draft, **{name: getattr(q, name) for name in QUESTION_FIELDS})
                for q in latest.questions.all()
            )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=draft,
            changes=model_changes({}, snapshot(draft, ("version", "title", "note"))),
            detail=_("复制第%(v)s版") % {"v": latest.version} if latest else "",
            request=request,
        )
        return draft


def questionnaire_edit(
    *,
    actor,
    questionnaire: Questionnaire,
    title: str,
    note: str = "",
    questions: Sequence[Question] = (),
    removed: Iterable[Question] = (),
    request=None,
) -> Questionnaire:
    """Change a draft version: its title and note, the ``questions`` given (new or changed, of this version) and
    the ``removed`` ones. A published version is refused: it never changes. Codes stay unique in a version."""
    require(actor, "security.configure", request=request)
    with transaction.atomic():
        draft = _locked_draft(questionnaire)
        title = title.strip()
        if not title:
            raise ValidationError({"title": _("请填写问卷名称。")})
        asked = {q.pk for q in removed if q.pk}
        removed = list(Question.objects.filter(pk__in=asked, questionnaire=draft))  # as stored, for the trail
        if len(removed) != len(asked) or any(q.questionnaire_id != draft.pk for q in questions if q.pk):
            raise ValidationError(_("只能修改本版本的问题。"))
        gone = {q.pk for q in removed}
        kept = {
            code: pk
            for pk, code in draft.questions.exclude(pk__in=gone).values_list("pk", "code")
            if pk not in {q.pk for q in questions}
        }
        for question in questions:
            question.questionnaire = draft
            question.code = question.code.strip()
            question.full_clean(exclude=["questionnaire"], validate_unique=False, validate_constraints=False)
            if question.code in kept:
                raise ValidationError({"code": _("编号 %(code)s 在本版本中重复。") % {"code": question.code}})
            kept[question.code] = question.pk
        before = snapshot(draft, ("title", "note"))
        draft.title, draft.note = title, note.strip()
        draft.save(update_fields=["title", "note"])
        if changes := model_changes(before, snapshot(draft, ("title", "note"))):
            audit_record(action=AuditAction.UPDATE, actor=actor, obj=draft, changes=changes, request=request)
        for question in removed:
            audit_record(
                action=AuditAction.DELETE,
                actor=actor,
                obj=question,
                changes=model_changes(snapshot(question, QUESTION_FIELDS), {}),
                request=request,
            )
            question.delete()
        for question in questions:
            created = question.pk is None
            old = {} if created else snapshot(Question.objects.get(pk=question.pk), QUESTION_FIELDS)
            question.save()
            changes = model_changes(old, snapshot(question, QUESTION_FIELDS))
            if changes:
                audit_record(
                    action=AuditAction.CREATE if created else AuditAction.UPDATE,
                    actor=actor,
                    obj=question,
                    changes=changes,
                    request=request,
                )
        return draft


def questionnaire_publish(*, actor, questionnaire: Questionnaire, request=None) -> Questionnaire:
    """Publish a draft: from now on new assessments answer it, and it never changes again."""
    require(actor, "security.configure", request=request)
    with transaction.atomic():
        draft = _locked_draft(questionnaire)
        if not draft.questions.exists():
            raise ValidationError(_("第%(v)s版还没有问题，不能发布。") % {"v": draft.version})
        newer = Questionnaire.objects.filter(version__gt=draft.version, published_at__isnull=False).first()
        if newer is not None:
            raise ValidationError(
                _("已有更新的第%(n)s版发布，第%(v)s版不能再发布。") % {"n": newer.version, "v": draft.version}
            )
        draft.published_at, draft.published_by = timezone.now(), actor
        draft.save(update_fields=["published_at", "published_by"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=draft,
            changes={"published_at": [None, draft.published_at.isoformat()]},
            detail=_("发布问卷"),
            request=request,
        )
        questionnaire.published_at, questionnaire.published_by = draft.published_at, actor
        return draft


# -- assessments -------------------------------------------------------------------------------------------------------


def assessment_create(
    *,
    actor,
    stage: str,
    kind: str,
    assessed_on: date,
    case=None,
    vpn=None,
    body=None,
    summary: str = "",
    request=None,
) -> Assessment:
    """Start an assessment of one application (a case of the 5G应用仓库 or an industry VPN) at a stage of its life
    cycle, against the latest published questionnaire, placed at the application's unit. Who: whoever may assess the
    application (its own enterprise, the offices whose capture scope it is in). A third-party assessment names a
    registered evaluation body able to assess 5G applications and not retired on the day."""
    if bool(case) == bool(vpn):
        raise ValidationError({"case": _("请选择一个应用案例或一个行业虚拟专网（二者选一）。")})
    application = case or vpn
    assessment = Assessment(
        org_unit=application.org_unit,
        case=case,
        vpn=vpn,
        stage=stage,
        kind=kind,
        body=body,
        assessed_on=assessed_on,
        summary=summary.strip(),
        created_by=actor,
    )
    require(actor, "security.assess", assessment, request=request)
    if body is not None and body.retired_on is not None and body.retired_on <= assessed_on:
        raise ValidationError(
            {"body": _("评估机构“%(b)s”已于%(d)s注销。") % {"b": body, "d": body.retired_on.isoformat()}}
        )
    with transaction.atomic():
        questionnaire = questionnaire_current()
        if questionnaire is None:
            raise ValidationError(_("还没有已发布的评估问卷，请省级管理员先发布问卷。"))
        assessment.questionnaire = questionnaire
        assessment.full_clean(exclude=["created_by", "score"])
        assessment.save()
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=assessment,
            changes=model_changes({}, snapshot(assessment, ASSESSMENT_FIELDS)),
            request=request,
        )
        return assessment


@dataclass(frozen=True)
class AnswerInput:
    """What is given for one question: the answer (``""``: none yet), the evidence and a note."""

    answer: str = ""
    evidence: str = ""
    note: str = ""


def _locked_assessment(assessment: Assessment) -> Assessment:
    """``assessment`` read again under a row lock: a submitted one is read-only."""
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if current.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("评估已提交，不能再修改。"))
    return current


def assessment_answers_save(
    *, actor, assessment: Assessment, answers: Mapping[int, AnswerInput], request=None
) -> dict[str, list]:
    """Save the answers of a draft assessment (by question id): an answer given is stored or changed, an answer
    taken back (``""``) removed. Evidence or a note given without an answer is refused, naming the question: nothing
    typed is lost silently. Returns the changes, by question code."""
    require(actor, "security.assess", assessment, request=request)
    with transaction.atomic():
        current = _locked_assessment(assessment)
        questions = {q.pk: q for q in Question.objects.filter(questionnaire_id=current.questionnaire_id)}
        strangers = set(answers) - set(questions)
        if strangers:
            raise ValidationError(_("答复的问题不属于本次评估所用的问卷版本。"))
        orphans = [
            questions[pk].code
            for pk, given in answers.items()
            if not given.answer and (given.evidence.strip() or given.note.strip())
        ]
        if orphans:
            raise ValidationError(
                _("请为 %(codes)s 选择符合情况（已填写证据或说明）。") % {"codes": "、".join(orphans)}
            )
        unknown = [
            questions[pk].code for pk, g in answers.items() if g.answer and g.answer not in Answer.values
        ]
        if unknown:
            raise ValidationError(_("%(codes)s 的符合情况无效。") % {"codes": "、".join(unknown)})
        stored = {a.question_id: a for a in AssessmentAnswer.objects.filter(assessment=current)}
        changes: dict[str, list] = {}
        for pk, given in answers.items():
            code, row = questions[pk].code, stored.get(pk)
            old = [row.answer, row.evidence, row.note] if row else None
            if not given.answer:
                if row is not None:
                    row.delete()
                    changes[code] = [old, None]
                continue
            new = [given.answer, given.evidence.strip(), given.note.strip()]
            if old == new:
                continue
            if row is None:
                AssessmentAnswer.objects.create(
                    assessment=current, question_id=pk, answer=new[0], evidence=new[1], note=new[2]
                )
            else:
                row.answer, row.evidence, row.note = new
                row.save(update_fields=["answer", "evidence", "note"])
            changes[code] = [old, new]
        if changes:
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=current,
                changes=changes,
                detail=_("保存评估答复"),
                request=request,
            )
        return changes


def assessment_submit(*, actor, assessment: Assessment, request=None) -> Assessment:
    """Submit a draft: every question of its version must be answered (the codes still unanswered are named); the
    score is the core's (``core.security.assessment_score``) of the stored answers. Read-only afterwards."""
    require(actor, "security.assess", assessment, request=request)
    with transaction.atomic():
        current = _locked_assessment(assessment)
        missing = unanswered_codes(current)
        if missing:
            raise ValidationError(
                _("还有 %(n)d 个问题未答复：%(codes)s。") % {"n": len(missing), "codes": "、".join(missing)}
            )
        pairs = AssessmentAnswer.objects.filter(assessment=current).values_list("question__weight", "answer")
        current.score = assessment_score(pairs)
        current.status = AssessmentStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.save(update_fields=["score", "status", "submitted_at"])
        audit_record(
            action=AuditAction.SUBMIT,
            actor=actor,
            obj=current,
            changes={
                "status": [AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED],
                "score": [None, None if current.score is None else str(current.score)],
            },
            request=request,
        )
        assessment.score, assessment.status, assessment.submitted_at = (
            current.score,
            current.status,
            current.submitted_at,
        )
        return current


# -- the risk register ---------------------------------------------------------------------------------------------------


def risk_create(
    *,
    actor,
    assessment: Assessment,
    title: str,
    likelihood: int,
    impact: int,
    owner: str,
    remediation: str,
    deadline: date | None,
    question: Question | None = None,
    description: str = "",
    reassess_on: date | None = None,
    request=None,
) -> Risk:
    """Record a finding of ``assessment`` as a risk of its application, its level from likelihood × impact
    (``core.security.risk_level``). A risk must have an owner (整改责任人), a remediation and a deadline; a refusal
    names the missing field and writes nothing. Who: ``selectors.may_record_risk``."""
    if not may_record_risk(actor, assessment):
        deny(actor, "security.assess", assessment, request=request)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写风险名称。")
    if not (owner or "").strip():
        errors["owner"] = _("请填写整改责任人。")
    if not (remediation or "").strip():
        errors["remediation"] = _("请填写整改措施。")
    if deadline is None:
        errors["deadline"] = _("请填写整改时限。")
    for name, value, label in (("likelihood", likelihood, _("可能性")), ("impact", impact, _("影响程度"))):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("%(label)s应为1–5之间的整数。") % {"label": label}
    if question is not None and question.questionnaire_id != assessment.questionnaire_id:
        errors["question"] = _("所选问题不属于本次评估所用的问卷版本。")
    if errors:
        raise ValidationError(errors)
    risk = Risk(
        org_unit_id=assessment.org_unit_id,
        assessment=assessment,
        question=question,
        title=title.strip(),
        description=(description or "").strip(),
        likelihood=likelihood,
        impact=impact,
        owner=owner.strip(),
        remediation=remediation.strip(),
        deadline=deadline,
        reassess_on=reassess_on,
        created_by=actor,
    )
    risk.full_clean(exclude=["created_by", "level"])
    with transaction.atomic():
        risk.save()
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=risk,
            changes=model_changes({}, snapshot(risk, RISK_FIELDS)),
            request=request,
        )
        return risk


def _locked_risk(risk: Risk, allowed: Sequence[str]) -> Risk:
    """``risk`` read again under a row lock, refused unless its status is one of ``allowed``."""
    current = Risk.objects.select_for_update().get(pk=risk.pk)
    if current.status not in allowed:
        raise ValidationError(
            _("风险当前状态为“%(s)s”，不能进行此操作。") % {"s": current.get_status_display()}
        )
    return current


def _risk_update(actor, risk: Risk, current: Risk, request, *, detail: str = "", action=AuditAction.UPDATE):
    """Save ``current`` and record what changed; ``risk`` (the caller's copy) follows."""
    before = snapshot(Risk.objects.get(pk=current.pk), RISK_FIELDS)
    current.save()
    audit_record(
        action=action,
        actor=actor,
        obj=current,
        changes=model_changes(before, snapshot(current, RISK_FIELDS)),
        detail=detail,
        request=request,
    )
    for name in (*RISK_FIELDS, "updated_at"):
        setattr(risk, name, getattr(current, name))
    return current


def risk_respond(
    *, actor, risk: Risk, response: str, remediated_on: date | None = None, request=None
) -> Risk:
    """The owner's answer (整改情况): what was done; with the day remediation was completed, the risk is remedied
    and awaits re-assessment (已整改待复评). Who: whoever may assess the application (its enterprise, the offices)."""
    require(actor, "security.assess", risk, request=request)
    if not (response or "").strip():
        raise ValidationError({"response": _("请填写整改情况。")})
    today = timezone.localdate()
    if remediated_on is not None and remediated_on > today:
        raise ValidationError({"remediated_on": _("整改完成日期不能晚于今天。")})
    with transaction.atomic():
        current = _locked_risk(risk, (RiskStatus.OPEN, RiskStatus.REMEDIATED))
        if remediated_on is not None and remediated_on < current.created_at.date():
            raise ValidationError({"remediated_on": _("整改完成日期不能早于风险登记日期。")})
        current.response = response.strip()
        if remediated_on is not None:
            current.remediated_on = remediated_on
            current.status = RiskStatus.REMEDIATED
        return _risk_update(actor, risk, current, request, detail=_("反馈整改情况"))


def risk_close(*, actor, risk: Risk, note: str, request=None) -> Risk:
    """Close a remedied risk once the re-assessment confirms the remediation, with the office's note. Who: the
    offices keeping the register (``security.manage``)."""
    require(actor, "security.manage", risk, request=request)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写关闭意见（复评结论）。")})
    with transaction.atomic():
        current = Risk.objects.select_for_update().get(pk=risk.pk)
        if current.status == RiskStatus.OPEN:
            raise ValidationError(
                _("风险尚未整改（待整改），不能关闭：请等待整改反馈，或接受风险、延长整改时限。")
            )
        if current.status != RiskStatus.REMEDIATED:
            raise ValidationError(
                _("风险当前状态为“%(s)s”，不能进行此操作。") % {"s": current.get_status_display()}
            )
        current.status, current.closed_on, current.closing_note = (
            RiskStatus.CLOSED,
            timezone.localdate(),
            note.strip(),
        )
        return _risk_update(actor, risk, current, request, detail=_("复评通过，关闭风险"))


def risk_accept(*, actor, risk: Risk, reason: str, request=None) -> Risk:
    """Accept a risk that will not be remedied (its cost outweighs it, a compensating measure covers it), with the
    reason. Who: the offices keeping the register."""
    require(actor, "security.manage", risk, request=request)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写接受风险的理由。")})
    with transaction.atomic():
        current = _locked_risk(risk, (RiskStatus.OPEN, RiskStatus.REMEDIATED))
        current.status, current.closed_on, current.closing_note = (
            RiskStatus.ACCEPTED,
            timezone.localdate(),
            reason.strip(),
        )
        return _risk_update(actor, risk, current, request, detail=_("接受风险"))


def risk_deadline_extend(
    *, actor, risk: Risk, deadline: date, reason: str, reassess_on: date | None = None, request=None
) -> Risk:
    """Extend the deadline of an open risk, with the reason (kept in the audit trail with the old and new dates).
    The re-assessment date moves with it when given, and may not fall before the new deadline. Who: the offices."""
    require(actor, "security.manage", risk, request=request)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("请填写延期理由。")
    if deadline is None:
        errors["deadline"] = _("请填写新的整改时限。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked_risk(risk, (RiskStatus.OPEN,))
        if deadline <= current.deadline:
            raise ValidationError(
                {"deadline": _("新的整改时限应晚于原时限（%(d)s）。") % {"d": current.deadline.isoformat()}}
            )
        current.deadline = deadline
        if reassess_on is not None:
            current.reassess_on = reassess_on
        if current.reassess_on is not None and current.reassess_on < deadline:
            raise ValidationError({"reassess_on": _("复评日期不应早于整改时限，请一并调整复评日期。")})
        return _risk_update(
            actor, risk, current, request, detail=_("延长整改时限：%(r)s") % {"r": reason.strip()}
        )


__all__ = [
    "AnswerInput",
    "assessment_answers_save",
    "assessment_create",
    "assessment_submit",
    "questionnaire_draft_create",
    "questionnaire_edit",
    "questionnaire_publish",
    "risk_accept",
    "risk_close",
    "risk_create",
    "risk_deadline_extend",
    "risk_respond",
]
