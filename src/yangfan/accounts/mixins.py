from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin

from yangfan.accounts.permissions import require


class PermissionMixin(LoginRequiredMixin):
    """A view that needs ``permission`` (on ``permission_object()``, when it returns one)."""

    permission: str = "plan.read"

    def permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.request, self.args, self.kwargs = request, args, kwargs
        require(request.user, self.permission, self.permission_object(), request=request)
        return super().dispatch(request, *args, **kwargs)
