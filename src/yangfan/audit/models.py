"""The audit entry: one immutable, hash-chained row per thing that happened."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from yangfan.audit.chain import HASHED_FIELDS, entry_content
from yangfan.audit.choices import AuditAction


class AuditEntryImmutable(Exception):
    """An attempt to change, delete or bypass the chain of audit entries through the ORM."""

    def __init__(self, operation: str):
        self.operation = operation
        super().__init__(f"audit entries are append-only: {operation} refused (write them with audit_record)")


class AuditEntryQuerySet(models.QuerySet):
    """Reads only: every bulk write is refused, so no code path can rewrite or thin out the trail."""

    def update(self, **kwargs):
        raise AuditEntryImmutable("update")

    def delete(self):
        raise AuditEntryImmutable("delete")

    def _raw_delete(self, using):
        raise AuditEntryImmutable("delete")

    def bulk_create(self, objs, *args, **kwargs):
        raise AuditEntryImmutable("bulk_create")

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AuditEntryImmutable("bulk_update")


class AuditEntry(models.Model):
    """Who did what, when, from which address, to which object, with the old and new values.

    The actor is copied as id and username, not linked: deleting or renaming a user changes no entry.
    Entries are written only by ``services.audit_record``; ``seq`` numbers them 1, 2, 3, … and ``hash``
    chains each to the one before (see ``chain.py``). The table refuses UPDATE and DELETE (``guards.py``).
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), db_index=True, editable=False)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True, editable=False)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True, db_index=True, editable=False)
    action = models.CharField(
        _("操作"), max_length=32, choices=AuditAction.choices, db_index=True, editable=False
    )
    # no index of its own: audit_object_idx (object_type, object_id) serves a filter on the type alone
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("对象标识"), max_length=100, blank=True, editable=False)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True, editable=False)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, editable=False)
    ip = models.CharField(_("IP地址"), max_length=45, blank=True, editable=False)
    detail = models.TextField(_("说明"), blank=True, editable=False)
    prev_hash = models.CharField(_("前序哈希"), max_length=64, editable=False)
    # not unique (seq is): an index of random keys cost every append a random page of it, and ever more of
    # them as the trail grew (migration 0006); nothing looks an entry up by its hash
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        who = self.actor_username or "—"
        return f"#{self.seq} {who} {self.get_action_display()} {self.object_repr}".rstrip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryImmutable("save of an existing entry")
        if not self.hash:
            raise AuditEntryImmutable("save without a hash")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("delete")

    def content(self) -> dict[str, Any]:
        """The fields the hash covers, as ``chain.entry_content`` formats them."""
        return entry_content(**{name: getattr(self, name) for name in HASHED_FIELDS})

    def change_rows(self) -> list[tuple[str, str | None, str | None]]:
        """``changes`` as (field, old, new) text rows for display; a value of another shape goes in "new"."""
        if not isinstance(self.changes, dict):
            return [("", None, _display(self.changes))]
        rows = []
        for name, value in sorted(self.changes.items()):
            if isinstance(value, list | tuple) and len(value) == 2:
                rows.append((name, _display(value[0]), _display(value[1])))
            else:
                rows.append((name, None, _display(value)))
        return rows


def _display(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
