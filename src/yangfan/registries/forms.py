"""Entry forms of the registries: one ModelForm per registry; org units limited to those the user manages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.permissions import org_units_in_scope
from yangfan.registries.models import ApplicationCase, Benchmark, Carrier, IndustryVpn, Supplier
from yangfan.registries.services import referable, references

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.ModelForm):
    """Limits the org unit to the units the user may write entries for, and the entries of other registries it
    may point at (a case's VPN and suppliers, a benchmark's case) to those the user may read, besides those the
    entry points at already."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_units_in_scope(user, "registries.manage").order_by(
            "level", "position", "code"
        )
        for name in references(self._meta.model):
            if name in self.fields:
                field = self.fields[name]
                field.queryset = referable(field.queryset, user=user, entry=self.instance, name=name)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE


class SupplierForm(EntryForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "credit_code",
            "org_unit",
            "sectors",
            "capabilities",
            "contact",
            "listed_on",
            "delisted_on",
            "published",
            "remark",
        ]
        widgets = {"sectors": forms.CheckboxSelectMultiple, "listed_on": DATE, "delisted_on": DATE}


class IndustryVpnForm(EntryForm):
    class Meta:
        model = IndustryVpn
        fields = [
            "name",
            "enterprise",
            "operator",
            "sector",
            "org_unit",
            "vpn_type",
            "commissioned_on",
            "retired_on",
            "remark",
        ]
        widgets = {"commissioned_on": DATE, "retired_on": DATE}


class ApplicationCaseForm(EntryForm):
    media_url = forms.URLField(label=_("图文或视频链接"), required=False, assume_scheme="https")

    class Meta:
        model = ApplicationCase
        fields = [
            "name",
            "sector",
            "scenario",
            "enterprise",
            "org_unit",
            "suppliers",
            "operator",
            "network_form",
            "vpn",
            "stage",
            "started_on",
            "description",
            "figures",
            "media_url",
            "bloom_cup",
            "remark",
        ]
        widgets = {"started_on": DATE, "suppliers": forms.SelectMultiple(attrs={"size": 6})}


class BenchmarkForm(EntryForm):
    class Meta:
        model = Benchmark
        fields = ["case", "sector", "year", "org_unit", "published_on", "document", "revoked_on", "remark"]
        widgets = {"published_on": DATE, "revoked_on": DATE}


class CarrierForm(EntryForm):
    class Meta:
        model = Carrier
        fields = [
            "kind",
            "name",
            "operator_org",
            "sector",
            "org_unit",
            "recognised_on",
            "recognised_by",
            "retired_on",
            "remark",
        ]
        widgets = {"recognised_on": DATE, "retired_on": DATE}


FORMS = {
    "cases": ApplicationCaseForm,
    "vpns": IndustryVpnForm,
    "suppliers": SupplierForm,
    "benchmarks": BenchmarkForm,
    "carriers": CarrierForm,
}
