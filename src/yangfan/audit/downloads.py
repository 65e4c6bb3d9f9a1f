"""Every file a user takes away is a download through :func:`audited_download`: an export entry in the audit
trail (who, what, from where), then the file as an attachment of the type its name says.

The caller has checked that the user may read what the file holds; this records that it left."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.documents.formats import content_type


def audited_download(
    request,
    content: bytes | IO[bytes] | Iterable[bytes],
    name: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: str = "",
    mime: str | None = None,
) -> HttpResponse | FileResponse | StreamingHttpResponse:
    """``content`` (bytes, an open file, or chunks of bytes to stream) as the attachment ``name``, its export
    audited first: ``obj`` or ``object_type``/``object_id`` name what it came from; ``object_repr`` defaults
    to the file's name. ``mime`` overrides the type the name gives."""
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        request=request,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr or ("" if obj is not None else name),
        detail=detail,
    )
    kind = mime or content_type(name)
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=kind)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=kind)
    else:
        response = StreamingHttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
