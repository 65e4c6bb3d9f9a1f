"""Reads of the registries, filtered by the reader's view scope at the source, with the filters the pages and
the API share: ``org`` and ``q`` for every registry, and each registry's own (its spec's ``filters``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from yangfan.accounts.permissions import restrict
from yangfan.registries.specs import SPECS, BadFilter, spec_of

__all__ = ["BadFilter", "entry_list", "related_entries"]


def entry_list(*, actor, slug: str, params: Mapping[str, str] | None = None) -> QuerySet:
    """Entries of registry ``slug`` at units in ``actor``'s view scope, filtered by ``params``."""
    spec = SPECS[slug]
    rows = restrict(spec.model.objects.all(), actor, "registries.view").select_related(*spec.related)
    return _filtered(rows, slug, params or {})


def related_entries(*, actor, entry) -> list[tuple]:
    """The entries of other registries that point at ``entry`` (its spec's ``shown_with``), each list limited to
    what ``actor`` may read: (title, [(entry, the day it ended or None)]) for each list that has any."""
    found = []
    for name, title in spec_of(entry).shown_with:
        manager = getattr(entry, name)
        spec = spec_of(manager.model)
        rows = restrict(manager.all(), actor, "registries.view").select_related(*spec.related)
        end = spec.counted.end
        listed = [(row, getattr(row, end) if end else None) for row in rows]
        if listed:
            found.append((title, listed))
    return found


def _filtered(rows: QuerySet, slug: str, params: Mapping[str, str]) -> QuerySet:
    from yangfan.orgunits.models import OrgUnit
    from yangfan.orgunits.selectors import covered_unit_ids

    spec = SPECS[slug]
    get = {k: str(v).strip() for k, v in params.items() if v is not None and str(v).strip()}
    if "org" in get:
        unit = OrgUnit.objects.filter(Q(code=get["org"]) | Q(name=get["org"])).first()
        if unit is None:
            raise BadFilter(
                gettext("未知地区“%(org)s”：请填写地区代码（如 610100）或全称（如 西安市）。")
                % {"org": get["org"]}
            )
        rows = rows.filter(org_unit__in=covered_unit_ids([unit.pk]))
    if "q" in get:
        rows = spec.search(rows, get["q"])
    for each in spec.filters:
        if each.param in get:
            rows = each.narrow(rows, get[each.param])
    return rows
