"""Reading numbers as people type them in Chinese spreadsheets: ``1,234``, ``１２３４``, ``1.6万``, ``2亿``,
``35%``. Exact: the result is a ``Decimal`` with the digits as written (times the multiplier)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yangfan.core.errors import YangfanError

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％　", "0123456789.,-+% ")
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_SHAPE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


class NumberError(YangfanError):
    def __init__(self, text: str):
        self.text = text
        super().__init__(f"“{text}”不是有效的数值")


def parse_number(text: str) -> Decimal:
    """``text`` as a Decimal; ``%`` keeps the number of percent (``35%`` is 35, the unit is the indicator's)."""
    raw = str(text)
    value = raw.translate(_FULL_WIDTH).strip().replace(" ", "")
    multiplier = Decimal(1)
    if value.endswith("%"):
        value = value[:-1]
    elif value and value[-1] in _MULTIPLIERS:
        multiplier = _MULTIPLIERS[value[-1]]
        value = value[:-1]
    if not _SHAPE.match(value):
        raise NumberError(raw)
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise NumberError(raw) from None
    return number * multiplier


@dataclass(frozen=True)
class NumberLimits:
    """What a stored number may be: the column's precision (``digits`` in all, ``places`` after the point) and the
    data element's own bounds (at most ``decimals`` places, within ``minimum``–``maximum``; None: no bound)."""

    digits: int
    places: int
    decimals: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def plain(value: Decimal) -> str:
    """``value`` written out without an exponent and without trailing zeros (``1E+2`` → ``100``), exactly:
    ``normalize`` would round it to the context's 28 digits."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def places(value: Decimal) -> int:
    """How many places after the point ``value`` needs (``1.50`` needs 1, ``100`` none)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - zeros)


def limit_problem(value: Decimal, limits: NumberLimits) -> str | None:
    """Why ``value`` cannot be stored under ``limits``, in Chinese, or None. Nothing is rounded: a value with
    more places than allowed is refused, never cut."""
    if not value.is_finite():
        return f"“{value}”不是有限的数值"
    whole = limits.digits - limits.places
    if value and value.adjusted() >= whole:
        shown = plain(value)
        shown = shown if len(shown) <= 30 else f"{shown[:12]}…（共 {len(shown)} 位）"
        return f"数值 {shown} 超出可存储的范围：整数部分最多 {whole} 位"
    allowed = limits.places if limits.decimals is None else min(limits.decimals, limits.places)
    if places(value) > allowed:
        if allowed == 0:
            return f"数值 {plain(value)} 应为整数"
        return f"数值 {plain(value)} 的小数位数过多：最多 {allowed} 位小数，不作舍入"
    if limits.minimum is not None and value < limits.minimum:
        return f"数值 {plain(value)} 小于下限 {plain(limits.minimum)}"
    if limits.maximum is not None and value > limits.maximum:
        return f"数值 {plain(value)} 大于上限 {plain(limits.maximum)}"
    return None
