"""Page: the dashboard of the user's jurisdiction."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gridwatch.web.api.stats import dashboard_data
from gridwatch.web.deps import PageAuth, PlatformDep
from gridwatch.web.pages.base import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/", "dashboard", None, 10)]


@router.get("/")
def dashboard(request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    d = dashboard_data(p, auth.actor, auth.area_version)
    return render(request, auth, "dashboard.html", {"d": d, "data": d.model_dump(mode="json")})
