"""Hostile files made small: a workbook that unpacks to far more than it weighs, a package of too many parts,
JSON nested beyond any data set. Built in the tests, a few kilobytes on disk each."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

MIB = 1024 * 1024


def workbook_bytes(rows=(("data_element", "period", "org_unit", "value"),)) -> bytes:
    """A plain, valid workbook whose first sheet holds ``rows``."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def inflated(content: bytes, *, megabytes: int = 20, name: str = "xl/media/padding.bin") -> bytes:
    """``content`` (a zip package) with one more part of ``megabytes`` of zeros: ~1,000:1, a few KB packed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        with target.open(name, "w") as part:
            chunk = bytes(MIB)
            for _ in range(megabytes):
                part.write(chunk)
    return out.getvalue()


def many_parts(count: int) -> bytes:
    """A zip package of ``count`` empty parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for index in range(count):
            target.writestr(f"part{index}.xml", b"")
    return out.getvalue()


def deeply_nested_json(depth: int = 100_000, *, key: str = "dataValues") -> str:
    """A DHIS2-looking document whose ``key`` is ``depth`` lists deep."""
    return '{"' + key + '": ' + "[" * depth + "]" * depth + "}"
