"""Periods as DHIS2 names them: ``2023`` (year), ``2023Q4`` (quarter), ``202312`` (month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property, total_ordering

from yangfan.core.errors import YangfanError


class PeriodError(YangfanError):
    def __init__(self, text: str):
        self.text = text
        super().__init__(f"“{text}”不是有效的期间；应写作 2023（年）、2023Q4（季）或 202312（月）")


class PeriodOutOfRange(PeriodError):
    def __init__(self, text: str, first: int, last: int):
        self.text = text
        YangfanError.__init__(self, f"期间“{text}”超出可查看的范围（{first}年至{last}年）")


def parse_within(text: str, first_year: int, last_year: int) -> Period:
    """:meth:`Period.parse`, refusing a period outside ``first_year``–``last_year`` (an assessment evaluates
    every period since its plan began: an absurd year would only cost time)."""
    period = Period.parse(text)
    if not first_year <= period.year <= last_year:
        raise PeriodOutOfRange(str(period), first_year, last_year)
    return period


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


_PATTERNS = {
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})Q([1-4])$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"),
}
_MONTHS_PER = {PeriodKind.YEAR: 12, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}


@total_ordering
@dataclass(frozen=True)
class Period:
    """A calendar year, quarter or month. ``index`` is the quarter (1–4) or month (1–12); 1 for a year."""

    kind: PeriodKind
    year: int
    index: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        value = str(text).strip()
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(value)
            if match:
                index = int(match.group(2)) if kind != PeriodKind.YEAR else 1
                return cls(kind, int(match.group(1)), index)
        raise PeriodError(value)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> Period:
        if kind == PeriodKind.YEAR:
            return cls(kind, day.year)
        if kind == PeriodKind.QUARTER:
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        return cls(kind, day.year, day.month)

    def __str__(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.index}"
        return f"{self.year}{self.index:02d}"

    @property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_PER[self.kind] + 1 if self.kind != PeriodKind.YEAR else 1

    @cached_property  # a frozen dataclass still has a __dict__: computed once per period object
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @cached_property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def month_count(self) -> int:
        return _MONTHS_PER[self.kind]

    def months(self) -> tuple[Period, ...]:
        return tuple(
            Period(PeriodKind.MONTH, self.year, self.first_month + i) for i in range(self.month_count)
        )

    def children(self) -> tuple[Period, ...]:
        """The next finer periods that make this one: a year's quarters, a quarter's months."""
        if self.kind == PeriodKind.YEAR:
            return tuple(Period(PeriodKind.QUARTER, self.year, q) for q in range(1, 5))
        if self.kind == PeriodKind.QUARTER:
            return self.months()
        return ()

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def next(self) -> Period:
        last = {PeriodKind.YEAR: 1, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}[self.kind]
        if self.index < last:
            return Period(self.kind, self.year, self.index + 1)
        return Period(self.kind, self.year + 1, 1)

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        last = {PeriodKind.YEAR: 1, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}[self.kind]
        return Period(self.kind, self.year - 1, last)

    def __lt__(self, other: Period) -> bool:
        return (self.end, -self.month_count) < (other.end, -other.month_count)
