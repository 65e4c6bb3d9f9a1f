"""What a file people send may cost to read, checked before it is read: its size on disk, and for the zip
packages that XLSX and DOCX files are, what it unpacks to, read from the package's central directory.

A 30 KB workbook can unpack to gigabytes (a "zip bomb"); openpyxl would inflate and parse all of it before
saying anything, tying up a server worker for as long as that takes. The central directory lists every entry
with its packed and unpacked size, so the whole decision costs reading a few hundred bytes. What it declares
is also what :mod:`zipfile` will inflate: an entry that inflates to more than its declared size is cut there and
fails its CRC check, so a package cannot lie its way past these checks.

Framework-free like the rest of ``documents``: the limits are given by the caller (the application reads them
from its settings, ``YANGFAN_IMPORT_MAX_MB``) and a refusal is :class:`LimitExceeded`, which the caller turns
into its own error (an import's ``ImportInvalid``). Messages are in Chinese, as the core's are.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024
# An entry that unpacks to more than this many times its packed size is not a spreadsheet: sheet XML packs
# about 14:1 (measured on a 100,000-row export), a bomb's zeros about 1,000:1. Apache POI refuses an OOXML
# package above the same ratio (``ZipSecureFile.setMinInflateRatio(0.01)``).
MAX_RATIO = 100
RATIO_GRACE = MIB  # below this an entry is too small to matter, whatever its ratio (a style sheet of blanks)
MAX_ENTRIES = 10_000  # a workbook or a Word file has tens of parts; a package of 10,000 is built to hurt


class LimitExceeded(ValueError):
    """A file refused before it is read, for its size or what it unpacks to; the message names the file, what
    was found and the limit."""

    def __init__(self, file: str, message: str):
        self.file = file
        super().__init__(message)


def size_text(size: int) -> str:
    """A byte count as people read it: ``320 MB``, ``1.5 MB``, ``1.02 MB``, ``900 KB`` (binary units, as the
    settings)."""
    step, unit = (MIB, "MB") if size >= MIB else (1024, "KB")
    if size % step == 0 or size >= 100 * step:
        return f"{round(size / step)} {unit}"
    digits = 2 if size < 10 * step else 1  # 1.02 MB over a limit of 1 MB reads as more than it
    return f"{size / step:.{digits}f}".rstrip("0").rstrip(".") + f" {unit}"


def size_checked(size: int, *, file: str, limit: int) -> None:
    """Refuse a file of ``size`` bytes when it is over ``limit``."""
    if size > limit:
        raise LimitExceeded(
            file,
            f"文件“{file}”有 {size_text(size)}，超过导入文件大小上限 {size_text(limit)}，未读取"
            "（上限由 YANGFAN_IMPORT_MAX_MB 设置）",
        )


def path_checked(path: Path, *, limit: int) -> int:
    """Refuse the file at ``path`` when it is over ``limit``, before a byte of it is read; its size when not."""
    size = os.stat(path).st_size
    size_checked(size, file=str(path), limit=limit)
    return size


def zip_checked(source: bytes | Path | BinaryIO, *, file: str, limit: int) -> None:
    """Refuse a zip package (XLSX, DOCX) that unpacks to more than ``limit`` bytes in all, that has an entry
    packed more than ``MAX_RATIO`` times, or more than ``MAX_ENTRIES`` entries. Only the central directory is
    read. A file that is not a zip package passes: the parser that reads it next says what it is not."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    position = stream.tell() if hasattr(stream, "tell") else None
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return
    finally:
        if position is not None:
            stream.seek(position)
    if len(entries) > MAX_ENTRIES:
        raise LimitExceeded(
            file, f"文件“{file}”是含 {len(entries)} 个部件的压缩包，超过上限 {MAX_ENTRIES} 个，未读取"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limit:
        raise LimitExceeded(
            file,
            f"文件“{file}”解压后有 {size_text(unpacked)}，超过导入文件大小上限 {size_text(limit)}，未读取"
            "（上限由 YANGFAN_IMPORT_MAX_MB 设置）",
        )
    for entry in entries:
        if entry.file_size > RATIO_GRACE and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise LimitExceeded(
                file,
                f"文件“{file}”的部件 {entry.filename} 从 {size_text(entry.compress_size)} 解压为 "
                f"{size_text(entry.file_size)}，压缩比超过 {MAX_RATIO}:1，不像正常的表格或文档（疑为“压缩炸弹”），未读取",
            )
