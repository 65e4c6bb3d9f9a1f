"""报送情况 (completeness and timeliness), the reviewer's inbox (待办) and the reminder list (催报清单) with its
export. The computation is in ``collection.completeness`` and ``collection.reminders``; these views read the
query, call it within the user's view scope, and render."""

from __future__ import annotations

from django.http import Http404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.actionplans.display import localized_name
from yangfan.audit.downloads import audited_download
from yangfan.collection import completeness
from yangfan.collection.completeness import CompletenessError
from yangfan.collection.reminders import open_reminders, reminder_candidates, responsible_users
from yangfan.collection.selectors import deadline
from yangfan.documents.tables import csv_bytes
from yangfan.documents.xlsx import table_bytes


def submission_url(pk: int) -> str | None:
    """The submission's page, once the collection app has one (built beside this module)."""
    try:
        return reverse("collection:submission", kwargs={"pk": pk})
    except NoReverseMatch:
        return None


class StatusQueryMixin:
    """Reads ``?data_set=&period=`` (defaults: the first data set, its latest ended period)."""

    def selection(self) -> dict:
        data_sets = list(completeness.data_set_list())
        if not data_sets:
            raise Http404(_("尚未加载任何数据集。"))
        code = self.request.GET.get("data_set") or ""
        data_set = next((d for d in data_sets if d.code == code), None)
        error = ""
        if code and data_set is None:
            error = _("未知数据集“%(code)s”") % {"code": code}
        data_set = data_set or data_sets[0]
        period = completeness.current_period(data_set)
        text = (self.request.GET.get("period") or "").strip()
        if text:
            try:
                period = completeness.parse_period(data_set, text)
            except CompletenessError as exc:
                error = str(exc)
        return {"data_sets": data_sets, "data_set": data_set, "period": period, "query_error": error}


class CompletenessView(StatusQueryMixin, PermissionMixin, TemplateView):
    """每个数据集、每个期间：应报单位、状态、报送时间、是否按时；省级和只读用户看全省，其余只看自己的范围。"""

    template_name = "collection/completeness.html"
    permission = "data.view"

    def get_context_data(self, **kwargs):
        selection = self.selection()
        user = self.request.user
        rows = completeness.completeness_rows(
            data_set=selection["data_set"], period=selection["period"], user=user
        )
        for row in rows:
            row.url = submission_url(row.submission.pk) if row.submission else None
        return super().get_context_data(
            **selection,
            periods=completeness.plan_periods(selection["data_set"]),
            rows=rows,
            deadline=deadline(data_set=selection["data_set"], period=selection["period"]),
            totals=completeness.completeness_totals(rows),
            overview=completeness.completeness_overview(user=user),
            raw=completeness.raw_deliveries(user=user, year=selection["period"].year),
            today=timezone.localdate(),
            **kwargs,
        )


class RemindersView(StatusQueryMixin, PermissionMixin, TemplateView):
    """催报清单: reports not submitted, with the deadline and the days overdue; exported as XLSX or CSV."""

    template_name = "collection/reminders.html"
    permission = "data.view"

    def get_context_data(self, **kwargs):
        everything = not self.request.GET.get("data_set")
        selection = self.selection()
        rows = completeness.reminder_rows(
            user=self.request.user,
            data_set=None if everything else selection["data_set"],
            period=selection["period"],
        )
        return super().get_context_data(**selection, everything=everything, rows=rows, **kwargs)


EXPORT_HEADER = (
    gettext_lazy("数据集"),
    gettext_lazy("数据集代码"),
    gettext_lazy("期间"),
    gettext_lazy("填报单位"),
    gettext_lazy("地区代码"),
    gettext_lazy("运营商"),
    gettext_lazy("报送单位"),
    gettext_lazy("状态"),
    gettext_lazy("截止日期"),
    gettext_lazy("逾期天数"),
    gettext_lazy("负责账号"),
)


class RemindersExportView(StatusQueryMixin, PermissionMixin, View):
    """The reminder list as a file: ``?format=xlsx`` (default) or ``csv``, with the responsible accounts of each
    report; audited as an export."""

    permission = "data.view"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise Http404(_("导出格式应为 xlsx 或 csv"))
        everything = not request.GET.get("data_set")
        selection = self.selection()
        rows = completeness.reminder_rows(
            user=request.user,
            data_set=None if everything else selection["data_set"],
            period=selection["period"],
        )
        candidates = reminder_candidates()
        table = [
            [
                localized_name(row.data_set),
                row.data_set.code,
                row.period,
                row.org_unit.name,
                row.org_unit.code,
                localized_name(row.operator) if row.operator else "",
                row.reporter,
                row.status_label,
                row.deadline.isoformat(),
                row.days_overdue,
                "、".join(
                    f"{u.get_full_name() or u.username}（{u.username}）"
                    for u in responsible_users(row, candidates)
                ),
            ]
            for row in rows
        ]
        what = "全部数据集的当前期间" if everything else f"{selection['data_set'].name} {selection['period']}"
        header = [str(h) for h in EXPORT_HEADER]
        stamp = timezone.localtime().strftime("%Y%m%d")
        if fmt == "csv":
            content = csv_bytes(header, table)
        else:
            widths = (24, 16, 9, 14, 10, 10, 16, 8, 12, 9, 40)
            content = table_bytes(_("催报清单"), header, table, widths=widths)
        return audited_download(
            request,
            content,
            f"reminders-{stamp}.{fmt}",
            object_type="collection.submission",
            object_repr="催报清单",
            detail=f"导出 {len(table)} 条（{fmt}）：{what}",
        )


class InboxView(PermissionMixin, TemplateView):
    """待办: reports waiting for this user's review (oldest first), the user's returned reports, and reminders."""

    template_name = "collection/inbox.html"
    permission = "data.view"

    def get_context_data(self, **kwargs):
        user = self.request.user
        to_review = completeness.review_queue(user)
        returned = completeness.returned_queue(user)
        for submission in (*to_review, *returned):
            submission.url = submission_url(submission.pk)
        return super().get_context_data(
            to_review=to_review,
            returned=returned,
            reminders=open_reminders(user),
            today=timezone.localdate(),
            **kwargs,
        )


urlpatterns = [
    path("completeness/", CompletenessView.as_view(), name="completeness"),
    path("inbox/", InboxView.as_view(), name="inbox"),
    path("reminders/", RemindersView.as_view(), name="reminders"),
    path("reminders/export/", RemindersExportView.as_view(), name="reminders_export"),
]
