"""Monitoring pages and API for the web app (registered through ``gridwatch.web.app.ROUTER_MODULES``).

- ``/monitoring`` — live status board of the user's jurisdiction (refreshes itself).
- ``/monitoring/points/{mn}`` — production vs treatment curves (ECharts) and alarm history.
- ``GET /api/v1/monitoring/board`` — the board as JSON; ``POST /api/v1/monitoring/restrictions`` — declare
  a stop/limit period (city or district administrators).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from gridwatch.monitoring.board import facility_view, status_board
from gridwatch.monitoring.registry import RegistryError, declare_restriction
from gridwatch.web.deps import ApiAuth, PageAuth, PlatformDep
from gridwatch.web.i18n import MESSAGES
from gridwatch.web.pages.base import NavItem, add_template_dir, render
from gridwatch.workflow.roles import Role

add_template_dir(Path(__file__).parent / "templates")

router = APIRouter()
MESSAGES.update({"monitoring_nav": ("治污监控", "Monitoring")})  # this capability's UI strings
NAV = [NavItem("/monitoring", "monitoring_nav", None, 60)]
DECLARERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def _board(p, actor):  # type: ignore[no-untyped-def]
    settings = p.workspace.settings
    with p.sessions() as s:
        return status_board(
            s, covers=actor.covers, city_code=settings.city_code, settings=settings.monitoring.detectors
        )


@router.get("/monitoring", include_in_schema=False)
def board_page(request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    rows = _board(p, auth.actor)
    summary = {
        "points": len(rows),
        "alarming": sum(1 for r in rows if r["open_alarms"]),
        "severe": sum(1 for r in rows if r["worst"] == "severe"),
        "silent": sum(1 for r in rows if r["last_data_time"] is None),
    }
    return render(request, auth, "monitoring_board.html", {"rows": rows, "summary": summary})


@router.get("/monitoring/points/{mn}", include_in_schema=False)
def point_page(mn: str, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    with p.sessions() as s:
        view = facility_view(s, mn)
    if view is None or not auth.actor.covers(view[0].division_code or p.workspace.settings.city_code):
        raise HTTPException(404, "no such monitoring point")
    point, curves, alarms = view
    return render(
        request, auth, "monitoring_point.html", {"point": point, "curves": curves, "alarms": alarms}
    )


@router.get("/api/v1/monitoring/board")
def board_api(auth: ApiAuth, p: PlatformDep) -> list[dict]:
    return _board(p, auth.actor)


class RestrictionIn(BaseModel):
    level: str = Field(min_length=1, max_length=16, description="Alert level, e.g. orange.")
    starts_at: datetime
    ends_at: datetime
    action: str = Field("limit", description="stop | limit (default for enterprises without a plan)")
    limit_pct: float = Field(30.0, ge=0, le=100)
    enterprise_id: str | None = None
    reason: str = ""


@router.post("/api/v1/monitoring/restrictions", status_code=201)
def declare_api(body: RestrictionIn, auth: ApiAuth, p: PlatformDep) -> dict:
    if auth.actor.role not in DECLARERS:
        raise HTTPException(403, "only city or district administrators declare restriction periods")
    try:
        with p.sessions() as s, s.begin():
            rid = declare_restriction(s, **body.model_dump())
    except RegistryError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": rid}
