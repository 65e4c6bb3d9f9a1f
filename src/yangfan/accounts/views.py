"""Account pages: my account, password change, two-factor set-up and verification, API tokens, and the
administrator's user management. Thin: forms in, services out."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from yangfan.accounts import selectors, services
from yangfan.accounts.forms import (
    OtpTokenForm,
    TokenCreateForm,
    UserCreateForm,
    UserScopeFields,
    UserUpdateForm,
)
from yangfan.accounts.models import User
from yangfan.accounts.permissions import administers, org_units_in_scope, require
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record


@login_required
def account(request):
    """“我的账号”: role, scopes, two-factor status and personal API tokens."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "capture_units": user.capture_org_units.all(),
            "view_units": org_units_in_scope(user, "data.view").filter(level__lte=2),
            "tokens": selectors.token_list(actor=user),
            "token_form": TokenCreateForm(),
            "has_otp": user_has_device(user, confirmed=True),
            "new_token": request.session.pop("new_token", None),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form (old password, policy check), the change itself through the service."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        services.user_set_password(
            actor=self.request.user,
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
            request=self.request,
        )
        update_session_auth_hash(self.request, self.request.user)
        return redirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_POST
@login_required
def token_create(request):
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        _token, raw = services.token_create(
            actor=request.user,
            user=request.user,
            days=form.cleaned_data["days"],
            name=form.cleaned_data["name"],
            request=request,
        )
        request.session["new_token"] = raw
    else:
        messages.error(
            request, _("令牌参数有误：") + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect("accounts:account")


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(selectors.token_list(actor=request.user), pk=pk)
    services.token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:account")


def _next_url(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("portal:home")


@login_required
def otp_setup(request):
    """Set up TOTP: a new, unconfirmed device; confirmed by entering one code from the authenticator app."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="TOTP", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["token"], request=request
        ):
            otp_login(request, device)
            messages.success(request, _("双因素登录已启用。"))
            return redirect(_next_url(request))
        form.add_error("token", _("验证码不正确，请检查手机时间后重试。"))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#083f78")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": _base32(device),
            "next": _next_url(request),
            "required": administers(request.user),
        },
    )


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii")


@login_required
def otp_verify(request):
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                return redirect(_next_url(request))
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor=request.user,
            obj=request.user,
            request=request,
            detail="动态验证码错误",
        )
        form.add_error("token", _("验证码不正确。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def user_list(request):
    return render(
        request,
        "accounts/user_list.html",
        {"users": selectors.user_list(actor=request.user, request=request)},
    )


def _profile(data: dict) -> dict:
    """The fields both user forms hand to the services (UserScopeFields)."""
    return {name: data[name] for name in UserScopeFields.Meta.fields}


@login_required
def user_create(request):
    require(request.user, "users.manage", request=request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                request=request,
                **_profile(data),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("用户 %(u)s 已创建，首次登录时须修改密码。") % {"u": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
def user_edit(request, pk: int):
    require(request.user, "users.manage", request=request)
    user = get_object_or_404(User, pk=pk)
    form = UserUpdateForm(request.POST or None, instance=User.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if user == request.user and not data["is_active"]:
            form.add_error("is_active", _("不能停用自己的账号。"))
        else:
            try:
                services.user_update(
                    actor=request.user,
                    user=user,
                    request=request,
                    is_active=data["is_active"],
                    **_profile(data),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("用户 %(u)s 已保存。") % {"u": user.username})
                return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "edited": user, "locked": services.user_is_locked(user)},
    )


@require_POST
@login_required
def user_unlock(request, pk: int):
    require(request.user, "users.manage", request=request)
    user = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=user, request=request)
    messages.success(request, _("用户 %(u)s 的登录锁定已解除。") % {"u": user.username})
    return redirect("accounts:user_edit", pk=pk)
