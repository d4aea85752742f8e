"""The change counters of a SQLite store, checked per request in microseconds and still exact.

``PRAGMA data_version`` answers, on one connection, a number that changes whenever *another* connection
(of any process) has committed to the database since that connection last asked.  A :class:`SqliteWatch`
keeps one connection of the DB-API driver that never writes, and on every cached read asks it first: while
the number is unchanged, no transaction has committed anywhere since the counters were last read on this
connection, so the ``accounts`` counter and the area change counters it read then are still the store's;
when the number moved, it forgets them and reads the asked ones again (one statement, autocommit: the newest
committed values).  A counter read *after* the number was taken can only be newer than it, so the copy is
never older than the store at the moment the number was read.

Unlike the PostgreSQL feed (:mod:`gridwatch.workflow.version_feed`) there is no lag: a revocation or a write
committed by any process is seen by the next request, as with the read per request through the pool; what
goes is SQLAlchemy's per-statement work and the thread-pool hop, on every cached read.  The connection has
no busy timeout: should SQLite answer busy (a checkpoint holding its lock), :meth:`versions` answers None and
the request reads the counters the usual way.
"""

from __future__ import annotations

import sqlite3
import threading

from gridwatch.workflow.tables import AreaVersion, Counter

_COUNTERS = (
    f"SELECT (SELECT value FROM {Counter.__tablename__} WHERE name = 'accounts'), "
    f"(SELECT seq FROM {AreaVersion.__tablename__} WHERE code = ?)"
)


class SqliteWatch:
    """(accounts counter, area change counter) from memory while ``PRAGMA data_version`` stands still."""

    def __init__(self, path: str) -> None:
        self._con = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._data_version: int | None = None
        self._values: dict[str | None, tuple[int, int]] = {}
        self.reads = 0
        """Counter statements run (the number had moved, or an area not asked since)."""

    def versions(self, code: str | None) -> tuple[int, int] | None:
        """The ``accounts`` counter and the change counter of area ``code`` (0 where no row exists), as
        committed now; None: SQLite did not answer at once (read them the usual way)."""
        with self._lock:
            try:
                dv = self._con.execute("PRAGMA data_version").fetchone()[0]
                if dv != self._data_version:
                    self._values.clear()
                    self._data_version = dv
                v = self._values.get(code)
                if v is None:
                    row = self._con.execute(_COUNTERS, (code,)).fetchone()
                    v = self._values[code] = (row[0] or 0, row[1] or 0)
                    self.reads += 1
                return v
            except sqlite3.Error:
                return None

    def close(self) -> None:
        with self._lock:
            self._con.close()
