"""Webhooks: alarm events POSTed as JSON to outside systems (hotline, mobile enforcement).

Events go into a bounded queue (the oldest is dropped when full, and counted); one task delivers them
with retries and exponential back-off.  Submitting never waits, so a slow or dead receiver cannot stall
the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

import httpx

from gridwatch.monitoring.alarms import AlarmEvent
from gridwatch.monitoring.detectors.base import GRADE_RANK
from gridwatch.monitoring.settings import WebhookSettings

log = logging.getLogger(__name__)


class WebhookSender:
    def __init__(
        self, settings: WebhookSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._queue: deque[tuple[str, dict[str, object]]] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._transport = transport
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    def submit(self, events: list[AlarmEvent]) -> None:
        """Queue events for every URL (non-blocking)."""
        if not self.settings.urls:
            return
        floor = GRADE_RANK[self.settings.min_grade]
        for ev in events:
            if GRADE_RANK.get(ev.grade, 0) < floor:
                continue
            for url in self.settings.urls:
                if len(self._queue) >= self.settings.queue_size:
                    self._queue.popleft()
                    self.dropped += 1
                self._queue.append((url, ev.to_json()))
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="webhooks")

    async def stop(self, *, flush_timeout_s: float = 5.0) -> None:
        if self._task is None:
            return
        try:
            async with asyncio.timeout(flush_timeout_s):
                while self._queue:
                    await asyncio.sleep(0.05)
        except TimeoutError:
            pass
        self._task.cancel()
        self._task = None

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def _run(self) -> None:
        s = self.settings
        async with httpx.AsyncClient(timeout=s.timeout_s, transport=self._transport) as client:
            while True:
                if not self._queue:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                url, body = self._queue.popleft()
                delay = s.backoff_s
                for attempt in range(s.retries + 1):
                    try:
                        resp = await client.post(url, json=body)
                        if resp.status_code < 500 and resp.status_code != 429:
                            if resp.status_code >= 400:
                                log.warning(
                                    "webhook %s refused alarm %s: HTTP %s",
                                    url,
                                    body["alarm_id"],
                                    resp.status_code,
                                )
                                self.failed += 1
                            else:
                                self.delivered += 1
                            break
                    except httpx.HTTPError as exc:
                        log.info("webhook %s attempt %d failed: %s", url, attempt + 1, exc)
                    if attempt == s.retries:
                        self.failed += 1
                        log.warning(
                            "webhook %s: alarm %s not delivered after %d attempts",
                            url,
                            body["alarm_id"],
                            attempt + 1,
                        )
                        break
                    await asyncio.sleep(delay)
                    delay *= 2
