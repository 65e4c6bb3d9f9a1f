"""Reads of the registries, filtered at the source by what the reader may read of each (its spec's ``read``, in
the reader's view scope; an enterprise's user its own rows), with the filters the pages and the API share: ``org``
and ``q`` for every registry, and each registry's own (its spec's ``filters``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from yangfan.accounts.permissions import has_permission, restrict
from yangfan.registries.specs import SPECS, BadFilter, RegistrySpec, spec_of, spec_or_none

__all__ = ["BadFilter", "entry_list", "registries_readable", "related_entries"]


def registries_readable(user) -> list[RegistrySpec]:
    """The registries ``user``'s role reads (each spec's ``read``), in the specs' order: what the index and the
    navigation offer."""
    return [spec for spec in SPECS.values() if has_permission(user, spec.read)]


def entry_list(*, actor, slug: str, params: Mapping[str, str] | None = None) -> QuerySet:
    """Entries of registry ``slug`` that ``actor`` may read (its spec's ``read``), filtered by ``params``."""
    spec = SPECS[slug]
    rows = restrict(spec.model.objects.all(), actor, spec.read).select_related(*spec.related)
    return _filtered(rows, slug, params or {})


def related_entries(*, actor, entry) -> list[tuple]:
    """What points at ``entry`` (its spec's ``shown_with``), each list limited to what ``actor`` may read with the
    list's permission (its registry's ``read``, or the one the spec names for another app's records): (title,
    [(entry, the day it ended, if it has ended by today)]) for each list that has any."""
    owner = spec_of(entry)
    today = timezone.localdate()
    found = []
    for name, title, *named in owner.shown_with:
        manager = getattr(entry, name)
        spec = spec_or_none(manager.model)
        permission = named[0] if named else (spec.read if spec else owner.read)
        rows = restrict(manager.all(), actor, permission)
        if spec is not None:
            rows = rows.select_related(*spec.related)
        end = spec.end if spec else None
        listed = []
        for row in rows:
            day = getattr(row, end) if end else None
            listed.append((row, day if day is not None and day <= today else None))
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
