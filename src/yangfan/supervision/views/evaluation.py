"""评估排名: the live ranking of a period for the provincial office and province-wide readers, its publication,
the published rankings for every reader of tasks, and the ranking as an XLSX workbook."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.permissions import deny, may
from yangfan.actionplans.display import localized_name
from yangfan.audit.downloads import audited_download
from yangfan.core.errors import YangfanError
from yangfan.supervision.evaluation import (
    default_as_of,
    evaluation_latest,
    evaluation_publish,
    evaluation_scores,
    ranking_rows,
)
from yangfan.supervision.exports import ranking_xlsx
from yangfan.supervision.models import EvaluationRun
from yangfan.supervision.selectors import province_unit
from yangfan.supervision.texts import ranking_in_language
from yangfan.supervision.views.boards import SupervisionMixin


def sees_live(user) -> bool:
    """The live (unpublished) ranking covers the whole province: the office, and readers of the whole province."""
    province = province_unit()
    return may(user, "supervision.manage") or (province is not None and may(user, "tasks.view", province))


class EvaluationView(SupervisionMixin, TemplateView):
    template_name = "supervision/evaluation.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        live, error = None, ""
        as_of = default_as_of(self.plan, self.period)
        if sees_live(user):
            try:
                live = ranking_in_language(
                    ranking_rows(evaluation_scores(plan=self.plan, period=self.period, as_of=as_of))
                )
            except YangfanError as exc:
                error = str(exc)
        published = evaluation_latest(plan=self.plan, period=self.period)
        return super().get_context_data(
            live=live,
            error=error,
            eval_as_of=as_of,
            published=published,
            published_rows=ranking_in_language(published.rows) if published else None,
            runs=EvaluationRun.objects.filter(plan=self.plan).order_by("-published_at")[:20],
            **kwargs,
        )


class RunXlsxView(SupervisionMixin, View):
    """A published ranking as XLSX (any reader of tasks), or the live one (``run`` 0) for those who see it."""

    def get(self, request, *args, **kwargs):
        pk = kwargs["run"]
        if pk == 0:
            if not sees_live(request.user):
                deny(request.user, "supervision.manage", request=request)
            as_of = default_as_of(self.plan, self.period)
            rows = ranking_rows(evaluation_scores(plan=self.plan, period=self.period, as_of=as_of))
            period, title = str(self.period), _("评估排名（未发布）")
        else:
            run = get_object_or_404(EvaluationRun, pk=pk, plan=self.plan)
            rows, period, as_of, title = run.rows, run.period, run.as_of, _("评估排名")
        name = f"{self.plan.code}-evaluation-{period}.xlsx"
        return audited_download(
            request,
            ranking_xlsx(
                ranking_in_language(rows),
                plan=localized_name(self.plan),
                period=period,
                as_of=as_of,
                title=title,
            ),
            name,
            object_type="supervision.evaluationrun",
            object_id=str(pk),
        )


class EvaluationPublishView(SupervisionMixin, View):
    """Publish the period's ranking (the period comes with the form, as ``?period=`` does for the page)."""

    permission = "supervision.manage"

    def post(self, request, *args, **kwargs):
        back = reverse("supervision:evaluation", kwargs={"plan": self.plan.code})
        try:
            run = evaluation_publish(actor=request.user, plan=self.plan, period=self.period, request=request)
        except YangfanError as exc:
            messages.error(request, str(exc))
            return redirect(f"{back}?period={self.period}")
        messages.success(
            request,
            _("已发布 %(p)s 评估排名（评分方案 %(v)s）。") % {"p": run.period, "v": run.scheme_version},
        )
        return redirect(f"{back}?period={run.period}")


urlpatterns = [
    path("<slug:plan>/evaluation/", EvaluationView.as_view(), name="evaluation"),
    path("<slug:plan>/evaluation/publish/", EvaluationPublishView.as_view(), name="evaluation_publish"),
    path("<slug:plan>/evaluation/<int:run>/xlsx/", RunXlsxView.as_view(), name="evaluation_xlsx"),
]
