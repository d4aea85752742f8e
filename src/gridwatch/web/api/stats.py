"""API: dashboard figures and map data for the caller's jurisdiction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from gridwatch.geo.boundaries import boundaries_of_area
from gridwatch.geo.hull import convex_hull
from gridwatch.web.deps import ApiAuth, PlatformDep
from gridwatch.web.response_cache import CACHED_READS, CachedRead, cached_read
from gridwatch.workflow.dashboard import build, map_points

router = APIRouter(prefix="/api/v1", tags=["stats"])


class AreaOut(BaseModel):
    code: str
    name: str
    total: int
    claimed: int
    verified: int
    confirmed: int
    closed: int
    overdue: int


class DashboardOut(BaseModel):
    jurisdiction_code: str
    funnel: dict[str, int]
    by_state: dict[str, int]
    hit_rate: float | None
    reviewed: int
    overdue: int
    area_level: str | None
    areas: list[AreaOut]
    trend: list[tuple[str, int, int]]


def compute_dashboard(p, actor, now: datetime) -> tuple[DashboardOut, datetime | None]:  # type: ignore[no-untyped-def]
    """The dashboard of the actor's own jurisdiction and the moment it stops being true without a write."""
    d = build(p.sessions, actor, now=now)
    names = p.accounts.names([a.code for a in d.areas if a.code])
    out = DashboardOut(
        jurisdiction_code=actor.jurisdiction_code,
        funnel=d.funnel,
        by_state=d.by_state,
        hit_rate=d.hit_rate,
        reviewed=d.reviewed,
        overdue=d.overdue,
        area_level=str(d.area_level) if d.area_level else None,
        areas=[AreaOut(name=names.get(a.code, a.code or "-"), **a.__dict__) for a in d.areas],
        trend=d.trend,
    )
    return out, d.valid_until


def dashboard_data(p, actor, version: int | None = None) -> DashboardOut:  # type: ignore[no-untyped-def]
    """The dashboard of the actor's own jurisdiction, cached until an order of that jurisdiction changes
    (``version``: its change counter when the caller has read it already, as authentication does)."""
    now = p.orders.clock()
    if version is None:
        version = p.area_version(actor.jurisdiction_code)
    key = ("dashboard", actor.jurisdiction_code)
    return p.read_cache.get(key, version, now, lambda: compute_dashboard(p, actor, now))


@router.get("/dashboard", response_model=DashboardOut)
def dashboard(request: Request, auth: ApiAuth, p: PlatformDep) -> Response:
    """Funnel (suspects → claimed → verified → confirmed → disposed → closed), hit rate, overdue, areas.
    The JSON body is reused until an order of the jurisdiction changes (ETag / ``If-None-Match``)."""

    def compute() -> tuple[bytes, datetime | None]:
        out, valid_until = compute_dashboard(p, auth.actor, p.orders.clock())
        return out.model_dump_json().encode(), valid_until

    return cached_read(request, auth, compute)


CACHED_READS["/api/v1/dashboard"] = CachedRead("application/json")


@router.get("/map")
def map_data(auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    """Order points, ~1 km heat cells, per-district outlines (convex hulls of their points) and the shipped
    district boundaries of the user's area."""
    pts = map_points(p.sessions, auth.actor)
    cells: dict[tuple[int, int], int] = defaultdict(int)
    by_district: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for pt in pts:
        cells[(int(pt.lon // 0.01), int(pt.lat // 0.01))] += 1
        if pt.district_code:
            by_district[pt.district_code].append((pt.lon, pt.lat))
    names = p.accounts.names(list(by_district))
    return {
        "points": [[pt.id, round(pt.lon, 6), round(pt.lat, 6), pt.state, pt.code] for pt in pts],
        "heat": [[x * 0.01, y * 0.01, n] for (x, y), n in cells.items()],
        "outlines": [
            {"code": c, "name": names.get(c, c), "hull": convex_hull(v), "count": len(v)}
            for c, v in by_district.items()
        ],
        "boundaries": [
            {"code": b.code, "name": b.name, "rings": b.rings}  # tuples serialise as JSON arrays
            for b in boundaries_of_area(p.workspace.settings.city_code, auth.actor.jurisdiction_code)
        ],
        "tile_url": p.workspace.settings.web.tile_url,
    }
