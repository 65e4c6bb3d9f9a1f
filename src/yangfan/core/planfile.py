"""Reading a plan file: YAML → structural schema (JSON Schema) → the plan's own rules → :class:`Plan`.

Every problem is reported with the file, the line and the path inside the document, and all problems
are reported at once, so an author fixes a file in one pass. Texts are checked against the plan's source
document (``plan.source``): a task, goal or quote that is not word for word in the text is an error, so
the file cannot drift from the user's own document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from yangfan.core.errors import FormulaError, PlanInvalid, PlanProblem
from yangfan.core.evaluation import COMPONENTS, ScoringScheme
from yangfan.core.expressions import parse_formula
from yangfan.core.orgtree import OrgGroup, OrgUnit
from yangfan.core.plan import (
    OPERATORS_REPORT,
    Aggregation,
    Annex,
    AnnexRow,
    Comparison,
    DataElement,
    DataSet,
    DataSetLevel,
    Direction,
    Goal,
    Importance,
    Indicator,
    Operator,
    Plan,
    QualitativeTarget,
    Registry,
    ResponsibleUnit,
    RuleKind,
    RuleOperator,
    Safeguard,
    Section,
    Sector,
    Source,
    SpecialProject,
    Target,
    TargetScope,
    Task,
    UnitKind,
    ValidationRule,
)
from yangfan.core.supervision import SupervisionRules

Path_ = tuple[str | int, ...]

_TYPE_NAMES = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值（true 或 false）",
    "array": "列表",
    "object": "映射（键: 值）",
}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when PyYAML has it
    """Safe YAML without implicit timestamps: dates stay text and are checked by the schema."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def plan_schema() -> dict[str, Any]:
    return json.loads(resources.files("yangfan.core").joinpath("plan.schema.json").read_text("utf-8"))


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
    data, lines = _parse_yaml(text, file)
    reader = _Reader(file, data, lines, base_dir, source_text)
    return reader.read()


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanInvalid([PlanProblem(file, None, "", "文件为空")])
        lines: dict[Path_, int] = {}
        duplicates: list[PlanProblem] = []
        _index_lines(node, (), lines, duplicates, file, set())
        if duplicates:
            raise PlanInvalid(duplicates)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PlanInvalid(
            [PlanProblem(file, line, "", f"YAML 语法错误：{exc.problem or exc.context}")]
        ) from None
    except yaml.YAMLError as exc:
        raise PlanInvalid([PlanProblem(file, None, "", f"YAML 语法错误：{exc}")]) from None
    finally:
        loader.dispose()
    return data, lines


def _index_lines(node: yaml.Node, path: Path_, lines: dict, problems: list, file: str, visited: set) -> None:
    lines[path] = node.start_mark.line + 1
    if id(node) in visited:  # an alias (*name) of a node already indexed: never walk it twice (or forever)
        return
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                problems.append(PlanProblem(file, line, format_path(path), "字段名应为文本"))
                continue
            key = key_node.value
            child = (*path, key)
            if key in seen:
                problems.append(
                    PlanProblem(
                        file, key_node.start_mark.line + 1, format_path(child), f"字段“{key}”重复出现"
                    )
                )
            seen.add(key)
            _index_lines(value_node, child, lines, problems, file, visited)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines, problems, file, visited)


def _schema_messages(error: jsonschema.ValidationError) -> list[tuple[Path_, str]]:
    """One problem per unknown field (the schema reports them all in one error), else one per error."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        path: Path_ = tuple(error.absolute_path)
        known = error.schema.get("properties", {})
        allowed = "、".join(known)
        extra = [k for k in error.instance if k not in known]
        return [((*path, k), f"未知字段“{k}”；此处可用的字段：{allowed}") for k in extra]
    return [_schema_message(error)]


def _schema_message(error: jsonschema.ValidationError) -> tuple[Path_, str]:
    path: Path_ = tuple(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [k for k in expected if not (isinstance(instance, dict) and k in instance)]
        return path, "缺少必填字段" + "、".join(f"“{k}”" for k in missing)
    if kind == "type":
        wanted = "或".join(
            _TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)
        )
        return path, f"应为{wanted}，实际是 {json.dumps(instance, ensure_ascii=False, default=str)}"
    if kind == "enum":
        options = "、".join(str(v) for v in expected)
        return path, f"取值“{instance}”无效，应为以下之一：{options}"
    if kind == "const":
        return path, f"应为 {expected}"
    if kind == "pattern":
        return path, f"“{instance}”的格式不正确（应符合 {expected}）"
    if kind == "minLength":
        return path, "不能为空"
    if kind == "maxLength":
        return path, f"不能超过 {expected} 个字符"
    if kind == "minItems":
        return path, f"至少需要 {expected} 项"
    if kind in ("minimum", "maximum"):
        return path, f"应{'不小于' if kind == 'minimum' else '不大于'} {expected}"
    return path, error.message


class _Reader:
    """Checks one parsed document and builds the :class:`Plan`; collects problems instead of stopping."""

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

    # -- reading ---------------------------------------------------------------------------------
    def read(self) -> Plan:
        if not isinstance(self.data, dict):
            self.problem((), "计划文件的顶层应为映射（键: 值）")
            self._fail_if_problems()
        validator = jsonschema.Draft202012Validator(plan_schema())
        reported: set[tuple[Path_, str]] = set()
        for error in validator.iter_errors(self.data):
            for found in _schema_messages(error):
                if found not in reported:  # “required” errors come one per missing field, each naming all
                    reported.add(found)
                    self.problem(*found)
        self._fail_if_problems()
        self._check_dates()
        self._check_unique_codes()
        source_text = self._read_source()
        clause_texts = self._clause_texts()
        units_by_name = self._check_responsible_units()
        self._check_sections_and_tasks(units_by_name)
        self._check_org_tree()
        self._check_sources(clause_texts)
        self._check_indicators()
        self._check_data_sets()
        self._check_validation_rules()
        self._check_evaluation()
        if source_text:
            self._check_against_source(source_text)
        self._fail_if_problems()
        return self._build(source_text, units_by_name)

    def items(self, collection: str) -> list[tuple[Path_, dict]]:
        return [((collection, i), item) for i, item in enumerate(self.data.get(collection) or [])]

    def _check_dates(self) -> None:
        plan = self.data["plan"]
        start = self._date(("plan", "start"), plan["start"])
        end = self._date(("plan", "end"), plan["end"])
        if start and end and start >= end:
            self.problem(("plan", "end"), "计划结束日期应晚于开始日期")
        for path, indicator in self.items("indicators"):
            when = self._date((*path, "target", "date"), indicator["target"]["date"])
            if when and start and end and not start <= when <= end:
                self.problem((*path, "target", "date"), f"目标日期 {when} 不在计划期 {start} 至 {end} 内")
            previous = start
            for n, milestone in enumerate(indicator.get("milestones", [])):
                on = self._date((*path, "milestones", n, "date"), milestone["date"])
                if on and when and previous and not previous <= on < when:
                    self.problem(
                        (*path, "milestones", n, "date"),
                        f"阶段目标日期 {on} 应按时间顺序排列，且在计划开始 {start} 之后、最终目标日期 {when} 之前",
                    )
                previous = on or previous

    def _date(self, path: Path_, text: str) -> date | None:
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(path, f"“{text}”不是有效日期（格式：YYYY-MM-DD）")
            return None

    def _check_unique_codes(self) -> None:
        # Clause codes share one namespace (sources cite any of them); so do org units and groups.
        namespaces = [
            ("sections", "tasks", "special_projects", "safeguards", "goals"),
            ("org_units", "org_groups"),
            *[
                (c,)
                for c in (
                    "responsible_units",
                    "sectors",
                    "operators",
                    "data_elements",
                    "registries",
                    "indicators",
                    "qualitative_targets",
                    "data_sets",
                    "validation_rules",
                )
            ],
        ]
        for collections in namespaces:
            seen: dict[str, Path_] = {}
            for collection in collections:
                for path, item in self.items(collection):
                    code = item["code"]
                    if code in seen:
                        first = format_path(seen[code])
                        self.problem((*path, "code"), f"代码“{code}”重复（已在 {first} 使用）")
                    else:
                        seen[code] = path

    def _codes(self, *collections: str) -> set[str]:
        return {item["code"] for c in collections for _, item in self.items(c)}

    def _read_source(self) -> str:
        name = self.data["plan"].get("source")
        if not name:
            return ""
        if self.source_text is not None:
            return self.source_text
        if self.base_dir is None:
            self.problem(("plan", "source"), "无法确定原文文件的位置")
            return ""
        path = self.base_dir / name
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            self.problem(("plan", "source"), f"找不到原文文件 {path}")
            return ""

    def _clause_texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for _, s in self.items("sections"):
            texts[s["code"]] = s["title"] + "\n" + s.get("text", "")
        for _, t in self.items("tasks"):
            texts[t["code"]] = f"{t['title']}。{t['text']}（责任单位：{t['responsibility']}）"
        for _, p in self.items("special_projects"):
            texts[p["code"]] = p["title"] + "\n" + p["text"]
        for _, g in self.items("safeguards"):
            texts[g["code"]] = f"{g['title']}。{g['text']}"
        for _, g in self.items("goals"):
            texts[g["code"]] = f"{g['title']}。{g['text']}"
        annex = self.data.get("annex")
        if annex:
            rows = [f"{r['indicator']}\n{r['meaning']}\n{r['value']}" for r in annex["rows"]]
            texts["附件"] = "\n".join([annex["title"], *rows, *annex.get("notes", [])])
        return texts

    def _check_responsible_units(self) -> dict[str, str]:
        by_name: dict[str, str] = {}
        for path, unit in self.items("responsible_units"):
            for i, name in enumerate([unit["name"], *unit.get("aliases", [])]):
                where = (*path, "name") if i == 0 else (*path, "aliases", i - 1)
                if name in by_name:
                    self.problem(where, f"名称“{name}”已被责任单位 {by_name[name]} 使用")
                by_name[name] = unit["code"]
        return by_name

    def _check_sections_and_tasks(self, units_by_name: dict[str, str]) -> None:
        sections = self._codes("sections")
        tasks = self._codes("tasks")
        sectors = self._codes("sectors")
        for path, section in self.items("sections"):
            parent = section.get("parent")
            if parent is not None and parent not in sections:
                self.problem((*path, "parent"), f"上级章节“{parent}”不存在")
        for collection in ("tasks", "special_projects", "goals"):
            for path, item in self.items(collection):
                if item["section"] not in sections:
                    self.problem((*path, "section"), f"章节“{item['section']}”不存在")
        for path, task in self.items("tasks"):
            for i, name in enumerate(task["responsible_units"]):
                if name not in units_by_name:
                    known = "、".join(units_by_name)
                    self.problem(
                        (*path, "responsible_units", i), f"未知责任单位“{name}”；已定义的责任单位：{known}"
                    )
                elif name not in task["responsibility"]:
                    self.problem((*path, "responsible_units", i), f"“{name}”不在该任务的责任单位原文中")
            if task.get("sector") and task["sector"] not in sectors:
                self.problem((*path, "sector"), f"行业“{task['sector']}”不存在")
        for path, sector in self.items("sectors"):
            if sector.get("task") and sector["task"] not in tasks:
                self.problem((*path, "task"), f"任务“{sector['task']}”不存在")

    def _check_org_tree(self) -> None:
        units = {u["code"]: (p, u) for p, u in self.items("org_units")}
        roots = [p for p, u in units.values() if "parent" not in u and "counted_in" not in u]
        if len(roots) != 1:
            where = roots[1] if len(roots) > 1 else ("org_units",)
            self.problem(where, f"组织机构树应有且只有一个根（没有 parent 的单位），现有 {len(roots)} 个")
        for code, (path, unit) in units.items():
            for key in ("parent", "counted_in"):
                ref = unit.get(key)
                if ref is None:
                    continue
                if ref not in units:
                    self.problem((*path, key), f"上级单位“{ref}”不存在（单位 {code} {unit['name']}）")
                elif units[ref][1]["level"] >= unit["level"]:
                    self.problem((*path, "level"), f"层级 {unit['level']} 应大于上级单位 {ref} 的层级")
        for code, (path, _) in units.items():  # cycles along the statistical tree
            seen, current = {code}, code
            while True:
                unit = units[current][1]
                parent = unit.get("counted_in") or unit.get("parent")
                if parent is None or parent not in units:
                    break
                if parent in seen:  # reported once for each unit on the cycle, not for units below it
                    if parent == code:
                        self.problem(path, f"单位 {code} 的上级关系形成了循环")
                    break
                seen.add(parent)
                current = parent
        member_of: dict[str, str] = {}
        for path, group in self.items("org_groups"):
            for key in ("members", "overlaps"):
                for i, ref in enumerate(group.get(key, [])):
                    if ref not in units:
                        self.problem((*path, key, i), f"单位“{ref}”不存在")
            for i, ref in enumerate(group["members"]):
                if ref in member_of:
                    self.problem((*path, "members", i), f"单位 {ref} 已是分组 {member_of[ref]} 的成员")
                member_of[ref] = group["code"]

    def _check_sources(self, clause_texts: dict[str, str]) -> None:
        for collection in ("data_elements", "registries", "indicators"):
            for path, item in self.items(collection):
                sources = item.get("sources", [])
                if not sources and not item.get("remark"):
                    self.problem((*path, "sources"), "未引用计划条款；若原文确无出处，请在 remark 中说明原因")
                for i, source in enumerate(sources):
                    self._check_quote((*path, "sources", i), source["clause"], source["quote"], clause_texts)
        for path, target in self.items("qualitative_targets"):
            self._check_quote(path, target["clause"], target["text"], clause_texts)

    def _check_quote(self, path: Path_, clause: str, quote: str, clause_texts: dict[str, str]) -> None:
        if clause not in clause_texts:
            self.problem((*path, "clause"), f"条款“{clause}”不存在")
        elif quote not in clause_texts[clause]:
            self.problem(path, f"引文“{quote}”不在条款 {clause} 的原文中")

    def _check_data_sets(self) -> None:
        elements = self._codes("data_elements")
        reporters = self._codes("responsible_units") | {OPERATORS_REPORT}
        by_operator = {e["code"] for _, e in self.items("data_elements") if e.get("by_operator")}
        for path, data_set in self.items("data_sets"):
            for i, code in enumerate(data_set["data_elements"]):
                if code not in elements:
                    self.problem((*path, "data_elements", i), f"“{code}”不是已定义的数据项（data_elements）")
                elif data_set.get("by_operator") and code not in by_operator:
                    self.problem(
                        (*path, "data_elements", i),
                        f"数据项 {code} 不按运营商分列，不能放在按运营商报送的数据集中",
                    )
            if data_set["reporter"] not in reporters:
                self.problem(
                    (*path, "reporter"),
                    f"报送单位“{data_set['reporter']}”应为责任单位代码或 {OPERATORS_REPORT}（运营商）",
                )

    def _check_validation_rules(self) -> None:
        elements = self._codes("data_elements")
        for path, rule in self.items("validation_rules"):
            for side in ("left", "right"):
                if side not in rule:
                    continue
                try:
                    formula = parse_formula(rule[side])
                except FormulaError as exc:
                    self.problem((*path, side), exc.message)
                    continue
                if formula.registries or formula.functions:
                    self.problem((*path, side), "校验规则只能使用数据项、数字和四则运算")
                for code in formula.data_elements:
                    if code not in elements:
                        self.problem((*path, side), f"“{code}”不是已定义的数据项（data_elements）")
            if rule["kind"] == "jump" and rule["data_element"] not in elements:
                self.problem(
                    (*path, "data_element"), f"“{rule['data_element']}”不是已定义的数据项（data_elements）"
                )

    def _check_evaluation(self) -> None:
        """Scoring schemes: weights of the four components summing to 100, points 0–100, versions unique and
        in the order they took effect (the scheme for a period is the last one effective by its end)."""
        versions: dict[str, Path_] = {}
        previous: date | None = None
        for path, scheme in self.items("evaluation"):
            version = scheme["version"]
            if version in versions:
                first = format_path(versions[version])
                self.problem((*path, "version"), f"评分方案版本“{version}”重复（已在 {first} 使用）")
            else:
                versions[version] = path
            weights = scheme["weights"]
            bad = [k for k in COMPONENTS if not _is_number(weights[k])]
            for key in bad:
                self.problem((*path, "weights", key), f"权重 {weights[key]} 不是有限的数值")
            if not bad:
                total = sum((_decimal(weights[k]) for k in COMPONENTS), Decimal(0))
                if total != 100:
                    parts = " + ".join(f"{k} {_decimal(weights[k]).normalize():f}" for k in COMPONENTS)
                    self.problem(
                        (*path, "weights"), f"四项权重之和应为 100，现为 {total.normalize():f}（{parts}）"
                    )
            for key, value in scheme["status_points"].items():
                if not _is_number(value):
                    self.problem((*path, "status_points", key), f"状态得分 {value} 应为 0 至 100 之间的数值")
            effective = self._date((*path, "effective_from"), scheme["effective_from"])
            if effective and previous and effective <= previous:
                self.problem(
                    (*path, "effective_from"),
                    f"生效日期 {effective} 应晚于上一版本的生效日期 {previous}（评分方案按生效日期先后排列）",
                )
            previous = effective or previous

    def _check_indicators(self) -> None:
        elements = self._codes("data_elements")
        registries = self._codes("registries")
        rows = (self.data.get("annex") or {}).get("rows", [])
        annex_rows = {r["number"]: (i, r) for i, r in enumerate(rows)}
        for path, indicator in self.items("indicators"):
            if not _is_number(indicator["target"]["value"]):  # YAML .nan and .inf are numbers to the schema
                self.problem(
                    (*path, "target", "value"), f"目标值 {indicator['target']['value']} 不是有限的数值"
                )
            for n, milestone in enumerate(indicator.get("milestones", [])):
                if not _is_number(milestone["value"]):
                    self.problem(
                        (*path, "milestones", n, "value"), f"阶段目标值 {milestone['value']} 不是有限的数值"
                    )
            try:
                formula = parse_formula(indicator["formula"])
            except FormulaError as exc:
                self.problem((*path, "formula"), exc.message)
                continue
            for code in formula.data_elements:
                if code not in elements:
                    self.problem((*path, "formula"), f"公式中的“{code}”不是已定义的数据项（data_elements）")
            for code in formula.registries:
                if code not in registries:
                    self.problem((*path, "formula"), f"count 中的“{code}”不是已定义的登记簿（registries）")
            if "cagr" in formula.functions and "base_year" not in indicator:
                self.problem(path, "公式使用 cagr（年均增长率），须给出基期年份 base_year")
            number = indicator.get("annex_number")
            if number is not None:
                row_index, row = annex_rows.get(number, (None, None))
                if row is None:
                    self.problem((*path, "annex_number"), f"附件中没有序号为 {number} 的指标")
                elif not _is_number(row["value"]):
                    where = ("annex", "rows", row_index, "value")
                    self.problem(where, f"附件第 {number} 项的指标值“{row['value']}”不是数值")
                elif _decimal(row["value"]) != _decimal(indicator["target"]["value"]):
                    self.problem(
                        (*path, "target", "value"),
                        f"目标值 {indicator['target']['value']} 与附件第 {number} 项的指标值 {row['value']} 不一致",
                    )

    def _check_against_source(self, source: str) -> None:
        name = self.data["plan"]["source"]

        def check(path: Path_, text: str) -> None:
            for paragraph in text.split("\n"):
                if paragraph and paragraph not in source:
                    self.problem(
                        path, f"在原文 {name} 中找不到这段文字（须逐字取自原文）：“{paragraph[:30]}…”"
                    )

        for path, section in self.items("sections"):
            check((*path, "title"), section["title"])
            check((*path, "text"), section.get("text", ""))
        for path, task in self.items("tasks"):
            for key in ("title", "text", "responsibility"):
                check((*path, key), task[key])
        for collection in ("special_projects", "safeguards", "goals"):
            for path, item in self.items(collection):
                check((*path, "title"), item["title"])
                check((*path, "text"), item["text"])
        annex = self.data.get("annex")
        if annex:
            for i, row in enumerate(annex["rows"]):
                for key in ("indicator", "meaning"):
                    check(("annex", "rows", i, key), row[key])
            for i, note in enumerate(annex.get("notes", [])):
                check(("annex", "notes", i), note)

    # -- building --------------------------------------------------------------------------------
    def _build(self, source_text: str, units_by_name: dict[str, str]) -> Plan:
        d = self.data
        p = d["plan"]

        def opt(item: dict, *keys: str) -> dict:
            return {k: item[k] for k in keys if k in item}

        def sources(item: dict) -> tuple[Source, ...]:
            return tuple(Source(s["clause"], s["quote"]) for s in item.get("sources", []))

        annex = d.get("annex")
        return Plan(
            code=p["code"],
            name=p["name"],
            start=date.fromisoformat(p["start"]),
            end=date.fromisoformat(p["end"]),
            source_text=source_text,
            remarks=tuple(d.get("remarks", [])),
            **opt(p, "name_en", "document", "notice_title", "addressees", "base_year", "preamble"),
            responsible_units=tuple(
                ResponsibleUnit(
                    code=u["code"],
                    name=u["name"],
                    kind=UnitKind(u.get("kind", "department")),
                    aliases=tuple(u.get("aliases", [])),
                    **opt(u, "name_en", "remark"),
                )
                for u in d["responsible_units"]
            ),
            sectors=tuple(
                Sector(
                    code=s["code"],
                    name=s["name"],
                    key_industry=s["key_industry"],
                    **opt(s, "name_en", "task", "remark"),
                )
                for s in d.get("sectors", [])
            ),
            operators=tuple(Operator(**o) for o in d.get("operators", [])),
            sections=tuple(Section(**s) for s in d["sections"]),
            tasks=tuple(
                Task(
                    code=t["code"],
                    section=t["section"],
                    title=t["title"],
                    text=t["text"],
                    responsibility=t["responsibility"],
                    responsible_units=tuple(dict.fromkeys(units_by_name[n] for n in t["responsible_units"])),
                    **opt(t, "number", "sector", "remark"),
                )
                for t in d["tasks"]
            ),
            special_projects=tuple(SpecialProject(**s) for s in d.get("special_projects", [])),
            safeguards=tuple(Safeguard(**s) for s in d.get("safeguards", [])),
            goals=tuple(Goal(**g) for g in d.get("goals", [])),
            annex=Annex(
                title=annex["title"],
                rows=tuple(AnnexRow(**r) for r in annex["rows"]),
                notes=tuple(annex.get("notes", [])),
            )
            if annex
            else None,
            org_units=tuple(OrgUnit(**u) for u in d["org_units"]),
            org_groups=tuple(
                OrgGroup(
                    code=g["code"],
                    name=g["name"],
                    kind=g["kind"],
                    members=tuple(g["members"]),
                    overlaps=tuple(g.get("overlaps", [])),
                    **opt(g, "name_en", "remark"),
                )
                for g in d.get("org_groups", [])
            ),
            data_elements=tuple(
                DataElement(
                    code=e["code"],
                    name=e["name"],
                    unit=e["unit"],
                    aggregation=Aggregation(e["aggregation"]),
                    sources=sources(e),
                    **opt(e, "name_en", "period_type", "by_operator", "remark", "shared_between_operators"),
                )
                for e in d["data_elements"]
            ),
            registries=tuple(
                Registry(code=r["code"], name=r["name"], sources=sources(r), **opt(r, "name_en", "remark"))
                for r in d.get("registries", [])
            ),
            indicators=tuple(
                Indicator(
                    code=i["code"],
                    name=i["name"],
                    unit=i["unit"],
                    formula=parse_formula(i["formula"]),
                    direction=Direction(i["direction"]),
                    target=_target(i["target"]),
                    target_scope=TargetScope(i["target"].get("applies_to", TargetScope.PLAN_AREA)),
                    milestones=tuple(_target(m) for m in i.get("milestones", [])),
                    sources=sources(i),
                    **opt(i, "name_en", "base_year", "annex_number", "remark"),
                )
                for i in d["indicators"]
            ),
            qualitative_targets=tuple(QualitativeTarget(**q) for q in d.get("qualitative_targets", [])),
            data_sets=tuple(
                DataSet(
                    code=ds["code"],
                    name=ds["name"],
                    period_type=ds["period_type"],
                    level=DataSetLevel(ds["level"]),
                    reporter=ds["reporter"],
                    deadline_days=ds["deadline_days"],
                    data_elements=tuple(ds["data_elements"]),
                    **opt(ds, "by_operator", "name_en", "remark"),
                )
                for ds in d.get("data_sets", [])
            ),
            validation_rules=tuple(_rule(r) for r in d.get("validation_rules", [])),
            supervision=SupervisionRules(**d.get("supervision", {})),
            evaluation_schemes=tuple(_scheme(e) for e in d.get("evaluation", [])),
        )


def _scheme(d: dict) -> ScoringScheme:
    return ScoringScheme(
        version=d["version"],
        name=d["name"],
        effective_from=date.fromisoformat(d["effective_from"]),
        weights={k: _decimal(v) for k, v in d["weights"].items()},
        status_points={k: _decimal(v) for k, v in d["status_points"].items()},
        remark=d.get("remark", ""),
    )


def _rule(d: dict) -> ValidationRule:
    return ValidationRule(
        code=d["code"],
        name=d["name"],
        kind=RuleKind(d["kind"]),
        importance=Importance(d["importance"]),
        left=parse_formula(d["left"]) if "left" in d else None,
        operator=RuleOperator(d["operator"]) if "operator" in d else None,
        right=parse_formula(d["right"]) if "right" in d else None,
        data_element=d.get("data_element"),
        limit=_decimal(d["limit"]) if "limit" in d else None,
        remark=d.get("remark", ""),
    )


def _target(d: dict) -> Target:
    return Target(
        value=_decimal(d["value"]),
        comparison=Comparison(d["comparison"]),
        date=date.fromisoformat(d["date"]),
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _is_number(value: Any) -> bool:
    try:
        return _decimal(value).is_finite()
    except InvalidOperation:
        return False


def bundled_plan_paths() -> list[Path]:
    """The plan files shipped with Yangfan (``src/yangfan/plans/*.yaml``)."""
    folder = resources.files("yangfan.plans")
    return sorted(
        Path(str(folder.joinpath(name.name))) for name in folder.iterdir() if name.name.endswith(".yaml")
    )
