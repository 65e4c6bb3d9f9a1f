"""Per-operator base-station inventories (issue 20): ingesting the four operators' files, in one run, one after
another or through a preview, against ingesting the merged inventory, measured in the same run at three sizes.

    .venv/bin/python bench/inventories.py [--sizes 0.01 0.1 1.0] [--format parquet|csv] [--repeat N] [--keep]

The files are ``yangfan demo raw --scale province --year 2023 --kinds base-stations --fraction F``: the merged
inventory (``base-stations.<ext>``, each site once, shared ones naming their partners) and, with
``--per-operator``, the same sites as four files ``base-stations-<op>.<ext>`` (cmcc, ctcc, cucc, cbn; a shared
site in each sharing operator's file). The default sizes are 1×, 10× and 100× (fractions 0.01, 0.1 and 1.0 of
the province's ~276,000 sites); each is generated in the scratch folder (a few seconds).

Every measurement is its own process (or processes), timed from start to exit, on a database of its own: each
round runs ``yangfan init`` once (SQLite in the scratch folder, the bundled plan, no values; ~20 s) and every
measurement starts from a copy of that folder. At each size:

- baseline: ``yangfan ingest base-stations`` of the merged file;
- one run: the four per-operator files in one ``yangfan ingest base-stations``;
- in turn: the four files one after another, four processes (cmcc, ctcc, cucc, cbn); their total, and the last
  of them (cbn, with the three others' parts already kept: it recomputes the totals from all four);
- cbn alone: the last file on a fresh database, the same process without the three parts before it;
- preview: the four files with ``--dry-run`` (which also computes the annex indicators' effects in a rolled-back
  transaction), then ``yangfan ingest apply RUN`` (files re-hashed, database re-checked); each and their sum.

Then it checks that the databases of the baseline, the one run, the four in turn and the applied preview hold
the same ``base_stations_5g`` values (read from the SQLite file), and prints a table of seconds and ratios to
the baseline at each size, how each ratio moves from the smallest size to the largest, and per process what
the run reports (``yangfan ingest show RUN --format json``): rows read, values added/changed/unchanged, the
aggregation and the write (``apply``) seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest import PYTHON, YANGFAN, run_measured, warm  # beside this file: python puts bench/ on the path

OPERATORS = ("cmcc", "ctcc", "cucc", "cbn")  # the order of "in turn": the last is the smallest inventory
DEFAULT_SIZES = (0.01, 0.1, 1.0)
DATA_ELEMENT = "base_stations_5g"
RUN_NUMBER = re.compile(r"汇总批次 #(\d+)")


# -- the measurements ----------------------------------------------------------------------------------------
@dataclass
class Step:
    """One process: its wall and CPU seconds and what its run reports (``ingest show``)."""

    label: str
    wall: float
    cpu: float
    lineage: dict = field(default_factory=dict)


@dataclass
class Measurement:
    """One measurement at one size in one round: one process, or several timed one after another."""

    name: str
    steps: list[Step]

    @property
    def wall(self) -> float:
        return sum(s.wall for s in self.steps)


# The figures the tables print, each some processes of one measurement; the best round is kept for each.
FIGURES: list[tuple[str, str, Callable[[Measurement], list[Step]]]] = [
    ("baseline: merged file", "baseline", lambda m: m.steps),
    ("one run: 4 files", "one run", lambda m: m.steps),
    ("in turn: 4 processes, total", "in turn", lambda m: m.steps),
    ("in turn: the last (cbn)", "in turn", lambda m: m.steps[-1:]),
    ("cbn alone, fresh database", "alone", lambda m: m.steps),
    ("preview: --dry-run", "preview", lambda m: m.steps[:1]),
    ("preview: apply RUN", "preview", lambda m: m.steps[1:]),
    ("preview: dry-run + apply", "preview", lambda m: m.steps),
]


class Bench:
    def __init__(self, scratch: Path, file_format: str):
        self.scratch, self.file_format = scratch, file_format
        self.results: dict[tuple[float, str], list[Measurement]] = {}
        self.checks: list[tuple[int, float, str]] = []  # (round, size, line)
        self.template = scratch / "template"

    # -- files and databases ---------------------------------------------------------------------------------
    def generate(self, fraction: float) -> tuple[Path, list[Path]]:
        """The merged inventory and the four operators' at ``fraction`` of the province."""
        folder = self.scratch / "data" / f"{fraction:g}"
        env = dict(os.environ, YANGFAN_DATA_DIR=str(self.scratch / "generate"), YANGFAN_SECRET_KEY="bench")
        command = [
            YANGFAN,
            "demo",
            "raw",
            "--scale",
            "province",
            "--year",
            "2023",
            "--kinds",
            "base-stations",
        ]
        command += ["--fraction", f"{fraction:g}", "--format", self.file_format]
        start = time.perf_counter()
        for sub, extra in (("merged", []), ("per-operator", ["--per-operator"])):
            subprocess.run(
                [*command, "-o", str(folder / sub), *extra], env=env, check=True, stdout=subprocess.DEVNULL
            )
        merged = folder / "merged" / f"base-stations.{self.file_format}"
        per_operator = [
            folder / "per-operator" / f"base-stations-{op}.{self.file_format}" for op in OPERATORS
        ]
        size = sum(p.stat().st_size for p in [merged, *per_operator])
        print(
            f"  fraction {fraction:g}: generated in {time.perf_counter() - start:.1f} s, {size / 2**20:,.1f} MiB",
            flush=True,
        )
        return merged, per_operator

    def initialise(self) -> None:
        """``yangfan init`` into the round's template; every measurement copies it (init takes ~20 s)."""
        if self.template.exists():
            shutil.rmtree(self.template)
        self.template.mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run(
            [YANGFAN, "init"], env=self.environment(self.template), check=True, capture_output=True
        )
        print(f"  yangfan init: {time.perf_counter() - start:.1f} s", flush=True)

    def environment(self, folder: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            YANGFAN_DATA_DIR=str(folder),
            YANGFAN_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
            YANGFAN_SECRET_KEY="bench-only-secret-key-not-for-production",
            COLUMNS="200",
        )
        return env

    def database(self, name: str) -> tuple[Path, dict[str, str]]:
        """A fresh copy of the initialised template: its folder and the environment that points at it."""
        folder = self.scratch / "db" / name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.template, folder)
        return folder, self.environment(folder)

    # -- processes -------------------------------------------------------------------------------------------
    def step(self, env: dict[str, str], arguments: list[str], label: str, status: str) -> Step:
        """One ``yangfan`` process, measured; then its run's lineage, which must have ``status``."""
        process = run_measured([YANGFAN, *arguments], env)
        found = RUN_NUMBER.search(process.stdout)
        if found is None:
            raise SystemExit(
                f"no run number in the output of yangfan {' '.join(arguments)}:\n{process.stdout}"
            )
        shown = subprocess.run(
            [YANGFAN, "ingest", "show", found.group(1), "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        lineage = json.loads(shown.stdout)
        if lineage["status"] != status:
            raise SystemExit(
                f"yangfan {' '.join(arguments)}: run #{found.group(1)} is {lineage['status']}, not {status}: "
                f"{lineage['message']}\n{process.stdout}"
            )
        return Step(label, process.wall, process.cpu, lineage)

    def ingest(self, env: dict[str, str], files: list[Path], label: str, *, dry_run: bool = False) -> Step:
        arguments = ["ingest", "base-stations", *map(str, files)] + (["--dry-run"] if dry_run else [])
        return self.step(env, arguments, label, "previewed" if dry_run else "done")

    def keep(self, fraction: float, m: Measurement) -> None:
        self.results.setdefault((fraction, m.name), []).append(m)

    # -- a round ---------------------------------------------------------------------------------------------
    def round(self, number: int, fraction: float, merged: Path, per_operator: list[Path]) -> None:
        print(f"round {number}, fraction {fraction:g}", flush=True)
        databases: dict[str, Path] = {}

        folder, env = self.database(f"{number}-{fraction:g}-baseline")
        self.keep(fraction, Measurement("baseline", [self.ingest(env, [merged], "merged")]))
        databases["baseline"] = folder

        folder, env = self.database(f"{number}-{fraction:g}-one-run")
        self.keep(fraction, Measurement("one run", [self.ingest(env, per_operator, "4 files")]))
        databases["one run"] = folder

        folder, env = self.database(f"{number}-{fraction:g}-in-turn")
        steps = [self.ingest(env, [path], op) for op, path in zip(OPERATORS, per_operator, strict=True)]
        self.keep(fraction, Measurement("in turn", steps))
        databases["in turn"] = folder

        folder, env = self.database(f"{number}-{fraction:g}-alone")
        self.keep(fraction, Measurement("alone", [self.ingest(env, per_operator[-1:], OPERATORS[-1])]))

        folder, env = self.database(f"{number}-{fraction:g}-preview")
        dry = self.ingest(env, per_operator, "--dry-run", dry_run=True)
        applied = self.step(env, ["ingest", "apply", str(dry.lineage["run"])], "apply", "done")
        self.keep(fraction, Measurement("preview", [dry, applied]))
        databases["preview"] = folder

        self.check(number, fraction, databases)

    def check(self, number: int, fraction: float, databases: dict[str, Path]) -> None:
        """The same ``base_stations_5g`` values, whichever way the inventories came in."""
        values = {name: station_values(folder / "bench.sqlite3") for name, folder in databases.items()}
        reference = values.pop("baseline")
        for name, found in values.items():
            if found == reference:
                line = f"OK        {name:<8} = baseline: {len(found):,} {DATA_ELEMENT} values identical"
            else:
                line = f"MISMATCH  {name:<8} ≠ baseline: {difference(reference, found)}"
            self.checks.append((number, fraction, line))
            print(f"  {line}", flush=True)

    def best(
        self, fraction: float, name: str, figure: Callable[[Measurement], list[Step]], what: str
    ) -> float:
        """The least, over the rounds, of the wall or CPU seconds (``what``) of the figure's processes."""
        return min(sum(getattr(s, what) for s in figure(m)) for m in self.results[(fraction, name)])

    def fastest(self, fraction: float, name: str) -> Measurement:
        return min(self.results[(fraction, name)], key=lambda m: m.wall)


def station_values(database: Path) -> dict[tuple[str, str, str], Decimal]:
    """Every ``base_stations_5g`` value: (org unit code, period, operator code or "") → value."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            """
            SELECT o.code, v.period, COALESCE(op.code, ''), CAST(v.value AS TEXT)
            FROM datavalues_datavalue AS v
            JOIN actionplans_dataelement AS d ON d.id = v.data_element_id
            JOIN orgunits_orgunit AS o ON o.id = v.org_unit_id
            LEFT JOIN actionplans_operator AS op ON op.id = v.operator_id
            WHERE d.code = ?
            """,
            (DATA_ELEMENT,),
        ).fetchall()
    return {(org, period, operator): Decimal(value) for org, period, operator, value in rows}


def difference(expected: dict, found: dict) -> str:
    """How two sets of values differ, with a few examples."""
    missing = sorted(expected.keys() - found.keys())
    extra = sorted(found.keys() - expected.keys())
    changed = sorted(k for k in expected.keys() & found.keys() if expected[k] != found[k])
    examples = [f"{k} {expected[k]} → {found[k]}" for k in changed[:3]]
    examples += [f"{k} missing" for k in missing[:2]] + [f"{k} extra" for k in extra[:2]]
    return (
        f"{len(expected):,} vs {len(found):,} values; {len(changed):,} differ, {len(missing):,} missing, "
        f"{len(extra):,} extra; e.g. {'; '.join(examples)}"
    )


# -- the report ----------------------------------------------------------------------------------------------
def report(bench: Bench, sizes: list[float], repeat: int) -> int:
    first = sizes[0]
    scale = {f: f"{f / first:g}×" for f in sizes}
    print()
    print(
        f"best of {repeat}; seconds = each process from start to exit (summed where several); "
        f"× = to the baseline at the same size; format {bench.file_format}"
    )
    print()
    print(f"{'size':<8}{'fraction':>9}{'rows, merged file':>19}{'rows, 4 files':>15}")
    for f in sizes:
        merged = bench.fastest(f, "baseline").steps[0].lineage["rows_read"]
        four = bench.fastest(f, "one run").steps[0].lineage["rows_read"]
        print(f"{scale[f]:<8}{f:>9g}{merged:>19,}{four:>15,}")

    for what, title in (
        ("wall", "wall seconds, the whole processes"),
        ("cpu", "CPU seconds (user + system), less moved by a busy machine than the wall time"),
    ):
        print()
        print(title)
        seconds_table(bench, sizes, scale, what)
    if len(sizes) > 1:
        last = sizes[-1]
        rows = [bench.fastest(f, "baseline").steps[0].lineage["rows_read"] for f in (first, last)]
        wall = [bench.best(f, "baseline", FIGURES[0][2], "wall") for f in (first, last)]
        print(
            f"(from {scale[first]} to {scale[last]} the merged file's rows grow {rows[1] / rows[0]:.3g}×, "
            f"the baseline's wall seconds {wall[1] / wall[0]:.3g}×)"
        )

    print()
    print(
        "per process (fastest round of each measurement): rows read, values added/changed/unchanged, seconds"
    )
    print("the run reports: aggregate (the engine), apply (values written), run (the service in all)")
    for f in sizes:
        print(f"  {scale[f]}")
        for name in ("baseline", "one run", "in turn", "alone", "preview"):
            for s in bench.fastest(f, name).steps:
                lineage = s.lineage
                values = "/".join(str(lineage["values"].get(k, 0)) for k in ("新增", "修改", "未变"))
                phases = "  ".join(
                    f"{k} {lineage['seconds'][k]:.2f}"
                    for k in ("aggregate", "apply", "run")
                    if k in lineage["seconds"]
                )
                print(
                    f"    {name:<9}{s.label:<10}{s.wall:7.2f} s  cpu {s.cpu:6.2f} s  rows {lineage['rows_read']:>9,}"
                    f"  values {values:<18} {phases}"
                )

    print()
    mismatches = [c for c in bench.checks if c[2].startswith("MISMATCH")]
    for number, f, line in bench.checks:
        print(f"round {number} {scale[f]:<6} {line}")
    print()
    print(
        f"{DATA_ELEMENT}: OK, the same values every way"
        if not mismatches
        else f"{DATA_ELEMENT}: MISMATCH in {len(mismatches)} of {len(bench.checks)} comparisons"
    )
    return 1 if mismatches else 0


def seconds_table(bench: Bench, sizes: list[float], scale: dict[float, str], what: str) -> None:
    """One line a figure: its seconds and ratio to the baseline at each size, and how the ratio moved from
    the smallest size to the largest."""
    cell = 17
    head = f"{'measurement':<30}" + "".join(f"{scale[f]:>{cell}}" for f in sizes)
    if len(sizes) > 1:
        head += f"   ×baseline, {scale[sizes[0]]} → {scale[sizes[-1]]}"
    print(head)
    print("-" * len(head))
    base = {f: bench.best(f, "baseline", FIGURES[0][2], what) for f in sizes}
    for label, name, figure in FIGURES:
        cells, ratios = "", []
        for f in sizes:
            seconds = bench.best(f, name, figure, what)
            ratios.append(seconds / base[f])
            shown = f"{seconds:.2f} s" if name == "baseline" else f"{seconds:.2f} s {ratios[-1]:5.2f}×"
            cells += f"{shown:>{cell}}"
        moved = (
            ""
            if name == "baseline" or len(sizes) == 1
            else f"   {ratios[0]:.2f}× → {ratios[-1]:.2f}× ({ratios[-1] / ratios[0]:.2f})"
        )
        print(f"{label:<30}{cells}{moved}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=float,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="fractions of the province's inventory, the first is 1× (default 0.01 0.1 1.0)",
    )
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="the files' format")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; each figure is the best (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (databases, files)")
    args = parser.parse_args(argv)
    if not Path(YANGFAN).is_file():
        parser.error(f"{YANGFAN} not found: run this with the project's Python (.venv/bin/python)")
    if any(not 0 < f <= 1 for f in args.sizes):
        parser.error("--sizes: fractions above 0, at most 1")
    sizes = sorted(args.sizes)
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="yangfan-bench-inventories-"))
    try:
        load = os.getloadavg()[0]
        print(
            f"{os.cpu_count()} CPUs, load {load:.2f}{' — busy machine: figures will be slow' if load > 1 else ''}"
            f"; {PYTHON}"
        )
        bench = Bench(scratch, args.format)
        files = {f: bench.generate(f) for f in sizes}
        warm([p for merged, four in files.values() for p in (merged, *four)])
        for number in range(1, args.repeat + 1):
            bench.initialise()
            for f in sizes:
                bench.round(number, f, *files[f])
        status = report(bench, sizes, args.repeat)
        print(f"\nthe bench took {time.perf_counter() - started:.0f} s")
        return status
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
