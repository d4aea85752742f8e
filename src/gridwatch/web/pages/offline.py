"""Offline support for field staff: the service worker (served from the root so it may control every page)
and the session's CSRF token and user for sending a verification queued while offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel

from gridwatch.web.deps import ApiAuth

router = APIRouter()

SW = Path(__file__).parent.parent / "static" / "sw.js"


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> FileResponse:
    return FileResponse(
        SW,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


class CsrfOut(BaseModel):
    csrf: str
    user_id: int  # whose session this is: a queued verification is only ever sent under its own user


@router.get("/api/v1/session/csrf", response_model=CsrfOut, tags=["auth"])
def session_csrf(auth: ApiAuth) -> CsrfOut:
    """The CSRF token of the current session (same-origin pages only: no CORS), so a verification queued
    offline under an older page can be sent with the token the session has now."""
    if auth.via != "session" or auth.csrf is None:
        raise HTTPException(400, "only a browser session has a CSRF token")
    return CsrfOut(csrf=auth.csrf, user_id=auth.actor.user_id or 0)
