"""Reading numbers as people type them in Chinese spreadsheets: ``1,234``, ``１２３４``, ``1.6万``, ``2亿``,
``35%``. Exact: the result is a ``Decimal`` with the digits as written (times the multiplier)."""

from __future__ import annotations

import re
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
