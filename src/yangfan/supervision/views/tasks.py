"""A task as the provincial office supervises it: its units' assignments and their latest reports, its
milestones, its sub-tasks and the indicators it moves; the office edits the last three here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import supervises_plan
from yangfan.actionplans.display import localized_name
from yangfan.actionplans.models import Indicator, Task
from yangfan.actionplans.selectors import plan_get
from yangfan.audit.forms import DateField
from yangfan.supervision import services
from yangfan.supervision.models import Milestone, ProgressReport
from yangfan.supervision.selectors import assignment_list, province_unit


class PartMilestoneForm(forms.Form):
    """A milestone: what, by when, the evidence expected (a city's office sets one on a part of its share)."""

    title = forms.CharField(label=gettext_lazy("节点内容"), max_length=300)
    due = DateField(label=gettext_lazy("完成时限"))
    evidence_expected = forms.CharField(
        label=gettext_lazy("应提供的佐证材料"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestoneForm(PartMilestoneForm):
    """A milestone of the whole task, or of one of its sub-tasks (the provincial office's)."""

    subtask = forms.ModelChoiceField(label=gettext_lazy("适用子任务"), queryset=None, required=False)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subtask"].queryset = task.subtasks.all()
        self.fields["subtask"].empty_label = _("整项任务")


class SubTaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("子任务标题"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("责任单位"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = task.units.all()


class LinkForm(forms.Form):
    indicators = forms.ModelMultipleChoiceField(
        label=gettext_lazy("关联指标"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(plan=task.plan)
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} {localized_name(i)}"


class TaskMixin(PermissionMixin):
    permission = "tasks.view"

    def dispatch(self, request, *args, **kwargs):
        self.plan = plan_get(code=kwargs["plan"])
        self.task = get_object_or_404(
            Task.objects.select_related("section", "plan"), plan=self.plan, code=kwargs["code"]
        )
        return super().dispatch(request, *args, **kwargs)


class TaskView(TaskMixin, TemplateView):
    template_name = "supervision/task.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("code", None)  # the URL's; the context has the task itself
        kwargs["plan"] = self.plan
        user = self.request.user
        assignments = list(assignment_list(actor=user, plan=self.plan).filter(task=self.task))
        latest = {}
        for r in ProgressReport.objects.filter(assignment__in=[a.pk for a in assignments]).order_by("period"):
            latest[r.assignment_id] = r
        task = self.task
        kwargs.setdefault("milestone_form", MilestoneForm(task=task))
        kwargs.setdefault("subtask_form", SubTaskForm(task=task))
        kwargs.setdefault(
            "link_form",
            LinkForm(
                task=task, initial={"indicators": [link.indicator for link in task.indicator_links.all()]}
            ),
        )
        return super().get_context_data(
            task=task,
            rows=[{"assignment": a, "latest": latest.get(a.pk)} for a in assignments],
            milestones=task.milestones.select_related("subtask"),
            subtasks=task.subtasks.prefetch_related("units"),
            links=task.indicator_links.select_related("indicator"),
            manages=supervises_plan(user, province_unit()),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """The office's edits: ``form`` names which (milestone, subtask, links, milestone_delete)."""
        kind = request.POST.get("form")
        task = self.task
        try:
            if kind == "milestone":
                form = MilestoneForm(request.POST, task=task)
                if not form.is_valid():
                    return self.invalid(milestone_form=form)
                d = form.cleaned_data
                services.milestone_create(
                    actor=request.user,
                    task=task,
                    title=d["title"],
                    due=d["due"],
                    evidence_expected=d["evidence_expected"],
                    subtask=d["subtask"],
                    request=request,
                )
                messages.success(request, _("已添加阶段节点。"))
            elif kind == "subtask":
                form = SubTaskForm(request.POST, task=task)
                if not form.is_valid():
                    return self.invalid(subtask_form=form)
                d = form.cleaned_data
                subtask = services.subtask_create(
                    actor=request.user,
                    task=task,
                    title=d["title"],
                    text=d["text"],
                    units=d["units"],
                    request=request,
                )
                messages.success(request, _("已拆分子任务 %(code)s。") % {"code": subtask.code})
            elif kind == "links":
                form = LinkForm(request.POST, task=task)
                if not form.is_valid():
                    return self.invalid(link_form=form)
                services.task_indicator_set(
                    actor=request.user, task=task, indicators=form.cleaned_data["indicators"], request=request
                )
                messages.success(request, _("已更新关联指标。"))
            else:
                messages.error(request, _("无法识别的操作。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(request.path)

    def invalid(self, **forms_):
        return self.render_to_response(self.get_context_data(**forms_), status=400)


class MilestoneDeleteView(PermissionMixin, View):
    permission = "supervision.manage"

    def post(self, request, pk: int):
        milestone = get_object_or_404(Milestone.objects.select_related("task__plan"), pk=pk)
        try:
            services.milestone_delete(actor=request.user, milestone=milestone, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除阶段节点。"))
        return redirect("supervision:task", plan=milestone.task.plan.code, code=milestone.task.code)


urlpatterns = [
    path("<slug:plan>/tasks/<str:code>/", TaskView.as_view(), name="task"),
    path("milestones/<int:pk>/delete/", MilestoneDeleteView.as_view(), name="milestone_delete"),
]
