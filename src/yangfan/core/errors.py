"""The core's error hierarchy. Each error carries what the user needs to find the mistake."""

from __future__ import annotations

from dataclasses import dataclass


class YangfanError(Exception):
    """Base of every error the core raises on bad input (never on a bug)."""


@dataclass(frozen=True)
class PlanProblem:
    """One mistake in a plan file: where it is (file, line, path inside the document) and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PlanInvalid(YangfanError):
    """A plan file that cannot be loaded; holds every problem found, not only the first."""

    def __init__(self, problems: list[PlanProblem]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.file, p.line or 0, p.path)))
        super().__init__("\n".join(str(p) for p in self.problems))


class FormulaError(YangfanError):
    """A formula that cannot be parsed, or that names something the plan does not define."""

    def __init__(self, formula: str, message: str, name: str | None = None):
        self.formula = formula
        self.message = message
        self.name = name
        super().__init__(f"{message}（公式：{formula}）")


@dataclass(frozen=True)
class RowError:
    """One bad cell or row of an imported file; rows numbered as a spreadsheet shows them (header = 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"第 {self.row} 行，{self.column} 列：{self.message}"
            if self.column
            else f"第 {self.row} 行：{self.message}"
        )


ERRORS_LISTED = 1000  # an import lists this many of its errors and counts the rest


class ImportInvalid(YangfanError):
    """A file that cannot be imported, and nothing of it was written. ``errors`` lists its first
    ``ERRORS_LISTED`` bad rows and ``total`` counts them all: a file with a million bad rows is refused in
    seconds with a report people can read, not a million lines. A reader that stopped checking once it had more
    errors than it can list says how many rows it left unchecked (``unchecked``)."""

    def __init__(self, file: str, errors: list[RowError], *, total: int = 0, unchecked: int = 0):
        self.file = file
        self.errors = list(errors[:ERRORS_LISTED])
        self.total = max(total, len(errors))
        self.unchecked = unchecked
        lines = [f"{file}: {e}" for e in self.errors]
        if self.unlisted:
            lines.append(f"{file}: {self.unlisted}")
        super().__init__("\n".join(lines))

    @property
    def rest(self) -> int:
        """How many errors the list leaves out."""
        return self.total - len(self.errors)

    @property
    def unlisted(self) -> str:
        """What the list leaves out, in one line ("" when it lists every error)."""
        rest = self.rest
        if self.unchecked:
            return f"另有 {rest} 处错误未列出；错误超过 {ERRORS_LISTED} 处后停止检查，其后 {self.unchecked} 行未检查"
        return f"另有 {rest} 处错误未列出" if rest else ""


class RowErrors:
    """An import's errors as a reader finds them: the first ``ERRORS_LISTED`` kept, every one counted. Once it
    is ``full`` a reader stops its costly checks (lookups, writes) and only counts what is left."""

    def __init__(self) -> None:
        self.listed: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.listed) < ERRORS_LISTED:
            self.listed.append(error)

    def extend(self, errors) -> None:
        for error in errors:
            self.add(error)

    @property
    def full(self) -> bool:
        return self.total > ERRORS_LISTED

    def __bool__(self) -> bool:
        return self.total > 0

    def refusal(self, file: str, *, unchecked: int = 0) -> ImportInvalid:
        """The ``ImportInvalid`` these errors make, listed by row."""
        return ImportInvalid(
            file, sorted(self.listed, key=lambda e: e.row), total=self.total, unchecked=unchecked
        )
