"""Refusals of a write that lost a race (ADR 0017): what it decided on changed between the moment the user saw it
and the moment the write took its lock. Every app raises these from its services; they sit in the lowest Django
layer so that all of them can.

Both are Django ``ValidationError`` s, so every page that shows a service's refusal as a message shows these too,
with no view of its own; the API answers them with their own status (``api.errors``): 409 ``{"detail", "status"}``
for a step the current state no longer allows, 412 ``{"detail", "changed"}`` for a save over a newer version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Conflict(ValidationError):
    """A step refused because another user's step came first: ``status`` is the state the row is in now (its
    stored value, e.g. ``approved``), for the API's answer."""

    http_status = 409

    def __init__(self, message: str, *, status: str = ""):
        super().__init__(message, code="conflict")
        self.status = status


class StaleVersion(Conflict):
    """A save refused because the row was saved by someone else after the form or the ``If-Match`` was read:
    ``changed`` names the fields (their labels) of the refused save that differ from what is stored now."""

    http_status = 412

    def __init__(self, message: str, *, changed: list[str] | None = None):
        super().__init__(message)
        self.changed = list(changed or [])


def version_of(obj) -> str:
    """The version a user saw of ``obj``: its ``updated_at`` (saved by every save, ``auto_now``) as an opaque token
    (microseconds since the epoch), for a form's hidden field and the API's ``ETag``. Empty for an unsaved row."""
    stamp = getattr(obj, "updated_at", None)
    if obj.pk is None or stamp is None:
        return ""
    return str((stamp - EPOCH) // timedelta(microseconds=1))  # exact: no float between the two readings


def version_check(*, seen: str | None, mine, stored, fields: Iterable[str] | None = None) -> None:
    """Refuse with ``StaleVersion`` when ``seen`` (a token of :func:`version_of`, or None when the caller sent
    none: a script that does not care) is not the version of ``stored``, the row just re-read under a lock inside
    the write's transaction. The refusal says who saved last and when (from the audit trail), and which fields
    of ``mine`` (the row as the user would save it) differ from what is stored now: what they would overwrite
    (``fields``: the names the user edits; every editable field by default)."""
    if seen is None:
        return
    token = str(seen).strip().removeprefix("W/").strip('"')
    if token == version_of(stored):
        return
    from yangfan.audit.models import AuditEntry

    last = (
        AuditEntry.objects.filter(object_type=stored._meta.label_lower, object_id=str(stored.pk))
        .order_by("-seq")
        .values_list("actor_username", flat=True)
        .first()
    )
    compared = (
        [stored._meta.get_field(name) for name in fields]
        if fields is not None
        else [f for f in stored._meta.concrete_fields if f.editable and not f.primary_key]
    )
    changed = [
        str(field.verbose_name)
        for field in compared
        if field.name != "updated_at" and field.value_from_object(mine) != field.value_from_object(stored)
    ]
    raise StaleVersion(
        _("该记录已于 %(when)s 被%(who)s修改，您的操作未执行。%(changed)s请重新打开后再改。")
        % {
            "when": timezone.localtime(stored.updated_at).strftime("%Y-%m-%d %H:%M:%S"),
            "who": f" {last} " if last else _("他人"),
            "changed": _("与您提交的不同之处：%(fields)s。") % {"fields": "、".join(changed)}
            if changed
            else "",
        },
        changed=changed,
    )
