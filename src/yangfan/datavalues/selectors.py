from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Values
from yangfan.core.periods import Period
from yangfan.datavalues.models import DataValue
from yangfan.orgunits.selectors import covered_unit_ids


def values_for_engine() -> Values:
    """Every stored value as the engine reads it (the engine picks what each indicator needs)."""
    rows = DataValue.objects.values_list(
        "data_element__code", "org_unit__code", "period", "value", "operator__code"
    )
    return Values(CoreDataValue(de, org, Period.parse(p), Decimal(v), op) for de, org, p, v, op in rows)


def datavalue_list(*, org_unit=None, period: Period | None = None) -> QuerySet[DataValue]:
    """Values of ``org_unit`` and every unit counted in it, in ``period`` and the periods within it."""
    queryset = DataValue.objects.all()
    if org_unit is not None:
        queryset = queryset.filter(org_unit__pk__in=covered_unit_ids([org_unit.pk]))
    if period is not None:
        wanted = {str(period), *(str(p) for p in period.children()), *(str(m) for m in period.months())}
        queryset = queryset.filter(period__in=wanted)
    return queryset
