from __future__ import annotations

from django.db.models import QuerySet

from yangfan.accounts.models import ApiToken, User
from yangfan.accounts.permissions import require


def user_list(*, actor: User, request=None) -> QuerySet[User]:
    require(actor, "users.manage", request=request)
    return User.objects.select_related("responsible_unit", "operator").prefetch_related("capture_org_units")


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """A user's own tokens; nobody lists another user's tokens."""
    return ApiToken.objects.filter(user=actor)
