"""The Spark engine: the same SQL as DuckDB (transpiled by SQLGlot), for raw data one machine cannot hold.

PySpark is an optional extra (``pip install yangfan[spark]``) and needs Java 17 or newer. ``local[*]`` runs
Spark inside this machine (the tests); ``--spark-master spark://host:7077`` sends the work to a cluster, which
must then read the files at the same paths (a shared file system).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from yangfan.pipeline.engines import Engine, to_spark
from yangfan.pipeline.errors import RawFileInvalid, SparkUnavailable


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, *, master: str = "local[*]", memory: str = "4g"):
        try:
            import pyspark
            from pyspark.sql import SparkSession
        except ImportError:
            raise SparkUnavailable(
                "未安装 PySpark：请执行 pip install 'yangfan[spark]'（另需 Java 17 或更高版本）"
            ) from None
        # the workers run the Python that runs Yangfan (its PySpark), not whatever ``python3`` is first on PATH
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        if shutil.which("java") is None:
            raise SparkUnavailable(
                "未找到 Java：Spark 需要 Java 17 或更高版本（Debian：openjdk-17-jre-headless）"
            )
        self.version = pyspark.__version__
        self._spark = (
            SparkSession.builder.master(master)
            .appName("yangfan-ingest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            # a country's year (~1 billion traffic rows) in 4 shuffle partitions ran out of the default 1 GB heap
            # after 29 minutes: the adaptive executor starts from 200 and joins what is small back together, and
            # the driver (which, in local mode, runs the tasks) gets the memory the ingest was given
            .config("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "200")
            .config("spark.driver.memory", memory)
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
            .getOrCreate()
        )
        self._spark.sparkContext.setLogLevel("ERROR")

    def _read(self, files: Sequence[Path], file_format: str):
        from pyspark.sql.functions import input_file_name, regexp_replace

        paths = [str(f) for f in files]
        if file_format == "parquet":
            frame = self._spark.read.option("mergeSchema", "true").parquet(*paths)
        else:  # every column as text, as DuckDB reads it; the files are UTF-8 by now (``aggregate`` sees to it)
            frame = self._spark.read.option("header", "true").option("encoding", "UTF-8").csv(paths)
        return frame.withColumn("filename", regexp_replace(input_file_name(), "^file:(//)?", ""))

    def columns(self, file: Path, file_format: str) -> list[str]:
        try:
            return [c for c in self._read([file], file_format).columns if c != "filename"]
        except Exception as exc:  # Spark's AnalysisException and friends
            raise RawFileInvalid(str(file), f"无法读取（{str(exc).splitlines()[0]}）") from None

    def read_files(self, files: Sequence[Path], file_format: str, name: str = "raw_files") -> None:
        self._read(files, file_format).createOrReplaceTempView(name)

    def table(self, name: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType(), True) for c in columns])
        self._spark.createDataFrame([tuple(r) for r in rows], schema).createOrReplaceTempView(name)

    def view(self, name: str, sql: str, *, keep: bool = False) -> None:
        frame = self._spark.sql(to_spark(sql))
        if keep:
            # computed now and read from memory after: a cached frame is found again only by its plan, and Spark
            # does not find it under a query's CTEs (the definitions' ``WITH``), which would compute it anew
            frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)

    def fetch(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self._spark.sql(to_spark(sql)).collect()]

    def close(self) -> None:
        # the session stays for the next ingest of this process (a JVM takes seconds to start); its views go
        for view in ("raw", "raw_new", "raw_files", "kept_files", "sites", "checked", "counties", "sectors"):
            self._spark.catalog.dropTempView(view)
        self._spark.catalog.clearCache()
        for rdd in list(self._spark.sparkContext._jsc.getPersistentRDDs().values()):  # the kept views' rows
            rdd.unpersist(False)
