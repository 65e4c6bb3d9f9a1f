"""Uploaded files over ``YANGFAN_IMPORT_MAX_MB``, refused as they arrive, in one place for every page and the API.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` leaves files out and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides when a
file goes to disk: without a limit a worker reads, stores and then parses whatever it is sent. The first upload
handler (``FILE_UPLOAD_HANDLERS``) counts each file's bytes and stops the upload at the first byte past the
limit, before any view sees the file, so no import, form or service has to check the size again. The middleware
turns the refusal into a page (or, under ``/api/``, a JSON body) with status 413 naming the file, the size it
had reached and the limit, whichever part of the request read the body first (the CSRF check, a form, DRF). A body that is not a
file upload (the API's JSON) is refused by its declared length before any of it is read.

An ingest's raw files run to gigabytes and go straight to disk: its page sets its own handler
(``ingests.forms.IngestUploadHandler``) in place of these, as it always did.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yangfan.documents.limits import size_text

REFUSED = "_yangfan_upload_refused"  # the request attribute the handler leaves for the middleware


class UploadTooLarge(RequestDataTooBig):
    """An uploaded file past the limit. A ``SuspiciousOperation``, so that wherever the body is read Django answers
    400 rather than 500 even before the middleware puts its own page in place."""

    def __init__(self, name: str, size: int, limit: int):
        self.name, self.size, self.limit = name, size, limit
        super().__init__(f"uploaded file {name!r} over {limit} bytes")


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of each file as they arrive and stops the upload when one has more than the limit: the
    bytes before are dropped with the rest of the request, none after is read into a file."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.YANGFAN_IMPORT_MAX_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.limit:
            refused = UploadTooLarge(self.file_name, self.size, self.limit)
            setattr(self.request, REFUSED, refused)
            raise refused
        return raw_data  # on to the handlers that keep it

    def file_complete(self, file_size):
        return None  # the next handler makes the file


class UploadLimitMiddleware:
    """The page (or API answer) of a refused upload, in place of whatever the request came to after the handler
    stopped it: a 400 of Django's when the CSRF check read the body, the view's exception otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _content_length(request)
        if length > settings.YANGFAN_IMPORT_MAX_BYTES and not request.content_type.startswith("multipart/"):
            # a body that is no file upload (the API's JSON): its declared length says enough, nothing is read
            message = _("请求内容有 %(size)s，超过上限 %(limit)s，未读取。") % {
                "size": size_text(length),
                "limit": size_text(settings.YANGFAN_IMPORT_MAX_BYTES),
            }
            return self.answer(request, message, page=False)  # no user or session yet for the site's page
        response = self.get_response(request)
        refused = getattr(request, REFUSED, None)
        if refused is None or response.status_code == 413:  # none, or already answered (process_exception)
            return response
        return self.refusal(request, refused)

    def process_exception(self, request, exception):
        if isinstance(exception, UploadTooLarge):
            return self.refusal(request, exception)
        return None

    def refusal(self, request, refused: UploadTooLarge):
        message = _("文件“%(name)s”超过上传大小上限 %(limit)s（已收到 %(size)s 时停止接收），未读取。") % {
            "name": refused.name,
            "limit": size_text(refused.limit),
            "size": size_text(refused.size),
        }
        return self.answer(request, message)

    @staticmethod
    def answer(request, message: str, *, page: bool = True):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        if not page:
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return render(request, "portal/upload_refused.html", {"message": message}, status=413)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
