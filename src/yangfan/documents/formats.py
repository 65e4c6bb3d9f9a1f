"""The media type of each kind of document a download sends, by file extension."""

from __future__ import annotations

from pathlib import PurePath

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def content_type(name: str) -> str:
    """The media type of a file called ``name`` (``application/octet-stream`` for any other kind)."""
    return CONTENT_TYPES.get(PurePath(name).suffix.lower().lstrip("."), "application/octet-stream")
