"""Reads of data values: for the engine, and a unit's values with every unit counted in it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from yangfan.actionplans.models import DataElement, Operator
from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Values
from yangfan.core.periods import Period
from yangfan.datavalues.models import DataValue
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import covered_unit_ids


def values_for_engine(
    data_elements: Iterable[str] | None = None,
    *,
    org_units: Iterable[str] | None = None,
    periods: Iterable[Period] | None = None,
) -> Values:
    """The stored values as the engine reads them: all of them, or those of ``data_elements`` (codes; the
    caller passes what its indicators' formulas refer to), of ``org_units`` (codes) and of ``periods``.

    Pages name the units and periods they check (``core.validation.periods_read``): what they read does not grow
    with the stored history. Indicator values are read from the stored totals (``datavalues.totals``), not here.

    Read as plain tuples by foreign key, without joins, and translated to codes through the small code
    tables: a province's county × operator × month figures (~100,000 rows) load in well under a second.
    """
    elements = DataElement.objects.all()
    if data_elements is not None:
        elements = elements.filter(code__in=set(data_elements))
    element_codes = dict(elements.values_list("pk", "code"))
    if not element_codes:
        return Values()
    unit_codes = dict(OrgUnit.objects.values_list("pk", "code"))
    operator_codes: dict[int | None, str | None] = {
        None: None,
        **dict(Operator.objects.values_list("pk", "code")),
    }
    rows = DataValue.objects.order_by()
    if data_elements is not None:
        rows = rows.filter(data_element__in=element_codes)
    if org_units is not None:
        wanted = set(org_units)
        rows = rows.filter(org_unit__in=[pk for pk, code in unit_codes.items() if code in wanted])
    if periods is not None:
        rows = rows.filter(period__in=sorted({str(p) for p in periods}))
    periods: dict[str, Period] = {}
    values = Values()
    for de, org, period, value, op in rows.values_list(
        "data_element_id", "org_unit_id", "period", "value", "operator_id"
    ).iterator(chunk_size=10_000):
        parsed = periods.get(period)
        if parsed is None:
            parsed = periods[period] = Period.parse(period)
        values.add(
            CoreDataValue(element_codes[de], unit_codes[org], parsed, Decimal(value), operator_codes[op])
        )
    return values


def datavalue_list(*, org_unit=None, period: Period | None = None) -> QuerySet[DataValue]:
    """Values of ``org_unit`` and every unit counted in it, in ``period`` and the periods within it."""
    queryset = DataValue.objects.all()
    if org_unit is not None:
        queryset = queryset.filter(org_unit__pk__in=covered_unit_ids([org_unit.pk]))
    if period is not None:
        wanted = {str(period), *(str(p) for p in period.children()), *(str(m) for m in period.months())}
        queryset = queryset.filter(period__in=wanted)
    return queryset
