"""API: the offline base map of the caller's area (outlines, road axes and door plates derived from the
standard address registry; see :mod:`gridwatch.workflow.basemap`).  Cached by the service worker."""

from __future__ import annotations

from fastapi import APIRouter, Response

from gridwatch.web.deps import ApiAuth, PlatformDep
from gridwatch.workflow.basemap import basemap_json

router = APIRouter(prefix="/api/v1", tags=["stats"])


@router.get("/basemap")
def basemap_data(auth: ApiAuth, p: PlatformDep) -> Response:
    """Community and grid-cell outlines (convex hulls of their door plates), road axes and door plates of
    the caller's area, as ``{area_code, communities, grid_cells, roads, plates, omitted}`` (positions
    ``[lon, lat]``, WGS-84).  No personal data: door plates only, never who lives there."""
    ws = p.workspace
    body = basemap_json(ws.lake_dir, auth.actor.jurisdiction_code, ws.settings.web.basemap_max_features)
    return Response(body, media_type="application/json")
