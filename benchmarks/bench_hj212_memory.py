"""Gateway memory at 10,000 open connections (each has sent one frame, so its buffers exist).

PYTHONPATH=src python benchmarks/bench_hj212_memory.py [--connections 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _hj212_common import (
    frame,
    free_port,
    make_home,
    pin_self,
    register_bulk,
    rss_kib,
    start_gateway,
    write_section,
)


async def open_many(port: int, n: int, devices: list[tuple[str, str]], gw_pid: int) -> dict:
    conns = []
    rss0 = rss_kib(gw_pid)
    t = time.perf_counter()
    for i in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        mn, pw = devices[i % len(devices)]
        writer.write(frame(mn, pw, i // len(devices), 20.0, 4.0))
        conns.append((reader, writer))
    for reader, _ in conns:  # every connection got its reply: buffers allocated, frame stored
        await asyncio.wait_for(reader.read(256), timeout=60)
    seconds = time.perf_counter() - t
    await asyncio.sleep(2.0)
    rss1 = rss_kib(gw_pid)
    for _, writer in conns:
        writer.close()
    return {"rss0": rss0, "rss1": rss1, "seconds": seconds}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--devices", type=int, default=1_000)
    args = ap.parse_args()
    pin_self(1)
    home = Path(tempfile.mkdtemp(prefix="bench-hj212-mem-")) / "home"
    url = make_home(home, {})
    devices = register_bulk(url, args.devices)
    port = free_port()
    gw = start_gateway(home, port, cpu=0)
    try:
        r = asyncio.run(open_many(port, args.connections, devices, gw.pid))
    finally:
        gw.terminate()
        gw.wait(timeout=60)
    per = (r["rss1"] - r["rss0"]) / args.connections
    print(
        f"gateway RSS {r['rss0'] / 1024:.1f} MiB → {r['rss1'] / 1024:.1f} MiB with {args.connections:,} connections "
        f"({per:.1f} KiB per connection); opened and answered in {r['seconds']:.1f} s"
    )
    write_section(
        "memory",
        "\n".join(
            [
                "## Memory at 10,000 open connections",
                "",
                f"`PYTHONPATH=src python benchmarks/bench_hj212_memory.py --connections {args.connections}`",
                "",
                f"Gateway RSS {r['rss0'] / 1024:.1f} MiB before (registry of {args.devices:,} devices, detectors, "
                f"batch-CRC tables), {r['rss1'] / 1024:.1f} MiB with {args.connections:,} connections open, each having "
                f"sent a frame and received its reply: **{per:.1f} KiB per connection** (protocol object, transport, "
                "splitter buffer, socket buffers are in the kernel and not counted). Limit: the process's file "
                "descriptors (`ulimit -n`), and `monitoring.gateway.max_connections`.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
