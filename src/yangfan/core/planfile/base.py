"""What every group of a plan reader's checks shares: the parsed document, its line index and the problems
found so far. A problem is reported on the line of the nearest enclosing path the index knows, so one in a
value without a line of its own (a field the schema says is missing) still points into the file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from yangfan.core.errors import PlanInvalid, PlanProblem
from yangfan.core.planfile.yaml_lines import Path_, format_path


class ReaderBase:
    """The state and the reporting of :class:`~yangfan.core.planfile.reader.PlanReader`; its checks are mixins
    on this class, one module per part of the plan."""

    def __init__(
        self,
        file: str,
        data: Any,
        lines: dict[Path_, int],
        base_dir: Path | None,
        source_text: str | None = None,
    ):
        self.file = file
        self.data = data
        self.lines = lines
        self.base_dir = base_dir
        self.source_text = source_text
        self.problems: list[PlanProblem] = []

    # -- reporting -------------------------------------------------------------------------------
    def problem(self, path: Path_, message: str) -> None:
        line = None
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                line = self.lines[path[:end]]
                break
        self.problems.append(PlanProblem(self.file, line, format_path(path), message))

    def _fail_if_problems(self) -> None:
        if self.problems:
            raise PlanInvalid(self.problems)

    # -- looking up ------------------------------------------------------------------------------
    def items(self, collection: str) -> list[tuple[Path_, dict]]:
        return [((collection, i), item) for i, item in enumerate(self.data.get(collection) or [])]

    def _codes(self, *collections: str) -> set[str]:
        return {item["code"] for c in collections for _, item in self.items(c)}

    def _date(self, path: Path_, text: str) -> date | None:
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(path, f"“{text}”不是有效日期（格式：YYYY-MM-DD）")
            return None


def as_decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def is_number(value: Any) -> bool:
    try:
        return as_decimal(value).is_finite()
    except InvalidOperation:
        return False
