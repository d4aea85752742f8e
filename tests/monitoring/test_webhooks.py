"""Webhooks against a real HTTP server on 127.0.0.1 and a real store: written with the alarm change,
retried on failure, delivered after a restart, never blocking the caller."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from sqlalchemy import select

from gridwatch.monitoring.alarms import AlarmEvent
from gridwatch.monitoring.hj212 import parse_frame
from gridwatch.monitoring.ingest import Accepted, Ingestor
from gridwatch.monitoring.registry import ChannelSpec, add_device
from gridwatch.monitoring.settings import MonitoringSettings, WebhookSettings
from gridwatch.monitoring.tables import MonWebhook
from gridwatch.monitoring.webhooks import WebhookSender, enqueue
from gridwatch.store.db import make_engine, session_factory

from .helpers import T0, minutes, power_frame


class _Receiver(BaseHTTPRequestHandler):
    failures_left = 0
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


def _serve() -> tuple[ThreadingHTTPServer, str]:
    _Receiver.bodies.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def _event(grade: str, alarm_id: int = 1) -> AlarmEvent:
    return AlarmEvent(
        "opened", alarm_id, "treatment_off", "MN1", "E1", "t1", grade, "treatment off", "2026-11-23"
    )


def _statuses(engine) -> list[tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(MonWebhook.alarm_id, MonWebhook.status, MonWebhook.attempts).order_by(MonWebhook.id))]


def _deliver(settings: WebhookSettings, engine, until) -> WebhookSender:  # type: ignore[no-untyped-def]
    async def main() -> WebhookSender:
        sender = WebhookSender(settings, engine, idle_poll_s=0.05)
        sender.start()
        sender.submit([_event("severe")])
        async with asyncio.timeout(20):
            while not until(sender):
                await asyncio.sleep(0.02)
        await sender.stop(flush_timeout_s=0.1)
        return sender

    return asyncio.run(main())


def test_retried_until_delivered_and_filtered_by_grade(db_url) -> None:
    server, url = _serve()
    _Receiver.failures_left = 2
    settings = WebhookSettings(urls=[url], retries=4, backoff_s=0.01, min_grade="warning")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            assert enqueue(conn, settings, [_event("notice", 1), _event("severe", 2)]) == 1
        sender = _deliver(settings, engine, lambda s: s.delivered >= 1)
    finally:
        server.shutdown()
    assert sender.delivered == 1 and sender.failed == 0
    assert [b["alarm_id"] for b in _Receiver.bodies] == [2]  # the notice was below min_grade
    assert _Receiver.failures_left == 0  # two 503s were retried
    assert _statuses(engine) == [(2, "delivered", 3)]


def test_deliveries_survive_a_restart(db_url) -> None:
    """The receiver is down while the first sender runs; a new sender (after a restart) delivers."""
    server, url = _serve()
    port = server.server_address[1]
    server.shutdown()
    server.server_close()  # nothing listens on the URL now
    settings = WebhookSettings(urls=[url], retries=10, backoff_s=0.01)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        enqueue(conn, settings, [_event("severe", 7), _event("warning", 8)])
    _deliver(settings, engine, lambda s: all(a >= 2 for _, _, a in _statuses(engine)))
    assert {st for _, st, _ in _statuses(engine)} == {"pending"}
    server = ThreadingHTTPServer(("127.0.0.1", port), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        restarted = _deliver(settings, make_engine(db_url), lambda s: s.delivered >= 2)
    finally:
        server.shutdown()
    assert restarted.delivered == 2
    assert sorted(b["alarm_id"] for b in _Receiver.bodies) == [7, 8]
    assert [st for _, st, _ in _statuses(engine)] == ["delivered", "delivered"]


def test_refused_for_good_is_failed_and_overflow_is_dropped(db_url) -> None:
    engine = make_engine(db_url)
    settings = WebhookSettings(urls=["http://127.0.0.1:9/none"], queue_size=3, retries=0)
    with engine.begin() as conn:
        enqueue(conn, settings, [_event("severe", i) for i in range(10)])
    sender = _deliver(settings, engine, lambda s: s.failed >= 3)
    got = _statuses(engine)
    assert [st for _, st, _ in got[:7]] == ["dropped"] * 7 and sender.dropped == 7
    assert [st for _, st, _ in got[7:]] == ["failed"] * 3  # connection refused, no retries left


def test_the_alarm_and_its_deliveries_commit_together(db_url) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as s, s.begin():
        add_device(s, mn="MN1", password="pw", enterprise_id="E1", enterprise_name="甲厂", account_no="A-1",
                   channels=[ChannelSpec("p1", "production", rated_kw=30), ChannelSpec("t1", "treatment", "p1", 5)])
    settings = MonitoringSettings(webhooks=WebhookSettings(urls=["http://a.invalid/x", "http://b.invalid/y"]))
    ing = Ingestor(engine, settings)

    def accept(i: int, t1: float) -> Accepted:
        raw = power_frame("MN1", "pw", T0 + minutes(i), {"p1": 20 + i % 3 * 0.1, "t1": t1})
        frame = parse_frame(raw)
        return Accepted(frame, raw, ing.check(frame), datetime.now(), time.time())

    events = ing.commit([accept(i, 3.1) for i in range(5)] + [accept(5 + i, 0.0) for i in range(31)])
    graded = [e for e in events if e.grade != "notice"]  # warning and severe pass min_grade
    assert graded
    with engine.connect() as conn:
        rows = conn.execute(select(MonWebhook.url, MonWebhook.body)).all()
    assert len(rows) == 2 * len(graded)
    assert {r.url for r in rows} == {"http://a.invalid/x", "http://b.invalid/y"}
    assert sorted(r.body["grade"] for r in rows) == sorted(e.grade for e in graded for _ in range(2))
