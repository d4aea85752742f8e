"""Request dependencies: the platform, the authenticated actor (session cookie or bearer token), CSRF."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from gridwatch.web.i18n import Translator
from gridwatch.web.security import LANG_COOKIE, SESSION_COOKIE, SessionCodec
from gridwatch.workflow.accounts import token_digest
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.roles import Role

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_platform(request: Request) -> Platform:
    """No I/O: ``async`` so that FastAPI runs it on the event loop instead of a thread-pool hop (under load
    every hop waits for the loop's next turn)."""
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


@dataclass(frozen=True)
class Auth:
    actor: Actor
    via: str  # "session" | "token"
    csrf: str | None
    area_version: int = 0
    """Change counter of the actor's jurisdiction, read with the credential check (tags cached answers)."""


class NeedLogin(Exception):
    """A page request without a valid session (answered with a redirect to /login)."""


def authenticate(request: Request) -> Auth | None:
    """The caller (bearer token or session cookie), from the per-process credential cache: one primary-key
    read per request, which also refuses a credential revoked by any process since
    (:mod:`gridwatch.workflow.credentials`)."""
    p: Platform = request.app.state.platform
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        r = p.credentials.token(token_digest(header[7:].strip()))
        if r is None:
            return None
        _mark_personal(request, r.actor)
        return Auth(r.actor, "token", None, r.area_version)
    codec: SessionCodec = request.app.state.sessions
    data = codec.loads(request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    r = p.credentials.session(data.user_id, data.epoch)
    if r is None:
        return None
    _mark_personal(request, r.actor)
    return Auth(r.actor, "session", data.csrf, r.area_version)


def authenticate_from_memory(request: Request) -> Auth | None:
    """The caller from the credential cache alone, when the process's version feed vouches for the counters
    (PostgreSQL, ``web.version_feed_max_lag_ms``); None: not decidable without the store — call
    :func:`authenticate` (an unknown or revoked credential is never decided here)."""
    p: Platform = request.app.state.platform
    if p.credentials.feed is None:
        return None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        r = p.credentials.peek_token(token_digest(header[7:].strip()))
        via, csrf = "token", None
    else:
        data = request.app.state.sessions.loads(request.cookies.get(SESSION_COOKIE))
        if data is None:
            return None
        r = p.credentials.peek_session(data.user_id, data.epoch)
        via, csrf = "session", data.csrf
    if r is None:
        return None
    _mark_personal(request, r.actor)
    return Auth(r.actor, via, csrf, r.area_version)


def _mark_personal(request: Request, actor: Actor) -> None:
    """Responses to a role that sees unmasked personal data must never be stored by a cache (the HTTP
    cache, a proxy or the service worker): the security-headers middleware sends ``no-store`` for them."""
    request.state.personal_data = actor.sees_personal_data


def csrf_ok(auth: Auth, token: str | None) -> bool:
    return auth.via == "token" or (
        auth.csrf is not None and token is not None and hmac.compare_digest(auth.csrf, token)
    )


CHECKED = "checked_auth"
"""Key in the request's ASGI state under which :class:`~gridwatch.web.response_cache.CachedReads` leaves the
credential it checked for a read it could not answer from the cache, so the route does not check it again."""


async def checked(request: Request) -> Auth | None:
    """The caller: as already checked for this request by the cached-read middleware, else from memory when
    the version feed vouches for the counters, else :func:`authenticate` in the thread pool (store I/O)."""
    auth = request.scope.get("state", {}).get(CHECKED)
    if auth is None:
        auth = authenticate_from_memory(request)
    if auth is None:
        auth = await run_in_threadpool(authenticate, request)
    return auth


async def api_auth(request: Request) -> Auth:
    """``async``: FastAPI would run a sync dependency in the thread pool, one hop per request even when the
    credential needs no store access."""
    auth = await checked(request)
    if auth is None:
        raise HTTPException(
            401, "authentication required (bearer token or session)", headers={"WWW-Authenticate": "Bearer"}
        )
    if request.method in UNSAFE and not csrf_ok(auth, request.headers.get("x-csrf-token")):
        raise HTTPException(403, "CSRF token missing or wrong (send X-CSRF-Token with session requests)")
    return auth


async def page_auth(request: Request) -> Auth:
    auth = await checked(request)
    if auth is None or auth.actor.role is Role.SYSTEM:
        raise NeedLogin()
    return auth


ApiAuth = Annotated[Auth, Depends(api_auth)]
PageAuth = Annotated[Auth, Depends(page_auth)]


async def translator(request: Request) -> Translator:
    return Translator(request.cookies.get(LANG_COOKIE, "zh"))


T = Annotated[Translator, Depends(translator)]
