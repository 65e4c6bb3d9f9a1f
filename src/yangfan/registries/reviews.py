"""Expert review (专家评审) as one piece of machinery: the rules an assigned expert's review follows, whatever is
reviewed. 标杆评选 (``registries.selection``: scores per criterion on a benchmark application) and 定性目标评估
(``goals.services``: an opinion on a qualitative goal's verdict) both call these, so that the conflict rules are
written once.

A review names its ``reviewer`` and holds ``conflict`` (``None`` until declared), ``conflict_note``,
``submitted_at`` and what the expert gave (scores, an opinion), with a ``scored`` property: whether a submitted
score or opinion stands. The rules:

- only the assigned expert reviews, and only with the ``benchmarks.review`` permission (a refusal is audited,
  before any transaction, so that it stays in the trail);
- the expert declares a conflict of interest (回避, with what it is) or none, in the same submission as the score
  or opinion; a declared conflict is final: no score or opinion follows it;
- a score or opinion stands until the expert withdraws it, saying why; only then may a conflict be declared, so
  that a conflict found afterwards leaves a trace of what it cancels (the trail keeps the withdrawn score and the
  reason).

What the caller keeps to itself: when its reviews are open (a call under review, a verdict still a draft) and
what a valid score or opinion is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yangfan.accounts.permissions import deny, require
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict
from yangfan.audit.services import audit_record

# what an expert gives, as the messages name it
SCORE = gettext_lazy("评分")
OPINION = gettext_lazy("意见")


def review_check_reviewer(actor, review, reviewed, *, request=None) -> None:
    """Refuse (audited) anyone but the assigned expert; ``reviewed`` is what the refusal is recorded against."""
    if review.reviewer_id != getattr(actor, "pk", None):
        deny(actor, "benchmarks.review", reviewed, request=request)
    require(actor, "benchmarks.review", request=request)


def review_declaration(review, *, conflict: bool, conflict_note: str, given: Promise = SCORE) -> str:
    """Check the declaration part of a submission against the review as it stands; the note, cleaned. Nothing is
    changed when it is refused."""
    note = conflict_note.strip()
    if review.conflict and not conflict:
        raise ValidationError(_("您已声明利益冲突（回避），不能再给出%(given)s。") % {"given": given})
    if conflict:
        if review.scored:
            raise ValidationError(
                _("您已提交%(given)s，不能直接声明利益冲突：请先撤回%(given)s并说明原因，再声明回避。")
                % {"given": given}
            )
        if not note:
            raise ValidationError(_("请说明利益冲突的情况。"))
    return note


def _review_lock(review) -> None:
    """Read ``review`` again with its row locked; refuse with ``Conflict`` when its declaration or submission
    changed since the caller checked it (the same expert in a second window: a conflict declared there while a
    score is sent here), so that what was checked is what is written and what the trail calls "before"."""
    seen = (review.conflict, review.submitted_at)
    review.refresh_from_db(from_queryset=type(review).objects.select_for_update())
    if (review.conflict, review.submitted_at) != seen:
        raise Conflict(_("该评审刚在别处提交、撤回或声明了回避，您的操作未执行；请刷新后再试。"))


def review_store(
    *,
    actor,
    review,
    conflict: bool,
    conflict_note: str,
    given: Mapping[str, Any],
    audited: tuple[str, ...],
    request=None,
):
    """Save a checked submission: the declaration, what was given (``given``: field → value, empty values when a
    conflict is declared) and the time; the trail records the declaration and the ``audited`` fields before and
    after."""
    with transaction.atomic():
        _review_lock(review)
        before = {"conflict": review.conflict, **{name: getattr(review, name) or None for name in audited}}
        review.conflict, review.conflict_note = bool(conflict), conflict_note
        for name, value in given.items():
            setattr(review, name, value)
        review.submitted_at = timezone.now()
        review.save()
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=review,
            changes={name: [value, getattr(review, name)] for name, value in before.items()},
            request=request,
        )
    return review


def review_withdraw_given(
    *, actor, review, reason: str, cleared: Mapping[str, Any], given: Promise = SCORE, request=None
):
    """The assigned expert takes back a submitted score or opinion (``cleared``: field → its empty value), saying
    why. The review is pending again; the trail keeps what was withdrawn and the reason. The caller has checked who
    and when (:func:`review_check_reviewer`)."""
    if not review.scored:
        raise ValidationError(_("该评审尚未提交%(given)s，没有可撤回的%(given)s。") % {"given": given})
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请说明撤回%(given)s的原因。") % {"given": given})
    with transaction.atomic():
        _review_lock(review)
        withdrawn = {name: getattr(review, name) for name in cleared}
        for name, value in cleared.items():
            setattr(review, name, value)
        review.conflict, review.submitted_at = None, None
        review.save(update_fields=["conflict", "submitted_at", *cleared])
        audit_record(
            action=AuditAction.WITHDRAW,
            actor=actor,
            obj=review,
            changes={name: [value, None] for name, value in withdrawn.items()},
            detail=reason,
            request=request,
        )
    return review
