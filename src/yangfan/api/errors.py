"""How the API answers an error, decided once (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

What DRF knows (its own exceptions, Django's ``Http404`` and ``PermissionDenied``) it answers as usual. A service's
refusal of an input (Django's ``ValidationError``, or one of the ``YangfanError`` family: a period that cannot
be read, a filter, a file; in Chinese) is 400 ``{"detail": "…"}``, the shape every endpoint
uses, so that no view catches it itself; a write that lost a race (``audit.conflicts``, ADR 0017) is 409
``{"detail", "status"}`` with the state found, or 412 ``{"detail", "changed"}`` when its ``If-Match`` named an
older version. Anything else is the server's fault: JSON too, never Django's HTML page,
``{"detail": "…", "request_id": "…"}`` with the status ``accounts.failures`` chooses (503 and ``Retry-After``
when the database is out of reach, the path and the remedy when the disk is full or may not be written, else
500), logged with its traceback under the same request id (ADR 0018).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from yangfan.accounts.failures import failure_of, request_id
from yangfan.audit.conflicts import Conflict, StaleVersion
from yangfan.core.errors import YangfanError

logger = logging.getLogger("django.request")  # where Django logs the 500s it answers itself


def exception_handler(exc, context):
    # another user's write came first: the state found, or what the write would overwrite
    if isinstance(exc, Conflict):
        set_rollback()  # as DRF does for the refusals it answers
        extra = {"changed": exc.changed} if isinstance(exc, StaleVersion) else {"status": exc.status}
        return Response({"detail": " ".join(exc.messages), **extra}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, YangfanError):  # the core's and the apps' refusals of an input (a period, a filter)
        exc = ValidationError({"detail": str(exc)})
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    return _server_error(exc, context)


def _server_error(exc: BaseException, context) -> Response:
    failure = failure_of(exc)
    request = context.get("request")
    path = getattr(request, "path", "")
    logger.error(
        "%s: %s",
        "Service Unavailable" if failure.status == 503 else "Internal Server Error",
        path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": failure.status, "request": getattr(request, "_request", request)},
    )
    set_rollback()  # what the view wrote before it failed is not kept (ATOMIC_REQUESTS, an atomic service)
    headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else None
    return Response(
        {"detail": failure.message, "request_id": request_id()}, status=failure.status, headers=headers
    )
