"""Entry forms of the registries, made from their specs; org units limited to those where the user may write the
registry's entries (its spec's ``write``), references to other entries to those the user may read."""

from __future__ import annotations

from functools import cache

from django import forms
from django.db import models

from yangfan.accounts.permissions import org_units_in_scope
from yangfan.audit.conflicts import version_of
from yangfan.audit.forms import DateField
from yangfan.registries.services import referable, references
from yangfan.registries.specs import SPECS, spec_of


class EntryForm(forms.ModelForm):
    """Limits the org unit to the units the user may write entries for, and the entries of other registries it
    may point at (a case's VPN and suppliers, a benchmark's case) to those the user may read, besides those the
    entry points at already."""

    # the version of the entry the form was opened on (``audit.conflicts.version_of``): a save over a newer one,
    # made meanwhile from another page, is refused by ``entry_save`` instead of undoing it unseen
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_of(self.instance)
        write = spec_of(self._meta.model).write
        self.fields["org_unit"].queryset = org_units_in_scope(user, write).order_by(
            "level", "position", "code"
        )
        for name in references(self._meta.model):
            if name in self.fields:
                field = self.fields[name]
                field.queryset = referable(field.queryset, user=user, entry=self.instance, name=name)


@cache
def entry_form(slug: str) -> type[EntryForm]:
    """The entry form of registry ``slug``, made from its spec (once): its fields in order, its widgets."""
    spec = SPECS[slug]
    return forms.modelform_factory(
        spec.model,
        form=EntryForm,
        fields=list(spec.fields),
        widgets=spec.widgets,
        formfield_callback=_formfield,
    )


def _formfield(model_field, **kwargs):
    """Dates as the browser's date picker; a link typed without a scheme taken as https."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    if isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)
