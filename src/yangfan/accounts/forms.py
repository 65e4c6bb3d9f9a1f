from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.models import User


class UserScopeFields(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "first_name",
            "role",
            "capture_org_units",
            "view_org_units",
            "responsible_unit",
            "operator",
            "enterprise",
        ]
        labels = {"first_name": _("姓名")}
        widgets = {
            "capture_org_units": forms.SelectMultiple(attrs={"size": 8}),
            "view_org_units": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "capture_org_units": _("填报或审核哪些地区的数据；一个单位包含计入它的下级单位。"),
            "view_org_units": _("可查看哪些地区的数据；留空时按角色默认（省级管理员和只读用户为全省）。"),
        }


class UserCreateForm(UserScopeFields):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput, strip=False, help_text=_("用户首次登录时须修改。")
    )

    class Meta(UserScopeFields.Meta):
        fields = ["username", *UserScopeFields.Meta.fields]


class UserUpdateForm(UserScopeFields):
    class Meta(UserScopeFields.Meta):
        fields = [*UserScopeFields.Meta.fields, "is_active"]
        labels = {**UserScopeFields.Meta.labels, "is_active": _("启用")}


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=366, initial=90)


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
