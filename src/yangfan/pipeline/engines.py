"""Where the SQL of ``definitions.py`` runs: embedded DuckDB (the default) or Apache Spark (``spark.py``).

An engine knows how to read files into a view (``raw_files``; an inventory's kept parts ``kept_files``), register
small tables, make views from queries and fetch results; it knows nothing of kinds or data elements. DuckDB runs
under a memory limit and spills to a temporary directory beyond it, so a year of hourly traffic larger than memory
still ingests.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

from yangfan.pipeline.definitions import quote
from yangfan.pipeline.errors import RawFileInvalid

DEFAULT_MEMORY_LIMIT = "4GB"


class Engine:
    """One engine session. ``name`` and ``version`` go into the lineage."""

    name = ""
    version = ""

    def read_files(self, files: Sequence[Path], file_format: str, name: str = "raw_files") -> None:
        """The files (all of one format) as the view ``name``: their columns, plus ``filename``."""
        raise NotImplementedError

    def columns(self, file: Path, file_format: str) -> list[str]:
        """The column names of one file, as it holds them."""
        raise NotImplementedError

    def table(self, name: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """A small table of text columns."""
        raise NotImplementedError

    def view(self, name: str, sql: str, *, keep: bool = False) -> None:
        """``sql`` (DuckDB's dialect) as a named view; ``keep`` computes it once (a table)."""
        raise NotImplementedError

    def fetch(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def copy_to_parquet(self, sql: str, path: Path) -> None:
        """The result of ``sql`` as a Parquet file (where the engine keeps files between runs)."""
        raise NotImplementedError

    def progress(self) -> float | None:
        """How far the running query is, 0–1, where the engine can tell."""
        return None

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, *, memory_limit: str = DEFAULT_MEMORY_LIMIT, temp_directory: Path | None = None):
        import duckdb

        self.version = duckdb.__version__
        self._con = duckdb.connect(config={"memory_limit": memory_limit})
        self._con.execute("SET enable_progress_bar = true")
        self._con.execute("SET enable_progress_bar_print = false")
        if temp_directory is not None:
            temp_directory.mkdir(parents=True, exist_ok=True)
            self._con.execute("SET temp_directory = ?", [str(temp_directory)])
        self._lock = threading.Lock()

    def _reader(self, files: Sequence[Path], file_format: str) -> str:
        listed = "[" + ", ".join(quote(str(f)) for f in files) + "]"
        if file_format == "parquet":
            return f"read_parquet({listed}, union_by_name = true, filename = true)"
        # every column as text: the definitions decide what a bad cell is, identically on every engine
        return (
            f"read_csv({listed}, header = true, all_varchar = true, union_by_name = true, filename = true,"
            " auto_detect = true)"
        )

    def columns(self, file: Path, file_format: str) -> list[str]:
        import duckdb

        try:
            relation = self._con.sql(f"SELECT * FROM {self._reader([file], file_format)} LIMIT 0")
        except duckdb.Error as exc:
            raise RawFileInvalid(str(file), f"无法读取（{_first_line(exc)}）") from None
        return [c for c in relation.columns if c != "filename"]

    def read_files(self, files: Sequence[Path], file_format: str, name: str = "raw_files") -> None:
        self._con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {self._reader(files, file_format)}"
        )

    def table(self, name: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        listed = ", ".join(f"{c} VARCHAR" for c in columns)
        self._con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({listed})")
        # one statement: row by row, the command line's start-up (holding the GIL) would slow it down
        if rows:
            values = ", ".join("(" + ", ".join(quote(str(v)) for v in row) + ")" for row in rows)
            self._con.execute(f"INSERT INTO {name} VALUES {values}")

    def view(self, name: str, sql: str, *, keep: bool = False) -> None:
        what = "TABLE" if keep else "VIEW"
        self._execute(f"CREATE OR REPLACE TEMP {what} {name} AS {sql}")

    def fetch(self, sql: str) -> list[tuple]:
        return self._execute(sql).fetchall()

    def copy_to_parquet(self, sql: str, path: Path) -> None:
        self._execute(f"COPY ({sql}) TO {quote(str(path))} (FORMAT parquet)")

    def _execute(self, sql: str):
        import duckdb

        try:
            return self._con.execute(sql)
        except duckdb.InvalidInputException as exc:  # a CSV cell that breaks its encoding, a ragged row
            raise RawFileInvalid("", f"文件无法读取（{_first_line(exc)}）") from None

    def progress(self) -> float | None:
        try:
            value = self._con.query_progress()
        except Exception:  # no query running
            return None
        return value / 100 if value is not None and value >= 0 else None

    def close(self) -> None:
        self._con.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def to_spark(sql: str) -> str:
    """One definition, two engines: DuckDB's SQL as Spark SQL."""
    import sqlglot  # a tenth of a second to import: only where Spark runs

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def spark_memory(limit: str) -> str:
    """DuckDB's memory limit (``4GB``, ``512MB``, ``2GiB``) as the JVM's (``4g``, ``512m``, ``2g``)."""
    found = re.fullmatch(r"\s*(\d+)\s*([GMK])i?B?\s*", limit, re.IGNORECASE)
    if found is None:
        raise ValueError(f"无法识别的内存上限“{limit}”：应如 4GB 或 512MB")
    return f"{found.group(1)}{found.group(2).lower()}"


def engine_open(name: str, **options) -> Engine:
    """An engine by its command-line name (``duckdb`` or ``spark``)."""
    if name == "duckdb":
        return DuckDBEngine(
            memory_limit=options.get("memory_limit") or DEFAULT_MEMORY_LIMIT,
            temp_directory=options.get("temp_directory"),
        )
    if name == "spark":
        from yangfan.pipeline.spark import SparkEngine

        return SparkEngine(
            master=options.get("spark_master") or "local[*]",
            memory=spark_memory(options.get("memory_limit") or DEFAULT_MEMORY_LIMIT),
        )
    raise ValueError(f"未知计算引擎“{name}”；可选：duckdb、spark")
