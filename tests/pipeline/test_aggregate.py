"""The pipeline on hand-made raw files whose right answers can be counted by eye (DuckDB, no database)."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from yangfan.core.periods import Period
from yangfan.pipeline import definitions as sql_definitions
from yangfan.pipeline.aggregate import Reference, aggregate
from yangfan.pipeline.contracts import KINDS
from yangfan.pipeline.errors import RawFileInvalid, TooManyRejects
from yangfan.pipeline.sites import KEPT

REFERENCE = Reference(
    counties=frozenset({"610102", "610103", "610403"}),
    sectors=("工业互联网", "智慧医疗"),
    first_month=Period.parse("202012"),
    last_month=Period.parse("202611"),
)
GIB = 1024**3


def to_parquet(source: Path) -> Path:
    target = source.with_suffix(".parquet")
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}', header = true)) TO '{target}' (FORMAT parquet)")
    return target


def values(outcome, element: str) -> dict[tuple, Decimal]:
    return {(f.org_unit, f.period, f.operator): f.value for f in outcome.figures if f.data_element == element}


@pytest.fixture
def stations(raw_csv) -> Path:
    return raw_csv(
        "base-stations.csv",
        "base-stations",
        [
            # 电信 builds, 联通 shares: one station in the total, one for each of them
            ["S1", "ctcc", "5G", "610102", "108.9", "34.2", "2020-10-05", "", "cucc"],
            # named as a person writes them; 移动's site with 广电 on it, in service from the last day of January
            ["S2", "中国移动", "5G", "610102", "108.9", "34.2", "2021-01-31", "", "广电"],
            ["S3", "cmcc", "4G", "610103", "108.9", "34.2", "2018-01-01", "", ""],
            # out of service on 2021-02-28: not in service at the end of February
            ["S4", "cucc", "5G", "610103", "108.9", "34.2", "2020-12-15", "2021-02-28", ""],
            ["S5", "cucc", "5G", "610403", "108.1", "34.3", "2021-02-01", "", "电信/移动"],
        ],
    )


def test_a_shared_station_counts_once_in_the_total_and_once_for_each_of_its_operators(stations):
    outcome = aggregate("base-stations", [stations], reference=REFERENCE, period=Period.parse("202102"))
    counted = values(outcome, "base_stations_5g")
    assert counted[("610102", "202102", None)] == 2  # S1 and S2
    assert counted[("610102", "202102", "ctcc")] == 1
    assert counted[("610102", "202102", "cucc")] == 1
    assert counted[("610102", "202102", "cmcc")] == 1
    assert counted[("610102", "202102", "cbn")] == 1
    assert counted[("610403", "202102", None)] == 1
    assert {op for (unit, _, op) in counted if unit == "610403"} == {None, "cucc", "ctcc", "cmcc"}
    assert counted[("610403", "202102", "cmcc")] == 1
    assert outcome.rows_read == 5 and outcome.rows_rejected == 0


def test_stations_are_a_month_end_stock_from_the_base_month(stations):
    outcome = aggregate("base-stations", [stations], reference=REFERENCE)
    counted = values(outcome, "base_stations_5g")
    # the base month is the first computed; the inventory's last change (2021-02) the last
    assert outcome.periods == ["202012", "202101", "202102"]
    assert [counted[("610102", m, None)] for m in outcome.periods] == [1, 2, 2]
    assert [counted[("610103", m, None)] for m in outcome.periods] == [1, 1, 0]  # S4 stops on 02-28
    assert [counted[("610102", m, "cmcc")] for m in outcome.periods] == [0, 1, 1]  # S2 from 01-31


@pytest.fixture
def traffic(raw_csv) -> Path:
    rows = []
    for day in range(1, 32):
        rows.append([f"C1-{day}", "S1", "ctcc", f"2021-01-{day:02d}", "5G", GIB, GIB // 2])
        rows.append([f"C1-{day}", "S1", "cucc", f"2021-01-{day:02d}", "5G", GIB // 4, 0])
        rows.append([f"C3-{day}", "S3", "cmcc", f"2021-01-{day:02d}", "4G", 3 * GIB, 1])
    for day in range(1, 11):  # February only to the 10th: not a whole month
        rows.append([f"C1-{day}", "S1", "ctcc", f"2021-02-{day:02d}", "5G", GIB, 0])
    return raw_csv("cell-traffic.csv", "cell-traffic", rows)


def test_traffic_is_summed_by_the_county_of_its_site_month_and_operator_in_gigabytes(stations, traffic):
    outcome = aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE)
    five_g, total = values(outcome, "traffic_5g"), values(outcome, "traffic_mobile_total")
    assert five_g[("610102", "202101", "ctcc")] == Decimal("46.5")  # 31 × 1.5 GiB
    assert five_g[("610102", "202101", "cucc")] == Decimal("7.75")
    assert five_g[("610103", "202101", "cmcc")] == 0  # 4G only: no 5G traffic, and it is known to be none
    # 3 GiB + 1 byte a day: rounded to the 6 decimals a data value keeps
    assert total[("610103", "202101", "cmcc")] == Decimal("93.000000")
    assert outcome.incomplete == {"202102": "02-01—02-10"}
    assert not any(f.period == "202102" for f in outcome.figures)


def test_hourly_traffic_gives_the_daily_totals(raw_csv, stations):
    rows = [
        [f"C{hour}", "S1", "ctcc", f"2021-01-{day:02d} {hour:02d}:00:00", "5G", GIB // 24, 0]
        for day in range(1, 32)
        for hour in range(24)
    ]
    header = [c if c != "date" else "datetime" for c in KINDS["cell-traffic"].columns]
    hourly = raw_csv("hourly.csv", "cell-traffic", rows, header=header)
    outcome = aggregate("cell-traffic", [hourly], sites=[stations], reference=REFERENCE)
    assert values(outcome, "traffic_5g")[("610102", "202101", "ctcc")] == (
        Decimal(31 * 24 * (GIB // 24)) / GIB
    ).quantize(Decimal("0.000001"))


def test_rows_that_break_the_contract_are_counted_by_reason_and_listed(tmp_path, raw_csv, stations, traffic):
    bad = raw_csv(
        "bad.csv",
        "cell-traffic",
        [
            ["X1", "S1", "ctcc", "2021-01-32", "5G", 1, 1],  # no such day
            ["X2", "S1", "ctcc", "2021-01-05", "5G", -1, 1],  # negative bytes
            ["X3", "S99", "ctcc", "2021-01-05", "5G", 1, 1],  # a cell with no site
            ["X4", "S1", "铁塔", "2021-01-05", "5G", 1, 1],  # not an operator
            ["X5", "S1", "ctcc", "2021-01-05", "6G", 1, 1],
        ],
    )
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(TooManyRejects) as refused:
        aggregate("cell-traffic", [traffic, bad], sites=[stations], reference=REFERENCE, rejects_path=rejects)
    outcome = refused.value.outcome
    assert outcome.rows_rejected == 5
    assert outcome.rejected_by_reason == {"date": 1, "bytes": 1, "site": 1, "operator": 1, "rat": 1}
    listed = list(csv.DictReader(rejects.open(encoding="utf-8-sig")))
    assert {r["cell_id"]: r["原因"] for r in listed} == {
        "X1": "日期无效",
        "X2": "字节数为负或无效",
        "X3": "小区所属基站不在基站清单中",
        "X4": "运营商未知",
        "X5": "制式不是 4G、5G 或 NB-IoT",
    }
    assert {r["文件"] for r in listed} == {"bad.csv"}
    # under a threshold that tolerates them, the good rows are aggregated and the bad ones still listed
    kept = aggregate(
        "cell-traffic",
        [traffic, bad],
        sites=[stations],
        reference=REFERENCE,
        rejects_path=rejects,
        max_reject_rate=0.1,
    )
    assert kept.rows_rejected == 5 and kept.rows_read == 3 * 31 + 10 + 5
    assert values(kept, "traffic_5g")[("610102", "202101", "ctcc")] == Decimal("46.5")


def test_an_unknown_county_a_bad_shared_operator_and_a_site_one_operator_lists_twice_reject_the_station(
    raw_csv,
):
    inventory = raw_csv(
        "bs.csv",
        "base-stations",
        [
            ["S1", "ctcc", "5G", "999999", "", "", "2021-01-01", "", ""],
            ["S2", "ctcc", "5G", "610102", "", "", "2021-01-01", "", "铁塔"],
            ["S3", "ctcc", "5G", "610102", "", "", "2021-01-01", "", ""],
            [
                "S3",
                "中国电信",
                "5G",
                "610102",
                "",
                "",
                "2021-01-05",
                "",
                "",
            ],  # the same operator, named otherwise
            ["S4", "ctcc", "5G", "610102", "", "", "2021-01-09", "2021-01-01", ""],
            ["S5", "ctcc", "5G", "610102", "", "", "2021-01-01", "", ""],
        ],
    )
    outcome = aggregate("base-stations", [inventory], reference=REFERENCE, max_reject_rate=1)
    assert outcome.rejected_by_reason == {"county": 1, "shared": 1, "duplicate": 2, "dates": 1}
    assert values(outcome, "base_stations_5g")[("610102", "202101", None)] == 1  # S5 alone


def test_a_missing_column_names_the_file_and_the_column(raw_csv):
    short = raw_csv(
        "short.csv",
        "subscribers",
        [["cmcc", "610102", "2021-01", "5"]],
        header=["operator", "county_code", "month", "mobile_users_total"],
    )
    with pytest.raises(RawFileInvalid) as refused:
        aggregate("subscribers", [short], reference=REFERENCE)
    assert refused.value.file == str(short)
    assert "mobile_users_5g" in refused.value.message


def test_a_gb18030_file_reads_as_its_utf8_twin(raw_csv):
    rows = [
        ["a1", "中国移动", "5G", "610102", "工业互联网", "2020-11-03", ""],
        ["a2", "cmcc", "5G", "610102", "智慧医疗", "2021-01-03", "2021-02-15"],
        ["a3", "cmcc", "NB-IoT", "610102", "智慧医疗", "2021-01-03", ""],  # not a 5G card
        ["a4", "ctcc", "5G", "610103", "", "2021-01-20", ""],
    ]
    utf8 = raw_csv("sims-utf8.csv", "iot-sims", rows)
    gb = raw_csv("sims-gb.csv", "iot-sims", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb.read_bytes().decode("utf-8")
    one = aggregate("iot-sims", [utf8], reference=REFERENCE)
    other = aggregate("iot-sims", [gb], reference=REFERENCE)
    assert one.figures == other.figures
    sims = values(one, "iot_terminals_5g")
    assert [sims[("610102", m, "cmcc")] for m in ("202012", "202101", "202102")] == [1, 2, 1]
    assert one.by_sector == {
        "": {"202012": 0, "202101": 1, "202102": 1},
        "工业互联网": {"202012": 1, "202101": 1, "202102": 1},
        "智慧医疗": {"202012": 0, "202101": 1, "202102": 0},
    }


def test_parquet_and_csv_give_the_same_figures(stations, traffic):
    from_csv = aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE)
    from_parquet = aggregate(
        "cell-traffic", [to_parquet(traffic)], sites=[to_parquet(stations)], reference=REFERENCE
    )
    assert from_csv.figures == from_parquet.figures and from_csv.figures


def test_subscribers_are_taken_as_given_and_checked(raw_csv):
    counts = raw_csv(
        "subscribers.csv",
        "subscribers",
        [
            ["cmcc", "610102", "2021-01", "1000", "300"],
            ["联通", "610102", "202101", "500", "100"],
            ["ctcc", "610102", "2021-13", "500", "100"],  # no 13th month
            ["ctcc", "610103", "2021-01", "500", "600"],  # more 5G users than users
            ["cbn", "610103", "2021-01", "5", "5"],
            ["cbn", "610103", "2021-01", "6", "6"],  # the same county, month and operator twice
        ],
    )
    outcome = aggregate("subscribers", [counts], reference=REFERENCE, max_reject_rate=1)
    assert outcome.rejected_by_reason == {"month": 1, "users_5g": 1, "duplicate": 2}
    assert values(outcome, "mobile_users_5g") == {
        ("610102", "202101", "cmcc"): 300,
        ("610102", "202101", "cucc"): 100,
    }
    assert outcome.rows_read == 6


def test_a_period_keeps_the_months_inside_it(stations, traffic):
    outcome = aggregate(
        "cell-traffic", [traffic], sites=[stations], reference=REFERENCE, period=Period.parse("202102")
    )
    assert outcome.figures == [] and outcome.rows_outside == 3 * 31


def test_the_lineage_holds_each_file_with_its_size_and_sha256(stations, traffic):
    outcome = aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE)
    held = {(f.path.name, f.role): (f.size, f.sha256) for f in outcome.files}
    for path, role in ((traffic, "data"), (stations, "sites")):
        assert held[(path.name, role)] == (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
    assert outcome.engine == "duckdb" and outcome.engine_version == duckdb.__version__


def test_a_gb18030_file_whose_first_megabyte_is_ascii_is_read_on_a_second_attempt(raw_csv):
    ascii_rows = [[f"s{i}", "cmcc", "5G", "610102", "", "2021-01-03", ""] for i in range(40_000)]
    late = [["z1", "cmcc", "5G", "610103", "智慧医疗", "2021-01-03", ""]]
    sims = raw_csv("late-gb.csv", "iot-sims", ascii_rows + late, encoding="gb18030")
    assert sims.stat().st_size > 1 << 20
    outcome = aggregate("iot-sims", [sims], reference=REFERENCE)
    assert values(outcome, "iot_terminals_5g")[("610103", "202101", "cmcc")] == 1
    assert outcome.by_sector["智慧医疗"]["202101"] == 1


def test_a_kept_inventory_places_cell_traffic_as_the_inventory_itself_does(
    tmp_path, stations, traffic, monkeypatch
):
    cache = tmp_path / "cache"
    checked_here = aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE)
    aggregate("base-stations", [stations], reference=REFERENCE, cache=cache)  # keeps the checked sites
    (kept,) = cache.glob("sites-*.parquet")
    assert sorted(duckdb.sql(f"SELECT site_id, county_code FROM '{kept}'").fetchall()) == [
        ("S1", "610102"),
        ("S2", "610102"),
        ("S3", "610103"),
        ("S4", "610103"),
        ("S5", "610403"),
    ]

    def not_again(aliases):
        raise AssertionError("the inventory was checked again")

    with monkeypatch.context() as patched:
        patched.setattr(sql_definitions, "sites_table", not_again)
        from_kept = aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE, cache=cache)
    assert from_kept.figures == checked_here.figures
    assert (from_kept.rows_read, from_kept.rows_rejected) == (
        checked_here.rows_read,
        checked_here.rows_rejected,
    )


def test_a_changed_inventory_or_plan_is_checked_again(tmp_path, stations, traffic):
    cache = tmp_path / "cache"
    aggregate(
        "cell-traffic", [traffic], sites=[stations], reference=REFERENCE, cache=cache
    )  # kept on first use
    assert len(list(cache.glob("sites-*.parquet"))) == 1
    fewer = Reference(
        REFERENCE.counties - {"610102"}, REFERENCE.sectors, REFERENCE.first_month, REFERENCE.last_month
    )
    outcome = aggregate(
        "cell-traffic", [traffic], sites=[stations], reference=fewer, cache=cache, max_reject_rate=1
    )
    assert outcome.rejected_by_reason == {"site": 31 * 2 + 10}  # S1's county is unknown now: its cells too
    stations.write_text(stations.read_text() + "S6,cmcc,5G,610403,,,2021-01-01,,\n", encoding="utf-8")
    aggregate("cell-traffic", [traffic], sites=[stations], reference=REFERENCE, cache=cache)
    assert len(list(cache.glob("sites-*.parquet"))) == 3
    for n in range(4):
        stations.write_text(
            stations.read_text() + f"S{7 + n},cmcc,5G,610403,,,2021-01-01,,\n", encoding="utf-8"
        )
        aggregate("base-stations", [stations], reference=REFERENCE, cache=cache)
    assert len(list(cache.glob("sites-*.parquet"))) == KEPT


@pytest.mark.parametrize(
    ("limit", "heap"),
    [("4GB", "4g"), ("512MB", "512m"), ("2GiB", "2g"), (" 8 gb ", "8g"), ("1024KB", "1024k")],
)
def test_the_memory_limit_is_the_spark_jvms_heap_too(limit, heap):
    from yangfan.pipeline.engines import spark_memory

    assert spark_memory(limit) == heap


@pytest.mark.parametrize("limit", ["", "4", "lots", "4TB", "-1GB"])
def test_a_memory_limit_spark_cannot_read_is_refused(limit):
    from yangfan.pipeline.engines import spark_memory

    with pytest.raises(ValueError, match="内存上限"):
        spark_memory(limit)
