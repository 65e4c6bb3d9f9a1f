"""Indicator formulas, parsed safely into a small tree of frozen nodes.

A formula is Python expression syntax restricted to a whitelist: numbers, names, ``+ - * /``, unary
minus, parentheses, and the few functions the plan needs. Python's own parser reads the text; nothing is
ever evaluated by Python (no ``eval``). Names are data element codes, except inside ``count(...)``, where
the name is a registry.

Functions:

- ``cagr(x)``: compound annual growth rate of ``x`` from the indicator's base year (A4);
- ``count(registry)``: entries of a registry active at the period's end (A6, B2–B4);
- ``min_over_key_industries(x)``: ``x`` computed per key industry, the smallest of them (A7).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yangfan.core.errors import FormulaError


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class DataElementRef:
    code: str


@dataclass(frozen=True)
class RegistryRef:
    code: str


@dataclass(frozen=True)
class BinaryOp:
    op: str  # one of + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Call:
    function: str
    argument: Node


Node = Number | DataElementRef | RegistryRef | BinaryOp | Negate | Call

FUNCTIONS = ("cagr", "count", "min_over_key_industries")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


@dataclass(frozen=True)
class Formula:
    """A parsed formula and the names it uses."""

    source: str
    tree: Node

    @property
    def data_elements(self) -> tuple[str, ...]:
        return tuple(sorted({n.code for n in _walk(self.tree) if isinstance(n, DataElementRef)}))

    @property
    def registries(self) -> tuple[str, ...]:
        return tuple(sorted({n.code for n in _walk(self.tree) if isinstance(n, RegistryRef)}))

    @property
    def functions(self) -> tuple[str, ...]:
        return tuple(sorted({n.function for n in _walk(self.tree) if isinstance(n, Call)}))


def _walk(node: Node):
    yield node
    if isinstance(node, BinaryOp):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, Negate):
        yield from _walk(node.operand)
    elif isinstance(node, Call):
        yield from _walk(node.argument)


def parse_formula(source: str) -> Formula:
    """Parse ``source`` or raise :class:`FormulaError` naming what is not allowed."""
    text = source.strip()
    if not text:
        raise FormulaError(source, "公式为空")
    try:
        tree = ast.parse(text, mode="eval")
        return Formula(source=text, tree=_convert(tree.body, source, in_count=False))
    except SyntaxError as exc:
        raise FormulaError(source, f"公式语法错误（第{exc.offset or 0}个字符附近）") from None
    except RecursionError:
        raise FormulaError(source, "公式过长或嵌套过深") from None


def _convert(node: ast.AST, source: str, *, in_count: bool) -> Node:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        # The digits as written, not Python's float: 0.1 stays exactly 0.1.
        written = (ast.get_source_segment(source.strip(), node) or str(node.value)).replace("_", "")
        try:
            value = Decimal(written)
        except InvalidOperation:  # 0x10, 0o7: Python's own reading of the digits is exact for ints
            value = Decimal(str(node.value))
        if not value.is_finite() or abs(value.adjusted()) > 30:
            raise FormulaError(source, f"数字“{written}”超出范围")
        return Number(value)
    if isinstance(node, ast.Name):
        return RegistryRef(node.id) if in_count else DataElementRef(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return BinaryOp(
            _OPERATORS[type(node.op)],
            _convert(node.left, source, in_count=in_count),
            _convert(node.right, source, in_count=in_count),
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _convert(node.operand, source, in_count=in_count)
        return Negate(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _convert_call(node, source, in_count=in_count)
    fragment = ast.get_source_segment(source.strip(), node) or type(node).__name__
    raise FormulaError(
        source,
        f"公式中不允许使用“{fragment}”；只能使用数字、数据项代码、+ - * / 、括号和函数 "
        + "、".join(FUNCTIONS),
    )


def _convert_call(node: ast.Call, source: str, *, in_count: bool) -> Node:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        raise FormulaError(source, f"未知函数“{name}”；可用函数：" + "、".join(FUNCTIONS), name=name)
    function = node.func.id
    if node.keywords or len(node.args) != 1:
        raise FormulaError(source, f"函数 {function} 只接受一个参数", name=function)
    if in_count:
        raise FormulaError(source, "count 的参数只能是一个登记簿代码", name=function)
    argument = node.args[0]
    if function == "count":
        if not isinstance(argument, ast.Name):
            raise FormulaError(source, "count 的参数只能是一个登记簿代码", name=function)
        return Call(function, RegistryRef(argument.id))
    return Call(function, _convert(argument, source, in_count=False))
