"""The offline base map: street-level context drawn from data the platform already holds, so the map is
useful with no tile server (an intranet without one, a basement without signal).

From the lake's standard address registry (``addresses``: door plates with positions) it derives, for one
area: each community's and each grid cell's outline (the convex hull of its door plates), an axis per road
of a community (the line through its door plates along their main direction, from the lowest to the
highest projection), and the door plates themselves (one point per road + number).  These are
approximations for orientation, labelled as such on the map, not surveyed geometry.

The aggregation is one DuckDB statement over ``lake.layout.read_sql``; results are cached per process until
the registry's files change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import orjson

from gridwatch.geo.hull import convex_hull
from gridwatch.lake.layout import has_data, read_sql, table_dir
from gridwatch.workflow.jurisdiction import Level, level_of

SCOPE_COLUMN: dict[Level, str | None] = {
    Level.CITY: None,  # the registry is the city's
    Level.DISTRICT: "district_code",
    Level.TOWN: "town_code",
    Level.COMMUNITY: "community_code",
    Level.GRID: "community_code",  # a grid cell's officer sees the whole community around it
}
"""The ``addresses`` column an area of each level is selected by."""

PLATES_SQL = """
WITH a AS (
    SELECT * FROM ({source}) r
    WHERE lon IS NOT NULL AND lat IS NOT NULL AND coalesce(road, '') <> '' {scope}
)
SELECT community_code, min(community) AS community, grid_cell, road, roadno, min(nullif(poi, '')) AS poi,
       avg(lon) AS lon, avg(lat) AS lat, count(*) AS addresses
FROM a
GROUP BY community_code, grid_cell, road, roadno
ORDER BY community_code, road, roadno
"""
"""Door plates: one point per (community, grid cell, road, number), at the mean of its addresses."""

ROADS_SQL = """
WITH p AS ({plates}),
s AS (
    SELECT community_code, road, count(*) AS n, avg(lon) AS mx, avg(lat) AS my,
           cos(radians(avg(lat))) AS k, covar_pop(lon, lat) AS cxy, var_pop(lon) AS vx, var_pop(lat) AS vy
    FROM p GROUP BY community_code, road HAVING count(*) >= 2
),
d AS (SELECT *, 0.5 * atan2(2 * cxy * k, vx * k * k - vy) AS th FROM s),
t AS (
    SELECT d.community_code, d.road, d.n, d.mx, d.my, d.k, d.th,
           min((p.lon - d.mx) * d.k * cos(d.th) + (p.lat - d.my) * sin(d.th)) AS t0,
           max((p.lon - d.mx) * d.k * cos(d.th) + (p.lat - d.my) * sin(d.th)) AS t1
    FROM d JOIN p ON p.community_code = d.community_code AND p.road = d.road
    GROUP BY ALL
)
SELECT community_code, road, n,
       mx + t0 * cos(th) / k AS lon0, my + t0 * sin(th) AS lat0,
       mx + t1 * cos(th) / k AS lon1, my + t1 * sin(th) AS lat1
FROM t
ORDER BY community_code, road
"""
"""Road axes: the principal direction of a road's door plates (lon scaled by cos(lat) so that the
direction is the one on the ground), drawn between the extreme projections."""


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    ring: list[tuple[float, float]]  # convex hull, (lon, lat), counter-clockwise, not closed
    plates: int


@dataclass(frozen=True)
class RoadAxis:
    name: str
    community_code: str
    line: tuple[tuple[float, float], tuple[float, float]]
    plates: int


@dataclass(frozen=True)
class DoorPlate:
    lon: float
    lat: float
    label: str  # road + number (+ the estate or park)
    addresses: int


@dataclass(frozen=True)
class BaseMap:
    area_code: str
    communities: list[Outline] = field(default_factory=list)
    grid_cells: list[Outline] = field(default_factory=list)
    roads: list[RoadAxis] = field(default_factory=list)
    plates: list[DoorPlate] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)  # layers too large for this area, left out


def _r(x: float) -> float:
    return round(float(x), 6)


def _outlines(groups: dict[str, list[tuple[float, float]]], names: dict[str, str]) -> list[Outline]:
    return [
        Outline(code, names.get(code, code), [(_r(x), _r(y)) for x, y in convex_hull(pts)], len(pts))
        for code, pts in groups.items()
    ]


def _fingerprint(lake_dir: Path) -> tuple[tuple[str, int, int], ...]:
    base = table_dir(lake_dir, "addresses")
    return tuple(
        sorted((str(f.relative_to(base)), f.stat().st_mtime_ns, f.stat().st_size) for f in base.rglob("*.parquet"))
    )


def basemap(lake_dir: Path, area_code: str, max_features: int) -> BaseMap:
    """The base map of an area (a jurisdiction code), from the lake's address registry; empty without one."""
    if not has_data(lake_dir, "addresses"):
        return BaseMap(area_code)
    return _cached(str(lake_dir), _fingerprint(lake_dir), area_code, max_features)


def basemap_json(lake_dir: Path, area_code: str, max_features: int) -> bytes:
    """:func:`basemap` as JSON (a district's is ~2 MB: serialised once per registry version, not per request)."""
    if not has_data(lake_dir, "addresses"):
        return orjson.dumps(BaseMap(area_code))
    return _cached_json(str(lake_dir), _fingerprint(lake_dir), area_code, max_features)


@functools.lru_cache(maxsize=64)
def _cached_json(lake: str, files: tuple[tuple[str, int, int], ...], area_code: str, max_features: int) -> bytes:
    return orjson.dumps(_cached(lake, files, area_code, max_features))


@functools.lru_cache(maxsize=64)
def _cached(lake: str, _files: tuple[tuple[str, int, int], ...], area_code: str, max_features: int) -> BaseMap:
    lake_dir = Path(lake)
    level = level_of(area_code)
    col = SCOPE_COLUMN[level]
    code = area_code.split("-")[0][:12] if level is Level.GRID else area_code
    scope = f"AND {col} = $code" if col else ""
    plates_sql = PLATES_SQL.format(source=read_sql(lake_dir, "addresses"), scope=scope)
    params = {"code": code} if col else {}
    con = duckdb.connect()
    try:
        plates = con.execute(plates_sql, params).fetchall()
        roads = con.execute(ROADS_SQL.format(plates=plates_sql), params).fetchall()
    finally:
        con.close()
    communities: dict[str, list[tuple[float, float]]] = {}
    cells: dict[str, list[tuple[float, float]]] = {}
    names: dict[str, str] = {}
    for comm, comm_name, cell, _road, _no, _poi, lon, lat, _n in plates:
        if comm:
            communities.setdefault(comm, []).append((lon, lat))
            names.setdefault(comm, comm_name or comm)
        if cell:
            cells.setdefault(cell, []).append((lon, lat))
    cell_names = {c: f"{names.get(c[:12], '')} {c[12:].lstrip('-')}".strip() for c in cells}
    omitted = []
    out_cells = _outlines(cells, cell_names)
    if len(out_cells) > max_features:
        out_cells, omitted = [], [*omitted, "grid_cells"]
    out_roads = [
        RoadAxis(road, comm, ((_r(x0), _r(y0)), (_r(x1), _r(y1))), n)
        for comm, road, n, x0, y0, x1, y1 in roads
    ]
    if len(out_roads) > max_features:
        out_roads, omitted = [], [*omitted, "roads"]
    out_plates = [
        DoorPlate(_r(lon), _r(lat), f"{road}{no or ''}" + (f" {poi}" if poi else ""), n)
        for _c, _cn, _cell, road, no, poi, lon, lat, n in plates
    ]
    if len(out_plates) > max_features:
        out_plates, omitted = [], [*omitted, "plates"]
    return BaseMap(area_code, _outlines(communities, names), out_cells, out_roads, out_plates, omitted)
