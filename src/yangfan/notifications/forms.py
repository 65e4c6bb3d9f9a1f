from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WebhookEndpointForm(forms.Form):
    """The address of a receiver; whether it is one (http or https) is the service's to say, so that every entry
    point gets the same answer."""

    url = forms.CharField(
        label=_("推送地址"),
        max_length=500,
        help_text=_("接收方的 http:// 或 https:// 地址，例如政务协同平台提供的回调地址。"),
        widget=forms.TextInput(attrs={"size": 60, "placeholder": "https://"}),
    )
