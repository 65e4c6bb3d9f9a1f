"""How the API answers an error, decided once (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

What DRF knows (its own exceptions, Django's ``Http404`` and ``PermissionDenied``) it answers as usual. A service's
refusal of an input (Django's ``ValidationError``, or one of the ``YangfanError`` family: a period that cannot
be read, a filter, a file; in Chinese) is 400 ``{"detail": "…"}``, the shape every endpoint
uses, so that no view catches it itself. Anything else is the server's fault and stays a 500.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from yangfan.core.errors import YangfanError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, YangfanError):  # the core's and the apps' refusals of an input (a period, a filter)
        exc = ValidationError({"detail": str(exc)})
    return drf_exception_handler(exc, context)
