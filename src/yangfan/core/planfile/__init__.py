"""Reading a plan file: YAML → structural schema (JSON Schema) → the plan's own rules → :class:`Plan`.

Every problem is reported with the file, the line and the path inside the document, and all problems
are reported at once, so an author fixes a file in one pass. Texts are checked against the plan's source
document (``plan.source``): a task, goal or quote that is not word for word in the text is an error, so
the file cannot drift from the user's own document.

The figures and words of the text are checked too: a target must equal the figure its quote writes (with
its 万/亿 and unit) and use the comparison its words say (超过 is ``gt``, 以上 is ``gte``); every goal phrase
must be quoted by a target; every unit a task's responsibility clause names must be listed for the task.

The steps live in their own modules: ``yaml_lines`` (parsing, with the line of every path), ``schema`` (the
structural schema and its messages), ``reader`` (the plan's own rules, in ``structure``, ``texts``,
``measures`` and ``wording``, on the shared state of ``base``), ``build`` (the checked document made into a
:class:`Plan`) and ``bundled`` (the plan files shipped with Yangfan).
"""

from __future__ import annotations

from pathlib import Path

from yangfan.core.errors import PlanInvalid, PlanProblem
from yangfan.core.plan import Plan
from yangfan.core.planfile.bundled import bundled_plan_paths
from yangfan.core.planfile.reader import PlanReader
from yangfan.core.planfile.schema import plan_schema
from yangfan.core.planfile.yaml_lines import format_path, parse_yaml

__all__ = ["bundled_plan_paths", "format_path", "load_plan", "load_plan_text", "plan_schema"]


def load_plan(path: str | Path) -> Plan:
    """Load and validate the plan file at ``path``; raise :class:`PlanInvalid` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanInvalid([PlanProblem(str(path), None, "", "文件不存在")]) from None
    except UnicodeDecodeError:
        raise PlanInvalid([PlanProblem(str(path), None, "", "文件不是 UTF-8 编码")]) from None
    except OSError as exc:
        raise PlanInvalid([PlanProblem(str(path), None, "", f"无法读取文件：{exc.strerror}")]) from None
    return load_plan_text(text, file=str(path), base_dir=path.parent)


def load_plan_text(
    text: str, *, file: str = "<plan>", base_dir: Path | None = None, source_text: str | None = None
) -> Plan:
    """Load and validate a plan file's ``text``. Its source text (``plan.source``) is read from ``base_dir``,
    or is ``source_text`` when given (a plan stored in the database carries both texts)."""
    data, lines = parse_yaml(text, file)
    reader = PlanReader(file, data, lines, base_dir, source_text)
    return reader.read()
