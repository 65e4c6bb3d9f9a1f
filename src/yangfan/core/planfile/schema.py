"""The plan file's structural schema (``plan.schema.json`` beside the modules of ``yangfan.core``, read as that
package's data, not relative to this file) and its errors in the author's words, each with its path: one
problem per unknown field, one naming every missing field of a mapping, one per wrong type or value."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from yangfan.core.planfile.yaml_lines import Path_

_TYPE_NAMES = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值（true 或 false）",
    "array": "列表",
    "object": "映射（键: 值）",
}


def plan_schema() -> dict[str, Any]:
    return json.loads(resources.files("yangfan.core").joinpath("plan.schema.json").read_text("utf-8"))


def schema_problems(data: Any) -> list[tuple[Path_, str]]:
    """Every way ``data`` breaks the schema, as (path, message), in the validator's order and each once."""
    validator = jsonschema.Draft202012Validator(plan_schema())
    found: list[tuple[Path_, str]] = []
    reported: set[tuple[Path_, str]] = set()
    for error in validator.iter_errors(data):
        for problem in _schema_messages(error):
            if problem not in reported:  # “required” errors come one per missing field, each naming all
                reported.add(problem)
                found.append(problem)
    return found


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
    if kind == "exclusiveMinimum":
        return path, f"应大于 {expected}"
    if kind in ("minimum", "maximum"):
        return path, f"应{'不小于' if kind == 'minimum' else '不大于'} {expected}"
    return path, error.message
