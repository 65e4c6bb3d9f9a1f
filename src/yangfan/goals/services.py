"""定性目标评估: the office's verdicts and the experts' opinions on them. Every write checks who may do it (before
its transaction, so that a refusal stays in the trail) and writes its audit entry.

| step | who | service |
|---|---|---|
| a verdict drafted or revised: conclusion, reasoning, evidence | the office of the unit (``goals.judge``) | ``goal_verdict_save`` |
| experts asked for their opinion on the draft | the same office | ``goal_review_assign`` |
| an opinion: conflict declared (then none), or a conclusion and comment | the assigned expert only | ``goal_review_submit`` |
| an opinion withdrawn, with the reason, before a conflict may be declared | the assigned expert only | ``goal_review_withdraw`` |
| the draft published, superseding the verdict published before it | the office of the unit | ``goal_verdict_publish`` |

The experts' rules are those of 标杆评选 (``registries.reviews``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import has_permission, require, restrict
from yangfan.actionplans.models import QualitativeTarget, Task
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.core.periods import Period, PeriodError, parse_within
from yangfan.goals.choices import Verdict, VerdictStatus
from yangfan.goals.models import GoalEvidence, GoalReview, GoalVerdict
from yangfan.notifications.choices import NotificationKind
from yangfan.notifications.services import notifications_done, notify
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel
from yangfan.registries.reviews import (
    OPINION,
    review_check_reviewer,
    review_declaration,
    review_store,
    review_withdraw_given,
)
from yangfan.registries.specs import SPECS

S = VerdictStatus
MAX_DOCUMENTS = 50
DOCUMENT_LENGTH = 300


def verdict_period(plan, text: str) -> Period:
    """The period a verdict of ``plan`` is for: a year, quarter or month within the plan's years."""
    try:
        return parse_within(str(text or ""), plan.start.year, plan.end.year)
    except PeriodError as exc:
        raise ValidationError(str(exc)) from None


def goal_verdict_save(
    *,
    actor,
    target: QualitativeTarget,
    org_unit: OrgUnit,
    period: str,
    verdict: str,
    reasoning: str,
    entries: Iterable[str] = (),
    tasks: Iterable[Task] = (),
    documents: Iterable[str] = (),
    request=None,
) -> GoalVerdict:
    """Write the draft verdict on ``target`` for ``org_unit`` and ``period`` (a new one, or the draft there is).

    ``entries`` name registry entries as ``slug:id`` (each must be one the actor may read); ``tasks`` are tasks of
    the target's plan; ``documents`` are documents by title, number or link, one each. A verdict without
    reasoning, or with evidence the actor may not cite, is refused and changes nothing."""
    require(actor, "goals.judge", org_unit, request=request)
    if org_unit.level > OrgUnitLevel.CITY:
        raise ValidationError(_("定性目标在省和设区市两级评估，%(u)s不单独评估。") % {"u": org_unit.name})
    found = verdict_period(target.plan, period)
    if verdict not in Verdict.values:
        raise ValidationError(_("请选择评估结论。"))
    reasoning = (reasoning or "").strip()
    if not reasoning:
        raise ValidationError(_("请填写判断理由：评估结论须说明依据，未保存。"))
    cited = _entries(actor, entries)
    tasks = list(tasks)
    foreign = [t.code for t in tasks if t.plan_id != target.plan_id]
    if foreign:
        raise ValidationError(_("以下任务不属于本计划：%(t)s。") % {"t": "、".join(foreign)})
    papers = _documents(documents)
    with transaction.atomic():
        row = (
            GoalVerdict.objects.select_for_update()
            .filter(target=target, org_unit=org_unit, period=str(found), status=S.DRAFT)
            .first()
        )
        before = _snapshot(row) if row is not None else {}
        if row is None:
            row = GoalVerdict(
                target=target, org_unit=org_unit, period=str(found), period_end=found.end, created_by=actor
            )
        row.verdict, row.reasoning, row.documents = verdict, reasoning, papers
        row.save()
        row.tasks.set(tasks)
        GoalEvidence.objects.filter(verdict=row).delete()
        GoalEvidence.objects.bulk_create(
            GoalEvidence(verdict=row, registry=slug, entry_id=pk, label=label) for slug, pk, label in cited
        )
        after = _snapshot(row)
        audit_record(
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            actor=actor,
            obj=row,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
            request=request,
        )
    return row


def goal_verdict_publish(*, actor, verdict: GoalVerdict, request=None) -> GoalVerdict:
    """Publish a draft: it becomes the verdict of its target, unit and period that every reader of the unit's
    figures sees (the dashboard, the report, the API); the one published before it is kept, superseded."""
    require(actor, "goals.judge", verdict, request=request)
    if verdict.status != S.DRAFT:
        raise ValidationError(
            _("该评估结论当前为“%(s)s”，只有草稿可以发布。") % {"s": verdict.get_status_display()}
        )
    if not verdict.reasoning.strip():
        raise ValidationError(_("请填写判断理由：评估结论须说明依据，未发布。"))
    with transaction.atomic():
        now = timezone.now()
        for earlier in GoalVerdict.objects.select_for_update().filter(
            target_id=verdict.target_id,
            org_unit_id=verdict.org_unit_id,
            period=verdict.period,
            status=S.PUBLISHED,
        ):
            earlier.status = S.SUPERSEDED
            earlier.save(update_fields=["status", "updated_at"])
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=earlier,
                changes={"status": [S.PUBLISHED, S.SUPERSEDED]},
                detail=_("被新发布的评估结论替代"),
                request=request,
            )
        verdict.status, verdict.published_by, verdict.published_at = S.PUBLISHED, actor, now
        verdict.save(update_fields=["status", "published_by", "published_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=verdict,
            changes={"status": [S.DRAFT, S.PUBLISHED], "verdict": [None, verdict.verdict]},
            detail=_("发布定性目标评估结论"),
            request=request,
        )
    return verdict


def goal_review_assign(*, actor, verdict: GoalVerdict, reviewer, request=None) -> GoalReview:
    """Ask an expert (``benchmarks.review``) for an opinion on a draft verdict."""
    require(actor, "goals.judge", verdict, request=request)
    if not has_permission(reviewer, "benchmarks.review"):
        raise ValidationError(_("%(u)s 不是评审专家。") % {"u": reviewer.username})
    if verdict.status != S.DRAFT:
        raise ValidationError(_("评估结论已发布，不能再征求专家意见。"))
    if GoalReview.objects.filter(verdict=verdict, reviewer=reviewer).exists():
        raise ValidationError(_("已分配给该专家。"))
    with transaction.atomic():
        review = GoalReview.objects.create(verdict=verdict, reviewer=reviewer)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=review, request=request)
        notify(
            users=[reviewer],
            kind=NotificationKind.REVIEW_ASSIGNED,
            title=_("定性目标评审：%(t)s（%(u)s %(p)s）")
            % {"t": verdict.target.code, "u": verdict.org_unit.name, "p": verdict.period},
            url=reverse("goals:review", kwargs={"pk": review.pk}),
            subject=f"goalreview:{review.pk}",
            org_unit=verdict.org_unit,
        )
    return review


def goal_review_submit(
    *,
    actor,
    review: GoalReview,
    conflict: bool,
    conflict_note: str = "",
    opinion: str = "",
    comment: str = "",
    request=None,
) -> GoalReview:
    """The assigned expert's opinion, while the verdict is a draft: a declared conflict (then no opinion, for
    good), or a conclusion of their own with a comment. An opinion stands until withdrawn with the reason."""
    _review_check(actor, review, request)
    note = review_declaration(review, conflict=conflict, conflict_note=conflict_note, given=OPINION)
    if not conflict and opinion not in Verdict.values:
        raise ValidationError(_("请选择您的评估意见。"))
    stored = review_store(
        actor=actor,
        review=review,
        conflict=conflict,
        conflict_note=note,
        given={"opinion": "" if conflict else opinion, "comment": comment.strip()},
        audited=("opinion",),
        request=request,
    )
    notifications_done(subject=f"goalreview:{review.pk}", kinds=[NotificationKind.REVIEW_ASSIGNED])
    return stored


def goal_review_withdraw(*, actor, review: GoalReview, reason: str, request=None) -> GoalReview:
    """The assigned expert takes back an opinion, saying why; the review is pending again."""
    _review_check(actor, review, request)
    return review_withdraw_given(
        actor=actor, review=review, reason=reason, cleared={"opinion": ""}, given=OPINION, request=request
    )


def _review_check(actor, review: GoalReview, request) -> None:
    """Only the assigned expert, while the verdict is a draft; checked before any transaction."""
    review_check_reviewer(actor, review, review.verdict, request=request)
    if review.verdict.status != S.DRAFT:
        raise ValidationError(_("该评估结论已发布，不再征求意见。"))


def _entries(actor, keys: Iterable[str]) -> list[tuple[str, int, str]]:
    """``slug:id`` keys resolved through each registry's spec, read as the actor may read them
    (each registry's ``read``): ``(slug, id, name)``; an unknown registry or an entry out of reach is refused."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        slug, _sep, pk = str(key).partition(":")
        if slug not in SPECS or not pk.isdigit():
            raise ValidationError(_("无法识别的佐证条目“%(k)s”。") % {"k": key})
        wanted[slug].add(int(pk))
    found: list[tuple[str, int, str]] = []
    for slug, ids in wanted.items():
        spec = SPECS[slug]
        rows = restrict(spec.model.objects.filter(pk__in=ids), actor, spec.read)
        named = {row.pk: str(row)[:300] for row in rows.select_related(*spec.related)}
        missing = sorted(ids - named.keys())
        if missing:
            raise ValidationError(
                _("%(r)s中编号为 %(ids)s 的条目不存在或不在您的查看范围内。")
                % {"r": spec.title, "ids": "、".join(map(str, missing))}
            )
        found += [(slug, pk, named[pk]) for pk in sorted(named)]
    return found


def _documents(documents: Iterable[str]) -> list[str]:
    papers = [text.strip() for text in documents if text and text.strip()]
    if len(papers) > MAX_DOCUMENTS:
        raise ValidationError(_("佐证文件最多 %(n)s 项。") % {"n": MAX_DOCUMENTS})
    long = [text for text in papers if len(text) > DOCUMENT_LENGTH]
    if long:
        raise ValidationError(
            _("佐证文件“%(d)s…”过长：每项不超过 %(n)s 个字。") % {"d": long[0][:20], "n": DOCUMENT_LENGTH}
        )
    return list(dict.fromkeys(papers))


def _snapshot(row: GoalVerdict) -> dict:
    """What the trail records of a verdict's content."""
    return {
        "verdict": row.verdict,
        "reasoning": row.reasoning,
        "entries": sorted(e.key for e in row.entries.all()),
        "tasks": sorted(row.tasks.values_list("code", flat=True)),
        "documents": list(row.documents),
    }
