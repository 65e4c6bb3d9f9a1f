"""The raw-file generator (``yangfan demo raw``): files that keep the contracts, the same rows for the same seed,
and the shape the issue asks for (stations following population, shared sites, a rising 5G share, IoT cards
growing), at small fractions so that the whole module runs in seconds. Files are read back with DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yaml

from yangfan.pipeline.contracts import KINDS, OPERATOR_ALIASES, RATS
from yangfan.pipeline.generate import DEMO_LABEL, SECTOR_SHARES, GeneratedFile, raw_generate

COUNTIES = {"610102": 800_000, "610103": 600_000, "610822": 250_000}
# populations spread widely, for the proportionality checks
SPREAD = {
    "610104": 1_500_000,
    "610112": 1_100_000,
    "610302": 700_000,
    "610502": 450_000,
    "610602": 300_000,
    "610702": 180_000,
    "610902": 90_000,
    "611002": 45_000,
}
PLAN_FILE = Path(__file__).parents[2] / "src/yangfan/plans/shaanxi-5g-2021-2023.yaml"


def _read(path: Path, sql: str = "SELECT * FROM f") -> list[tuple]:
    con = duckdb.connect()
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    con.execute(f"CREATE VIEW f AS SELECT * FROM {reader}('{path}')")
    return con.execute(sql).fetchall()


def _columns(path: Path) -> list[str]:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return [
        row[0] for row in duckdb.connect().execute(f"DESCRIBE SELECT * FROM {reader}('{path}')").fetchall()
    ]


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = float(rank)
    return ranks


def _spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mean = (n - 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry, strict=True))
    var = sum((a - mean) ** 2 for a in rx)
    return cov / var


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, GeneratedFile]:
    files = raw_generate(tmp_path_factory.mktemp("small"), counties=COUNTIES, fraction=0.002)
    return {f.kind: f for f in files}


@pytest.fixture(scope="module")
def spread(tmp_path_factory) -> dict[str, GeneratedFile]:
    files = raw_generate(tmp_path_factory.mktemp("spread"), counties=SPREAD, fraction=0.02, seed=11)
    return {f.kind: f for f in files}


def test_every_kind_is_written_with_the_contract_columns_in_order(small):
    assert list(small) == list(KINDS)
    for kind, written in small.items():
        assert written.path.name == f"{kind}.parquet"
        assert _columns(written.path) == list(KINDS[kind].columns)
        assert written.rows == _read(written.path, "SELECT COUNT(*) FROM f")[0][0] > 0


def test_csv_files_carry_the_contract_columns_and_iso_dates(tmp_path):
    files = raw_generate(tmp_path, counties=COUNTIES, fraction=0.002, file_format="csv")
    for written in files:
        header = written.path.read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(KINDS[written.kind].columns)
    stations = (tmp_path / "base-stations.csv").read_text(encoding="utf-8").splitlines()
    commissioned = stations[1].split(",")[6]
    assert dt.date.fromisoformat(commissioned).isoformat() == commissioned
    month = (tmp_path / "subscribers.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[2]
    assert len(month) == 7 and month[4] == "-"


def test_only_the_kinds_asked_for_are_written(tmp_path):
    files = raw_generate(tmp_path, counties=COUNTIES, fraction=0.002, kinds=["subscribers", "base-stations"])
    assert [f.kind for f in files] == ["base-stations", "subscribers"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.txt",
        "base-stations.parquet",
        "subscribers.parquet",
    ]


def test_same_seed_gives_the_same_files_and_another_seed_other_rows(tmp_path):
    first = raw_generate(tmp_path / "a", counties=COUNTIES, fraction=0.002, seed=5)
    again = raw_generate(tmp_path / "b", counties=dict(reversed(COUNTIES.items())), fraction=0.002, seed=5)
    other = raw_generate(tmp_path / "c", counties=COUNTIES, fraction=0.002, seed=6)
    for a, b, c in zip(first, again, other, strict=True):
        assert _read(a.path) == _read(b.path)  # same rows, same order
        assert a.path.read_bytes() == b.path.read_bytes()
        assert _read(a.path) != _read(c.path)


def test_5g_sites_per_county_follow_population(spread):
    rows = _read(
        spread["base-stations"].path,
        "SELECT county_code, COUNT(*) FROM f WHERE rat = '5G' GROUP BY county_code",
    )
    sites = dict(rows)
    codes = sorted(SPREAD)
    assert _spearman([SPREAD[c] for c in codes], [sites[c] for c in codes]) > 0.9


def test_5g_sites_in_service_grow_from_the_base_year_through_every_month(spread):
    def in_service(day: dt.date) -> int:
        return _read(
            spread["base-stations"].path,
            f"SELECT COUNT(*) FROM f WHERE rat = '5G' AND commissioned_on <= DATE '{day}'"
            f" AND (decommissioned_on IS NULL OR decommissioned_on > DATE '{day}')",
        )[0][0]

    month_ends = [dt.date(2023, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)] + [
        dt.date(2023, 12, 31)
    ]
    counts = [in_service(day) for day in month_ends]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    share_2020 = in_service(dt.date(2020, 12, 31)) / counts[-1]
    assert 0.2 < share_2020 < 0.4
    assert in_service(dt.date(2019, 10, 31)) == 0  # nothing before the 5G launch
    per_10k = counts[-1] / sum(SPREAD.values()) * 10_000 / 0.02
    assert 18 <= per_10k <= 25


def test_the_5g_share_of_traffic_bytes_rises_from_the_first_month_to_the_last(spread):
    shares = _read(
        spread["cell-traffic"].path,
        "SELECT MONTH(date), SUM(CASE WHEN rat = '5G' THEN dl_bytes + ul_bytes ELSE 0 END)"
        " / SUM(dl_bytes + ul_bytes) FROM f GROUP BY 1 ORDER BY 1",
    )
    assert [m for m, _ in shares] == list(range(1, 13))
    assert 0.25 < shares[0][1] < 0.45
    assert 0.45 < shares[-1][1] < 0.65
    assert shares[-1][1] > shares[0][1] + 0.1


def test_traffic_bytes_are_non_negative_integers_of_known_operators_and_rats(spread):
    (negative, operators, rats, types) = _read(
        spread["cell-traffic"].path,
        "SELECT COUNT(*) FILTER (dl_bytes < 0 OR ul_bytes < 0), LIST(DISTINCT operator), LIST(DISTINCT rat),"
        " ANY_VALUE(TYPEOF(dl_bytes) || TYPEOF(ul_bytes)) FROM f",
    )[0]
    assert negative == 0
    assert set(operators) <= set(OPERATOR_ALIASES) and set(rats) <= set(RATS)
    assert types == "BIGINTBIGINT"


def test_shared_sites_exist_and_a_shared_cell_has_one_row_per_operator_on_it(spread):
    stations = spread["base-stations"].path
    shared = dict(_read(stations, "SELECT shared_with, COUNT(*) FROM f WHERE rat = '5G' GROUP BY 1"))
    assert shared.get("cucc", 0) > 0 and shared.get("ctcc", 0) > 0  # 电信/联通 共建共享
    assert shared.get("cbn", 0) > 0  # 中国广电 on 中国移动's sites
    con = duckdb.connect()
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{stations}')")
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{spread['cell-traffic'].path}')")
    # every traffic row of a cell on a shared site: the operators on that cell-day are the site's operators
    mismatched = con.execute("""
        WITH ops AS (
            SELECT site_id, LIST_SORT(LIST_CONCAT([operator], STRING_SPLIT(shared_with, '/'))) AS expected
            FROM s WHERE shared_with IS NOT NULL
        ), seen AS (
            SELECT t.cell_id, t.site_id, t.date, LIST_SORT(LIST(t.operator)) AS got, COUNT(*) AS n,
                COUNT(DISTINCT t.operator) AS distinct_ops
            FROM t JOIN ops USING (site_id) GROUP BY ALL
        )
        SELECT COUNT(*) FILTER (got <> expected), COUNT(*) FILTER (n <> distinct_ops), COUNT(*)
        FROM seen JOIN ops USING (site_id)
    """).fetchone()
    assert mismatched[0] == 0 and mismatched[1] == 0 and mismatched[2] > 0


def test_cbn_carries_traffic_and_has_users_only_from_its_launch(small):
    first_cbn_day = _read(small["cell-traffic"].path, "SELECT MIN(date) FROM f WHERE operator = 'cbn'")[0][0]
    assert first_cbn_day is None or first_cbn_day >= dt.date(2022, 6, 1)
    users = _read(
        small["subscribers"].path,
        "SELECT month, SUM(mobile_users_total), SUM(mobile_users_5g) FROM f WHERE operator = 'cbn' GROUP BY 1",
    )
    for month, total, on_5g in users:
        assert total == on_5g  # 5G-only
        assert (total > 0) == (month >= "2022-06")


def test_every_county_has_5g_traffic_on_every_day_even_at_a_tiny_fraction(small):
    days = _read(
        small["cell-traffic"].path,
        "SELECT COUNT(DISTINCT date), COUNT(DISTINCT site_id) FROM f WHERE rat = '5G'",
    )[0][0]
    assert days == 365
    con = duckdb.connect()
    missing = con.execute(f"""
        WITH s AS (SELECT site_id, county_code FROM read_parquet('{small["base-stations"].path}')),
        t AS (SELECT t.date, s.county_code FROM read_parquet('{small["cell-traffic"].path}') AS t
              JOIN s USING (site_id) WHERE t.rat = '5G' GROUP BY ALL)
        SELECT county_code, COUNT(*) FROM t GROUP BY 1
    """).fetchall()
    assert dict(missing) == dict.fromkeys(COUNTIES, 365)


def test_every_county_has_a_5g_sim_active_at_every_month_end_from_2020_12(small):
    month_ends = [dt.date(2020, 12, 31)] + [
        dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        for y in (2021, 2022, 2023)
        for m in range(1, 13)
    ]
    ends = ", ".join(f"(DATE '{d}')" for d in month_ends)
    rows = _read(
        small["iot-sims"].path,
        f"SELECT e.d, COUNT(DISTINCT f.county_code) FROM (VALUES {ends}) AS e(d) LEFT JOIN f ON f.rat = '5G'"
        " AND f.activated_on <= e.d AND (f.deactivated_on IS NULL OR f.deactivated_on > e.d) GROUP BY 1",
    )
    assert len(rows) == 37 and all(n == len(COUNTIES) for _, n in rows)


def test_5g_sims_multiply_about_threefold_a_year(spread):
    active = dict(
        _read(
            spread["iot-sims"].path,
            "SELECT y, COUNT(*) FROM f, (VALUES (2020), (2023)) AS e(y) WHERE rat = '5G'"
            " AND activated_on <= MAKE_DATE(y, 12, 31)"
            " AND (deactivated_on IS NULL OR deactivated_on > MAKE_DATE(y, 12, 31)) GROUP BY y",
        )
    )
    growth = (active[2023] / active[2020]) ** (1 / 3) - 1
    assert 1.8 < growth < 2.8  # A4 asks for 200 %


def test_ids_are_unique_and_sim_hashes_are_hex(spread):
    assert _read(spread["base-stations"].path, "SELECT COUNT(*) = COUNT(DISTINCT site_id) FROM f")[0][0]
    assert _read(spread["iot-sims"].path, "SELECT COUNT(*) = COUNT(DISTINCT sim_hash) FROM f")[0][0]
    assert _read(
        spread["iot-sims"].path, "SELECT BOOL_AND(REGEXP_MATCHES(sim_hash, '^[0-9a-f]{32}$')) FROM f"
    )[0][0]
    assert _read(
        spread["cell-traffic"].path, "SELECT COUNT(*) = COUNT(DISTINCT (cell_id, operator, date)) FROM f"
    )[0][0]
    # a cell belongs to one site
    assert (
        _read(
            spread["cell-traffic"].path,
            "SELECT MAX(n) FROM (SELECT COUNT(DISTINCT site_id) AS n FROM f GROUP BY cell_id)",
        )[0][0]
        == 1
    )


def test_stations_have_plausible_places_and_dates(spread):
    (lon_min, lon_max, lat_min, lat_max, bad_dates, early_5g) = _read(
        spread["base-stations"].path,
        "SELECT MIN(longitude), MAX(longitude), MIN(latitude), MAX(latitude),"
        " COUNT(*) FILTER (decommissioned_on <= commissioned_on OR commissioned_on > DATE '2023-12-31'),"
        " COUNT(*) FILTER (rat = '5G' AND commissioned_on < DATE '2019-11-01') FROM f",
    )[0]
    assert lon_min >= 105.5 and lon_max <= 111.3 and lat_min >= 31.7 and lat_max <= 39.6
    assert bad_dates == 0 and early_5g == 0


def test_sims_name_the_plans_sectors_or_none(spread):
    plan = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    assert set(SECTOR_SHARES) == {sector["name"] for sector in plan["sectors"]}
    named, empty = _read(
        spread["iot-sims"].path,
        "SELECT LIST(DISTINCT industry) FILTER (industry IS NOT NULL), COUNT(*) FILTER (industry IS NULL) FROM f",
    )[0]
    assert set(named) <= set(SECTOR_SHARES) and len(set(named)) > 10 and empty > 0


def test_subscribers_cover_every_operator_county_and_month_with_5g_within_the_total(small):
    rows = _read(small["subscribers"].path)
    months = sorted({month for _, _, month, _, _ in rows})
    assert months[0] == "2020-12" and months[-1] == "2023-12" and len(months) == 37
    assert len(rows) == len(COUNTIES) * 4 * 37 == len({(op, c, m) for op, c, m, _, _ in rows})
    assert all(0 <= on_5g <= total for _, _, _, total, on_5g in rows)
    share = {
        month: (on_5g / total)
        for month, total, on_5g in _read(
            small["subscribers"].path,
            "SELECT month, SUM(mobile_users_total), SUM(mobile_users_5g) FROM f GROUP BY 1",
        )
    }
    assert share["2020-12"] < 0.12 < 0.3 < share["2023-12"]


def test_hourly_traffic_carries_a_datetime_and_24_rows_per_cell_day(tmp_path):
    files = raw_generate(
        tmp_path,
        counties={"610102": 300_000},
        fraction=0.001,
        hourly=True,
        kinds=["base-stations", "cell-traffic"],
    )
    traffic = files[1].path
    assert _columns(traffic) == ["cell_id", "site_id", "operator", "datetime", "rat", "dl_bytes", "ul_bytes"]
    per_day = _read(
        traffic,
        "SELECT MIN(n), MAX(n), COUNT(DISTINCT h) FROM (SELECT cell_id, operator, CAST(datetime AS DATE) AS d,"
        " COUNT(*) AS n, LIST(HOUR(datetime)) AS h FROM f GROUP BY ALL) AS c",
    )[0]
    assert per_day[:2] == (24, 24)
    csv = raw_generate(
        tmp_path / "csv",
        counties={"610102": 300_000},
        fraction=0.001,
        hourly=True,
        file_format="csv",
        kinds=["cell-traffic"],
    )
    second = csv[0].path.read_text(encoding="utf-8").splitlines()[1].split(",")[3]
    assert dt.datetime.strptime(second, "%Y-%m-%d %H:%M:%S")


def test_monthly_traffic_is_the_years_rows_in_twelve_files_in_the_same_order(small, tmp_path):
    files = raw_generate(tmp_path, counties=COUNTIES, fraction=0.002, kinds=["cell-traffic"], monthly=True)
    assert [f.path.name for f in files] == [f"cell-traffic-2023-{m:02d}.parquet" for m in range(1, 13)]
    assert all(f.kind == "cell-traffic" for f in files)
    for f in files:  # each file holds its own month, its rows counted right
        months = _read(f.path, "SELECT DISTINCT STRFTIME(date, '%Y-%m'), COUNT(*) OVER () FROM f")
        assert months == [(f.path.stem.removeprefix("cell-traffic-"), f.rows)]
    joined = [row for f in files for row in _read(f.path)]
    assert joined == _read(small["cell-traffic"].path)  # the one file's rows, in its order
    assert "每月一个文件" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_a_gb18030_csv_decodes_as_gb18030_and_not_as_utf8(tmp_path):
    files = raw_generate(
        tmp_path, counties=COUNTIES, fraction=0.002, file_format="csv", encoding="gb18030", kinds=["iot-sims"]
    )
    data = files[0].path.read_bytes()
    text = data.decode("gb18030")
    assert any(name in text for name in SECTOR_SHARES)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert text.count("\n") == files[0].rows + 1
    assert not list(tmp_path.glob("*.tmp"))


def test_readme_and_parquet_metadata_label_the_files_as_demo_data(small):
    directory = small["subscribers"].path.parent
    readme = (directory / "README.txt").read_text(encoding="utf-8")
    assert DEMO_LABEL in readme
    assert "种子：2023" in readme and "年份：2023" in readme and "province" in readme
    assert f"{small['cell-traffic'].rows:,}" in readme
    metadata = dict(
        duckdb.connect()
        .execute(f"SELECT DECODE(key), DECODE(value) FROM parquet_kv_metadata('{small['iot-sims'].path}')")
        .fetchall()
    )
    assert metadata["label"] == DEMO_LABEL and metadata["seed"] == "2023"
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # the spill directory is gone


def test_national_scale_writes_31_times_the_sites_over_the_same_counties(tmp_path):
    province = raw_generate(tmp_path / "p", counties=COUNTIES, fraction=0.01, kinds=["base-stations"])
    national = raw_generate(
        tmp_path / "n", counties=COUNTIES, fraction=0.01, kinds=["base-stations"], scale="national"
    )
    assert 28 < national[0].rows / province[0].rows < 34
    codes = {c for (c,) in _read(national[0].path, "SELECT DISTINCT county_code FROM f")}
    assert codes == set(COUNTIES)


def test_progress_counts_up_to_the_total(tmp_path):
    calls: list[tuple[int, int]] = []
    raw_generate(
        tmp_path, counties=COUNTIES, fraction=0.002, progress=lambda done, total: calls.append((done, total))
    )
    totals = {total for _, total in calls}
    assert len(totals) == 1 and calls[-1][0] == calls[-1][1] > 0
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize(
    "options",
    [
        {"kinds": ["cell-traffic", "towers"]},
        {"scale": "city"},
        {"file_format": "xlsx"},
        {"encoding": "gb18030"},  # Parquet has no text encoding to choose
        {"fraction": 0},
        {"year": 2019},
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, options):
    with pytest.raises(ValueError):
        raw_generate(tmp_path / "out", counties=COUNTIES, **options)
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def per_operator(tmp_path_factory) -> tuple[list[GeneratedFile], Path]:
    """The small inventory merged and per operator (same seed: the same sites)."""
    merged = raw_generate(
        tmp_path_factory.mktemp("merged"), counties=COUNTIES, fraction=0.01, kinds=["base-stations"]
    )
    split = raw_generate(
        tmp_path_factory.mktemp("split"),
        counties=COUNTIES,
        fraction=0.01,
        kinds=["base-stations"],
        per_operator=True,
    )
    return split, merged[0].path


def test_per_operator_inventories_hold_each_site_once_for_every_operator_on_it(per_operator):
    split, merged = per_operator
    assert [f.path.name for f in split] == [
        f"base-stations-{op}.parquet" for op in ("cmcc", "cucc", "ctcc", "cbn")
    ]
    assert all(
        f.kind == "base-stations" and _columns(f.path) == list(KINDS["base-stations"].columns) for f in split
    )
    con = duckdb.connect()
    con.execute(f"CREATE VIEW m AS SELECT * FROM read_parquet('{merged}')")
    con.execute(
        "CREATE VIEW s AS SELECT * FROM read_parquet([" + ", ".join(f"'{f.path}'" for f in split) + "])"
    )
    # each merged site, in the file of its owner and of every operator it is shared with, the same but for
    # ``shared_with``, which names the others
    expected = con.execute("""
        SELECT m.site_id, op, m.rat, m.county_code, m.longitude, m.latitude, m.commissioned_on, m.decommissioned_on,
            NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST_FILTER(
                LIST_CONCAT([m.operator], COALESCE(STRING_SPLIT(m.shared_with, '/'), [])), lambda o: o <> op)), '/'), '')
        FROM m, UNNEST(LIST_CONCAT([m.operator], COALESCE(STRING_SPLIT(m.shared_with, '/'), []))) AS u(op)
        ORDER BY ALL
    """).fetchall()
    assert con.execute("SELECT * FROM s ORDER BY ALL").fetchall() == expected
    assert sum(f.rows for f in split) == len(expected) > _read(merged, "SELECT COUNT(*) FROM f")[0][0]
    assert con.execute("SELECT COUNT(*) = COUNT(DISTINCT (site_id, operator)) FROM s").fetchall() == [(True,)]


def test_contradictions_alter_one_sharers_copy_of_as_many_shared_sites(per_operator, tmp_path):
    split, _ = per_operator
    altered = raw_generate(
        tmp_path,
        counties=COUNTIES,
        fraction=0.01,
        kinds=["base-stations"],
        per_operator=True,
        contradictions=3,
    )
    con = duckdb.connect()
    for name, files in (("fine", split), ("altered", altered)):
        listed = ", ".join(f"'{f.path}'" for f in files)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}])")
    changed = con.execute(
        "SELECT site_id, operator, a.county_code <> f.county_code, a.commissioned_on <> f.commissioned_on"
        " FROM fine AS f JOIN altered AS a USING (site_id, operator)"
        " WHERE a.county_code <> f.county_code OR a.commissioned_on <> f.commissioned_on ORDER BY 1"
    ).fetchall()
    assert len(changed) == 3 and len({site for site, *_ in changed}) == 3
    assert sorted((county, day) for _, _, county, day in changed) == [
        (False, True),
        (True, False),
        (True, False),
    ]
    assert all(site.startswith("5G") for site, *_ in changed)
    assert "3 个共享站址各方记录不一致" in (tmp_path / "README.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "options",
    [
        {"contradictions": 2},  # without per_operator
        {"per_operator": True, "contradictions": -1},
        {"per_operator": True, "kinds": ["subscribers"]},
    ],
)
def test_per_operator_arguments_are_checked(tmp_path, options):
    with pytest.raises(ValueError):
        raw_generate(tmp_path / "out", counties=COUNTIES, **options)
    assert not (tmp_path / "out").exists()
