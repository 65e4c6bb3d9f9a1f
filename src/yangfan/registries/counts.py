"""The registries as the indicator engine reads them: every entry as a ``core.registries.RegistryEntry``."""

from __future__ import annotations

from django.db.models import CharField, DateField, Value

from yangfan.core.plan import Plan
from yangfan.core.registries import RegistryCounter, RegistryEntry, RegistrySummary
from yangfan.registries.choices import CarrierKind

# registry codes of the plan file kept in Yangfan, and where their entries are
KEPT = frozenset({"industry_vpn", "benchmark", "application_case", "solution_supplier", *CarrierKind.values})


def registry_entries() -> list[RegistryEntry]:
    """Every entry of the kept registries, read as plain rows (codes and dates, no model instances) in one query."""
    from yangfan.registries.models import ApplicationCase, Benchmark, Carrier, IndustryVpn, Supplier

    def rows(model, registry, start: str, end: str | None, sector: str | None):
        return model.objects.order_by().values_list(
            registry if registry == "kind" else Value(registry, output_field=CharField()),
            "org_unit__code",
            start,
            end or Value(None, output_field=DateField()),
            sector or Value(None, output_field=CharField()),
        )

    parts = [
        rows(IndustryVpn, "industry_vpn", "commissioned_on", "retired_on", "sector__code"),
        rows(Benchmark, "benchmark", "published_on", "revoked_on", "sector__code"),
        rows(Carrier, "kind", "recognised_on", "retired_on", "sector__code"),
        rows(ApplicationCase, "application_case", "started_on", None, "sector__code"),
        rows(Supplier, "solution_supplier", "listed_on", "delisted_on", None),
    ]
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
