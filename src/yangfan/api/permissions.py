"""DRF's side of the one permission function: each API view names its permission; objects are checked by
``yangfan.accounts.permissions.require`` exactly as the web pages do."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from yangfan.accounts.permissions import require


class Needs(BasePermission):
    """``permission_classes = [Needs]`` with ``required_permission = "plan.read"`` on the view."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        require(request.user, view.required_permission, request=request._request)
        return True

    def has_object_permission(self, request, view, obj):
        require(request.user, view.required_permission, obj, request=request._request)
        return True
