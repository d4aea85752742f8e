"""Pages: login, logout, language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from gridwatch.web.deps import PageAuth, PlatformDep, authenticate, csrf_ok
from gridwatch.web.pages.base import render
from gridwatch.web.security import LANG_COOKIE, SESSION_COOKIE
from gridwatch.workflow.errors import AuthFailed, RateLimited

router = APIRouter(include_in_schema=False)


def _safe_next(nxt: str | None) -> str:
    return nxt if nxt and nxt.startswith("/") and not nxt.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/"):  # type: ignore[no-untyped-def]
    return render(request, None, "login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login")
def login(  # type: ignore[no-untyped-def]
    request: Request,
    p: PlatformDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
):
    client = request.client.host if request.client else "unknown"
    try:
        u = p.accounts.authenticate(username, password, client)
    except (AuthFailed, RateLimited) as exc:
        key = "rate_limited" if isinstance(exc, RateLimited) else "bad_login"
        return render(
            request,
            None,
            "login.html",
            {"next": _safe_next(next), "error": key},
            status=429 if isinstance(exc, RateLimited) else 401,
        )
    raw, _ = request.app.state.sessions.dumps(u.id, u.session_epoch)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=request.app.state.sessions.secure,
        max_age=request.app.state.sessions.max_age,
    )
    return resp


@router.post("/logout")
def logout(request: Request, auth: PageAuth, p: PlatformDep, csrf_token: Annotated[str, Form()] = ""):  # type: ignore[no-untyped-def]
    if csrf_ok(auth, csrf_token):
        p.accounts.bump_epoch(auth.actor.user_id)  # type: ignore[arg-type]
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    # the page has already emptied the service worker's caches and this user's outbox (offline.js);
    # the browser's HTTP cache goes too
    resp.headers["Clear-Site-Data"] = '"cache"'
    return resp


@router.get("/lang/{code}")
def set_lang(code: str, request: Request, next: str = "/"):  # type: ignore[no-untyped-def]
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(LANG_COOKIE, "en" if code == "en" else "zh", samesite="lax", max_age=365 * 86400)
    _ = authenticate
    return resp
