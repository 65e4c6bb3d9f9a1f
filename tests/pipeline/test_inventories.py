"""Base-station inventories per operator (issue 20): each operator sends its own, a shared site is in each sharing
operator's file, and together they count as the province's one inventory; rows of one site that disagree are
rejected together, an operator's upload holds its own rows only, and the parts kept between runs let the
operators send one after another. Hand-made files where the answer is counted by eye, generated ones where the
answer is the merged inventory's."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from yangfan.core.periods import Period
from yangfan.pipeline.aggregate import KeptPart, Reference, aggregate
from yangfan.pipeline.contracts import COORDINATE_TOLERANCE, KINDS
from yangfan.pipeline.errors import RawFileInvalid, TooManyRejects
from yangfan.pipeline.generate import raw_generate
from yangfan.pipeline.sites import sites_key

COUNTIES = {"610102": 800_000, "610103": 600_000, "610822": 250_000}
REFERENCE = Reference(
    counties=frozenset(COUNTIES),
    sectors=(),
    first_month=Period.parse("202012"),
    last_month=Period.parse("202611"),
)
MONTH = Period.parse("202102")


def values(outcome, element: str = "base_stations_5g") -> dict[tuple, Decimal]:
    return {(f.org_unit, f.period, f.operator): f.value for f in outcome.figures if f.data_element == element}


def rejects(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def station(
    site, operator, *, county="610102", rat="5G", lon="108.9", lat="34.2", on="2021-01-10", off="", shared=""
):
    return [site, operator, rat, county, lon, lat, on, off, shared]


# -- generated: the four inventories are the merged one ----------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, list[Path]]:
    """The merged inventory with its cell traffic, the same sites per operator, and per operator again with
    four contradicting shared sites (same seed: the same sites)."""
    made = {}
    for name, options in {
        "merged": {"kinds": ["base-stations", "cell-traffic"]},
        "operators": {"kinds": ["base-stations"], "per_operator": True},
        "contradicting": {"kinds": ["base-stations"], "per_operator": True, "contradictions": 4},
    }.items():
        folder = tmp_path_factory.mktemp(name)
        made[name] = [f.path for f in raw_generate(folder, counties=COUNTIES, fraction=0.01, **options)]
    return made


def test_the_four_inventories_together_give_the_figures_of_the_merged_one(generated):
    merged = aggregate("base-stations", generated["merged"][:1], reference=REFERENCE)
    together = aggregate("base-stations", generated["operators"], reference=REFERENCE)
    assert together.figures == merged.figures and merged.figures
    shared = duckdb.sql(
        f"SELECT COUNT(*) FROM read_parquet('{generated['merged'][0]}') WHERE shared_with IS NOT NULL"
    ).fetchall()[0][0]
    assert together.rows_read > merged.rows_read + shared - 1  # each shared site in two files or more
    assert together.rows_rejected == 0 and together.operators == ["cbn", "cmcc", "ctcc", "cucc"]
    assert (together.warnings_count, together.missing_operators) == (0, [])
    assert merged.warnings_count == 0  # one row per site naming its sharers: listed once by design


def test_inventories_sent_one_after_another_end_with_the_figures_of_the_merged_one(generated, tmp_path):
    merged = aggregate("base-stations", generated["merged"][:1], reference=REFERENCE)
    kept: list[KeptPart] = []
    for turn, path in enumerate(generated["operators"]):
        outcome = aggregate(
            "base-stations", [path], reference=REFERENCE, kept=kept, parts_folder=tmp_path / str(turn)
        )
        (code,) = outcome.operators
        assert path.stem == f"base-stations-{code}"
        assert outcome.parts == [KeptPart(code, tmp_path / str(turn) / f"{code}.parquet")]
        assert [(f.path.name, f.role) for f in outcome.files] == [(path.name, "data")] + [
            (k.path.name, "kept") for k in kept
        ]
        kept = [*kept, *outcome.parts]
        assert not set(outcome.missing_operators) & {k.operator for k in kept}  # named, not yet sent
    assert outcome.missing_operators == [] and outcome.warnings_count == 0
    assert outcome.figures == merged.figures
    assert outcome.rows_read == sum(
        duckdb.sql(f"SELECT COUNT(*) FROM '{k.path}'").fetchall()[0][0] for k in kept
    )


def test_a_part_holds_the_operators_rows_as_text_with_the_file_they_came_from(generated, tmp_path):
    cmcc = generated["operators"][0]
    outcome = aggregate("base-stations", [cmcc], reference=REFERENCE, parts_folder=tmp_path)
    (part,) = outcome.parts
    columns = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{part.path}'").fetchall()]
    types = {r[1] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{part.path}'").fetchall()}
    assert columns == [*KINDS["base-stations"].columns, "source_file"] and types == {"VARCHAR"}
    listed = ", ".join(KINDS["base-stations"].columns)
    as_text = ", ".join(f"CAST({c} AS VARCHAR)" for c in KINDS["base-stations"].columns)
    assert sorted(duckdb.sql(f"SELECT {listed} FROM '{part.path}'").fetchall()) == sorted(
        duckdb.sql(f"SELECT {as_text} FROM '{cmcc}'").fetchall()
    )
    assert duckdb.sql(f"SELECT DISTINCT source_file FROM '{part.path}'").fetchall() == [(cmcc.name,)]


def test_a_new_inventory_replaces_the_kept_part_of_its_operator(generated, tmp_path):
    first = aggregate(
        "base-stations", generated["operators"], reference=REFERENCE, parts_folder=tmp_path / "a"
    )
    assert [p.operator for p in first.parts] == ["cbn", "cmcc", "ctcc", "cucc"]
    again = aggregate(
        "base-stations",
        generated["operators"][:1],
        reference=REFERENCE,
        kept=first.parts,
        parts_folder=tmp_path / "b",
    )
    assert {f.path for f in again.files if f.role == "kept"} == {
        p.path for p in first.parts if p.operator != "cmcc"
    }
    assert again.figures == first.figures and again.rows_rejected == 0  # no site of cmcc's twice


def test_contradicting_copies_are_rejected_together_and_the_rest_counts(generated, tmp_path):
    listed = tmp_path / "rejects.csv"
    outcome = aggregate(
        "base-stations",
        generated["contradicting"],
        reference=REFERENCE,
        rejects_path=listed,
        max_reject_rate=1,
    )
    assert outcome.rejected_by_reason == {"disagree": 8}  # four sites, two copies each
    rows = rejects(listed)
    assert len({r["site_id"] for r in rows}) == 4
    assert all(r["说明"].startswith("另见中国") and r["说明"].endswith("不同") for r in rows)
    # contradictions are rejected and listed, but do not count against the threshold: either copy may be wrong
    strict = aggregate("base-stations", generated["contradicting"], reference=REFERENCE, max_reject_rate=0)
    assert strict.rows_rejected == 8 and strict.rows_breaking == 0
    fine = aggregate("base-stations", generated["operators"], reference=REFERENCE)
    total = {k: v for k, v in values(fine).items() if k[2] is None}
    fewer = {k: v for k, v in values(outcome).items() if k[2] is None}
    assert sum(fewer.values()) < sum(total.values())


def test_cell_traffic_placed_by_the_parts_equals_traffic_placed_by_the_merged_inventory(generated, tmp_path):
    merged_inventory, traffic = generated["merged"]
    parts = aggregate(
        "base-stations", generated["operators"], reference=REFERENCE, parts_folder=tmp_path
    ).parts
    by_merged = aggregate("cell-traffic", [traffic], sites=[merged_inventory], reference=REFERENCE)
    by_parts = aggregate("cell-traffic", [traffic], sites=[p.path for p in parts], reference=REFERENCE)
    assert by_parts.figures == by_merged.figures and by_merged.figures
    assert (by_parts.rows_read, by_parts.rows_rejected) == (by_merged.rows_read, 0)


# -- hand-made: agreeing, disagreeing, duplicated --------------------------------------------------------------
def test_rows_of_one_site_agree_within_the_tolerance_and_without_coordinates(raw_csv):
    assert COORDINATE_TOLERANCE == 0.001
    ctcc = raw_csv("ctcc.csv", "base-stations", [station(f"S{n}", "ctcc", shared="cucc") for n in (1, 2, 3)])
    cucc = raw_csv(
        "cucc.csv",
        "base-stations",
        [
            station("S1", "中国联通", lon="108.899", lat="34.201", shared="电信"),  # 0.001 off, each way
            station("S2", "cucc", lon="", lat="", shared="ctcc"),
            station("S3", "cucc", lon="不详", shared="ctcc"),  # not a number: no coordinate
        ],
    )
    outcome = aggregate("base-stations", [ctcc, cucc], reference=REFERENCE, period=MONTH)
    assert outcome.rows_rejected == 0
    assert values(outcome) == {
        ("610102", "202102", None): 3,  # each site once
        ("610102", "202102", "ctcc"): 3,
        ("610102", "202102", "cucc"): 3,
    }


def test_rows_of_one_site_that_disagree_are_all_rejected_naming_the_other_operator(raw_csv, tmp_path):
    ctcc = raw_csv(
        "ctcc.csv",
        "base-stations",
        [
            station("S1", "ctcc", shared="cucc"),
            station("S2", "ctcc", shared="cucc/cmcc"),
            station("S3", "ctcc", off="2021-03-01", shared="cucc"),
            station("S4", "ctcc", shared="cucc"),
            station("S9", "ctcc"),
        ],
    )
    cucc = raw_csv(
        "cucc.csv",
        "base-stations",
        [
            station("S1", "cucc", county="610103", lat="34.3", shared="ctcc"),  # another county and place
            station("S2", "cucc", shared="ctcc/cmcc"),
            station("S3", "cucc", shared="ctcc"),  # not decommissioned
            station("S4", "cucc", lon="108.9011", shared="ctcc"),  # beyond the tolerance
        ],
    )
    cmcc = raw_csv("cmcc.csv", "base-stations", [station("S2", "cmcc", on="2021-01-11", shared="ctcc/cucc")])
    listed = tmp_path / "rejects.csv"
    outcome = aggregate(
        "base-stations",
        [ctcc, cucc, cmcc],
        reference=REFERENCE,
        period=MONTH,
        rejects_path=listed,
        max_reject_rate=1,
    )
    assert outcome.rejected_by_reason == {"disagree": 9}
    said = {(r["site_id"], r["operator"]): (r["原因"], r["说明"]) for r in rejects(listed)}
    assert said[("S1", "ctcc")] == (
        "共享站址各运营商的记录不一致（均不计入）",
        "另见中国联通的记录：区县、坐标不同",
    )
    assert said[("S1", "cucc")][1] == "另见中国电信的记录：区县、坐标不同"
    assert said[("S3", "cucc")][1] == "另见中国电信的记录：停用日期不同"
    assert said[("S4", "ctcc")][1] == "另见中国联通的记录：坐标不同"
    # three operators: ctcc and cucc agree, cmcc differs from both, and all three go
    assert said[("S2", "ctcc")][1] == "另见中国移动的记录：启用日期不同"
    assert said[("S2", "cmcc")][1] == "另见中国联通的记录：启用日期不同；另见中国电信的记录：启用日期不同"
    assert values(outcome) == {("610102", "202102", None): 1, ("610102", "202102", "ctcc"): 1}  # S9 alone
    header = next(csv.reader(listed.open(encoding="utf-8-sig")))
    assert header[-2:] == ["原因", "说明"]


def test_a_row_invalid_on_its_own_keeps_its_reason_and_the_other_operators_row_counts(raw_csv):
    ctcc = raw_csv("ctcc.csv", "base-stations", [station("S1", "ctcc", shared="cucc")])
    cucc = raw_csv(
        "cucc.csv", "base-stations", [station("S1", "cucc", county="610103", on="2021-02-30", shared="ctcc")]
    )
    outcome = aggregate("base-stations", [ctcc, cucc], reference=REFERENCE, period=MONTH, max_reject_rate=1)
    assert outcome.rejected_by_reason == {"date": 1}
    assert values(outcome)[("610102", "202102", "cucc")] == 1  # still shared with 联通, as ctcc's row says


def test_the_same_operator_listing_a_site_twice_rejects_both_rows_but_not_the_other_operators(
    raw_csv, tmp_path
):
    ctcc = raw_csv(
        "ctcc.csv",
        "base-stations",
        [station("S1", "ctcc", shared="cucc"), station("S1", "电信", shared="cucc")],
    )
    cucc = raw_csv("cucc.csv", "base-stations", [station("S1", "cucc", shared="ctcc")])
    listed = tmp_path / "rejects.csv"
    outcome = aggregate(
        "base-stations",
        [ctcc, cucc],
        reference=REFERENCE,
        period=MONTH,
        rejects_path=listed,
        max_reject_rate=1,
    )
    assert outcome.rejected_by_reason == {"duplicate": 2}
    assert {r["说明"] for r in rejects(listed)} == {""}
    assert values(outcome)[("610102", "202102", "ctcc")] == 1  # cucc's row names ctcc


def test_a_shared_site_missing_from_the_other_operators_inventory_is_a_warning(raw_csv):
    ctcc = raw_csv(
        "ctcc.csv",
        "base-stations",
        [station("S1", "ctcc", shared="cucc/cbn"), station("S2", "ctcc", shared="cucc")],
    )
    cucc = raw_csv("cucc.csv", "base-stations", [station("S2", "cucc", shared="ctcc"), station("S3", "cucc")])
    outcome = aggregate("base-stations", [ctcc, cucc], reference=REFERENCE, period=MONTH)
    assert outcome.warnings == [{"site_id": "S1", "operator": "ctcc", "missing": "cucc"}]
    assert outcome.warnings_count == 1
    assert outcome.missing_operators == ["cbn"]  # no inventory at all: no warning per site
    counted = values(outcome)
    assert counted[("610102", "202102", None)] == 3
    assert counted[("610102", "202102", "cucc")] == 3  # S1 still counts for 联通, as shared
    assert counted[("610102", "202102", "cbn")] == 1


# -- an operator's own rows ------------------------------------------------------------------------------------
def test_an_operators_upload_rejects_the_rows_of_other_operators_as_foreign(raw_csv, tmp_path):
    mixed = raw_csv(
        "mixed.csv",
        "base-stations",
        [
            station("S1", "ctcc", shared="cucc"),
            station("S1", "cucc", county="610103", shared="ctcc"),  # foreign: no disagreement with it
            station("S2", "cucc"),
            station("S3", "铁塔"),
        ],
    )
    kept = raw_csv("kept.csv", "base-stations", [station("S4", "cucc")])
    cucc_part = aggregate("base-stations", [kept], reference=REFERENCE, parts_folder=tmp_path / "kept").parts
    listed = tmp_path / "rejects.csv"
    outcome = aggregate(
        "base-stations",
        [mixed],
        reference=REFERENCE,
        period=MONTH,
        operator="ctcc",
        kept=cucc_part,
        parts_folder=tmp_path / "new",
        rejects_path=listed,
        max_reject_rate=1,
    )
    assert outcome.rejected_by_reason == {"foreign": 2, "operator": 1}
    assert outcome.operators == ["ctcc"] and [p.operator for p in outcome.parts] == ["ctcc"]
    assert [f.role for f in outcome.files] == ["data", "kept"]  # 联通's part stays: its rows here are not its
    assert values(outcome)[("610102", "202102", None)] == 2  # S1 and the kept S4
    assert {r["site_id"]: r["原因"] for r in rejects(listed)} == {
        "S1": "不属于本运营商的数据",
        "S2": "不属于本运营商的数据",
        "S3": "运营商未知",
    }


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        # the same card twice, but one is 移动's: not a copy of 电信's
        (
            "iot-sims",
            [
                ["a1", "ctcc", "5G", "610102", "", "2021-01-03", ""],
                ["a1", "cmcc", "5G", "610102", "", "2021-01-03", ""],
            ],
        ),
        ("subscribers", [["ctcc", "610102", "2021-01", "10", "5"], ["移动", "610102", "2021-01", "10", "5"]]),
        (
            "cell-traffic",
            [["C1", "S1", "ctcc", f"2021-01-{day:02d}", "5G", 1, 1] for day in range(1, 32)]
            + [["C1", "S1", "cmcc", "2021-01-05", "5G", 1, 1]],
        ),
    ],
)
def test_every_kind_rejects_another_operators_rows_in_an_operators_upload(raw_csv, tmp_path, kind, rows):
    data = raw_csv(f"{kind}.csv", kind, rows)
    sites = [raw_csv("sites.csv", "base-stations", [station("S1", "ctcc", shared="cmcc")])]
    listed = tmp_path / "rejects.csv"
    outcome = aggregate(
        kind,
        [data],
        reference=REFERENCE,
        operator="ctcc",
        sites=sites if kind == "cell-traffic" else (),
        rejects_path=listed,
        max_reject_rate=1,
    )
    assert outcome.rejected_by_reason == {"foreign": 1}
    assert [r["原因"] for r in rejects(listed)] == ["不属于本运营商的数据"]
    assert outcome.figures and {f.operator for f in outcome.figures} == {"ctcc"}


def test_the_operator_and_the_parts_are_checked_as_arguments(raw_csv, tmp_path):
    inventory = raw_csv("bs.csv", "base-stations", [station("S1", "ctcc")])
    with pytest.raises(ValueError, match="铁塔"):
        aggregate("base-stations", [inventory], reference=REFERENCE, operator="铁塔")
    with pytest.raises(ValueError):
        aggregate("iot-sims", [inventory], reference=REFERENCE, parts_folder=tmp_path)
    twice = [KeptPart("cmcc", inventory), KeptPart("cmcc", inventory)]
    with pytest.raises(ValueError):
        aggregate("base-stations", [inventory], reference=REFERENCE, kept=twice)


# -- files that are not what they claim -----------------------------------------------------------------------
def test_a_gb18030_inventory_with_broken_bytes_is_refused(raw_csv):
    good = raw_csv("gb.csv", "base-stations", [station("S1", "中国电信", shared="联通")], encoding="gb18030")
    broken = good.with_name("broken.csv")
    broken.write_bytes(good.read_bytes() + b"S2,\x81\x20,5G,610102,,,2021-01-10,,\n")
    with pytest.raises(RawFileInvalid, match="编码"):
        aggregate("base-stations", [broken], reference=REFERENCE)


def test_a_gb18030_inventorys_part_names_the_file_sent(raw_csv, tmp_path):
    sent = raw_csv(
        "电信清单.csv", "base-stations", [station("S1", "中国电信", shared="联通")], encoding="gb18030"
    )
    outcome = aggregate("base-stations", [sent], reference=REFERENCE, parts_folder=tmp_path / "parts")
    (part,) = outcome.parts
    assert duckdb.sql(f"SELECT operator, shared_with, source_file FROM '{part.path}'").fetchall() == [
        ("中国电信", "联通", "电信清单.csv")
    ]


def test_a_parquet_inventory_of_wrong_types_is_rejected_row_by_row_or_refused(tmp_path):
    typed = tmp_path / "typed.parquet"
    duckdb.sql(
        "COPY (SELECT 'S1' AS site_id, 'ctcc' AS operator, '5G' AS rat, 610102 AS county_code,"
        " 20210110 AS commissioned_on) TO '" + str(typed) + "' (FORMAT parquet)"
    )
    with pytest.raises(TooManyRejects) as refused:
        aggregate("base-stations", [typed], reference=REFERENCE, parts_folder=tmp_path / "parts")
    assert refused.value.outcome.rejected_by_reason == {"date": 1}  # the county's number reads as its code
    (part,) = refused.value.outcome.parts
    assert duckdb.sql(f"SELECT county_code, commissioned_on FROM '{part.path}'").fetchall() == [
        ("610102", "20210110")
    ]
    nameless = tmp_path / "nameless.parquet"
    duckdb.sql(
        "COPY (SELECT 'ctcc' AS operator, '5G' AS rat, '610102' AS county_code, DATE '2021-01-10' AS commissioned_on)"
        " TO '" + str(nameless) + "' (FORMAT parquet)"
    )
    with pytest.raises(RawFileInvalid, match="site_id"):
        aggregate("base-stations", [nameless], reference=REFERENCE)


def test_the_kept_sites_key_changes_with_the_parts_and_the_operator():
    digest = "ab" * 32
    plain = sites_key([digest], COUNTIES, REFERENCE.operators)
    assert plain == sites_key([digest], COUNTIES, REFERENCE.operators, kept=(), operator=None)
    keys = {
        plain,
        sites_key([digest], COUNTIES, REFERENCE.operators, operator="ctcc"),
        sites_key([digest], COUNTIES, REFERENCE.operators, kept=[("cucc", "cd" * 32)]),
        sites_key([digest], COUNTIES, REFERENCE.operators, kept=[("cucc", "ef" * 32)]),
    }
    assert len(keys) == 4


# -- both engines ---------------------------------------------------------------------------------------------
@pytest.mark.spark
@pytest.mark.parametrize("sending", ["together", "one-after-another"])
def test_both_engines_agree_on_inventories_parts_and_rejects(generated, tmp_path, sending):
    """Together: the four contradicting inventories at once (typed Parquet). One after another: the last
    operator's inventory as GB18030 CSV with a foreign row, beside the others' parts (text Parquet)."""
    files = generated["contradicting"]
    arguments: dict = {"max_reject_rate": 1}
    if sending == "one-after-another":
        kept = aggregate(
            "base-stations", files[:3], reference=REFERENCE, parts_folder=tmp_path / "kept", max_reject_rate=1
        ).parts
        last = tmp_path / "cbn.csv"
        duckdb.sql(f"COPY (SELECT * FROM '{files[3]}') TO '{last}' (FORMAT csv, HEADER true)")
        text = last.read_text(encoding="utf-8") + "X1,中国移动,5G,610102,,,2021-01-10,,\n"
        last.write_bytes(text.replace(",cbn,", ",中国广电,").encode("gb18030"))
        files = [last]
        arguments |= {"kept": kept, "operator": "cbn"}
    outcomes = {}
    for engine in ("duckdb", "spark"):
        outcome = aggregate(
            "base-stations",
            files,
            reference=REFERENCE,
            engine=engine,
            rejects_path=tmp_path / f"{engine}.csv",
            parts_folder=tmp_path / engine,
            **arguments,
        )
        parts = [sorted(duckdb.sql(f"SELECT * FROM '{p.path}'").fetchall()) for p in outcome.parts]
        outcomes[engine] = (outcome, parts, (tmp_path / f"{engine}.csv").read_text(encoding="utf-8-sig"))
    (duck, duck_parts, duck_rejects), (spark, spark_parts, spark_rejects) = outcomes.values()
    assert duck.figures and duck.figures == spark.figures
    assert duck.rejected_by_reason["disagree"] >= 2
    for field in (
        "rows_read",
        "rejected_by_reason",
        "operators",
        "warnings",
        "warnings_count",
        "missing_operators",
    ):
        assert getattr(duck, field) == getattr(spark, field), field
    assert duck_parts == spark_parts and duck_rejects == spark_rejects
    if sending == "one-after-another":
        assert (
            duck.rejected_by_reason.get("foreign") == 1 and [f.role for f in spark.files].count("kept") == 3
        )


def test_the_kept_sites_key_does_not_depend_on_the_order_of_the_files():
    digests = ["ab" * 32, "cd" * 32]
    assert sites_key(digests, COUNTIES, REFERENCE.operators) == sites_key(
        digests[::-1], COUNTIES, REFERENCE.operators
    )
