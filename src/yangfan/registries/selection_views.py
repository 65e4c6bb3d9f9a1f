"""标杆评选 pages: the calls, a call with its applications, reviewers, results and publication; an expert's own
reviews and the review form (conflict of interest first; a submitted score is withdrawn, with the reason,
before a conflict may be declared)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.models import User
from yangfan.accounts.permissions import deny, may, users_who_may
from yangfan.registries import selection
from yangfan.registries.models import ApplicationCase, BenchmarkApplication, BenchmarkCall, ReviewAssignment
from yangfan.registries.selectors import entry_list


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


class CallListView(PermissionMixin, TemplateView):
    template_name = "registries/calls.html"
    permission = "registries.view"

    def get_context_data(self, **kwargs):
        from yangfan.actionplans.models import Sector

        return super().get_context_data(
            calls=BenchmarkCall.objects.select_related("sector"),
            runs=may(self.request.user, "benchmarks.run"),
            sectors=Sector.objects.order_by("position"),
            year=timezone.localdate().year,
            **kwargs,
        )

    def post(self, request):
        """A new call (the provincial office): sector, year, title, criteria as lines ``名称 分值``."""
        from yangfan.actionplans.models import Sector

        try:
            criteria = []
            for line in request.POST.get("criteria", "").splitlines():
                if line.strip():
                    name, _sep, points = line.strip().rpartition(" ")
                    criteria.append({"name": name.strip() or points, "max": points})
            call = selection.call_create(
                actor=request.user,
                sector=get_object_or_404(Sector, code=request.POST.get("sector")),
                year=int(request.POST.get("year", "0")),
                title=request.POST.get("title", ""),
                criteria=criteria,
                opens_on=date.fromisoformat(request.POST.get("opens_on", "")),
                closes_on=date.fromisoformat(request.POST.get("closes_on", "")),
                request=request,
            )
        except ValueError:
            messages.error(request, _("年度或日期无效。"))
            return redirect("registries:calls")
        except ValidationError as exc:
            _error(request, exc)
            return redirect("registries:calls")
        return redirect(call.get_absolute_url())


class CallView(PermissionMixin, TemplateView):
    template_name = "registries/call.html"
    permission = "registries.view"

    def call(self) -> BenchmarkCall:
        return get_object_or_404(BenchmarkCall.objects.select_related("sector"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.pop("pk", None)
        user = self.request.user
        call = self.call()
        runs = may(user, "benchmarks.run")
        visible = set(entry_list(actor=user, slug="cases").values_list("pk", flat=True))
        results = [r for r in selection.call_results(call) if runs or r.application.case_id in visible]
        applied = {r.application.case_id for r in results}
        candidates = (
            entry_list(actor=user, slug="cases").filter(sector=call.sector).exclude(pk__in=applied)
            if may(user, "registries.manage")
            else ApplicationCase.objects.none()
        )
        return super().get_context_data(
            call=call,
            results=results,
            runs=runs,
            candidates=candidates,
            experts=users_who_may("benchmarks.review") if runs else [],
            today=timezone.localdate(),
            **kwargs,
        )

    def post(self, request, pk: int):
        call = self.call()
        action = request.POST.get("action")
        try:
            if action == "move":
                selection.call_move(actor=request.user, call=call, request=request)
            elif action == "apply":
                case = get_object_or_404(ApplicationCase, pk=request.POST.get("case"))
                selection.application_submit(
                    actor=request.user,
                    call=call,
                    case=case,
                    statement=request.POST.get("statement", ""),
                    request=request,
                )
            elif action == "assign":
                application = get_object_or_404(
                    BenchmarkApplication, pk=request.POST.get("application"), call=call
                )
                reviewer = get_object_or_404(User, pk=request.POST.get("reviewer"))
                selection.reviewer_assign(
                    actor=request.user, application=application, reviewer=reviewer, request=request
                )
            elif action == "publish":
                chosen = BenchmarkApplication.objects.filter(
                    call=call, pk__in=request.POST.getlist("selected")
                )
                selection.call_publish(
                    actor=request.user,
                    call=call,
                    selected=chosen,
                    published_on=date.fromisoformat(
                        request.POST.get("published_on") or str(timezone.localdate())
                    ),
                    document=request.POST.get("document", ""),
                    request=request,
                )
            else:
                raise Http404
        except ValidationError as exc:
            _error(request, exc)
        except ValueError:
            messages.error(request, _("日期无效。"))
        else:
            messages.success(request, _("已完成。"))
        return redirect(call.get_absolute_url())


class ReviewListView(PermissionMixin, TemplateView):
    """An expert's own reviews: nothing else of the selection is visible to them."""

    template_name = "registries/reviews.html"
    permission = "benchmarks.review"

    def get_context_data(self, **kwargs):
        reviews = ReviewAssignment.objects.filter(reviewer=self.request.user).select_related(
            "application__call__sector", "application__case"
        )
        return super().get_context_data(reviews=reviews, **kwargs)


class ReviewView(PermissionMixin, TemplateView):
    template_name = "registries/review.html"
    permission = "benchmarks.review"

    def review(self) -> ReviewAssignment:
        review = get_object_or_404(
            ReviewAssignment.objects.select_related(
                "application__call", "application__case__sector", "application__case__org_unit"
            ),
            pk=self.kwargs["pk"],
        )
        if review.reviewer_id != self.request.user.pk:
            deny(self.request.user, "benchmarks.review", review.application, request=self.request)
        return review

    def get_context_data(self, **kwargs):
        kwargs.pop("pk", None)
        review = self.review()
        criteria = [
            {**c, "score": review.scores.get(c["name"], "")} for c in review.application.call.criteria
        ]
        return super().get_context_data(
            review=review, case=review.application.case, criteria=criteria, **kwargs
        )

    def post(self, request, pk: int):
        review = self.review()
        if request.POST.get("action") == "withdraw":
            try:
                selection.review_withdraw(
                    actor=request.user, review=review, reason=request.POST.get("reason", ""), request=request
                )
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, _("评分已撤回，可重新评分或声明利益冲突。"))
            return redirect(review.get_absolute_url())
        conflict = request.POST.get("conflict") == "yes"
        scores = {c["name"]: request.POST.get(f"score:{c['name']}") for c in review.application.call.criteria}
        try:
            selection.review_submit(
                actor=request.user,
                review=review,
                conflict=conflict,
                conflict_note=request.POST.get("conflict_note", ""),
                scores=scores,
                comment=request.POST.get("comment", ""),
                request=request,
            )
        except ValidationError as exc:
            _error(request, exc)
            return redirect(review.get_absolute_url())
        messages.success(request, _("评审已提交。"))
        return redirect("registries:reviews")


urlpatterns = [
    path("calls/", CallListView.as_view(), name="calls"),
    path("calls/<int:pk>/", CallView.as_view(), name="call"),
    path("reviews/", ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", ReviewView.as_view(), name="review"),
]
