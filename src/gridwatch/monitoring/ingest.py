"""The ingest pipeline shared by the TCP gateway and the HTTP endpoint (synchronous; one writer thread).

``check`` decides whether a parsed frame is accepted (registered, enabled MN, right password, sane
DataTime).  ``commit`` stores a batch of accepted frames, runs the detectors on them and writes the
resulting alarm changes (and severe alarms' outbox rows, and the webhook deliveries) — all in one transaction; only after it
returns may the gateway acknowledge the frames.  ``sweep`` runs the wall-clock detectors (offline).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, event, func, select

from gridwatch.monitoring.alarms import AlarmBook, AlarmEvent
from gridwatch.monitoring.detectors.base import (
    DetectContext,
    Detector,
    DeviceState,
    Finding,
    Observation,
    build_detectors,
    sweep_after_s,
    to_seconds,
)
from gridwatch.monitoring.hj212.frame import Frame
from gridwatch.monitoring.hj212.replies import QN_RTN_BAD_MN, QN_RTN_BAD_PW, QN_RTN_UNKNOWN
from gridwatch.monitoring.registry import PointInfo, Snapshot, load_snapshot, registry_version
from gridwatch.monitoring.settings import MonitoringSettings
from gridwatch.monitoring.tables import MonReading
from gridwatch.monitoring.webhooks import enqueue
from gridwatch.store.db import session_factory

log = logging.getLogger(__name__)

#: CNs whose frames carry channel values that detectors observe (real-time and minute data)
OBSERVED_CNS = frozenset({"2011", "2051"})
#: items of a factor read as its value, in order of preference
VALUE_ITEMS = ("Rtd", "Avg")
KWH_ITEMS = ("Rtd", "Cou", "Avg")
#: detectors whose condition any accepted frame ends (silence)
ENDED_BY_ANY_FRAME = ("offline",)


class Refused(Exception):
    """A frame is not accepted; ``qn_rtn`` is the 9011 QnRtn code to answer with."""

    def __init__(self, qn_rtn: int, message: str) -> None:
        super().__init__(message)
        self.qn_rtn = qn_rtn


@dataclass(slots=True)
class Accepted:
    frame: Frame
    raw: bytes
    data_time: datetime
    received_at: datetime
    wall: float


_DATA_TIMES: dict[str, datetime] = {}  # many devices send the same DataTime (the minute's boundary)
_DATA_TIMES_MAX = 4096


def parse_data_time(text: str | None) -> datetime | None:
    """``yyyyMMddHHmmss`` (optionally with milliseconds) → naive device-local datetime."""
    if text is None:
        return None
    known = _DATA_TIMES.get(text)
    if known is not None:
        return known
    parsed = _parse_data_time(text)
    if len(_DATA_TIMES) >= _DATA_TIMES_MAX:
        _DATA_TIMES.clear()
    _DATA_TIMES[text] = parsed
    return parsed


def _parse_data_time(text: str) -> datetime:
    if len(text) not in (14, 17) or not text.isdigit():
        raise ValueError(f"DataTime={text!r} is not yyyyMMddHHmmss")
    ms = int(text[14:17]) if len(text) == 17 else 0
    return datetime(
        int(text[0:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        int(text[12:14]),
        ms * 1000,
    )


def _number(factor: dict[str, str] | None, items: tuple[str, ...]) -> float | None:
    if not factor:
        return None
    for item in items:
        value = factor.get(item)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _rows(batch: list[Accepted], *, as_text: bool) -> list[tuple]:
    """mon_reading rows of a batch; ``as_text``: times in SQLAlchemy's own DATETIME text format (SQLite).

    Timestamps repeat within a batch (one DataTime per minute, one received_at per socket read), so each
    distinct one is formatted once.
    """
    if not as_text:
        return [
            (
                a.frame.mn,
                a.frame.cn,
                a.frame.qn,
                a.data_time,
                a.received_at,
                a.frame.cp_text,
                _raw_text(a.raw),
            )
            for a in batch
        ]
    texts: dict[datetime, str] = {}

    def fmt(dt: datetime) -> str:
        text = texts.get(dt)
        if text is None:
            text = texts[dt] = dt.isoformat(" ", "microseconds")
        return text

    return [
        (
            a.frame.mn,
            a.frame.cn,
            a.frame.qn,
            fmt(a.data_time),
            fmt(a.received_at),
            a.frame.cp_text,
            _raw_text(a.raw),
        )
        for a in batch
    ]


def _raw_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def observation(frame: Frame, point: PointInfo, data_time: datetime) -> Observation:
    """The channel powers and kWh a frame carries, by the channels' factor codes."""
    cp = frame.cp
    power: dict[str, float | None] = {}
    kwh: dict[str, float | None] = {}
    for ch in point.channels:
        pf = cp.get(ch.power_code)
        ef = cp.get(ch.kwh_code)
        power[ch.channel_id] = _number(pf, VALUE_ITEMS) if pf.__class__ is dict else None
        kwh[ch.channel_id] = _number(ef, KWH_ITEMS) if ef.__class__ is dict else None
    return Observation(data_time=data_time, t=to_seconds(data_time), power=power, kwh=kwh)


class Ingestor:
    def __init__(self, engine: Engine, settings: MonitoringSettings, *, wall_clock=time.time) -> None:
        self.engine = engine
        self.settings = settings
        self.detectors: list[Detector] = build_detectors(settings.disabled_detectors)
        self.book = AlarmBook()
        self.devices: dict[str, DeviceState] = {}
        self._by_wall: OrderedDict[str, DeviceState] = OrderedDict()  # oldest last frame first
        self.snapshot = Snapshot()
        self.wall_clock = wall_clock
        self.stored = 0
        self._conn: Connection | None = None
        self.duplicates = 0
        if engine.dialect.name == "sqlite":
            sync = settings.gateway.sqlite_synchronous

            @event.listens_for(engine, "connect")
            def _sync(dbapi_con, _record):  # type: ignore[no-untyped-def]
                dbapi_con.execute(f"PRAGMA synchronous={sync}")

        self.reload()
        with engine.begin() as conn:
            self.book.load(conn)
            self._resume(conn)

    def _resume(self, conn: Connection) -> None:
        """Device states as the store left them, so a device silent since before a restart is still
        swept (reported offline) and a frame older than its last one is still recognised as late."""
        rows = conn.execute(
            select(MonReading.mn, func.max(MonReading.received_at), func.max(MonReading.data_time))
            .group_by(MonReading.mn)
        ).all()
        for mn, received_at, data_time in sorted(rows, key=lambda r: r[1]):
            point = self.snapshot.points.get(mn)
            if point is None or not point.enabled or received_at is None:
                continue
            dev = self._device(point)
            dev.last_wall = received_at.replace(tzinfo=UTC).timestamp()  # received_at is naive UTC
            dev.last_t = to_seconds(data_time)
            self._by_wall[mn] = dev

    # ------------------------------------------------------------------ registry

    def reload(self, *, force: bool = False) -> bool:
        """Re-read devices, plans and restriction periods when the registry version changed.

        Safe to run in a thread of its own: the new snapshot replaces the old one in one assignment, and
        device states pick up their new point on their next frame.
        """
        with session_factory(self.engine)() as session:
            if not force and registry_version(session) == self.snapshot.version:
                return False
            self.snapshot = load_snapshot(session)
        return True

    def check(self, frame: Frame) -> datetime:
        """Accept or refuse a frame (thread-safe); returns its DataTime (or now when it has none)."""
        point = self.snapshot.points.get(frame.mn)
        if point is None or not point.enabled:
            raise Refused(QN_RTN_BAD_MN, f"MN {frame.mn} is not registered")
        if frame.pw != point.password:
            raise Refused(QN_RTN_BAD_PW, f"MN {frame.mn}: wrong password")
        try:
            data_time = parse_data_time(frame.data_time)
        except ValueError as exc:
            raise Refused(QN_RTN_UNKNOWN, f"MN {frame.mn}: {exc}") from None
        return data_time or datetime.now().replace(microsecond=0)

    # ------------------------------------------------------------------ the write path

    def commit(self, batch: list[Accepted]) -> list[AlarmEvent]:
        """Store a batch and apply the detectors, in one transaction."""
        if not batch:
            return []
        events: list[AlarmEvent] = []
        with self._writer_conn() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            sql = (
                "INSERT INTO mon_reading (mn, cn, qn, data_time, received_at, cp, raw) "
                f"VALUES ({', '.join([mark] * 7)}) ON CONFLICT (mn, cn, data_time) DO NOTHING"
            )
            rows = _rows(batch, as_text=conn.dialect.name == "sqlite")
            cursor = conn.exec_driver_sql(sql, rows)
            inserted = cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else len(rows)
            self.stored += inserted
            self.duplicates += len(rows) - inserted
            ctx = DetectContext(self.settings.detectors, self.snapshot)
            for a in batch:
                events.extend(self._observe(conn, a, ctx))
            enqueue(conn, self.settings.webhooks, events)  # durable deliveries, same transaction
        return events

    @contextmanager
    def _writer_conn(self) -> Iterator[Connection]:
        """A transaction on the writer's own long-lived connection (no pool checkout per batch)."""
        if self._conn is None or self._conn.closed:
            self._conn = self.engine.connect()
        try:
            with self._conn.begin():
                yield self._conn
        except Exception:
            self._conn.close()
            self._conn = None
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _device(self, point: PointInfo) -> DeviceState:
        dev = self.devices.get(point.mn)
        if dev is None:
            dev = self.devices[point.mn] = DeviceState(
                point, curve_len=self.settings.detectors.evidence_points
            )
        return dev

    def _observe(self, conn, a: Accepted, ctx: DetectContext) -> list[AlarmEvent]:  # type: ignore[no-untyped-def]
        point = self.snapshot.points.get(a.frame.mn)
        if point is None:
            return []
        dev = self._device(point)
        if dev.point is not point:
            dev.point = point
        dev.last_wall = a.wall
        self._by_wall[point.mn] = dev
        self._by_wall.move_to_end(point.mn)
        if a.frame.cn not in OBSERVED_CNS:
            return self._apply_all(conn, dev, {k: [] for k in ENDED_BY_ANY_FRAME}, a.data_time)
        obs = observation(a.frame, point, a.data_time)
        if dev.last_t is not None and obs.t <= dev.last_t:
            return self._apply_all(
                conn, dev, {k: [] for k in ENDED_BY_ANY_FRAME}, a.data_time
            )  # re-sent or late: stored only
        dev.remember(obs)
        results = {d.name: d.observe(dev, obs, ctx) for d in self.detectors}
        dev.last_t = obs.t
        return self._apply_all(conn, dev, results, a.data_time)

    def _apply_all(
        self,
        conn,
        dev: DeviceState,
        results: dict[str, list[Finding]],  # type: ignore[no-untyped-def]
        data_time: datetime,
    ) -> list[AlarmEvent]:
        events: list[AlarmEvent] = []
        has_open = self.book.has_open
        for name, findings in results.items():
            if not findings and not has_open(name, dev.point.mn):
                continue
            events.extend(
                self.book.apply(
                    conn,
                    detector=name,
                    dev=dev,
                    findings=findings,
                    data_time=data_time,
                    account_no=dev.point.account_no,
                )
            )
        return events

    def sweep(self, wall: float | None = None) -> list[AlarmEvent]:
        """Run the wall-clock detectors over the devices silent long enough to matter.

        Devices are kept in order of their last frame, so a sweep walks only the silent ones (a few
        among 100,000) instead of every device.
        """
        wall = self.wall_clock() if wall is None else wall
        ctx = DetectContext(self.settings.detectors, self.snapshot)
        sweepers = [(d, sweep_after_s(d, ctx.settings)) for d in self.detectors]
        sweepers = [(d, after) for d, after in sweepers if after is not None]
        if not sweepers:
            return []
        horizon = wall - min(after for _, after in sweepers)
        silent = []
        for dev in self._by_wall.values():
            if dev.last_wall is None or dev.last_wall > horizon:
                break
            silent.append(dev)
        events: list[AlarmEvent] = []
        if not silent:
            return events
        with self._writer_conn() as conn:
            for dev in silent:
                for d, _ in sweepers:
                    findings = d.sweep(dev, wall, ctx)
                    if findings is None:
                        continue
                    data_time = datetime.now()
                    events.extend(
                        self.book.apply(
                            conn,
                            detector=d.name,
                            dev=dev,
                            findings=findings,
                            data_time=data_time,
                            account_no=dev.point.account_no,
                        )
                    )
            enqueue(conn, self.settings.webhooks, events)
        return events
