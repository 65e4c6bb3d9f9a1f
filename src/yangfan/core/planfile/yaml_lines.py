"""Parsing a plan file's YAML with a line index: every path inside the document (``("tasks", 3, "title")``)
mapped to the line it starts on, so a problem found later, in the parsed values, is reported where the author
will look. A key given twice (which YAML would quietly resolve to the last) and a key that is not text are
problems here, all reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from yangfan.core.errors import PlanInvalid, PlanProblem

Path_ = tuple[str | int, ...]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when PyYAML has it
    """Safe YAML without implicit timestamps: dates stay text and are checked by the schema."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_path(path: Iterable[str | int]) -> str:
    """A path as problems name it: ``("tasks", 3, "title")`` is ``tasks[3].title``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """The document and its line index; :class:`PlanInvalid` for a syntax error, an empty file, or keys given
    twice or not as text."""
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
