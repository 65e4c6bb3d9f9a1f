"""Ingesting a province-year of raw operator files: ``yangfan ingest`` end to end against a bare DuckDB process
computing the same aggregates from the same files, measured in the same run, whole process against whole
process.

    .venv/bin/python bench/ingest.py [--data DIR] [--csv-data DIR] [--repeat N] [--no-spark] [--keep]

The files are those of ``yangfan demo raw --scale province --year 2023`` (~27.5 million rows of daily cell
traffic, ~276,000 base stations, ~2.8 million IoT SIM cards, ~16,000 subscriber counts) as Parquet, and a CSV
copy of the base stations and the cell traffic. ``--data`` / ``--csv-data`` name folders that hold them (they
are generated there if they do not, ~1 min each); without them they are generated in the scratch folder and
removed at the end.

Every measurement is its own process, timed from start to exit, its peak memory the kernel's maximum resident
set (``wait4``; for Spark the sum over the process and its children, the JVM, sampled every 0.2 s). Each
round (``--repeat``, best of N) starts from a fresh scratch database (SQLite in a temporary folder,
``yangfan init``) per format, and runs:

- ``yangfan ingest base-stations``, ``cell-traffic`` (the first write), ``cell-traffic`` again (it changes
  nothing), ``iot-sims`` and ``subscribers``, from Parquet; base stations and cell traffic from CSV likewise;
- with PySpark and Java present, ``cell-traffic --engine spark`` from Parquet after the DuckDB runs (its
  figures beside the others: the JVM's start-up is most of its time at this size);
- beside each, the floor: a bare ``python -c`` that imports DuckDB and runs one query over the same files
  computing the same aggregates, no validation (cell traffic joined to the inventory's sites and summed by
  county × month × operator; 5G stations and 5G SIM cards as month-end counts from the months they came into
  and went out of service; subscribers read and grouped).

``--national`` ingests a national year instead (issue 22): ``yangfan demo raw --scale national --year 2025``
(the national successor's base units: 30 provinces and Shaanxi's counties, sized by their demo population;
~1 billion rows of daily cell traffic in a file per month, ~10 million base stations) as Parquet, into a
database with the national plan loaded. Each engine gets a fresh database and runs the four kinds in turn, DuckDB then Spark, each beside
the bare DuckDB process; then the values the two engines wrote are compared, row for row (a difference is a
failure). CSV is left out at this size (the Parquet files alone are ~14 GB).

The aggregation step's rate is the run's ``rows_read`` over its ``seconds["aggregate"]`` (``yangfan ingest
show RUN --format json``). Targets (issue 9), checked for the DuckDB ingest of cell traffic: the process within
1.5× of the bare process; the aggregation step at ≥ 20 million rows/s from Parquet and ≥ 4 million from CSV;
peak memory under 1 GiB (every DuckDB ingest).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PARQUET_KINDS = ("base-stations", "cell-traffic", "iot-sims", "subscribers")
CSV_KINDS = ("base-stations", "cell-traffic")
MiB = 1024 * 1024
GiB = 1024 * MiB
RATIO_TARGET = 1.5
RATE_TARGETS = {"parquet": 20e6, "csv": 4e6}
PEAK_TARGET = 1 * GiB

PYTHON = sys.executable
YANGFAN = str(Path(sys.executable).with_name("yangfan"))

# The floor: a process that imports DuckDB, runs one query and prints how long the query took.
BARE = """
import json, sys, time
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
rows = con.execute(sys.argv[1]).fetchall()
print(json.dumps({"query": time.perf_counter() - start, "groups": len(rows)}))
"""

# What the ingest must do that the bare query does not, each as a process of its own, for the CPU it costs:
# the files' SHA-256 (the run's lineage) and starting Django (values are written through the import service).
HASH = """
import hashlib, sys
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        hashlib.file_digest(handle, "sha256")
"""
DJANGO = """
from yangfan.cli import setup_django
setup_django()
import yangfan.ingests.services
"""


# -- the bare queries ----------------------------------------------------------------------------------------
def reader(path: Path | list[Path]) -> str:
    """DuckDB's reader of a file or of files of one format, types as it detects them (CSV: sniffed, not all
    text)."""
    paths = path if isinstance(path, list) else [path]
    function = "read_parquet" if paths[0].suffix == ".parquet" else "read_csv"
    quoted = ", ".join(f"'{p}'" for p in paths)
    return f"{function}([{quoted}])"


def month(day: str) -> str:
    return f"(YEAR({day}) * 100 + MONTH({day}))"


def bare_traffic(traffic: Path | list[Path], stations: Path) -> str:
    """Cell traffic placed by its site's county, 5G bytes and all bytes by county × month × operator."""
    return f"""
    SELECT s.county_code, {month("t.date")} AS month, t.operator,
        SUM(t.dl_bytes + t.ul_bytes) FILTER (WHERE t.rat = '5G') AS bytes_5g,
        SUM(t.dl_bytes + t.ul_bytes) AS bytes_all
    FROM {reader(traffic)} AS t JOIN (SELECT site_id, county_code FROM {reader(stations)}) AS s
        ON s.site_id = t.site_id
    GROUP BY ALL
    """


def bare_stations(stations: Path) -> str:
    """5G sites at each month's end by county × operator (a shared site once per operator sharing it) and by
    county (once), from the months they were commissioned and decommissioned."""
    return f"""
    WITH b AS (
        SELECT site_id, operator, county_code, CAST(commissioned_on AS DATE) AS c_on,
            TRY_CAST(decommissioned_on AS DATE) AS d_on, shared_with
        FROM {reader(stations)} WHERE rat = '5G'
    ), operators AS (
        SELECT site_id, operator FROM b
        UNION SELECT site_id, TRIM(UNNEST(STRING_SPLIT_REGEX(shared_with, '[/;,、|]'))) FROM b
        WHERE shared_with IS NOT NULL AND shared_with <> ''
    ), per AS (
        SELECT b.county_code, o.operator, b.c_on, b.d_on FROM b JOIN operators AS o USING (site_id)
        UNION ALL SELECT county_code, NULL, c_on, d_on FROM b
    ), events AS (
        SELECT county_code, operator, {month("c_on")} AS month, 1 AS delta FROM per
        UNION ALL SELECT county_code, operator, {month("d_on")}, -1 FROM per WHERE d_on IS NOT NULL
    ), changes AS (
        SELECT county_code, operator, month, SUM(delta) AS delta FROM events GROUP BY ALL
    )
    SELECT county_code, operator, month,
        SUM(delta) OVER (PARTITION BY county_code, operator ORDER BY month) AS stations
    FROM changes
    """


def bare_sims(sims: Path) -> str:
    """5G SIM cards at each month's end by county × operator × sector, from activations and deactivations."""
    return f"""
    WITH s AS (
        SELECT county_code, operator, industry, activated_on AS a_on, deactivated_on AS d_on
        FROM {reader(sims)} WHERE rat = '5G'
    ), events AS (
        SELECT county_code, operator, industry, {month("a_on")} AS month, 1 AS delta FROM s
        UNION ALL SELECT county_code, operator, industry, {month("d_on")}, -1 FROM s WHERE d_on IS NOT NULL
    ), changes AS (
        SELECT county_code, operator, industry, month, SUM(delta) AS delta FROM events GROUP BY ALL
    )
    SELECT county_code, operator, industry, month,
        SUM(delta) OVER (PARTITION BY county_code, operator, industry ORDER BY month) AS sims
    FROM changes
    """


def bare_subscribers(subscribers: Path) -> str:
    return f"""
    SELECT county_code, month, operator, SUM(mobile_users_total), SUM(mobile_users_5g)
    FROM {reader(subscribers)} GROUP BY ALL
    """


# The values the ingests wrote, in a canonical order: what the two engines are compared by.
STORED = """
import json
from yangfan.cli import setup_django
setup_django()
from yangfan.datavalues.models import DataValue
rows = DataValue.objects.order_by("data_element__code", "period", "org_unit__code", "operator__code").values_list(
    "data_element__code", "period", "org_unit__code", "operator__code", "value"
)
print(json.dumps([[e, p, o, op, str(v)] for e, p, o, op, v in rows]))
"""
NATIONAL_PLAN = "miit-5g-upgrade-2024-2027"
NATIONAL_YEAR = "2025"


def stored_values(env: dict[str, str]) -> list[tuple]:
    done = subprocess.run([PYTHON, "-c", STORED], env=env, check=True, capture_output=True, text=True)
    return [tuple(row) for row in json.loads(done.stdout)]


# -- measuring a process -------------------------------------------------------------------------------------
@dataclass
class Process:
    wall: float
    peak: int  # bytes
    stdout: str
    cpu: float  # user + system seconds, the process and the children it waited for


class _TreeSampler:
    """The summed resident memory of a process and its descendants, polled (Spark's JVM is a child that the
    Python process does not wait for, so ``wait4`` never sees its memory)."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, self._tree_rss())

    def _tree_rss(self) -> int:
        parents, rss = {}, {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * self._page
        tree, total = {self.pid}, 0
        for pid in sorted(parents):  # children have higher ids than their parents, nearly always
            if parents[pid] in tree:
                tree.add(pid)
        grew = True
        while grew:  # and the rare child with a lower id
            added = {p for p, parent in parents.items() if parent in tree and p not in tree}
            tree |= added
            grew = bool(added)
        for pid in tree:
            total += rss.get(pid, 0)
        return total

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: list[str], env: dict[str, str], *, tree: bool = False) -> Process:
    """Run ``command`` to its end; its wall time and peak resident memory. Raises on a non-zero exit."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=errors)
        sampler = _TreeSampler(process.pid) if tree else None
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if sampler is not None:
            sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        errors.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if process.returncode != 0:
            tail = errors.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stdout[-2000:]}\n{tail}")
    peak = usage.ru_maxrss * 1024  # KiB on Linux
    if sampler is not None:
        peak = max(peak, sampler.peak)
    return Process(wall, peak, stdout, usage.ru_utime + usage.ru_stime)


# -- the measurements ----------------------------------------------------------------------------------------
@dataclass
class Measurement:
    kind: str
    file_format: str
    engine: str  # "duckdb", "spark" or "bare"
    label: str  # "first", "again", "" (bare)
    wall: float
    peak: int
    cpu: float = 0.0
    rows: int = 0
    aggregate: float | None = None  # the ingest's aggregation step, or the bare query, seconds
    run_seconds: dict[str, float] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.file_format, self.engine, self.label)

    @property
    def rate(self) -> float | None:
        return self.rows / self.aggregate if self.aggregate and self.rows else None


class Bench:
    def __init__(self, scratch: Path, parquet: Path, csv: Path, spark: bool):
        self.scratch, self.parquet, self.csv, self.spark = scratch, parquet, csv, spark
        self.results: dict[tuple, list[Measurement]] = {}
        self.agreement: list[dict[str, list[tuple]]] = []  # per national round: each engine's stored values
        self.failures: list[str] = []

    def _keep(self, m: Measurement) -> Measurement:
        self.results.setdefault(m.key, []).append(m)
        print(
            f"  {m.kind} {m.engine} {m.label or ''}: {m.wall:.1f} s, {m.cpu:.1f} CPU s, peak {m.peak / MiB:,.0f} MiB",
            flush=True,
        )
        return m

    def database(self, name: str, plans: tuple[str, ...] = ()) -> dict[str, str]:
        """A fresh scratch database and data folder, initialised (the bundled plan, no demo values), with
        ``plans`` (plans loaded on request, by code) loaded."""
        folder = self.scratch / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        env = dict(os.environ)
        env.update(
            YANGFAN_DATA_DIR=str(folder),
            YANGFAN_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
            YANGFAN_SECRET_KEY="bench-only-secret-key-not-for-production",
            COLUMNS="200",
        )
        subprocess.run([YANGFAN, "init"], env=env, check=True, capture_output=True)
        for code in plans:
            subprocess.run([YANGFAN, "plan", "load", code], env=env, check=True, capture_output=True)
        return env

    def ingest(
        self,
        env,
        kind: str,
        files: list[Path],
        label: str,
        *,
        sites: Path | None = None,
        engine: str = "duckdb",
    ) -> Measurement:
        command = [YANGFAN, "ingest", kind, *map(str, files), "--engine", engine]
        if sites is not None:
            command += ["--sites", str(sites)]
        process = run_measured(command, env, tree=engine == "spark")
        found = re.search(r"汇总批次 #(\d+)", process.stdout)
        if found is None:
            raise SystemExit(f"no run number in the output of {' '.join(command)}:\n{process.stdout}")
        shown = subprocess.run(
            [YANGFAN, "ingest", "show", found.group(1), "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        lineage = json.loads(shown.stdout)
        if lineage["status"] != "done":
            raise SystemExit(f"run #{found.group(1)} ended {lineage['status']}: {lineage['message']}")
        file_format = files[0].suffix.lstrip(".")
        return self._keep(
            Measurement(
                kind,
                file_format,
                engine,
                label,
                process.wall,
                process.peak,
                process.cpu,
                rows=lineage["rows_read"],
                aggregate=lineage["seconds"].get("aggregate"),
                run_seconds=lineage["seconds"],
                values=lineage["values"],
            )
        )

    def bare(self, kind: str, file_format: str, sql: str) -> Measurement:
        process = run_measured([PYTHON, "-c", BARE, sql], dict(os.environ))
        line = next(x for x in reversed(process.stdout.splitlines()) if x.startswith("{"))
        query = json.loads(line)["query"]
        return self._keep(
            Measurement(
                kind, file_format, "bare", "", process.wall, process.peak, process.cpu, aggregate=query
            )
        )

    def extra(self, what: str, file_format: str, script: str, arguments: list[str], env) -> Measurement:
        """One of the things the ingest does beyond the bare query, as a process of its own (``HASH``,
        ``DJANGO``): its CPU time is part of the ingest's that no scheduling can hide."""
        process = run_measured([PYTHON, "-c", script, *arguments], env)
        return self._keep(
            Measurement("cell-traffic", file_format, what, "", process.wall, process.peak, process.cpu)
        )

    def round(self, number: int) -> None:
        p, c = self.parquet, self.csv
        stations, traffic = p / "base-stations.parquet", p / "cell-traffic.parquet"
        print(f"round {number}: Parquet", flush=True)
        env = self.database(f"parquet-{number}")
        self.bare("base-stations", "parquet", bare_stations(stations))
        self.ingest(env, "base-stations", [stations], "first")
        self.bare("cell-traffic", "parquet", bare_traffic(traffic, stations))
        self.extra("sha256", "parquet", HASH, [str(traffic), str(stations)], env)
        self.extra("django", "parquet", DJANGO, [], env)
        self.ingest(env, "cell-traffic", [traffic], "first", sites=stations)
        self.ingest(env, "cell-traffic", [traffic], "again", sites=stations)
        self.bare("iot-sims", "parquet", bare_sims(p / "iot-sims.parquet"))
        self.ingest(env, "iot-sims", [p / "iot-sims.parquet"], "first")
        self.bare("subscribers", "parquet", bare_subscribers(p / "subscribers.parquet"))
        self.ingest(env, "subscribers", [p / "subscribers.parquet"], "first")
        if self.spark:
            print(f"round {number}: Spark", flush=True)
            self.ingest(env, "cell-traffic", [traffic], "again", sites=stations, engine="spark")
        print(f"round {number}: CSV", flush=True)
        stations, traffic = c / "base-stations.csv", c / "cell-traffic.csv"
        env = self.database(f"csv-{number}")
        self.bare("base-stations", "csv", bare_stations(stations))
        self.ingest(env, "base-stations", [stations], "first")
        self.bare("cell-traffic", "csv", bare_traffic(traffic, stations))
        self.extra("sha256", "csv", HASH, [str(traffic), str(stations)], env)
        self.ingest(env, "cell-traffic", [traffic], "first", sites=stations)
        self.ingest(env, "cell-traffic", [traffic], "again", sites=stations)

    def national(self, number: int) -> None:
        """The national year: every kind from Parquet, DuckDB and then Spark, each on a database of its own with
        the national plan loaded; the values they wrote must agree."""
        p = self.parquet
        stations, traffic = p / "base-stations.parquet", national_traffic(p)
        written = {}
        for engine in ("duckdb", "spark") if self.spark else ("duckdb",):
            print(f"round {number}: national, {engine}", flush=True)
            try:
                written[engine] = self._national_engine(number, engine, stations, traffic)
            except SystemExit as failed:  # kept and reported: the other engine's figures still count
                self.failures.append(f"round {number}, {engine}: {failed}")
                print(f"  failed: {failed}", flush=True)
        self.agreement.append(written)

    def _national_engine(self, number: int, engine: str, stations: Path, traffic: list[Path]) -> list[tuple]:
        p = self.parquet
        env = self.database(f"national-{engine}-{number}", plans=(NATIONAL_PLAN,))
        if engine == "duckdb":
            self.bare("base-stations", "parquet", bare_stations(stations))
        self.ingest(env, "base-stations", [stations], "first", engine=engine)
        if engine == "duckdb":
            self.bare("cell-traffic", "parquet", bare_traffic(traffic, stations))
            self.extra("sha256", "parquet", HASH, [*map(str, traffic), str(stations)], env)
            self.extra("django", "parquet", DJANGO, [], env)
        self.ingest(env, "cell-traffic", traffic, "first", sites=stations, engine=engine)
        if engine == "duckdb":
            self.ingest(env, "cell-traffic", traffic, "again", sites=stations, engine=engine)
            self.bare("iot-sims", "parquet", bare_sims(p / "iot-sims.parquet"))
        self.ingest(env, "iot-sims", [p / "iot-sims.parquet"], "first", engine=engine)
        if engine == "duckdb":
            self.bare("subscribers", "parquet", bare_subscribers(p / "subscribers.parquet"))
        self.ingest(env, "subscribers", [p / "subscribers.parquet"], "first", engine=engine)
        return stored_values(env)

    def best(self) -> list[Measurement]:
        """Per measurement, the round with the shortest wall time; bare runs get the ingest's row count."""
        best = {key: min(runs, key=lambda m: m.wall) for key, runs in self.results.items()}
        rows = {(m.kind, m.file_format): m.rows for m in best.values() if m.rows}
        for m in best.values():
            if m.engine == "bare":
                m.rows = rows.get((m.kind, m.file_format), 0)
        return list(best.values())


# -- files ---------------------------------------------------------------------------------------------------
def files_ready(folder: Path, file_format: str, kinds: tuple[str, ...], *, national: bool = False) -> bool:
    if national:  # cell traffic in twelve monthly files
        kinds = tuple(k for k in kinds if k != "cell-traffic")
        if len(national_traffic(folder)) != 12:
            return False
    return all((folder / f"{kind}.{file_format}").is_file() for kind in kinds)


def national_traffic(folder: Path) -> list[Path]:
    """The national year's cell traffic: a file per month (``yangfan demo raw --monthly``)."""
    return sorted(folder.glob("cell-traffic-*.parquet"))


def generate(
    folder: Path, file_format: str, kinds: tuple[str, ...], env: dict[str, str], *, national: bool = False
) -> None:
    scale, year = ("national", NATIONAL_YEAR) if national else ("province", "2023")
    print(f"generating the {scale} year ({file_format}: {', '.join(kinds)}) in {folder} …", flush=True)
    start = time.perf_counter()
    command = [YANGFAN, "demo", "raw", "--scale", scale, "--year", year, "-o", str(folder)]
    if national:  # one year's sort would spill more than most disks hold
        command.append("--monthly")
    subprocess.run(
        [*command, "--format", file_format, "--kinds", *kinds], env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)


def warm(paths: list[Path]) -> None:
    """Read every file once, so that the first measurement does not pay for the disk and the others not."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


# -- the report ----------------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "目标达成" if ok else "未达成"


def phase(m: Measurement, key: str, width: int) -> str:
    """One of the run's phase times (``yangfan ingest show``), blank for a bare process."""
    return f"{m.run_seconds[key]:{width}.2f}" if key in m.run_seconds else " " * width


def report(measured: list[Measurement], repeat: int, agreement=(), failures=()) -> int:
    extras = {(m.engine, m.file_format): m for m in measured if m.engine in ("sha256", "django")}
    measurements = [m for m in measured if m.engine not in ("sha256", "django")]
    order = {k: n for n, k in enumerate(PARQUET_KINDS)}
    engines = {"bare": 0, "duckdb": 1, "spark": 2}
    labels = {"": 0, "first": 1, "again": 2}
    measurements.sort(
        key=lambda m: (m.file_format != "parquet", order[m.kind], engines[m.engine], labels[m.label])
    )
    bare = {(m.kind, m.file_format): m for m in measurements if m.engine == "bare"}
    print()
    print(
        f"best of {repeat}; wall = the whole process, start to exit; agg = the ingest's aggregation step "
        "(the bare process: its one query); pipe = the pipeline (engine, files hashed, aggregation); "
        "run = the ingest service (pipeline and values written)"
    )
    head = (
        f"{'kind':<14}{'format':<9}{'engine':<8}{'run':<7}{'wall s':>8}{'cpu s':>7}{'peak MiB':>10}{'rows':>13}"
        f"{'agg s':>8}{'agg rows/s':>13}{'pipe s':>8}{'run s':>7}{'×bare':>7}{'agg ×bare':>10}"
        "  values added/changed/unchanged"
    )
    print(head)
    print("-" * len(head))
    for m in measurements:
        floor = bare.get((m.kind, m.file_format))
        ratio = f"{m.wall / floor.wall:7.2f}" if floor and m.engine != "bare" else f"{'':7}"
        agg_ratio = (
            f"{m.aggregate / floor.aggregate:10.2f}"
            if floor and m.engine != "bare" and m.aggregate and floor.aggregate
            else f"{'':10}"
        )

        values = "/".join(str(m.values.get(k, 0)) for k in ("新增", "修改", "未变")) if m.values else ""
        print(
            f"{m.kind:<14}{m.file_format:<9}{m.engine:<8}{m.label or '—':<7}{m.wall:8.2f}{m.cpu:7.2f}"
            f"{m.peak / MiB:10.0f}"
            f"{m.rows:13,}{m.aggregate or 0:8.2f}{(m.rate or 0):13,.0f}{phase(m, 'total', 8)}{phase(m, 'run', 7)}"
            f"{ratio}{agg_ratio}  {values}"
        )

    print()
    print("targets (issue 9; DuckDB ingest of cell traffic, whole process against whole process):")
    missed = 0

    def check(label: str, ok: bool, measured: str) -> None:
        nonlocal missed
        missed += not ok
        print(f"  {label:<62}{measured:<34}{verdict(ok)}")

    for m in measurements:
        if m.engine != "duckdb":
            continue
        floor = bare[(m.kind, m.file_format)]
        name = f"{m.kind} {m.file_format} {m.label}"
        if m.kind == "cell-traffic":
            check(
                f"{name}: process ≤ {RATIO_TARGET}× the bare process",
                m.wall <= RATIO_TARGET * floor.wall,
                f"{m.wall:.2f} s / {floor.wall:.2f} s = {m.wall / floor.wall:.2f}×",
            )
            target = RATE_TARGETS[m.file_format]
            check(
                f"{name}: aggregation ≥ {target / 1e6:.0f} million rows/s",
                (m.rate or 0) >= target,
                f"{(m.rate or 0) / 1e6:.1f} million rows/s",
            )
        check(
            f"{name}: peak memory < 1 GiB",
            m.peak < PEAK_TARGET,
            f"{m.peak / MiB:,.0f} MiB",
        )
    spark = [m for m in measurements if m.engine == "spark"]
    for m in spark:
        floor = bare[(m.kind, m.file_format)]
        print(
            f"  spark (for comparison, no target): {m.wall:.2f} s, {m.wall / floor.wall:.1f}× the bare process, "
            f"aggregation {(m.rate or 0) / 1e6:.1f} million rows/s, peak {m.peak / MiB:,.0f} MiB (JVM included)"
        )
    floor_report(bare, extras)
    for failed in failures:
        check("an engine's run ended in an error", False, failed.splitlines()[0][:200])
    for number, written in enumerate(agreement, 1):
        if len(written) < 2:
            continue
        duck, spark = written["duckdb"], written["spark"]
        differ = len(set(duck) ^ set(spark))
        check(
            f"round {number}: Spark wrote the values DuckDB wrote",
            differ == 0 and bool(duck),
            f"{len(duck):,} = {len(spark):,}, {differ:,} differ",
        )
    print()
    print(f"{'全部目标达成' if not missed else f'{missed} 项未达成'}")
    return 0


def floor_report(
    bare: dict[tuple[str, str], Measurement], extras: dict[tuple[str, str], Measurement]
) -> None:
    """The CPU the ingest of cell traffic cannot leave out, measured in this run: the bare query's, the files'
    SHA-256 and Django's start. Spread over every core at best, it bounds the process from below before a
    single value is written (the write comes after the aggregation, on one core)."""
    cores = os.cpu_count() or 1
    django = extras.get(("django", "parquet"))
    if django is None:
        return
    print()
    print(
        f"what the ingest of cell traffic does beyond the bare query (CPU seconds, each its own process, {cores} cores):"
    )
    for file_format in ("parquet", "csv"):
        floor, sha = bare.get(("cell-traffic", file_format)), extras.get(("sha256", file_format))
        if floor is None or sha is None:
            continue
        least = floor.cpu + sha.cpu + django.cpu
        wall = max(floor.wall, least / cores)
        print(
            f"  {file_format:<8} bare process {floor.cpu:.2f} + SHA-256 of the files {sha.cpu:.2f} + Django's start "
            f"{django.cpu:.2f} = {least:.2f} CPU s: at least {wall:.2f} s on {cores} cores, "
            f"{wall / floor.wall:.2f}× the bare process, before any value is written"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="folder of the Parquet files (generated there if missing)")
    parser.add_argument("--csv-data", type=Path, help="folder of the CSV files (generated there if missing)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; each figure is the best (default 1)")
    parser.add_argument("--no-spark", action="store_true", help="leave out the Spark engine")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (databases, files)")
    parser.add_argument(
        "--national",
        action="store_true",
        help="a national year (the successor plan's base units), Parquet only",
    )
    args = parser.parse_args(argv)
    if not Path(YANGFAN).is_file():
        parser.error(f"{YANGFAN} not found: run this with the project's Python (.venv/bin/python)")
    scratch = Path(tempfile.mkdtemp(prefix="yangfan-bench-ingest-"))
    try:
        env = dict(os.environ, YANGFAN_DATA_DIR=str(scratch / "generate"), YANGFAN_SECRET_KEY="bench")
        parquet = args.data or scratch / "parquet"
        csv = args.csv_data or scratch / "csv"
        if not files_ready(parquet, "parquet", PARQUET_KINDS, national=args.national):
            generate(parquet, "parquet", PARQUET_KINDS, env, national=args.national)
        if not args.national and not files_ready(csv, "csv", CSV_KINDS):
            generate(csv, "csv", CSV_KINDS, env)
        spark = (
            not args.no_spark
            and importlib.util.find_spec("pyspark") is not None
            and bool(shutil.which("java"))
        )
        if not spark and not args.no_spark:
            print("Spark left out: PySpark or Java is missing (pip install 'yangfan[spark]', Java 17+)")
        load = os.getloadavg()[0]
        print(
            f"{os.cpu_count()} CPUs, load {load:.2f}{' — busy machine: figures will be slow' if load > 1 else ''}"
        )
        files = [
            parquet / f"{k}.parquet" for k in PARQUET_KINDS if not (args.national and k == "cell-traffic")
        ]
        if args.national:
            files += national_traffic(parquet)
        else:
            files += [csv / f"{k}.csv" for k in CSV_KINDS]
        for path in files:
            print(f"  {path}  {path.stat().st_size / MiB:,.0f} MiB")
        warm(files)
        bench = Bench(scratch, parquet, csv, spark)
        for number in range(1, args.repeat + 1):
            (bench.national if args.national else bench.round)(number)
        return report(bench.best(), args.repeat, bench.agreement, bench.failures)
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
