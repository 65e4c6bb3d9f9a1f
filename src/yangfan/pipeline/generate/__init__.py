"""Generated raw operator files (``yangfan demo raw``): what the operators and the 通信管理局 would send, at
the volume of a province, so that the ingest pipeline can be shown, tested and measured without real data.

Every file is demo data (演示数据（生成，非真实统计）): the README beside the files and the Parquet key-value
metadata say so. The data are made in DuckDB's SQL, not in Python loops, because a province-year of daily cell
traffic is ~27 million rows and has to be written in seconds. Pseudo-random numbers are ``hash(seed, keys…)``
of the row's own keys, so a row's values do not depend on how DuckDB splits the work over threads, and every
file is written in a fixed order: the same seed gives the same rows in the same order.

The model, per county (the caller gives the counties and their resident populations):

- base stations: 4G, 5G and a few NB-IoT sites in proportion to population, with a drawn density per county.
  5G sites are commissioned from China's 5G launch (2019-11) on, ~30 % of the year-end count in service at
  the end of ``year - 3``, growing month by month through ``year`` to ~22 per 10,000 residents (some counties
  below the 18 of A5). A few sites are decommissioned. 共建共享: most 5G sites of 中国电信 and 中国联通 are owned
  by one and shared with the other; from 2021 中国广电 (700 MHz) shares many 中国移动 sites and owns a few of
  its own (from 2021-06); a handful of sites (from 2022) are shared by all four.
- cell traffic: daily bytes of the cells (three sectors a site, one for NB-IoT) of a fixed *sample* of the
  sites, one row per operator whose users the cell carried (so a shared cell has a row per operator; 中国广电
  from its commercial launch, 2022-06). The sample is drawn so that a province-year is ~27 million rows,
  the volume DESIGN.md's benchmarks are quoted for (~75,000 cell-operator rows a day): every cell of the full
  inventory, every day, would be ~13 times that. Bytes per row are those of one cell (4G ~8 GB a day), so
  traffic totals are the sample's totals; the 5G share of bytes (A2, a ratio, which a sample keeps) rises
  from ~35 % in January to ~55 % in December, with a drawn level per county, more traffic at weekends and on
  holidays, and 2 % more each month.
- IoT SIM cards: 5G cards at ~1 per 1,000 residents at the end of ``year - 3``, multiplying 2.7–3.6 times a
  year (A4 asks for 3, so most counties meet it), a few deactivated; also 4G and NB-IoT cards; a sector from
  the plan's list for most cards.
- subscribers: every operator × county × month from December of ``year - 3`` to December of ``year``, 5G users
  rising along a logistic curve from ~7 % of subscriptions to 36–62 % (a few counties end below A1's 40 % of
  residents); 中国广电 is 5G-only and has users from 2022-06 (zeros before). These are counts of people, not
  rows: ``fraction`` and ``scale`` leave them alone.

With ``per_operator`` the inventory is written as each operator would send its own (``inventories.py``): a shared
site in the file of every operator on it.

Every county keeps, whatever ``fraction``, at least three 5G and three 4G sites with one of each in service
all year and in the traffic sample, and three 5G SIM cards active at every month end from December of
``year - 3``, so that every indicator has a value everywhere.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from yangfan.pipeline.contracts import KINDS
from yangfan.pipeline.generate.files import GeneratedFile, file_write, readme_write
from yangfan.pipeline.generate.inventories import inventories_prepare
from yangfan.pipeline.generate.queries import queries_prepare
from yangfan.pipeline.generate.spec import (
    DEMO_LABEL,
    ENCODINGS,
    FORMATS,
    MEMORY_LIMIT,
    SCALES,
    SECTOR_SHARES,
    Spec,
)

__all__ = ["DEMO_LABEL", "ENCODINGS", "FORMATS", "SCALES", "SECTOR_SHARES", "GeneratedFile", "raw_generate"]


def raw_generate(
    directory: Path,
    *,
    counties: Mapping[str, int],
    scale: str = "province",
    year: int = 2023,
    seed: int = 2023,
    file_format: str = "parquet",
    kinds: Iterable[str] = tuple(KINDS),
    hourly: bool = False,
    fraction: float = 1.0,
    encoding: str = "utf-8",
    progress: Callable[[int, int], None] | None = None,
    per_operator: bool = False,
    contradictions: int = 0,
    monthly: bool = False,
) -> list[GeneratedFile]:
    """Write generated raw files, one per kind, as ``<directory>/<kind>.<parquet|csv>``, and a README.txt
    that labels them as demo data; return the files written, in the order of ``contracts.KINDS``.

    ``per_operator`` writes the base-station inventory as the operators keep it, one file each
    (``base-stations-<operator>.<parquet|csv>``, in the order ``cmcc``, ``cucc``, ``ctcc``, ``cbn``, instead of
    ``base-stations.<…>``): a shared site is in the file of every operator on it. ``contradictions`` of those
    shared sites get a copy that disagrees with the others (another county or commissioning date), as the
    pipeline must reject.

    ``counties`` maps county code to resident population: every volume follows population, so a caller
    passes the plan's county-level units and tests pass a few made-up ones. ``scale`` "province" gives a
    province's volumes (for Shaanxi's 39.5 million residents ~276,000 sites, ~27.5 million traffic rows, ~2.8
    million IoT cards); "national" gives 31 times as many sites, traffic rows and cards over the *same*
    counties, a load-test volume whose indicators (sites per 10,000 residents, say) mean nothing. A country's
    volume is "province" over the national plan's base units (``yangfan demo raw --scale national``: ~1 billion
    traffic rows). A year's traffic is sorted by time with spilling to disk beside the output: at a country's
    volume the spill outgrows most disks (seen here: 45 GB and growing), so ``monthly`` writes cell traffic as
    twelve files, ``cell-traffic-YYYY-MM.<…>``, each sorted on its own (the same rows, in the same order, as
    the one file). ``fraction`` scales every volume, for tests,
    keeping a few sites and cards in every county. ``hourly`` writes cell traffic by hour (a ``datetime``
    column instead of ``date``, 24 times the rows). ``encoding`` is for CSV: GB18030 is what Chinese
    spreadsheet software writes. ``progress(done, total)`` counts rows, and is called from the calling thread.
    """
    spec = Spec.make(
        counties=counties,
        scale=scale,
        year=year,
        seed=seed,
        file_format=file_format,
        kinds=kinds,
        hourly=hourly,
        fraction=fraction,
        encoding=encoding,
        per_operator=per_operator,
        contradictions=contradictions,
        monthly=monthly,
    )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    import duckdb  # heavy; only the generator and the engines need it

    # Sorting a national-scale year spills to disk: beside the output, not in the working directory.
    spill = Path(tempfile.mkdtemp(prefix=".generate-", dir=directory))
    con = duckdb.connect(
        config={"preserve_insertion_order": True, "temp_directory": str(spill), "memory_limit": MEMORY_LIMIT}
    )
    written: list[GeneratedFile] = []
    try:
        con.execute("SET enable_progress_bar = true")  # query_progress() reports only with it on
        con.execute("SET enable_progress_bar_print = false")
        queries, sizes = queries_prepare(con, spec)
        outputs = []  # kind, file name, query, rows
        for kind in spec.kinds:
            if kind == "base-stations" and spec.per_operator:
                copies = inventories_prepare(
                    con, queries[kind], seed=spec.seed, contradictions=spec.contradictions
                )
                outputs += [(kind, f"{kind}-{code}", query, size) for code, (query, size) in copies.items()]
            else:
                names = [n for n in queries if n == kind or n.startswith(f"{kind}-")]
                outputs += [(kind, name, queries[name], sizes[name]) for name in names]
        total, done = sum(size for *_, size in outputs), 0
        for kind, name, query, size in outputs:
            path = directory / f"{name}.{spec.file_format}"

            def moved(share: float, before: int = done, size: int = size) -> None:
                if progress is not None:
                    progress(before + min(size, round(size * share)), total)

            rows = file_write(con, query, path, spec, moved)
            written.append(GeneratedFile(kind, path, rows))
            done += size
            if progress is not None:
                progress(done, total)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    readme_write(directory, spec, written)
    return written
