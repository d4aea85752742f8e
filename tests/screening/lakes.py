"""Small lakes written straight into the lake layout (with meta columns), with hand-made curves whose
features are known.  Used by the screening tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gridwatch.lake.account_key import account_key
from gridwatch.lake.contracts import CONTRACTS
from gridwatch.lake.layout import table_dir

_PA = {
    "text": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
    "timestamp": pa.timestamp("us"), "bool": pa.bool_(),
}


def write_table(lake_dir: Path, table: str, rows: dict[str, list], batch: str = "b0001") -> None:
    """Write rows (column → values) as one batch of ``table`` (month partitions for series tables)."""
    contract = CONTRACTS[table]
    n = len(next(iter(rows.values())))
    cols = {}
    for c in contract.columns:
        cols[c.name] = pa.array(rows.get(c.name, [None] * n), _PA[c.type])
    for c in contract.derived:  # as ingest writes them
        cols[c.name] = pa.array([None if a is None else account_key(a) for a in rows["account_no"]], pa.int64())
    cols["_batch"] = pa.array([batch] * n)
    cols["_ingested_at"] = pa.array([datetime(2026, 11, 1)] * n, pa.timestamp("us"))
    cols["_source_file"] = pa.array([f"{table}.csv"] * n)
    cols["_source_row"] = pa.array(np.arange(2, n + 2), pa.int64())
    tbl = pa.table(cols)
    base = table_dir(lake_dir, table)
    if contract.partition_by_month:
        key = contract.partition_by_month
        months = np.array([(v.strftime("%Y-%m") if v else "none") for v in rows[key]])
        for m in sorted(set(months)):
            part = base / f"month={m}"
            part.mkdir(parents=True, exist_ok=True)
            idx = np.flatnonzero(months == m)
            pq.write_table(tbl.take(pa.array(idx)), part / f"part-{batch}-0.parquet")
    else:
        base.mkdir(parents=True, exist_ok=True)
        pq.write_table(tbl, base / f"part-{batch}-0.parquet")


def days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def daily_rows(curves: dict[str, Iterable[float | None]], start: date) -> dict[str, list]:
    """Long rows from ``account → daily kWh`` (None = missing day, not written)."""
    acc, dt, kwh = [], [], []
    for a, values in curves.items():
        for i, v in enumerate(values):
            if v is None:
                continue
            acc.append(a)
            dt.append(start + timedelta(days=i))
            kwh.append(float(v))
    return {"account_no": acc, "date": dt, "kwh": kwh}


def interval_rows(
    curves: dict[str, list[list[float]]], start: date, interval_min: int = 60
) -> dict[str, list]:
    """Long rows from ``account → list of days → per-interval kWh``."""
    acc, ts, kwh, im = [], [], [], []
    for a, day_list in curves.items():
        for di, values in enumerate(day_list):
            base = datetime.combine(start + timedelta(days=di), datetime.min.time())
            for k, v in enumerate(values):
                acc.append(a)
                ts.append(base + timedelta(minutes=interval_min * k))
                kwh.append(float(v))
                im.append(interval_min)
    return {"account_no": acc, "ts": ts, "kwh": kwh, "interval_min": im}
