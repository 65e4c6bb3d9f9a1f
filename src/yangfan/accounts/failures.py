"""Every request's id, and what the site says when the machine under it fails (ADR 0018).

A user who reports "the page said 500" can give the request id the page shows; the same id is on the response
(``X-Request-ID``) and on every log record written while the request ran, so the administrator finds its
traceback. What failed decides the answer, the same for pages (``portal.errors``), the API (``api.errors``):

- the database cannot be reached or dropped the connection (restarted, ``pg_terminate_backend``, SQLite locked):
  503 with ``Retry-After``, since waiting is the remedy;
- the disk is full, or the process may not write a path: the path and what to free or fix, since the
  administrator can act on it (a full SQLite disk is a full disk, not a wrong ``YANGFAN_DATABASE_URL``);
- anything else: 500 and the request id.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from yangfan.config import DISK_FULL, storage_problem

RETRY_AFTER_SECONDS = 30
HEADER = "X-Request-ID"
# an id a proxy in front set is kept (its logs and ours then agree), if it looks like one
_INCOMING = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current: ContextVar[str] = ContextVar("yangfan_request_id", default="-")


def request_id() -> str:
    """The id of the request this thread serves ("-" outside a request: a command, a background job)."""
    return _current.get()


class RequestIdMiddleware:
    """Gives every request an id, first of all middleware so that whatever fails after it has one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request.id = incoming if _INCOMING.fullmatch(incoming) else uuid.uuid4().hex
        token = _current.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on a log record (``%(request_id)s`` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


@dataclass(frozen=True)
class Failure:
    """The answer to a request that failed on the server's side: its status, title and one-line message."""

    status: int
    title: str
    message: str
    retry_after: int | None = None


def failure_of(exc: BaseException | None) -> Failure:
    """What to tell the user about ``exc``, raised while serving the current request."""
    problem = None if exc is None else storage_problem(exc)
    if problem is not None and problem.kind == DISK_FULL:
        message = (
            _(
                "服务器磁盘空间已满，无法写入 %(path)s。请系统管理员清理该路径所在的磁盘（如旧的备份、导入文件、日志）后重试。"
            )
            if problem.path
            else _(
                "服务器磁盘空间已满，无法写入。请系统管理员清理扬帆数据目录所在的磁盘（如旧的备份、导入文件、日志）后重试。"
            )
        )
        return Failure(507, _("磁盘空间已满"), message % {"path": problem.path})
    if problem is not None:
        message = (
            _("服务器无权写入 %(path)s。请系统管理员检查该路径的所有者和权限（运行扬帆的系统用户须可读写）。")
            if problem.path
            else _("服务器无权写入所需的文件。请系统管理员检查扬帆数据目录的所有者和权限。")
        )
        return Failure(500, _("没有写入权限"), message % {"path": problem.path})
    if isinstance(exc, (OperationalError, InterfaceError)):
        return Failure(
            503,
            _("服务暂时不可用"),
            _("数据库暂时无法连接，请稍后重试。如持续出现，请联系系统管理员。"),
            retry_after=RETRY_AFTER_SECONDS,
        )
    return Failure(
        500,
        _("服务器内部错误"),
        _("服务器内部错误，请稍后重试。如持续出现，请联系系统管理员并提供请求编号 %(id)s。")
        % {"id": request_id()},
    )
