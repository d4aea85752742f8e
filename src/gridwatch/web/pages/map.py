"""Page: the map (points, heat, outlines, the offline base map; tiles only when configured)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gridwatch.geo.boundaries import district_boundaries
from gridwatch.lake.layout import has_data
from gridwatch.web.deps import PageAuth
from gridwatch.web.pages.base import NavItem, render
from gridwatch.workflow.loop import STATES

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/map", "map", None, 60)]


@router.get("/map")
def map_page(request: Request, auth: PageAuth):  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    has_boundaries = bool(district_boundaries(settings.city_code))
    has_basemap = has_data(request.app.state.platform.workspace.lake_dir, "addresses")
    return render(
        request,
        auth,
        "map.html",
        {
            "tile_url": settings.web.tile_url,
            "has_boundaries": has_boundaries,
            "has_basemap": has_basemap,
            "states": list(STATES),
        },
    )
