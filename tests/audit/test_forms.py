"""Every date a form asks for goes to the browser's date picker as ``YYYY-MM-DD``, in either language: the picker
stays blank for ``2023/12/31`` (a Chinese page's date format), so a notice prefilled with its deadline could not be
issued until the date was typed again. The forms share ``audit.forms.DateField``; a form that asks for a date
without it fails here."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.urls import get_resolver
from django.utils import translation

from yangfan.actionplans.forms import UnitTargetForm
from yangfan.actionplans.models import Task
from yangfan.audit.forms import AuditFilterForm, DateField, DateInput
from yangfan.registries.forms import entry_form
from yangfan.registries.specs import SPECS
from yangfan.security.forms import AssessmentForm, RiskExtendForm, RiskForm, RiskResponseForm
from yangfan.security.models import Assessment
from yangfan.security.selectors import questionnaire_current
from yangfan.supervision.views.notices import NoticeForm
from yangfan.supervision.views.tasks import MilestoneForm, PartMilestoneForm

DAY = date(2023, 12, 31)
LANGUAGES = ["zh-hans", "en"]


@pytest.fixture
def date_forms(plan, make_user) -> dict[str, tuple[type[forms.BaseForm], dict]]:
    """Every form with a date field, by name, with the arguments it is made with."""
    task = Task.objects.filter(plan=plan).first()
    user = make_user("province")
    found = {
        "AuditFilterForm": (AuditFilterForm, {}),
        "UnitTargetForm": (UnitTargetForm, {}),
        "NoticeForm": (NoticeForm, {}),
        "MilestoneForm": (MilestoneForm, {"task": task}),
        "PartMilestoneForm": (PartMilestoneForm, {}),
        "AssessmentForm": (AssessmentForm, {"user": user}),
        "RiskForm": (RiskForm, {"assessment": Assessment(questionnaire=questionnaire_current())}),
        "RiskResponseForm": (RiskResponseForm, {}),
        "RiskExtendForm": (RiskExtendForm, {}),
    }
    for slug in SPECS:
        form = entry_form(slug)
        if _date_fields(form):
            found[f"entry_form({slug})"] = (form, {"user": user})
    return found


def _date_fields(form: type[forms.BaseForm]) -> list[str]:
    return [name for name, field in form.base_fields.items() if isinstance(field, forms.DateField)]


def _yangfan_forms() -> set[type[forms.BaseForm]]:
    """The form classes the site's code declares, every page's module imported through the URL map."""
    get_resolver().url_patterns  # noqa: B018 (imports every view module, and so the forms they use)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("yangfan."):
                found.add(sub)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_field_shows_its_initial_date_as_iso(date_forms, language):
    with translation.override(language):
        for name, (form_class, kwargs) in date_forms.items():
            fields = _date_fields(form_class)
            form = form_class(initial=dict.fromkeys(fields, DAY), **kwargs)
            html = str(form)
            assert html.count('value="2023-12-31"') == len(fields), name
            assert html.count('type="date"') == len(fields), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_field_takes_an_iso_date(date_forms, language):
    with translation.override(language):
        for name, (form_class, kwargs) in date_forms.items():
            for field in _date_fields(form_class):
                form = form_class(data={field: "2023-12-31"}, **kwargs)
                form.is_valid()
                assert form.cleaned_data.get(field) == DAY, (name, field, form.errors.get(field))


def test_no_form_asks_for_a_date_without_the_shared_field(date_forms):
    declared = {cls.__name__ for cls in _yangfan_forms() if _date_fields(cls)}
    assert declared <= set(date_forms), "a form with a date field is missing from date_forms"
    for name, (form_class, _kwargs) in date_forms.items():
        for field in _date_fields(form_class):
            assert isinstance(form_class.base_fields[field], DateField), (name, field)
            assert isinstance(form_class.base_fields[field].widget, DateInput), (name, field)
