"""Photo uploads: checked by size and by content (magic bytes, not the client's claim), stored by hash;
EXIF capture time and GPS read from JPEGs and compared with the site and the visit (warnings, not blocks)."""

from __future__ import annotations

import hashlib
import io
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gridwatch.workflow.errors import InvalidInput

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass(frozen=True)
class PhotoMeta:
    """What a photo says about itself: capture time (UTC, naive) and GPS position (WGS84), if present."""

    taken_at: datetime | None = None
    lon: float | None = None
    lat: float | None = None


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
    meta: PhotoMeta = PhotoMeta()


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


def store(
    uploads_dir: Path, order_id: int, uploads: list[Upload], types: list[str], tz: str = "Asia/Shanghai"
) -> list[StoredPhoto]:
    out = []
    folder = uploads_dir / "orders" / str(order_id)
    folder.mkdir(parents=True, exist_ok=True)
    for up, ctype in zip(uploads, types, strict=True):
        rel = f"orders/{order_id}/{uuid.uuid4().hex}.{EXTENSIONS[ctype]}"
        tmp = uploads_dir / (rel + ".tmp")
        tmp.write_bytes(up.data)
        tmp.replace(uploads_dir / rel)
        meta = read_meta(up.data, tz)
        out.append(StoredPhoto(rel, ctype, len(up.data), hashlib.sha256(up.data).hexdigest(), meta))
    return out


def discard(uploads_dir: Path, stored: list[StoredPhoto]) -> None:
    """Remove files of a transaction that failed (never lose accepted data, never keep orphans)."""
    for p in stored:
        (uploads_dir / p.path).unlink(missing_ok=True)


# ---------------------------------------------------------------- EXIF: where and when a photo was taken
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
DATETIME = 0x0132
EARTH_RADIUS_M = 6_371_008.8


def _dms(value: Any, ref: Any, negative: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    return -deg if str(ref).upper().startswith(negative) else deg


def _exif_time(text: Any, offset: Any, tz: str) -> datetime | None:
    try:
        local = datetime.strptime(str(text).strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone: tzinfo
    off = str(offset or "").strip().rstrip("\x00")
    if len(off) == 6 and off[0] in "+-" and off[3] == ":":
        sign = 1 if off[0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    else:
        zone = ZoneInfo(tz)
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def read_meta(data: bytes, tz: str = "Asia/Shanghai") -> PhotoMeta:
    """EXIF capture time and GPS of a JPEG (other formats and photos without EXIF give empty metadata)."""
    if sniff(data) != "image/jpeg":
        return PhotoMeta()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            exif = im.getexif()
    except (UnidentifiedImageError, OSError, ValueError):
        return PhotoMeta()
    sub = exif.get_ifd(EXIF_IFD)
    taken = _exif_time(sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME), sub.get(OFFSET_TIME_ORIGINAL), tz)
    gps = exif.get_ifd(GPS_IFD)
    lat = _dms(gps.get(2), gps.get(1), "S") if 2 in gps else None
    lon = _dms(gps.get(4), gps.get(3), "W") if 4 in gps else None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        lat = lon = None
    return PhotoMeta(taken, lon, lat)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class PhotoRules:
    max_distance_m: float
    max_age_hours: float


def warnings_for(
    meta: PhotoMeta,
    *,
    site: tuple[float, float] | None,
    visit: datetime,
    rules: PhotoRules,
) -> list[dict[str, Any]]:
    """Flags for the reviewer (never a hard block): taken far from the site, long before the visit, or
    without capture time and position (no EXIF: stripped by an app, a screenshot, a PNG)."""
    out: list[dict[str, Any]] = []
    if meta.taken_at is None and meta.lon is None:
        return [{"code": "no_metadata"}]
    if site is not None and meta.lon is not None and meta.lat is not None:
        d = distance_m(meta.lon, meta.lat, site[0], site[1])
        if d > rules.max_distance_m:
            out.append({"code": "far_from_site", "meters": round(d)})
    if meta.taken_at is not None:
        age_h = (visit - meta.taken_at).total_seconds() / 3600
        if age_h > rules.max_age_hours:
            out.append({"code": "taken_before_visit", "hours": round(age_h, 1)})
    return out
