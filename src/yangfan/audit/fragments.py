"""Parts of a page kept while nothing they show can have changed: the dashboard a leader lands on is computed once
and then served as a lookup until the data changes.

What a part shows depends on the data, on who reads it (their scope and roles), on the day (a report is late
from the day after its deadline), on the language and on the request's parameters. The key holds each of them;
the data is named by the head of the audit trail (``audit.selectors.trail_head``): every service writes its
audit entry in the transaction of its change (a value, a registry entry, a target, a role, a report, a plan's
load), so the head moves exactly when committed data does, and a part computed under one head stays true while
the head is the same. Nothing has to be invalidated, by any writer: a new head makes new keys, and the old
entries age out of the cache (``settings.CACHES["fragments"]``, in each server process's memory).

The head is read before the part is computed, so a part is never older than its key: a change committed while
it is computed is either in it or, under the next head, computed again.

Refusals happen before a part is looked up (``portal.dashboard.dashboard_target`` audits them), so a kept part
never stands in for a permission check.

It lives in the audit app, whose trail names the data, rather than with the dashboard: the pages of the apps
above (the entry grid, the API) keep parts too, and the audit app is below every one of them (ADR 0013).
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256
from typing import TypeVar

from django.core.cache import caches
from django.utils import timezone, translation

from yangfan.audit.selectors import trail_head

CACHE = "fragments"
T = TypeVar("T")


def fragment_key(request, name: str) -> str:
    """The key of part ``name`` of the page ``request`` asks for, as this user reads it today."""
    user = request.user
    query = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    parts = [
        name,
        str(user.pk),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        trail_head(),
        request.path,
        repr(query),
    ]
    return f"{name}:{sha256(chr(31).join(parts).encode()).hexdigest()}"


def kept(request, name: str, build: Callable[[], T]) -> T:
    """What ``build()`` returns for this request: computed once per key (``fragment_key``), then read."""
    key = fragment_key(request, name)
    cache = caches[CACHE]
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found)
    return found
