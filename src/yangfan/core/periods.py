"""Periods as DHIS2 names them: ``2023`` (year), ``2023Q4`` (quarter), ``202312`` (month)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property, lru_cache, total_ordering

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


# How often something is reported, as a plan file names it (a data set's, a data element's, supervision's
# ``period_type``), to the kind of period reported.
PERIOD_TYPES = {"monthly": PeriodKind.MONTH, "quarterly": PeriodKind.QUARTER, "yearly": PeriodKind.YEAR}


_PATTERNS = {
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})Q([1-4])$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"),
}


@total_ordering
@dataclass(frozen=True, eq=False)
class Period:
    """A calendar year, quarter or month. ``index`` is the quarter (1–4) or month (1–12); 1 for a year.

    Periods key the engine's every lookup: equality and the hash compare the kind by identity (an enum member
    hashes in Python) and the hash is computed once."""

    kind: PeriodKind
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if type(self.kind) is not PeriodKind:  # "month" given as text: the member itself, for identity
            object.__setattr__(self, "kind", PeriodKind(self.kind))
        object.__setattr__(self, "_hash", hash((self.year, self.index, self.month_count)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.year == other.year and self.index == other.index and self.kind is other.kind

    @classmethod
    def parse(cls, text: str) -> Period:
        return _parse(str(text).strip())

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
        # identity, not a dict of the kinds: an enum member hashes in Python, and this runs for every period
        if self.kind is PeriodKind.MONTH:
            return self.index
        if self.kind is PeriodKind.QUARTER:
            return self.index * 3 - 2
        return 1

    @cached_property  # a frozen dataclass still has a __dict__: computed once per period object
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @cached_property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        last = self.first_month + self.month_count - 1
        return date(self.year, last, monthrange(self.year, last)[1])

    @cached_property
    def at_end(self) -> tuple[Period, ...]:
        """The month, the quarter and the year its last day is in (finest first)."""
        return _periods_of(self.end)

    @cached_property
    def at_start(self) -> tuple[Period, ...]:
        """The month, the quarter and the year its first day is in (finest first): itself and those containing it."""
        return _periods_of(self.start)

    @property
    def month_count(self) -> int:
        if self.kind is PeriodKind.MONTH:
            return 1
        return 3 if self.kind is PeriodKind.QUARTER else 12

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
        # every period lies within one calendar year: months compared, no dates built
        first, other_first = self.first_month, other.first_month
        return (
            self.year == other.year
            and first <= other_first
            and other_first + other.month_count <= first + self.month_count
        )

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
        if self.kind is other.kind:  # the usual case (a series): no dates to compute
            return (self.year, self.index) < (other.year, other.index)
        return (self.end, -self.month_count) < (other.end, -other.month_count)


def _periods_of(day: date) -> tuple[Period, ...]:
    """The month, the quarter and the year ``day`` is in, finest first."""
    return tuple(
        Period.containing(day, kind) for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
    )


@lru_cache(maxsize=4096)
def _parse(value: str) -> Period:
    """``Period.parse``, remembered: a file of 100,000 rows names a few dozen periods (a period is immutable, so
    one object serves every row; a text that is no period raises each time)."""
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(value)
        if match:
            index = int(match.group(2)) if kind != PeriodKind.YEAR else 1
            return Period(kind, int(match.group(1)), index)
    raise PeriodError(value)


QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def period_label(period: Period) -> str:
    """A period as Chinese documents name it: 2023年, 2023年第四季度, 2023年12月."""
    if period.kind == PeriodKind.YEAR:
        return f"{period.year}年"
    if period.kind == PeriodKind.QUARTER:
        return f"{period.year}年{QUARTER_NAMES[period.index]}"
    return f"{period.year}年{period.index}月"
