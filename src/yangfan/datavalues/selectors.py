"""Reads of data values: for the engine, and a unit's values with every unit counted in it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connections, router
from django.db.models import QuerySet

from yangfan.actionplans.models import DataElement, Operator
from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Values
from yangfan.core.errors import YangfanError
from yangfan.core.periods import Period
from yangfan.datavalues.models import DataValue
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import covered_unit_ids


@dataclass(frozen=True)
class CodeTables:
    """The codes of data elements, org units and operators by primary key: how a value's foreign keys are read
    as the engine's codes without joins."""

    elements: dict[int, str]
    units: dict[int, str]
    operators: dict[int | None, str | None]


def code_tables() -> CodeTables:
    return CodeTables(
        elements=dict(DataElement.objects.values_list("pk", "code")),
        units=dict(OrgUnit.objects.values_list("pk", "code")),
        operators={None: None, **dict(Operator.objects.values_list("pk", "code"))},
    )


def values_for_engine(
    data_elements: Iterable[str] | None = None,
    *,
    org_units: Iterable[str] | None = None,
    periods: Iterable[Period] | None = None,
    codes: CodeTables | None = None,
) -> Values:
    """The stored values as the engine reads them: all of them, or those of ``data_elements`` (codes; the
    caller passes what its indicators' formulas refer to), of ``org_units`` (codes) and of ``periods``.

    Pages name the units and periods they check (``core.validation.periods_checked``): what they read does not
    grow with the stored history. Indicator values are read from the stored totals (``datavalues.totals``), not
    here; the totals are computed from what this reads.

    Read as plain tuples by foreign key, without joins, and translated to codes through the small code
    tables (``codes``, when a caller reads several times): a province's county × operator × month figures
    (~100,000 rows) load in well under a second.
    """
    codes = codes or code_tables()
    element_codes = codes.elements
    if data_elements is not None:
        wanted_elements = set(data_elements)
        element_codes = {pk: code for pk, code in element_codes.items() if code in wanted_elements}
    if not element_codes:
        return Values()
    rows = DataValue.objects.order_by()
    if data_elements is not None:
        rows = rows.filter(data_element__in=element_codes)
    if org_units is not None:
        wanted_units = set(org_units)
        rows = rows.filter(org_unit__in=[pk for pk, code in codes.units.items() if code in wanted_units])
    if periods is not None:
        rows = rows.filter(period__in=sorted({str(p) for p in periods}))
    parsed: dict[str, Period] = {}
    values = Values()
    with stored_values_readable():
        for de, org, text, value, op in rows.values_list(
            "data_element_id", "org_unit_id", "period", "value", "operator_id"
        ).iterator(chunk_size=10_000):
            period = parsed.get(text)
            if period is None:
                period = parsed[text] = Period.parse(text)
            values.add(
                CoreDataValue(
                    element_codes[de], codes.units[org], period, Decimal(value), codes.operators[op]
                )
            )
    return values


class UnreadableValues(YangfanError):
    """Stored values the column's type cannot give back (SQLite keeps a number too large for ``DataValue.value``
    as a float, written before ``datavalues.limits`` refused such numbers): named by their keys, so the province
    sees what to correct instead of an internal error."""

    SHOWN = 20

    def __init__(self, keys: list[str]):
        self.keys = keys
        listed = "；".join(keys[: self.SHOWN]) + ("；……" if len(keys) > self.SHOWN else "")
        super().__init__(
            f"数据库中有 {len(keys)} 个数值超出可存储的范围，无法读取（整数部分最多 22 位）；"
            f"请用 yangfan values import 改正后重试：{listed}"
        )


@contextmanager
def stored_values_readable() -> Iterator[None]:
    """Turn the database driver's failure to read a stored value into ``UnreadableValues`` naming them."""
    try:
        yield
    except InvalidOperation:
        keys = unreadable_values()
        if not keys:
            raise
        raise UnreadableValues(keys) from None


def unreadable_values() -> list[str]:
    """The keys (data element, org unit, period, operator) and stored text of every value too large for the
    column: only SQLite can hold one (PostgreSQL's numeric(28, 6) refuses it on the way in)."""
    connection = connections[router.db_for_read(DataValue)]
    if connection.vendor != "sqlite":
        return []
    column = DataValue._meta.get_field("value")
    limit = Decimal(10) ** (column.max_digits - column.decimal_places)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.code, u.code, v.period, o.code, CAST(v.value AS TEXT) FROM datavalues_datavalue v "
            "JOIN actionplans_dataelement e ON e.id = v.data_element_id "
            "JOIN orgunits_orgunit u ON u.id = v.org_unit_id "
            "LEFT JOIN actionplans_operator o ON o.id = v.operator_id "
            "WHERE abs(v.value) >= %s ORDER BY e.code, v.period, u.code, o.code",
            [float(limit)],
        )
        return [f"{e} {u} {p}{' ' + o if o else ''} = {text}" for e, u, p, o, text in cursor.fetchall()]


def datavalue_list(*, org_unit=None, period: Period | None = None) -> QuerySet[DataValue]:
    """Values of ``org_unit`` and every unit counted in it, in ``period`` and the periods within it."""
    queryset = DataValue.objects.all()
    if org_unit is not None:
        queryset = queryset.filter(org_unit__pk__in=covered_unit_ids([org_unit.pk]))
    if period is not None:
        wanted = {str(period), *(str(p) for p in period.children()), *(str(m) for m in period.months())}
        queryset = queryset.filter(period__in=wanted)
    return queryset
