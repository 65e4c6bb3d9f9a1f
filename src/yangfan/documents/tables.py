"""Tables as CSV: UTF-8 with a byte-order mark (Excel reads the Chinese by it), lines ended by CRLF, every text
cell defused (``cells.defused``)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from yangfan.documents.cells import defused

BOM = "\ufeff"
ENCODINGS = (
    "utf-8-sig",
    "gb18030",
)  # what people's CSV files come in: UTF-8 (with a BOM or not), or as Chinese Excel saves
CHUNK = 1024 * 1024


def csv_decoded(content: bytes) -> str | None:
    """The text of a CSV file people made (``ENCODINGS``, tried in turn); ``None`` when it is neither."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_encoding(path) -> str | None:
    """The encoding a CSV file at ``path`` is in (``ENCODINGS``, tried in turn), checked over the whole file a
    chunk at a time, so that a large file can then be read as text a line at a time; ``None`` when neither."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def csv_text(value: Any) -> str:
    """One cell as CSV text: nothing for ``None``, ISO 8601 for a date, a decimal as written, text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):  # bool included
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return defused(str(value))


def csv_bytes(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True, newline: str = "\r\n"
) -> bytes:
    """The whole table as one file's bytes (``bom`` and ``newline`` for a format that sets its own)."""
    return b"".join(csv_chunks(header, rows, bom=bom, newline=newline))


def csv_chunks(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True, newline: str = "\r\n"
) -> Iterator[bytes]:
    """The table as bytes, a line at a time (for a streamed download): the header line first, with the BOM."""
    line = _Line()
    writer = csv.writer(line, lineterminator=newline)
    writer.writerow([csv_text(h) for h in header])
    yield ((BOM if bom else "") + line.take()).encode("utf-8")
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
        yield line.take().encode("utf-8")


def csv_file(path, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """The table written to ``path`` (a file a run keeps beside its data), a line at a time."""
    with open(path, "wb") as handle:
        for chunk in csv_chunks(header, rows):
            handle.write(chunk)


class _Line(io.StringIO):
    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text
