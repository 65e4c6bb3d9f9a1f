"""Registry entries as the indicators count them: where (a unit and what is counted in it, a group's members),
when (standing at the period's end) and, for A7, in which sector."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.orgtree import OrgGroup, OrgTree, OrgUnit
from yangfan.core.periods import Period
from yangfan.core.registries import RegistryCounter, RegistryEntry

TREE = OrgTree(
    (
        OrgUnit(code="P", name="省", level=1),
        OrgUnit(code="C1", name="甲市", level=2, parent="P"),
        OrgUnit(code="C2", name="乙市", level=2, parent="P"),
        OrgUnit(code="K1", name="甲县", level=3, parent="C1"),
        OrgUnit(code="K2", name="乙县", level=3, parent="C2"),
    ),
    (OrgGroup(code="G", name="组", kind="other", members=("K1", "K2")),),
)


def counter(*entries: RegistryEntry, kept=("vpn",)) -> RegistryCounter:
    return RegistryCounter(TREE, entries, kept)


def test_an_entry_counts_for_its_unit_and_every_unit_it_is_counted_in():
    count = counter(RegistryEntry("vpn", "K1", date(2022, 5, 1)))
    year = Period.parse("2022")
    assert [count("vpn", code, year, None) for code in ("K1", "C1", "P", "C2", "K2", "G")] == [
        Decimal(1),
        Decimal(1),
        Decimal(1),
        Decimal(0),
        Decimal(0),
        Decimal(1),
    ]


def test_an_entry_counts_while_it_stands_at_the_periods_end():
    count = counter(RegistryEntry("vpn", "C1", date(2022, 3, 31), end=date(2023, 3, 1)))
    assert count("vpn", "P", Period.parse("2022Q1"), None) == 1  # started on the last day of the quarter
    assert count("vpn", "P", Period.parse("202202"), None) == 0  # not yet
    assert count("vpn", "P", Period.parse("2022"), None) == 1
    assert count("vpn", "P", Period.parse("202302"), None) == 1  # retired on 1 March: still there on 28 Feb
    assert count("vpn", "P", Period.parse("2023Q1"), None) == 0


def test_a_registry_not_kept_has_no_data_rather_than_zero():
    assert counter()("bloom_cup", "P", Period.parse("2023"), None) is None
    assert counter()("vpn", "P", Period.parse("2023"), None) == 0


def test_a_sector_counts_only_its_entries():
    count = counter(
        RegistryEntry("vpn", "C1", date(2022, 1, 1), sector="mining"),
        RegistryEntry("vpn", "C2", date(2022, 1, 1), sector="power"),
    )
    assert count("vpn", "P", Period.parse("2023"), "mining") == 1
    assert count("vpn", "P", Period.parse("2023"), None) == 2


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["K1", "K2", "C1", "C2"]), st.integers(0, 1000), st.integers(1, 400) | st.none()
        ),
        max_size=30,
    ),
    st.integers(0, 1400),
)
def test_the_province_counts_what_its_cities_count(raw, offset):
    start = date(2021, 1, 1)
    entries = [
        RegistryEntry(
            "vpn", unit, start + timedelta(days=s), None if d is None else start + timedelta(days=s + d)
        )
        for unit, s, d in raw
    ]
    count = counter(*entries)
    period = Period.containing(start + timedelta(days=offset), Period.parse("2021").kind)
    province = count("vpn", "P", period, None)
    assert province == count("vpn", "C1", period, None) + count("vpn", "C2", period, None)
    assert province == sum(1 for e in entries if e.stands_on(period.end))


def test_a_summary_tells_what_stands_what_started_and_what_ended_by_sector_and_unit():
    count = counter(
        RegistryEntry("vpn", "K1", date(2022, 5, 1), sector="industry"),
        RegistryEntry("vpn", "C1", date(2023, 2, 1), sector="health"),
        RegistryEntry("vpn", "K2", date(2021, 1, 1), end=date(2023, 3, 31), sector="industry"),
        RegistryEntry("vpn", "K2", date(2023, 3, 1)),
        RegistryEntry("vpn", "P", date(2020, 1, 1)),
    )
    summary = count.summary("vpn", "P", Period.parse("2023Q1"))
    assert (summary.before, summary.added, summary.ended, summary.standing) == (3, 2, 1, 4)
    assert summary.by_sector == ((None, 2), ("health", 1), ("industry", 1))
    assert summary.by_unit == (("C1", 2), ("C2", 1))  # the province's own entry is in no city
    group = count.summary("vpn", "G", Period.parse("2023"))
    assert (group.standing, group.by_unit) == (2, (("K1", 1), ("K2", 1)))
    assert count.summary("other", "P", Period.parse("2023")) is None  # not kept: no figures at all


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P", "C1", "C2", "K1", "K2"]),
            st.integers(0, 1500),
            st.one_of(st.none(), st.integers(1, 800)),
            st.sampled_from([None, "industry", "health"]),
        ),
        max_size=30,
    ),
    st.sampled_from(["2021", "2021Q3", "202202", "2022", "2023Q1"]),
    st.sampled_from(["P", "C1", "K2", "G"]),
)
def test_a_summary_agrees_with_the_counts_of_its_days(raw, period_text, unit):
    """The count at the period's end is the count the day before plus what started less what ended, is the
    indicator's count, and is the sum over sectors (and, for a unit, over what is counted in it and its own)."""
    start = date(2020, 1, 1)
    entries = [
        RegistryEntry(
            "vpn",
            code,
            start + timedelta(days=s),
            None if length is None else start + timedelta(days=s + length),
            sector,
        )
        for code, s, length, sector in raw
    ]
    count = counter(*entries)
    period = Period.parse(period_text)
    summary = count.summary("vpn", unit, period)
    assert summary.standing == summary.before + summary.added - summary.ended
    assert Decimal(summary.standing) == count("vpn", unit, period, None)
    assert sum(n for _s, n in summary.by_sector) == summary.standing
    for sector in ("industry", "health"):
        assert Decimal(dict(summary.by_sector).get(sector, 0)) == count("vpn", unit, period, sector)
    own = sum(1 for e in entries if e.org_unit == unit and e.stands_on(period.end))
    assert sum(n for _u, n in summary.by_unit) + own == summary.standing
