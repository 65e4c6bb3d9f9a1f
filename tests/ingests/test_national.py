"""Raw files of the whole country: with the national plan loaded, a province whose own plan is not loaded is a
base unit like a Shaanxi county, and an ingest places rows in it; the national plan adds them up once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.ingests.test_services import stored

from yangfan.actionplans.services import plan_load_file
from yangfan.core.periods import Period
from yangfan.core.planfile import bundled_plan_files
from yangfan.datavalues.indicators import core_plans, engine_for
from yangfan.ingests.choices import IngestStatus
from yangfan.ingests.services import IngestRequest, ingest, ingest_reference

pytestmark = pytest.mark.django_db
UPGRADE = "miit-5g-upgrade-2024-2027"


def test_a_province_without_its_own_plan_is_where_raw_rows_go(raw_csv):
    assert "110000" not in ingest_reference().counties  # no national plan: Beijing is not a unit of any tree
    plan_load_file(path=bundled_plan_files()[UPGRADE])
    counties = ingest_reference().counties
    assert {"110000", "650000", "610102"} <= counties and not {"CN", "610000", "610100"} & counties
    inventory = raw_csv(
        "base-stations.csv",
        "base-stations",
        [
            ["B1", "cmcc", "5G", "110000", "116.4", "39.9", "2020-10-05", "", ""],
            ["B2", "ctcc", "5G", "110000", "116.4", "39.9", "2020-11-05", "", "cucc"],
            ["S1", "cmcc", "5G", "610102", "108.9", "34.2", "2020-10-05", "", ""],
        ],
    )
    run = ingest(request=IngestRequest(kind="base-stations", files=[inventory], period="202101"))
    assert run.status == IngestStatus.DONE, run.message
    assert stored("base_stations_5g", "110000", "202101", None).value == 2
    assert stored("base_stations_5g", "110000", "202101", "cucc").value == 1
    engine = engine_for(core_plans()[UPGRADE])
    month = Period.parse("202101")
    assert engine.total_or_none("base_stations_5g", "CN", month) == Decimal(3)  # Beijing's two, Shaanxi's one
    assert engine.total_or_none("base_stations_5g", "610000", month) == Decimal(1)
