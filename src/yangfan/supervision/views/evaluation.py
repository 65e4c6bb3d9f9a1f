"""评估排名: the live ranking of a period for the provincial office and province-wide readers, its publication,
the published rankings for every reader of tasks, and the ranking as an XLSX workbook. With ``?city=`` (a city's
users start there), a city's ranking of the counties and departments its office gave parts of its share to: read
by whoever reads that city's tasks, published by its office."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.permissions import deny, home_city, may
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
from yangfan.supervision.selectors import city_governments, city_shares_read, province_unit, reads_city_tasks
from yangfan.supervision.texts import ranking_in_language
from yangfan.supervision.views.boards import SupervisionMixin


def sees_live(user, city=None) -> bool:
    """The live (unpublished) ranking covers the whole province, or the whole of ``city``: its office, and who
    reads all of it."""
    if city is not None:
        return may(user, "supervision.manage", city) or reads_city_tasks(user, city)
    unit = province_unit()
    return unit is not None and (may(user, "supervision.manage", unit) or may(user, "tasks.view", unit))


class CityMixin:
    """The city of ``?city=`` (among those the reader may see), a city user's own by default, ``None``: the
    province."""

    @cached_property
    def city(self):
        code = self.request.GET.get("city")
        if code is None:
            return home_city(self.request.user)
        if not code:
            return None
        found = city_governments().filter(code=code).first()
        if found is None:
            messages.error(self.request, _("“%(c)s”不是设区市。") % {"c": code})
        return found


class EvaluationView(CityMixin, SupervisionMixin, TemplateView):
    template_name = "supervision/evaluation.html"

    def get_context_data(self, **kwargs):
        user, city = self.request.user, self.city
        live, error = None, ""
        as_of = default_as_of(self.plan, self.period)
        if sees_live(user, city):
            try:
                live = ranking_in_language(
                    ranking_rows(
                        evaluation_scores(plan=self.plan, period=self.period, as_of=as_of, city=city)
                    )
                )
            except YangfanError as exc:
                error = str(exc)
        published = evaluation_latest(plan=self.plan, period=self.period, city=city)
        if published and city is not None and not reads_city_tasks(user, city):
            published = None
        # the published rankings the reader may open: the province's, and those of the cities it reads
        cities = city_governments().filter(pk__in=city_shares_read(user)).order_by("position", "code")
        runs = EvaluationRun.objects.filter(plan=self.plan).filter(
            Q(org_unit__isnull=True) | Q(org_unit__in=cities)
        )
        return super().get_context_data(
            live=live,
            error=error,
            eval_as_of=as_of,
            published=published,
            published_rows=ranking_in_language(published.rows) if published else None,
            runs=runs.select_related("org_unit").order_by("-published_at")[:20],
            city=city,
            cities=cities,
            publishes=may(user, "supervision.manage", city or province_unit()),
            **kwargs,
        )


class RunXlsxView(CityMixin, SupervisionMixin, View):
    """A published ranking as XLSX (any reader of tasks; a city's, any reader of that city's tasks), or the live
    one (``run`` 0) for those who see it."""

    def get(self, request, *args, **kwargs):
        pk = kwargs["run"]
        if pk == 0:
            city = self.city
            if not sees_live(request.user, city):
                deny(request.user, "supervision.manage", city, request=request)
            as_of = default_as_of(self.plan, self.period)
            rows = ranking_rows(evaluation_scores(plan=self.plan, period=self.period, as_of=as_of, city=city))
            period, title = str(self.period), _("评估排名（未发布）")
        else:
            run = get_object_or_404(EvaluationRun.objects.select_related("org_unit"), pk=pk, plan=self.plan)
            if run.org_unit is not None and not reads_city_tasks(request.user, run.org_unit):
                deny(request.user, "tasks.view", run, request=request)
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


class EvaluationPublishView(CityMixin, SupervisionMixin, View):
    """Publish the period's ranking (the period comes with the form, as ``?period=`` does for the page)."""

    permission = "supervision.manage"

    def post(self, request, *args, **kwargs):
        city = self.city
        back = reverse("supervision:evaluation", kwargs={"plan": self.plan.code})
        back += f"?city={city.code if city else ''}"
        try:
            run = evaluation_publish(
                actor=request.user, plan=self.plan, period=self.period, city=city, request=request
            )
        except YangfanError as exc:
            messages.error(request, str(exc))
            return redirect(f"{back}&period={self.period}")
        messages.success(
            request,
            _("已发布 %(p)s 评估排名（评分方案 %(v)s）。") % {"p": run.period, "v": run.scheme_version},
        )
        return redirect(f"{back}&period={run.period}")


urlpatterns = [
    path("<slug:plan>/evaluation/", EvaluationView.as_view(), name="evaluation"),
    path("<slug:plan>/evaluation/publish/", EvaluationPublishView.as_view(), name="evaluation_publish"),
    path("<slug:plan>/evaluation/<int:run>/xlsx/", RunXlsxView.as_view(), name="evaluation_xlsx"),
]
