"""The backup archive itself, in plain Python: a tar file (gzip-compressed when its name ends in ``.gz`` or ``.tgz``)
holding the database, the kept files and, last, ``manifest.json``, which lists every other member with its size
and SHA-256. Nothing here knows Django: writing hashes as it goes, checking reads every member and compares it
with the manifest before anything is written anywhere.

Members: ``database/<file>`` (a SQLite copy or a ``pg_dump -Fc`` file), ``files/<path under the data
directory>`` (``files/evidence/…``, ``files/ingest/uploads/…``), ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from yangfan.core.errors import YangfanError

FORMAT = "yangfan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20

# (done, total) parts
Progress = Callable[[int, int], None]


class BackupError(YangfanError):
    """A backup or restore that cannot go on; the message says why and what to do."""


class ArchiveDamaged(BackupError):
    """An archive that is not whole: unreadable, a part missing or changed, no manifest. Nothing was written."""


@dataclass(frozen=True)
class Part:
    """One member of the archive as the manifest lists it."""

    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def compressed(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


class _Hashing(io.RawIOBase):
    """A file read through once: what tar copies is hashed on the way."""

    def __init__(self, handle: BinaryIO):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.handle.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Adds files to a new archive, recording each one's size and SHA-256 as the manifest will list it."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar, self.parts = tar, []

    def add(self, source: Path, name: str) -> Part:
        info = tarfile.TarInfo(name)
        stat = source.stat()
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        with source.open("rb") as handle:
            reader = _Hashing(handle)
            self.tar.addfile(info, reader)
        part = Part(name, reader.size, reader.digest.hexdigest())
        self.parts.append(part)
        return part

    def finish(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "parts": [p.as_dict() for p in self.parts]}
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        self.tar.addfile(info, io.BytesIO(data))


@contextmanager
def open_for_writing(path: Path, *, gzip: bool) -> Iterator[tarfile.TarFile]:
    """A new archive at ``path``, readable by its owner only: it holds the whole database."""
    with (
        open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle,
        tarfile.open(fileobj=handle, mode="w:gz" if gzip else "w", format=tarfile.PAX_FORMAT) as tar,
    ):
        yield tar
        tar.close()
        handle.flush()
        os.fsync(handle.fileno())  # on disk before it is renamed into place


@dataclass(frozen=True)
class Checked:
    """An archive read through and found whole: its manifest, and its parts by name."""

    manifest: dict[str, Any]
    parts: dict[str, Part]

    @property
    def database(self) -> Part:
        return self.parts[self.manifest["database"]["part"]]

    @property
    def files(self) -> list[Part]:
        return [p for name, p in sorted(self.parts.items()) if name.startswith("files/")]


def archive_check(path: Path, *, progress: Progress | None = None) -> Checked:
    """Read the whole archive at ``path``, hash every member, and compare with the manifest: every part it lists is
    there with its size and SHA-256, nothing else is, and every name stays inside the archive. Raises
    ``ArchiveDamaged`` (in Chinese, naming the part) otherwise; writes nothing."""
    if not path.is_file():
        raise ArchiveDamaged(f"备份文件不存在：{path}")
    found: dict[str, Part] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                _check_name(member, path)
                handle = tar.extractfile(member)
                digest, size = hashlib.sha256(), 0
                data = bytearray() if member.name == MANIFEST else None
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if data is not None:
                        data += chunk
                if member.name in found or (member.name == MANIFEST and manifest_bytes is not None):
                    raise ArchiveDamaged(f"备份文件 {path} 已损坏：成员 {member.name} 出现了两次")
                if data is not None:
                    manifest_bytes = bytes(data)
                else:
                    found[member.name] = Part(member.name, size, digest.hexdigest())
                if progress:
                    progress(len(found), 0)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveDamaged(f"备份文件 {path} 已损坏或不完整，无法读取（{exc}）；未写入任何内容") from None
    if manifest_bytes is None:
        raise ArchiveDamaged(f"备份文件 {path} 缺少清单 {MANIFEST}：不是完整的扬帆备份；未写入任何内容")
    manifest = _parse_manifest(manifest_bytes, path)
    listed = {
        entry["path"]: Part(entry["path"], entry["size"], entry["sha256"]) for entry in manifest["parts"]
    }
    missing = sorted(set(listed) - set(found))
    if missing:
        raise ArchiveDamaged(
            f"备份文件 {path} 不完整：缺少 {len(missing)} 个部分（{_names(missing)}）；未写入任何内容"
        )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveDamaged(
            f"备份文件 {path} 含有清单未列出的 {len(extra)} 个部分（{_names(extra)}）；未写入任何内容"
        )
    changed = sorted(name for name, part in listed.items() if found[name] != part)
    if changed:
        raise ArchiveDamaged(
            f"备份文件 {path} 已损坏：{len(changed)} 个部分的大小或 SHA-256 与清单不符（{_names(changed)}）；未写入任何内容"
        )
    if manifest["database"]["part"] not in listed:
        raise ArchiveDamaged(f"备份文件 {path} 的清单未列出数据库部分；未写入任何内容")
    return Checked(manifest, listed)


def _check_name(member: tarfile.TarInfo, path: Path) -> None:
    """Only regular files, named inside the archive's own folders (no absolute path, no ``..``)."""
    name = PurePosixPath(member.name)
    if not member.isfile():
        raise ArchiveDamaged(f"备份文件 {path} 含有非普通文件的成员 {member.name}；未写入任何内容")
    top = name.parts[0] if name.parts else ""
    if (
        name.is_absolute()
        or ".." in name.parts
        or (member.name != MANIFEST and top not in ("database", "files"))
    ):
        raise ArchiveDamaged(f"备份文件 {path} 含有不允许的成员路径 {member.name}；未写入任何内容")


def _parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
        ok = (
            manifest.get("format") == FORMAT
            and isinstance(manifest.get("parts"), list)
            and all(
                isinstance(e, dict)
                and isinstance(e.get("path"), str)
                and isinstance(e.get("size"), int)
                and re.fullmatch(r"[0-9a-f]{64}", str(e.get("sha256")))
                for e in manifest["parts"]
            )
            and isinstance(manifest.get("database"), dict)
            and isinstance(manifest.get("audit"), dict)
        )
    except (UnicodeDecodeError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise ArchiveDamaged(f"备份文件 {path} 的清单 {MANIFEST} 无法读取或格式不对；未写入任何内容")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"备份文件 {path} 的格式版本为 {manifest['format_version']}，本版本扬帆只能读取版本 {FORMAT_VERSION}；请先升级扬帆"
        )
    return manifest


def archive_members(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    """The members of a checked archive with a reader each (the manifest left out), in archive order."""
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if member.name != MANIFEST:
                yield member.name, tar.extractfile(member)


def rotation_pattern(name: str) -> re.Pattern[str] | None:
    """The names of earlier archives of the same series as ``name``: every run of digits (a date, a number) may
    differ. ``None`` when ``name`` has no digits: then there is no series to rotate."""
    pieces = re.split(r"\d+", name)
    if len(pieces) == 1:
        return None
    return re.compile(r"\d+".join(re.escape(p) for p in pieces))


def rotate(output: Path, keep: int) -> list[Path]:
    """Keep the ``keep`` newest archives (by modification time, then name) of ``output``'s series in its folder,
    ``output`` always among them; the ones removed."""
    pattern = rotation_pattern(output.name)
    if pattern is None:
        return []
    series = [p for p in output.parent.iterdir() if p.is_file() and pattern.fullmatch(p.name) and p != output]
    series.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = series[max(keep - 1, 0) :]
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _names(names: list[str], shown: int = 5) -> str:
    text = "、".join(names[:shown])
    return text if len(names) <= shown else f"{text} 等"
