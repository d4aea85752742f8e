"""The TCP gateway on 127.0.0.1 (bounded loops, short timeouts)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from gridwatch.monitoring.gateway import Gateway
from gridwatch.monitoring.hj212 import FrameSplitter, parse_frame
from gridwatch.monitoring.http import build_router
from gridwatch.monitoring.ingest import Ingestor
from gridwatch.monitoring.registry import ChannelSpec, add_device
from gridwatch.monitoring.settings import MonitoringSettings
from gridwatch.monitoring.tables import MonReading
from gridwatch.store.db import make_engine, migrate, session_factory

from .helpers import T0, minutes, power_frame

SRC = Path(__file__).resolve().parents[2] / "src"


def _register(url: str, n: int = 3) -> None:
    migrate(url)
    with session_factory(make_engine(url))() as s, s.begin():
        for i in range(n):
            add_device(
                s,
                mn=f"MN{i}",
                password="pw",
                enterprise_id=f"E{i}",
                channels=[
                    ChannelSpec("p1", "production", rated_kw=30),
                    ChannelSpec("t1", "treatment", "p1", 5),
                ],
            )


def _count(url: str) -> int:
    with session_factory(make_engine(url))() as s:
        return s.scalar(select(func.count()).select_from(MonReading))


async def _start(url: str, **gateway_overrides) -> Gateway:
    settings = MonitoringSettings()
    for k, v in gateway_overrides.items():
        setattr(settings.gateway, k, v)
    ingestor = await asyncio.to_thread(Ingestor, make_engine(url), settings)
    gw = Gateway(ingestor, settings.gateway)
    await gw.start("127.0.0.1", 0)
    return gw


def _port(gw: Gateway) -> int:
    return gw._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def _read_replies(reader: asyncio.StreamReader, n: int, timeout: float = 5.0) -> list:
    splitter = FrameSplitter()
    out: list = []
    async with asyncio.timeout(timeout):
        while len(out) < n:
            data = await reader.read(65536)
            if not data:
                break
            out += [parse_frame(x) for x in splitter.feed(data) if isinstance(x, bytes)]
    return out


def test_split_and_batched_reads_are_all_acknowledged_and_stored(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    _register(url)

    async def main() -> None:
        gw = await _start(url)
        reader, writer = await asyncio.open_connection("127.0.0.1", _port(gw))
        stream = b"".join(power_frame("MN0", "pw", T0 + minutes(i), {"p1": 20, "t1": 3}) for i in range(50))
        for i in range(0, len(stream), 97):  # frames cut across writes, several frames per write
            writer.write(stream[i : i + 97])
            await writer.drain()
        replies = await _read_replies(reader, 50)
        assert [r.cn for r in replies] == ["9014"] * 50
        assert [r.qn for r in replies] == [
            (T0 + minutes(i)).strftime("%Y%m%d%H%M%S") + "000" for i in range(50)
        ]
        writer.close()
        await gw.close()

    asyncio.run(main())
    assert _count(url) == 50


def test_refusals_and_malformed_input(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    _register(url)

    async def main() -> None:
        gw = await _start(url, max_bad_frames=5)
        reader, writer = await asyncio.open_connection("127.0.0.1", _port(gw))
        writer.write(power_frame("MN0", "wrong", T0, {"p1": 1}) + power_frame("GHOST", "pw", T0, {"p1": 1}))
        replies = await _read_replies(reader, 2)
        assert [(r.cn, r.cp["QnRtn"]) for r in replies] == [("9011", "3"), ("9011", "4")]
        # a garbage flood closes the connection
        writer.write(b"##12ab" * 10 + b"hello world ##0005x" * 10)
        async with asyncio.timeout(5):
            while await reader.read(1024):
                pass
        assert gw.stats.frames_refused == 2 and gw.stats.frames_malformed >= 3
        await gw.close()

    asyncio.run(main())
    assert _count(url) == 0


def test_slow_and_idle_clients_do_not_stall_others(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    _register(url)

    async def main() -> None:
        gw = await _start(url, idle_timeout_s=1.5, write_timeout_s=2.0)
        port = _port(gw)
        # 1. a client that sends half a frame and goes quiet
        _, half_writer = await asyncio.open_connection("127.0.0.1", port)
        half_writer.write(power_frame("MN1", "pw", T0, {"p1": 1})[:30])
        # 2. a client that floods frames but never reads its replies (small receive buffer)
        flood = socket.create_connection(("127.0.0.1", port))
        flood.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        flood.setblocking(False)
        payload = b"".join(
            power_frame("MN2", "pw", T0 + minutes(i), {"p1": 20, "t1": 3}) for i in range(3000)
        )
        sent = 0
        with contextlib.suppress(BlockingIOError):
            while sent < len(payload):
                sent += flood.send(payload[sent : sent + 65536])
        # 3. a well-behaved client is served promptly all the same
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        for i in range(20):
            writer.write(power_frame("MN0", "pw", T0 + minutes(i), {"p1": 20, "t1": 3}))
            replies = await _read_replies(reader, 1, timeout=2.0)
            assert replies and replies[0].cn == "9014", (i, gw.stats)
        assert time.monotonic() - started < 5.0
        # the idle half-frame client is closed by the idle timeout
        await asyncio.sleep(3.5)
        assert gw.stats.connections <= 2
        flood.close()
        writer.close()
        await gw.close()

    asyncio.run(main())


def test_http_endpoint_shares_the_write_path(tmp_path) -> None:
    from fastapi import FastAPI

    url = f"sqlite:///{tmp_path / 'g.db'}"
    _register(url)

    async def main() -> None:
        gw = await _start(url)
        app = FastAPI()
        app.include_router(build_router(gw))
        body = b"\n".join(
            [
                power_frame("MN0", "pw", T0, {"p1": 20, "t1": 3}).strip(),
                power_frame("MN0", "bad", T0 + minutes(1), {"p1": 20}).strip(),
                b"##0003xx",
            ]
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            resp = await client.post("/api/monitoring/frames", content=body)
        assert resp.status_code == 200
        data = resp.json()
        assert (data["accepted"], data["refused"]) == (1, 2)
        assert "wrong password" in data["results"][1]["error"]
        await gw.close()

    asyncio.run(main())
    assert _count(url) == 1


def test_restart_loses_no_acknowledged_frame(tmp_path) -> None:
    """Kill the gateway process hard while a device streams; every acknowledged frame must be stored."""
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'gridwatch.db'}"
    _register(url, n=1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    cmd = [sys.executable, "-m", "gridwatch", "--home", str(home), "gateway", "--port", str(port)]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert b"listening" in line, line
        return proc

    proc = start()
    acked: set[str] = set()
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        splitter = FrameSplitter()
        sock.settimeout(0.2)
        for i in range(400):
            try:
                sock.sendall(power_frame("MN0", "pw", T0 + minutes(i), {"p1": 20 + i % 5, "t1": 3}))
            except OSError:  # the gateway is gone
                break
            if i == 300:
                os.kill(proc.pid, signal.SIGKILL)
            try:
                data = sock.recv(65536)
            except (TimeoutError, OSError):
                data = b""
            acked |= {parse_frame(x).qn for x in splitter.feed(data) if isinstance(x, bytes)}
            if not data and i > 300:
                break
        sock.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert len(acked) > 50
    proc = start()  # restart on the same store
    try:
        with session_factory(make_engine(url))() as s:
            stored = {q for q in s.scalars(select(MonReading.qn))}
        assert acked <= stored, sorted(acked - stored)[:5]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def test_split_packets_over_tcp_are_stored_once_and_each_packet_acknowledged(tmp_path) -> None:
    from gridwatch.monitoring.hj212 import build_frame

    url = f"sqlite:///{tmp_path / 'g.db'}"
    _register(url)

    async def main() -> None:
        gw = await _start(url)
        reader, writer = await asyncio.open_connection("127.0.0.1", _port(gw))
        common = {"st": "32", "cn": "2011", "pw": "pw", "mn": "MN0", "flag": 7, "pnum": 2}
        p1 = build_frame(qn="20261123080000001", pno=1, cp="DataTime=20261123080000;Pp1-Rtd=20.5", **common)
        p2 = build_frame(qn="20261123080000002", pno=2, cp="DataTime=20261123080000;Pt1-Rtd=4.1", **common)
        writer.write(p1)
        await asyncio.sleep(0.2)
        assert gw.stats.frames_accepted == 0  # half a message: nothing stored, nothing acknowledged
        writer.write(p2)
        replies = await _read_replies(reader, 2)
        assert sorted(r.qn for r in replies) == ["20261123080000001", "20261123080000002"]
        writer.close()
        await gw.close()

    asyncio.run(main())
    from gridwatch.monitoring.hj212 import parse_cp

    with session_factory(make_engine(url))() as s:
        rows = s.scalars(select(MonReading.cp)).all()
    assert len(rows) == 1 and parse_cp(rows[0]) == {
        "DataTime": "20261123080000",
        "Pp1": {"Rtd": "20.5"},
        "Pt1": {"Rtd": "4.1"},
    }
