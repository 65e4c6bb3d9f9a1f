"""What a data value may be, checked once for every write path (CSV, XLSX, DHIS2 JSON, the API, the grid, the
workbook, the pipeline): they all end in ``datavalues_import``, which asks ``rows_refused`` before it writes.

- the number fits the column (``DataValue.value``: 28 digits, 6 after the point) and the data element's own
  bounds from the plan file (``decimals``, ``minimum``, ``maximum``); nothing is rounded, a value that does not
  fit is refused with its row;
- the period lies within a loaded plan's period, or within ``YANGFAN_BASELINE_YEARS`` whole years before its
  start (a baseline);
- the period is of a kind a data set collects the data element in: with an operator, a data set reported by
  operator; without, any data set (or the data element's own reporting period when no data set has it).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from yangfan.actionplans.models import DataSet, Plan
from yangfan.core.errors import RowError
from yangfan.core.numbers import NumberLimits, limit_problem
from yangfan.core.periods import PERIOD_TYPES, Period, PeriodKind
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.models import DataValue

KIND_LABEL = {PeriodKind.MONTH: "月", PeriodKind.QUARTER: "季度", PeriodKind.YEAR: "年"}
_FIELD = DataValue._meta.get_field("value")


def rows_refused(rows: list[ParsedRow]) -> list[RowError]:
    """Every row whose value, period or period kind cannot be stored, with the reason and the limit. Two
    queries, whatever the number of rows."""
    if not rows:
        return []
    spans = _plan_spans()
    kinds = _kinds()
    limits: dict[int, NumberLimits] = {}
    errors: list[RowError] = []
    for row in rows:
        element = row.data_element
        if element.pk not in limits:
            limits[element.pk] = NumberLimits(
                _FIELD.max_digits, _FIELD.decimal_places, element.decimals, element.minimum, element.maximum
            )
        problem = limit_problem(row.value, limits[element.pk])
        if problem:
            errors.append(RowError(row.row, "值", f"{problem}（数据项 {element.code}）"))
        period = Period.parse(row.period)  # remembered: a file names a few dozen periods
        outside = _outside(period, spans)
        if outside:
            errors.append(RowError(row.row, "期间", outside))
            continue
        by_operator = row.operator is not None
        allowed = kinds.get((element.code, by_operator)) or _own_kinds(element, by_operator)
        if period.kind not in allowed:
            errors.append(RowError(row.row, "期间", _wrong_kind(element.code, period, allowed, by_operator)))
    return errors


def period_problem(period: Period) -> str | None:
    """Why no value can be written for ``period`` (outside every plan and its baseline years), or None: for a
    form that asks for a period before anything is read (an ingest's)."""
    return _outside(period, _plan_spans())


def _plan_spans() -> list[tuple[date, date]]:
    margin = settings.YANGFAN_BASELINE_YEARS
    return [(date(start.year - margin, 1, 1), end) for start, end in Plan.objects.values_list("start", "end")]


def _kinds() -> dict[tuple[str, bool], set[PeriodKind]]:
    """(data element, by operator) → the period kinds some data set collects it in."""
    kinds: dict[tuple[str, bool], set[PeriodKind]] = {}
    for period_type, by_operator, elements in DataSet.objects.values_list(
        "period_type", "by_operator", "data_elements"
    ):
        for code in elements:
            kinds.setdefault((code, by_operator), set()).add(PERIOD_TYPES[period_type])
            if by_operator:  # an operator's data set's elements may also be given as their undivided totals
                kinds.setdefault((code, False), set()).add(PERIOD_TYPES[period_type])
    return kinds


def _own_kinds(element, by_operator: bool) -> set[PeriodKind]:
    if by_operator and not element.by_operator:
        return set()
    return {PERIOD_TYPES[element.period_type]}


def _outside(period: Period, spans: list[tuple[date, date]]) -> str | None:
    if any(first <= period.start and period.end <= last for first, last in spans):
        return None
    if not spans:
        return f"期间 {period} 无法填报：尚未加载行动计划"
    ranges = "、".join(f"{first:%Y年%m月}至{last:%Y年%m月}" for first, last in sorted(spans))
    return (
        f"期间 {period} 超出可填报的范围（{ranges}，含计划开始前 {settings.YANGFAN_BASELINE_YEARS} 年的基期）"
    )


def _wrong_kind(code: str, period: Period, allowed: set[PeriodKind], by_operator: bool) -> str:
    if not allowed:
        return f"数据项 {code} 不按运营商分列"
    kinds = "、".join(KIND_LABEL[k] for k in PeriodKind if k in allowed)
    whose = "按运营商的数值" if by_operator else "数值"
    return f"数据项 {code} 的{whose}按{kinds}报送，不接受{KIND_LABEL[period.kind]}期间 {period}"
