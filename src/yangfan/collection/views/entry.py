"""数据填报: pick a report, fill its grid (rows × data elements) and move it along the workflow.

The grid writes through the one import path (``datavalues_import``, ``source=form``), so the scope, the
all-or-nothing rule, the locks of submitted and approved reports and the audit trail are the same as for a
file import; a bad cell or a locked value comes back in place, with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import (
    capture_roots,
    deny,
    has_permission,
    operator_figures,
    org_units_in_scope,
    reports_data_set,
    require,
    speaks_for_operator,
)
from yangfan.actionplans.choices import DataSetLevel
from yangfan.actionplans.display import localized_name
from yangfan.actionplans.models import DataElement, DataSet, Operator, ResponsibleUnit
from yangfan.actionplans.selectors import plan_default
from yangfan.audit.fragments import kept
from yangfan.collection.choices import WRITABLE, SubmissionAction
from yangfan.collection.forms import ActForm, GridForm, PickForm, cell_name
from yangfan.collection.models import Submission
from yangfan.collection.selectors import (
    data_set_rows,
    deadline,
    period_kind,
    report_key,
    submission_find,
    submission_list,
)
from yangfan.collection.services import (
    may_capture,
    may_read,
    may_review,
    may_submit,
    submission_act,
    submission_open,
)
from yangfan.collection.workflow import NEEDS_REASON, REPORTER_ACTIONS, TRANSITIONS, available_actions
from yangfan.core.errors import ImportInvalid
from yangfan.core.figures import number
from yangfan.core.periods import Period
from yangfan.core.plan import OPERATORS_REPORT
from yangfan.datavalues.choices import ValueSource
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

FORM_FILE = "网页填报"  # what the audit trail names the "file" of a web entry


# --- the report a URL names ------------------------------------------------------------------------------


@dataclass
class Report:
    """The report ``entry/<data set>/<org>/<period>/[?operator=]`` names, with its submission (an unsaved draft
    when nobody has saved anything yet) and what the user may do with it."""

    data_set: DataSet
    org_unit: OrgUnit
    period: Period
    operator: Operator | None
    submission: Submission
    captures: bool = False  # may write its values (the report's status aside)
    reads: bool = False
    elements: list[DataElement] = field(default_factory=list)

    @cached_property
    def rows(self) -> list[OrgUnit]:
        """The grid's rows (``data_set_rows``), read once for the grid, its findings and its stored values."""
        return data_set_rows(data_set=self.data_set, org_unit=self.org_unit)

    @cached_property
    def stored(self) -> dict[tuple, DataValue]:
        """The stored values of its rows in its period and the one before (the grid shows both)."""
        return _stored(self, self.rows, [str(self.period), str(self.period.previous())])

    def has_values(self) -> bool:
        period = str(self.period)
        return any(key[2] == period for key in self.stored)

    @property
    def writable(self) -> bool:
        return self.captures and self.submission.status in WRITABLE

    @property
    def url(self) -> str:
        return entry_url(self.data_set, self.org_unit, str(self.period), self.operator)


def entry_url(data_set, org_unit, period: str, operator=None) -> str:
    url = reverse(
        "collection:entry", kwargs={"data_set": data_set.code, "org": org_unit.code, "period": period}
    )
    return url + ("?" + urlencode({"operator": operator.code}) if operator else "")


def _data_set(code: str) -> DataSet:
    data_set = DataSet.objects.filter(code=code).order_by("plan__code").first()
    if data_set is None:
        raise Http404(_("没有代码为“%(code)s”的数据集。") % {"code": code})
    return data_set


def _resolve(request, kwargs) -> Report:
    data_set, org_unit, period, operator = report_key(request, kwargs, operator_required=False)
    submission = submission_find(
        data_set=data_set, org_unit=org_unit, period=str(period), operator=operator
    ) or Submission(data_set=data_set, org_unit=org_unit, period=str(period), operator=operator)
    report = Report(data_set, org_unit, period, operator, submission)
    user = request.user
    report.captures = may_capture(user, submission)
    report.reads = report.captures or may_read(user, submission)
    codes = list(data_set.data_elements)
    by_code = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    report.elements = [by_code[c] for c in codes if c in by_code]
    return report


# --- the grid's figures ----------------------------------------------------------------------------------


def _stored(report: Report, rows: list[OrgUnit], periods: list[str]) -> dict[tuple, DataValue]:
    """Stored values of the report's elements for its rows (and operator) in ``periods``."""
    values = DataValue.objects.filter(
        period__in=periods, data_element__in=report.elements, org_unit__in=rows
    ).order_by()
    values = (
        values.filter(operator=report.operator)
        if report.operator is not None
        else values.filter(operator__isnull=True)
    )
    return {(v.data_element_id, v.org_unit_id, v.period): v for v in values}


def _plain(value: Decimal | None) -> str:
    """A stored decimal as typed: no trailing zeros, no exponent (1234.500000 → 1234.5)."""
    return "" if value is None else format(value.normalize(), "f")


def findings_of(submission: Submission, rows: list[OrgUnit] | None = None):
    """The validation findings of a report (``collection.checks``; ``rows``: its rows, when read already), or None
    where checks are not available."""
    try:
        from yangfan.collection.checks import submission_findings
    except ImportError:
        return None
    return list(submission_findings(submission, rows=rows))


def reconciliation_of(submission: Submission):
    """The reconciliation a reviewer reads before approving, with the snippet that shows it, or None."""
    try:
        from yangfan.collection.checks import reconciliation_for

        get_template("collection/_reconciliation_summary.html")
    except (ImportError, TemplateDoesNotExist):
        return None
    return reconciliation_for(submission)


def _grid(report: Report, form: GridForm | None, findings) -> list[dict]:
    """Rows of the grid with, per cell, its input's value, the stored and previous values, errors, findings."""
    rows = report.rows
    previous = str(report.period.previous())
    stored = report.stored
    at: dict[tuple[str, str | None], list] = {}
    for finding in findings or ():
        at.setdefault((finding.org_unit, finding.data_element), []).append(finding)
    grid = []
    for row_index, unit in enumerate(rows):
        cells = []
        for column, element in enumerate(report.elements):
            name = cell_name(unit, element)
            current = stored.get((element.pk, unit.pk, str(report.period)))
            before = stored.get((element.pk, unit.pk, previous))
            value = _plain(current.value) if current else ""
            errors: list[str] = []
            if form is not None and form.is_bound:
                value = form[name].value() or ""
                errors = list(form.errors.get(name, []))
            found = at.get((unit.code, element.code), [])
            cells.append(
                {
                    "name": name,
                    "element": element,
                    "value": value,
                    "stored": current.value if current else None,
                    "initial": _plain(current.value) if current else "",
                    "previous": before.value if before else None,
                    # a value the pipeline wrote links to its source (ingests:value)
                    "lineage": current.pk if current and current.ingest_run_id else None,
                    "errors": errors,
                    "findings": found,
                    # what the template would otherwise work out for each of the grid's cells
                    "classes": " ".join(
                        ["cell", *(["has-error"] if errors else []), *(f"has-{f.importance}" for f in found)]
                    ),
                    "stored_text": number(current.value) if current else "—",
                    "previous_text": number(before.value) if before else "—",
                    "label": f"{unit.name} {localized_name(element)}",
                    "row": row_index,
                    "column": column,
                }
            )
        grid.append({"unit": unit, "cells": cells, "findings": at.get((unit.code, None), [])})
    return grid


def _optional_url(name: str, report: Report) -> str | None:
    """The Excel template and upload pages live in ``views/workbook.py``: linked when they exist."""
    try:
        url = reverse(
            name,
            kwargs={
                "data_set": report.data_set.code,
                "org": report.org_unit.code,
                "period": str(report.period),
            },
        )
    except NoReverseMatch:
        return None
    return url + ("?" + urlencode({"operator": report.operator.code}) if report.operator else "")


# --- the workflow panel ----------------------------------------------------------------------------------


def workflow_context(user, submission: Submission, findings, *, next_url: str, posted=None) -> dict:
    """What ``collection/_workflow.html`` shows: the status, who did what, and the steps this user may take
    (reporters submit or withdraw; one level up approves, returns or unlocks)."""
    actions = []
    if submission.pk is not None:
        reporter, reviewer = may_submit(user, submission), may_review(user, submission)
        for action in available_actions(submission, reporter=reporter, reviewer=reviewer):
            actions.append(
                {
                    "action": action,
                    "label": SubmissionAction(action).label,
                    "needs_reason": action in NEEDS_REASON,
                    "url": reverse("collection:act", kwargs={"pk": submission.pk, "action": action}),
                }
            )
    posted = posted or {}
    warnings = [
        {"finding": f, "comment": posted.get("explain:" + f.key, submission.explanations.get(f.key, ""))}
        for f in findings or ()
        if f.importance == "warning"
    ]
    errors = [f for f in findings or () if f.importance == "error"]
    return {
        "submission": submission,
        "exists": submission.pk is not None,
        "status": submission.status,
        "status_label": submission.get_status_display() if submission.pk is not None else _("未填报"),
        "actions": actions,
        "warnings": warnings,
        "errors": errors,
        "checked": findings is not None,
        "next": next_url,
        "detail_link": submission.pk is not None
        and next_url != reverse("collection:submission", kwargs={"pk": submission.pk}),
        "comment": posted.get("comment", ""),
        "deadline": deadline(data_set=submission.data_set, period=Period.parse(submission.period)),
    }


# --- pages -------------------------------------------------------------------------------------------------


def _default_period(data_set: DataSet) -> str:
    """The last period of the data set's kind that has ended, not later than its plan's end."""
    kind = period_kind(data_set)
    day = min(date.today(), data_set.plan.end)
    period = Period.containing(day, kind)
    return str(period if period.end <= day or day == data_set.plan.end else period.previous())


def _reporting_units(data_set: DataSet, roots: list[OrgUnit]) -> list[OrgUnit]:
    """The units that send reports of ``data_set`` among the user's scope roots: the province's report of a
    county-level data set comes from each unit counted directly in it (the cities and 杨凌示范区)."""
    units = []
    for root in roots:
        if data_set.level == DataSetLevel.COUNTY and root.pk == data_set.plan.root_id:
            units.extend(
                OrgUnit.objects.filter(Q(counted_in=root) | Q(parent=root, counted_in__isnull=True)).order_by(
                    "code"
                )
            )
        else:
            units.append(root)
    return units


class IndexView(PermissionMixin, View):
    """数据填报: the data sets this user reports (with a shortcut to each of its units' latest report), a picker
    for any report within the user's scope, and the reports of that scope most recently changed."""

    permission = "data.view"

    def get(self, request):
        user = request.user
        plan = plan_default()
        data_sets = DataSet.objects.filter(plan=plan).order_by("position") if plan else DataSet.objects.none()
        roots = list(capture_roots(user).order_by("code"))
        reported = [d for d in data_sets if reports_data_set(user, d)]
        initial = {
            "data_set": reported[0] if reported else None,
            "org_unit": roots[0] if roots else None,
            "period": _default_period(reported[0]) if reported else "",
        }
        form = PickForm(
            request.GET if "data_set" in request.GET else None,
            user=user,
            data_sets=data_sets,
            initial=initial,
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            return redirect(entry_url(data["data_set"], data["org_unit"], data["period"], data["operator"]))
        reporters = {u.code: u.name for u in ResponsibleUnit.objects.filter(plan=plan)} if plan else {}
        sets = []
        for data_set in data_sets:
            period = _default_period(data_set)
            shortcuts = []
            if data_set in reported:
                operator = user.operator if speaks_for_operator(user) else None
                if not data_set.by_operator or operator is not None:
                    shortcuts = [
                        {"unit": unit, "url": entry_url(data_set, unit, period, operator)}
                        for unit in _reporting_units(data_set, roots)
                    ]
            sets.append(
                {
                    "data_set": data_set,
                    "reported": data_set in reported,
                    "reporter": _("各运营商")
                    if data_set.reporter == OPERATORS_REPORT
                    else reporters.get(data_set.reporter, data_set.reporter),
                    "period": period,
                    "shortcuts": shortcuts,
                }
            )
        recent = submission_list(org_unit__in=org_units_in_scope(user, "data.view")).order_by("-updated_at")
        recent = operator_figures(recent, user)
        return render(
            request,
            "collection/index.html",
            {"form": form, "data_sets": sets, "recent": recent[:20]},
        )


class EntryView(LoginRequiredMixin, View):
    """The grid of one report: rows (units of the data set's level in the unit, in code order) × the data
    set's elements. Editable for the unit's reporters while the report is a draft or returned; read-only for
    everyone else in view scope, and for everyone once submitted or approved."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = _resolve(request, kwargs)
        if not self.report.reads:
            deny(request.user, "data.view", self.report.org_unit, request=request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        report = self.report
        if (
            report.submission.pk is None
            and (report.data_set.by_operator is False or report.operator is not None)
            and may_submit(request.user, report.submission)
            and report.has_values()
        ):  # values came in another way (a file, the API): the report exists, so it can be submitted
            report.submission = submission_open(
                data_set=report.data_set,
                org_unit=report.org_unit,
                period=str(report.period),
                operator=report.operator,
            )
        return self._render(request, None)

    def post(self, request, **kwargs):
        report = self.report
        if not report.captures:
            deny(request.user, "data.capture", report.org_unit, request=request)
        if report.data_set.by_operator and report.operator is None:
            raise Http404(_("请先选择运营商。"))
        form = GridForm(request.POST, rows=report.rows, elements=report.elements)
        if not form.is_valid():
            return self._render(request, form, status=200)
        filled = form.filled()
        if not filled:
            messages.info(request, _("没有填写任何数值，未做更改。"))
            return redirect(report.url)
        stored = (
            report.stored
        )  # the grid shown again after a refusal reads the same (nothing is written then)
        by_row: dict[int, str] = {}
        parsed = []
        for line, (cell, value) in enumerate(filled, start=1):
            current = stored.get((cell.element.pk, cell.unit.pk, str(report.period)))
            by_row[line] = cell.name
            parsed.append(
                ParsedRow(
                    line,
                    cell.element,
                    cell.unit,
                    str(report.period),
                    report.operator,
                    value,
                    current.comment if current else "",  # the grid has no comments: keep what is stored
                )
            )
        try:
            result = datavalues_import(
                rows=parsed, actor=request.user, source=ValueSource.FORM, file=FORM_FILE, request=request
            )
        except ImportInvalid as exc:
            for error in exc.errors:
                name = by_row.get(error.row)
                form.add_error(name if name in form.fields else None, error.message)
            return self._render(request, form, status=200)
        if result.added or result.changed:
            submission_open(
                data_set=report.data_set,
                org_unit=report.org_unit,
                period=str(report.period),
                operator=report.operator,
            )
        messages.success(
            request,
            _("已保存：新增 %(added)d 个数值，修改 %(changed)d 个，未变 %(same)d 个。")
            % {"added": len(result.added), "changed": len(result.changed), "same": len(result.unchanged)},
        )
        return redirect(report.url)

    def _render(self, request, form: GridForm | None, status: int = 200):
        report = self.report
        user = request.user
        if report.data_set.by_operator and report.operator is None:
            operators = Operator.objects.order_by("position", "code")
            return render(
                request,
                "collection/entry.html",
                {
                    "report": report,
                    "choose_operator": [
                        {
                            "operator": o,
                            "url": entry_url(report.data_set, report.org_unit, str(report.period), o),
                        }
                        for o in operators
                    ],
                },
            )
        # computed from the stored values only: kept until they change (audit.fragments; a save moves the key)
        findings = kept(request, "entry-findings", lambda: findings_of(report.submission, report.rows))
        grid = _grid(report, form, findings)
        editable = report.writable
        workflow = workflow_context(user, report.submission, findings, next_url=report.url)
        reviewing = any(a["action"] not in REPORTER_ACTIONS for a in workflow["actions"])
        return render(
            request,
            "collection/entry.html",
            {
                "report": report,
                "grid": grid,
                "editable": editable,
                "form": form,
                "findings": findings,
                "error_count": sum(1 for f in findings or () if f.importance == "error"),
                "warning_count": sum(1 for f in findings or () if f.importance == "warning"),
                "previous": str(report.period.previous()),
                # the words every cell repeats, translated once
                "labels": {
                    "previous": _("上期"),
                    "previous_title": _("上期（%(previous)s）的值") % {"previous": report.period.previous()},
                    "lineage": _("数据值来源（原始数据汇总）"),
                    "source": _("源"),
                },
                "workflow": workflow,
                # the reviewer compares the sources before approving, returning or unlocking
                "reconciliation": reconciliation_of(report.submission) if reviewing else None,
                "template_url": _optional_url("collection:template", report),
                "upload_url": _optional_url("collection:upload", report) if editable else None,
                "texts": {
                    "changed": _("已修改 {n} 个单元格，尚未保存。"),
                    "ignored": _("粘贴内容超出表格，{n} 个单元格被忽略。"),
                },
            },
            status=status,
        )


def _submission(request, pk: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("data_set", "org_unit", "operator", "submitted_by", "reviewed_by"),
        pk=pk,
    )
    if not may_read(request.user, submission):
        deny(request.user, "data.view", submission, request=request)
    return submission


def render_submission(request, submission: Submission, *, errors=(), posted=None, status: int = 200):
    findings = findings_of(submission)
    url = entry_url(submission.data_set, submission.org_unit, submission.period, submission.operator)
    here = reverse("collection:submission", kwargs={"pk": submission.pk})
    return render(
        request,
        "collection/submission.html",
        {
            "submission": submission,
            "events": submission.events.select_related("actor"),
            "entry_url": url,
            "findings": findings,
            "errors": list(errors),
            "workflow": workflow_context(request.user, submission, findings, next_url=here, posted=posted),
            "reconciliation": reconciliation_of(submission),
            "explanations": sorted(submission.explanations.items()),
        },
        status=status,
    )


class SubmissionView(LoginRequiredMixin, View):
    """One report's page: its status, who submitted and reviewed it and when, the reason of a return or an
    unlock, its history, the findings and the workflow steps this user may take."""

    def get(self, request, pk: int):
        require(request.user, "data.view", request=request)
        return render_submission(request, _submission(request, pk))


class ActView(LoginRequiredMixin, View):
    """POST a workflow step (submit, withdraw, approve, return, unlock) through ``submission_act``; a step the
    report's status or rules refuse comes back on the report's page with the reason."""

    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in TRANSITIONS:
            raise Http404(_("没有这个操作。"))
        permission = "data.submit" if action in REPORTER_ACTIONS else "data.approve"
        if not has_permission(request.user, permission):
            deny(request.user, permission, request=request)
        submission = _submission(request, pk)
        form = ActForm(request.POST)
        form.is_valid()
        comment = form.cleaned_data.get("comment", "")
        try:
            submission_act(
                actor=request.user,
                submission=submission,
                action=action,
                comment=comment,
                explanations=form.explanations() if action == SubmissionAction.SUBMIT else None,
                request=request,
            )
        except ValidationError as exc:
            submission.refresh_from_db()
            return render_submission(request, submission, errors=exc.messages, posted=request.POST)
        messages.success(
            request,
            _("%(action)s：%(submission)s，当前状态为“%(status)s”。")
            % {
                "action": SubmissionAction(action).label,
                "submission": submission,
                "status": submission.get_status_display(),
            },
        )
        target = form.cleaned_data.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("collection:submission", kwargs={"pk": submission.pk})
        return redirect(target)


urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    path("entry/<str:data_set>/<str:org>/<str:period>/", EntryView.as_view(), name="entry"),
    path("submissions/<int:pk>/", SubmissionView.as_view(), name="submission"),
    path("submissions/<int:pk>/<str:action>/", ActView.as_view(), name="act"),
]
