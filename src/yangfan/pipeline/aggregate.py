"""Raw files of one kind in, data values out: the pipeline's one entry point, the same for both engines.

The engine runs the SQL of ``definitions.py`` and returns small exact tables (counts and byte sums by county,
month and operator); this module turns them into figures once, in Python, so that DuckDB and Spark give the
same values to the last digit:

- stocks (5G base stations, 5G IoT SIM cards) at each month's end, from the months things came into and went
  out of service: the value of month M counts what started by the end of M and had not stopped by then;
- flows (traffic) summed per calendar month, bytes to GB (1 GB = 1024³ bytes), rounded to 6 decimals (the
  precision data values keep); a month the files do not cover from its first day to its last is left out
  and named, never written as if whole;
- subscriber counts as given, per county, month and operator.

The files are hashed (SHA-256) while the engine works, for the lineage. A CSV file that is not UTF-8 is read as
GB18030 (transcoded to a temporary UTF-8 copy, streaming).

Base-station inventories come per operator. A run's files are the inventories of the operators they hold; every
other operator's current inventory is given as a kept part (``KeptPart``: its rows as an earlier run read them,
written by ``inventory_parts_write``), read beside the files, so that a shared site is checked against every
operator's row of it and the counts cover the whole province, whichever operator sent last.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from urllib.parse import unquote

from yangfan.core.periods import Period, PeriodKind
from yangfan.documents.tables import csv_file
from yangfan.pipeline import definitions as sql
from yangfan.pipeline.contracts import KINDS, OPERATOR_ALIASES, RATS, Kind
from yangfan.pipeline.engines import DuckDBEngine, Engine, engine_open
from yangfan.pipeline.errors import RawFileInvalid, TooManyRejects
from yangfan.pipeline.sites import sites_keep, sites_key, sites_recall

GB = 1024**3
PLACES = Decimal("0.000001")
CHUNK = 1 << 20
REJECTS_LISTED = 100_000  # rows written to the rejects file at most; the counts cover every row
WARNINGS_LISTED = 1000  # shared sites missing from an operator's inventory, listed at most; all are counted
DEFAULT_MAX_REJECT_RATE = 0.001
RATS_UPPER = frozenset(r.upper() for r in RATS)

# stage, done, total: "hash" and "aggregate" report as they go (a terminal or a page shows it)
Progress = Callable[[str, float, float], None]


@dataclass(frozen=True)
class Reference:
    """What the plan says the files may hold. Stocks are computed from ``first_month`` (the base month, the
    one before the plan starts) and never beyond ``last_month`` (this month)."""

    counties: frozenset[str]
    sectors: tuple[str, ...]
    first_month: Period
    last_month: Period
    operators: Mapping[str, str] = field(
        default_factory=lambda: {alias: code for code, names in OPERATOR_ALIASES.items() for alias in names}
    )

    @property
    def numbered(self) -> list[str]:
        """The counties in the order of their numbers in the engine's ``counties`` table."""
        return sorted(self.counties)


@dataclass(frozen=True)
class Figure:
    """One data value the files yield; ``org_unit`` is a county code, ``period`` a month (``202312``)."""

    data_element: str
    org_unit: str
    period: str
    operator: str | None
    value: Decimal


@dataclass(frozen=True)
class SourceFile:
    path: Path
    role: str  # "data", "sites" (the inventory cell traffic is placed by) or "kept" (an inventory part read)
    size: int
    sha256: str


@dataclass(frozen=True)
class KeptPart:
    """One operator's base-station inventory as an earlier run read it: a Parquet file of its rows as the files held
    them (the contract's columns as text, and ``source_file``), written by ``inventory_parts_write``. A part is
    also an inventory in its own right: the parts of all operators, given as ``sites``, place cell traffic."""

    operator: str  # the operator's code
    path: Path


@dataclass
class Outcome:
    kind: str
    engine: str
    engine_version: str
    files: list[SourceFile] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rows_outside: int = 0  # valid rows of months outside ``--period``
    figures: list[Figure] = field(default_factory=list)
    incomplete: dict[str, str] = field(default_factory=dict)  # month -> the days the files cover
    by_sector: dict[str, dict[str, int]] = field(default_factory=dict)  # sector -> month -> 5G SIMs
    rejects_file: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    # base stations: the operators whose inventories the files hold (sorted codes), the parts written of them
    operators: list[str] = field(default_factory=list)
    parts: list[KeptPart] = field(default_factory=list)
    # shared sites an operator lists whose other operator has an inventory here but not that site: (site_id,
    # operator, missing), at most ``WARNINGS_LISTED``, and how many there are
    warnings: list[dict[str, str]] = field(default_factory=list)
    warnings_count: int = 0
    missing_operators: list[str] = field(default_factory=list)  # named as sharing, with no inventory here

    @property
    def rows_breaking(self) -> int:
        """The rows that break the contract, which the reject threshold counts: every rejected row but the
        contradicting copies of a shared site (rejected, listed, yet no fault of the file that brought one of them:
        the other operator's copy may be the wrong one)."""
        return self.rows_rejected - self.rejected_by_reason.get("disagree", 0)

    @property
    def periods(self) -> list[str]:
        return sorted({f.period for f in self.figures})


def aggregate(
    kind: str,
    files: Sequence[Path],
    *,
    reference: Reference,
    engine: str = "duckdb",
    period: Period | None = None,
    sites: Sequence[Path] = (),
    rejects_path: Path | None = None,
    max_reject_rate: float = DEFAULT_MAX_REJECT_RATE,
    progress: Progress | None = None,
    engine_options: Mapping | None = None,
    cache: Path | None = None,
    operator: str | None = None,
    kept: Sequence[KeptPart] = (),
    parts_folder: Path | None = None,
) -> Outcome:
    """Aggregate ``files`` of ``kind`` into figures. Raises :class:`RawFileInvalid` for a file that cannot be
    read as its kind, :class:`TooManyRejects` when more than ``max_reject_rate`` of the rows break the
    contract. The rejected rows are listed in ``rejects_path`` (when given) either way. ``cache`` is a folder
    where DuckDB keeps the checked sites of an inventory for the next cell-traffic run (``sites.py``).

    ``operator`` (a code) is the operator whose user sends the files: another known operator's rows are then
    rejected as ``foreign``. For base stations, ``kept`` are the current inventory parts of the operators (one
    each); those of the operators the files do not hold are read beside the files (the files replace the rest),
    and their rows are checked and counted like the files'. ``parts_folder`` (a folder of the run's own) receives
    ``<operator>.parquet``, every row the files hold of each of their operators, valid or not: the parts the
    caller keeps for the next run, written even when the run is refused (``TooManyRejects``)."""
    contract = KINDS.get(kind)
    if contract is None:
        raise RawFileInvalid("", f"未知的原始数据类型“{kind}”；可选：{'、'.join(KINDS)}")
    _check_inventory_arguments(kind, reference, operator, kept, parts_folder)
    data_format = _format_of(files)
    if kind == "cell-traffic" and not sites:
        raise RawFileInvalid("", "小区流量须配合基站清单（用于确定小区所在区县）")
    sites_format = _format_of(sites) if sites else None
    started = time.perf_counter()
    with (
        ThreadPoolExecutor(max_workers=2) as pool,
        tempfile.TemporaryDirectory(prefix="yangfan-ingest-") as tmp,
    ):
        hashes = {(p, "data"): _fingerprint_of(pool, p) for p in files}
        hashes |= {(p, "sites"): _fingerprint_of(pool, p) for p in sites}
        hashes |= {(k.path, "kept"): _fingerprint_of(pool, k.path) for k in kept}
        used: list[KeptPart] = []  # the kept parts read: those of the operators the files do not hold

        def key_of(entries: Sequence[tuple[Path, str]], own: str | None) -> str:
            """The key of the checked sites of ``entries`` (small files, hashed first) and the parts used."""
            digests = [hashes[entry].result().sha256 for entry in entries]
            parts = [(k.operator, hashes[(k.path, "kept")].result().sha256) for k in used]
            return sites_key(digests, reference.counties, reference.operators, kept=parts, operator=own)

        options = dict(engine_options or {})
        with engine_open(engine, **options) as runner:
            outcome = Outcome(kind, runner.name, runner.version)
            readable = _Readable(runner, Path(tmp))
            runner.table(
                "counties", ["code", "number"], [(c, str(n)) for n, c in enumerate(reference.numbered)]
            )
            runner.table("sectors", ["name"], [(s,) for s in reference.sectors])
            inventory = [(p, "sites") for p in sites] or (
                [(p, "data") for p in files] if kind == "base-stations" else []
            )
            keeping = cache is not None and runner.name == "duckdb" and bool(inventory)
            if sites:
                placing = time.perf_counter()
                key = key_of(inventory, None) if keeping else ""  # placing checks the whole inventory
                if not (keeping and sites_recall(runner, cache, key)):
                    readable.run(
                        KINDS["base-stations"],
                        sites,
                        sites_format,
                        lambda: runner.view("sites", sql.sites_table(reference.operators), keep=True),
                    )
                    if keeping:
                        sites_keep(runner, cache, key, sql.sites_kept())
                outcome.seconds["sites"] = time.perf_counter() - placing

            def work() -> None:
                if kind == "base-stations":
                    found = runner.fetch(sql.inventory_operators(reference.operators, operator))
                    outcome.operators = [code for (code,) in found]
                    used[:] = [k for k in kept if k.operator not in outcome.operators]
                    if used:
                        readable.add_kept([k.path for k in used])
                _KIND_RUNNERS[kind](runner, reference, period, outcome, operator)

            watcher = _Watcher(runner, progress)
            try:
                aggregating = time.perf_counter()
                readable.run(contract, files, data_format, work)
                outcome.seconds["aggregate"] = time.perf_counter() - aggregating
            finally:
                watcher.stop()
            if keeping and kind == "base-stations":  # the inventory just checked, for cell traffic
                sites_keep(runner, cache, key_of(inventory, operator), sql.stations_valid())
            if outcome.rows_rejected and rejects_path is not None:
                outcome.rejects_file = rejects_path
                columns = list(contract.columns)
                _write_rejects(
                    runner, kind, columns, reference, rejects_path, own=operator, names=readable.names
                )
        if parts_folder is not None and outcome.operators:
            writing = time.perf_counter()
            outcome.parts = inventory_parts_write(
                readable.sources,
                data_format,
                folder=parts_folder,
                operators=outcome.operators,
                aliases=reference.operators,
            )
            outcome.seconds["parts"] = time.perf_counter() - writing
        hashing = time.perf_counter()
        reported = [(entry, future) for entry, future in hashes.items() if entry[1] != "kept"]
        reported += [((k.path, "kept"), hashes[(k.path, "kept")]) for k in used]
        outcome.files = [_source(path, role, future, progress) for (path, role), future in reported]
        outcome.seconds["hash_wait"] = time.perf_counter() - hashing
    outcome.figures.sort(key=lambda f: (f.data_element, f.period, f.org_unit, f.operator or ""))
    outcome.seconds["total"] = time.perf_counter() - started
    if outcome.rows_read and outcome.rows_breaking / outcome.rows_read > max_reject_rate:
        raise TooManyRejects(outcome, max_reject_rate)
    return outcome


def _check_inventory_arguments(
    kind: str,
    reference: Reference,
    operator: str | None,
    kept: Sequence[KeptPart],
    parts_folder: Path | None,
) -> None:
    """The caller's arguments (not the user's files): an operator the plan knows, inventory parts for base
    stations only, one part an operator."""
    codes = set(reference.operators.values())
    if operator is not None and operator not in codes:
        raise ValueError(f"未知的运营商“{operator}”；可选：{'、'.join(sorted(codes))}")
    if (kept or parts_folder is not None) and kind != "base-stations":
        raise ValueError("只有基站清单按运营商分份保存")
    operators = [k.operator for k in kept]
    if len(set(operators)) != len(operators) or not set(operators) <= codes:
        raise ValueError(f"保存的基站清单应每个已知运营商至多一份：{'、'.join(operators)}")


def inventory_parts_write(
    sources: Sequence[tuple[Path, Path]],
    file_format: str,
    *,
    folder: Path,
    operators: Sequence[str],
    aliases: Mapping[str, str],
) -> list[KeptPart]:
    """Each of ``operators``' rows of the inventory files as ``folder/<operator>.parquet`` (a ``KeptPart``): the
    contract's columns as text, exactly as the files hold them, and ``source_file``. ``sources`` are the files as
    (the file sent, the file to read: the same, or its UTF-8 copy).

    Always written with DuckDB, whichever engine aggregated: DuckDB is always installed, a part is small (one
    operator's sites), and a Spark cluster would write a folder of pieces where one file is wanted. Each part is
    written beside its place and moved there, so a part is whole or absent."""
    folder.mkdir(parents=True, exist_ok=True)
    contract = KINDS["base-stations"]
    names = {str(readable): original.name for original, readable in sources}
    parts = []
    with DuckDBEngine() as duck:
        readables = [readable for _, readable in sources]
        present = {c for path in readables for c in duck.columns(path, file_format) if c in contract.columns}
        duck.read_files(readables, file_format)
        for code in operators:
            target = folder / f"{code}.parquet"
            partial_file = folder / f".{code}.{os.getpid()}.parquet"
            try:
                duck.copy_to_parquet(sql.inventory_part(sorted(present), aliases, names, code), partial_file)
                os.replace(partial_file, target)
            finally:
                partial_file.unlink(missing_ok=True)
            parts.append(KeptPart(code, target))
    return parts


# -- reading files -------------------------------------------------------------------------------------------
def _format_of(files: Sequence[Path]) -> str:
    if not files:
        raise RawFileInvalid("", "没有指定文件")
    formats = set()
    for path in files:
        if not path.is_file():
            raise RawFileInvalid(str(path), "文件不存在")
        suffix = path.suffix.lower()
        if suffix in (".parquet", ".pq"):
            formats.add("parquet")
        elif suffix in (".csv", ".txt"):
            formats.add("csv")
        else:
            raise RawFileInvalid(str(path), "只接受 CSV（.csv）或 Parquet（.parquet）文件")
    if len(formats) > 1:
        raise RawFileInvalid("", "同一次汇总的文件须同为 CSV 或同为 Parquet")
    return formats.pop()


@dataclass(frozen=True)
class _Fingerprint:
    size: int
    sha256: str


def fingerprint(path: Path) -> _Fingerprint:
    """Size and SHA-256, in one read (hashlib lets other threads run meanwhile)."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest = hashlib.file_digest(handle, "sha256")
    return _Fingerprint(size, digest.hexdigest())


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is UTF-8, read in chunks (a character may be cut between two)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_ahead: dict[tuple, Future] = {}


def fingerprint_ahead(paths: Iterable[Path]) -> None:
    """Start hashing ``paths`` now, one after the other in a background thread (the command line does it while
    Django starts, so that the aggregation later has both cores); ``aggregate`` takes the result if the file
    has not changed since. The thread does not hold the process open: a command that ends early leaves it."""
    pending = []
    for path in paths:
        key = _file_key(path)
        if key is not None and key not in _ahead:
            _ahead[key] = Future()
            pending.append((path, _ahead[key]))
    if pending:
        threading.Thread(target=_hash_all, args=(pending,), name="yangfan-hash", daemon=True).start()


def _hash_all(pending: list[tuple[Path, Future]]) -> None:
    for path, future in pending:
        try:
            future.set_result(fingerprint(path))
        except BaseException as exc:  # the aggregation reads the file itself and reports what is wrong
            future.set_exception(exc)


def _fingerprint_of(pool: ThreadPoolExecutor, path: Path) -> Future:
    ahead = _ahead.pop(_file_key(path), None)
    return ahead if ahead is not None else pool.submit(fingerprint, path)


def _file_key(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _sniff_utf8(path: Path) -> bool:
    head = _head(path)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample is not a wrong encoding
    return True


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(CHUNK)


def _transcode(path: Path, folder: Path) -> Path:
    """A UTF-8 copy of a GB18030 file, written in chunks."""
    target = folder / f"{len(list(folder.iterdir()))}-{path.stem}.csv"
    decoder = codecs.getincrementaldecoder("gb18030")(errors="strict")
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            while chunk := source.read(CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise RawFileInvalid(str(path), "无法识别文件编码（应为 UTF-8 或 GB18030）") from None
    return target


class _Readable:
    """Registers files with the engine: checks their columns against the contract, reads a GB18030 CSV through
    a UTF-8 copy, and builds the view ``raw`` with the contract's columns under their own names. An inventory's
    files are also the view ``raw_new``, and ``raw`` is made again with the kept parts beside them (``add_kept``).
    """

    def __init__(self, engine: Engine, folder: Path):
        self.engine = engine
        self.folder = folder
        self._utf8: dict[Path, bool] = {}
        self.sources: list[tuple[Path, Path]] = []  # the last files registered: (as sent, as read)

    @property
    def names(self) -> dict[str, str]:
        """The base name of each file read to that of the file sent (a UTF-8 copy has a name of its own)."""
        return {readable.name: original.name for original, readable in self.sources}

    def utf8(self, path: Path) -> bool:
        if path not in self._utf8:
            self._utf8[path] = _is_utf8(path)
        return self._utf8[path]

    def _readable(self, path: Path, file_format: str, *, sure: bool) -> Path:
        if file_format != "csv":
            return path
        utf8 = self.utf8(path) if sure else _sniff_utf8(path)
        return path if utf8 else _transcode(path, self.folder)

    def register(self, contract: Kind, files: Sequence[Path], file_format: str, *, sure: bool) -> None:
        readable = [self._readable(p, file_format, sure=sure) for p in files]
        present: list[str] = []
        for original, path in zip(files, readable, strict=True):
            columns = self.engine.columns(path, file_format)
            missing = [c for c in contract.columns if c not in columns and c not in contract.optional]
            for column, stand_in in (contract.alternatives or {}).items():
                if column in missing and stand_in in columns:
                    missing.remove(column)
            if missing:
                raise RawFileInvalid(str(original), "缺少列：" + "、".join(missing))
            present += [c for c in columns if c not in present]
        self.sources = list(zip(files, readable, strict=True))
        self.engine.read_files(readable, file_format)
        if contract.code == "base-stations":
            self.engine.view("raw_new", _projection(contract, present))
            self.engine.view("raw", "SELECT * FROM raw_new")
        else:
            self.engine.view("raw", _projection(contract, present))

    def add_kept(self, parts: Sequence[Path]) -> None:
        """The inventory parts beside the files: ``raw`` is the files' rows and the parts', every column as text
        (a part is text; the files may be typed Parquet), ``filename`` a part's row's ``source_file``."""
        contract = KINDS["base-stations"]
        present: list[str] = []
        for path in parts:
            columns = self.engine.columns(path, "parquet")
            missing = [c for c in (*contract.columns, "source_file") if c not in columns]
            missing = [c for c in missing if c not in contract.optional]
            if missing:
                raise RawFileInvalid(str(path), "保存的基站清单缺少列：" + "、".join(missing))
            present += [c for c in columns if c not in present]
        self.engine.read_files(parts, "parquet", name="kept_files")
        new = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in contract.columns)
        old = ", ".join(
            f"CAST({c} AS VARCHAR) AS {c}" if c in present else f"CAST(NULL AS VARCHAR) AS {c}"
            for c in contract.columns
        )
        self.engine.view(
            "raw",
            f"SELECT {new}, filename, _kept FROM raw_new UNION ALL"
            f" SELECT {old}, CAST(source_file AS VARCHAR) AS filename, TRUE AS _kept FROM kept_files",
        )

    def run(self, contract: Kind, files: Sequence[Path], file_format: str, work: Callable[[], None]) -> None:
        """Register the files as ``raw`` and do ``work`` on them. Spark decodes a wrong encoding silently, so it
        reads each file once more to check it first; DuckDB stops on one, so it starts on a sample of each file
        and starts again through UTF-8 copies if the sample misled it (the full check runs only then)."""
        sure = self.engine.name != "duckdb"
        try:
            self.register(contract, files, file_format, sure=sure)
            work()
        except RawFileInvalid:
            if sure or file_format != "csv" or all(self.utf8(p) for p in files):
                raise
            self.register(contract, files, file_format, sure=True)
            work()


def _projection(contract: Kind, present: Sequence[str]) -> str:
    """The contract's columns (NULL where a file leaves out an optional one) and ``filename``; an inventory's
    also ``_kept`` (false: these are the files sent, not a kept part)."""
    selected = []
    for column in contract.columns:
        stand_in = (contract.alternatives or {}).get(column)
        if column in present and stand_in in present:
            selected.append(f"COALESCE(CAST({column} AS VARCHAR), CAST({stand_in} AS VARCHAR)) AS {column}")
        elif column in present:
            selected.append(column)
        elif stand_in in present:
            selected.append(f"{stand_in} AS {column}")
        else:
            selected.append(f"CAST(NULL AS VARCHAR) AS {column}")
    if contract.code == "base-stations":
        selected.append("filename, FALSE AS _kept")
    else:
        selected.append("filename")
    return f"SELECT {', '.join(selected)} FROM raw_files"


def _source(path: Path, role: str, future: Future, progress: Progress | None) -> SourceFile:
    if progress is not None and not future.done():
        progress("hash", 0, 0)
    found = future.result()
    return SourceFile(path.resolve(), role, found.size, found.sha256)


class _Watcher:
    """Polls the engine's progress while a query runs and hands it to ``progress``."""

    def __init__(self, engine: Engine, progress: Progress | None):
        self._stop = threading.Event()
        self._thread = None
        if progress is not None:
            self._thread = threading.Thread(target=self._run, args=(engine, progress), daemon=True)
            self._thread.start()

    def _run(self, engine: Engine, progress: Progress) -> None:
        while True:  # at once, then every 0.2 s: the first report says the aggregation has begun
            share = engine.progress()
            progress("aggregate", share if share is not None else 0, 1 if share is not None else 0)
            if self._stop.wait(0.2):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


# -- per kind ------------------------------------------------------------------------------------------------
def _months(first: Period, last: Period) -> list[Period]:
    months, month = [], first
    while month.start <= last.start:
        months.append(month)
        month = month.next()
    return months


def _month_period(month: int) -> Period:
    return Period(PeriodKind.MONTH, month // 100, month % 100)


def _count_rejects(outcome: Outcome, reasons: Iterable[tuple[str | None, int]]) -> None:
    for reason, count in reasons:
        outcome.rows_read += count
        if reason is not None:
            outcome.rows_rejected += count
            outcome.rejected_by_reason[reason] = outcome.rejected_by_reason.get(reason, 0) + count


def _stock_months(events: Iterable[int], reference: Reference, period: Period | None) -> list[Period]:
    """The months a stock is computed for: those of ``period``, else from the base month to the last month
    the files show a change in (an inventory's date is its last change), never beyond this month."""
    if period is not None:
        return list(period.months())
    seen = [_month_period(m) for m in events]
    if not seen:
        return []
    last = min(max(seen, key=lambda p: p.start), reference.last_month, key=lambda p: p.start)
    return _months(reference.first_month, last)


def _stocks(rows: Iterable[tuple], months: list[Period], *, key_width: int) -> dict[tuple, dict[int, int]]:
    """Month-end stocks from (key…, month, delta, count) rows, for every key seen and every month asked."""
    changes: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key, month, delta, count = (
            tuple(row[:key_width]),
            row[key_width],
            row[key_width + 1],
            row[key_width + 2],
        )
        changes[key][month] += delta * count
    stocks: dict[tuple, dict[int, int]] = {}
    wanted = [m.year * 100 + m.index for m in months]
    for key, by_month in changes.items():
        ordered = sorted(by_month.items())
        level, index, series = 0, 0, {}
        for month in wanted:
            while index < len(ordered) and ordered[index][0] <= month:
                level += ordered[index][1]
                index += 1
            series[month] = level
        stocks[key] = series
    return stocks


def _run_stations(
    engine: Engine, reference: Reference, period: Period | None, outcome: Outcome, own: str | None
) -> None:
    engine.view("checked", sql.stations_kept(reference.operators, own), keep=True)
    _count_rejects(outcome, engine.fetch(sql.checked_reasons()))
    rows = engine.fetch(sql.stations_events(reference.operators))
    months = _stock_months((r[2] for r in rows), reference, period)
    for (county, operator), series in _stocks(rows, months, key_width=2).items():
        outcome.figures += [
            Figure("base_stations_5g", county, str(month), operator, Decimal(value))
            for month, value in series.items()
        ]
    unlisted = engine.fetch(  # the first ones, and how many in all
        f"SELECT site, op, named, COUNT(*) OVER () FROM ({sql.stations_unlisted(reference.operators)}) AS u"
        f" ORDER BY 1, 2, 3 LIMIT {WARNINGS_LISTED}"
    )
    outcome.warnings = [{"site_id": s, "operator": o, "missing": m} for s, o, m, _ in unlisted]
    outcome.warnings_count = unlisted[0][3] if unlisted else 0
    outcome.missing_operators = [code for (code,) in engine.fetch(sql.stations_absent(reference.operators))]


def _run_sims(
    engine: Engine, reference: Reference, period: Period | None, outcome: Outcome, own: str | None
) -> None:
    engine.view("checked", sql.sims_kept(reference.operators, own), keep=True)
    _count_rejects(outcome, engine.fetch(sql.checked_reasons()))
    rows = engine.fetch(sql.sims_events(reference.operators))
    months = _stock_months((r[3] for r in rows), reference, period)
    per_sector = _stocks(rows, months, key_width=3)
    totals: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (county, operator, sector), series in per_sector.items():
        for month, value in series.items():
            totals[(county, operator)][month] += value
            by_sector[sector][str(month)] += value
    outcome.by_sector = {sector: dict(series) for sector, series in sorted(by_sector.items())}
    for (county, operator), series in totals.items():
        outcome.figures += [
            Figure("iot_terminals_5g", county, str(month), operator, Decimal(value))
            for month, value in series.items()
        ]


def _run_traffic(
    engine: Engine, reference: Reference, period: Period | None, outcome: Outcome, own: str | None
) -> None:
    covered: dict[int, tuple[date, date]] = {}
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = engine.fetch(sql.traffic_totals(reference.operators))
    codes = reference.numbered
    for operator, rat, number, month, count, bad_bytes, total, first_day, last_day in rows:
        county = None if number is None else codes[number]
        reason = _traffic_reason(operator, rat, month, own)
        good = count - bad_bytes if reason is None else 0
        rejected = {reason: count} if reason else {"bytes": bad_bytes, "site": good if county is None else 0}
        _count_rejects(
            outcome, [(r, c) for r, c in rejected.items() if c] + [(None, count - sum(rejected.values()))]
        )
        if reason is not None or county is None or not good:
            continue
        if period is not None and not (period.start <= _month_period(month).start <= period.end):
            outcome.rows_outside += good
            continue
        low, high = covered.get(month, (first_day, last_day))
        covered[month] = (min(low, first_day), max(high, last_day))
        bucket = sums[(county, month, operator)]
        bucket[0] += total if rat == "5G" else 0
        bucket[1] += total
    for month, (low, high) in sorted(covered.items()):
        whole = _month_period(month)
        if low != whole.start or high != whole.end:
            outcome.incomplete[str(month)] = f"{low:%m-%d}—{high:%m-%d}"
    for (county, month, operator), (bytes_5g, bytes_all) in sorted(sums.items()):
        if str(month) in outcome.incomplete:
            continue
        outcome.figures.append(Figure("traffic_5g", county, str(month), operator, _gigabytes(bytes_5g)))
        outcome.figures.append(
            Figure("traffic_mobile_total", county, str(month), operator, _gigabytes(bytes_all))
        )


def _traffic_reason(
    operator: str | None, rat: str | None, month: int | None, own: str | None = None
) -> str | None:
    """Why a whole group of traffic rows is rejected, in the order the rejects file gives (None: it is not)."""
    if own is not None and operator is not None and operator != own:
        return "foreign"
    if operator is None:
        return "operator"
    if rat not in RATS_UPPER:
        return "rat"
    if month is None:
        return "date"
    return None


def _run_subscribers(
    engine: Engine, reference: Reference, period: Period | None, outcome: Outcome, own: str | None
) -> None:
    rows = engine.fetch(sql.subscribers_rows(reference.operators, own))
    _count_rejects(outcome, ((r[0], r[4]) for r in rows if r[0] is not None))
    for reason, county, month, operator, users_all, users_5g in rows:
        if reason is not None:
            continue
        outcome.rows_read += 1
        if period is not None and not (period.start <= _month_period(month).start <= period.end):
            outcome.rows_outside += 1
            continue
        outcome.figures.append(Figure("mobile_users_total", county, str(month), operator, Decimal(users_all)))
        outcome.figures.append(Figure("mobile_users_5g", county, str(month), operator, Decimal(users_5g)))


def _gigabytes(count: int) -> Decimal:
    return (Decimal(count) / GB).quantize(PLACES, rounding=ROUND_HALF_EVEN)


_KIND_RUNNERS = {
    "base-stations": _run_stations,
    "cell-traffic": _run_traffic,
    "iot-sims": _run_sims,
    "subscribers": _run_subscribers,
}


def _write_rejects(
    engine: Engine,
    kind: str,
    columns: list[str],
    reference: Reference,
    path: Path,
    *,
    own: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """The rejected rows as the files hold them, with the reason in Chinese and what more there is to say of it
    (说明: the other operators' rows a shared site's row disagrees with), at most ``REJECTS_LISTED``. A row's file
    is named as it was sent (``names``: a UTF-8 copy's name to the original's)."""
    query = sql.rejected_rows(kind, columns, reference.operators, own=own)
    rows = engine.fetch(query + f" LIMIT {REJECTS_LISTED}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: tuple("" if c is None else str(c) for c in r))
    names = names or {}

    def sent(filename: str) -> str:  # Spark names a file by its URI: a space is %20
        name = Path(unquote(filename) if engine.name == "spark" else filename).name
        return names.get(name, name)

    table = (
        [sent(filename), *cells, sql.REASONS[reason], detail or ""]
        for filename, *cells, reason, detail in ordered
    )
    csv_file(path, ["文件", *columns, "原因", "说明"], table)  # the operators' cells, defused
