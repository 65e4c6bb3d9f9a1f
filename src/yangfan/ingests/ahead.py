"""What an ingest asks for, and starting its aggregation before Django is up.

Nothing here imports Django: the command line uses it while Django is still starting. Starting Django and
asking the database for the reference (the plan's counties, sectors and months) and for the inventory cell
traffic is placed by takes the command line about half a second, and the aggregation needs neither Django nor
the database, only that reference. So ``yangfan ingest`` starts the aggregation at once, in a thread, with the
reference and the inventory the last run recorded (``DATA_DIR/ingest/reference.json``), and the run takes its
outcome only if the arguments it then finds from the database are the same ones (``Ahead.outcome``).
Otherwise the early outcome is dropped and the aggregation runs again: a changed plan or a new inventory costs
a second aggregation, never a value computed from the wrong reference.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yangfan.config import data_dir
from yangfan.core.periods import Period, PeriodError
from yangfan.pipeline.aggregate import (
    DEFAULT_MAX_REJECT_RATE,
    KeptPart,
    Outcome,
    Progress,
    Reference,
    aggregate,
)
from yangfan.pipeline.errors import TooManyRejects


@dataclass(frozen=True)
class IngestRequest:
    """What to ingest and how; the command line and the upload page fill it alike."""

    kind: str
    files: Sequence[Path]
    engine: str = "duckdb"
    period: str = ""
    sites: Sequence[Path] = ()
    dry_run: bool = False
    max_reject_rate: float = DEFAULT_MAX_REJECT_RATE
    spark_master: str = ""
    memory_limit: str = ""
    operator: str = ""  # the province sending one operator's files: rows of another are rejected


def ingest_folder() -> Path:
    return data_dir() / "ingest"


def aggregate_arguments(
    request: IngestRequest,
    *,
    reference: Reference,
    sites: Sequence[Path],
    operator: str = "",
    kept: Sequence[KeptPart] = (),
) -> dict:
    """The arguments ``aggregate`` runs ``request`` with, less where it writes and reports: two runs with equal
    arguments compute the same outcome. ``operator`` is the one whose rows alone the files may hold (an
    operator's upload); ``kept`` every operator's current inventory (base stations)."""
    return {
        "kind": request.kind,
        "files": [Path(f) for f in request.files],
        "reference": reference,
        "engine": request.engine,
        "period": Period.parse(request.period) if request.period else None,
        "sites": [Path(f) for f in sites],
        "max_reject_rate": request.max_reject_rate,
        "engine_options": {
            "spark_master": request.spark_master,
            "memory_limit": request.memory_limit,
            "temp_directory": ingest_folder() / "spill",
        },
        "cache": ingest_folder() / "cache",
        "operator": operator or request.operator or None,
        "kept": list(kept),
    }


# -- what the last run found in the database -----------------------------------------------------------------
def _remembered_path() -> Path:
    return ingest_folder() / "reference.json"


def _remembered() -> dict[str, Any]:
    try:
        return json.loads(_remembered_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def reference_remember(reference: Reference | None = None, *, sites: Sequence[Path] | None = None) -> None:
    """Record the reference a run found and, after an inventory's run, every operator's current inventory (what
    cell traffic is placed by when no ``--sites`` are given, and what an inventory is read with), for the next
    command line to start with."""
    stored = _remembered()
    if reference is not None:
        stored["reference"] = {
            "counties": sorted(reference.counties),
            "sectors": list(reference.sectors),
            "first_month": str(reference.first_month),
            "last_month": str(reference.last_month),
        }
    if sites is not None:
        stored["sites"] = [str(Path(p).resolve()) for p in sites]
    if stored == _remembered():
        return
    path = _remembered_path()
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(stored, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, path)
    except OSError:  # a folder it may not write: the next command line starts later, nothing else changes
        partial.unlink(missing_ok=True)


def _recalled() -> tuple[Reference, list[Path]] | None:
    """The reference and the current inventory parts (``<operator>.parquet`` files) the last run recorded."""
    stored = _remembered()
    try:
        found = stored["reference"]
        reference = Reference(
            counties=frozenset(found["counties"]),
            sectors=tuple(found["sectors"]),
            first_month=Period.parse(found["first_month"]),
            last_month=Period.parse(found["last_month"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return reference, [Path(p) for p in stored.get("sites") or ()]


# -- the early aggregation -----------------------------------------------------------------------------------
class Ahead:
    """An aggregation running in a thread with the arguments the command line could tell before the database."""

    def __init__(self, arguments: dict, progress: Progress | None):
        self.arguments = arguments
        self.started_at = datetime.now(UTC)
        early = uuid.uuid4().hex
        self._rejects = ingest_folder() / "rejects" / f"ahead-{early}.csv"
        self._parts = ingest_folder() / "inventory" / f"ahead-{early}"
        self._future: Future[Outcome] = Future()
        self._adopted = False
        self._aggregating = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(progress,), name="yangfan-ahead")
        self._thread.start()

    def _run(self, progress: Progress | None) -> None:
        def relay(stage: str, done: float, total: float) -> None:
            if stage == "aggregate":
                self._aggregating.set()
            if progress is not None:
                progress(stage, done, total)

        try:
            parts = self._parts if self.arguments["kind"] == "base-stations" else None
            self._future.set_result(
                aggregate(**self.arguments, rejects_path=self._rejects, progress=relay, parts_folder=parts)
            )
        except BaseException as exc:  # handed to the run, which records and raises it
            self._future.set_exception(exc)
        finally:
            self._aggregating.set()

    def wait_aggregating(self, timeout: float) -> None:
        """Wait until the engine is open and the aggregation has begun (or ended, or ``timeout`` passed).
        Opening the engine is Python work, and so is starting Django: run together, they take turns at the
        interpreter lock and both are late. The engine's query then runs outside the lock while Django starts."""
        self._aggregating.wait(timeout)

    def outcome(self, arguments: dict, rejects_path: Path, parts_folder: Path) -> Outcome | None:
        """The early outcome if it was computed with ``arguments`` (its rejects file moved to
        ``rejects_path``, its inventory parts to ``parts_folder``), its error raised likewise; None when the
        arguments differ."""
        if arguments != self.arguments:
            self.settle()
            return None
        self._adopted = True
        try:
            outcome = self._future.result()
        except TooManyRejects as exc:
            self._move(exc.outcome, rejects_path)
            shutil.rmtree(self._parts, ignore_errors=True)
            raise
        self._move(outcome, rejects_path)
        if outcome.parts:
            parts_folder.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._parts, parts_folder)
            outcome.parts = [KeptPart(p.operator, parts_folder / p.path.name) for p in outcome.parts]
        return outcome

    def _move(self, outcome: Outcome, rejects_path: Path) -> None:
        if outcome.rejects_file is not None:
            rejects_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(outcome.rejects_file, rejects_path)
            outcome.rejects_file = rejects_path

    def settle(self) -> None:
        """Wait for the thread; unless its outcome was taken, remove the rejects file it wrote."""
        self._thread.join()
        if not self._adopted:
            self._rejects.unlink(missing_ok=True)
            shutil.rmtree(self._parts, ignore_errors=True)


def ingest_ahead(request: IngestRequest, progress: Progress | None = None) -> Ahead | None:
    """Start ``request``'s aggregation now, with the reference (and for cell traffic without ``--sites``, the
    inventory) the last run recorded; None when there is none to start with."""
    recalled = _recalled()
    if recalled is None:
        return None
    reference, parts = recalled
    sites = list(request.sites) or (parts if request.kind == "cell-traffic" else [])
    if request.kind == "cell-traffic" and not sites:
        return None
    kept = [KeptPart(p.stem, p) for p in parts] if request.kind == "base-stations" else []
    try:
        arguments = aggregate_arguments(request, reference=reference, sites=sites, kept=kept)
    except PeriodError:  # a period the run refuses with its own message
        return None
    return Ahead(arguments, progress)
