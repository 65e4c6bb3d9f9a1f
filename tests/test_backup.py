"""``yangfan backup`` and ``yangfan restore`` (issue 21): one archive gives back the same site, and a damaged
archive or a target in use is refused with nothing written. Run on the suite's database (SQLite, or PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.conftest import query
from tests.test_cli import assert_one_line_error, yangfan

from yangfan.backups.archive import (
    MANIFEST,
    ArchiveDamaged,
    ArchiveWriter,
    archive_check,
    open_for_writing,
    rotate,
)

VALUES = """data_element,period,org_unit,value
population,2023,610100,13000000
mobile_users_5g,2023Q4,610100,6000000
population,2023,610300,3300000
mobile_users_5g,2023Q4,610300,1200000
"""
# what must come back: evidence and the ingests' kept files (the ingest cache and reference are rebuilt)
KEPT = ("evidence", "ingest/uploads", "ingest/inventory", "ingest/rejects", "ingest/previews")


def tables(env: dict) -> int:
    url = env["YANGFAN_DATABASE_URL"]
    if not url.startswith("postgres"):
        path = (
            Path(url.removeprefix("sqlite:///")) if url else Path(env["YANGFAN_DATA_DIR"]) / "yangfan.sqlite3"
        )
        if not path.exists():
            return 0
    sql = (
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        if url.startswith("postgres")
        else "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    )
    return query(env, sql)[0][0]


@contextmanager
def empty_site(base: dict, folder: Path):
    """The environment of a new, empty site: a data directory not yet made and an empty database (SQLite: in the
    data directory, where it lives by default; PostgreSQL: a database created here and dropped afterwards)."""
    url = os.environ.get("YANGFAN_DATABASE_URL", "")
    env = {**base, "YANGFAN_DATA_DIR": str(folder / "data")}
    if not url.startswith("postgres"):
        yield {**env, "YANGFAN_DATABASE_URL": ""}
        return
    import psycopg

    name = f"h4_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "YANGFAN_DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kept_files(env: dict) -> dict[str, str]:
    """Every file of the kept folders of a site: path under the data directory -> SHA-256."""
    root = Path(env["YANGFAN_DATA_DIR"])
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for sub in KEPT
        if (root / sub).is_dir()
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


def ok(*args: str, env: dict) -> str:
    done = yangfan(*args, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def site(initialised_env, tmp_path):
    """A site with values, an applied inventory (its operators' parts and a rejects file under the data
    directory) and an evidence file."""
    values = tmp_path / "values.csv"
    values.write_text(VALUES, encoding="utf-8")
    ok("values", "import", str(values), env=initialised_env)
    stations = tmp_path / "stations.csv"
    stations.write_text(
        "site_id,operator,rat,county_code,longitude,latitude,commissioned_on,decommissioned_on,shared_with\n"
        "S1,ctcc,5G,610102,108.9,34.2,2020-10-05,,cucc\n"
        "S2,cmcc,5G,610103,108.9,34.2,2021-01-10,,\n"
        "S3,cmcc,5G,999999,108.9,34.2,2021-01-10,,\n",
        encoding="utf-8",
    )
    ok("ingest", "base-stations", str(stations), "--max-reject-rate", "0.5", env=initialised_env)
    evidence = Path(initialised_env["YANGFAN_DATA_DIR"]) / "evidence" / "ab" / ("ab" + "0" * 62)
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 evidence of a benchmark")
    return initialised_env


def test_a_backup_restored_into_an_empty_site_gives_the_same_values_indicators_and_chain(site, tmp_path):
    indicators = ("indicators", "--org", "610000", "--period", "2023", "--format", "json")
    before = ok(*indicators, env=site)
    values_before = ok("values", "export", "--format", "csv", env=site)
    chain_before = ok("audit", "verify", env=site)
    files_before = kept_files(site)
    assert any(f.startswith("ingest/inventory/") for f in files_before)
    assert (
        any(f.startswith("ingest/rejects/") for f in files_before)
        and "evidence/ab/ab" + "0" * 62 in files_before
    )
    archive = tmp_path / "backups" / "yangfan-20240131.tar.gz"
    archive.parent.mkdir()

    written = ok("backup", "-o", str(archive), env=site)

    assert f"备份已写入 {archive}" in written and archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    head = chain_before.split("最后一条：第 ")[1].split(" 条")[0]
    assert manifest["audit"]["last_seq"] == int(head) and manifest["audit"]["last_hash"] in chain_before
    assert {p["path"] for p in manifest["parts"]} >= {f"files/{f}" for f in files_before}
    assert manifest["migrations"] and manifest["yangfan_version"]
    with empty_site(site, tmp_path / "restored") as target:
        restored = ok("restore", str(archive), env=target)

        assert "恢复完成" in restored and manifest["audit"]["last_hash"] in restored
        assert (
            ok("audit", "verify", env=target) == chain_before
        )  # before anything adds an entry (an export does)
        assert ok(*indicators, env=target) == before
        assert ok("values", "export", "--format", "csv", env=target) == values_before
        assert kept_files(target) == files_before
        new_root = Path(target["YANGFAN_DATA_DIR"]).resolve()
        parts = query(target, "SELECT path, sha256 FROM ingests_inventorypart")
        assert parts and all(Path(path).parent.parent.parent.parent == new_root for path, _ in parts)
        assert all(hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest for path, digest in parts)
        [(rejects,)] = query(target, "SELECT rejects_file FROM ingests_ingestrun WHERE rejects_file <> ''")
        assert Path(rejects).is_file() and Path(rejects).is_relative_to(new_root)

        again = yangfan("restore", str(archive), env=target)  # the site is in use now

        assert "不是空的" in assert_one_line_error(again) and "YANGFAN_DATA_DIR" in again.stderr
        assert ok(*indicators, env=target) == before


def damaged_copies(archive: Path, folder: Path) -> dict[str, Path]:
    """The archive with one byte of its database changed, with one kept file left out, and without a manifest."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
        database = next(m for m in tar.getmembers() if m.name.startswith("database/"))
    flipped = folder / "flipped.tar"
    data = bytearray(archive.read_bytes())
    at = database.offset_data + database.size // 2
    data[at] ^= 0x01
    flipped.write_bytes(bytes(data))

    def without(name: str, keep) -> Path:
        path = folder / name
        with tarfile.open(path, "w") as tar:
            for member, content in members:
                if keep(member.name):
                    tar.addfile(member, io.BytesIO(content))
        return path

    return {
        "SHA-256": flipped,
        "缺少 1 个部分": without("missing.tar", lambda n: not n.startswith("files/evidence/")),
        "缺少清单": without("no-manifest.tar", lambda n: n != MANIFEST),
    }


def test_a_damaged_or_incomplete_archive_is_refused_and_nothing_is_written(site, tmp_path):
    archive = tmp_path / "yangfan.tar"
    ok("backup", "-o", str(archive), env=site)
    with empty_site(site, tmp_path / "target") as target:
        for said, damaged in damaged_copies(archive, tmp_path).items():
            refused = yangfan("restore", str(damaged), env=target)

            line = assert_one_line_error(refused)
            assert said in line and "未写入任何内容" in line, line
            assert tables(target) == 0
            root = Path(target["YANGFAN_DATA_DIR"])
            assert not root.exists() or [p.name for p in root.iterdir() if p.stat().st_size] == []

        assert "恢复完成" in ok("restore", str(archive), env=target)  # the whole archive restores there


def test_a_database_in_use_is_refused_even_from_an_empty_data_directory(site, tmp_path):
    archive = tmp_path / "yangfan.tar"
    ok("backup", "-o", str(archive), env=site)
    database = site["YANGFAN_DATABASE_URL"]
    count = query(site, "SELECT count(*) FROM audit_auditentry")
    target = {**site, "YANGFAN_DATA_DIR": str(tmp_path / "fresh")}

    refused = yangfan("restore", str(archive), env=target)

    line = assert_one_line_error(refused)
    assert "数据库" in line and "不是空的" in line
    assert query({**site, "YANGFAN_DATABASE_URL": database}, "SELECT count(*) FROM audit_auditentry") == count
    assert not any((tmp_path / "fresh").glob("evidence*"))


def test_backup_names_a_missing_pg_dump(site, tmp_path):
    if not site["YANGFAN_DATABASE_URL"].startswith("postgres"):
        pytest.skip("pg_dump is PostgreSQL's; the SQLite run copies with SQLite's backup API")
    refused = yangfan("backup", "-o", str(tmp_path / "b.tar"), env={**site, "PATH": str(tmp_path)})
    assert "找不到 pg_dump" in assert_one_line_error(refused)
    assert not list(tmp_path.glob("b.tar*"))


# --- the archive itself (no database) ------------------------------------------------------------------------


def small_archive(path: Path, files: dict[str, bytes]) -> Path:
    source = path.parent / "source"
    source.mkdir(exist_ok=True)
    with open_for_writing(path, gzip=path.name.endswith(".gz")) as tar:
        writer = ArchiveWriter(tar)
        for name, content in files.items():
            (source / Path(name).name).write_bytes(content)
            writer.add(source / Path(name).name, name)
        writer.finish({"format": "yangfan-backup", "database": {"part": "database/db"}, "audit": {}})
    return path


def test_a_whole_archive_checks_with_every_part_hashed(tmp_path):
    archive = small_archive(
        tmp_path / "a.tar.gz", {"database/db": b"database", "files/evidence/x": b"x" * 10}
    )
    checked = archive_check(archive)
    assert checked.database.sha256 == hashlib.sha256(b"database").hexdigest()
    assert [(p.path, p.size) for p in checked.files] == [("files/evidence/x", 10)]


def test_a_truncated_archive_is_refused(tmp_path):
    archive = small_archive(tmp_path / "a.tar.gz", {"database/db": os.urandom(50_000)})
    archive.write_bytes(archive.read_bytes()[:-2000])
    with pytest.raises(ArchiveDamaged, match="已损坏或不完整"):
        archive_check(archive)


def test_an_archive_with_a_part_the_manifest_does_not_list_or_a_path_outside_is_refused(tmp_path):
    archive = small_archive(tmp_path / "a.tar", {"database/db": b"d"})
    with tarfile.open(archive, "a") as tar:
        info = tarfile.TarInfo("files/evidence/extra")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"e"))
    with pytest.raises(ArchiveDamaged, match="清单未列出"):
        archive_check(archive)
    outside = tmp_path / "outside.tar"
    with tarfile.open(outside, "w") as tar:
        info = tarfile.TarInfo("files/../../etc/passwd")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"e"))
    with pytest.raises(ArchiveDamaged, match="不允许的成员路径"):
        archive_check(outside)


def test_keep_leaves_the_newest_archives_of_the_series_and_nothing_else(tmp_path):
    names = ["yangfan-2024-01-29.tar.gz", "yangfan-2024-01-30.tar.gz", "yangfan-2024-01-31.tar.gz"]
    for age, name in enumerate(reversed(names)):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (time.time() - 100 * age, time.time() - 100 * age))
    other = tmp_path / "notes-2024-01-01.txt"
    other.write_text("mine")

    removed = rotate(tmp_path / names[-1], 2)

    assert [p.name for p in removed] == [names[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[1:], other.name])
