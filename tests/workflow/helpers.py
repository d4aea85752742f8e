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


def write_address_registry(lake_dir, communities: dict[str, tuple[float, float]], roads: int = 2, plates: int = 8):  # type: ignore[no-untyped-def]
    """A small standard address registry ingested into the lake: per community ``roads`` straight roads
    leaving its centre (lon, lat) at different bearings, ``plates`` door plates each, two flats per plate;
    grid cells split each road in halves.  Returns the door plates as {(community, road, number): (lon, lat)}."""
    import csv
    import math
    import tempfile
    from pathlib import Path

    from gridwatch.config import LakeSettings
    from gridwatch.lake.ingest import ingest_files

    rows, truth = [], {}
    for comm, (clon, clat) in communities.items():
        for r in range(roads):
            road = f"{comm[-3:]}测试{'一二三四五六'[r]}路"
            angle = math.radians(20 + r * 100)
            for n in range(1, plates + 1):
                d = 0.0004 * n
                lon, lat = clon + d * math.cos(angle) / math.cos(math.radians(clat)), clat + d * math.sin(angle)
                truth[(comm, road, f"{n}号")] = (lon, lat)
                for room in ("101房", "201房"):
                    rows.append({
                        "address_id": f"A{comm}{r}{n:03d}{room[0]}", "full_text": f"广州市{road}{n}号{room}",
                        "district": "天河区", "town": "测试街道", "community": f"测试{comm[-3:]}社区",
                        "road": road, "roadno": f"{n}号", "room": room,
                        "district_code": comm[:6], "town_code": comm[:9], "community_code": comm,
                        "grid_cell": f"{comm}{1 + (n > plates // 2):02d}", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
                    })
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "addresses.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        ingest_files(lake_dir, "addresses", [path], LakeSettings())
    return truth
