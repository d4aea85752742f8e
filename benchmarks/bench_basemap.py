"""Benchmark: the offline base map (``gridwatch.workflow.basemap``) on a simulated city's address registry.

Simulates a city (``gridwatch simulate``, one day of readings: only the address registry matters),
ingests its ``addresses`` into a fresh lake, then builds the base map of a community, a street, a
district and the city: cold (DuckDB aggregation + hulls) and warm (the per-process cache), with wall and
CPU time, the layer sizes and the JSON size an officer's phone downloads (and the service worker keeps).

    python benchmarks/bench_basemap.py --customers 50000 --work DIR              # prints a table
    python benchmarks/bench_basemap.py --customers 50000 --work DIR --write-docs # docs/BENCHMARKS-basemap.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]


def timed(fn):  # type: ignore[no-untyped-def]
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--work", type=Path, required=True, help="scratch directory (simulated files, lake)")
    ap.add_argument("--max-features", type=int, default=20_000)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()

    from gridwatch.config import LakeSettings
    from gridwatch.lake.ingest import ingest_files
    from gridwatch.lake.layout import read_sql
    from gridwatch.workflow.basemap import basemap, basemap_json

    sim, lake = args.work / "sim", args.work / "lake"
    if not (sim / "addresses.csv").exists():
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        subprocess.run(
            [sys.executable, "-m", "gridwatch", "simulate", "--out", str(sim), "--customers",
             str(args.customers), "--days", "1"],
            check=True, env=env, capture_output=True,
        )
    if not lake.exists():
        ingest_files(lake, "addresses", [sim / "addresses.csv"], LakeSettings())
    con = duckdb.connect()
    src = read_sql(lake, "addresses")
    n_addr = con.execute(f"SELECT count(*) FROM ({src})").fetchall()[0][0]
    # the busiest community, its street and district
    comm = con.execute(
        f"SELECT community_code FROM ({src}) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()[0][0]
    areas = [("community", comm), ("street", comm[:9]), ("district", comm[:6]), ("city", "4401")]
    load = os.getloadavg()
    rows = []
    for level, code in areas:
        bm, cold_w, cold_c = timed(lambda code=code: basemap(lake, code, args.max_features))
        _, warm_w, _ = timed(lambda code=code: basemap(lake, code, args.max_features))
        body, ser_w, _ = timed(lambda code=code: basemap_json(lake, code, args.max_features))  # first: dumps
        _, json_warm, _ = timed(lambda code=code: basemap_json(lake, code, args.max_features))
        rows.append((level, code, len(bm.communities), len(bm.grid_cells), len(bm.roads), len(bm.plates),
                     ",".join(bm.omitted) or "-", cold_w, cold_c, warm_w * 1000, ser_w * 1000, json_warm * 1000,
                     len(body) / 1024))
    head = ("| area | code | communities | grid cells | road axes | door plates | omitted | cold wall s | "
            "cold CPU s | warm ms | JSON first ms | JSON warm ms | JSON KiB |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]:.2f} | {r[8]:.2f} | "
            f"{r[9]:.3f} | {r[10]:.1f} | {r[11]:.3f} | {r[12]:.0f} |"
        )
    table = "\n".join(lines)
    info = (f"{args.customers:,} simulated customers, {n_addr:,} registry addresses; "
            f"`web.basemap_max_features` = {args.max_features:,}; load average {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} (1/5/15 min) on {os.cpu_count()} cores")
    print(info)
    print(table)
    if args.write_docs:
        doc = REPO / "docs" / "BENCHMARKS-basemap.md"
        doc.write_text(
            "# Benchmark: the offline base map\n\n"
            "What it costs to derive the offline base map (community and grid-cell outlines, road axes, door "
            "plates) from the address registry, per area. Cold = first request of a process after the "
            "registry changed (one DuckDB statement + convex hulls); warm = the per-process cache. JSON = "
            "what `/api/v1/basemap` sends and the service worker keeps: serialised (orjson) on first use, "
            "then cached as bytes; warm = a cache hit (the registry's file list is checked each time).\n\n"
            f"{info}.\n\n{table}\n\n"
            "Reproduce: `python benchmarks/bench_basemap.py --customers N --work DIR --write-docs`.\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
