"""定性目标评估 pages: the board of a unit and period (every qualitative target with its standing verdict, beside a
target a registry measures that registry's count at the period's end, and, for the office, its draft), a target's
verdict page (the form, the experts' opinions, publication, the history), one recorded verdict, and an expert's
own reviews with the review form."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.models import User
from yangfan.accounts.permissions import deny, may, require, users_who_may
from yangfan.actionplans.selectors import plan_get
from yangfan.core.periods import Period
from yangfan.goals import services
from yangfan.goals.choices import Verdict, VerdictStatus
from yangfan.goals.forms import GoalVerdictForm
from yangfan.goals.models import GoalReview, GoalVerdict
from yangfan.goals.selectors import (
    default_period,
    entry_links,
    judged_units,
    may_read_unit,
    may_read_verdict,
    measured_figures,
    plan_years,
    readable_units,
    verdict_board,
    verdict_history,
    verdicts_standing,
    with_evidence,
)
from yangfan.orgunits.models import OrgUnit, OrgUnitLevel


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


class BoardView(PermissionMixin, TemplateView):
    """The plan's qualitative targets for one unit (``?org=``: the reader's top unit by default) and period
    (``?period=``: the last year ended by default)."""

    template_name = "goals/board.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = plan_get(code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def unit(self) -> OrgUnit:
        user, text = self.request.user, (self.request.GET.get("org") or "").strip()
        if not text:
            unit = (
                judged_units(user).order_by("level", "code").first()
                or readable_units(user).order_by("level", "code").first()
            )
            if unit is None:
                deny(user, "data.view", request=self.request)
            return unit
        unit = OrgUnit.objects.filter(code=text).first() or OrgUnit.objects.filter(name=text).first()
        if unit is None:
            raise Http404(_("没有代码或名称为“%(org)s”的地区。") % {"org": text})
        if not may_read_unit(user, unit):
            deny(user, "data.view", unit, request=self.request)
        return unit

    @cached_property
    def period(self) -> Period:
        text = self.request.GET.get("period")
        if text:
            try:
                return services.verdict_period(self.plan, text)
            except ValidationError as exc:
                _error(self.request, exc)
        return default_period(self.plan)

    def get_context_data(self, **kwargs):
        kwargs.pop("plan", None)
        user, unit, period = self.request.user, self.unit, self.period
        rows = verdict_board(actor=user, plan=self.plan, org_unit=unit, period=period)
        measured = measured_figures(actor=user, plan=self.plan, org_unit=unit, period=period)
        counts = {value: 0 for value in Verdict.values}
        for row in rows:
            row.measured = measured.get(row.target.code)
            if row.standing is not None:
                counts[row.standing.verdict] += 1
        return super().get_context_data(
            plan=self.plan,
            unit=unit,
            period=str(period),
            periods=plan_years(self.plan),
            units=readable_units(user).order_by("level", "position", "code"),
            rows=rows,
            counts=[(value, label, counts[value]) for value, label in Verdict.choices],
            unjudged=sum(1 for row in rows if row.standing is None),
            judges=may(user, "goals.judge", unit) and unit.level <= OrgUnitLevel.CITY,
            **kwargs,
        )


class VerdictView(PermissionMixin, TemplateView):
    """One target for one unit and period: the verdict standing and its history for every reader of the unit;
    for its office, the draft's form, the experts asked and their opinions, and publication."""

    template_name = "goals/verdict.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = plan_get(code=kwargs["plan"])
        self.target = get_object_or_404(self.plan.qualitativetarget_set, code=kwargs["code"])
        self.unit = get_object_or_404(OrgUnit, code=kwargs["org"])
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def found_period(self) -> Period:
        try:
            return services.verdict_period(self.plan, self.kwargs["period"])
        except ValidationError as exc:
            raise Http404(" ".join(exc.messages)) from None

    @cached_property
    def judges(self) -> bool:
        return may(self.request.user, "goals.judge", self.unit)

    @cached_property
    def draft(self) -> GoalVerdict | None:
        if not self.judges:
            return None
        return (
            with_evidence(
                GoalVerdict.objects.filter(
                    target=self.target,
                    org_unit=self.unit,
                    period=str(self.found_period),
                    status=VerdictStatus.DRAFT,
                )
            )
            .prefetch_related("reviews__reviewer")
            .first()
        )

    def get(self, request, *args, **kwargs):
        if not (self.judges or may_read_unit(request.user, self.unit)):
            deny(request.user, "data.view", self.unit, request=request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        for key in ("plan", "code", "org", "period"):
            kwargs.pop(key, None)
        user, period = self.request.user, self.found_period
        history = list(verdict_history(target=self.target, org_unit=self.unit, period=str(period)))
        standing = with_evidence(
            verdicts_standing(actor=user, org_unit=self.unit, period=period, plan_code=self.plan.code).filter(
                target=self.target
            )
        ).first()
        if form is None and self.judges and self.unit.level <= OrgUnitLevel.CITY:
            form = GoalVerdictForm(
                initial=GoalVerdictForm.initial_of(self.draft or standing),
                user=user,
                plan=self.plan,
                org_unit=self.unit,
            )
        draft = self.draft
        return super().get_context_data(
            plan=self.plan,
            target=self.target,
            unit=self.unit,
            period=str(period),
            standing=standing,
            standing_entries=entry_links(user, standing) if standing else [],
            measured=measured_figures(actor=user, plan=self.plan, org_unit=self.unit, period=period).get(
                self.target.code
            ),
            history=history,
            draft=draft,
            draft_entries=entry_links(user, draft) if draft else [],
            reviews=list(draft.reviews.all()) if draft else [],
            experts=users_who_may("benchmarks.review").order_by("username") if draft else [],
            form=form,
            board_url=reverse("goals:board", kwargs={"plan": self.plan.code})
            + f"?org={self.unit.code}&period={period}",
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        require(request.user, "goals.judge", self.unit, request=request)
        here = request.path
        action = request.POST.get("action", "save")
        try:
            if action == "publish":
                if self.draft is None:
                    messages.error(request, _("没有可发布的草稿。"))
                    return redirect(here)
                services.goal_verdict_publish(actor=request.user, verdict=self.draft, request=request)
                messages.success(request, _("评估结论已发布。"))
                return redirect(here)
            if action == "assign":
                if self.draft is None:
                    messages.error(request, _("请先保存评估结论草稿，再征求专家意见。"))
                    return redirect(here)
                reviewer = get_object_or_404(User, pk=request.POST.get("reviewer") or 0)
                services.goal_review_assign(
                    actor=request.user, verdict=self.draft, reviewer=reviewer, request=request
                )
                messages.success(
                    request, _("已请 %(u)s 提出意见。") % {"u": reviewer.get_full_name() or reviewer}
                )
                return redirect(here)
            if action != "save":
                raise Http404
        except ValidationError as exc:
            _error(request, exc)
            return redirect(here)
        form = GoalVerdictForm(request.POST, user=request.user, plan=self.plan, org_unit=self.unit)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.goal_verdict_save(
                actor=request.user,
                target=self.target,
                org_unit=self.unit,
                period=str(self.found_period),
                verdict=form.cleaned_data["verdict"],
                reasoning=form.cleaned_data["reasoning"],
                entries=form.cleaned_data["entries"],
                tasks=form.cleaned_data["tasks"],
                documents=form.document_lines(),
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("评估结论草稿已保存。"))
        return redirect(here)


class VerdictDetailView(PermissionMixin, TemplateView):
    """One verdict as recorded (a publication of the history, or a draft for its office)."""

    template_name = "goals/detail.html"

    def get_context_data(self, **kwargs):
        verdict = get_object_or_404(with_evidence(GoalVerdict.objects.all()), pk=kwargs.pop("pk"))
        if not may_read_verdict(self.request.user, verdict):
            permission = "goals.judge" if verdict.status == VerdictStatus.DRAFT else "data.view"
            deny(self.request.user, permission, verdict, request=self.request)
        return super().get_context_data(
            verdict=verdict, entries=entry_links(self.request.user, verdict), **kwargs
        )


class ReviewListView(PermissionMixin, TemplateView):
    """An expert's own opinions asked for: nothing else of the verdicts is visible to them."""

    template_name = "goals/reviews.html"
    permission = "benchmarks.review"

    def get_context_data(self, **kwargs):
        reviews = GoalReview.objects.filter(reviewer=self.request.user).select_related(
            "verdict__target", "verdict__org_unit"
        )
        return super().get_context_data(reviews=reviews, **kwargs)


class ReviewView(PermissionMixin, TemplateView):
    template_name = "goals/review.html"
    permission = "benchmarks.review"

    def review(self) -> GoalReview:
        review = get_object_or_404(
            GoalReview.objects.select_related("verdict__target__plan", "verdict__org_unit"),
            pk=self.kwargs["pk"],
        )
        if review.reviewer_id != self.request.user.pk:
            deny(self.request.user, "benchmarks.review", review.verdict, request=self.request)
        return review

    def get_context_data(self, **kwargs):
        kwargs.pop("pk", None)
        review = self.review()
        verdict = with_evidence(GoalVerdict.objects.filter(pk=review.verdict_id)).get()
        return super().get_context_data(
            review=review,
            verdict=verdict,
            entries=entry_links(self.request.user, verdict),
            choices=Verdict.choices,
            **kwargs,
        )

    def post(self, request, pk: int):
        review = self.review()
        try:
            if request.POST.get("action") == "withdraw":
                services.goal_review_withdraw(
                    actor=request.user, review=review, reason=request.POST.get("reason", ""), request=request
                )
                messages.success(request, _("意见已撤回，可重新提出意见或声明利益冲突。"))
                return redirect(review.get_absolute_url())
            services.goal_review_submit(
                actor=request.user,
                review=review,
                conflict=request.POST.get("conflict") == "yes",
                conflict_note=request.POST.get("conflict_note", ""),
                opinion=request.POST.get("opinion", ""),
                comment=request.POST.get("comment", ""),
                request=request,
            )
        except ValidationError as exc:
            _error(request, exc)
            return redirect(review.get_absolute_url())
        messages.success(request, _("意见已提交。"))
        return redirect("goals:reviews")
