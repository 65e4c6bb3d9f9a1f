"""The national successor loaded beside the Shaanxi plan: nothing of the first changes, its indicators continue
the first's from the same data, and a province sets its own targets for it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from tests.datavalues.test_totals import write

from yangfan.actionplans.models import DataElement, Indicator, Plan
from yangfan.actionplans.services import plan_load, plan_load_file, unit_target_set
from yangfan.core.periods import Period
from yangfan.core.planfile import bundled_plan_files, bundled_plans
from yangfan.datavalues.indicators import core_plans, engine_for
from yangfan.datavalues.models import StoredTotal
from yangfan.orgunits.models import OrgUnit
from yangfan.supervision.selectors import city_governments, province_unit

pytestmark = pytest.mark.django_db
SHAANXI, UPGRADE = "shaanxi-5g-2021-2023", "miit-5g-upgrade-2024-2027"


def _values():
    write(
        [
            ("population", "610116", "2023", None, "1000000"),
            ("population", "610202", "2023", None, "500000"),
            ("mobile_users_5g", "610116", "202312", None, "450000"),
            ("mobile_users_5g", "610202", "202312", None, "150000"),
        ]
    )


SHAANXI_ELEMENTS = [e.code for e in bundled_plans()[SHAANXI].data_elements]


def _shaanxi_state():
    totals = sorted(
        StoredTotal.objects.filter(plan=SHAANXI).values_list("data_element", "org_unit", "period", "value")
    )
    elements = {
        e.code: (
            e.name,
            e.unit,
            e.aggregation,
            e.remark,
            [s for s in e.sources if s.get("plan") in (None, SHAANXI)],
        )
        for e in DataElement.objects.filter(code__in=SHAANXI_ELEMENTS)
    }
    indicators = sorted(
        Indicator.objects.filter(plan__code=SHAANXI).values_list("code", "name", "target_value")
    )
    return (
        totals,
        elements,
        indicators,
        province_unit().code,
        sorted(city_governments().values_list("code", flat=True)),
    )


def test_loading_the_successor_changes_nothing_of_the_first():
    _values()
    before = _shaanxi_state()
    plan, stats = plan_load_file(path=bundled_plan_files()[UPGRADE])
    assert stats["created"] > 0 and plan.root.code == "CN"
    assert _shaanxi_state() == before
    assert province_unit().code == "610000" and len(before[4]) == 10
    assert OrgUnit.objects.get(code="610000").parent.code == "CN"  # one tree in the database
    for code in (UPGRADE, SHAANXI):  # loaded again, as `yangfan init` does: nothing moves
        again = plan_load_file(path=bundled_plan_files()[code])[1]
        assert (again["created"], again["updated"], again["deleted"]) == (0, 0, 0), code
    assert OrgUnit.objects.get(code="610000").parent.code == "CN"


def test_the_successor_continues_the_first_from_the_same_values():
    _values()
    plan_load_file(path=bundled_plan_files()[UPGRADE])
    u2 = Indicator.objects.get(plan__code=UPGRADE, code="U2")
    assert (u2.continues.plan.code, u2.continues.code) == (SHAANXI, "A1")
    assert "大中型" in Indicator.objects.get(plan__code=UPGRADE, code="U5").continues_note
    assert list(Indicator.objects.get(plan__code=SHAANXI, code="A1").continued_by.all()) == [u2]
    plans = core_plans()
    period = Period.parse("2023")
    shaanxi, upgrade = plans[SHAANXI], plans[UPGRADE]
    a1 = engine_for(shaanxi).evaluate(shaanxi.indicator("A1"), "610000", period)
    u2_value = engine_for(upgrade).evaluate(upgrade.indicator("U2"), "610000", period)
    assert a1.value == u2_value.value == Decimal(600000) / Decimal(1500000) * 100
    national = engine_for(upgrade).evaluate(upgrade.indicator("U2"), "CN", period)
    assert national.value == a1.value  # the other provinces have no values: the country is Shaanxi's sum


def test_a_province_sets_its_own_target_for_the_successor(make_user):
    plan_load_file(path=bundled_plan_files()[UPGRADE])
    office = make_user("province")
    u2 = Indicator.objects.get(plan__code=UPGRADE, code="U2")
    target = unit_target_set(
        actor=office,
        indicator=u2,
        org_unit=OrgUnit.objects.get(code="610000"),
        on=date(2027, 12, 31),
        value=Decimal(80),
        comparison="gt",
        note="省级目标",
    )
    assert target.value == Decimal(80)
    with pytest.raises(ValidationError, match="全国的最终目标由计划文件规定"):
        unit_target_set(
            actor=office,
            indicator=u2,
            org_unit=OrgUnit.objects.get(code="CN"),
            on=date(2027, 12, 31),
            value=Decimal(80),
            comparison="gt",
            note="全国目标",
        )


def test_a_shared_data_element_defined_otherwise_is_refused():
    upgrade = bundled_plans()[UPGRADE]
    changed = tuple(
        e.__class__(**{**e.__dict__, "unit": "万人"}) if e.code == "population" else e
        for e in upgrade.data_elements
    )
    with pytest.raises(ValidationError) as caught:
        plan_load(plan=upgrade.__class__(**{**upgrade.__dict__, "data_elements": changed}))
    assert "population（unit）" in str(caught.value) and "定义须完全一致" in str(caught.value)
    assert not Plan.objects.filter(code=UPGRADE).exists()


def test_a_continuation_of_a_plan_not_loaded_is_refused():
    Plan.objects.filter(code=SHAANXI).update(code="renamed")  # as if the earlier plan were not loaded
    with pytest.raises(ValidationError) as caught:
        plan_load(plan=bundled_plans()[UPGRADE])
    assert "尚未加载" in str(caught.value)
