"""The supervision boards: the province's matrix of tasks × units, a unit's own board, and the supervision list
(alerts, and the notices proposed from indicators behind their targets)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import home_city, may, supervises_plan
from yangfan.actionplans.selectors import plan_default, plan_get
from yangfan.core.periods import PeriodError
from yangfan.supervision import boards
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.lights import notice_light_counts
from yangfan.supervision.models import Milestone, SupervisionNotice
from yangfan.supervision.selectors import (
    assignment_list,
    binds,
    city_governments,
    city_shares_read,
    period_of,
    province_unit,
    reporting_periods,
)


class SupervisionMixin(PermissionMixin):
    """A page of one plan's supervision, for one reporting period (``?period=``, default the latest ended)."""

    permission = "tasks.view"

    def dispatch(self, request, *args, **kwargs):
        self.plan = plan_get(code=kwargs["plan"])
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def as_of(self) -> date:
        text = self.request.GET.get("as_of")
        if text:
            try:
                return date.fromisoformat(text)
            except ValueError:
                messages.error(self.request, _("日期“%(d)s”无效，应写作 2024-01-15。") % {"d": text})
        return timezone.localdate()

    @cached_property
    def period(self):
        text = self.request.GET.get("period")
        try:
            return period_of(self.plan, text)
        except PeriodError:
            messages.error(self.request, _("期间“%(p)s”无效，已改为最近一期。") % {"p": text})
            return period_of(self.plan, None)

    def get_context_data(self, **kwargs):
        kwargs.update(
            plan=self.plan,
            period=self.period,
            periods=reporting_periods(self.plan),
            deadline=boards.report_deadline(self.plan, self.period),
            as_of=self.as_of,
            manages=supervises_plan(self.request.user, province_unit()),
        )
        return super().get_context_data(**kwargs)


class IndexView(PermissionMixin, View):
    """任务督导: the office and the leading group start from the matrix, a reporting unit from its own board."""

    permission = "tasks.view"

    def get(self, request):
        plan = plan_default()
        if plan is None:
            messages.error(request, _("尚未加载行动计划。"))
            return redirect("portal:home")
        name = "supervision:mine" if may(request.user, "tasks.report") else "supervision:matrix"
        return redirect(reverse(name, kwargs={"plan": plan.code}))


class MatrixView(SupervisionMixin, TemplateView):
    """The plan's shares (the province's view), or one city's cascade (``?city=``; a city's users start there)."""

    template_name = "supervision/matrix.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        cities = city_governments().filter(pk__in=city_shares_read(user)).order_by("position", "code")
        code = self.request.GET.get("city")
        if code is None:
            city = home_city(user)
        else:
            city = cities.filter(code=code).first() if code else None
            if code and city is None:
                messages.error(self.request, _("“%(c)s”不是您范围内的设区市。") % {"c": code})
        m = boards.matrix(actor=user, plan=self.plan, period=self.period, as_of=self.as_of, city=city)
        rows = [{"task": row.task, "cells": [row.cells.get(c.key) for c in m.columns]} for row in m.rows]
        counts = notice_light_counts(
            SupervisionNotice.objects.filter(assignment__in=assignment_list(actor=user, plan=self.plan)),
            self.plan,
        )
        return super().get_context_data(
            matrix=m, rows=rows, city=city, cities=cities, light_counts=counts, **kwargs
        )


class MineView(SupervisionMixin, TemplateView):
    """A unit's task board (我的任务): its assignments with this period's report, what is due and what is late,
    and the notices addressed to it."""

    template_name = "supervision/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        assignments = list(assignment_list(actor=user, plan=self.plan))
        found = boards.alerts_for(assignments, plan=self.plan, period=self.period, as_of=self.as_of)
        reports = {
            r.assignment_id: r
            for r in boards.ProgressReport.objects.filter(
                assignment__in=[a.pk for a in assignments], period=str(self.period)
            )
        }
        upcoming = []
        soon = Milestone.objects.filter(
            task__in={a.task_id for a in assignments},
            due__gte=self.as_of,
            due__lte=self.as_of + timedelta(days=90),
        )
        for m in soon:
            for a in assignments:
                if binds(m, a):
                    upcoming.append({"assignment": a, "milestone": m})
        upcoming.sort(key=lambda r: r["milestone"].due)
        items = [
            {"assignment": a, "report": reports.get(a.pk), "alerts": found.get(a.pk, [])} for a in assignments
        ]
        notices = SupervisionNotice.objects.filter(assignment__in=[a.pk for a in assignments]).select_related(
            "assignment__task", "assignment__responsible_unit", "assignment__org_unit", "plan"
        )
        return super().get_context_data(
            items=items,
            late=[i for i in items if i["alerts"]],
            upcoming=upcoming,
            open_notices=[
                n
                for n in notices
                if n.status in (NoticeStatus.ISSUED, NoticeStatus.SIGNED, NoticeStatus.ESCALATED)
            ],
            notices=notices,
            **kwargs,
        )


class AlertsView(SupervisionMixin, TemplateView):
    """督导清单: overdue milestones, missing reports and stalled assignments, the notices proposed where an
    indicator a task moves is behind, and the 5G application security risks overdue for remediation that the
    reader keeps the register for (``security.manage``), each of which may be turned into a notice."""

    template_name = "supervision/alerts.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unit = self.request.GET.get("unit", "").strip() or None
        rows = boards.alert_rows(actor=user, plan=self.plan, period=self.period, as_of=self.as_of, unit=unit)
        counts = {}
        for r in rows:
            counts[r.alert.kind] = counts.get(r.alert.kind, 0) + 1
        risks = boards.risk_rows(actor=user, as_of=self.as_of, unit=unit)
        counts["risk_overdue"] = len(risks)
        kind = self.request.GET.get("kind", "")
        if kind:
            rows = [r for r in rows if r.alert.kind == kind]
            risks = [r for r in risks if kind == "risk_overdue"]
        return super().get_context_data(
            rows=rows,
            risks=risks,
            converts=bool(risks) and boards.risk_shares(user).exists(),
            counts=counts,
            kind=kind,
            unit=unit or "",
            proposals=boards.notice_proposals(actor=user, plan=self.plan, period=self.period),
            **kwargs,
        )


urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    path("<slug:plan>/matrix/", MatrixView.as_view(), name="matrix"),
    path("<slug:plan>/mine/", MineView.as_view(), name="mine"),
    path("<slug:plan>/alerts/", AlertsView.as_view(), name="alerts"),
]
