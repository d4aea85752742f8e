"""Page: the dashboard of the user's jurisdiction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from gridwatch.web.api.stats import compute_dashboard
from gridwatch.web.deps import PageAuth, PlatformDep
from gridwatch.web.pages.base import NavItem, render_cached
from gridwatch.web.response_cache import key_of

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/", "dashboard", None, 10)]


@router.get("/")
def dashboard(request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    def compute() -> tuple[dict[str, Any], datetime | None]:
        d, valid_until = compute_dashboard(p, auth.actor, p.orders.clock())
        return {"d": d, "data": d.model_dump(mode="json")}, valid_until

    return render_cached(request, auth, "dashboard.html", key_of(auth, "page", "dashboard"), compute, {})
