"""Rendered responses (JSON or HTML bytes with an ETag) reused until the data behind them changes.

A cacheable read (an order list, a dashboard) depends only on the orders of the caller's own jurisdiction,
on how the caller may see them (masked or not, role) and on the request's parameters.  Its body is kept in a
per-process :class:`~gridwatch.workflow.cache.VersionedCache` under a key of exactly those parts, tagged with
the change counter of the jurisdiction (``Auth.area_version``, read with the credential check, before
anything is computed) and valid until the moment its content stops being true on its own (an order falling
due).  A hit therefore costs the request's one primary-key read and a dictionary lookup; a write in one area
moves that area's counter (and its parents') and nothing else.

Callers put the caller's jurisdiction code and masking class into the key themselves (:func:`key_of`); reads
that must be logged (roles that see personal data) are never cached.  Responses carry ``ETag`` and
``Cache-Control: private, no-cache``; a matching ``If-None-Match`` is answered ``304`` without a body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response

from gridwatch.workflow.cache import VersionedCache

Compute = Callable[[], tuple[bytes, datetime | None]]
"""Computes a body and the moment it stops being true on its own (None: only a write changes it)."""


@dataclass(frozen=True)
class Body:
    content: bytes
    etag: str


def new_cache(megabytes: int) -> VersionedCache[Body]:
    return VersionedCache(1_000_000, weigh=lambda b: len(b.content) + 200, max_weight=megabytes << 20)


def key_of(auth: object, *parts: Hashable) -> tuple[Hashable, ...]:
    """A cache key: the caller's jurisdiction, masking class and role, then the request's own parts."""
    a = auth.actor  # type: ignore[attr-defined]
    return (a.jurisdiction_code, a.sees_personal_data, str(a.role), *parts)


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
    headers = {"etag": body.etag, "cache-control": "private, no-cache", "vary": "Authorization, Cookie"}
    if request.headers.get("if-none-match") == body.etag:
        return Response(status_code=304, headers=headers)
    return Response(body.content, media_type=media_type, headers=headers)
