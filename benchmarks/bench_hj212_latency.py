"""Alarm latency at 100,000 simulated devices sending one frame a minute, in real time; memory per connection.

The gateway runs as its own process (not pinned: the machine is shared).  This script registers N devices,
opens C connections (each a data gateway carrying N/C monitoring points, since one process may not hold
100,000 sockets here), measures the gateway's memory before and after the connections open, then sends each
device's frames at its own phase within the minute — N/60 frames per second, no faster — for ``--seconds``.

1 % of the devices have their treatment facility off while production runs; with the benchmark's thresholds
(severe after 60 s) their second frame escalates the alarm to severe, which inserts a suspect_outbox row in
the same transaction.  Alarm latency = outbox row's ``created_at`` − the wall time the frame was sent; the
reply latency of every frame (reply sent after commit) is reported too.

    PYTHONPATH=src python benchmarks/bench_hj212_latency.py [--devices 100000] [--connections 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC
from pathlib import Path

from _hj212_common import (
    cpu_seconds,
    frame,
    free_port,
    load_average,
    make_home,
    register_bulk,
    rss_kib,
    start_gateway,
    write_section,
)


class Client(asyncio.Protocol):
    def __init__(self, sent: dict[tuple[str, str], float], latencies: list[float]) -> None:
        self.sent = sent
        self.latencies = latencies
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buf += data
        *lines, self.buf = self.buf.split(b"\r\n")
        for line in lines:
            # ##0065QN=...;ST=91;CN=9014;PW=..;MN=..;Flag=4;CP=&&&&XXXX
            text = line.decode("ascii", "replace")
            qn = text[9:26]
            mn = text[text.find("MN=") + 3 : text.find(";Flag")]
            t = self.sent.pop((mn, qn), None)
            if t is not None:
                self.latencies.append(now - t)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def drive(
    port: int,
    devices: list[tuple[str, str]],
    cheaters: set[str],
    connections: int,
    seconds: float,
    gw_pid: int,
) -> dict:
    loop = asyncio.get_running_loop()
    sent: dict[tuple[str, str], float] = {}
    sent_log: dict[tuple[str, int], float] = {}
    latencies: list[float] = []
    rss_idle = rss_kib(gw_pid)
    clients: list[Client] = []
    t = time.perf_counter()
    for i in range(connections):
        _, proto = await loop.create_connection(lambda: Client(sent, latencies), "127.0.0.1", port)
        clients.append(proto)  # type: ignore[arg-type]
        if i % 500 == 499:
            await asyncio.sleep(0)
    connect_s = time.perf_counter() - t
    await asyncio.sleep(2.0)
    rss_connected = rss_kib(gw_pid)
    n = len(devices)
    rng = random.Random(5)
    start = time.time() + 1.0
    cpu0 = cpu_seconds(gw_pid)
    # schedule: device i sends at start + phase_i + 60 k
    phases = [i * 60.0 / n for i in range(n)]
    k_of = [0] * n
    next_i = 0
    frames_sent = 0
    end = start + seconds
    while True:
        now = time.time()
        if now >= end:
            break
        # send every frame that is due (walk devices in phase order, minute after minute)
        while True:
            i = next_i % n
            k = next_i // n
            due = start + phases[i] + 60.0 * k
            if due > now:
                break
            mn, pw = devices[i]
            off = mn in cheaters
            data = frame(mn, pw, k, 20 + rng.random(), 0.01 if off else 4 + rng.random())
            qn = data[9:26].decode()
            sent[(mn, qn)] = time.time()
            if off:
                sent_log[(mn, k)] = sent[(mn, qn)]
            clients[i % connections].transport.write(data)  # type: ignore[union-attr]
            frames_sent += 1
            k_of[i] = k
            next_i += 1
        await asyncio.sleep(0.005)
    await asyncio.sleep(3.0)  # last replies
    cpu1 = cpu_seconds(gw_pid)
    for c in clients:
        if c.transport is not None:
            c.transport.close()
    return {
        "latencies": latencies,
        "sent_log": sent_log,
        "frames_sent": frames_sent,
        "unanswered": len(sent),
        "rss_idle_kib": rss_idle,
        "rss_connected_kib": rss_connected,
        "connect_s": connect_s,
        "gateway_cpu_s": cpu1 - cpu0,
        "load": load_average(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=100_000)
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=150.0)
    ap.add_argument("--cheaters", type=float, default=0.01)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-hj212-lat-"))
    home = work / "home"
    settings = {
        "monitoring": {
            "detectors": {
                "treatment_off_notice_s": 0,
                "treatment_off_warning_s": 30,
                "treatment_off_severe_s": 60,
            },
        }
    }
    url = make_home(home, settings)
    t = time.perf_counter()
    devices = register_bulk(url, args.devices)
    print(f"registered {args.devices:,} devices in {time.perf_counter() - t:.1f} s")
    cheaters = {mn for i, (mn, _) in enumerate(devices) if i % int(1 / args.cheaters) == 7}
    port = free_port()
    t = time.perf_counter()
    gw = start_gateway(home, port, cpu=None)  # not pinned: on a shared machine a pinned core may be busy
    print(f"gateway up in {time.perf_counter() - t:.1f} s")
    try:
        r = asyncio.run(drive(port, devices, cheaters, args.connections, args.seconds, gw.pid))
    finally:
        gw.terminate()
        gw.wait(timeout=120)
    from sqlalchemy import select

    from gridwatch.store.db import make_engine, session_factory
    from gridwatch.store.outbox import SuspectOutbox

    with session_factory(make_engine(url))() as s:
        rows = s.execute(select(SuspectOutbox.payload, SuspectOutbox.created_at)).all()
    alarm_lat = []
    for payload, created in rows:
        mn = payload["mn"]
        sent = r["sent_log"].get((mn, 1))  # the second frame (k = 1) makes the alarm severe
        if sent is not None:
            alarm_lat.append(created.replace(tzinfo=UTC).timestamp() - sent)
    expected = sum(1 for (mn, k) in r["sent_log"] if k == 1)
    lat = r["latencies"]
    per_conn = (r["rss_connected_kib"] - r["rss_idle_kib"]) / args.connections
    rate = r["frames_sent"] / args.seconds
    print(
        f"sent {r['frames_sent']:,} frames ({rate:,.0f}/s), replies {len(lat):,}, unanswered {r['unanswered']}"
    )
    print(
        f"reply latency p50 {1000 * pct(lat, 0.5):.1f} ms, p99 {1000 * pct(lat, 0.99):.1f} ms, "
        f"max {1000 * max(lat):.1f} ms"
    )
    print(
        f"severe alarms {len(alarm_lat)} of {expected} expected; alarm latency p50 {1000 * pct(alarm_lat, 0.5):.1f} "
        f"ms, p99 {1000 * pct(alarm_lat, 0.99):.1f} ms, max {1000 * max(alarm_lat or [0]):.1f} ms"
    )
    print(
        f"gateway RSS {r['rss_idle_kib'] / 1024:.0f} MiB idle → {r['rss_connected_kib'] / 1024:.0f} MiB with "
        f"{args.connections:,} connections ({per_conn:.1f} KiB each); gateway CPU {r['gateway_cpu_s']:.1f} s "
        f"for {args.seconds:.0f} s; load {r['load']:.1f}"
    )
    body = "\n".join(
        [
            "## Alarm latency at 100,000 devices, one frame a minute each (real time)",
            "",
            f"`PYTHONPATH=src python benchmarks/bench_hj212_latency.py --devices {args.devices} "
            f"--connections {args.connections} --seconds {args.seconds:g}`",
            "",
            f"{args.devices:,} registered devices over {args.connections:,} loopback connections "
            f"({args.devices // args.connections} monitoring points per connection), each device sending at its own "
            f"phase of the minute: {rate:,.0f} frames/s for {args.seconds:.0f} s, {r['frames_sent']:,} frames. "
            f"{len(cheaters):,} devices (1 %) have treatment off; their second frame escalates the alarm to severe "
            "(thresholds lowered to 0/30/60 s for the run) and inserts a suspect_outbox row in the frame's commit.",
            "",
            "| measure | p50 | p99 | max | target |",
            "|---|---:|---:|---:|---|",
            f"| alarm latency: frame sent → outbox row committed ({len(alarm_lat):,} of {expected:,} severe) | "
            f"{1000 * pct(alarm_lat, 0.5):.0f} ms | {1000 * pct(alarm_lat, 0.99):.0f} ms | "
            f"{1000 * max(alarm_lat or [0]):.0f} ms | p99 ≤ 1 s |",
            f"| reply latency, every frame ({len(lat):,}) | {1000 * pct(lat, 0.5):.0f} ms | {1000 * pct(lat, 0.99):.0f} ms | "
            f"{1000 * max(lat or [0]):.0f} ms | — |",
            "",
            f"Gateway CPU: {r['gateway_cpu_s']:.1f} s over {args.seconds:.0f} s "
            f"({r['gateway_cpu_s'] / args.seconds:.0%} of one core); load average on the shared machine {r['load']:.1f}.",
            f"Gateway RSS {r['rss_idle_kib'] / 1024:.0f} MiB with the 100,000-device registry loaded, "
            f"{r['rss_connected_kib'] / 1024:.0f} MiB with the {args.connections:,} connections open (memory per "
            "connection: see the memory benchmark).",
        ]
    )
    write_section("latency", body)


if __name__ == "__main__":
    main()
