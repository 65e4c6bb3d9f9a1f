"""The answer to a request that failed on the server's side (``handler500`` in ``yangfan.urls``; ADR 0018).

Django calls the handler while the exception is being handled, so ``sys.exc_info()`` says what failed; the
answer is chosen by ``accounts.failures``: 503 with ``Retry-After`` when the database is out of reach, the path
and the remedy when the disk is full or a path may not be written, else 500 with the request id. Pages are in
the site's layout and the request's language; under ``/api/`` the answer is the API's JSON
``{"detail": …, "request_id": …}``, for what failed before an API view ran (a middleware's database read).

Nothing here may need the database or a signed-in user, which may be what failed: the template is rendered
without context processors, the user menu left out.
"""

from __future__ import annotations

import sys

from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import translation

from yangfan.accounts.failures import Failure, failure_of, request_id


def server_error(request, *args, **kwargs) -> HttpResponse:
    exc = sys.exc_info()[1]
    with translation.override(translation.get_language_from_request(request)):
        failure = failure_of(exc)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": failure.message, "request_id": request_id()},
                status=failure.status,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = _page(request, failure)
    if failure.retry_after:
        response["Retry-After"] = str(failure.retry_after)
    return response


def _page(request, failure: Failure) -> HttpResponse:
    context = {
        "failure": failure,
        "request_id": request_id(),
        "request": request,
        "csrf_token": get_token(request),  # the language switch's form
    }
    template = "503.html" if failure.status == 503 else "500.html"
    return HttpResponse(loader.render_to_string(template, context), status=failure.status)
