"""The FastAPI app factory and the router registry.

:data:`ROUTER_MODULES` lists modules that each expose ``router`` (an ``APIRouter``) and optionally
``NAV`` (a list of :class:`gridwatch.web.pages.base.NavItem`) and ``on_app(app)`` (run once the app is
built, e.g. to repair state).  Another capability adds its pages by
appending its module here: its routes use the same dependencies (``PageAuth``/``ApiAuth``), the same
base template and appear in the navigation (see docs/WEB.md).
"""

from __future__ import annotations

import importlib
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from gridwatch.web.deps import NeedLogin, authenticate, authenticate_from_memory
from gridwatch.web.pages.base import NAV_ITEMS, render
from gridwatch.web.response_cache import CachedReads, new_cache
from gridwatch.web.security import SessionCodec, check_settings
from gridwatch.workflow.errors import (
    AuthFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    WorkflowError,
)
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.sqlite_watch import SqliteWatch
from gridwatch.workflow.version_feed import VersionFeed
from gridwatch.workspace import Workspace

ROUTER_MODULES: list[str] = [
    "gridwatch.web.api.auth",
    "gridwatch.web.api.orders",
    "gridwatch.web.api.stats",
    "gridwatch.web.api.basemap",
    "gridwatch.web.pages.auth",
    "gridwatch.web.pages.dashboard",
    "gridwatch.web.pages.orders",
    "gridwatch.web.pages.map",
    "gridwatch.web.api.users",
    "gridwatch.web.pages.users",
    "gridwatch.web.pages.notices",
    "gridwatch.web.pages.offline",
    "gridwatch.monitoring.web",
    "gridwatch.healthcode.web",
]
"""Modules contributing routes (and navigation entries) to the app."""

STATUS: dict[type[WorkflowError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    InvalidInput: 422,
    AuthFailed: 401,
    RateLimited: 429,
}

STATIC = Path(__file__).parent / "static"


class SecurityHeaders:
    """Pure ASGI middleware adding security headers (cheaper than BaseHTTPMiddleware).

    An authenticated response gets ``Cache-Control: private, no-cache`` (no shared cache keeps it), or
    ``no-store`` when it was made for a role that sees unmasked personal data (nothing keeps it; the
    service worker honours it too).  The flag is set by authentication (``deps._mark_personal``)."""

    HEADERS = (
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )
    NO_STORE = (b"cache-control", b"no-store")
    PRIVATE = (b"cache-control", b"private, no-cache")

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def wrapped(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.HEADERS]
                personal = scope.get("state", {}).get("personal_data")
                if personal is not None and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append(self.NO_STORE if personal else self.PRIVATE)
                message["headers"] = headers
            await send(message)

        return await self.app(scope, receive, wrapped)


def create_app(ws: Workspace, platform: Platform | None = None) -> FastAPI:
    """Build the app for a workspace (refuses production mode with default secrets)."""
    check_settings(ws.settings.web)
    if platform is None:
        threads = ws.settings.web.threads
        platform = Platform.open(ws, pool_size=max(5, threads // 2), max_overflow=threads)
        platform.accounts.sync_jurisdictions(ws.settings.city_code)
    threads = ws.settings.web.threads

    lag_ms = ws.settings.web.version_feed_max_lag_ms
    with_feed = lag_ms > 0 and platform.engine.dialect.name == "postgresql"
    url = platform.engine.url
    sqlite_path = (
        url.database
        if ws.settings.web.sqlite_data_version
        and url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        feed = VersionFeed(platform.engine, lag_ms / 1000) if with_feed else None
        if feed is not None:  # per server process: counters in memory, no round trip per cached read
            feed.attach(platform.sessions)
            feed.start()
            platform.credentials.feed = feed
        watch = SqliteWatch(sqlite_path) if sqlite_path else None
        if watch is not None:  # exact counters without SQLAlchemy or the thread pool
            platform.credentials.feed = watch
        try:
            yield
        finally:
            if feed is not None:
                platform.credentials.feed = None
                feed.detach(platform.sessions)
                feed.stop()
            if watch is not None:
                platform.credentials.feed = None
                watch.close()

    app = FastAPI(
        lifespan=lifespan,
        title="gridwatch",
        version="0.1.0",
        description="Work orders against scattered, disorderly, polluting workshops (散乱污).",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.platform = platform
    app.state.sessions = SessionCodec(ws.settings.web)
    app.state.settings = ws.settings
    mb = ws.settings.web.response_cache_mb
    app.state.responses = new_cache(mb) if mb else None
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    NAV_ITEMS.clear()
    for name in ROUTER_MODULES:
        mod = importlib.import_module(name)
        app.include_router(mod.router)
        NAV_ITEMS.extend(getattr(mod, "NAV", []))
        if hasattr(mod, "on_app"):
            mod.on_app(app)

    @app.exception_handler(WorkflowError)
    async def _domain_error(request: Request, exc: WorkflowError):  # type: ignore[no-untyped-def]
        status = STATUS.get(type(exc), 400)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.code, "detail": str(exc)}, status_code=status)
        auth = authenticate(request)
        return render(request, auth, "error.html", {"error": exc.code, "detail": str(exc)}, status=status)

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin):  # type: ignore[no-untyped-def]
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):  # type: ignore[no-untyped-def]
        if request.url.path.startswith("/api/") or exc.status_code == 401:
            return JSONResponse(
                {"error": "http", "detail": exc.detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return render(
            request,
            authenticate(request),
            "error.html",
            {"error": "http", "detail": exc.detail},
            status=exc.status_code,
        )

    mode = ws.settings.web.inline_cached_reads
    inline = mode == "always" or (mode == "auto" and platform.engine.dialect.name == "sqlite")
    # the counters in memory answer on the event loop when they cost nothing there (PostgreSQL's feed) or the
    # check is inline anyway; SQLite's data_version check otherwise runs in the thread pool with the rest of
    # the check: on a saturated 2-core machine the loop doing every hit itself had a far longer tail
    # (docs/BENCHMARKS-web.md, round 5)
    on_loop = with_feed or inline
    app.add_middleware(  # inside SecurityHeaders
        CachedReads,
        authenticate=authenticate,
        inline=inline,
        from_memory=authenticate_from_memory if on_loop else lambda _request: None,
    )
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> FastAPI:
    """Factory for multi-process serving: the workspace comes from ``$GRIDWATCH_HOME``."""
    return create_app(Workspace.open())
