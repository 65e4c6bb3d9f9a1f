"""The registries as the indicator engine reads them: every entry as a ``core.registries.RegistryEntry``."""

from __future__ import annotations

from yangfan.core.plan import Plan
from yangfan.core.registries import RegistryCounter, RegistryEntry
from yangfan.registries.choices import CarrierKind

# registry codes of the plan file kept in Yangfan, and where their entries are
KEPT = frozenset({"industry_vpn", "benchmark", "application_case", "solution_supplier", *CarrierKind.values})


def registry_entries() -> list[RegistryEntry]:
    from yangfan.registries.models import ApplicationCase, Benchmark, Carrier, IndustryVpn, Supplier

    entries = [
        RegistryEntry(
            "industry_vpn",
            v.org_unit.code,
            v.commissioned_on,
            v.retired_on,
            v.sector.code if v.sector_id else None,
        )
        for v in IndustryVpn.objects.select_related("org_unit", "sector")
    ]
    entries += [
        RegistryEntry("benchmark", b.org_unit.code, b.published_on, b.revoked_on, b.sector.code)
        for b in Benchmark.objects.select_related("org_unit", "sector")
    ]
    entries += [
        RegistryEntry(
            c.kind, c.org_unit.code, c.recognised_on, c.retired_on, c.sector.code if c.sector_id else None
        )
        for c in Carrier.objects.select_related("org_unit", "sector")
    ]
    entries += [
        RegistryEntry("application_case", c.org_unit.code, c.started_on, None, c.sector.code)
        for c in ApplicationCase.objects.select_related("org_unit", "sector")
    ]
    entries += [
        RegistryEntry("solution_supplier", s.org_unit.code, s.listed_on, s.delisted_on, None)
        for s in Supplier.objects.select_related("org_unit")
    ]
    return entries


def registry_counter(plan: Plan) -> RegistryCounter:
    return RegistryCounter(plan.org_tree, registry_entries(), KEPT & {r.code for r in plan.registries})
