"""The national demo set: labelled as demo, written through the import, and what the national plan computes
from it is the sum of what it wrote (with the provincial plan's own units for Shaanxi)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from yangfan.actionplans.services import plan_load_file
from yangfan.core.periods import Period
from yangfan.core.planfile import bundled_plan_files
from yangfan.datavalues.demo import DEMO_COMMENT, DemoHistoryOutOfRange
from yangfan.datavalues.demo_national import PLAN_CODE, national_values_load
from yangfan.datavalues.indicators import core_plans, engine_for
from yangfan.datavalues.models import DataValue

pytestmark = pytest.mark.django_db
TODAY = date(2021, 3, 10)  # the series runs 2020-12 to 2021-02: small enough for a test


def test_the_national_demo_needs_its_plan():
    with pytest.raises(LookupError, match="yangfan plan load miit-5g-upgrade-2024-2027"):
        national_values_load(today=TODAY)


def test_the_national_demo_is_labelled_and_is_what_the_plan_computes():
    plan_load_file(path=bundled_plan_files()[PLAN_CODE])
    added = national_values_load(today=TODAY)
    written = DataValue.objects.filter(comment=DEMO_COMMENT)
    assert added == written.count() > 0
    provinces = set(written.values_list("org_unit__code", flat=True))
    assert len(provinces) == 30 and "610000" not in provinces  # Shaanxi's figures are its own plan's units'
    assert set(written.filter(period="202102").values_list("operator__code", flat=True)) == {
        "cmcc",
        "cucc",
        "ctcc",
        "cbn",
    }
    plan = core_plans()[PLAN_CODE]
    month = Period.parse("202102")
    engine = engine_for(plan)
    users = written.filter(data_element__code="mobile_users_5g", period="202102").aggregate(s=Sum("value"))[
        "s"
    ]
    people = written.filter(data_element__code="population", period="2021").aggregate(s=Sum("value"))["s"]
    assert engine.total_or_none("mobile_users_5g", "CN", month) == users
    result = engine.evaluate(plan.indicator("U2"), "CN", month)
    assert result.value == Decimal(users) / Decimal(people) * 100
    assert national_values_load(today=TODAY) == 0  # written once


def test_a_longer_history_needs_the_margin_raised():
    plan_load_file(path=bundled_plan_files()[PLAN_CODE])
    with pytest.raises(DemoHistoryOutOfRange, match="YANGFAN_BASELINE_YEARS"):
        national_values_load(3, today=TODAY)
