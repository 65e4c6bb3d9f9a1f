"""One definition, two engines: DuckDB and Apache Spark (``local[*]``) on the same generated files must give the
same data values, the same row counts and the same rejects. Runs once per ``make test`` (marker ``spark``)."""

from __future__ import annotations

import pytest

from yangfan.core.periods import Period
from yangfan.datavalues.demo import county_population
from yangfan.pipeline.aggregate import Reference, aggregate
from yangfan.pipeline.generate import raw_generate

pytestmark = pytest.mark.spark
REFERENCE = Reference(
    counties=frozenset(county_population()),
    sectors=("工业互联网", "车联网", "智慧医疗", "智慧农业", "智慧城市"),
    first_month=Period.parse("202012"),
    last_month=Period.parse("202611"),
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A province's files at a small fraction, as Parquet, and the cell traffic and inventory as GB18030 CSV
    with some rows that break the contract added."""
    parquet = tmp_path_factory.mktemp("parquet")
    files = {f.kind: f.path for f in raw_generate(parquet, counties=county_population(), fraction=0.002)}
    csv = tmp_path_factory.mktemp("csv")
    text = {
        f.kind: f.path
        for f in raw_generate(
            csv,
            counties=county_population(),
            fraction=0.002,
            file_format="csv",
            encoding="gb18030",
            kinds=["base-stations", "cell-traffic"],
        )
    }
    bad = csv / "bad.csv"
    bad.write_text(
        "cell_id,site_id,operator,date,rat,dl_bytes,ul_bytes\n"
        "X1,NOSUCHSITE,cmcc,2023-03-01,5G,1,1\n"
        "X2,NOSUCHSITE,中国联通,2023-03-32,5G,1,1\n"
        "X3,NOSUCHSITE,ctcc,2023-03-01,5G,-7,1\n"
        "X4,NOSUCHSITE,铁塔,2023-03-01,5G,1,1\n",
        encoding="gb18030",
    )
    return files, text, bad


def both(kind: str, files: list, **options):
    return [
        aggregate(kind, files, reference=REFERENCE, engine=engine, **options)
        for engine in ("duckdb", "spark")
    ]


@pytest.mark.parametrize("kind", ["base-stations", "iot-sims", "subscribers", "cell-traffic"])
def test_both_engines_give_identical_values_from_parquet(generated, kind):
    files, _, _ = generated
    sites = [files["base-stations"]] if kind == "cell-traffic" else []
    duck, spark = both(kind, [files[kind]], sites=sites)
    assert duck.figures and duck.figures == spark.figures
    assert (duck.rows_read, duck.rows_rejected, duck.by_sector) == (
        spark.rows_read,
        spark.rows_rejected,
        spark.by_sector,
    )
    assert (duck.engine, spark.engine) == ("duckdb", "spark")


def test_both_engines_read_gb18030_csv_and_reject_the_same_rows(generated, tmp_path):
    files, text, bad = generated
    duck, spark = both(
        "cell-traffic", [text["cell-traffic"], bad], sites=[text["base-stations"]], max_reject_rate=0.01
    )
    assert duck.figures == spark.figures
    assert (
        duck.rejected_by_reason
        == spark.rejected_by_reason
        == {"site": 1, "date": 1, "bytes": 1, "operator": 1}
    )
    # the CSV is the Parquet's twin: the same values whichever the format
    assert (
        duck.figures
        == aggregate(
            "cell-traffic", [files["cell-traffic"]], sites=[files["base-stations"]], reference=REFERENCE
        ).figures
    )
