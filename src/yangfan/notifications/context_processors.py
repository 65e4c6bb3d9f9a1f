"""The count of the top bar: what waits for the signed-in user (open notifications and the sources' items, such
as the 催报 reminders), linking to the inbox; at most one query per kind of item."""

from __future__ import annotations

from yangfan.notifications.selectors import inbox_count as _inbox_count


def inbox_count(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_count": _inbox_count(user=user)}
