"""A cell's value: text as the file holds it read into what the model field takes — a credit code, a
boolean, a date (typed, as Excel counts days, or written out), a year, a number (a score), a choice by value or
Chinese label, or the objects a reference names (``Candidates`` when a sector is in several plans)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from yangfan.core.uscc import uscc_normalise, uscc_problem
from yangfan.documents.cells import restored
from yangfan.registries.exchange.columns import JOIN, Column
from yangfan.registries.exchange.lookups import Lookups
from yangfan.registries.exchange.reading import folded

SPLIT = re.compile(r"[、，,；;\n]+")
BOOLEANS = {word: True for word in ("是", "true", "yes", "y", "1", "√")} | {
    word: False for word in ("否", "false", "no", "n", "0", "×", "")
}
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


@dataclass
class Row:
    """One data row read and checked: model field values (references already resolved) and many-to-many
    values, for the columns the file has."""

    number: int
    values: dict = field(default_factory=dict)
    many: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)  # field -> the file's header for it, for messages


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    return restored(str(raw).strip())  # the export's guard against formulas taken off


def cell_value(raw, column: Column, header: str, lookups: Lookups, row: Row):
    """The model value of one cell, or ``ValueError`` with the reason."""
    text = _text(raw)
    if not text and column.required:
        raise ValueError(f"缺少{header}")
    kind = column.kind
    if kind == "text":
        return text
    if kind == "code":
        if not text:  # an optional code left empty (an evaluation body's)
            return ""
        code = uscc_normalise(text)
        problem = uscc_problem(code)
        if problem:
            raise ValueError(problem)
        return code
    if kind == "bool":
        if folded(text) not in BOOLEANS:
            raise ValueError(f"“{text}”应为“是”或“否”")
        return BOOLEANS[folded(text)]
    if not text:
        return [] if column.many else None
    if kind == "date":
        return _date(raw, text)
    if kind == "decimal":
        return _number(raw, text)
    if kind == "year":
        year = unicodedata.normalize("NFKC", text).removesuffix("年").strip()
        if not (year.isdigit() and len(year) == 4):
            raise ValueError(f"“{text}”不是有效的年度；应写作 2023")
        return int(year)
    if kind == "choice":
        for value, label in column.choices:
            if folded(text) in (folded(value), folded(label)):
                return value
        raise ValueError(
            f"“{text}”不是有效的{header}；可选：" + JOIN.join(label for _, label in column.choices)
        )
    if column.many:
        names = [n.strip() for n in SPLIT.split(text) if n.strip()]
        return [_reference(name, kind, header, lookups, row) for name in dict.fromkeys(names)]
    return _reference(text, kind, header, lookups, row)


def _date(raw, text: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    normal = unicodedata.normalize("NFKC", text).strip()
    serial = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if serial is None and re.fullmatch(r"\d{5}", normal):
        serial = int(normal)
    if serial is not None and 1 <= serial < 2958466:  # a date as Excel counts days
        from openpyxl.utils.datetime import from_excel

        return from_excel(serial).date()
    match = DATE_TEXT.fullmatch(normal) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", normal)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValueError(f"“{text}”不是有效的日期；应写作 2023-05-01 或 2023/5/1")


def _number(raw, text: str) -> Decimal:
    """A number as typed (85.5, ８５.５) or as an XLSX number cell holds it (read through its shortest text, so that
    85.5 is not 85.4999…)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    try:
        number = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"“{text}”不是有效的数字；应写作 85.5")
    return number


WHAT = {"orgunit": "地区", "operator": "运营商", "sector": "行业"}


def _reference(text: str, kind: str, header: str, lookups: Lookups, row: Row):
    """The object a cell names. A sector may come back as several candidates, the same sector of several
    plans (``Candidates``)."""
    if kind in WHAT:
        found = getattr(lookups, kind).get(folded(text), [])
        what = WHAT[kind]
        if not found:
            raise ValueError(f"未知{what}“{text}”")
        if kind == "sector" and len({s.code for s in found}) == 1:
            return Candidates(found)
        if len(found) > 1:
            raise ValueError(f"{what}名称“{text}”不唯一，请改用代码")
        return found[0]
    found = lookups.entries(kind).get(folded(text), [])
    what = lookups.entry_names[kind]
    unit = row.values.get("org_unit")
    if len(found) > 1 and unit is not None:  # the one in the row's own city, when names repeat
        city = lookups.city(unit)
        found = [e for e in found if lookups.city(e.org_unit) == city] or found
    if not found:
        raise ValueError(f"未找到{what}“{text}”，请先登记")
    if len(found) > 1:
        hint = lookups.entry_hints[kind]
        raise ValueError(f"{what}“{text}”不止一个（{JOIN.join(e.org_unit.name for e in found)}），{hint}")
    return found[0]


class Candidates(tuple):
    """The same sector as several plans hold it: an entry already pointing at one of them keeps it, a new
    entry gets the first (the latest plan's)."""

    def pick(self, current_pk=None):
        return next((c for c in self if c.pk == current_pk), self[0])
