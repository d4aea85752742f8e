"""Frames per second parsed, stored and acknowledged by the HJ 212 gateway on one core over loopback.

The gateway runs as its own process pinned to CPU 0 (``taskset``); this script, pinned to CPU 1, sends
pre-built frames (Flag=5: every frame is answered with 9014 only after its batch is committed) over many
connections at once and waits for every reply.  Baselines measured in-process: the codec alone
(``parse_frame``) and a bare SQLite ``executemany`` of the same rows.

    PYTHONPATH=src python benchmarks/bench_hj212_throughput.py [--frames 200000] [--devices 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from _hj212_common import (
    T0,
    cpu_seconds,
    frame,
    free_port,
    load_average,
    make_home,
    pin_self,
    register_bulk,
    rss_kib,
    start_gateway,
    write_section,
)


def build_frames(devices: list[tuple[str, str]], per_device: int, seed: int = 1) -> list[list[bytes]]:
    rng = random.Random(seed)
    return [
        [frame(mn, pw, k, 20 + rng.random(), 4 + rng.random()) for k in range(per_device)]
        for mn, pw in devices
    ]


def baseline_parse(frames: list[bytes]) -> float:
    from gridwatch.monitoring.hj212 import parse_frame

    t = time.process_time()
    for f in frames:
        parse_frame(f)
    return len(frames) / (time.process_time() - t)


def baseline_sqlite(frames: list[bytes], path: Path, synchronous: str) -> float:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={synchronous}")
    con.execute(
        "CREATE TABLE r (id INTEGER PRIMARY KEY, mn TEXT, cn TEXT, qn TEXT, data_time TEXT, "
        "received_at TEXT, cp TEXT, raw TEXT, UNIQUE (mn, cn, data_time))"
    )
    rows = [
        (f"M{i % 1000}", "2011", str(i), f"t{i}", "now", f.decode()[60:], f.decode())
        for i, f in enumerate(frames)
    ]
    t = time.process_time()
    for i in range(0, len(rows), 2000):
        con.executemany(
            "INSERT INTO r (mn, cn, qn, data_time, received_at, cp, raw) VALUES (?,?,?,?,?,?,?)",
            rows[i : i + 2000],
        )
        con.commit()
    rate = len(rows) / (time.process_time() - t)
    con.close()
    return rate


async def blast(port: int, per_conn: list[bytes]) -> tuple[float, int]:
    async def one(blob: bytes, expect: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        got = 0

        async def read() -> None:
            nonlocal got
            while got < expect:
                data = await reader.read(1 << 16)
                if not data:
                    return
                got += data.count(b"\r\n")

        task = asyncio.create_task(read())
        for i in range(0, len(blob), 1 << 16):
            writer.write(blob[i : i + (1 << 16)])
            await writer.drain()
        await asyncio.wait_for(task, timeout=600)
        writer.close()
        return got

    t = time.perf_counter()
    counts = await asyncio.gather(*(one(b, b.count(b"\r\n")) for b in per_conn))
    return time.perf_counter() - t, sum(counts)


def run_case(
    name: str,
    devices_n: int,
    per_device: int,
    connections: int,
    settings: dict,
    work: Path,
    frames_by_dev: list[list[bytes]] | None = None,
) -> dict:
    home = work / name
    url = make_home(home, settings)
    devices = register_bulk(url, devices_n)
    frames_by_dev = frames_by_dev or build_frames(devices, per_device)
    per_conn = [b"" for _ in range(connections)]
    chunks: list[list[bytes]] = [[] for _ in range(connections)]
    for k in range(per_device):  # interleave devices so that every batch holds many devices
        for d, frames in enumerate(frames_by_dev):
            chunks[d % connections].append(frames[k])
    per_conn = [b"".join(c) for c in chunks]
    port = free_port()
    gw = start_gateway(home, port, cpu=0)
    try:
        rss0, cpu0, load0 = rss_kib(gw.pid), cpu_seconds(gw.pid), load_average()
        seconds, replies = asyncio.run(blast(port, per_conn))
        rss1, cpu1, load1 = rss_kib(gw.pid), cpu_seconds(gw.pid), load_average()
    finally:
        gw.terminate()
        gw.wait(timeout=60)
    from sqlalchemy import func, select

    from gridwatch.monitoring.tables import MonReading
    from gridwatch.store.db import make_engine, session_factory

    with session_factory(make_engine(url))() as s:
        stored = s.scalar(select(func.count()).select_from(MonReading))
    total = devices_n * per_device
    return {
        "case": name,
        "frames": total,
        "replies": replies,
        "stored": stored,
        "seconds": seconds,
        "fps": replies / seconds,
        "rss_mib": (rss0 / 1024, rss1 / 1024),
        "cpu_s": cpu1 - cpu0,
        "fps_cpu": replies / max(cpu1 - cpu0, 1e-9),
        "load": max(load0, load1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--frames", type=int, default=200_000)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--postgres", default=None, help="also run against this PostgreSQL URL")
    args = ap.parse_args()
    pin_self(1)
    per_device = args.frames // args.devices
    work = Path(tempfile.mkdtemp(prefix="bench-hj212-"))
    devices = [(f"BENCH{i:019d}", f"{i % 1000000:06d}") for i in range(args.devices)]
    t = time.perf_counter()
    frames_by_dev = build_frames(devices, per_device)
    print(f"built {args.devices * per_device} frames in {time.perf_counter() - t:.1f} s")
    flat = [f for fs in frames_by_dev for f in fs]
    parse_rate = baseline_parse(flat[:100_000])
    sqlite_rate = baseline_sqlite(flat[:100_000], work / "baseline.db", "FULL")
    print(
        f"baseline parse_frame: {parse_rate:,.0f} frames/s; bare SQLite executemany: {sqlite_rate:,.0f} rows/s"
    )
    base = {"monitoring": {"gateway": {"batch_max_frames": 5000, "batch_max_wait_ms": 5.0}}}
    all_off = ["treatment_off", "ratio_low", "offline", "data_gap", "flatline", "implausible", "restriction"]
    cases = [
        ("detectors-on_sqlite-FULL", base),
        ("detectors-off_sqlite-FULL", {"monitoring": {**base["monitoring"], "disabled_detectors": all_off}}),
        (
            "detectors-on_sqlite-NORMAL",
            {"monitoring": {"gateway": {**base["monitoring"]["gateway"], "sqlite_synchronous": "NORMAL"}}},
        ),
    ]
    if args.postgres:
        cases.append(("detectors-on_postgres", {**base, "store": {"url": args.postgres}}))
    results = []
    for name, settings in cases:
        r = run_case(name, args.devices, per_device, args.connections, settings, work, frames_by_dev)
        results.append(r)
        print(
            f"{name}: {r['fps']:,.0f} frames/s wall, {r['fps_cpu']:,.0f} per gateway CPU-second "
            f"(load {r['load']:.1f}; {r['replies']} replies, {r['stored']} stored, "
            f"{r['seconds']:.1f} s, gateway RSS {r['rss_mib'][0]:.0f}→{r['rss_mib'][1]:.0f} MiB)"
        )
    lines = [
        "## Throughput: frames parsed, stored and acknowledged per second (gateway on one core)",
        "",
        f"`PYTHONPATH=src python benchmarks/bench_hj212_throughput.py --frames {args.frames} "
        f"--devices {args.devices} --connections {args.connections}`",
        "",
        f"{args.devices * per_device:,} frames (Flag=5, ~150 bytes, 2 channels) from {args.devices:,} devices over "
        f"{args.connections} loopback connections; the gateway process is pinned to one CPU, the sender to the "
        "other. A frame counts when its 9014 reply arrives, i.e. after its batch is committed. The machine is "
        "shared (load average in the table): frames per gateway CPU-second (user+system time of the gateway "
        "process, all threads) is the one-core figure; wall-clock frames/s depends on what else runs.",
        "",
        "| case | frames/s (wall) | frames per gateway CPU-s | CPU-s vs target 20,000 | stored | seconds "
        "| load avg | gateway RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['fps']:,.0f} | {r['fps_cpu']:,.0f} | {r['fps_cpu'] / 20000:.2f}× | "
            f"{r['stored']:,} | {r['seconds']:.1f} | {r['load']:.1f} | {r['rss_mib'][1]:.0f} |"
        )
    lines += [
        "",
        f"Baselines (in-process, per CPU-second): `parse_frame` alone {parse_rate:,.0f} frames/s; a bare SQLite "
        f"`executemany` of the same rows (WAL, synchronous=FULL, 2,000 per commit) {sqlite_rate:,.0f} rows/s. "
        f"Per CPU-second the gateway with detectors reaches {results[0]['fps_cpu'] / parse_rate:.0%} of the "
        "codec-only rate (baselines are CPU time too, so the shared machine's load cancels out).",
        f"Run at {T0:%Y-%m-%d} data time; wall clock {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    write_section("throughput", "\n".join(lines))


if __name__ == "__main__":
    main()
