"""The checked sites of an inventory, kept between runs (DuckDB).

Cell traffic is placed by its site's county, so every traffic run checks the whole inventory it is given
(duplicates, operators, RATs, counties, dates, shared operators: a quarter of a million rows for the province)
before it reads a single traffic row. A base-stations run has just checked the same rows; it keeps the valid
sites with their county as a small Parquet file, and a traffic run given the same inventory reads that instead.

A kept file is named by a key over everything its rows depend on: the SHA-256 of each inventory file, the
counties the plan knows, the text of the checking SQL itself (with the operators' names in it, and the operator
whose upload it checks), and the other operators' inventory parts the run read beside its files, so a changed
file, plan, check or part never finds an old answer. The newest few are kept (``KEPT``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from yangfan.pipeline import definitions as sql
from yangfan.pipeline.engines import Engine

KEPT = 4  # kept inventories, the newest by use


def sites_key(
    digests: Sequence[str],
    counties: Iterable[str],
    aliases: Mapping[str, str],
    *,
    kept: Sequence[tuple[str, str]] = (),
    operator: str | None = None,
) -> str:
    """The key of an inventory's checked sites: ``digests`` are its files' SHA-256 (hex), the ones the run's
    lineage records, so the files are not read again for it; ``kept`` the (operator, SHA-256) of the inventory
    parts given beside them; ``operator`` the operator whose upload the files are (``aggregate``'s)."""
    digest = hashlib.sha256(sql.stations_checked(aliases, operator).encode("utf-8"))
    for code in sorted(counties):
        digest.update(code.encode("utf-8") + b"\0")
    for file_digest in sorted(digests):  # the files in any order: their rows are checked as one set
        digest.update(bytes.fromhex(file_digest))
    if kept:
        digest.update(b"kept\0")
        for code, file_digest in sorted(kept):
            digest.update(code.encode("utf-8") + b"\0" + bytes.fromhex(file_digest))
    return digest.hexdigest()[:40]


def _path(folder: Path, key: str) -> Path:
    return folder / f"sites-{key}.parquet"


def sites_recall(engine: Engine, folder: Path, key: str) -> bool:
    """Make the table ``sites`` (site, county number) from the kept file of ``key``; False when there is none."""
    path = _path(folder, key)
    if not path.is_file():
        return False
    engine.view(
        "sites",
        "SELECT c.site_id, CAST(k.number AS INT) AS county"
        f" FROM read_parquet({sql.quote(str(path))}) AS c JOIN counties AS k ON k.code = c.county_code",
        keep=True,
    )
    os.utime(path)  # used: among the newest again
    return True


def sites_keep(engine: Engine, folder: Path, key: str, valid_sites: str) -> None:
    """Keep ``valid_sites`` (a query of ``site_id, county_code``) under ``key``; drop all but the newest."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".sites-{key}.{os.getpid()}.parquet"
    try:
        engine.copy_to_parquet(valid_sites, partial)
        os.replace(partial, _path(folder, key))
    finally:
        partial.unlink(missing_ok=True)
    kept = sorted(folder.glob("sites-*.parquet"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in kept[KEPT:]:
        old.unlink(missing_ok=True)
