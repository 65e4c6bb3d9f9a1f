"""待办 (the inbox every signed-in user has: only their own items) and the webhook configuration of the offices
(``notifications.configure``: the provincial office for every unit, a city's office for its city)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import may, org_units_in_scope
from yangfan.notifications import selectors, services
from yangfan.notifications.forms import WebhookEndpointForm
from yangfan.notifications.models import WebhookEndpoint
from yangfan.notifications.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from yangfan.orgunits.models import OrgUnit

PAGE_SIZE = 20
SECRET_SESSION_KEY = "new_webhook_secret"


def _back(request, default: str) -> str:
    """Where a form on the inbox goes back to: its ``next`` when it is a page of this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class InboxView(LoginRequiredMixin, TemplateView):
    """The user's open notifications, newest first, a page at a time; above them, on the first page, what the
    other apps keep waiting (催报 reminders, by deadline). Reads the page it shows, not the whole history."""

    template_name = "notifications/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        page = Paginator(selectors.notification_list(user=user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page=page,
            notifications=list(page.object_list),
            items=selectors.inbox_items(user=user) if page.number == 1 else [],
            may_configure=may(user, "notifications.configure"),
            here=self.request.get_full_path(),
            **kwargs,
        )


class NotificationMixin(LoginRequiredMixin):
    """One of the user's own notifications: another user's id is not found (404), never refused by name."""

    def notification(self, pk: int):
        return get_object_or_404(selectors.notification_mine(user=self.request.user), pk=pk)


class NotificationOpenView(NotificationMixin, View):
    """Follow a notification's link, marking it read."""

    def get(self, request, pk: int):
        notification = services.notification_read(actor=request.user, notification=self.notification(pk))
        url = notification.url
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            return redirect(url)
        return redirect("notifications:inbox")


class NotificationReadView(NotificationMixin, View):
    def post(self, request, pk: int):
        services.notification_read(actor=request.user, notification=self.notification(pk))
        return redirect(_back(request, reverse("notifications:inbox")))


class NotificationDoneView(NotificationMixin, View):
    def post(self, request, pk: int):
        services.notification_done(actor=request.user, notification=self.notification(pk), request=request)
        messages.success(request, _("已办结。"))
        return redirect(_back(request, reverse("notifications:inbox")))


# --- webhooks --------------------------------------------------------------------------------------------------


class WebhookListView(PermissionMixin, TemplateView):
    """The endpoints of the units the office configures, their latest deliveries, and the choice of a unit for a
    new one (``?org=`` goes to that unit's form)."""

    template_name = "notifications/webhooks.html"
    permission = "notifications.configure"

    def get(self, request, *args, **kwargs):
        org = request.GET.get("org", "").strip()
        if org:
            return redirect("notifications:webhook_new", org=org)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            endpoints=list(selectors.endpoint_list(actor=user)),
            deliveries=selectors.delivery_list(actor=user),
            units=org_units_in_scope(user, "notifications.configure").order_by("code").only("code", "name"),
            new_secret=self.request.session.pop(SECRET_SESSION_KEY, None),
            signature_header=SIGNATURE_HEADER,
            timestamp_header=TIMESTAMP_HEADER,
            **kwargs,
        )


class WebhookNewView(PermissionMixin, View):
    """A new endpoint for the unit in the address: only a unit the office configures (another city's is refused
    and the refusal audited). A bad address comes back with the reason; nothing is saved."""

    permission = "notifications.configure"

    def permission_object(self):
        self.unit = get_object_or_404(OrgUnit, code=self.kwargs["org"])
        return self.unit

    def render(self, form, status=200):
        return render(
            self.request, "notifications/webhook_new.html", {"form": form, "unit": self.unit}, status=status
        )

    def get(self, request, org: str):
        return self.render(WebhookEndpointForm())

    def post(self, request, org: str):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = services.webhook_endpoint_create(
                    actor=request.user, org_unit=self.unit, url=form.cleaned_data["url"], request=request
                )
            except ValidationError as exc:
                form.add_error("url", exc)
            else:
                # shown once, on the next page: kept in the server-side session, never in a message cookie
                request.session[SECRET_SESSION_KEY] = {"id": endpoint.pk, "secret": secret}
                messages.success(request, _("推送接口已添加。"))
                return redirect("notifications:webhooks")
        return self.render(form, status=400)


class WebhookDisableView(PermissionMixin, View):
    permission = "notifications.configure"

    def permission_object(self):
        self.endpoint = get_object_or_404(
            WebhookEndpoint.objects.select_related("org_unit"), pk=self.kwargs["pk"]
        )
        return self.endpoint

    def post(self, request, pk: int):
        services.webhook_endpoint_disable(actor=request.user, endpoint=self.endpoint, request=request)
        messages.success(request, _("推送接口已停用。"))
        return redirect("notifications:webhooks")
