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
