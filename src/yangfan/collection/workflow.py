"""The approval workflow (审核) every report follows, data (``collection.Submission``) and task progress
(``supervision.ProgressReport``) alike: draft → submitted → approved, or returned with a reason.

| action | from | to | who |
|---|---|---|---|
| submit (报送) | draft, returned | submitted | the reporting unit |
| withdraw (撤回) | submitted | draft | the same |
| approve (审核通过) | submitted | approved | one level up, not the submitter |
| return (退回) | submitted | returned | one level up, with a reason |
| unlock (解锁) | approved | returned | one level up, with a reason |

A report in a state outside ``WRITABLE`` is locked. Who may act is each report kind's business; this module
holds the states, the moves between them and the bookkeeping every move does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict
from yangfan.audit.services import audit_record
from yangfan.collection.choices import WRITABLE, SubmissionAction, SubmissionStatus

S, A = SubmissionStatus, SubmissionAction
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMIT: (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    A.WITHDRAW: (frozenset({S.SUBMITTED}), S.DRAFT),
    A.APPROVE: (frozenset({S.SUBMITTED}), S.APPROVED),
    A.RETURN: (frozenset({S.SUBMITTED}), S.RETURNED),
    A.UNLOCK: (frozenset({S.APPROVED}), S.RETURNED),
}
REPORTER_ACTIONS = frozenset({A.SUBMIT, A.WITHDRAW})
NEEDS_REASON = frozenset({A.RETURN, A.UNLOCK})
AUDIT_ACTIONS = {
    A.SUBMIT: AuditAction.SUBMIT,
    A.WITHDRAW: AuditAction.WITHDRAW,
    A.APPROVE: AuditAction.APPROVE,
    A.RETURN: AuditAction.REJECT,
    A.UNLOCK: AuditAction.UNLOCK,
}


def workflow_check(*, report, action: str, comment: str) -> str:
    """The status ``action`` moves ``report`` to, or ``ValidationError`` saying in Chinese why it cannot."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown workflow action {action!r}")
    sources, target = TRANSITIONS[action]
    if report.status not in sources:
        raise ValidationError(
            _("该报送当前为“%(status)s”，不能%(action)s。")
            % {"status": report.get_status_display(), "action": A(action).label}
        )
    if action in NEEDS_REASON and not comment.strip():
        raise ValidationError(_("请填写%(action)s的原因。") % {"action": A(action).label})
    return target


def workflow_lock(*, report, action: str) -> None:
    """Re-read ``report`` with its row locked and check ``action`` again on what is stored now: two reviewers
    who both saw 「已报送」 may both pass :func:`workflow_check`; the second to take the lock finds the first's
    step and is refused with ``Conflict`` (the state it is in now, who moved it and when). Call first thing inside
    the step's transaction. ``select_for_update`` holds the row on PostgreSQL; on SQLite it is a no-op and the
    transaction itself serialises (settings: ``transaction_mode`` IMMEDIATE takes the write lock at BEGIN)."""
    report.refresh_from_db(from_queryset=type(report).objects.select_for_update())
    report.__dict__.pop("review_action_label", None)
    sources, _target = TRANSITIONS[action]
    if report.status in sources:
        return
    who = report.reviewed_by if report.status in (S.APPROVED, S.RETURNED) else report.submitted_by
    when = report.reviewed_at if report.status in (S.APPROVED, S.RETURNED) else report.submitted_at
    raise Conflict(
        _("该报送刚被%(who)s处理（%(when)s），当前为“%(status)s”，您的“%(action)s”未执行。")
        % {
            "who": f" {who} " if who else _("他人"),
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S") if when else "—",
            "status": report.get_status_display(),
            "action": A(action).label,
        },
        status=report.status,
    )


def workflow_apply(
    *, report, action: str, actor, comment: str, event_model, event_fields: dict, request=None
) -> None:
    """Move ``report`` (already checked by :func:`workflow_check`) and record the step: the report's own
    who/when fields, an event row of ``event_model`` and an audit entry. Call inside a transaction."""
    before = report.status
    target = TRANSITIONS[action][1]
    now = timezone.now()
    report.status = target
    if action == A.SUBMIT:
        report.submitted_by, report.submitted_at = actor, now
    elif action in (A.APPROVE, A.RETURN, A.UNLOCK):
        report.reviewed_by, report.reviewed_at = actor, now
    if action in NEEDS_REASON:
        report.reason = comment
    report.save()
    report.__dict__.pop("review_action_label", None)  # read again from the events when it is next shown
    event_model.objects.create(action=action, status=target, actor=actor, comment=comment, **event_fields)
    audit_record(
        action=AUDIT_ACTIONS[action],
        actor=actor,
        obj=report,
        changes={"status": [before, target]},
        detail=comment,
        request=request,
    )


def is_writable(report) -> bool:
    return report.status in WRITABLE


def available_actions(report, *, reporter: bool, reviewer: bool) -> list[str]:
    """The moves open to a user from the report's status: the reporter's when ``reporter``, the reviewer's when
    ``reviewer`` (each report kind decides those two)."""
    return [
        action
        for action, (sources, _target) in TRANSITIONS.items()
        if report.status in sources and (reporter if action in REPORTER_ACTIONS else reviewer)
    ]


def workflow_announce(
    *,
    action: str,
    subject: str,
    url: str,
    org_unit,
    reviewers: Callable[[], list],
    reporters: Callable[[], list],
    review_title: str,
    returned_title: str,
    comment: str = "",
) -> None:
    """The notifications of one workflow step, for any report that follows it (data reports, progress reports):
    a submitted report waits for its reviewers, a returned (or unlocked) one for its reporters, with the reason;
    approving or withdrawing closes what waited. ``reviewers`` and ``reporters`` are asked only when needed."""
    from yangfan.notifications.choices import NotificationKind as K
    from yangfan.notifications.services import notifications_done, notify

    A = SubmissionAction
    if action == A.SUBMIT:
        notifications_done(subject=subject, kinds=[K.REPORT_RETURNED])
        notify(
            users=reviewers(),
            kind=K.REVIEW_PENDING,
            title=review_title,
            url=url,
            subject=subject,
            org_unit=org_unit,
        )
    elif action == A.APPROVE:
        notifications_done(subject=subject)
    elif action == A.WITHDRAW:
        notifications_done(subject=subject, kinds=[K.REVIEW_PENDING])
    else:  # returned, or unlocked (which returns it too): its reporters must act
        notifications_done(subject=subject, kinds=[K.REVIEW_PENDING])
        notify(
            users=reporters(),
            kind=K.REPORT_RETURNED,
            title=returned_title,
            url=url,
            subject=subject,
            org_unit=org_unit,
            detail=comment,
        )
