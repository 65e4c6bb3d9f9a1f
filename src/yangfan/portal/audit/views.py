"""The auditor's pages: the trail (filtered, paginated), one entry, a CSV export and the chain check.

Every page needs ``audit.read`` (the security auditor only: 三权分立); ``PermissionMixin`` asks
``permissions.require``, which records a refusal in the trail. That is why they are here and not in the audit app:
the permission module writes to the trail, so the audit app sits below it and has no pages (ADR 0013).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.audit import selectors
from yangfan.audit.choices import AuditAction
from yangfan.audit.downloads import audited_download
from yangfan.audit.forms import AuditFilterForm
from yangfan.audit.models import AuditEntry
from yangfan.audit.services import audit_verify
from yangfan.documents.tables import csv_chunks

PAGE_SIZE = 50


class AuditMixin(PermissionMixin):
    permission = "audit.read"


class AuditEntryListView(AuditMixin, ListView):
    template_name = "audit/entry_list.html"
    context_object_name = "entries"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        return selectors.audit_entry_list(**self.form.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class AuditEntryDetailView(AuditMixin, DetailView):
    template_name = "audit/entry_detail.html"
    context_object_name = "entry"

    def get_object(self, queryset=None) -> AuditEntry:
        return get_object_or_404(AuditEntry, seq=self.kwargs["seq"])


class AuditVerifyView(AuditMixin, TemplateView):
    """Runs the same check as ``yangfan audit verify``."""

    template_name = "audit/verify.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(result=audit_verify(), **kwargs)


class AuditExportView(AuditMixin, View):
    """The filtered entries as CSV, oldest first, up to the last entry before the export.

    The export is itself an audit entry, which says what was filtered and how many entries left. The file is
    UTF-8 with a byte-order mark, so that Excel shows the Chinese; cells that a spreadsheet would read as a
    formula (``=``, ``+``, ``-``, ``@``) are prefixed with ``'`` (usernames of failed logins are anyone's input).
    """

    def get(self, request, *args, **kwargs):
        form = AuditFilterForm(request.GET or None)
        last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        entries = selectors.audit_entry_list(**form.filters()).filter(seq__lte=last_seq).order_by("seq")
        count = entries.count()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return audited_download(
            request,
            _csv_rows(entries),
            f"audit-{stamp}.csv",
            object_type=AuditEntry._meta.label_lower,
            object_repr="审计日志",  # stored text is in the source language, whatever the auditor's language
            detail=f"导出 {count} 条（截至第 {last_seq} 条）；筛选：{form.describe()}",
        )


def _csv_rows(entries) -> Iterator[bytes]:
    """The file, a line at a time. Headings and labels are translated here, before the response streams."""
    header = [
        _("序号"),
        _("时间"),
        _("操作人ID"),
        _("操作人"),
        _("操作"),
        _("对象类型"),
        _("对象标识"),
        _("对象"),
    ]
    header += [_("变更内容"), _("IP地址"), _("说明"), _("哈希")]
    labels = {value: str(label) for value, label in AuditAction.choices}
    rows = (
        [
            entry.seq,
            timezone.localtime(entry.at).isoformat(timespec="microseconds"),
            entry.actor_id,
            entry.actor_username,
            labels.get(entry.action, entry.action),
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
            entry.ip,
            entry.detail,
            entry.hash,
        ]
        for entry in entries.iterator(chunk_size=2000)
    )
    return csv_chunks(header, rows)
