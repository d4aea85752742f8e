"""Webhooks against a real HTTP server on 127.0.0.1: retried on failure, never blocking the caller."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from gridwatch.monitoring.alarms import AlarmEvent
from gridwatch.monitoring.settings import WebhookSettings
from gridwatch.monitoring.webhooks import WebhookSender


class _Receiver(BaseHTTPRequestHandler):
    failures_left = 2
    bodies: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        cls = type(self)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            self.send_response(503)
        else:
            cls.bodies.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _event(grade: str, alarm_id: int = 1) -> AlarmEvent:
    return AlarmEvent(
        "opened", alarm_id, "treatment_off", "MN1", "E1", "t1", grade, "treatment off", "2026-11-23"
    )


def test_webhook_retries_until_delivered_and_filters_by_grade() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    async def main() -> WebhookSender:
        sender = WebhookSender(WebhookSettings(urls=[url], retries=4, backoff_s=0.01, min_grade="warning"))
        sender.start()
        sender.submit([_event("notice", 1), _event("severe", 2)])  # returns at once
        async with asyncio.timeout(10):
            while sender.delivered < 1:
                await asyncio.sleep(0.02)
        await sender.stop()
        return sender

    try:
        sender = asyncio.run(main())
    finally:
        server.shutdown()
    assert sender.delivered == 1 and sender.failed == 0
    assert [b["alarm_id"] for b in _Receiver.bodies] == [2]  # the notice was below min_grade
    assert _Receiver.failures_left == 0  # two 503s were retried


def test_webhook_queue_is_bounded() -> None:
    async def main() -> WebhookSender:
        sender = WebhookSender(WebhookSettings(urls=["http://127.0.0.1:9/none"], queue_size=3))
        sender.submit([_event("severe", i) for i in range(10)])  # not started: nothing is sent
        return sender

    sender = asyncio.run(main())
    assert sender.pending == 3 and sender.dropped == 7
