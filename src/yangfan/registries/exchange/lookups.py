"""What an import's cells name (org units, operators, sectors, entries of other registries), read once per
import, with the cities of org units remembered."""

from __future__ import annotations

from django.utils import translation

from yangfan.accounts.permissions import restrict
from yangfan.registries.exchange.reading import folded
from yangfan.registries.services import city_of
from yangfan.registries.specs import REGISTRIES, SPECS


class Lookups:
    """What the cells name, read once per import: org units and operators by code or name, sectors by code
    or name (the same sector may be in several plans: the latest plan's comes first), and entries of other
    registries by what files name them by, of those ``actor`` may read (all of them for the command line's
    ``None``)."""

    def __init__(self, actor=None):
        self.actor = actor
        from yangfan.actionplans.models import Operator, Sector
        from yangfan.orgunits.models import OrgUnit

        self.orgunit = _index(OrgUnit.objects.all(), ("code", "name"))
        self.operator = _index(Operator.objects.all(), ("code", "name"))
        sectors = Sector.objects.select_related("plan").order_by("-plan__end", "plan__code")
        self.sector = _index(sectors, ("code", "name"))
        self._entries: dict[str, dict] = {}
        self._cities: dict[int, object] = {}
        with translation.override("zh-hans"):  # a cell's reference to an entry, named in messages
            self.entry_names = {m._meta.model_name: str(m._meta.verbose_name) for m in REGISTRIES.values()}
            # how a file tells apart entries of the same name: by another key the spec names them by, or by city
            self.entry_hints = {
                s.model._meta.model_name: f"请改用{s.model._meta.get_field(s.named_by[0]).verbose_name}"
                if len(s.named_by) > 1
                else "请在同一市登记或改名"
                for s in SPECS.values()
            }

    def entries(self, kind: str) -> dict[str, list]:
        """Entries of another registry by what a file names them by (the spec's ``named_by``: a name; a supplier
        also its credit code, a standard also its code), of those the actor may read (the registry's ``read``)."""
        if kind not in self._entries:
            spec = next(spec for spec in SPECS.values() if spec.model._meta.model_name == kind)
            model, keys = spec.model, spec.named_by
            rows = model.objects.select_related("org_unit").order_by("pk")
            if self.actor is not None:
                rows = restrict(rows, self.actor, spec.read)
            self._entries[kind] = _index(rows, keys)
        return self._entries[kind]

    def city(self, unit):
        if unit.pk not in self._cities:
            self._cities[unit.pk] = city_of(unit)
        return self._cities[unit.pk]


def _index(objects, keys: tuple[str, ...]) -> dict[str, list]:
    found: dict[str, list] = {}
    for obj in objects:
        for key in keys:
            bucket = found.setdefault(folded(getattr(obj, key)), [])
            if obj not in bucket:
                bucket.append(obj)
    return found
