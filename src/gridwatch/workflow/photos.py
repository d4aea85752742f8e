"""Photo uploads: checked by size and by content (magic bytes, not the client's claim), stored by hash."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from gridwatch.workflow.errors import InvalidInput

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredPhoto:
    path: str  # relative to the uploads dir
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    for ctype, sigs in SIGNATURES.items():
        for sig in sigs:
            if data.startswith(sig) and (ctype != "image/webp" or data[8:12] == b"WEBP"):
                return ctype
    return None


def check(uploads: list[Upload], *, max_bytes: int, max_count: int) -> list[str]:
    """Validate every upload before anything is stored; returns their content types."""
    if len(uploads) > max_count:
        raise InvalidInput(f"photos: at most {max_count} photos, got {len(uploads)}")
    types = []
    for up in uploads:
        if len(up.data) == 0:
            raise InvalidInput(f"photos: {up.filename!r} is empty")
        if len(up.data) > max_bytes:
            raise InvalidInput(f"photos: {up.filename!r} is {len(up.data)} bytes; the limit is {max_bytes}")
        ctype = sniff(up.data)
        if ctype is None:
            raise InvalidInput(f"photos: {up.filename!r} is not a JPEG, PNG or WebP image")
        types.append(ctype)
    return types


def store(uploads_dir: Path, order_id: int, uploads: list[Upload], types: list[str]) -> list[StoredPhoto]:
    out = []
    folder = uploads_dir / "orders" / str(order_id)
    folder.mkdir(parents=True, exist_ok=True)
    for up, ctype in zip(uploads, types, strict=True):
        rel = f"orders/{order_id}/{uuid.uuid4().hex}.{EXTENSIONS[ctype]}"
        tmp = uploads_dir / (rel + ".tmp")
        tmp.write_bytes(up.data)
        tmp.replace(uploads_dir / rel)
        out.append(StoredPhoto(rel, ctype, len(up.data), hashlib.sha256(up.data).hexdigest()))
    return out


def discard(uploads_dir: Path, stored: list[StoredPhoto]) -> None:
    """Remove files of a transaction that failed (never lose accepted data, never keep orphans)."""
    for p in stored:
        (uploads_dir / p.path).unlink(missing_ok=True)
