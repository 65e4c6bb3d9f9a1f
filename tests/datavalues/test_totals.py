"""The stored totals on the database (ADR 0009): every write path leaves them so that the very next read shows
the change, and what the pages read from them equals what the engine computes from every stored value."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yangfan.actionplans.models import DataElement, Indicator, Operator
from yangfan.actionplans.models import Plan as PlanRow
from yangfan.core.engine import Engine, assess
from yangfan.core.periods import Period
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.indicators import core_plans, engine_for, target_book
from yangfan.datavalues.limits import rows_refused
from yangfan.datavalues.models import StoredTotal
from yangfan.datavalues.selectors import values_for_engine
from yangfan.datavalues.services import datavalues_import
from yangfan.datavalues.totals import totals_rebuild
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.counts import registry_counter

PLAN = "shaanxi-5g-2021-2023"
P = Period.parse
UNITS = ["610102", "610103", "610100", "610302", "610581", "610502", "610403", "610000"]
PERIODS = ["2022", "2023", "2023Q3", "2023Q4", "202311", "202312", "2020", "2020Q4", "202012"]


def plan():
    return core_plans()[PLAN]


def fresh_total(element: str, unit: str, period: str) -> Decimal | None:
    """What a page reads next: a new engine over the stored totals."""
    return engine_for(plan()).total_or_none(element, unit, P(period))


def write(rows: list[tuple[str, str, str, str | None, str]], **kwargs):
    return datavalues_import(rows=parsed_rows(rows), file="t.csv", **kwargs)


def acceptable(
    rows: list[tuple[str, str, str, str | None, str]],
) -> list[tuple[str, str, str, str | None, str]]:
    """The rows the write path accepts (``datavalues.limits``: whole counts, the period kinds the data sets
    collect); what it refuses is tested in test_limits.py, the totals are compared here."""
    refused = {error.row for error in rows_refused(parsed_rows(rows))}
    return [row for n, row in enumerate(rows, start=2) if n not in refused]


def parsed_rows(rows: list[tuple[str, str, str, str | None, str]]) -> list[ParsedRow]:
    return [
        ParsedRow(
            n,
            DataElement.objects.get(code=element),
            OrgUnit.objects.get(code=unit),
            period,
            Operator.objects.get(code=operator) if operator else None,
            Decimal(value),
            "",
        )
        for n, (element, unit, period, operator, value) in enumerate(rows, start=2)
    ]


def from_values():
    """The engine as it was before the totals were kept: over every stored value."""
    return Engine(plan(), values_for_engine(), registry_counts=registry_counter(plan()))


# -- equality ------------------------------------------------------------------------------------------------


def _in_gb(row: tuple) -> tuple:
    """Traffic with places (thousandths of a GB); counts stay whole."""
    element, unit, period, operator, value = row
    return (
        element,
        unit,
        period,
        operator,
        str(Decimal(value) / 1000) if element.startswith("traffic") else value,
    )


ELEMENTS = [
    "population",
    "mobile_users_5g",
    "traffic_5g",
    "traffic_mobile_total",
    "base_stations_5g",
    "iot_terminals_5g",
    "large_industrial_enterprises",
    "large_industrial_enterprises_5g",
]
ROWS = st.lists(
    st.tuples(
        st.sampled_from(ELEMENTS),
        st.sampled_from(UNITS),
        st.sampled_from(PERIODS),
        st.sampled_from([None, None, "cmcc", "cucc"]),
        st.integers(min_value=0, max_value=10**9).map(str),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda row: row[:4],  # one value per key in a file (the importer refuses repeats)
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=ROWS, second=ROWS)
def test_every_indicator_reads_the_same_from_the_totals_as_from_the_values(db, first, second):
    """Random writes through the one write path, one after another (later ones correcting earlier ones, and the
    examples adding to the same database): every indicator of every unit at every kind of period reads the same
    from the stored totals as the engine computes from all the values. Own totals beside children's figures,
    operators' parts, yearly stocks, missing months and groups all come up."""
    write(acceptable([_in_gb(row) for row in first]))
    write(acceptable([_in_gb(row) for row in second]))
    stored, computed = engine_for(plan()), from_values()
    book = target_book(plan())
    for period in map(P, ("2023", "2023Q4", "202312", "2022")):
        for unit in ("610000", "610100", "610500", "610102", "HANCHENG", "YANGLING"):
            for indicator in plan().indicators:
                assert (
                    assess(stored, indicator, unit, period, book).as_dict()
                    == assess(computed, indicator, unit, period, book).as_dict()
                )


# -- freshness: each write path, then the very next read -----------------------------------------------------


@pytest.fixture
def xian(client_for):
    return client_for("city-reporter")


def test_the_grid_shows_at_once(db, xian):
    url = reverse(
        "collection:entry", kwargs={"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}
    )
    assert xian.post(url, {"v:610116:base_stations_5g": "1200"}).status_code == 302
    assert fresh_total("base_stations_5g", "610100", "2023Q4") == Decimal(1200)
    assert fresh_total("base_stations_5g", "610000", "2023") == Decimal(1200)  # the year's last quarter
    xian.post(url, {"v:610116:base_stations_5g": "1300"})
    assert fresh_total("base_stations_5g", "610000", "2023") == Decimal(1300)


def test_an_excel_upload_shows_at_once(db, xian):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    kwargs = {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}
    workbook = load_workbook(io.BytesIO(xian.get(reverse("collection:template", kwargs=kwargs)).content))
    workbook.worksheets[0]["C4"] = 6  # 610102's base stations
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("模板.xlsx", out.getvalue())
    assert xian.post(reverse("collection:upload", kwargs=kwargs), {"file": upload}).status_code == 302
    assert fresh_total("base_stations_5g", "610102", "2023Q4") == Decimal(6)
    assert fresh_total("base_stations_5g", "610100", "2023Q4") == Decimal(6)


def test_values_import_on_the_command_line_shows_at_once(db, tmp_path):
    from yangfan.cli import main

    path = tmp_path / "v.csv"
    path.write_text('数据项,期间,地区,值\nmobile_users_5g,202312,610302,"600,000"\n', encoding="utf-8")
    assert main(["values", "import", str(path)]) == 0
    assert fresh_total("mobile_users_5g", "610300", "2023") == Decimal(600000)
    assert fresh_total("mobile_users_5g", "610000", "2023Q4") == Decimal(600000)


def test_an_api_batch_shows_at_once(db, xian):
    body = [{"data_element": "traffic_5g", "period": "202312", "org_unit": "610116", "value": "12.5"}]
    response = xian.post(reverse("api:datavalues"), json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert fresh_total("traffic_5g", "610100", "202312") == Decimal("12.5")
    assert fresh_total("traffic_5g", "610100", "2023Q4") is None  # a flow: October and November are missing


def test_an_ingest_shows_at_once(db, raw_csv):
    from yangfan.ingests.services import IngestRequest, ingest

    inventory = raw_csv(
        "base-stations.csv",
        "base-stations",
        [
            ["S1", "ctcc", "5G", "610102", "108.9", "34.2", "2020-10-05", "", "cucc"],
            ["S2", "cmcc", "5G", "610103", "108.9", "34.2", "2021-01-10", "", ""],
        ],
    )
    ingest(request=IngestRequest(kind="base-stations", files=[inventory], period="202101"))
    assert fresh_total("base_stations_5g", "610100", "202101") == Decimal(2)  # S1 in 610102, S2 in 610103
    assert fresh_total("base_stations_5g", "610000", "2021Q1") == Decimal(2)


def test_a_registry_change_shows_at_once(db, make_user):
    from tests.conftest import unsaved_vpn

    from yangfan.registries.services import entry_save

    indicator = plan().indicator("A6")
    before = engine_for(plan()).evaluate(indicator, "610100", P("2023")).value
    entry_save(actor=make_user("province"), entry=unsaved_vpn())
    after = engine_for(plan()).evaluate(indicator, "610100", P("2023")).value
    assert after == (before or 0) + 1


def test_a_unit_target_change_shows_at_once(db, make_user):
    from yangfan.actionplans.services import unit_target_set
    from yangfan.datavalues.indicators import as_json, assessments

    write(
        [
            ("population", "610100", "2023", None, "10000000"),
            ("mobile_users_5g", "610100", "202312", None, "1"),
        ]
    )
    indicator = Indicator.objects.get(plan__code=PLAN, code="A1")
    unit_target_set(
        actor=make_user("province"),
        indicator=indicator,
        org_unit=OrgUnit.objects.get(code="610100"),
        on=indicator.target_date,
        value=Decimal(45),
        comparison="gt",
    )
    [row] = as_json(assessments(plan(), ["610100"], P("2023"), [plan().indicator("A1")]))
    assert row["target"] == "45" and row["target_source"]


def test_a_plan_reload_rebuilds_the_totals(db):
    from dataclasses import replace

    write(
        [
            ("base_stations_5g", "610581", "2023Q4", None, "70"),
            ("base_stations_5g", "610502", "2023Q4", None, "5"),
        ]
    )
    assert fresh_total("base_stations_5g", "HANCHENG", "2023") == Decimal(70)
    # the same plan with 韩城市 grouping 临渭区 as well: its total is rebuilt with the plan
    loaded = plan()
    groups = tuple(
        replace(g, members=(*g.members, "610502")) if g.code == "HANCHENG" else g for g in loaded.org_groups
    )
    changed = replace(loaded, org_groups=groups)
    totals_rebuild(plan=changed)
    assert Engine(changed, totals=_stored(changed)).total_or_none(
        "base_stations_5g", "HANCHENG", P("2023")
    ) == Decimal(75)
    totals_rebuild(plan=loaded)
    assert fresh_total("base_stations_5g", "HANCHENG", "2023") == Decimal(70)


def test_loading_a_plan_builds_its_totals_where_there_are_none(db):
    """The load follows with the totals (``totals_on_plan_load``, a receiver of ``plan_loaded``): here a database
    with values and no totals of the plan, as one from before the totals were kept."""
    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import init_plan_paths

    write([("base_stations_5g", "610102", "2023Q4", None, "10")])
    StoredTotal.objects.filter(plan=PLAN).delete()
    assert fresh_total("base_stations_5g", "610100", "2023Q4") is None
    for path in init_plan_paths():
        plan_load_file(path=path)
    assert fresh_total("base_stations_5g", "610100", "2023Q4") == Decimal(10)


def _stored(plan_):
    from yangfan.datavalues.totals import StoredTotals

    return StoredTotals(plan_)


def test_a_dry_run_and_a_refused_import_leave_the_totals_as_they_were(db):
    write([("base_stations_5g", "610102", "2023Q4", None, "10")])
    count = StoredTotal.objects.count()
    write([("base_stations_5g", "610102", "2023Q4", None, "99")], dry_run=True)
    assert fresh_total("base_stations_5g", "610102", "2023Q4") == Decimal(10)
    assert StoredTotal.objects.count() == count


def test_a_unit_read_costs_one_query_whatever_is_stored(db, django_assert_num_queries, settings):
    settings.YANGFAN_BASELINE_YEARS = 8  # history from 2015
    write([("population", unit, year, None, "1000") for unit in UNITS for year in ("2015", "2016", "2023")])
    stored = engine_for(plan())
    with django_assert_num_queries(1):
        stored.totals.prefetch(["610100", "610300"], [P("2023"), P("2022")])
        assert stored.total_or_none("population", "610100", P("2023")) == Decimal(1000)  # its own figure
    assert PlanRow.objects.filter(code=PLAN).exists()


SIDE_BY_SIDE = """
import threading, time
from decimal import Decimal
from yangfan.cli import setup_django
setup_django()
from django.db import connection
from yangfan.actionplans.models import DataElement
from yangfan.core.periods import Period
from yangfan.datavalues import totals
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.indicators import core_plans, engine_for
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

in_refresh, second_started = threading.Event(), threading.Event()
original = totals.recompute

def slow_first(*args, **kwargs):
    if threading.current_thread().name == "first" and not in_refresh.is_set():
        in_refresh.set()
        second_started.wait(timeout=30)
        time.sleep(1)  # the second import runs meanwhile, as far as it can
    return original(*args, **kwargs)

totals.recompute = slow_first
element = DataElement.objects.get(code="base_stations_5g")
units = {u.code: u for u in OrgUnit.objects.filter(code__in=["610102", "610103"])}
errors = []

def run(unit, amount, wait=None):
    try:
        if wait is not None:
            wait.wait(timeout=30)
            second_started.set()
        row = ParsedRow(2, element, units[unit], "2023Q4", None, Decimal(amount), "")
        datavalues_import(rows=[row], file=unit + ".csv")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

first = threading.Thread(target=run, args=("610102", "100"), name="first")
second = threading.Thread(target=run, args=("610103", "20", in_refresh), name="second")
first.start(); second.start(); first.join(60); second.join(60)
engine = engine_for(core_plans()["shaanxi-5g-2021-2023"])
city = engine.total_or_none("base_stations_5g", "610100", Period.parse("2023Q4"))
province = engine.total_or_none("base_stations_5g", "610000", Period.parse("2023"))
print(errors, format(city.normalize(), "f"), format(province.normalize(), "f"))
"""


def test_two_imports_side_by_side_both_count_in_their_city(initialised_env):
    """Two counties of 西安 imported at once, the second while the first is bringing the totals up to date: the
    city's total counts both. PostgreSQL: the second waits for the first's commit, then reads what it wrote;
    SQLite: one writer at a time. (In a process of its own: two connections, each with its own transaction.)"""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", SIDE_BY_SIDE],
        env=initialised_env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "120", "120"]
