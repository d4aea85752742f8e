"""District boundaries shipped for display (see ``data/boundaries/NOTICE`` for source and terms).

``district_boundaries(city_code)`` gives the outlines of a city's districts as rings of (lon, lat) in
WGS-84, or an empty list when none ship for that city; callers then fall back to what they can honestly
draw (e.g. the convex hull of their points).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Boundary:
    code: str  # 6-digit division code
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer rings of the district's polygons, (lon, lat)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a point lies inside one of the rings (even-odd rule)."""
        return any(_in_ring(lon, lat, r) for r in self.rings)


def _in_ring(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@cache
def district_boundaries(city_code: str) -> tuple[Boundary, ...]:
    """The shipped district outlines of ``city_code`` (e.g. "4401"); empty when none ship."""
    res = resources.files("gridwatch.geo").joinpath("data", "boundaries", f"{city_code}.json")
    if not res.is_file():
        return ()
    data = json.loads(res.read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        rings = tuple(tuple((float(x), float(y)) for x, y in poly[0]) for poly in f["geometry"]["coordinates"])
        out.append(Boundary(str(f["properties"]["code"]), str(f["properties"]["name"]), rings))
    return tuple(out)


def boundaries_of_area(city_code: str, jurisdiction_code: str) -> tuple[Boundary, ...]:
    """The shipped districts an area overlaps: every district for the city, the own district below it."""
    return tuple(
        b for b in district_boundaries(city_code)
        if b.code.startswith(jurisdiction_code) or jurisdiction_code.startswith(b.code)
    )
