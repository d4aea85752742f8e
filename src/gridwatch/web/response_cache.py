"""Rendered responses (JSON or HTML bytes with an ETag) reused until the data behind them changes.

A cacheable read (an order list, a dashboard) depends only on the orders of the caller's own jurisdiction,
on how the caller may see them (masked or not, role) and on the request's parameters.  Its body is kept in a
per-process :class:`~gridwatch.workflow.cache.VersionedCache` under a key of exactly those parts, tagged with
the change counter of the jurisdiction (``Auth.area_version``, read with the credential check, before
anything is computed) and valid until the moment its content stops being true on its own (an order falling
due).  A hit therefore costs the request's one primary-key read and a dictionary lookup; a write in one area
moves that area's counter (and its parents') and nothing else.

Reads that must be logged (roles that see personal data) are never cached.  Responses carry ``ETag`` and
``Cache-Control: private, no-cache``; a matching ``If-None-Match`` is answered ``304`` without a body.

API reads registered in :data:`CACHED_READS` (by the module that defines the route) are keyed by the
caller (:func:`key_of`), the path and the raw query string, so that :class:`CachedReads`, a pure ASGI
middleware in front of the router, can answer a hit with nothing but the credential check — no routing,
dependency resolution or parameter validation.  A miss goes on to the route, which validates the
parameters, computes the body and stores it under the same key; an invalid query is never stored, so it
never hits.  Pages cache their content block instead (:func:`gridwatch.web.pages.base.render_cached`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from fastapi import Request, Response

from gridwatch.web.deps import CHECKED
from gridwatch.workflow.cache import VersionedCache

Compute = Callable[[], tuple[bytes, datetime | None]]
"""Computes a body and the moment it stops being true on its own (None: only a write changes it)."""


@dataclass(frozen=True)
class Body:
    content: bytes
    etag: str


def new_cache(megabytes: int) -> VersionedCache[Body]:
    return VersionedCache(1_000_000, weigh=lambda b: len(b.content) + 200, max_weight=megabytes << 20)


@dataclass(frozen=True)
class CachedRead:
    """A GET route whose body is cached (registered in :data:`CACHED_READS` under its path)."""

    media_type: str
    per_user: Callable[[bytes], bool] = lambda _query: False
    """Whether a query string asks for the caller's own items (then the user id is part of the key)."""


CACHED_READS: dict[str, CachedRead] = {}
"""Cacheable API reads by path, filled by the modules that define them."""


def key_of(auth: object, *parts: Hashable) -> tuple[Hashable, ...]:
    """A cache key: the caller's jurisdiction, masking class and role, then the request's own parts."""
    a = auth.actor  # type: ignore[attr-defined]
    return (a.jurisdiction_code, a.sees_personal_data, str(a.role), *parts)


def read_key(auth: object, spec: CachedRead, path: str, query: bytes) -> tuple[Hashable, ...]:
    """The key of a registered read: the caller, its user id when the query is per user, path, raw query."""
    uid = auth.actor.user_id if spec.per_user(query) else None  # type: ignore[attr-defined]
    return key_of(auth, uid, path, query)


def _headers(body: Body, status: str) -> dict[str, str]:
    """``x-cache``: ``hit`` when the middleware answered from the cache, ``miss`` when the route ran (an
    operator's, or the load benchmark's, way to tell a warm process from a cold one)."""
    return {
        "etag": body.etag,
        "cache-control": "private, no-cache",
        "vary": "Authorization, Cookie",
        "x-cache": status,
    }


def cached_read(request: Request, auth: object, compute: Compute) -> Response:
    """The response of a registered read (:data:`CACHED_READS`) from the cache or ``compute``."""
    spec = CACHED_READS[request.url.path]
    key = read_key(auth, spec, request.url.path, request.scope.get("query_string", b""))
    return cached_response(request, auth, key, compute, spec.media_type)


def cached_response(
    request: Request, auth: object, key: tuple[Hashable, ...], compute: Compute, media_type: str
) -> Response:
    """The body for ``key`` at the caller's area version, from the cache or ``compute``, as a response."""
    cache: VersionedCache[Body] | None = request.app.state.responses
    if cache is None or auth.actor.sees_personal_data:  # type: ignore[attr-defined]  # logged reads
        content, _ = compute()
        return Response(content, media_type=media_type)

    def make() -> tuple[Body, datetime | None]:
        content, valid_until = compute()
        return Body(content, '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'), valid_until

    now = request.app.state.platform.orders.clock()
    body = cache.get(key, auth.area_version, now, make)  # type: ignore[attr-defined]
    headers = _headers(body, "miss")
    if request.headers.get("if-none-match") == body.etag:
        return Response(status_code=304, headers=headers)
    return Response(body.content, media_type=media_type, headers=headers)


class CachedReads:
    """Pure ASGI middleware answering registered GET reads from the response cache when it can.

    For a registered path it checks the credential — from memory when the process's version feed vouches
    for the counters (PostgreSQL), else by the request's one primary-key read, in the thread pool like any
    database call, or on the event loop per ``web.inline_cached_reads`` — and looks the body up
    under the key the route would store it under; a valid entry is sent at once (``304`` on a matching ``If-None-Match``).  Anything else — another path or method,
    no or a refused credential, a role whose reads are logged, a miss — goes on to the app unchanged, which
    authenticates and answers as usual."""

    def __init__(  # type: ignore[no-untyped-def]
        self,
        app,
        authenticate: Callable[[Request], object | None],
        inline: bool,
        from_memory: Callable[[Request], object | None] = lambda _request: None,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.inline = inline
        self.from_memory = from_memory

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        spec = CACHED_READS.get(scope["path"]) if scope["type"] == "http" else None
        if spec is None or scope["method"] != "GET" or scope["app"].state.responses is None:
            return await self.app(scope, receive, send)
        request = Request(scope)
        auth = self.from_memory(request)  # no store access: on the event loop
        if auth is not None:
            pass
        elif self.inline:
            auth = self.authenticate(request)
        else:
            auth = await anyio.to_thread.run_sync(self.authenticate, request)
        body = None
        if auth is not None and not auth.actor.sees_personal_data:  # type: ignore[attr-defined]
            key = read_key(auth, spec, scope["path"], scope.get("query_string", b""))
            now = scope["app"].state.platform.orders.clock()
            body = scope["app"].state.responses.peek(key, auth.area_version, now)  # type: ignore[attr-defined]
        if body is None:
            if auth is not None:  # the route's authentication dependency takes it from here
                scope.setdefault("state", {})[CHECKED] = auth
            return await self.app(scope, receive, send)
        headers = _headers(body, "hit")
        if request.headers.get("if-none-match") == body.etag:
            response = Response(status_code=304, headers=headers)
        else:
            response = Response(body.content, media_type=spec.media_type, headers=headers)
        await response(scope, receive, send)
