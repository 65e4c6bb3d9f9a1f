"""Summing over the organisation tree as Shaanxi statistics count it: every base unit exactly once.

The 2020 census (tests/data/census-2020.csv) is the worked example: the ten cities, with 咸阳 without
杨凌, plus 杨凌示范区 sum exactly to the province.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.orgtree import OrgGroup, OrgTree, OrgUnit
from yangfan.core.plan import Plan

PROVINCE = "610000"
XIANYANG = "610400"
XIAN = "610100"
YANGLING_DISTRICT = "610403"
GROUPS = ("HANCHENG", "SHENMU", "FUGU", "XIXIAN")

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def tree(plan: Plan) -> OrgTree:
    return plan.org_tree


@pytest.fixture(scope="module")
def counties(plan: Plan) -> list[str]:
    return [u.code for u in plan.org_units if u.level == 3]


@pytest.fixture(scope="module")
def level_two(plan: Plan) -> list[str]:
    return [u.code for u in plan.org_units if u.level == 2]


# -- the census example --------------------------------------------------------------------------


def test_census_file_has_the_province_the_ten_cities_and_yangling(census_2020, level_two):
    assert set(census_2020) == {PROVINCE, *level_two}
    assert len(level_two) == 11


def test_ten_cities_and_yangling_sum_exactly_to_the_province_census(tree: OrgTree, census_2020):
    reported = {code: value for code, value in census_2020.items() if code != PROVINCE}

    assert tree.total(PROVINCE, reported) == Decimal(39_528_999)
    assert tree.total(PROVINCE, reported) == census_2020[PROVINCE]


def test_province_census_figure_is_its_own_total_when_reported(tree: OrgTree, census_2020):
    assert tree.total(PROVINCE, census_2020) == census_2020[PROVINCE]


def test_province_counts_the_ten_cities_and_yangling_directly(tree: OrgTree, level_two):
    assert [u.code for u in tree.children(PROVINCE)] == level_two


# -- 杨陵区 and 杨凌示范区 ---------------------------------------------------------------------------


def test_xianyang_statistical_children_exclude_yangling_district(tree: OrgTree):
    statistical = [u.code for u in tree.children(XIANYANG)]
    administrative = [u.code for u in tree.administrative_children(XIANYANG)]

    assert YANGLING_DISTRICT not in statistical
    assert YANGLING_DISTRICT in administrative
    assert sorted(statistical) == sorted(set(administrative) - {YANGLING_DISTRICT})


def test_yangling_district_is_counted_in_yangling_zone(tree: OrgTree):
    assert [u.code for u in tree.children("YANGLING")] == [YANGLING_DISTRICT]
    assert [u.code for u in tree.ancestors(YANGLING_DISTRICT)] == [PROVINCE, "YANGLING"]
    assert tree.units[YANGLING_DISTRICT].parent == XIANYANG


def test_xianyang_total_leaves_out_the_figure_of_yangling_district(tree: OrgTree, counties):
    ones = dict.fromkeys(counties, Decimal(1))
    xianyang_districts = len(tree.administrative_children(XIANYANG))

    assert tree.total(XIANYANG, ones) == xianyang_districts - 1
    assert tree.total("YANGLING", ones) == 1
    assert tree.total(PROVINCE, ones) == len(counties)


# -- every base unit once ------------------------------------------------------------------------


def test_every_county_is_a_leaf_counted_exactly_once_under_the_province(tree: OrgTree, counties):
    leaves = [u.code for u in tree.leaves(PROVINCE)]

    assert len(leaves) == len(set(leaves)) == 107
    assert sorted(leaves) == sorted(counties)
    for code in counties:
        assert tree.children(code) == ()
        assert tree.ancestors(code)[0].code == PROVINCE


def test_every_unit_appears_once_below_the_province(tree: OrgTree, plan: Plan):
    below = [u.code for u in tree.descendants(PROVINCE)]

    assert len(below) == len(set(below))
    assert sorted(below) == sorted(u.code for u in plan.org_units if u.code != PROVINCE)


def test_groups_are_not_part_of_the_statistical_tree(tree: OrgTree, plan: Plan):
    below = {u.code for u in tree.descendants(PROVINCE)}
    for code in GROUPS:
        assert code in tree.groups
        assert code not in tree.units
        assert code not in below
        assert all(u.statistical_parent != code for u in plan.org_units)


def test_group_members_are_counted_in_their_cities(tree: OrgTree):
    assert [u.code for u in tree.ancestors("610581")] == [PROVINCE, "610500"]
    assert [u.code for u in tree.ancestors("610881")] == [PROVINCE, "610800"]
    assert [u.code for u in tree.ancestors("610822")] == [PROVINCE, "610800"]


def test_groups_of_a_unit_include_groups_it_overlaps(tree: OrgTree):
    assert [g.code for g in tree.groups_of("610581")] == ["HANCHENG"]
    assert [g.code for g in tree.groups_of(XIAN)] == ["XIXIAN"]
    assert tree.groups_of("610102") == ()


def test_a_value_reported_for_a_group_is_never_added_to_the_province(tree: OrgTree, counties):
    values = dict.fromkeys(counties, Decimal(1)) | {"HANCHENG": Decimal(500), "XIXIAN": Decimal(900)}

    assert tree.total(PROVINCE, values) == len(counties)
    assert tree.total("HANCHENG", values) == 500
    assert tree.total("XIXIAN", values) == 900


def test_group_without_members_has_no_total_unless_reported(tree: OrgTree, counties):
    assert tree.total("XIXIAN", dict.fromkeys(counties, Decimal(1))) is None


# -- own value or sum of children ----------------------------------------------------------------


def test_a_units_own_reported_value_wins_over_its_childrens_sum(tree: OrgTree):
    xian_districts = [u.code for u in tree.children(XIAN)]
    values = dict.fromkeys(xian_districts, Decimal(1)) | {XIAN: Decimal(100)}

    assert tree.total(XIAN, values) == 100
    assert tree.total(PROVINCE, values) == 100


def test_city_without_own_value_is_the_sum_of_its_counties(tree: OrgTree):
    values = {"610202": Decimal(3), "610203": Decimal(4)}

    assert tree.total("610200", values) == 7
    assert tree.total(PROVINCE, values) == 7


def test_total_is_none_where_nothing_is_reported(tree: OrgTree):
    assert tree.total(PROVINCE, {}) is None
    assert tree.total("610200", {"610102": Decimal(1)}) is None


def test_a_reported_zero_is_a_value(tree: OrgTree):
    assert tree.total("610200", {"610202": Decimal(0)}) == 0


def test_total_of_a_small_tree_with_a_unit_counted_elsewhere():
    units = (
        OrgUnit("P", "省", 1),
        OrgUnit("A", "甲市", 2, parent="P"),
        OrgUnit("Z", "示范区", 2, parent="P"),
        OrgUnit("a1", "甲一区", 3, parent="A"),
        OrgUnit("a2", "甲二区", 3, parent="A", counted_in="Z"),
    )
    tree = OrgTree(units, (OrgGroup("G", "分组", "other", members=("a1",)),))
    values = {"a1": Decimal(2), "a2": Decimal(5)}

    assert tree.root == "P"
    assert tree.total("A", values) == 2
    assert tree.total("Z", values) == 5
    assert tree.total("P", values) == 7
    assert tree.total("G", values) == 2


# -- properties ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_province_total_is_the_sum_of_all_leaf_values(tree: OrgTree, counties, data):
    values = dict(zip(counties, data.draw(st.lists(amounts, min_size=107, max_size=107)), strict=True))

    assert tree.total(PROVINCE, values) == sum(values.values(), Decimal(0))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_province_total_is_the_sum_of_whatever_leaves_reported(tree: OrgTree, counties, data):
    values = data.draw(st.dictionaries(st.sampled_from(counties), amounts))

    expected = sum(values.values(), Decimal(0)) if values else None
    assert tree.total(PROVINCE, values) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_citys_own_value_replaces_its_childrens_sum(tree: OrgTree, counties, level_two, data):
    values = dict(zip(counties, data.draw(st.lists(amounts, min_size=107, max_size=107)), strict=True))
    city = data.draw(st.sampled_from(level_two))
    own = data.draw(amounts)
    below = sum((values[u.code] for u in tree.leaves(city)), Decimal(0))

    with_city = values | {city: own}

    assert tree.total(city, with_city) == own
    assert tree.total(PROVINCE, with_city) == sum(values.values(), Decimal(0)) - below + own


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_group_total_is_the_sum_of_its_members_totals(tree: OrgTree, counties, data):
    values = data.draw(st.dictionaries(st.sampled_from(counties), amounts, min_size=1))
    for group in tree.groups.values():
        members = [t for m in group.members if (t := tree.total(m, values)) is not None]

        expected = sum(members, Decimal(0)) if members else None
        assert tree.total(group.code, values) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_city_totals_add_up_to_the_province_total(tree: OrgTree, counties, level_two, data):
    values = dict(zip(counties, data.draw(st.lists(amounts, min_size=107, max_size=107)), strict=True))

    assert sum((tree.total(c, values) for c in level_two), Decimal(0)) == tree.total(PROVINCE, values)
