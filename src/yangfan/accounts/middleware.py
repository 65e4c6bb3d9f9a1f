"""Requests of a signed-in user that must first change the password or pass the second factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.shortcuts import redirect
from django.urls import reverse

from yangfan.accounts.permissions import administers

ALWAYS_ALLOWED = (
    "accounts:password_change",
    "accounts:password_change_done",
    "logout",
    "set_language",
    "accounts:otp_setup",
    "accounts:otp_verify",
)


class SessionRefreshMiddleware:
    """Renews a signed-in session's idle expiry at most once every ``SESSION_REFRESH_SECONDS``.

    Saving the session on every request (Django's ``SESSION_SAVE_EVERY_REQUEST``) made every page a write: three
    queries more, and on SQLite a page waited behind a long import's write and failed with "database is locked".
    The idle limit stays ``SESSION_COOKIE_AGE`` to within the refresh interval."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.session_key:
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) < settings.SESSION_REFRESH_SECONDS:
            return response
        if session.modified:  # the view changed the session: SessionMiddleware saves it, with the new time
            session[self.KEY] = now
            return response
        session[self.KEY] = now
        try:  # a long write holding the database (an ingest on SQLite) delays the refresh, never the page
            with transaction.atomic():
                session.save()
        except DatabaseError:
            pass
        session.modified = False
        return response


class AccountGateMiddleware:
    """Sends a user who must change the password, or who must pass TOTP, to that page first.

    Two-factor login is optional for everyone and required for administrators: an administrator without a
    confirmed device is sent to set one up; anyone with a confirmed device must enter a code after the password.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request):
            target = self._gate(request, user)
            if target:
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        if request.path.startswith(("/static/", "/favicon")):
            return True
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in ALWAYS_ALLOWED

    @staticmethod
    def _gate(request, user) -> str | None:
        from django_otp import user_has_device

        if not user.is_verified():
            if user_has_device(user, confirmed=True):
                return "accounts:otp_verify"
            if administers(user):
                return "accounts:otp_setup"
        if user.must_change_password:
            return "accounts:password_change"
        return None
