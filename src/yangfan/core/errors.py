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


class ImportInvalid(YangfanError):
    """A file that cannot be imported; holds every bad row, and nothing of it was written."""

    def __init__(self, file: str, errors: list[RowError]):
        self.file = file
        self.errors = errors
        super().__init__("\n".join(f"{file}: {e}" for e in errors))
