"""The HJ 212 TCP gateway: an asyncio server for thousands of device connections.

Per connection (an :class:`asyncio.Protocol`, no task per client): bytes go through a bounded
:class:`FrameSplitter`; each frame is parsed, split packets reassembled, the MN and password checked.
Refused frames are answered at once (9011 with QnRtn when the Flag asks) and counted; too many bad frames
in a row close the connection.  Accepted frames join the commit queue; one writer thread stores them in
batches (and runs the detectors in the same transaction) and only then are their replies (9014) written —
an acknowledged frame is always on disk.

Nothing a client does can stall the others: reads never block, a client that does not read its replies
is paused and then dropped (``write_timeout_s``), idle connections are closed (``idle_timeout_s``), and
when the commit queue is full every connection stops reading until the writer catches up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from gridwatch.monitoring.alarms import AlarmEvent, utcnow
from gridwatch.monitoring.hj212.crc import BatchCrc
from gridwatch.monitoring.hj212.frame import Frame, FrameError, parse_frame
from gridwatch.monitoring.hj212.reassembly import SplitPacketAssembler
from gridwatch.monitoring.hj212.replies import reply_for, reply_segment, request_reply, wrap_segments
from gridwatch.monitoring.hj212.stream import FrameSplitter
from gridwatch.monitoring.ingest import Accepted, Ingestor, Refused
from gridwatch.monitoring.settings import GatewaySettings

log = logging.getLogger(__name__)

MAX_PENDING = 50_000  # frames waiting for commit before connections are paused


@dataclass
class GatewayStats:
    connections: int = 0
    connections_total: int = 0
    frames_accepted: int = 0
    frames_refused: int = 0
    frames_malformed: int = 0
    batches: int = 0
    refused_reasons: dict[str, int] = field(default_factory=dict)

    def count_refusal(self, reason: str) -> None:
        self.refused_reasons[reason] = self.refused_reasons.get(reason, 0) + 1


@dataclass
class _Pending:
    accepted: Accepted
    reply: bytes | str | None  # a ready frame, or a data segment still to be wrapped (CRC in batch)
    conn: _Connection | None
    future: asyncio.Future[None] | None = None


class Gateway:
    def __init__(self, ingestor: Ingestor, settings: GatewaySettings, *, on_events=None) -> None:  # type: ignore[no-untyped-def]
        self.ingestor = ingestor
        self.settings = settings
        self.on_events = on_events
        self.stats = GatewayStats()
        self._queue: list[_Pending] = []
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-writer")
        self._connections: set[_Connection] = set()
        self._paused_for_queue: set[_Connection] = set()
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self.assembler = SplitPacketAssembler()
        self.batch_crc = BatchCrc(settings.max_frame_bytes)
        self._received_at = utcnow()

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str | None = None, port: int | None = None) -> int:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self),
            host or self.settings.host,
            self.settings.port if port is None else port,
            backlog=4096,
            reuse_address=True,
        )
        self._tasks = [
            asyncio.create_task(self._flush_loop(), name="hj212-flush"),
            asyncio.create_task(self._housekeeping(), name="hj212-housekeeping"),
        ]
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop accepting, commit what is queued, close connections."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections):
            if conn.transport is not None:
                conn.transport.pause_reading()
        await self._drain()
        for t in self._tasks:
            t.cancel()
        for conn in list(self._connections):
            if conn.transport:
                conn.transport.close()
        if self._server is not None:
            await self._server.wait_closed()
        await loop_run(self._executor, self.ingestor.close)
        self._executor.shutdown(wait=True)

    # ------------------------------------------------------------------ intake

    def handle_frame(
        self, raw: bytes, conn: _Connection | None, crc: int | None = None
    ) -> tuple[bytes | None, str | None]:
        """Parse and check one frame; accepted frames are queued. Returns (immediate reply, error)."""
        try:
            frame = parse_frame(
                raw, require_trailer=True, max_length=self.settings.max_frame_bytes, computed_crc=crc
            )
        except FrameError as exc:
            self.stats.frames_malformed += 1
            self.stats.count_refusal(exc.reason)
            return None, f"{exc.reason}: {exc}"
        try:
            data_time = self.ingestor.check(frame)
        except Refused as exc:
            self.stats.frames_refused += 1
            self.stats.count_refusal(f"qnrtn_{exc.qn_rtn}")
            log.warning("refused frame from %s: %s", conn.peer if conn else "http", exc)
            return (request_reply(frame, exc.qn_rtn) if frame.reply_wanted else None), str(exc)
        if frame.is_split:
            try:
                whole = self.assembler.add(frame, time.monotonic())
            except FrameError as exc:
                return None, f"{exc.reason}: {exc}"
            reply = reply_for(frame)  # each packet is acknowledged once the whole message is stored
            if whole is None:
                if reply is not None and conn is not None:
                    conn.held_replies.append(reply)
                return None, None
            held: list[bytes] = []
            if conn is not None:
                held, conn.held_replies = conn.held_replies, []
            replies = b"".join(held) + (reply or b"")
            self._enqueue(whole, raw, data_time, conn, replies or None)
            return None, None
        self._enqueue(frame, raw, data_time, conn, reply_segment(frame))
        return None, None

    def _enqueue(
        self,
        frame: Frame,
        raw: bytes,
        data_time: datetime,
        conn: _Connection | None,
        reply: bytes | str | None,
        future: asyncio.Future[None] | None = None,
    ) -> None:
        acc = Accepted(frame, raw, data_time, self._received_at, time.time())
        self._queue.append(_Pending(acc, reply, conn, future))
        if conn is not None:
            conn.pending += 1
        self.stats.frames_accepted += 1
        self._wake.set()
        if len(self._queue) >= MAX_PENDING and len(self._paused_for_queue) < len(self._connections):
            for c in self._connections:  # (once: not again per frame while every connection is paused)
                if c.transport and not c.transport.is_closing():
                    c.transport.pause_reading()
                    self._paused_for_queue.add(c)

    async def ingest(self, raw: bytes) -> dict[str, object]:
        """Ingest one frame from another transport (HTTP); returns after it is stored."""
        frame_or_error = self.handle_frame_for_future(raw)
        if isinstance(frame_or_error, dict):
            return frame_or_error
        await frame_or_error
        return {"accepted": True, "error": None}

    def handle_frame_for_future(self, raw: bytes) -> asyncio.Future[None] | dict[str, object]:
        try:
            frame = parse_frame(raw, max_length=self.settings.max_frame_bytes)
            data_time = self.ingestor.check(frame)
            self._received_at = utcnow()
        except (FrameError, Refused) as exc:
            self.stats.frames_refused += 1
            return {"accepted": False, "error": str(exc)}
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(frame, raw, data_time, None, None, fut)
        return fut

    # ------------------------------------------------------------------ the write path

    async def _flush_loop(self) -> None:
        loop = asyncio.get_running_loop()
        wait = self.settings.batch_max_wait_ms / 1000
        while True:
            await self._wake.wait()
            if wait and len(self._queue) < self.settings.batch_max_frames:
                await asyncio.sleep(wait)
            await self._flush_once(loop)

    async def _flush_once(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._queue[: self.settings.batch_max_frames]
        del self._queue[: len(batch)]
        if not self._queue:
            self._wake.clear()
        if not batch:
            return
        try:
            events = await loop.run_in_executor(
                self._executor, self.ingestor.commit, [p.accepted for p in batch]
            )
        except Exception as exc:  # the batch is not stored: nothing is acknowledged, connections drop
            log.exception("commit of %d frames failed; their senders are disconnected", len(batch))
            for p in batch:
                if p.future is not None and not p.future.done():
                    p.future.set_exception(exc)
                if p.conn is not None and p.conn.transport is not None:
                    p.conn.transport.abort()
            return
        self.stats.batches += 1
        segments = [p.reply for p in batch if isinstance(p.reply, str)]
        wrapped = iter(wrap_segments(segments, self.batch_crc([s.encode("utf-8") for s in segments])))
        out: dict[_Connection, list[bytes]] = {}
        for p in batch:
            if p.conn is not None:
                p.conn.pending -= 1
                if p.reply is not None:
                    reply = next(wrapped) if isinstance(p.reply, str) else p.reply
                    out.setdefault(p.conn, []).append(reply)
            if p.future is not None and not p.future.done():
                p.future.set_result(None)
        for conn, replies in out.items():  # one write per connection per batch
            conn.write(b"".join(replies))
        if self._paused_for_queue and len(self._queue) < MAX_PENDING // 2:
            for c in self._paused_for_queue:
                if c.transport and not c.transport.is_closing() and not c.write_paused:
                    c.transport.resume_reading()
            self._paused_for_queue.clear()
        if events and self.on_events is not None:
            self.on_events(events)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            await self._flush_once(loop)

    # ------------------------------------------------------------------ timers

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        last_reload = last_sweep = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for conn in list(self._connections):
                conn.check_timeouts(now)
            if now - last_reload >= self.settings.registry_reload_s:
                last_reload = now
                await asyncio.to_thread(self.ingestor.reload)  # a reader thread: commits go on
            if now - last_sweep >= self.settings.offline_sweep_s:
                last_sweep = now
                events: list[AlarmEvent] = await loop.run_in_executor(self._executor, self.ingestor.sweep)
                if events and self.on_events is not None:
                    self.on_events(events)


async def loop_run(executor: ThreadPoolExecutor, fn) -> None:  # type: ignore[no-untyped-def]
    await asyncio.get_running_loop().run_in_executor(executor, fn)


class _Connection(asyncio.Protocol):
    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        self.transport: asyncio.Transport | None = None
        self.splitter = FrameSplitter(max_length=gateway.settings.max_frame_bytes)
        self.last_read = time.monotonic()
        self.write_paused_since: float | None = None
        self.bad_in_a_row = 0
        self.peer = "?"
        self.held_replies: list[bytes] = []
        self.pending = 0  # frames of this connection waiting for their commit

    @property
    def write_paused(self) -> bool:
        return self.write_paused_since is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        gw = self.gw
        if gw._closing or len(gw._connections) >= gw.settings.max_connections:
            transport.abort()
            return
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        transport.set_write_buffer_limits(high=256 * 1024)
        gw._connections.add(self)
        gw.stats.connections = len(gw._connections)
        gw.stats.connections_total += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.gw._connections.discard(self)
        self.gw._paused_for_queue.discard(self)
        self.gw.stats.connections = len(self.gw._connections)

    def data_received(self, data: bytes) -> None:
        self.last_read = time.monotonic()
        gw = self.gw
        gw._received_at = utcnow()
        items = self.splitter.feed(data)
        frames = [x for x in items if isinstance(x, bytes)]
        crcs = iter(gw.batch_crc([f[6:-6] for f in frames]) if len(frames) > 4 else [None] * len(frames))
        for item in items:
            if isinstance(item, FrameError):
                gw.stats.frames_malformed += 1
                gw.stats.count_refusal(item.reason)
                self._bad()
                continue
            reply, error = gw.handle_frame(item, self, next(crcs))
            if reply is not None:
                self.write(reply)
            if error is not None:
                self._bad()
            else:
                self.bad_in_a_row = 0

    def _bad(self) -> None:
        self.bad_in_a_row += 1
        if self.bad_in_a_row >= self.gw.settings.max_bad_frames and self.transport is not None:
            log.warning("closing %s after %d bad frames in a row", self.peer, self.bad_in_a_row)
            self.transport.close()

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def pause_writing(self) -> None:  # the client does not read its replies: stop reading from it
        self.write_paused_since = time.monotonic()
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.write_paused_since = None
        if self.transport is not None and self not in self.gw._paused_for_queue:
            self.transport.resume_reading()

    def check_timeouts(self, now: float) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        s = self.gw.settings
        if self.write_paused_since is not None and now - self.write_paused_since > s.write_timeout_s:
            log.warning("dropping %s: replies not read for %.0f s", self.peer, now - self.write_paused_since)
            self.transport.abort()
        elif (
            now - self.last_read > s.idle_timeout_s
            and not self.pending
            and self not in self.gw._paused_for_queue
        ):
            self.transport.close()
