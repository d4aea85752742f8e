"""The change counters kept in memory from PostgreSQL notifications, so a cached read needs no round trip.

Every change of ``wf_area_version`` or ``wf_counter`` is announced by a trigger with ``NOTIFY`` in its own
transaction (migration ``wfp004``): PostgreSQL delivers it only once the transaction has committed, and
delivers the notifications of all transactions in the order they committed.  A :class:`VersionFeed` holds
one listening connection in a background thread and applies them to an in-process copy of the counters.

How fresh is that copy?  The listener sends a *ping* — a notification on a channel of its own — every
``max_lag / 4`` seconds and notes the moment it sent it.  When the ping comes back, every change committed
before that moment has come back before it (commit order), so the copy is known to contain every change
committed up to the moment the ping was sent.  :meth:`VersionFeed.versions` answers only while that moment
is at most ``max_lag`` old; otherwise (the listener lagging, its connection lost, the process just started)
it answers None and the caller reads the counters from the store as before.  A lost connection is retried
after a short pause, reloads the counters and pings before it is trusted again.

The guarantee: **a read reflects every change committed more than ``max_lag`` earlier** (by any process),
and every change this process committed itself (:func:`note_commit` applies it at once, or distrusts the
copy until a later ping has come back).  Counters only grow while the rows exist; a deleted row or a
truncated table makes every listener reload.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "gw_versions_"
APPLICATION_NAME = "gridwatch version feed "
"""The listening connection's ``application_name`` (followed by the schema), as seen in pg_stat_activity."""
ACCOUNTS = "accounts"
AREAS_KEY = "gw_area_versions"
"""``Session.info`` key under which a transaction notes the area counters it set (code -> seq)."""
COUNTERS_KEY = "gw_counters_moved"
"""``Session.info`` key: set when a transaction moved a named counter."""
IDLE_AFTER = 2.0
"""Seconds without a reader after which the listener pings only every ``IDLE_PING`` seconds."""
IDLE_PING = 0.5


def note_area_versions(session: Session, codes: list[str], seq: int) -> None:
    """Record, for this process's own feed, that the transaction sets ``codes`` to ``seq`` (bounded by the
    number of areas, should no feed ever collect it)."""
    noted = session.info.setdefault(AREAS_KEY, {})
    for c in codes:
        _raise(noted, c, seq)


def note_counter_moved(session: Session) -> None:
    """Record, for this process's own feed, that the transaction moves a named counter."""
    session.info[COUNTERS_KEY] = True


class VersionFeed:
    """In-memory ``accounts`` counter and area counters of one PostgreSQL schema, fed by LISTEN/NOTIFY."""

    def __init__(self, engine: Engine, max_lag: float, retry: float = 1.0) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the version feed needs PostgreSQL (LISTEN/NOTIFY)")
        self.engine = engine
        self.max_lag = max_lag
        self.interval = max_lag / 4
        self.retry = retry
        self._areas: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self._fresh_as_of = -math.inf  # monotonic moment up to which every committed change is applied
        self._barrier = -math.inf  # a ping sent before this moment proves nothing (own unknown change)
        self._wanted = -math.inf  # last time a reader asked
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # writers only (the listener and this process's commits)
        self.reloads = 0
        self.pings = 0
        self.misses = 0

    # -- readers -------------------------------------------------------------------------------------

    def versions(self, code: str | None) -> tuple[int, int] | None:
        """(accounts counter, counter of area ``code``) as of at most ``max_lag`` ago, or None when the
        copy cannot be trusted that far (then read the store)."""
        now = time.monotonic()
        self._wanted = now
        fresh = self._fresh_as_of
        if fresh < self._barrier or now - fresh > self.max_lag:
            self.misses += 1
            return None
        return self._counters.get(ACCOUNTS, 0), (self._areas.get(code, 0) if code else 0)

    @property
    def live(self) -> bool:
        return self.versions(None) is not None

    # -- this process's own commits ---------------------------------------------------------------------

    def attach(self, sessions: sessionmaker[Session]) -> None:
        """Apply the changes committed through ``sessions`` at once (read-your-writes in this process)."""
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_soft_rollback", _forget)  # savepoints too: forget, never guess

    def detach(self, sessions: sessionmaker[Session]) -> None:
        event.remove(sessions, "after_commit", self._after_commit)
        event.remove(sessions, "after_soft_rollback", _forget)

    def _after_commit(self, session: Session) -> None:
        areas = session.info.pop(AREAS_KEY, None)
        if areas:
            with self._lock:
                for c, seq in areas.items():
                    _raise(self._areas, c, seq)
        if session.info.pop(COUNTERS_KEY, None):
            self._barrier = time.monotonic()  # the new value comes with a later ping

    # -- the listener ------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="version-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (the thread notices within one wait, at most ``IDLE_PING`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * IDLE_PING)
            self._thread = None

    def _connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        # keepalives: a silently dead network ends the connection (and the trust) within ~15 s
        kwargs = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                  "keepalives_count": 3, **kwargs, "autocommit": True}
        return psycopg.connect(*args, **kwargs)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    self._listen(conn)
            except Exception as exc:  # any failure: distrust, reconnect after a pause
                if not self._stop.is_set():
                    log.warning("version feed: %s; reading counters from the store until it reconnects", exc)
            finally:
                self._fresh_as_of = -math.inf
            self._stop.wait(self.retry)

    def _listen(self, conn) -> None:  # type: ignore[no-untyped-def]
        from psycopg import sql

        schema = conn.execute("SELECT current_schema()").fetchone()[0]
        conn.execute("SELECT set_config('application_name', %s, false)", (APPLICATION_NAME + schema,))
        channel = CHANNEL_PREFIX + schema
        ping_channel = f"{CHANNEL_PREFIX}ping_{secrets.token_hex(8)}"
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(ping_channel)))
        self._reload(conn)
        pending: dict[str, float] = {}  # ping payload -> monotonic moment it was sent
        n = 0
        reload = False
        while not self._stop.is_set():
            n += 1
            if len(pending) > 1000:  # pings never seen again (cannot happen while connected)
                pending.clear()
            pending[str(n)] = sent = time.monotonic()
            conn.execute("SELECT pg_notify(%s, %s)", (ping_channel, str(n)))
            self.pings += 1
            idle = sent - self._wanted > IDLE_AFTER
            for note in conn.notifies(timeout=IDLE_PING if idle else self.interval):
                if note.channel == ping_channel:
                    at = pending.pop(note.payload, None)
                    if at is not None and at > self._fresh_as_of:
                        self._fresh_as_of = at
                elif self._apply(note.payload):
                    self._fresh_as_of = -math.inf
                    reload = True
                    break  # the generator holds the connection: reload after it
                if self._stop.is_set():
                    break
            if reload:
                reload = False
                self._reload(conn)
                pending.clear()  # pings sent before the reload prove nothing about it

    def _apply(self, payload: str) -> bool:
        """Apply one notification; True when everything must be reloaded."""
        kind, _, rest = payload.partition(" ")
        target = {"a": self._areas, "c": self._counters}.get(kind)
        if target is None:
            return True
        name, _, value = rest.rpartition(" ")
        with self._lock:
            _raise(target, name, int(value))
        return False

    def _reload(self, conn) -> None:  # type: ignore[no-untyped-def]
        """Read every counter (after LISTEN, so nothing committed later is missed; values only grow, so a
        notification older than this read changes nothing)."""
        areas = dict(conn.execute("SELECT code, seq FROM wf_area_version").fetchall())
        counters = dict(conn.execute("SELECT name, value FROM wf_counter").fetchall())
        with self._lock:
            self._areas, self._counters = areas, counters  # swapped whole: a reader sees one or the other
        self.reloads += 1


def _raise(values: dict[str, int], name: str, value: int) -> None:
    """Counters only grow: keep the larger of the known and the notified value."""
    if values.get(name, 0) < value:
        values[name] = value


def _forget(session: Session, *_transaction: object) -> None:
    """A rollback (of the transaction or of a savepoint): its notes may be void, so drop them all — the
    changes that did commit then arrive by notification, within the bound."""
    session.info.pop(AREAS_KEY, None)
    session.info.pop(COUNTERS_KEY, None)
