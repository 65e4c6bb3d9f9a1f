"""Generated province files through ``yangfan ingest``: the dashboards' A2, A4 and A5 get a value for every county
and month, and running the same files again changes nothing."""

from __future__ import annotations

import pytest

from yangfan.core.periods import Period
from yangfan.datavalues.demo import county_population, demo_rows
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.indicators import core_plans, engine_for
from yangfan.datavalues.services import datavalues_import
from yangfan.ingests.services import IngestRequest, ingest
from yangfan.pipeline.generate import raw_generate

pytestmark = pytest.mark.django_db
KINDS = ("base-stations", "cell-traffic", "iot-sims")  # what A2, A4 and A5 are made of


@pytest.fixture(scope="module")
def province_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    files = raw_generate(folder, counties=county_population(), fraction=0.002, kinds=KINDS)
    return {f.kind: f.path for f in files}


def population_load() -> None:
    """Each county's residents (yearly), as the statistics bureau would report them: A5's denominator."""
    from yangfan.actionplans.models import DataElement
    from yangfan.orgunits.models import OrgUnit

    element = DataElement.objects.get(code="population")
    units = {u.code: u for u in OrgUnit.objects.all()}
    rows = [r for r in demo_rows() if r.data_element == "population"]
    datavalues_import(
        rows=[
            ParsedRow(n, element, units[r.org_unit], r.period, None, r.value) for n, r in enumerate(rows, 2)
        ]
    )


def test_generated_province_files_fill_a2_a4_and_a5_for_every_county_and_month(province_files):
    population_load()
    for kind in KINDS:
        run = ingest(request=IngestRequest(kind=kind, files=[province_files[kind]]))
        assert run.status == "done" and run.rows_rejected == 0 and run.values_added > 0, kind
    plan = core_plans()["shaanxi-5g-2021-2023"]
    indicators = {i.code: i for i in plan.indicators if i.code in ("A2", "A4", "A5")}
    engine = engine_for(plan)
    counties = sorted(county_population())
    months = Period.parse("2023").months()
    missing = [
        (code, county, str(month))
        for code, indicator in indicators.items()
        for county in counties
        for month in months
        if engine.evaluate(indicator, county, month).value is None
    ]
    assert missing == [] and len(counties) == 107
    a2 = engine.evaluate(indicators["A2"], "610000", Period.parse("202312")).value
    assert 30 < a2 < 80  # a 5G share of traffic, in %, that the generator makes rise through the year
    assert a2 > engine.evaluate(indicators["A2"], "610000", Period.parse("202301")).value

    again = [ingest(request=IngestRequest(kind=kind, files=[province_files[kind]])) for kind in KINDS]
    assert [(r.values_added, r.values_changed) for r in again] == [(0, 0)] * len(KINDS)
    assert all(r.values_unchanged > 0 for r in again)
