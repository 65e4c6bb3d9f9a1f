from __future__ import annotations

from decimal import Decimal

from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Values
from yangfan.core.periods import Period
from yangfan.datavalues.models import DataValue


def values_for_engine() -> Values:
    """Every stored value as the engine reads it (the engine picks what each indicator needs)."""
    rows = DataValue.objects.values_list(
        "data_element__code", "org_unit__code", "period", "value", "operator__code"
    )
    return Values(CoreDataValue(de, org, Period.parse(p), Decimal(v), op) for de, org, p, v, op in rows)
