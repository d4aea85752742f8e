"""Webhooks: alarm events POSTed as JSON to outside systems (hotline, mobile enforcement), durably.

The ingest pipeline writes one ``mon_webhook`` row per (event, URL) in the same transaction as the alarm
change (:func:`enqueue`), so an event is never lost between the alarm and its delivery, not even across a
crash or restart. One background task (:class:`WebhookSender`) delivers due rows in order, retrying
with exponential back-off (``backoff_s`` doubled each attempt) until the receiver answers 2xx
(``delivered``), refuses with 4xx other than 429 (``failed``), or ``retries`` are used up (``failed``).
When more than ``queue_size`` rows wait, the oldest are marked ``dropped`` and counted. Delivery is
at-least-once: a crash after a POST and before its row is marked repeats that POST; receivers use
``alarm_id`` + ``kind`` + ``grade`` to recognise a repeat. Submitting never waits on a receiver, so a slow
or dead one cannot stall the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Connection, Engine, func, insert, select, update

from gridwatch.monitoring.alarms import AlarmEvent, utcnow
from gridwatch.monitoring.detectors.base import GRADE_RANK
from gridwatch.monitoring.settings import WebhookSettings
from gridwatch.monitoring.tables import MonWebhook

log = logging.getLogger(__name__)

_hook = MonWebhook.__table__
BATCH = 100  # due rows fetched per round


def enqueue(conn: Connection, settings: WebhookSettings, events: list[AlarmEvent]) -> int:
    """Insert the deliveries of ``events`` (at or above ``min_grade``, one per URL) in the caller's
    transaction; returns how many rows were written."""
    if not settings.urls or not events:
        return 0
    floor = GRADE_RANK[settings.min_grade]
    now = utcnow()
    rows = [
        {"url": url, "alarm_id": ev.alarm_id, "body": ev.to_json(), "status": "pending", "attempts": 0,
         "created_at": now, "next_attempt_at": now}
        for ev in events if GRADE_RANK.get(ev.grade, 0) >= floor
        for url in settings.urls
    ]
    if rows:
        conn.execute(insert(_hook), rows)
    return len(rows)


class WebhookSender:
    """Delivers the pending ``mon_webhook`` rows of a store (one task; ``submit`` only wakes it)."""

    def __init__(
        self,
        settings: WebhookSettings,
        engine: Engine,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        idle_poll_s: float = 5.0,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._transport = transport
        self._idle_poll_s = idle_poll_s
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    def submit(self, events: list[AlarmEvent]) -> None:
        """New rows were committed for ``events``: deliver them now rather than at the next poll."""
        if self.settings.urls and events:
            self._wake.set()

    def start(self) -> None:
        if self._task is None and self.settings.urls:
            self._task = asyncio.create_task(self._run(), name="webhooks")

    async def stop(self, *, flush_timeout_s: float = 5.0) -> None:
        """Give due deliveries a moment to go out; what is left is delivered after the next start."""
        if self._task is None:
            return
        try:
            async with asyncio.timeout(flush_timeout_s):
                while await asyncio.to_thread(self._due_count) > 0:
                    self._wake.set()
                    await asyncio.sleep(0.05)
        except TimeoutError:
            pass
        self._task.cancel()
        self._task = None

    @property
    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(_hook).where(_hook.c.status == "pending")
            ).scalar_one()

    # ------------------------------------------------------------------ store side (run in a thread)

    def _due_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(_hook)
                .where(_hook.c.status == "pending", _hook.c.next_attempt_at <= utcnow())
            ).scalar_one()

    def _due(self) -> tuple[list[tuple[int, str, dict, int]], datetime | None]:
        """Drop the overflow, then the due rows (oldest first) and when the next one falls due."""
        with self.engine.begin() as conn:
            pending = select(_hook.c.id).where(_hook.c.status == "pending")
            cut = conn.execute(
                pending.order_by(_hook.c.id.desc()).offset(self.settings.queue_size).limit(1)
            ).scalar()
            if cut is not None:
                n = conn.execute(
                    update(_hook).where(_hook.c.status == "pending", _hook.c.id <= cut)
                    .values(status="dropped", finished_at=utcnow(), last_error="queue full")
                ).rowcount
                self.dropped += n
                log.warning("webhooks: %d oldest pending deliveries dropped (queue_size %d)", n,
                            self.settings.queue_size)
            now = utcnow()
            rows = conn.execute(
                select(_hook.c.id, _hook.c.url, _hook.c.body, _hook.c.attempts)
                .where(_hook.c.status == "pending", _hook.c.next_attempt_at <= now)
                .order_by(_hook.c.id).limit(BATCH)
            ).all()
            nxt = conn.execute(
                select(func.min(_hook.c.next_attempt_at)).where(_hook.c.status == "pending")
            ).scalar()
        return [tuple(r) for r in rows], nxt  # type: ignore[misc]

    def _settle(self, row_id: int, *, status: str, attempts: int, error: str | None, retry_in_s: float) -> None:
        values: dict[str, object] = {"attempts": attempts, "last_error": error}
        if status == "pending":
            values["next_attempt_at"] = utcnow() + timedelta(seconds=retry_in_s)
        else:
            values.update(status=status, finished_at=utcnow())
        with self.engine.begin() as conn:
            conn.execute(update(_hook).where(_hook.c.id == row_id).values(**values))

    # ------------------------------------------------------------------ delivery

    async def _post(self, client: httpx.AsyncClient, url: str, body: dict) -> tuple[str, str | None]:
        """One attempt: ``delivered``, ``failed`` (refused for good) or ``retry`` with the error."""
        try:
            resp = await client.post(url, json=body)
        except httpx.HTTPError as exc:
            return "retry", f"{type(exc).__name__}: {exc}"
        if resp.status_code < 300:
            return "delivered", None
        if resp.status_code < 500 and resp.status_code != 429:
            return "failed", f"HTTP {resp.status_code}"
        return "retry", f"HTTP {resp.status_code}"

    async def _run(self) -> None:
        s = self.settings
        async with httpx.AsyncClient(timeout=s.timeout_s, transport=self._transport) as client:
            while True:
                self._wake.clear()
                try:
                    rows, nxt = await asyncio.to_thread(self._due)
                except Exception:  # the store is briefly unavailable: try again later
                    log.exception("webhooks: reading pending deliveries failed")
                    rows, nxt = [], None
                for row_id, url, body, attempts in rows:
                    outcome, error = await self._post(client, url, body)
                    attempts += 1
                    if outcome == "retry" and attempts > s.retries:
                        outcome = "failed"
                        log.warning("webhook %s: alarm %s not delivered after %d attempts (%s)", url,
                                    body.get("alarm_id"), attempts, error)
                    elif outcome == "failed":
                        log.warning("webhook %s refused alarm %s: %s", url, body.get("alarm_id"), error)
                    if outcome == "delivered":
                        self.delivered += 1
                    elif outcome == "failed":
                        self.failed += 1
                    status = "pending" if outcome == "retry" else outcome
                    await asyncio.to_thread(self._settle, row_id, status=status, attempts=attempts,
                                            error=error, retry_in_s=s.backoff_s * 2 ** (attempts - 1))
                if len(rows) == BATCH:
                    continue  # more are due right now
                wait = self._idle_poll_s
                if nxt is not None:
                    wait = min(wait, max(0.0, (nxt - utcnow()).total_seconds()))
                if rows and wait <= 0:
                    continue
                try:
                    async with asyncio.timeout(max(wait, 0.01)):
                        await self._wake.wait()
                except TimeoutError:
                    pass
