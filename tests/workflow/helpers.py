from __future__ import annotations

import struct
import zlib

from gridwatch.workflow.accounts import actor_of
from gridwatch.workflow.actor import Actor, system_actor
from gridwatch.workflow.jurisdiction import place_of
from gridwatch.workflow.orders import SuspectIn
from gridwatch.workflow.platform import Platform


def _png(w: int = 64, h: int = 48) -> bytes:
    """A real PNG (a simple gradient), so browsers can show uploaded photos."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 120)) for x in range(w)) for y in range(h)
    )
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def user(p: Platform, name: str, role: str, code: str) -> Actor:
    uid = p.accounts.create_user(name, "password123", role, code, display_name=name)
    return actor_of(p.accounts.get_user(uid))


def add_order(p: Platform, account: str, code: str, *, score: float = 0.9, hits: tuple[str, ...] = ()) -> int:
    with p.sessions.begin() as s:
        oid = p.orders.intake(
            s,
            system_actor("4401"),
            SuspectIn(
                account,
                "screening",
                f"run1:{account}",
                "red",
                score,
                hits,
                "夜间用电高",
                "night load",
                customer_name="张三丰",
            ),
            place_of(code),
            "matched",
        )
    assert oid is not None
    return oid


def jpeg(
    lon: float | None = None,
    lat: float | None = None,
    taken: str | None = None,
    offset: str | None = None,
) -> bytes:
    """A real JPEG written by Pillow, with EXIF capture time ("YYYY:MM:DD HH:MM:SS", local) and GPS."""
    import io

    from PIL import ExifTags, Image

    exif = Image.Exif()
    if taken is not None:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[ExifTags.Base.DateTimeOriginal] = taken
        if offset is not None:
            sub[ExifTags.Base.OffsetTimeOriginal] = offset
    if lon is not None and lat is not None:

        def dms(x: float) -> tuple[float, float, float]:
            x = abs(x)
            d = int(x)
            m = int((x - d) * 60)
            return (float(d), float(m), round((x - d - m / 60) * 3600, 4))

        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = dms(lat)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = dms(lon)
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), (180, 120, 60)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()
