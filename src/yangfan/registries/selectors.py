"""Reads of the registries, filtered by the reader's view scope at the source, with the filters the pages and
the API share (``org``, ``sector``, ``q`` and each registry's own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Q, QuerySet

from yangfan.accounts.permissions import org_units_in_scope
from yangfan.registries.services import REGISTRIES

RELATED = {
    "cases": ("org_unit", "sector", "operator", "vpn"),
    "vpns": ("org_unit", "sector", "operator"),
    "suppliers": ("org_unit",),
    "benchmarks": ("org_unit", "sector", "case"),
    "carriers": ("org_unit", "sector"),
}


class BadFilter(ValueError):
    """A filter value that cannot be read (a date, a number); the message is for the user."""


def entry_list(*, actor, slug: str, params: Mapping[str, str] | None = None) -> QuerySet:
    """Entries of registry ``slug`` at units in ``actor``'s view scope, filtered by ``params``."""
    model = REGISTRIES[slug]
    rows = model.objects.filter(org_unit__in=org_units_in_scope(actor, "registries.view")).select_related(
        *RELATED[slug]
    )
    return _filtered(rows, slug, params or {})


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadFilter(f"日期“{text}”无效，应写作 2023-12-31") from None


def _filtered(rows: QuerySet, slug: str, params: Mapping[str, str]) -> QuerySet:
    from yangfan.orgunits.models import OrgUnit
    from yangfan.orgunits.selectors import covered_unit_ids

    get = {k: str(v).strip() for k, v in params.items() if v is not None and str(v).strip()}
    if "org" in get:
        unit = OrgUnit.objects.filter(Q(code=get["org"]) | Q(name=get["org"])).first()
        rows = rows.filter(org_unit__in=covered_unit_ids([unit.pk])) if unit else rows.none()
    if "sector" in get:
        field = "sectors__code" if slug == "suppliers" else "sector__code"
        rows = rows.filter(**{field: get["sector"]}).distinct()
    if "q" in get:
        if slug == "cases":
            from yangfan.registries.search import search_filter

            rows = search_filter(rows, get["q"])
        elif slug == "benchmarks":
            rows = rows.filter(case__name__icontains=get["q"])
        else:
            rows = rows.filter(name__icontains=get["q"])
    if slug == "cases":
        for name in ("stage", "network_form"):
            if name in get:
                rows = rows.filter(**{name: get[name]})
        if "supplier" in get and get["supplier"].isdigit():
            rows = rows.filter(suppliers__id=int(get["supplier"]))
    if slug == "vpns":
        if "operator" in get:
            rows = rows.filter(operator__code=get["operator"])
        if "active_on" in get:
            day = _date(get["active_on"])
            rows = rows.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=day), commissioned_on__lte=day)
    if slug == "carriers" and "kind" in get:
        rows = rows.filter(kind=get["kind"])
    if slug == "benchmarks" and "year" in get:
        if not get["year"].isdigit():
            raise BadFilter(f"年度“{get['year']}”无效")
        rows = rows.filter(year=int(get["year"]))
    if slug == "suppliers" and "published" in get:
        rows = rows.filter(published=get["published"] in ("1", "true", "yes", "是"))
    return rows
