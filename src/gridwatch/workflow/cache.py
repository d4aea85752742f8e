"""Read caches that stay correct under concurrent writers and several server processes.

Every change to a work order appends an event in the same transaction, and every append bumps the one row
of ``wf_chain_head`` (:func:`gridwatch.workflow.events.append_event`).  Its ``seq`` is therefore a
store-wide change counter shared by all processes.  An event about an order also writes its ``seq`` into
``wf_area_version`` for each area code of the order (city, district, street, community, grid cell): the
*area version* of a code changes exactly when an order of that area changes.

A value that depends only on the orders of one area (its dashboard, the count of its list) is tagged with
that area's version; anything else with the store-wide counter.  A value computed when the counter read
``v`` is still the current answer while the counter still reads ``v`` — and, for answers that depend on the
clock (overdue flags, the day of a trend), until the moment the value says it stops being true
(``valid_until``).  So a claim in one street leaves the other streets' cached dashboards valid.

The counter is read *before* the value is computed, so a write that commits in between can only make the
cached value newer than its tag; the next read sees a higher counter and recomputes.  Nothing is ever
served stale: the price is one primary-key read per request (on PostgreSQL the web app may read the
counters from memory instead, within a bounded lag: :mod:`gridwatch.workflow.version_feed`).  Callers that
miss the same entry at the same version while it is being computed share that one computation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select

from gridwatch.workflow.tables import AreaVersion, ChainHead

V = TypeVar("V")

_HEAD_SEQ = select(ChainHead.seq).where(ChainHead.id == 1)
_AREA_SEQ = select(AreaVersion.seq).where(AreaVersion.code == bindparam("code"))


def store_version(engine: Engine | Connection) -> int:
    """The store-wide change counter (0 before the first event)."""
    if isinstance(engine, Connection):
        return engine.execute(_HEAD_SEQ).scalar() or 0
    with engine.connect() as con:
        return con.execute(_HEAD_SEQ).scalar() or 0


def area_version(engine: Engine | Connection, code: str) -> int:
    """The change counter of one area (any level's code): the seq of the newest event about one of its
    orders, 0 before the first."""
    if isinstance(engine, Connection):
        return engine.execute(_AREA_SEQ, {"code": code}).scalar() or 0
    with engine.connect() as con:
        return con.execute(_AREA_SEQ, {"code": code}).scalar() or 0


@dataclass(frozen=True)
class Entry(Generic[V]):
    version: int
    valid_until: datetime | None
    value: V


FOLLOW_TIMEOUT = 30.0
"""Seconds a caller waits for another's computation of the same entry before computing it itself."""


class _Flight:
    """One computation in progress, awaited by the callers that missed the same entry meanwhile."""

    __slots__ = ("done", "ok", "valid_until", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: object = None
        self.valid_until: datetime | None = None


class VersionedCache(Generic[V]):
    """A bounded, thread-safe LRU map of values tagged with the store version they were computed at.

    Bounded by ``max_entries`` and, when ``weigh`` is given (e.g. the length of a response body), by the total
    weight ``max_weight`` of its values."""

    def __init__(
        self, max_entries: int = 4096, *, weigh: Callable[[V], int] | None = None, max_weight: int = 0
    ) -> None:
        self.max_entries = max_entries
        self.weigh = weigh
        self.max_weight = max_weight
        self.weight = 0
        self._data: OrderedDict[Hashable, Entry[V]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[tuple[Hashable, int], _Flight] = {}
        self.hits = 0
        self.misses = 0
        self.shared = 0
        """Misses answered with the value another caller was computing at the same time."""

    def get(
        self,
        key: Hashable,
        version: int,
        now: datetime,
        compute: Callable[[], tuple[V, datetime | None]],
    ) -> V:
        """The value of ``key`` at store ``version`` and time ``now``; ``compute`` returns (value, valid_until).

        Concurrent misses of one key at one version compute it once: the first caller computes, the others
        wait for its value (a write that invalidates a popular entry costs one computation, not one per
        request arriving meanwhile)."""
        with self._lock:
            e = self._hit(key, version, now)
            if e is not None:
                return e.value
            flight = self._flights.get((key, version))
            leader = flight is None
            if leader:
                flight = self._flights[(key, version)] = _Flight()
                self.misses += 1
        assert flight is not None
        if not leader:
            if (
                flight.done.wait(FOLLOW_TIMEOUT)
                and flight.ok
                and (flight.valid_until is None or now < flight.valid_until)
            ):
                self.shared += 1
                return flight.value  # type: ignore[return-value]
            value, _ = compute()  # the first caller failed or its value is already past its validity
            return value
        try:
            value, valid_until = compute()  # outside the lock: a slow query never blocks other keys
        except BaseException:
            with self._lock:
                self._flights.pop((key, version), None)
            flight.done.set()
            raise
        flight.value, flight.valid_until, flight.ok = value, valid_until, True
        with self._lock:
            self._flights.pop((key, version), None)
            old = self._data.get(key)
            if old is None or old.version <= version:
                self._data[key] = Entry(version, valid_until, value)
                self._data.move_to_end(key)
                if self.weigh is not None:
                    self.weight += self.weigh(value) - (0 if old is None else self.weigh(old.value))
                while len(self._data) > self.max_entries or (
                    self.weigh is not None and self.weight > self.max_weight and len(self._data) > 1
                ):
                    _, gone = self._data.popitem(last=False)
                    if self.weigh is not None:
                        self.weight -= self.weigh(gone.value)
        flight.done.set()
        return value

    def peek(self, key: Hashable, version: int, now: datetime) -> V | None:
        """The value of ``key`` if one is cached for ``version`` and still valid at ``now`` (counted as a hit),
        else None (not counted: the caller computes it through :meth:`get`)."""
        with self._lock:
            e = self._hit(key, version, now)
        return None if e is None else e.value

    def _hit(self, key: Hashable, version: int, now: datetime) -> Entry[V] | None:
        """The entry of ``key`` if valid for ``version`` at ``now``, moved to the recent end and counted as a
        hit (the caller holds the lock)."""
        e = self._data.get(key)
        if e is None or e.version != version or (e.valid_until is not None and now >= e.valid_until):
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return e

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.weight = 0
