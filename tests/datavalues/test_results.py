"""Indicator results stay typed (``IndicatorRow``) from the engine to the page: numbers as Decimal, the status a
``Status``, dates as dates; only ``as_json`` (the API, the CLI's JSON) turns them into text, and the dashboard
shows the figures the database holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from tests.datavalues.test_totals import PLAN, P, plan, write

from yangfan.core.targets import Status
from yangfan.datavalues.indicators import IndicatorRow, as_json, assessments


def _a1_of_xian(period: str = "2023") -> IndicatorRow:
    [row] = assessments(plan(), ["610100"], P(period), [plan().indicator("A1")])
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


# -- targets as dated promises: a unit's milestone judges the period it falls in -------------------------------
def _xian_with_a_milestone(make_user, *, users_2022: str, users_2023: str) -> None:
    """西安: 10 million residents, ``users_…`` 5G users at the end of 2022 and 2023, and a milestone of ≥ 28 % by
    2022-12-31 that the provincial office set for it."""
    from yangfan.actionplans.models import Indicator
    from yangfan.actionplans.services import unit_target_set
    from yangfan.orgunits.models import OrgUnit

    write(
        [
            ("population", "610100", "2022", None, "10000000"),
            ("population", "610100", "2023", None, "10000000"),
            ("mobile_users_5g", "610100", "202212", None, users_2022),
            ("mobile_users_5g", "610100", "202312", None, users_2023),
        ]
    )
    unit_target_set(
        actor=make_user("province", "target-setter"),
        indicator=Indicator.objects.get(plan__code=PLAN, code="A1"),
        org_unit=OrgUnit.objects.get(code="610100"),
        on=date(2022, 12, 31),
        value=Decimal(28),
        comparison="gte",
    )


def test_a_units_milestone_judges_its_year_and_the_final_target_the_next(db, make_user):
    # 26 % at the end of 2022, short of the 28 % milestone; 39 % at the end of 2023, short of the final 40 %:
    # both within 10 % of their target, both missed once the target's date has come
    _xian_with_a_milestone(make_user, users_2022="2600000", users_2023="3900000")

    in_2022 = _a1_of_xian("2022")
    assert (in_2022.target, in_2022.target_comparison, in_2022.target_date) == (
        Decimal(28),
        "gte",
        date(2022, 12, 31),
    )
    assert in_2022.target_text == "≥ 28 %" and in_2022.target_source == "province"
    assert in_2022.target_met is False and in_2022.status == Status.MISSED
    assert in_2022.gap == Decimal(2) and in_2022.milestone_met is False
    assert in_2022.status_label == "未达标"
    [text] = as_json([in_2022])
    assert (text["target"], text["target_date"], text["status"]) == ("28", "2022-12-31", "missed")
    assert text["milestone"] == {"value": "28", "comparison": "gte", "date": "2022-12-31"}

    in_2023 = _a1_of_xian("2023")
    assert (in_2023.target, in_2023.target_comparison, in_2023.target_date) == (
        Decimal(40),
        "gt",
        date(2023, 12, 31),
    )
    assert in_2023.target_text == "> 40 %" and in_2023.target_source == "plan"
    assert in_2023.target_met is False and in_2023.status == Status.MISSED and in_2023.gap == Decimal(1)


def test_the_dashboard_card_for_the_milestones_year_shows_the_milestone_as_its_target(
    db, client_for, make_user
):
    _xian_with_a_milestone(make_user, users_2022="2900000", users_2023="4100000")

    client = client_for("province")

    def card(period: str) -> str:
        response = client.get(reverse("portal:home"), {"org": "610100", "period": period})
        assert response.status_code == 200
        html = response.content.decode()
        found = html[html.index('data-indicator="A1"') :]
        return found[: found.index("</article>")]

    in_2022 = card("2022")
    assert "目标 ≥ 28 %" in in_2022 and "目标 &gt; 40" not in in_2022
    assert "29.00" in in_2022 and "已达标" in in_2022 and "已达目标的 104%" in in_2022  # 29 ÷ 28
    in_2023 = card("2023")
    assert "目标 &gt; 40 %" in in_2023 and "≥ 28" not in in_2023
