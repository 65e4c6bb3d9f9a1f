"""Figures are formatted once (``core.figures``): pages, reports and the command line print the same text."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from yangfan.core.figures import decimal2, figure, number, row_target


def test_counts_rates_and_targets_read_as_people_write_them():
    assert number(Decimal("16000000.000")) == "16,000,000" and number(None) == ""
    assert figure(Decimal("18732856"), "户") == "18,732,856"  # a count of households: no decimals
    assert figure(Decimal("42.5"), "%") == "42.50" and figure(None, "%") == "—"
    assert figure(Decimal("12.5"), "个") == "12.50"  # a count that is not whole keeps its decimals
    assert decimal2("1234.567") == "1,234.57"
    # an indicator result's target (datavalues.indicators.IndicatorRow: target and target_comparison)
    assert row_target(SimpleNamespace(target=Decimal("40"), target_comparison="gt")) == "> 40"
    assert row_target(SimpleNamespace(target=None, target_comparison=None)) == "—"
