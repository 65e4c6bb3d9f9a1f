"""The registries as the indicator engine reads them: every entry of the registries the plan counts (a spec's
``counted``; the security records are kept, not counted) as a ``core.registries.RegistryEntry``."""

from __future__ import annotations

from django.db.models import CharField, DateField, Value

from yangfan.core.plan import Plan
from yangfan.core.registries import RegistryCounter, RegistryEntry, RegistrySummary
from yangfan.registries.specs import SPECS

# the registries the plan counts, and their codes in the plan file (each spec's ``counted``)
COUNTED = tuple(spec for spec in SPECS.values() if spec.counted is not None)
KEPT = frozenset(code for spec in COUNTED for code in spec.counted.codes)


def registry_entries() -> list[RegistryEntry]:
    """Every entry of the kept registries, read as plain rows (codes and dates, no model instances) in one query."""

    def rows(spec):
        counted = spec.counted
        # an entry without its start date (a standard not published yet) is not counted, not yet
        started = spec.model.objects.filter(**{f"{counted.start}__isnull": False})
        return started.order_by().values_list(
            counted.code_field or Value(counted.codes[0], output_field=CharField()),
            "org_unit__code",
            counted.start,
            counted.end or Value(None, output_field=DateField()),
            counted.sector or Value(None, output_field=CharField()),
        )

    parts = [rows(spec) for spec in COUNTED]
    return [RegistryEntry(*row) for row in parts[0].union(*parts[1:], all=True)]


class LazyRegistryCounter:
    """A ``RegistryCounter`` whose entries are read the first time a count is asked for: most pages that build an
    engine never evaluate a registry's indicator."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self._counter: RegistryCounter | None = None

    def __call__(self, registry: str, org_unit: str, period, sector: str | None):
        return self._counted()(registry, org_unit, period, sector)

    def summary(self, registry: str, org_unit: str, period) -> RegistrySummary | None:
        """``RegistryCounter.summary``: the registry as the evaluation report tells it."""
        return self._counted().summary(registry, org_unit, period)

    def _counted(self) -> RegistryCounter:
        if self._counter is None:
            kept = KEPT & {r.code for r in self.plan.registries}
            self._counter = RegistryCounter(self.plan.org_tree, registry_entries(), kept)
        return self._counter


def registry_counter(plan: Plan) -> LazyRegistryCounter:
    return LazyRegistryCounter(plan)
