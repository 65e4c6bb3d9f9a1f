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

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from yangfan.core.errors import PlanInvalid, PlanProblem
from yangfan.core.plan import Plan
from yangfan.core.planfile.bundled import bundled_plan_paths
from yangfan.core.planfile.reader import PlanReader
from yangfan.core.planfile.schema import plan_schema
from yangfan.core.planfile.yaml_lines import format_path, parse_yaml

__all__ = [
    "BUNDLED",
    "bundled_plan_files",
    "bundled_plan_paths",
    "bundled_plans",
    "format_path",
    "init_plan_paths",
    "load_plan",
    "load_plan_text",
    "plan_schema",
]

BUNDLED: Mapping[
    str, Plan
] = {}  # ``plans=BUNDLED``: the plans a file may continue are those shipped with Yangfan


def load_plan(path: str | Path, *, plans: Mapping[str, Plan] | None = BUNDLED) -> Plan:
    """Load and validate the plan file at ``path``; raise :class:`PlanInvalid` listing every problem.

    ``plans`` (code → plan) are the other plans the file's continuations may name and whose codes it may not
    take: by default the bundled ones; ``None`` checks none (a plan read back as it was loaded)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanInvalid([PlanProblem(str(path), None, "", "文件不存在")]) from None
    except UnicodeDecodeError:
        raise PlanInvalid([PlanProblem(str(path), None, "", "文件不是 UTF-8 编码")]) from None
    except OSError as exc:
        raise PlanInvalid([PlanProblem(str(path), None, "", f"无法读取文件：{exc.strerror}")]) from None
    return load_plan_text(text, file=str(path), base_dir=path.parent, plans=plans)


def load_plan_text(
    text: str,
    *,
    file: str = "<plan>",
    base_dir: Path | None = None,
    source_text: str | None = None,
    plans: Mapping[str, Plan] | None = BUNDLED,
) -> Plan:
    """Load and validate a plan file's ``text``. Its source text (``plan.source``) is read from ``base_dir``,
    or is ``source_text`` when given (a plan stored in the database carries both texts); ``plans`` as
    :func:`load_plan`."""
    data, lines = parse_yaml(text, file)
    reader = PlanReader(file, data, lines, base_dir, source_text)
    return reader.read(bundled_plans() if plans is BUNDLED else plans)


def bundled_plans() -> dict[str, Plan]:
    """The plans shipped with Yangfan by code, each read once per process (their continuations are checked by
    the tests of the bundled files, not again here)."""
    return {code: plan for code, (plan, _path) in _bundled().items()}


def init_plan_paths() -> list[Path]:
    """The bundled plan files ``yangfan init`` loads, each after the plans it continues (by start date); the others
    (``load: on_request``) are loaded by ``yangfan plan load CODE``."""
    plans = sorted(bundled_plans().values(), key=lambda plan: plan.start)
    return [bundled_plan_files()[plan.code] for plan in plans if plan.loads_on_init]


def bundled_plan_files() -> dict[str, Path]:
    """The files of the plans shipped with Yangfan, by the plan's code."""
    return {code: path for code, (_plan, path) in _bundled().items()}


@cache
def _bundled() -> dict[str, tuple[Plan, Path]]:
    return {
        plan.code: (plan, path) for path in bundled_plan_paths() for plan in [load_plan(path, plans=None)]
    }
