"""Who holds a credential, cached per process and still refused on the first request after revocation.

A bearer token or a page session (user id + session epoch) resolves to an :class:`Actor` by one indexed
query.  The cache keeps that answer tagged with the ``accounts`` change counter (``wf_counter``), which every
change that can end a credential increments in its own transaction (:func:`bump_accounts`: logout, password
reset — which also revokes the user's tokens —, disabling or enabling an account).  Roles, jurisdictions
and display names of users are never edited (a different assignment is a new account), so those are the
only changes that can make a cached answer wrong.

Each request reads, in one primary-key statement, the ``accounts`` counter and the change counter of the
actor's own jurisdiction (``wf_area_version``, see :mod:`gridwatch.workflow.cache`).  A cached actor is
used only while the counter still reads what it read when the actor was looked up, and the counter is
read *before* the lookup on a miss, so a revocation committed at any moment is seen by every process on its
next request: the revocation delay is zero.  The area counter comes along for free and tags whatever the
request then computes or reads from the caches of its jurisdiction.  Unknown credentials are never cached
(a new token or login needs no counter move).

A process that has to look a credential up (none cached, or the ``accounts`` counter moved since) reads
*every* valid credential at once (:meth:`CredentialCache._load_all`: one statement for the API tokens, one
for the page sessions, at most ``max_entries`` rows), tagged with the counter read before that statement,
exactly as a single lookup is: a freshly started worker, or every worker after a logout anywhere, pays one
bulk read instead of one round trip for each of its users' first requests.  Concurrent misses share one bulk
read; a credential it did not find (created since) is looked up alone as before.

On PostgreSQL a server process may instead keep both counters in memory from the store's notifications
(:class:`~gridwatch.workflow.version_feed.VersionFeed`, ``web.version_feed_max_lag_ms``): a cached
credential is then checked without a round trip (:meth:`CredentialCache.peek_token`), and a revocation is
seen at most that bound after it committed (by the process that committed it: at once).  Whenever the copy
cannot vouch for that bound the request reads the counters as above.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, bindparam, literal, select, update
from sqlalchemy.orm import Session

from gridwatch.workflow.actor import Actor
from gridwatch.workflow.roles import Role
from gridwatch.workflow.tables import ApiToken, AreaVersion, Counter, User
from gridwatch.workflow.version_feed import note_counter_moved

ACCOUNTS = "accounts"

_ACTOR_COLUMNS = (User.id, User.username, User.role, User.jurisdiction_code, User.display_name)
# built once: authentication runs on every request
TOKEN_ACTOR = (
    select(*_ACTOR_COLUMNS)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)
SESSION_ACTOR = select(*_ACTOR_COLUMNS).where(
    User.id == bindparam("uid"), User.active.is_(True), User.session_epoch == bindparam("epoch")
)
# every valid credential at once (the bulk load of a cold or invalidated cache); the same conditions
ALL_TOKENS = (
    select(ApiToken.token_hash, *_ACTOR_COLUMNS)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.revoked_at.is_(None), User.active.is_(True))
    .order_by(ApiToken.id.desc())
    .limit(bindparam("limit"))
)
ALL_SESSIONS = (
    select(User.session_epoch, *_ACTOR_COLUMNS)
    .where(User.active.is_(True))
    .order_by(User.id.desc())
    .limit(bindparam("limit"))
)
_ACCOUNTS_SEQ = select(Counter.value).where(Counter.name == ACCOUNTS).scalar_subquery()
_VERSIONS = select(
    _ACCOUNTS_SEQ,
    select(AreaVersion.seq).where(AreaVersion.code == bindparam("code")).scalar_subquery(),
)
_ACCOUNTS_ONLY = select(_ACCOUNTS_SEQ, literal(0))


def bump_accounts(session: Session) -> None:
    """Increment the ``accounts`` counter in the caller's transaction (every process drops its cached
    actors on its next request)."""
    res = session.execute(update(Counter).where(Counter.name == ACCOUNTS).values(value=Counter.value + 1))
    if res.rowcount == 0:  # type: ignore[attr-defined]  # the migration seeds the row; repaired if deleted
        session.add(Counter(name=ACCOUNTS, value=1))
        session.flush()
    note_counter_moved(session)


def row_actor(row: Any) -> Actor | None:
    return None if row is None else Actor(row[0], row[1], Role(row[2]), row[3], row[4])


class Counters(Protocol):
    """A source of the counters a cached credential is checked against, without the pool
    (:class:`~gridwatch.workflow.version_feed.VersionFeed`,
    :class:`~gridwatch.workflow.sqlite_watch.SqliteWatch`)."""

    def versions(self, code: str | None) -> tuple[int, int] | None:
        """(``accounts`` counter, change counter of area ``code``); None: not known, read the store."""
        ...


@dataclass(frozen=True)
class Resolved:
    actor: Actor
    area_version: int
    """The change counter of the actor's own jurisdiction, read before the request computes anything."""


@dataclass(frozen=True)
class _Entry:
    accounts: int
    actor: Actor


class CredentialCache:
    """Bounded, thread-safe map credential -> actor, valid while the ``accounts`` counter does not move."""

    def __init__(self, engine: Engine, max_entries: int = 50_000, bulk: bool = True) -> None:
        self.engine = engine
        self.max_entries = max_entries
        self.bulk = bulk
        """Whether a miss loads every valid credential at once (:meth:`_load_all`)."""
        self._data: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._loaded_at = -1
        """The ``accounts`` counter the newest bulk load was tagged with (-1: none yet)."""
        self.hits = 0
        self.misses = 0
        self.bulk_loads = 0
        self.feed: Counters | None = None
        """Counters without a statement through the pool (PostgreSQL notifications, SQLite's data
        version); None: every check reads the store."""

    def peek_token(self, digest: str) -> Resolved | None:
        """The cached holder of a token, from memory only, while the feed vouches for the counters;
        None: unknown here — ask :meth:`token` (never a refusal)."""
        return self._peek(("token", digest))

    def peek_session(self, user_id: int, epoch: int) -> Resolved | None:
        """Like :meth:`peek_token`, for a page session."""
        return self._peek(("session", user_id, epoch))

    def _peek(self, key: Hashable) -> Resolved | None:
        feed = self.feed
        entry = self._data.get(key) if feed is not None else None
        if entry is None:
            return None
        versions = feed.versions(entry.actor.jurisdiction_code)  # type: ignore[union-attr]
        if versions is None or versions[0] != entry.accounts:
            return None
        self.hits += 1
        return Resolved(entry.actor, versions[1])

    def token(self, digest: str) -> Resolved | None:
        """The holder of the API token with this digest (None: unknown, revoked, or account disabled)."""
        return self._resolve(("token", digest), TOKEN_ACTOR, {"digest": digest})

    def session(self, user_id: int, epoch: int) -> Resolved | None:
        """The user of a page session of this epoch (None: logged out, reset, or disabled since)."""
        return self._resolve(("session", user_id, epoch), SESSION_ACTOR, {"uid": user_id, "epoch": epoch})

    def _resolve(self, key: Hashable, stmt: Any, params: dict[str, Any]) -> Resolved | None:
        hit = self._peek(key)
        if hit is not None:
            return hit
        entry = self._data.get(key)
        with self.engine.connect() as con:
            if entry is not None:
                accounts, area = _versions(con, entry.actor.jurisdiction_code)
                if accounts == entry.accounts:
                    self.hits += 1
                    return Resolved(entry.actor, area)
            accounts, _ = _versions(con, None)  # before the lookup: a later revocation moves it past our tag
            if self.bulk and self._loaded_at < accounts:
                with self._load_lock:  # concurrent misses wait for one bulk read
                    if self._loaded_at < accounts:
                        self._load_all(con)
                entry = self._data.get(key)
                if entry is not None and entry.accounts == accounts:
                    self.hits += 1
                    return Resolved(entry.actor, _versions(con, entry.actor.jurisdiction_code)[1])
            self.misses += 1
            actor = row_actor(con.execute(stmt, params).first())
            if actor is None:
                self._drop(key)
                return None
            _, area = _versions(con, actor.jurisdiction_code)
        with self._lock:
            self._data[key] = _Entry(accounts, actor)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return Resolved(actor, area)

    def _load_all(self, con: Connection) -> None:
        """Replace the cache by every valid token and page session (newest first, at most ``max_entries``),
        tagged with the ``accounts`` counter read before the statements, as a single lookup is."""
        accounts, _ = _versions(con, None)
        limit = self.max_entries // 2
        tokens = con.execute(ALL_TOKENS, {"limit": limit}).all()
        sessions = con.execute(ALL_SESSIONS, {"limit": limit}).all()
        fresh: OrderedDict[Hashable, _Entry] = OrderedDict()
        for r in reversed(sessions):  # oldest first: the LRU end evicts them first
            fresh[("session", r[1], r[0])] = _Entry(accounts, row_actor(r[1:]))  # type: ignore[arg-type]
        for r in reversed(tokens):
            fresh[("token", r[0])] = _Entry(accounts, row_actor(r[1:]))  # type: ignore[arg-type]
        with self._lock:
            for k, e in self._data.items():  # looked up alone meanwhile, at this counter or a newer one
                if e.accounts >= accounts and k not in fresh:
                    fresh[k] = e
            while len(fresh) > self.max_entries:
                fresh.popitem(last=False)
            self._data = fresh
            self._loaded_at = accounts
        self.bulk_loads += 1

    def _drop(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _versions(con: Connection, code: str | None) -> tuple[int, int]:
    """(accounts counter, change counter of area ``code``) in one statement; 0 where no row exists yet."""
    row = con.execute(_VERSIONS, {"code": code}).one() if code else con.execute(_ACCOUNTS_ONLY).one()
    return row[0] or 0, row[1] or 0
