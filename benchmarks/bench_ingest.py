"""Benchmark: ingest throughput (rows/s) for daily and 15-minute readings, first run and idempotent re-run.

Generates its own input CSVs (deterministic), ingests them into a fresh workspace with the real
`gridwatch.lake.ingest` code, and prints figures; `--write-docs` appends a result table to
docs/BENCHMARKS-ingest.md.  Baseline for the ratio: pandas.read_csv of the same file (parse only, no
validation, no writes).

    python benchmarks/bench_ingest.py --customers 20000 --days 365 --interval-customers 2000 --interval-days 28
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from gridwatch.config import LakeSettings
from gridwatch.lake.ingest import ingest_files


def make_inputs(d: Path, customers: int, days: int, icust: int, idays: int) -> dict[str, Path]:
    con = duckdb.connect()
    end = date(2026, 10, 31)
    paths = {"customers": d / "customers.csv", "daily": d / "daily.csv", "interval": d / "interval.csv"}
    con.execute(f"""COPY (SELECT 'GZ' || lpad(CAST(i AS VARCHAR), 9, '0') AS account_no, '用户' || i AS name,
        CASE WHEN i % 10 = 0 THEN '一般工商业' ELSE '居民' END AS tariff, '广州市白云区某路' || i || '号' AS address,
        8 + (i % 5) * 4 AS capacity_kva, '220V' AS voltage, DATE '2015-01-01' AS opened_on, '正常' AS status
        FROM range({customers}) t(i)) TO '{paths["customers"]}' (HEADER)""")
    con.execute(f"""COPY (SELECT 'GZ' || lpad(CAST(i AS VARCHAR), 9, '0') AS account_no,
        DATE '{end}' - INTERVAL (d) DAY AS date, round(5 + (hash(i, d) % 1000) / 100.0, 2) AS kwh
        FROM range({customers}) a(i), range({days}) b(d)) TO '{paths["daily"]}' (HEADER)""")
    con.execute(f"""COPY (SELECT 'GZ' || lpad(CAST(i AS VARCHAR), 9, '0') AS account_no,
        strftime(TIMESTAMP '{end}' - INTERVAL (q * 15) MINUTE, '%Y-%m-%d %H:%M:%S') AS ts,
        round((hash(i, q) % 1000) / 2000.0, 3) AS kwh
        FROM range({icust}) a(i), range({idays * 96}) b(q)) TO '{paths["interval"]}' (HEADER)""")
    return paths


def run(args: argparse.Namespace) -> list[tuple[str, int, float, float, float]]:
    import pandas as pd

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        paths = make_inputs(d, args.customers, args.days, args.interval_customers, args.interval_days)
        lake = d / "home" / "lake"
        settings = LakeSettings()
        ingest_files(lake, "customers", [paths["customers"]], settings)
        for name, table in (("daily", "readings_daily"), ("interval", "readings_interval")):
            t0 = time.perf_counter()
            pd.read_csv(paths[name], dtype=str)
            base = time.perf_counter() - t0
            (r1,) = ingest_files(lake, table, [paths[name]], settings)
            (r2,) = ingest_files(lake, table, [paths[name]], settings)
            assert r1.accepted == r1.rows_read and r2.accepted == 0, (r1, r2)
            rows.append((name, r1.rows_read, r1.rows_per_second, r2.rows_per_second, r1.rows_read / base))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--interval-customers", type=int, default=2_000)
    ap.add_argument("--interval-days", type=int, default=28)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    rows = run(args)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"machine: {platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores; "
        f"load average before/after {load0:.1f}/{os.getloadavg()[0]:.1f} (other jobs share the machine); "
        f"peak RSS {peak_mb:,.0f} MB",
        "| data | rows | ingest rows/s | re-ingest rows/s (adds nothing) | pandas read_csv rows/s (parse only) | ratio ingest/pandas |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, n, r1, r2, base in rows:
        lines.append(f"| {name} | {n:,} | {r1:,.0f} | {r2:,.0f} | {base:,.0f} | {r1 / base:.2f} |")
    gz_daily = 5_800_000 / next(r for r in rows if r[0] == "daily")[2]
    gz_15 = 5_800_000 * 96 / next(r for r in rows if r[0] == "interval")[2]
    lines.append(
        f"\nGuangzhou scale (5.8M customers): one day of daily readings ≈ {gz_daily:,.0f} s; "
        f"one day of 15-min readings (557M rows) ≈ {gz_15 / 60:,.0f} min on this machine."
    )
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        out = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS-ingest.md"
        cmd = (
            f"python benchmarks/bench_ingest.py --customers {args.customers} --days {args.days} "
            f"--interval-customers {args.interval_customers} --interval-days {args.interval_days}"
        )
        marker = "<!-- hand-written notes below: kept when the benchmark rewrites the figures above -->"
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        notes = old[old.index(marker):] if marker in old else marker + "\n"
        out.write_text(f"# Ingest benchmark\n\nCommand: `{cmd}`\n\n{text}\n\n{notes}", encoding="utf-8")


if __name__ == "__main__":
    main()
