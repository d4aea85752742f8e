"""Wire the gateway from a workspace: store, ingest pipeline, webhooks, optional HTTP endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from gridwatch.monitoring.gateway import Gateway
from gridwatch.monitoring.ingest import Ingestor
from gridwatch.monitoring.settings import MonitoringSettings
from gridwatch.monitoring.webhooks import WebhookSender
from gridwatch.store.db import make_engine, migrate

log = logging.getLogger(__name__)


def open_ingestor(database_url: str, settings: MonitoringSettings) -> Ingestor:
    migrate(database_url)
    return Ingestor(make_engine(database_url), settings)


def _quiet_gc() -> tuple[int, int, int]:
    """Keep the cyclic garbage collector off the per-frame path; returns the thresholds to restore.

    The registry, detector state and alarm book are long-lived: they are moved out of the collector's
    generations (``gc.freeze``) instead of being traversed again and again while frames are queued.  The
    frames themselves hold no reference cycles and are freed by reference counting; a larger first
    generation makes collections rarer, not memory unbounded.
    """
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, before[1], before[2])
    return before


async def run_gateway(
    database_url: str,
    settings: MonitoringSettings,
    *,
    host: str,
    port: int,
    http_port: int | None = None,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set); queued frames are committed before exit."""
    ingestor = await asyncio.to_thread(open_ingestor, database_url, settings)
    webhooks = WebhookSender(settings.webhooks, ingestor.engine)
    webhooks.start()
    gateway = Gateway(ingestor, settings.gateway, on_events=webhooks.submit)
    bound = await gateway.start(host, port)
    gc_before = _quiet_gc()
    log.info("HJ 212 gateway listening on %s:%s", host, bound)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    server_task = None
    if http_port is not None:
        import uvicorn
        from fastapi import FastAPI

        from gridwatch.monitoring.http import build_router

        app = FastAPI(title="gridwatch monitoring")
        app.include_router(build_router(gateway))
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=http_port, log_level="warning"))
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        server_task = asyncio.create_task(server.serve())
    if ready is not None:
        ready.set()
    print(
        f"gateway listening on {host}:{bound}" + (f", HTTP on {http_port}" if http_port else ""), flush=True
    )
    await stop.wait()
    if server_task is not None:
        server.should_exit = True
        await server_task
    await gateway.close()
    await webhooks.stop()
    gc.unfreeze()
    gc.set_threshold(*gc_before)
    log.info("gateway stopped: %s", gateway.stats)
