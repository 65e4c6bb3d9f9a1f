"""督办单: the list, issuing one (prefilled from an alert or an indicator behind its target), a notice with its
answers, answering and closing it, and each as a Word document laid out as official documents are."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, has_permission, home_city, may, may_supervise
from yangfan.actionplans.display import localized_name
from yangfan.audit.downloads import audited_download
from yangfan.audit.forms import DateField
from yangfan.core.periods import Period, PeriodError
from yangfan.documents.word.official import official_docx_bytes
from yangfan.supervision import services
from yangfan.supervision.boards import (
    RISK_TASK,
    RiskRow,
    alerts_for,
    risk_message,
    risk_shares,
    row_figures,
)
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.evidence import accepted_text
from yangfan.supervision.lights import notice_light, notice_light_case, notice_light_counts
from yangfan.supervision.models import Assignment, NoticeAnswer, SupervisionNotice
from yangfan.supervision.notice_documents import answer_document, notice_document
from yangfan.supervision.selectors import (
    assignment_list,
    may_read_assignment,
    may_report,
    period_of,
    reporting_periods,
    supervised_list,
)
from yangfan.supervision.texts import alert_message, notice_title
from yangfan.supervision.views.reports import MultipleFileField


class NoticeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    issue = forms.CharField(label=gettext_lazy("存在问题"), widget=forms.Textarea(attrs={"rows": 4}))
    required_action = forms.CharField(
        label=gettext_lazy("督办要求"), widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = DateField(label=gettext_lazy("反馈时限"))


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("反馈内容"), widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=gettext_lazy("佐证材料"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = accepted_text()


class NoticeListView(PermissionMixin, TemplateView):
    template_name = "supervision/notice_list.html"
    permission = "tasks.view"

    def get_context_data(self, **kwargs):
        from yangfan.actionplans.selectors import plan_default

        visible = assignment_list(actor=self.request.user)
        notices = SupervisionNotice.objects.filter(assignment__in=visible).select_related(
            "plan",
            "issuer_unit",
            "assignment__task",
            "assignment__responsible_unit",
            "assignment__org_unit",
        )
        plan = plan_default()
        counts = notice_light_counts(notices, plan) if plan is not None else {}
        status = self.request.GET.get("status", "")
        if status:
            notices = notices.filter(status=status)
        light = self.request.GET.get("light", "")
        if light and plan is not None:
            notices = notices.annotate(light=notice_light_case(plan)).filter(light=light)
        return super().get_context_data(
            notices=[{"notice": n, "light": notice_light(n)} for n in notices],
            status=status,
            status_choices=NoticeStatus.choices,
            light=light,
            light_counts=counts,
            plan=plan,
            periods=reporting_periods(plan) if plan is not None else [],
            manages=has_permission(self.request.user, "supervision.manage"),
            **kwargs,
        )


def risk_prefill(risk, today) -> dict:
    """A notice's title, issue, required action and deadline as a security risk gives them (overdue, as the
    supervision list says it, or not yet)."""
    values = {
        "risk": risk.title,
        "application": str(risk.assessment.application),
        "unit": risk.org_unit.name,
        "level": risk.get_level_display(),
        "deadline": risk.deadline.isoformat(),
        "owner": risk.owner,
    }
    if risk.deadline < today:
        issue = risk_message(RiskRow(risk=risk, days=(today - risk.deadline).days, notices=[]))
    else:
        issue = (
            _(
                "%(application)s（%(unit)s）的5G应用安全风险“%(risk)s”（风险等级：%(level)s）整改时限为 %(deadline)s，"
                "尚未整改。整改责任人：%(owner)s。"
            )
            % values
        )
    return {
        "title": _("关于督促整改5G应用安全风险“%(risk)s”的督办通知") % values,
        "issue": issue,
        "required_action": _(
            "请督促落实以下整改措施，并于反馈时限前报送整改情况，附佐证材料：%(remediation)s"
        )
        % {"remediation": risk.remediation},
        "deadline": today + timedelta(days=15),
    }


class NoticeNewView(PermissionMixin, TemplateView):
    """Issue a notice on one assignment (``?assignment=``); an alert (``&alert=&period=``) or an indicator
    (``&indicator=&org=&period=``) fills in the issue with its figures. A security risk (``?risk=``, 转为督办单)
    fills it in from the risk, on a share of ``RISK_TASK`` the reader supervises (the lead unit's by default);
    who may not manage the risk (``security.manage``) is refused and audited."""

    template_name = "supervision/notice_new.html"
    permission = "supervision.manage"

    def risk(self):
        """The risk of ``?risk=`` (``None`` without one), which the reader must keep the register for."""
        from yangfan.security.models import Risk

        pk = self.request.POST.get("risk") or self.request.GET.get("risk")
        if not pk:
            return None
        try:
            found = Risk.objects.select_related("org_unit", "assessment__case", "assessment__vpn").get(
                pk=int(pk)
            )
        except (TypeError, ValueError, Risk.DoesNotExist) as exc:
            raise Http404(_("没有这条安全风险。")) from exc
        if not may(self.request.user, "security.manage", found):
            deny(self.request.user, "security.manage", found, request=self.request)
        return found

    def risk_context(self, risk, **kwargs) -> dict:
        """The share chosen among ``risk_shares`` (``?assignment=``, or the first) and the others offered."""
        shares = list(risk_shares(self.request.user).select_related("task__plan"))
        wanted = self.request.POST.get("assignment") or self.request.GET.get("assignment")
        assignment = shares[0] if shares else None
        if wanted:
            assignment = next((a for a in shares if str(a.pk) == str(wanted)), None)
            if assignment is None:
                raise Http404(_("请在 %(task)s 的任务分工中选择督办对象。") % {"task": RISK_TASK})
        return self.get_context_data(
            risk=risk, shares=shares, assignment=assignment, risk_task=RISK_TASK, figures=[], **kwargs
        )

    def assignment(self) -> Assignment:
        """The share of ``?assignment=``, among those the reader may supervise (another city's share, or a city's
        own share for its office, is refused and audited)."""
        pk = self.request.POST.get("assignment") or self.request.GET.get("assignment")
        try:
            found = Assignment.objects.select_related(
                "task__plan", "responsible_unit", "org_unit", "parent__org_unit"
            ).get(pk=int(pk))
        except (TypeError, ValueError, Assignment.DoesNotExist) as exc:
            raise Http404(_("请从督导清单或任务页选择要督办的任务分工。")) from exc
        if not may_supervise(self.request.user, found):
            deny(self.request.user, "supervision.manage", found, request=self.request)
        return found

    def prefill(self, assignment: Assignment) -> tuple[dict, list]:
        q = self.request.GET
        plan = assignment.task.plan
        figures: list = []
        issue = ""
        try:
            period = period_of(plan, q.get("period"))
        except PeriodError:
            period = period_of(plan, None)
        if q.get("indicator"):
            from yangfan.datavalues.indicators import assessments, core_plans

            parsed = core_plans()[plan.code]
            chosen = [i for i in parsed.indicators if i.code == q["indicator"]]
            org = q.get("org") or assignment.org_unit.code
            if chosen:
                row = assessments(parsed, [org], period, indicators=chosen)[0]
                figures = [row_figures(row)]
                issue = _(
                    "%(org)s %(period)s %(name)s为 %(value)s，目标为 %(target)s，判断为“%(status)s”；该指标与本任务相关。"
                ) % {
                    "org": assignment.org_unit.name,
                    "period": period,
                    "name": localized_name(chosen[0]),
                    "value": figures[0]["value"] or "—",
                    "target": figures[0]["target"] or "—",
                    "status": row.status_label,
                }
        elif q.get("alert"):
            found = alerts_for(
                [assignment], plan=plan, period=Period.parse(str(period)), as_of=timezone.localdate()
            )
            issue = "\n".join(alert_message(a) for a in found.get(assignment.pk, []) if a.kind == q["alert"])
        initial = {
            "title": notice_title(assignment.work_title),
            "issue": issue,
            "required_action": _("请于反馈时限前报送整改措施和进展情况，并附佐证材料。"),
            "deadline": timezone.localdate() + timedelta(days=15),
        }
        return initial, figures

    def get(self, request, *args, **kwargs):
        risk = self.risk()
        if risk is not None:
            initial = risk_prefill(risk, timezone.localdate())
            return self.render_to_response(self.risk_context(risk, form=NoticeForm(initial=initial)))
        if not request.GET.get("assignment"):  # from the notice list: first choose the share to supervise
            shares = supervised_list(actor=request.user).order_by(
                "task__position", "subtask__code", "parent_id", "org_unit__code", "assignee"
            )
            return TemplateResponse(
                request, "supervision/notice_pick.html", self.get_context_data(shares=shares)
            )
        assignment = self.assignment()
        initial, figures = self.prefill(assignment)
        return self.render_to_response(
            self.get_context_data(
                assignment=assignment,
                form=NoticeForm(initial=initial),
                figures=figures,
                figures_json=json.dumps(figures, ensure_ascii=False),
            )
        )

    def post(self, request, *args, **kwargs):
        risk = self.risk()
        if risk is not None:
            return self.post_risk(request, risk)
        assignment = self.assignment()
        form = NoticeForm(request.POST)
        figures = _figures_from(request.POST.get("figures", ""))
        if form.is_valid():
            try:
                notice = services.notice_issue(
                    actor=request.user,
                    assignment=assignment,
                    figures=figures,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已下发督办单 %(n)s。") % {"n": notice.number})
                return redirect(notice.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(
                assignment=assignment,
                form=form,
                figures=figures,
                figures_json=json.dumps(figures, ensure_ascii=False),
            ),
            status=400,
        )

    def post_risk(self, request, risk):
        form = NoticeForm(request.POST)
        context = self.risk_context(risk, form=form)
        assignment = context["assignment"]
        if assignment is None:
            form.add_error(None, _("您没有可督办的 %(task)s 任务分工。") % {"task": RISK_TASK})
        elif form.is_valid():
            try:
                notice = services.notice_issue(
                    actor=request.user, assignment=assignment, risk=risk, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已将安全风险转为督办单 %(n)s。") % {"n": notice.number})
                return redirect(notice.get_absolute_url())
        return self.render_to_response(context, status=400)


def _figures_from(text: str) -> list:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


class BulletinView(PermissionMixin, View):
    """情况通报 of a reporting period (``?period=``, by default the latest ended) as a Word document: the province's
    office on its notices, a city's office on its city's (``?city=`` lets the province read a city's)."""

    permission = "supervision.manage"

    def get(self, request, plan: str):
        from yangfan.actionplans.selectors import plan_get
        from yangfan.orgunits.models import OrgUnit
        from yangfan.supervision.bulletins import bulletin, bulletin_document
        from yangfan.supervision.selectors import province_unit

        plan_row = plan_get(code=plan)
        try:
            period = period_of(plan_row, request.GET.get("period"))
        except PeriodError as exc:
            raise Http404(_("期间“%(p)s”无效。") % {"p": request.GET.get("period")}) from exc
        code = request.GET.get("city")
        city = get_object_or_404(OrgUnit, code=code) if code else home_city(request.user)
        unit = city or province_unit()
        if not may(request.user, "supervision.manage", unit):
            deny(request.user, "supervision.manage", unit, request=request)
        found = bulletin(plan=plan_row, period=period, issuer_unit=city)
        name = f"{found.number}.docx"
        return audited_download(
            request, official_docx_bytes(bulletin_document(found)), name, obj=unit, detail=name
        )


class NoticeMixin(PermissionMixin):
    """A notice of the URL, looked up after the role check (a role without tasks gets 403, not 404)."""

    permission = "tasks.view"

    @cached_property
    def notice(self) -> SupervisionNotice:
        return get_object_or_404(
            SupervisionNotice.objects.select_related(
                "plan",
                "assignment__task__plan",
                "assignment__responsible_unit",
                "assignment__org_unit",
                "assignment__parent",
                "issued_by",
                "signed_by",
                "issuer_unit",
                "risk__org_unit",
            ),
            pk=self.kwargs["pk"],
        )

    def check_read(self):
        if not may_read_assignment(self.request.user, self.notice.assignment):
            deny(self.request.user, "tasks.view", self.notice, request=self.request)


class NoticeView(NoticeMixin, TemplateView):
    template_name = "supervision/notice.html"

    def get_context_data(self, **kwargs):
        self.check_read()
        user, notice = self.request.user, self.notice
        kwargs.setdefault("answer_form", AnswerForm())
        return super().get_context_data(
            notice=notice,
            answers=notice.answers.select_related("answered_by").prefetch_related("evidence"),
            may_answer=may_report(user, notice.assignment) and notice.status != "closed",
            may_close=notice.status == "answered" and may_supervise(user, notice.assignment),
            may_sign=notice.signed_at is None
            and notice.status != NoticeStatus.CLOSED
            and may_report(user, notice.assignment),
            light=notice_light(notice),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.check_read()
        notice = self.notice
        try:
            if request.POST.get("form") == "sign":
                services.notice_sign(actor=request.user, notice=notice, request=request)
                messages.success(request, _("已签收。"))
            elif request.POST.get("form") == "close":
                services.notice_close(
                    actor=request.user,
                    notice=notice,
                    comment=request.POST.get("comment", ""),
                    request=request,
                )
                messages.success(request, _("督办单已办结。"))
            else:
                form = AnswerForm(request.POST, request.FILES)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(answer_form=form), status=400)
                answer = services.notice_answer(
                    actor=request.user,
                    notice=notice,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    request=request,
                )
                messages.success(request, _("已提交反馈（第 %(n)d 次）。") % {"n": answer.serial})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(notice.get_absolute_url())


class NoticeDocxView(NoticeMixin, View):
    """The notice (or one answer, ``answer=N``) as a .docx laid out per GB/T 9704; the export is audited."""

    def get(self, request, *args, **kwargs):
        self.check_read()
        notice = self.notice
        serial = kwargs.get("answer")
        if serial is None:
            document, name = notice_document(notice), f"{notice.number}.docx"
        else:
            answer = get_object_or_404(NoticeAnswer, notice=notice, serial=serial)
            document, name = answer_document(answer), f"{notice.number}-反馈{answer.serial}.docx"
        return audited_download(request, official_docx_bytes(document), name, obj=notice, detail=name)


urlpatterns = [
    path("notices/", NoticeListView.as_view(), name="notices"),
    path("notices/new/", NoticeNewView.as_view(), name="notice_new"),
    path("notices/<int:pk>/", NoticeView.as_view(), name="notice"),
    path("<slug:plan>/bulletin/", BulletinView.as_view(), name="bulletin"),
    path("notices/<int:pk>/docx/", NoticeDocxView.as_view(), name="notice_docx"),
    path("notices/<int:pk>/answers/<int:answer>/docx/", NoticeDocxView.as_view(), name="answer_docx"),
]
