"""标杆评选: a call per sector and year, applications from the repository's cases, expert reviewers who see
only the applications assigned to them and declare any conflict of interest first, and the province's
publication, which enters the selected cases in the benchmark registry (and so in A7).

| step | who | service |
|---|---|---|
| a call with its criteria, opened, then closed for review | the provincial office | ``call_create``, ``call_move`` |
| an application of a case of the call's sector | who manages the case's unit, while the call is open | ``application_submit`` |
| reviewers assigned to an application | the provincial office, during review | ``reviewer_assign`` |
| a review: conflict declared (then no score), or a score per criterion | the assigned expert only | ``review_submit`` |
| a score withdrawn, with the reason, before a conflict may be declared | the assigned expert only | ``review_withdraw`` |
| results (mean of the submitted, unconflicted reviews) and publication | the provincial office | ``call_results``, ``call_publish`` |

An assigned review waits in the expert's inbox (「评审任务」, ``notifications``) until it is submitted or the call is
published; a withdrawn score puts it there again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, has_permission, require
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict
from yangfan.audit.services import audit_record
from yangfan.notifications.choices import NotificationKind
from yangfan.notifications.services import notifications_done, notify
from yangfan.registries.choices import CallStatus
from yangfan.registries.models import Benchmark, BenchmarkApplication, BenchmarkCall, ReviewAssignment
from yangfan.registries.reviews import (
    SCORE,
    review_check_reviewer,
    review_declaration,
    review_store,
    review_withdraw_given,
)
from yangfan.registries.services import entry_save, may_manage

S = CallStatus
MOVES = {S.DRAFT: S.OPEN, S.OPEN: S.REVIEWING}


def _criteria(criteria) -> list[dict]:
    cleaned = []
    for item in criteria or []:
        name = str(item.get("name", "")).strip()
        try:
            points = int(item.get("max"))
        except (TypeError, ValueError):
            points = 0
        if not name or points <= 0:
            raise ValidationError(_("每项评审标准须有名称和大于 0 的分值。"))
        cleaned.append({"name": name, "max": points})
    if not cleaned:
        raise ValidationError(_("请至少设定一项评审标准。"))
    if len({c["name"] for c in cleaned}) != len(cleaned):
        raise ValidationError(_("评审标准的名称不能重复。"))
    return cleaned


def call_create(
    *, actor, sector, year: int, title: str, criteria, opens_on: date, closes_on: date, request=None
):
    require(actor, "benchmarks.run", request=request)
    if closes_on < opens_on:
        raise ValidationError(_("征集截止日期不能早于开始日期。"))
    if BenchmarkCall.objects.filter(sector=sector, year=year).exists():
        raise ValidationError(
            _("%(year)s 年度%(sector)s的评选已经发起。") % {"year": year, "sector": sector.name}
        )
    with transaction.atomic():
        call = BenchmarkCall.objects.create(
            sector=sector,
            year=year,
            title=title.strip() or f"{year}年度{sector.name}5G应用标杆评选",
            criteria=_criteria(criteria),
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=call,
            changes={"criteria": [None, call.criteria]},
            request=request,
        )
    return call


def _call_lock(call: BenchmarkCall, status: str) -> None:
    """Read ``call`` again with its row locked until the transaction ends; refuse with ``Conflict`` unless it is
    still in ``status`` (another officer moved or published it meanwhile). Every write that depends on the
    call's stage takes this lock first, so a publication and a late score are never both taken."""
    call.refresh_from_db(from_queryset=BenchmarkCall.objects.select_for_update())
    if call.status == status:
        return
    message = (
        _("该评选刚被他人推进，当前为“%(s)s”，不在评审阶段，您的操作未执行。")
        if status == S.REVIEWING
        else _("该评选刚被他人推进，当前为“%(s)s”，您的操作未执行。")
    )
    raise Conflict(message % {"s": call.get_status_display()}, status=call.status)


def call_move(*, actor, call: BenchmarkCall, request=None) -> BenchmarkCall:
    """草拟 → 征集中 → 评审中 (publication is ``call_publish``)."""
    require(actor, "benchmarks.run", request=request)
    if call.status not in MOVES:
        raise ValidationError(_("该评选为“%(s)s”，不能再推进。") % {"s": call.get_status_display()})
    with transaction.atomic():
        _call_lock(call, call.status)
        before = call.status
        call.status = MOVES[call.status]
        call.save(update_fields=["status"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=call,
            changes={"status": [before, call.status]},
            request=request,
        )
    return call


def application_submit(*, actor, call: BenchmarkCall, case, statement: str = "", request=None):
    if not may_manage(actor, case):
        deny(actor, "registries.manage", case, request=request)
    if call.status != S.OPEN:
        raise ValidationError(_("该评选当前为“%(s)s”，不接受申报。") % {"s": call.get_status_display()})
    if case.sector_id != call.sector_id:
        raise ValidationError(_("只能申报%(sector)s行业的案例。") % {"sector": call.sector.name})
    if BenchmarkApplication.objects.filter(call=call, case=case).exists():
        raise ValidationError(_("该案例已申报本次评选。"))
    with transaction.atomic():
        application = BenchmarkApplication.objects.create(
            call=call, case=case, statement=statement.strip(), applicant=actor
        )
        audit_record(action=AuditAction.CREATE, actor=actor, obj=application, request=request)
    return application


def reviewer_assign(*, actor, application: BenchmarkApplication, reviewer, request=None) -> ReviewAssignment:
    require(actor, "benchmarks.run", request=request)
    if not has_permission(reviewer, "benchmarks.review"):
        raise ValidationError(_("%(u)s 不是评审专家。") % {"u": reviewer.username})
    if application.call.status not in (S.OPEN, S.REVIEWING):
        raise ValidationError(_("评选已公布，不能再分配评审。"))
    if ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ValidationError(_("已分配给该专家。"))
    with transaction.atomic():
        review = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=review, request=request)
        _review_announce(review)
    return review


def _review_subject(review: ReviewAssignment) -> str:
    return f"review:{review.pk}"


def _review_announce(review: ReviewAssignment, *, again: bool = False) -> None:
    """Tell the expert that ``review`` waits for them: on assignment, and again after they withdrew a score."""
    application = review.application
    title = _("重新评审：%(call)s · %(case)s") if again else _("评审任务：%(call)s · %(case)s")
    notify(
        users=[review.reviewer],
        kind=NotificationKind.REVIEW_ASSIGNED,
        title=title % {"call": application.call.title, "case": application.case.name},
        url=review.get_absolute_url(),
        subject=_review_subject(review),
        org_unit=application.case.org_unit,
    )


def review_submit(
    *,
    actor,
    review: ReviewAssignment,
    conflict: bool,
    conflict_note: str = "",
    scores: dict | None = None,
    comment: str = "",
    request=None,
) -> ReviewAssignment:
    """The assigned expert's review; nobody else's, and nothing once the call is published.

    The conflict rules are expert review's (``registries.reviews``): a declared conflict means no score, for good;
    a score stands until the expert withdraws it (``review_withdraw``, with the reason), since a conflict found
    after scoring must leave a trace of the score it cancels."""
    _review_check(actor, review, request)
    call = review.application.call
    note = review_declaration(review, conflict=conflict, conflict_note=conflict_note, given=SCORE)
    cleaned: dict[str, str] = {}
    if not conflict:
        for criterion in call.criteria:
            raw = (scores or {}).get(criterion["name"])
            try:
                value = Decimal(str(raw))
            except Exception:
                raise ValidationError(_("请为“%(c)s”打分。") % {"c": criterion["name"]}) from None
            if not Decimal(0) <= value <= Decimal(criterion["max"]):
                raise ValidationError(
                    _("“%(c)s”的得分须在 0 到 %(m)s 之间。") % {"c": criterion["name"], "m": criterion["max"]}
                )
            cleaned[criterion["name"]] = str(value)
    with transaction.atomic():
        _call_lock(call, S.REVIEWING)  # a score never lands after the results were published
        review = review_store(
            actor=actor,
            review=review,
            conflict=conflict,
            conflict_note=note,
            given={"scores": cleaned, "comment": comment.strip()},
            audited=("scores",),
            request=request,
        )
    notifications_done(subject=_review_subject(review), kinds=[NotificationKind.REVIEW_ASSIGNED])
    return review


def review_withdraw(*, actor, review: ReviewAssignment, reason: str, request=None) -> ReviewAssignment:
    """The assigned expert takes back a submitted score, saying why (a conflict found after scoring, a mistake).
    The review is pending again, so it counts in no mean until it is submitted anew; the trail keeps the score
    and the reason."""
    _review_check(actor, review, request)
    with transaction.atomic():
        _call_lock(review.application.call, S.REVIEWING)
        review = review_withdraw_given(
            actor=actor, review=review, reason=reason, cleared={"scores": {}}, given=SCORE, request=request
        )
    _review_announce(review, again=True)  # pending again: to score anew or to declare the conflict
    return review


def _review_check(actor, review: ReviewAssignment, request) -> None:
    """Only the assigned expert, while the call is under review. Checked before any transaction, so that a
    refusal stays in the trail."""
    review_check_reviewer(actor, review, review.application, request=request)
    call = review.application.call
    if call.status != S.REVIEWING:
        raise ValidationError(_("该评选当前为“%(s)s”，不在评审阶段。") % {"s": call.get_status_display()})


@dataclass(frozen=True)
class Result:
    application: BenchmarkApplication
    mean: Decimal | None  # mean total of the submitted reviews without conflict
    reviews: int  # such reviews
    recused: int  # reviewers who declared a conflict
    pending: int  # reviews not submitted yet


def call_results(call: BenchmarkCall) -> list[Result]:
    """The applications by mean score, highest first (unscored ones last)."""
    results = []
    for application in call.applications.select_related("case", "case__org_unit").prefetch_related("reviews"):
        scored = [r.total for r in application.reviews.all() if r.submitted_at and not r.conflict]
        mean = (sum(scored) / len(scored)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scored else None
        results.append(
            Result(
                application=application,
                mean=mean,
                reviews=len(scored),
                recused=sum(1 for r in application.reviews.all() if r.submitted_at and r.conflict),
                pending=sum(1 for r in application.reviews.all() if not r.submitted_at),
            )
        )
    results.sort(key=lambda r: (r.mean is None, -(r.mean or 0), r.application.case.name))
    return results


def call_publish(
    *, actor, call: BenchmarkCall, selected, published_on: date, document: str = "", request=None
):
    """Publish the selected applications as benchmarks of the call's sector and year. Each must have at least
    one submitted review without conflict; the benchmarks then count in A7 from ``published_on``."""
    require(actor, "benchmarks.run", request=request)
    if call.status != S.REVIEWING:
        raise ValidationError(_("只有评审阶段的评选才能公布。"))
    chosen = list(selected)
    if not chosen:
        raise ValidationError(_("请选择入选的案例。"))
    with transaction.atomic():
        _call_lock(call, S.REVIEWING)  # scores and withdrawals lock the call too: the results read here stand
        scored = {r.application.pk for r in call_results(call) if r.reviews}
        unscored = [a.case.name for a in chosen if a.pk not in scored or a.call_id != call.pk]
        if unscored:
            raise ValidationError(_("以下申报尚无有效评审，不能入选：%(n)s。") % {"n": "、".join(unscored)})
        for application in chosen:
            application.selected = True
            application.save(update_fields=["selected"])
            entry_save(
                actor=actor,
                entry=Benchmark(
                    org_unit=application.case.org_unit,
                    case=application.case,
                    sector=call.sector,
                    year=call.year,
                    published_on=published_on,
                    document=document.strip() or call.title,
                ),
                request=request,
            )
        call.status, call.published_on, call.document = S.PUBLISHED, published_on, document.strip()
        call.save(update_fields=["status", "published_on", "document"])
        for review in ReviewAssignment.objects.filter(application__call=call, submitted_at__isnull=True):
            notifications_done(subject=_review_subject(review))  # published: nothing left to review
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=call,
            changes={"status": [S.REVIEWING, S.PUBLISHED], "selected": [None, [a.case.name for a in chosen]]},
            request=request,
        )
    return call
