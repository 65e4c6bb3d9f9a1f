"""Indicator results stay typed (``IndicatorRow``) from the engine to the page: numbers as Decimal, the status a
``Status``, dates as dates; only ``as_json`` (the API, the CLI's JSON) turns them into text, and the dashboard
shows the figures the database holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from tests.datavalues.test_totals import P, plan, write

from yangfan.core.targets import Status
from yangfan.datavalues.indicators import IndicatorRow, as_json, assessments


def _a1_of_xian() -> IndicatorRow:
    [row] = assessments(plan(), ["610100"], P("2023"), [plan().indicator("A1")])
    return row


def test_a_result_keeps_its_numbers_and_its_status_until_rendered(db):
    write(
        [
            ("population", "610100", "2023", None, "10000000"),
            ("mobile_users_5g", "610100", "202312", None, "3600000"),
        ]
    )
    row = _a1_of_xian()
    assert isinstance(row, IndicatorRow)
    assert row.value == Decimal(36) and isinstance(
        row.value, Decimal
    )  # 3.6 million of 10 million, in per cent
    assert (row.target, row.target_comparison, row.target_date) == (Decimal(40), "gt", date(2023, 12, 31))
    assert row.target_met is False and isinstance(row.status, Status)
    assert row.gap == Decimal(4)  # 40 − 36, a target to rise to
    assert row.reached == Decimal(90)  # 36 ÷ 40 × 100
    assert row.org_unit == "610100" and row.period == P("2023") and row.indicator == "A1"
    [text] = as_json([row])
    assert (text["value"], text["target"], text["status"]) == ("36", "40", row.status.value)


def test_a_met_target_has_no_gap(db):
    write(
        [
            ("population", "610100", "2023", None, "10000000"),
            ("mobile_users_5g", "610100", "202312", None, "4500000"),
        ]
    )
    row = _a1_of_xian()
    assert row.target_met is True and row.gap is None and row.status == Status.ACHIEVED
    assert row.reached == Decimal("112.5")


def test_the_dashboard_card_shows_the_databases_figures(db, client_for):
    write(
        [
            ("population", "610100", "2023", None, "10000000"),
            ("mobile_users_5g", "610100", "202312", None, "3600000"),
        ]
    )
    response = client_for("province").get(reverse("portal:home"), {"org": "610100", "period": "2023"})
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index('data-indicator="A1"') :]
    card = card[: card.index("</article>")]
    assert "36.00" in card and "已达目标的 90%" in card and "距目标差 4.00" in card
