"""The approval workflow of data reports (``collection.workflow`` holds the states and moves every report kind
shares): approved and submitted reports lock their values against every write path (``locked_row_errors``);
each step is audited. Who acts: the unit's reviewer, the department or the operator submits and withdraws
(``data.submit``); one level up (``may_review``), never the submitter, approves, returns and unlocks.

Each step tells who must act next (``notifications``, in the step's transaction): a submitted report waits for
everyone who may review it (「待审核」), a returned or unlocked one for everyone who may submit it (「报告被退回」);
approving, withdrawing or submitting again closes what no longer waits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import (
    deny,
    has_permission,
    may,
    own_level_ids,
    reports_data_set,
    sees_operator,
    users_who_may,
)
from yangfan.actionplans.models import DataSet
from yangfan.collection.choices import WRITABLE, SubmissionAction, SubmissionStatus
from yangfan.collection.models import Submission, SubmissionEvent
from yangfan.collection.selectors import data_set_rows
from yangfan.collection.workflow import (
    REPORTER_ACTIONS,
    TRANSITIONS,
    workflow_announce,
    workflow_apply,
    workflow_check,
    workflow_lock,
)
from yangfan.core.errors import RowError
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import covered_unit_ids

S, A = SubmissionStatus, SubmissionAction


def submission_open(*, data_set: DataSet, org_unit: OrgUnit, period: str, operator=None) -> Submission:
    """The submission of this report, created as a draft when there is none yet."""
    submission, _created = Submission.objects.get_or_create(
        data_set=data_set, org_unit=org_unit, period=period, operator=operator
    )
    return submission


def may_capture(user, report) -> bool:
    """Write a report's values (the grid, its Excel template): a role that reports this data set, with the unit
    (and, for an operator, its own operator's figures) in its capture scope. ``report`` is a ``Submission`` or
    anything naming ``data_set``, ``org_unit`` and ``operator_id``; whether its status allows writing is the
    lock's business."""
    return reports_data_set(user, report.data_set) and may(user, "data.capture", report)


def may_read(user, report) -> bool:
    """Read a report: who may write it, submit or review it, and whoever has its unit in their view scope; an
    operator's figures only for that operator's own users (and users of no operator)."""
    if not sees_operator(user, report.operator_id):
        return False
    if may(user, "data.view", report.org_unit) or may_capture(user, report):
        return True
    return isinstance(report, Submission) and (may_submit(user, report) or may_review(user, report))


def may_submit(user, submission: Submission) -> bool:
    """Submit or withdraw: a role that submits (``data.submit``), reports this data set, and captures this unit
    (and, for an operator, its own operator's figures)."""
    return (
        has_permission(user, "data.submit")
        and reports_data_set(user, submission.data_set)
        and may(user, "data.submit", submission)
    )


def may_review(user, submission: Submission) -> bool:
    """Approve, return or unlock: the provincial office for anything; a city's reviewer or office for the units
    below its own (its counties), never its own city's report (``own_level_ids``). Nobody reviews what they submitted themselves."""
    if not may(user, "data.approve", submission.org_unit):
        return False
    if submission.submitted_by_id is not None and submission.submitted_by_id == user.pk:
        return False
    return submission.org_unit_id not in own_level_ids(user)


def submission_act(
    *,
    actor,
    submission: Submission,
    action: str,
    comment: str = "",
    explanations: dict[str, str] | None = None,
    request=None,
) -> Submission:
    """Move ``submission`` along the workflow, or raise ``PermissionDenied`` (audited) or ``ValidationError``
    with the reason in Chinese: ``Conflict`` when another user's step on the same report came first (the check
    is made again on the locked row, ``workflow_lock``)."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown workflow action {action!r}")
    reporter = action in REPORTER_ACTIONS
    if not (may_submit(actor, submission) if reporter else may_review(actor, submission)):
        deny(actor, "data.submit" if reporter else "data.approve", submission, request=request)
    comment = comment.strip()
    workflow_check(report=submission, action=action, comment=comment)
    if action == A.SUBMIT:
        explanations = _submission_explanations(submission, explanations)
    if action == A.APPROVE:
        pending = _pending_below(submission)
        if pending:
            names = "、".join(f"{s.org_unit.name}（{s.get_status_display()}）" for s in pending)
            raise ValidationError(_("下级单位的报送尚未全部审核通过：%(names)s。") % {"names": names})
    with transaction.atomic():
        # checked again on the locked row: a concurrent step that came first refuses this one
        workflow_lock(report=submission, action=action)
        if action == A.SUBMIT:
            submission.explanations = explanations
        workflow_apply(
            report=submission,
            action=action,
            actor=actor,
            comment=comment,
            event_model=SubmissionEvent,
            request=request,
            event_fields={"submission": submission},
        )
        _announce(submission=submission, action=action, comment=comment)
    return submission


def submission_reviewers(submission: Submission) -> list:
    """Every active user who may approve or return ``submission`` now (``may_review``)."""
    return [
        user for user in users_who_may("data.approve").order_by("username") if may_review(user, submission)
    ]


def submission_submitters(submission: Submission) -> list:
    """Every active user who may submit ``submission`` (``may_submit``)."""
    candidates = (
        users_who_may("data.submit").select_related("responsible_unit", "operator").order_by("username")
    )
    return [user for user in candidates if may_submit(user, submission)]


def _announce(*, submission: Submission, action: str, comment: str) -> None:
    """The notifications of one step (``workflow.workflow_announce``)."""
    title = _("报送被解锁退回：%(report)s") if action == A.UNLOCK else _("报送被退回：%(report)s")
    workflow_announce(
        action=action,
        subject=f"submission:{submission.pk}",
        url=reverse("collection:submission", kwargs={"pk": submission.pk}),
        org_unit=submission.org_unit,
        reviewers=lambda: submission_reviewers(submission),
        reporters=lambda: submission_submitters(submission),
        review_title=_("待审核：%(report)s") % {"report": submission},
        returned_title=title % {"report": submission},
        comment=comment,
    )


LISTED_FINDINGS = 10  # a refusal lists this many findings, then says how many more there are


def _listed(findings) -> str:
    shown = "；".join(f"{f.rule} {f.message}" for f in findings[:LISTED_FINDINGS])
    if len(findings) > LISTED_FINDINGS:
        shown += _("；另有 %(n)d 项") % {"n": len(findings) - LISTED_FINDINGS}
    return shown


def _submission_explanations(submission: Submission, explanations: dict[str, str] | None) -> dict[str, str]:
    """The validation a report passes before it is submitted (``collection.checks.submission_findings``): any
    error refuses it; each warning needs an explanation, keyed by the finding's ``key``. Returns the
    explanations of the warnings, which the submission keeps for its reviewer."""
    from yangfan.collection.checks import submission_findings

    findings = submission_findings(submission)
    errors = [f for f in findings if f.is_error]
    if errors:
        raise ValidationError(
            _("数据有 %(n)d 处错误，改正后才能报送：%(list)s。") % {"n": len(errors), "list": _listed(errors)}
        )
    given = {str(k): str(v).strip() for k, v in (explanations or {}).items() if str(v or "").strip()}
    warnings = [f for f in findings if not f.is_error]
    unexplained = [f for f in warnings if f.key not in given]
    if unexplained:
        raise ValidationError(
            _("有 %(n)d 项警告须填写说明后才能报送：%(list)s。")
            % {"n": len(unexplained), "list": _listed(unexplained)}
        )
    return {f.key: given[f.key] for f in warnings}


def _pending_below(submission: Submission) -> list[Submission]:
    """Reports of the same data set, period and operator from units inside this one that are not approved."""
    inside = covered_unit_ids([submission.org_unit_id]) - {submission.org_unit_id}
    return list(
        Submission.objects.filter(
            data_set=submission.data_set,
            period=submission.period,
            operator=submission.operator,
            org_unit__in=inside,
        )
        .exclude(status=S.APPROVED)
        .select_related("org_unit")
        .order_by("org_unit__code")
    )


def locked_row_errors(rows: Iterable) -> list[RowError]:
    """A ``RowError`` for each parsed row (``datavalues.importers.ParsedRow``) whose value belongs to a report
    that is submitted or approved: such values change only after a withdrawal, a return or an audited unlock.
    Every write path (web entry, Excel, ``values import``, the API, the pipeline) goes through the import
    service, which calls this (registered by ``CollectionConfig.ready``: the service's app sits below this one)."""
    rows = list(rows)
    periods = {r.period for r in rows}
    if not rows:
        return []
    locking = Submission.objects.filter(period__in=periods).exclude(status__in=WRITABLE)
    locked: dict[tuple, Submission] = {}
    for submission in locking.select_related("data_set", "org_unit", "operator"):
        data_set = submission.data_set
        elements = set(data_set.data_elements)
        operator = submission.operator_id if data_set.by_operator else None
        for unit in data_set_rows(data_set=data_set, org_unit=submission.org_unit):
            for element in elements:
                locked[(element, unit.pk, submission.period, operator)] = submission
    errors = []
    for row in rows:
        key = (row.data_element.code, row.org_unit.pk, row.period, row.operator.pk if row.operator else None)
        submission = locked.get(key)
        if submission is not None:
            errors.append(
                RowError(
                    row.row,
                    "值",
                    _("%(s)s 为“%(status)s”，数据已锁定；须撤回、退回或解锁后才能修改")
                    % {"s": submission, "status": submission.get_status_display()},
                )
            )
    return errors
