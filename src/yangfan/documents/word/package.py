"""A Word document's bytes, the same for the same content.

python-docx's template carries a thumbnail and dates of its own, and ``zipfile`` dates every entry with the
time of writing. So the core properties take the document's own
date, the thumbnail goes, and the zip is rewritten with that date on every entry and a fixed entry order.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT


def set_core_properties(
    document: DocxDocument, *, author: str, title: str, subject: str, category: str = ""
) -> None:
    """Core properties from the document itself (its dates are set by :func:`docx_bytes`)."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = author.strip()
    properties.title = title.strip()
    properties.subject = subject.strip()
    properties.comments = properties.keywords = ""
    properties.category = category
    properties.language = "zh-CN"
    properties.revision = 1


def docx_bytes(document: DocxDocument, *, day: date) -> bytes:
    """The ``.docx`` file of ``document``, dated ``day`` throughout (created, modified, printed, every zip
    entry), with no template thumbnail: the same content and day give the same bytes."""
    properties = document.core_properties
    properties.created = properties.modified = properties.last_printed = datetime.combine(day, time())
    package_rels = document.part.package.rels
    for key, relationship in list(package_rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package_rels[key]
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), day)


def normalised_zip(raw: bytes, day: date) -> bytes:
    """The package rewritten with every entry dated ``day``, ``[Content_Types].xml`` first, then by name."""
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(output, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != "[Content_Types].xml", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name))
    return output.getvalue()
