"""Evidence files (佐证材料): checked by content, stored once by their SHA-256 under the data directory, outside
the web root, and never served by their own name or type.

An upload is streamed to a temporary file beside its final place while its size and digest are computed; it is
refused (and the temporary file removed) when it is too large, when its content is not one of the accepted
kinds (magic numbers via ``filetype``; an Office file must also be a readable package with its main part), or
when its name claims another kind than its content (a disguised file). Only then is it moved into place with an
atomic rename, so an upload that fails halfway leaves nothing behind and a stored file is always whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yangfan.supervision.choices import EvidenceKind

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
# the kinds accepted, by the extension filetype reports for the content
KINDS = {
    "pdf": EvidenceKind.PDF,
    "png": EvidenceKind.PNG,
    "jpg": EvidenceKind.JPEG,
    "docx": EvidenceKind.DOCX,
    "xlsx": EvidenceKind.XLSX,
    "pptx": EvidenceKind.PPTX,
}
# the names each kind may carry
EXTENSIONS = {
    EvidenceKind.PDF: {".pdf"},
    EvidenceKind.PNG: {".png"},
    EvidenceKind.JPEG: {".jpg", ".jpeg"},
    EvidenceKind.DOCX: {".docx"},
    EvidenceKind.XLSX: {".xlsx"},
    EvidenceKind.PPTX: {".pptx"},
}
# the part an Office package of each kind must have
MAIN_PARTS = {
    EvidenceKind.DOCX: "word/document.xml",
    EvidenceKind.XLSX: "xl/workbook.xml",
    EvidenceKind.PPTX: "ppt/presentation.xml",
}
CONTENT_TYPES = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.PNG: "image/png",
    EvidenceKind.JPEG: "image/jpeg",
    EvidenceKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class StoredFile:
    name: str
    kind: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "YANGFAN_EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT))


def evidence_root() -> Path:
    return Path(settings.DATA_DIR) / "evidence"


def stored_path(sha256: str) -> Path:
    return evidence_root() / sha256[:2] / sha256


def accepted_text() -> str:
    return _(
        "可上传 PDF、PNG、JPEG 图片和 Word、Excel、PowerPoint（.docx/.xlsx/.pptx）文件，每个不超过 %(mb)d MB。"
    ) % {"mb": max_bytes() // (1024 * 1024)}


def clean_name(name: str) -> str:
    """The file's own name without any directory part or control characters, at most 200 characters."""
    base = os.path.basename(str(name).replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable()) or "file"
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base


def evidence_store(upload) -> StoredFile:
    """Check and store one uploaded file (a Django ``UploadedFile``, or anything with ``name`` and ``chunks()``);
    raise ``ValidationError`` in Chinese and keep nothing when it is refused."""
    return evidence_store_all([upload])[0]


def evidence_store_all(uploads) -> list[StoredFile]:
    """Check every file of a batch before any is kept: when one is refused, none is stored."""
    staged: list[tuple[StoredFile, str]] = []
    try:
        for upload in uploads:
            staged.append(_stage(upload))
        for stored, temp in staged:
            final = stored_path(stored.sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)  # the same content twice is the same file
        return [stored for stored, _temp in staged]
    finally:
        for _stored, temp in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)


def _stage(upload) -> tuple[StoredFile, str]:
    """Write one upload to a temporary file beside the store and check it; remove it when refused."""
    name = clean_name(getattr(upload, "name", "") or "file")
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(_too_large(name, declared, limit))
    root = evidence_root()
    root.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    fd, temp = tempfile.mkstemp(prefix=".upload-", dir=root)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    raise ValidationError(_too_large(name, size, limit))
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name})
        kind = _kind_of(name, head, Path(temp))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return StoredFile(name=name, kind=kind, size=size, sha256=digest.hexdigest()), temp


def _too_large(name: str, size: int, limit: int) -> str:
    return _("文件“%(name)s”超过大小限制（%(mb)d MB），未保存。") % {
        "name": name,
        "mb": limit // (1024 * 1024),
    }


def _kind_of(name: str, head: bytes, path: Path) -> str:
    guess = filetype.guess(head)
    kind = KINDS.get(guess.extension) if guess else None
    if kind is None:
        found = guess.extension.upper() if guess else _("无法识别")
        raise ValidationError(
            _("文件“%(name)s”的内容类型（%(found)s）不在允许范围内。%(accepted)s")
            % {"name": name, "found": found, "accepted": accepted_text()}
        )
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS[kind]:
        raise ValidationError(
            _("文件“%(name)s”的扩展名与内容不符（内容是 %(kind)s 文件），可能是伪装的文件，未保存。")
            % {"name": name, "kind": EvidenceKind(kind).label}
        )
    if kind in MAIN_PARTS:
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        if MAIN_PARTS[kind] not in names:
            raise ValidationError(
                _("文件“%(name)s”不是完整的 %(kind)s 文件，未保存。")
                % {"name": name, "kind": EvidenceKind(kind).label}
            )
    return kind
